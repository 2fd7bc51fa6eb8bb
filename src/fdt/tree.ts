// A live tree (dtc livetree.c style) and its conversion from/to blobs (dtc flattree.c).
// serializeTree() reproduces `dtc -I dts -O dtb` byte for byte for the same tree: header values, memory map
// right after the 40-byte header, structure in tree order, strings in order of first use with dtc's reuse of
// an existing occurrence (including the tail of a longer name), then -S/-p/-a padding.
import { FdtError } from '../errors.js';
import { FDT_BEGIN_NODE, FDT_END, FDT_END_NODE, FDT_NOP, FDT_PROP } from './constants.js';
import { explainFdtError } from './check.js';
import { fdtOk, fdtStrerror, type FdtErrName } from './errors.js';
import { bootCpuidPhys, checkHeader, ld32_, nextTag, offDtStruct } from './header.js';
import { getMemRsv, getString, numMemRsv, type MemRsv } from './ro.js';
import { bytesToStr } from './strings.js';
import { FdtWriter, type FinishOptions } from './sw.js';

export interface FdtProp { name: string; value: Uint8Array }
export interface FdtNode { name: string; props: FdtProp[]; children: FdtNode[] }
export interface FdtTree { root: FdtNode; memRsv: MemRsv[]; bootCpuidPhys: number }

function fail(ret: number, where: string, blob = 'the device tree'): never {
  throw new FdtError(fdtStrerror(ret) as FdtErrName,
    `${blob} is not a usable device tree: ${explainFdtError(ret)}; ${where} (${fdtStrerror(ret)})`, { errno: ret, where },
    { file: blob }, 'regenerate the blob with dtc (dtc -I dts -O dtb -o board.dtb board.dts) or dump it again from the board or QEMU');
}

/**
 * Read a whole blob into a live tree (values are copies; NOPs are dropped).
 * @throws FdtError with the libfdt code: a checkHeader() error, 'FDT_ERR_TRUNCATED' / 'FDT_ERR_BADSTRUCTURE'
 *   for a corrupt structure block, 'FDT_ERR_BADOFFSET' for a bad property name offset
 */
export function parseTree(fdt: Uint8Array, blob = 'the device tree'): FdtTree {
  const hdr = checkHeader(fdt);
  if (hdr < 0) fail(hdr, 'the header is inconsistent', blob);
  const n = fdtOk(numMemRsv(fdt), 'fdt_num_mem_rsv', 'memory reservation map');
  const memRsv: MemRsv[] = [];
  for (let i = 0; i < n; i++) memRsv.push(fdtOk(getMemRsv(fdt, i), 'fdt_get_mem_rsv', `entry ${i}`));

  const base = offDtStruct(fdt);
  const stack: FdtNode[] = [];
  let root: FdtNode | undefined;
  let offset = 0;
  for (;;) {
    const t = nextTag(fdt, offset);
    if (t.next < 0) fail(t.next, `tag at structure offset ${offset}`, blob);
    switch (t.tag) {
      case FDT_BEGIN_NODE: {
        if (root && stack.length === 0) fail(-11, `second root node at structure offset ${offset}`, blob);
        const nameAt = base + offset + 4;
        const node: FdtNode = { name: bytesToStr(fdt, nameAt, fdt.indexOf(0, nameAt)), props: [], children: [] };
        const parent = stack[stack.length - 1];
        if (parent) parent.children.push(node); else root = node;
        stack.push(node);
        break;
      }
      case FDT_END_NODE:
        if (!stack.pop()) fail(-11, `FDT_END_NODE without a node at structure offset ${offset}`, blob);
        break;
      case FDT_PROP: {
        const node = stack[stack.length - 1];
        if (!node) fail(-11, `property outside a node at structure offset ${offset}`, blob);
        const len = ld32_(fdt, base + offset + 4);
        const name = getString(fdt, ld32_(fdt, base + offset + 8));
        if (typeof name === 'number') fail(name, `property name at structure offset ${offset}`, blob);
        // v16+ has no value realignment; nextTag() already bounds-checked the value.
        const valueAt = t.next - (len + 3 - ((len + 3) % 4)) + base;
        node.props.push({ name, value: fdt.slice(valueAt, valueAt + len) });
        break;
      }
      case FDT_NOP:
        break;
      case FDT_END:
        if (stack.length !== 0 || !root) fail(-11, `FDT_END inside a node at structure offset ${offset}`, blob);
        return { root, memRsv, bootCpuidPhys: bootCpuidPhys(fdt) };
    }
    offset = t.next;
  }
}

/**
 * dtc's guess_boot_cpuid(): the one-cell `reg` of the first child of /cpus, else 0.
 * `dtc -I dts` puts this in boot_cpuid_phys unless -b is given.
 */
export function guessBootCpuid(root: FdtNode): number {
  const cpus = root.children.find((c) => c.name === 'cpus');
  const first = cpus?.children[0];
  const reg = first?.props.find((p) => p.name === 'reg');
  if (!reg || reg.value.length !== 4) return 0;
  return ld32_(reg.value, 0);
}

/** Options of serializeTree(): dtc's -S (minSize), -p (padSize), -a (alignSize) or an exact totalsize. */
export type SerializeOptions = FinishOptions;

