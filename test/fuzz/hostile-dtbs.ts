// Blobs that dtc accepts (or libfdt's writer produces) but that once hung or crashed a reader:
// nesting far deeper than any board, #address-cells and #size-cells both 0, /memreserve/ and
// /memory beyond 2^53. Seeds for the DTB targets, next to the real fixtures.
import { FdtWriter } from '../../src/fdt/sw.js';

function blob(build: (w: FdtWriter) => void, reserve?: [number, number]): Uint8Array {
  const w = new FdtWriter();
  if (reserve) w.addReservemapEntry(reserve[0], reserve[1]);
  w.finishReservemap();
  build(w);
  return w.finish();
}

const memory = (w: FdtWriter, cells: number[]): FdtWriter => w.beginNode('memory@40000000').propertyString('device_type', 'memory').propertyCells('reg', cells).endNode();

export function deepDtb(levels: number): Uint8Array {
  return blob((w) => {
    w.beginNode('');
    for (let i = 0; i < levels; i++) w.beginNode(`n${i}`);
    for (let i = 0; i < levels; i++) w.endNode();
    w.endNode();
  });
}

export const hostileDtbs = (): Uint8Array[] => [
  deepDtb(200),
  blob((w) => { w.beginNode('').propertyU32('#address-cells', 0).propertyU32('#size-cells', 0); memory(w, []); w.endNode(); }),
  blob((w) => { w.beginNode('').propertyU32('#address-cells', 2).propertyU32('#size-cells', 2); memory(w, [0, 0x40000000, 0, 0x80000000]); w.endNode(); }, [2 ** 53 - 0x1000, 0x1000]),
  blob((w) => { w.beginNode('').propertyU32('#address-cells', 2).propertyU32('#size-cells', 2); memory(w, [0x200000, 0, 0, 0x1000]); w.endNode(); }),
  blob((w) => {
    w.beginNode('').propertyU32('#address-cells', 4).propertyU32('#size-cells', 4);
    memory(w, [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff]);
    w.beginNode('reserved-memory').propertyU32('#address-cells', 5).propertyU32('#size-cells', 1).beginNode('r@0').propertyCells('reg', [1, 2, 3]).endNode().endNode();
    w.endNode();
  }),
];
