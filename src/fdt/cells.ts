// Models dtc libfdt/fdt_addresses.c (fdt_address_cells(), fdt_size_cells()) plus cell encode/decode helpers.
// Cell counts apply to the CHILDREN of the node that carries them: decode a node's `reg` with its parent's counts.
import { E, type FdtErrno } from './errors.js';
import { ld32_, st32_ } from './header.js';
import { getprop } from './ro.js';

/** libfdt FDT_MAX_NCELLS: larger #address-cells / #size-cells are rejected. */
export const FDT_MAX_NCELLS = 4;

// fdt_cells()
function cells(fdt: Uint8Array, node: number, name: string): number | FdtErrno {
  const v = getprop(fdt, node, name);
  if (typeof v === 'number') return v;
  if (v.length !== 4) return E.BADNCELLS;
  const val = ld32_(v, 0);
  if (val > FDT_MAX_NCELLS) return E.BADNCELLS;
  return val;
}

/**
 * `#address-cells` of `node` (2 when absent, as the spec default).
 * @returns 1..4, or -FDT_ERR_BADNCELLS (0, > 4 or not one cell), or a getprop() error other than NOTFOUND
 * @see libfdt fdt_addresses.c fdt_address_cells()
 */
export function addressCells(fdt: Uint8Array, node: number): number | FdtErrno {
  const val = cells(fdt, node, '#address-cells');
  if (val === 0) return E.BADNCELLS;
  if (val === E.NOTFOUND) return 2;
  return val;
}

/**
 * `#size-cells` of `node` (1 when absent).
 * @returns 0..4, or -FDT_ERR_BADNCELLS (> 4 or not one cell), or a getprop() error other than NOTFOUND
 * @see libfdt fdt_addresses.c fdt_size_cells()
 */
export function sizeCells(fdt: Uint8Array, node: number): number | FdtErrno {
  const val = cells(fdt, node, '#size-cells');
  if (val === E.NOTFOUND) return 1;
  return val;
}

/**
 * The number held in `count` big-endian cells starting at cell index `at` of `value` (1 cell = u32, 2 = u64).
 * @throws RangeError when the cells are outside `value` or the number is not exact (>= 2^53)
 */
export function readCells(value: Uint8Array, count: number, at = 0): number {
  if (at < 0 || (at + count) * 4 > value.length) {
    throw new RangeError(`readCells: ${count} cell(s) at cell ${at} is outside a ${value.length}-byte value`);
  }
  let n = 0;
  for (let i = 0; i < count; i++) n = n * 0x1_0000_0000 + ld32_(value, (at + i) * 4);
  if (!Number.isSafeInteger(n)) throw new RangeError(`readCells: value at cell ${at} does not fit in 53 bits`);
  return n;
}

/** One (address, size) pair of a `reg`-style property. */
export interface RegEntry { address: number; size: number }

/**
 * Split a `reg`-style value into (address, size) pairs using the parent's cell counts.
 * Trailing bytes that do not make a whole entry are ignored (like Linux/Xen readers).
 * @throws RangeError for values that do not fit in 53 bits
 */
export function decodeReg(value: Uint8Array, ac: number, sc: number): RegEntry[] {
  const per = ac + sc;
  const out: RegEntry[] = [];
  if (per === 0) return out;
  const n = Math.floor(value.length / (per * 4));
  for (let i = 0; i < n; i++) {
    out.push({ address: readCells(value, ac, i * per), size: readCells(value, sc, i * per + ac) });
  }
  return out;
}

/**
 * Encode numbers as big-endian cells, `cellsEach` cells per number (e.g. 2 for a 64-bit address).
 * @throws RangeError when a value is negative, not an integer, or does not fit in `cellsEach` cells
 */
export function encodeCells(values: readonly number[], cellsEach: number): Uint8Array {
  const out = new Uint8Array(values.length * cellsEach * 4);
  values.forEach((v, i) => {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`encodeCells: ${v} is not a non-negative safe integer`);
    let rest = v;
    for (let c = cellsEach - 1; c >= 0; c--) {
      st32_(out, (i * cellsEach + c) * 4, rest % 0x1_0000_0000);
      rest = Math.floor(rest / 0x1_0000_0000);
    }
    if (rest !== 0) throw new RangeError(`encodeCells: 0x${v.toString(16)} does not fit in ${cellsEach} cell(s)`);
  });
  return out;
}

/** Encode (address, size) pairs as a `reg` value with the given cell counts. Same throws as encodeCells(). */
export function encodeReg(entries: readonly RegEntry[], ac: number, sc: number): Uint8Array {
  const out = new Uint8Array(entries.length * (ac + sc) * 4);
  entries.forEach((e, i) => {
    out.set(encodeCells([e.address], ac), i * (ac + sc) * 4);
    out.set(encodeCells([e.size], sc), (i * (ac + sc) + ac) * 4);
  });
  return out;
}