/**
 * Flatten a tree exactly as dtc writes a dtb (dtc flattree.c dt_to_blob()).
 * @throws FdtError 'FDT_ERR_NOSPACE' when opts.totalsize is smaller than the data
 */
export function serializeTree(tree: FdtTree, opts: SerializeOptions = {}): Uint8Array {
  const w = new FdtWriter(tree.bootCpuidPhys);
  for (const r of tree.memRsv) w.addReservemapEntry(r.address, r.size);
  w.finishReservemap();
  const emit = (node: FdtNode): void => {
    w.beginNode(node.name);
    for (const p of node.props) w.property(p.name, p.value);
    for (const c of node.children) emit(c);
    w.endNode();
  };
  emit(tree.root);
  return w.finish(opts);
}

/** A tree with an empty root, no reservations, boot cpu 0. */
export function emptyTree(): FdtTree {
  return { root: { name: '', props: [], children: [] }, memRsv: [], bootCpuidPhys: 0 };
}

// ---- comparison (libfdt tests/dtbs_equal_ordered.c) ----

/**
 * First difference between two blobs compared as ordered trees: memory reservations, node names, property
 * names and values, in order (NOPs, string table layout, padding and header sizes do not matter).
 * @returns null when equal, else a sentence naming the first difference
 * @throws FdtError when either blob cannot be parsed
 */
export function dtbsDiffOrdered(a: Uint8Array, b: Uint8Array): string | null {
  const ta = parseTree(a);
  const tb = parseTree(b);
  if (ta.memRsv.length !== tb.memRsv.length) return `memory reservation count ${ta.memRsv.length} != ${tb.memRsv.length}`;
  for (let i = 0; i < ta.memRsv.length; i++) {
    const x = ta.memRsv[i]!; const y = tb.memRsv[i]!;
    if (x.address !== y.address || x.size !== y.size) return `memory reservation ${i} differs`;
  }
  return nodeDiff(ta.root, tb.root, '');
}

/** dtbs_equal_ordered(): true when dtbsDiffOrdered() finds no difference. */
export function dtbsEqualOrdered(a: Uint8Array, b: Uint8Array): boolean {
  return dtbsDiffOrdered(a, b) === null;
}

function nodeDiff(a: FdtNode, b: FdtNode, parentPath: string): string | null {
  const path = parentPath === '' && a.name === '' ? '/' : `${parentPath === '/' ? '' : parentPath}/${a.name}`;
  if (a.name !== b.name) return `node name "${a.name}" != "${b.name}" under ${parentPath || '/'}`;
  if (a.props.length !== b.props.length) return `${path}: ${a.props.length} properties != ${b.props.length}`;
  for (let i = 0; i < a.props.length; i++) {
    const x = a.props[i]!; const y = b.props[i]!;
    if (x.name !== y.name) return `${path}: property ${i} is "${x.name}" != "${y.name}"`;
    if (x.value.length !== y.value.length || x.value.some((v, j) => v !== y.value[j])) return `${path}: value of "${x.name}" differs`;
  }
  if (a.children.length !== b.children.length) return `${path}: ${a.children.length} children != ${b.children.length}`;
  for (let i = 0; i < a.children.length; i++) {
    const d = nodeDiff(a.children[i]!, b.children[i]!, path);
    if (d) return d;
  }
  return null;
}

// ---- readable dump ----

function isStringList(v: Uint8Array): boolean {
  if (v.length === 0 || v[v.length - 1] !== 0 || v[0] === 0) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c === 0) { if (v[i - 1] === 0) return false; continue; }
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/** dts text for one property value, chosen like dtc's guess: strings, then <cells>, then [bytes]. */
export function formatValue(v: Uint8Array): string {
  if (isStringList(v)) {
    return bytesToStr(v, 0, v.length - 1).split('\0').map((s) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(', ');
  }
  if (v.length % 4 === 0) {
    const cells: string[] = [];
    for (let i = 0; i < v.length; i += 4) cells.push(`0x${ld32_(v, i).toString(16).padStart(2, '0')}`);
    return `<${cells.join(' ')}>`;
  }
  return `[${Array.from(v, (b) => b.toString(16).padStart(2, '0')).join(' ')}]`;
}

/** A dts-like text of the tree (for logs, `inspect` and test failure messages). */
export function toDts(tree: FdtTree): string {
  const out: string[] = ['/dts-v1/;', ''];
  for (const r of tree.memRsv) out.push(`/memreserve/ 0x${r.address.toString(16).padStart(16, '0')} 0x${r.size.toString(16).padStart(16, '0')};`);
  if (tree.memRsv.length > 0) out.push('');
  const emit = (node: FdtNode, depth: number): void => {
    const ind = '\t'.repeat(depth);
    out.push(`${ind}${depth === 0 ? '/' : node.name} {`);
    for (const p of node.props) out.push(p.value.length === 0 ? `${ind}\t${p.name};` : `${ind}\t${p.name} = ${formatValue(p.value)};`);
    for (const c of node.children) { out.push(''); emit(c, depth + 1); }
    out.push(`${ind}};`);
  };
  emit(tree.root, 0);
  return out.join('\n') + '\n';
}
