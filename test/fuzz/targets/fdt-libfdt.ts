// The libfdt port on edited real blobs: the header check, the read-only walks every reader
// uses, the whole-blob check and parseTree, then a list of read-write edits on a copy opened
// with room to grow (the edits the boot script makes: setprop, mknod, rm, resize).
import fc from 'fast-check';
import { UbootGenError } from '../../../src/errors.js';
import { checkDtbForReading } from '../../../src/fdt/check.js';
import { checkHeader, totalsize } from '../../../src/fdt/header.js';
import {
  getAlias, getMemRsv, getName, getPath, getprop, nodeDepth, numMemRsv, parentOffset, pathOffset, properties, subnodes, walkNodes,
} from '../../../src/fdt/ro.js';
import {
  addMemRsv, addSubnode, appendprop, delMemRsv, delNode, delprop, openInto, pack, setName, setprop, setpropString,
} from '../../../src/fdt/rw.js';
import { parseTree } from '../../../src/fdt/tree.js';
import { mutatedBytes, seedFiles, seedFolder } from '../byte-mutations.js';
import { hostileDtbs } from '../hostile-dtbs.js';
import type { FuzzTarget } from '../target.js';

const seeds = [
  ...seedFolder('test/fixtures/dtb', (n) => n.endsWith('.dtb') && n !== 'qemu-virt-gicv3-2g.dtb'),
  ...seedFiles('samples/virt.dtb', 'test/fixtures/images/tiny.dtb'),
  ...hostileDtbs(),
];

type Op =
  | { op: 'setprop'; node: number; name: string; len: number }
  | { op: 'setstr'; node: number; name: string; value: string }
  | { op: 'append'; node: number; name: string; len: number }
  | { op: 'delprop'; node: number; name: string }
  | { op: 'mknod'; node: number; name: string }
  | { op: 'rm'; node: number }
  | { op: 'rename'; node: number; name: string }
  | { op: 'rsv'; address: number; size: number }
  | { op: 'delrsv'; n: number }
  | { op: 'pack' };

export interface FdtInput { blob: Uint8Array; grow: number; ops: Op[] }

const names = fc.constantFrom('reg', 'compatible', 'bootargs', '#address-cells', '#size-cells', 'status', 'xen,xen-bootargs', 'a', '', 'module@40400000', 'chosen', 'domU0', 'x'.repeat(40));
/** Which node an op targets: the n-th node of a walk (modulo the count), or a raw offset. */
const nodeRef = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: -8, max: 0x2000 }).map((n) => -1000 - n));
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('setprop' as const), node: nodeRef, name: names, len: fc.integer({ min: 0, max: 600 }) }),
  fc.record({ op: fc.constant('setstr' as const), node: nodeRef, name: names, value: fc.string({ maxLength: 30 }) }),
  fc.record({ op: fc.constant('append' as const), node: nodeRef, name: names, len: fc.integer({ min: 0, max: 64 }) }),
  fc.record({ op: fc.constant('delprop' as const), node: nodeRef, name: names }),
  fc.record({ op: fc.constant('mknod' as const), node: nodeRef, name: names }),
  fc.record({ op: fc.constant('rm' as const), node: nodeRef }),
  fc.record({ op: fc.constant('rename' as const), node: nodeRef, name: names }),
  fc.record({ op: fc.constant('rsv' as const), address: fc.integer({ min: 0, max: 2 ** 40 }), size: fc.integer({ min: 0, max: 2 ** 32 }) }),
  fc.record({ op: fc.constant('delrsv' as const), n: fc.integer({ min: -1, max: 4 }) }),
  fc.record({ op: fc.constant('pack' as const) }),
);

function typed(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof UbootGenError)) throw e;
  }
}

/** Read-only walks over a blob; returns the node offsets found (at most 4096). */
function readAll(fdt: Uint8Array): number[] {
  const nodes: number[] = [];
  walkNodes(fdt, (o) => { nodes.push(o); return nodes.length < 4096; });
  for (const o of nodes) {
    getName(fdt, o);
    getPath(fdt, o);
    nodeDepth(fdt, o);
    parentOffset(fdt, o);
    let k = 0;
    for (const p of properties(fdt, o)) { if (++k > 4096) break; getprop(fdt, o, p.name); }
    k = 0;
    for (const _ of subnodes(fdt, o)) if (++k > 4096) break;
  }
  const n = numMemRsv(fdt);
  if (typeof n === 'number' && n > 0) for (let i = 0; i < Math.min(n, 64); i++) getMemRsv(fdt, i);
  pathOffset(fdt, '/chosen');
  pathOffset(fdt, '/reserved-memory/a@0');
  getAlias(fdt, 'serial0');
  return nodes;
}

export const target: FuzzTarget<FdtInput> = {
  name: 'fdt-libfdt',
  arbitrary: fc.record({ blob: mutatedBytes(seeds), grow: fc.integer({ min: 0, max: 4096 }), ops: fc.array(opArb, { maxLength: 8 }) }),
  run({ blob, grow, ops }) {
    const fdt = blob.slice();
    checkHeader(fdt);
    readAll(fdt);
    typed(() => checkDtbForReading(fdt, 'fuzz.dtb'));
    typed(() => parseTree(fdt, 'fuzz.dtb'));
    if (checkHeader(fdt) < 0) return;
    const size = Math.min(totalsize(fdt), fdt.length) + grow;
    const buf = new Uint8Array(size);
    if (openInto(fdt, buf, size) < 0) return;
    for (const o of ops) {
      const nodes = readAll(buf);
      const node = (n: number): number => (n <= -1000 ? -1000 - n : nodes.length ? (nodes[n % nodes.length] as number) : 0);
      switch (o.op) {
        case 'setprop': setprop(buf, node(o.node), o.name, new Uint8Array(o.len)); break;
        case 'setstr': setpropString(buf, node(o.node), o.name, o.value); break;
        case 'append': appendprop(buf, node(o.node), o.name, new Uint8Array(o.len).fill(0xa5)); break;
        case 'delprop': delprop(buf, node(o.node), o.name); break;
        case 'mknod': addSubnode(buf, node(o.node), o.name); break;
        case 'rm': delNode(buf, node(o.node)); break;
        case 'rename': setName(buf, node(o.node), o.name); break;
        case 'rsv': addMemRsv(buf, o.address, o.size); break;
        case 'delrsv': delMemRsv(buf, o.n); break;
        case 'pack': pack(buf); break;
      }
    }
    readAll(buf);
    typed(() => checkDtbForReading(buf, 'fuzz.dtb'));
    typed(() => parseTree(buf, 'fuzz.dtb'));
  },
  encode: (input) => new Uint8Array(Buffer.from(JSON.stringify({ blob: Buffer.from(input.blob).toString('base64'), grow: input.grow, ops: input.ops }))),
  decode: (bytes) => {
    const j = JSON.parse(Buffer.from(bytes).toString('utf8')) as { blob: string; grow: number; ops: Op[] };
    return { blob: new Uint8Array(Buffer.from(j.blob, 'base64')), grow: j.grow, ops: j.ops };
  },
};
