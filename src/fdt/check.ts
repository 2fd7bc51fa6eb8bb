// One pass over a whole blob before anything else reads it: the header, every tag of the
// structure block (bounded nesting), every property name, the memory reservation map, and
// the numbers the planner and the simulator take from it (#address-cells/#size-cells of the
// root and /reserved-memory, /memory and /reserved-memory `reg`, /memreserve/). A blob that
// passes can be walked by every later reader without a loop, a deep recursion or a number
// the planner cannot represent exactly.
import { FdtError } from '../errors.js';
import { FDT_BEGIN_NODE, FDT_END, FDT_END_NODE, FDT_PROP } from './constants.js';
import { E, fdtStrerror, type FdtErrName } from './errors.js';
import { checkHeader, ld32_, ld64_, nextTag, offDtStruct } from './header.js';
import { getName, getprop, getpropString, getString, numMemRsv, pathOffset, subnodes } from './ro.js';

/** Deepest node nesting accepted. Real board trees nest 5 or 6 levels; a deeper one is corrupt or hostile. */
export const FDT_MAX_CHECKED_DEPTH = 64;

/**
 * Physical addresses on arm64 are at most 52 bits wide (FEAT_LPA); a RAM bank or a reservation
 * ending above this cannot describe real memory, and it keeps every sum the planner makes exact.
 */
export const FDT_MAX_PHYS_END = 2 ** 52;

const REGENERATE_HINT = 'regenerate the blob with dtc (dtc -I dts -O dtb -o board.dtb board.dts) or dump it again from the board or QEMU (-machine virt,dumpdtb=board.dtb)';

/** Whole-sentence meaning of a libfdt error met while reading a blob. */
export function explainFdtError(ret: number): string {
  switch (ret) {
    case E.TRUNCATED: return 'it ends before its structure is complete (the file is cut short or totalsize is wrong)';
    case E.BADMAGIC: return 'it does not start with the device tree magic 0xd00dfeed';
    case E.BADVERSION: return 'its version is not one libfdt can read (2..17)';
    case E.BADSTRUCTURE: return 'its structure block is corrupt (an unknown tag, or nodes that do not nest properly)';
    case E.BADLAYOUT: return 'its blocks are not in the order libfdt requires';
    case E.BADOFFSET: return 'an offset inside it points outside its blocks';
    case E.BADNCELLS: return '#address-cells or #size-cells is malformed or out of range';
    case E.ALIGNMENT: return 'it is not 8-byte aligned';
    default: return `libfdt reports ${fdtStrerror(ret)}`;
  }
}

function fail(ret: number, what: string, detail: string, hint = REGENERATE_HINT): never {
  const name = fdtStrerror(ret);
  const code = (name.startsWith('FDT_ERR_') ? name : 'FDT_ERR_BADSTRUCTURE') as FdtErrName;
  throw new FdtError(code, `${what} is not a usable device tree: ${explainFdtError(ret)}; ${detail} (${name})`,
    { errno: ret, detail }, { file: what }, hint);
}

function tooHigh(what: string, where: string, end: number): never {
  throw new FdtError('FDT_ERR_BADVALUE',
    `${what}: ${where} ends at 0x${end.toString(16)}, above the 52-bit arm64 physical address space (0x${FDT_MAX_PHYS_END.toString(16)})`,
    { where, end }, { file: what }, 'fix the address or size in the device tree source and recompile it with dtc');
}

/** `#address-cells` or `#size-cells` of `node` if present: one cell, 1..4 (address) or 0..4 (size). */
function checkCells(fdt: Uint8Array, node: number, path: string, what: string): { ac: number; sc: number } {
  const read = (prop: string, dflt: number, min: number): number => {
    const v = getprop(fdt, node, prop);
    if (typeof v === 'number') return dflt;
    const n = v.length === 4 ? ld32_(v, 0) : -1;
    if (n < min || n > 4) {
      fail(E.BADNCELLS, what, `${path} has ${prop} = ${v.length === 4 ? `<${n}>` : `${v.length} byte(s)`}, but it must be one cell from ${min} to 4`,
        'fix the cell count in the device tree source and recompile it with dtc');
    }
    return n;
  };
  return { ac: read('#address-cells', 2, 1), sc: read('#size-cells', 1, 0) };
}

