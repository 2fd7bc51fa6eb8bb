// Models U-Boot boot/fdt_support.c: fdt_chosen(), fdt_initrd(), fdt_fixup_memory_banks() (called from
// arch/arm/lib/bootm-fdt.c arch_fixup_fdt()), fdt_find_or_add_subnode(). Each works on the blob in place
// and returns 0 or a negative libfdt error after printing U-Boot's warning.
import type { Machine } from '../machine.js';
import { fdtStrerror } from '../../../fdt/errors.js';
import { subnodeOffset, numMemRsv, getMemRsv } from '../../../fdt/ro.js';
import { addSubnode, setprop, addMemRsv, delMemRsv, setpropU64, setpropU32, stringListBytes } from '../../../fdt/rw.js';
import { addressCells, sizeCells } from '../../../fdt/cells.js';

/** Plain version string put into /chosen/u-boot,version (Debian's build of 2023.01). */
export function plainVersion(m: Machine): string {
  return m.ubootVersion === '2023.01' ? '2023.01+dfsg-2+deb12u3' : m.ubootVersion;
}

export function findOrAddSubnode(blob: Uint8Array, parent: number, name: string): number {
  const o = subnodeOffset(blob, parent, name);
  return o >= 0 ? o : addSubnode(blob, parent, name);
}

/** fdt_chosen(): /chosen, bootargs from env (if set), u-boot,version. */
export function fdtChosen(m: Machine, blob: Uint8Array): number {
  const node = findOrAddSubnode(blob, 0, 'chosen');
  if (node < 0) return node;
  const bootargs = m.env.get('bootargs');
  if (bootargs !== undefined) {
    const err = setprop(blob, node, 'bootargs', stringListBytes([bootargs]));
    if (err < 0) { m.console.line(`WARNING: could not set bootargs ${fdtStrerror(err)}.`); return err; }
  }
  const err = setprop(blob, node, 'u-boot,version', stringListBytes([plainVersion(m)]));
  if (err < 0) { m.console.line(`WARNING: could not set u-boot,version ${fdtStrerror(err)}.`); return err; }
  return 0;
}

/** fdt_initrd(): memreserve + linux,initrd-start/-end (64-bit when root #address-cells is 2). */
export function fdtInitrd(m: Machine, blob: Uint8Array, start: number, end: number): number {
  if (start === end) return 0;
  const node = findOrAddSubnode(blob, 0, 'chosen');
  if (node < 0) return node;
  const total = numMemRsv(blob);
  for (let j = 0; j < total; j++) {
    const r = getMemRsv(blob, j);
    if (typeof r !== 'number' && r.address === start) { delMemRsv(blob, j); break; }
  }
  let err = addMemRsv(blob, start, end - start);
  if (err < 0) { m.console.line(`fdt_initrd: ${fdtStrerror(err)}`); return err; }
  const is64 = addressCells(blob, 0) === 2;
  const put = (name: string, v: number): number => (is64 ? setpropU64(blob, node, name, v) : setpropU32(blob, node, name, v % 0x1_0000_0000));
  err = put('linux,initrd-start', start);
  if (err < 0) { m.console.line(`WARNING: could not set linux,initrd-start ${fdtStrerror(err)}.`); return err; }
  err = put('linux,initrd-end', end);
  if (err < 0) { m.console.line(`WARNING: could not set linux,initrd-end ${fdtStrerror(err)}.`); return err; }
  return 0;
}

/** A DRAM bank for fdt_fixup_memory_banks(): u64 values (`fdt memory` takes any 64-bit number). */
export interface MemoryBankValue { start: number | bigint; size: number | bigint }

/**
 * fdt_pack_reg(): each address and size as one 64-bit value when the root's cell count is 2, else
 * as the low 32 bits (cpu_to_fdt32() truncates); the pointer advances 4 bytes per cell either way.
 */
function packReg(banks: readonly MemoryBankValue[], ac: number, sc: number): Uint8Array {
  const out = new Uint8Array(banks.length * 4 * (ac + sc) + 8);
  const view = new DataView(out.buffer);
  let p = 0;
  const put = (v: bigint, cells: number): void => {
    if (cells === 2) view.setBigUint64(p, BigInt.asUintN(64, v));
    else view.setUint32(p, Number(BigInt.asUintN(32, v)));
    p += 4 * cells;
  };
  for (const b of banks) { put(BigInt(b.start), ac); put(BigInt(b.size), sc); }
  return out.slice(0, Math.max(p, 0));
}

/** fdt_fixup_memory_banks(): /memory (found as "memory" or "memory@…") gets device_type and reg = DRAM banks. */
export function fdtFixupMemoryBanks(m: Machine, blob: Uint8Array, banks: readonly MemoryBankValue[]): number {
  const node = findOrAddSubnode(blob, 0, 'memory');
  if (node < 0) return node;
  let err = setprop(blob, node, 'device_type', stringListBytes(['memory']));
  if (err < 0) { m.console.line(`WARNING: could not set device_type ${fdtStrerror(err)}.`); return err; }
  const used = banks.filter((b) => BigInt(b.start) !== 0n || BigInt(b.size) !== 0n);
  if (used.length === 0) return 0;
  const ac = addressCells(blob, 0);
  const sc = sizeCells(blob, 0);
  const reg = packReg(used, ac < 0 ? 2 : ac, sc < 0 ? 1 : sc);
  err = setprop(blob, node, 'reg', reg);
  if (err < 0) { m.console.line(`WARNING: could not set reg ${fdtStrerror(err)}.`); return err; }
  return 0;
}