function cellsValue(v: Uint8Array, at: number, count: number): number {
  let n = 0;
  for (let i = 0; i < count; i++) n = n * 0x1_0000_0000 + ld32_(v, at + i * 4);
  return n;
}

function checkReg(fdt: Uint8Array, node: number, ac: number, sc: number, path: string, what: string): void {
  const reg = getprop(fdt, node, 'reg');
  if (typeof reg === 'number') return;
  const step = (ac + sc) * 4;
  for (let o = 0; o + step <= reg.length; o += step) {
    const address = cellsValue(reg, o, ac);
    const size = cellsValue(reg, o + ac * 4, sc);
    if (address + size > FDT_MAX_PHYS_END) tooHigh(what, `${path} reg entry ${o / step}`, address + size);
  }
}

/**
 * Throws FdtError (code FDT_ERR_<NAME>, message naming `what`, the fault and the fix) unless
 * `fdt` is a whole, well-formed blob whose memory numbers fit the 52-bit physical space.
 * Iterative and linear in the blob size.
 */
export function checkDtbForReading(fdt: Uint8Array, what: string): void {
  const rc = checkHeader(fdt);
  if (rc < 0) fail(rc, what, 'the header is inconsistent');

  const base = offDtStruct(fdt);
  let depth = 0;
  let sawRoot = false;
  let offset = 0;
  for (;;) {
    const t = nextTag(fdt, offset);
    if (t.next < 0) fail(t.next, what, `at structure offset ${offset}`);
    if (t.tag === FDT_BEGIN_NODE) {
      if (depth === 0 && sawRoot) fail(E.BADSTRUCTURE, what, `a second root node starts at structure offset ${offset}`);
      sawRoot = true;
      depth++;
      if (depth > FDT_MAX_CHECKED_DEPTH) {
        fail(E.BADSTRUCTURE, what, `nodes nest more than ${FDT_MAX_CHECKED_DEPTH} levels deep at structure offset ${offset}`);
      }
    } else if (t.tag === FDT_END_NODE) {
      if (depth === 0) fail(E.BADSTRUCTURE, what, `a node ends at structure offset ${offset} without having started`);
      depth--;
    } else if (t.tag === FDT_PROP) {
      if (depth === 0) fail(E.BADSTRUCTURE, what, `a property at structure offset ${offset} lies outside any node`);
      const name = getString(fdt, ld32_(fdt, base + offset + 8));
      if (typeof name === 'number') fail(name, what, `the name of the property at structure offset ${offset} points outside the strings block`);
    } else if (t.tag === FDT_END) {
      if (depth !== 0 || !sawRoot) fail(E.BADSTRUCTURE, what, `the structure ends at offset ${offset} inside an open node`);
      break;
    }
    offset = t.next;
  }

  const n = numMemRsv(fdt);
  if (n < 0) fail(n, what, 'the memory reservation map has no terminating entry');
  const rsvBase = ld32_(fdt, 16);
  for (let i = 0; i < n; i++) {
    const at = rsvBase + i * 16;
    const end = ld64_(fdt, at) + ld64_(fdt, at + 8);
    if (end > FDT_MAX_PHYS_END) tooHigh(what, `/memreserve/ entry ${i}`, end);
  }

  const root = { ...checkCells(fdt, 0, '/', what) };
  for (const child of subnodes(fdt, 0)) {
    const name = getName(fdt, child);
    if (typeof name !== 'string') continue;
    if (name === 'memory' || name.startsWith('memory@') || getpropString(fdt, child, 'device_type') === 'memory') checkReg(fdt, child, root.ac, root.sc, `/${name}`, what);
  }
  const rm = pathOffset(fdt, '/reserved-memory');
  if (rm >= 0) {
    const cells = checkCells(fdt, rm, '/reserved-memory', what);
    for (const child of subnodes(fdt, rm)) {
      const name = getName(fdt, child);
      checkReg(fdt, child, cells.ac, cells.sc, `/reserved-memory/${typeof name === 'string' ? name : '?'}`, what);
    }
  }
}
