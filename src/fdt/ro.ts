// Models dtc libfdt/fdt_ro.c (v1.7.x): read-only lookups on a flattened device tree, in place.
// Results keep libfdt's contract: offsets >= 0, failures as -FDT_ERR_* numbers (see errors.ts fdtOk()).
import { FDT_BEGIN_NODE, FDT_END, FDT_END_NODE, FDT_MAGIC, FDT_NOP, FDT_PROP, FDT_PROP_HEADER_SIZE, FDT_RESERVE_ENTRY_SIZE } from './constants.js';
import { E, type FdtErrno } from './errors.js';
import {
  checkNodeOffset_, checkPropOffset_, fdtMagic, fdtVersion, ld32_, ld64_, nextNode, nextTag, offDtStrings,
  offDtStruct, offMemRsvmap, roProbe, sizeDtStrings, structBounds, nextTagWithin, totalsize, type Depth,
} from './header.js';
import { bytesEq, bytesToStr, strBytes } from './strings.js';

// ---- strings block ----

/**
 * Locate the NUL-terminated string at `stroffset` in the strings block.
 * @returns { abs, len } (absolute byte index, length without NUL), or
 *   -FDT_ERR_BADOFFSET  offset outside the strings block
 *   -FDT_ERR_TRUNCATED  no terminating NUL inside the block
 * @see libfdt fdt_ro.c fdt_get_string()
 */
export function getStringAt_(fdt: Uint8Array, stroffset: number): { abs: number; len: number } | FdtErrno {
  const total = roProbe(fdt);
  if (total < 0) return total;
  const abs = stroffset + offDtStrings(fdt);
  if (stroffset < 0 || abs >= total) return E.BADOFFSET;
  let len = total - abs;
  if (fdtMagic(fdt) === FDT_MAGIC && fdtVersion(fdt) >= 17) {
    if (stroffset >= sizeDtStrings(fdt)) return E.BADOFFSET;
    len = Math.min(len, sizeDtStrings(fdt) - stroffset);
  }
  const nul = fdt.subarray(abs, abs + len).indexOf(0);
  if (nul < 0) return E.TRUNCATED;
  return { abs, len: nul };
}

/**
 * The string at `stroffset` of the strings block.
 * @returns the string, or -FDT_ERR_BADOFFSET, -FDT_ERR_TRUNCATED (see getStringAt_)
 * @see libfdt fdt_ro.c fdt_string()
 */
export function getString(fdt: Uint8Array, stroffset: number): string | FdtErrno {
  const r = getStringAt_(fdt, stroffset);
  return typeof r === 'number' ? r : bytesToStr(fdt, r.abs, r.abs + r.len);
}

// fdt_string_eq_()
function stringEq(fdt: Uint8Array, stroffset: number, s: Uint8Array): boolean {
  const r = getStringAt_(fdt, stroffset);
  return typeof r !== 'number' && r.len === s.length && bytesEq(fdt, r.abs, s);
}

// ---- memory reservation map ----

// fdt_mem_rsv(): absolute index of entry n, or -1 when it would leave the blob
function memRsvAbs(fdt: Uint8Array, n: number): number {
  const abs = offMemRsvmap(fdt) + n * FDT_RESERVE_ENTRY_SIZE;
  if (n < 0 || abs > totalsize(fdt) - FDT_RESERVE_ENTRY_SIZE) return -1;
  return abs;
}

/**
 * Number of memory-reservation entries (the terminator is the first entry with size 0).
 * @returns count >= 0, or -FDT_ERR_TRUNCATED when no terminator is found inside the blob
 * @see libfdt fdt_ro.c fdt_num_mem_rsv()
 */
export function numMemRsv(fdt: Uint8Array): number | FdtErrno {
  const p = roProbe(fdt);
  if (p < 0) return p;
  for (let i = 0; ; i++) {
    const abs = memRsvAbs(fdt, i);
    if (abs < 0) return E.TRUNCATED;
    if (ld64_(fdt, abs + 8) === 0) return i;
  }
}

/** One /memreserve/ entry. */
export interface MemRsv { address: number; size: number }

/**
 * Memory-reservation entry `n` (addresses are numbers, exact below 2^53).
 * @returns { address, size }, or -FDT_ERR_BADOFFSET (n outside the blob), or a probe error
 * @see libfdt fdt_ro.c fdt_get_mem_rsv()
 */
export function getMemRsv(fdt: Uint8Array, n: number): MemRsv | FdtErrno {
  const p = roProbe(fdt);
  if (p < 0) return p;
  const abs = memRsvAbs(fdt, n);
  if (abs < 0) return E.BADOFFSET;
  return { address: ld64_(fdt, abs), size: ld64_(fdt, abs + 8) };
}

// ---- node names and navigation ----

// fdt_get_name() core: absolute start and length of a node's (leaf) name
function nameRange(fdt: Uint8Array, node: number): { abs: number; len: number } | FdtErrno {
  const p = roProbe(fdt);
  if (p < 0) return p;
  const after = checkNodeOffset_(fdt, node);
  if (after < 0) return after;
  let abs = offDtStruct(fdt) + node + 4;
  let len = fdt.subarray(abs).indexOf(0);
  if (fdtVersion(fdt) < 0x10) {
    // Old blobs store full paths: give the leaf name, like v16+.
    const slash = fdt.subarray(abs, abs + len).lastIndexOf(0x2f);
    if (slash < 0) return E.BADSTRUCTURE;
    abs += slash + 1;
    len -= slash + 1;
  }
  return { abs, len };
}

/**
 * Name of the node at `node` ("" for the root; includes any @unit-address).
 * @returns the name, or -FDT_ERR_BADOFFSET (not a node), -FDT_ERR_BADSTRUCTURE, or a probe error
 * @see libfdt fdt_ro.c fdt_get_name()
 */
export function getName(fdt: Uint8Array, node: number): string | FdtErrno {
  const r = nameRange(fdt, node);
  return typeof r === 'number' ? r : bytesToStr(fdt, r.abs, r.abs + r.len);
}

// fdt_nodename_eq_(): exact match, or `s` without '@' matching "s@unit"
function nodenameEq(fdt: Uint8Array, node: number, s: Uint8Array): boolean {
  const r = nameRange(fdt, node);
  if (typeof r === 'number' || r.len < s.length) return false;
  if (!bytesEq(fdt, r.abs, s)) return false;
  const next = fdt[r.abs + s.length];
  if (r.len === s.length || next === 0) return true;
  return next === 0x40 /* @ */ && s.indexOf(0x40) < 0;
}

function subnodeOffsetBytes(fdt: Uint8Array, parent: number, name: Uint8Array): number | FdtErrno {
  const p = roProbe(fdt);
  if (p < 0) return p;
  // One walk over the parent's subtree, tag by tag. This is fdt_next_node() inlined: the blob is
  // probed once and each child's name compared in place, instead of probing and re-checking
  // every child (adding N children one by one scans N²/2 of them, as in C, so this loop is hot).
  const after = checkNodeOffset_(fdt, parent);
  if (after < 0) return after;
  const bounds = structBounds(fdt);
  const base = bounds.base;
  const oldNames = bounds.version < 0x10;
  const unitless = name.indexOf(0x40) < 0;
  let depth = 0;
  let offset = after;
  for (;;) {
    const t = nextTagWithin(fdt, offset, bounds);
    if (t.tag === FDT_BEGIN_NODE) {
      depth++;
      if (depth === 1 && (oldNames ? nodenameEq(fdt, offset, name) : leafNameIs(fdt, base + offset + 4, name, unitless))) return offset;
    } else if (t.tag === FDT_END_NODE) {
      if (--depth < 0) return E.NOTFOUND;
    } else if (t.tag === FDT_END) {
      return t.next >= 0 ? E.NOTFOUND : t.next;
    }
    offset = t.next;
  }
}

/** fdt_nodename_eq_() for a v16+ name at `abs` (NUL-terminated inside the block: nextTag checked it). */
function leafNameIs(fdt: Uint8Array, abs: number, s: Uint8Array, unitless: boolean): boolean {
  for (let i = 0; i < s.length; i++) if (fdt[abs + i] !== s[i]) return false;
  const next = fdt[abs + s.length];
  return next === 0 || (next === 0x40 /* @ */ && unitless);
}

/**
 * Direct child of `parent` called `name`. A name without '@' also matches a child "name@unit"
 * (the first one in document order).
 * @returns child offset, or
 *   -FDT_ERR_NOTFOUND   no such child
 *   -FDT_ERR_BADOFFSET  parent is not a node
 *   -FDT_ERR_BADMAGIC, -FDT_ERR_BADVERSION, -FDT_ERR_BADSTRUCTURE, -FDT_ERR_TRUNCATED  bad blob
 * @see libfdt fdt_ro.c fdt_subnode_offset_namelen()
 */
export function subnodeOffset(fdt: Uint8Array, parent: number, name: string): number | FdtErrno {
  return subnodeOffsetBytes(fdt, parent, strBytes(name));
}

/**
 * Value of alias `name` in /aliases (must be a NUL-terminated string starting with '/').
 * @returns the path, or null when missing or malformed
 * @see libfdt fdt_ro.c fdt_get_alias_namelen()
 */
export function getAlias(fdt: Uint8Array, name: string): string | null {
  const aliases = pathOffset(fdt, '/aliases');
  if (aliases < 0) return null;
  const v = getprop(fdt, aliases, name);
  if (typeof v === 'number' || v.length === 0 || v[v.length - 1] !== 0 || v[0] !== 0x2f) return null;
  return bytesToStr(v, 0, v.indexOf(0));
}

/**
 * Find a node by full path. A first component without a leading '/' is looked up in /aliases
 * ("serial0/child" → alias serial0, then child). Empty components ("//") are skipped; a component without
 * '@' matches "name@unit".
 * @returns node offset >= 0, or
 *   -FDT_ERR_BADPATH   empty path, or no leading '/' and the first component is not an alias
 *   -FDT_ERR_NOTFOUND  no such node
 *   -FDT_ERR_BADMAGIC, -FDT_ERR_BADVERSION, -FDT_ERR_BADSTRUCTURE, -FDT_ERR_TRUNCATED  bad blob
 * @see libfdt fdt_ro.c fdt_path_offset_namelen()
 */
export function pathOffset(fdt: Uint8Array, path: string): number | FdtErrno {
  const p0 = roProbe(fdt);
  if (p0 < 0) return p0;
  if (path.length === 0) return E.BADPATH;
  let offset = 0;
  let p = 0;
  const end = path.length;
  if (path[0] !== '/') {
    let q = path.indexOf('/');
    if (q < 0) q = end;
    const alias = getAlias(fdt, path.slice(0, q));
    if (alias === null) return E.BADPATH;
    offset = pathOffset(fdt, alias);
    p = q;
  }
  while (p < end) {
    while (path[p] === '/') {
      p++;
      if (p === end) return offset;
    }
    let q = path.indexOf('/', p);
    if (q < 0) q = end;
    offset = subnodeOffsetBytes(fdt, offset, strBytes(path.slice(p, q)));
    if (offset < 0) return offset;
    p = q;
  }
  return offset;
}

/**
 * First direct child of `node`.
 * @returns child offset, or -FDT_ERR_NOTFOUND (no children), -FDT_ERR_BADOFFSET, or a structure error
 * @see libfdt fdt.c fdt_first_subnode()
 */
export function firstSubnode(fdt: Uint8Array, node: number): number | FdtErrno {
  const d: Depth = { depth: 0 };
  const offset = nextNode(fdt, node, d);
  if (offset < 0 || d.depth !== 1) return E.NOTFOUND;
  return offset;
}

/**
 * Next sibling of `node`.
 * @returns sibling offset, or -FDT_ERR_NOTFOUND (last child), -FDT_ERR_BADOFFSET
 * @see libfdt fdt.c fdt_next_subnode()
 */
export function nextSubnode(fdt: Uint8Array, node: number): number | FdtErrno {
  const d: Depth = { depth: 1 };
  let offset = node;
  do {
    offset = nextNode(fdt, offset, d);
    if (offset < 0 || d.depth < 1) return E.NOTFOUND;
  } while (d.depth > 1);
  return offset;
}

/** Direct children of `node`, in blob order (stops at the first error). */
export function* subnodes(fdt: Uint8Array, node: number): Generator<number> {
  for (let o = firstSubnode(fdt, node); o >= 0; o = nextSubnode(fdt, o)) yield o;
}

/**
 * Visit every node in document order with its depth (root = 0). Return `false` from `cb` to stop.
 * @returns 0 when the walk finished (or was stopped), or a structure error
 */
export function walkNodes(fdt: Uint8Array, cb: (offset: number, depth: number) => boolean | void): 0 | FdtErrno {
  const p = roProbe(fdt);
  if (p < 0) return p;
  const d: Depth = { depth: -1 };
  for (let o = nextNode(fdt, -1, d); ; o = nextNode(fdt, o, d)) {
    if (o < 0) return o === E.NOTFOUND ? 0 : o;
    if (d.depth < 0) return 0;
    if (cb(o, d.depth) === false) return 0;
  }
}

/**
 * Path of the node at `node` ("/" for the root).
 * @returns the path, or -FDT_ERR_BADOFFSET (not a node), -FDT_ERR_BADSTRUCTURE, or a probe error
 * @see libfdt fdt_ro.c fdt_get_path()
 */
export function getPath(fdt: Uint8Array, node: number): string | FdtErrno {
  const p = roProbe(fdt);
  if (p < 0) return p;
  const names: string[] = [];
  const d: Depth = { depth: 0 };
  let offset = 0;
  for (; offset >= 0 && offset <= node; offset = nextNode(fdt, offset, d)) {
    names.length = Math.max(0, d.depth);
    const name = getName(fdt, offset);
    if (typeof name === 'number') return name;
    names.push(name);
    if (offset === node) return names.length === 1 ? '/' : names.join('/');
  }
  if (offset === E.NOTFOUND || offset >= 0) return E.BADOFFSET;
  if (offset === E.BADOFFSET) return E.BADSTRUCTURE;
  return offset;
}

/**
 * The ancestor of `node` at depth `superDepth` (0 = root), and the node's own depth.
 * @returns { offset, depth }, or -FDT_ERR_NOTFOUND (superDepth deeper than the node), -FDT_ERR_BADOFFSET,
 *   -FDT_ERR_BADSTRUCTURE
 * @see libfdt fdt_ro.c fdt_supernode_atdepth_offset()
 */
export function supernodeAtdepthOffset(fdt: Uint8Array, node: number, superDepth: number): { offset: number; depth: number } | FdtErrno {
  const p = roProbe(fdt);
  if (p < 0) return p;
  if (superDepth < 0) return E.NOTFOUND;
  let supernode: number = E.INTERNAL;
  const d: Depth = { depth: 0 };
  let offset = 0;
  for (; offset >= 0 && offset <= node; offset = nextNode(fdt, offset, d)) {
    if (d.depth === superDepth) supernode = offset;
    if (offset === node) {
      if (superDepth > d.depth) return E.NOTFOUND;
      return { offset: supernode, depth: d.depth };
    }
  }
  if (offset === E.NOTFOUND || offset >= 0) return E.BADOFFSET;
  if (offset === E.BADOFFSET) return E.BADSTRUCTURE;
  return offset;
}

/**
 * Depth of `node` (root = 0).
 * @returns depth >= 0, or -FDT_ERR_BADOFFSET, -FDT_ERR_BADSTRUCTURE
 * @see libfdt fdt_ro.c fdt_node_depth()
 */
export function nodeDepth(fdt: Uint8Array, node: number): number | FdtErrno {
  const r = supernodeAtdepthOffset(fdt, node, 0);
  return typeof r === 'number' ? r : r.depth;
}

/**
 * Parent of `node`.
 * @returns parent offset, or -FDT_ERR_NOTFOUND (the root), -FDT_ERR_BADOFFSET, -FDT_ERR_BADSTRUCTURE
 * @see libfdt fdt_ro.c fdt_parent_offset()
 */
export function parentOffset(fdt: Uint8Array, node: number): number | FdtErrno {
  const depth = nodeDepth(fdt, node);
  if (depth < 0) return depth;
  const r = supernodeAtdepthOffset(fdt, node, depth - 1);
  return typeof r === 'number' ? r : r.offset;
}

// ---- properties ----

// nextprop_(): skip NOPs to the next FDT_PROP of the same node
function nextprop(fdt: Uint8Array, offset: number): number | FdtErrno {
  let tag: number;
  do {
    const t = nextTag(fdt, offset);
    tag = t.tag;
    if (tag === FDT_END) return t.next >= 0 ? E.BADSTRUCTURE : t.next;
    if (tag === FDT_PROP) return offset;
    offset = t.next;
  } while (tag === FDT_NOP);
  return E.NOTFOUND;
}

/**
 * Offset of the first property of `node`.
 * @returns property offset, or -FDT_ERR_NOTFOUND (no properties), -FDT_ERR_BADOFFSET, -FDT_ERR_BADSTRUCTURE
 * @see libfdt fdt_ro.c fdt_first_property_offset()
 */
export function firstPropertyOffset(fdt: Uint8Array, node: number): number | FdtErrno {
  const offset = checkNodeOffset_(fdt, node);
  if (offset < 0) return offset;
  return nextprop(fdt, offset);
}

/**
 * Offset of the property after the one at `prop`.
 * @returns property offset, or -FDT_ERR_NOTFOUND (last one), -FDT_ERR_BADOFFSET, -FDT_ERR_BADSTRUCTURE
 * @see libfdt fdt_ro.c fdt_next_property_offset()
 */
export function nextPropertyOffset(fdt: Uint8Array, prop: number): number | FdtErrno {
  const offset = checkPropOffset_(fdt, prop);
  if (offset < 0) return offset;
  return nextprop(fdt, offset);
}

/** Location of a property: its structure offset, value length and absolute index of the value. */
export interface PropLocation { offset: number; len: number; dataAbs: number }

// Value of the property at a checked offset, with the v<16 8-byte realignment.
function propAt(fdt: Uint8Array, offset: number): PropLocation {
  const abs = offDtStruct(fdt) + offset;
  const len = ld32_(fdt, abs + 4);
  let dataAbs = abs + FDT_PROP_HEADER_SIZE;
  if (fdtVersion(fdt) < 0x10 && (offset + FDT_PROP_HEADER_SIZE) % 8 !== 0 && len >= 8) dataAbs += 4;
  return { offset, len, dataAbs };
}

/**
 * Find a property of `node` by name (internal form used by getprop and the write functions).
 * @returns the location, or -FDT_ERR_NOTFOUND, -FDT_ERR_BADOFFSET, -FDT_ERR_BADSTRUCTURE, a probe error
 * @see libfdt fdt_ro.c fdt_get_property_namelen_()
 */
export function findProperty_(fdt: Uint8Array, node: number, name: string): PropLocation | FdtErrno {
  const p = roProbe(fdt);
  if (p < 0) return p;
  const want = strBytes(name);
  let offset = firstPropertyOffset(fdt, node);
  for (; offset >= 0; offset = nextPropertyOffset(fdt, offset)) {
    const nameoff = ld32_(fdt, offDtStruct(fdt) + offset + 8);
    if (stringEq(fdt, nameoff, want)) return propAt(fdt, offset);
  }
  return offset;
}

/**
 * Value of property `name` of `node`, as a view into the blob (writes through it change the blob).
 * @returns the value bytes (possibly empty), or
 *   -FDT_ERR_NOTFOUND   node has no such property
 *   -FDT_ERR_BADOFFSET  node is not a node
 *   -FDT_ERR_BADMAGIC, -FDT_ERR_BADVERSION, -FDT_ERR_BADSTRUCTURE, -FDT_ERR_TRUNCATED  bad blob
 * @see libfdt fdt_ro.c fdt_getprop()
 */
export function getprop(fdt: Uint8Array, node: number, name: string): Uint8Array | FdtErrno {
  const r = findProperty_(fdt, node, name);
  return typeof r === 'number' ? r : fdt.subarray(r.dataAbs, r.dataAbs + r.len);
}

/**
 * Name and value of the property at `prop`.
 * @returns { name, value }, or -FDT_ERR_BADOFFSET (not a property / bad name offset), -FDT_ERR_TRUNCATED
 * @see libfdt fdt_ro.c fdt_getprop_by_offset()
 */
export function getpropByOffset(fdt: Uint8Array, prop: number): { name: string; value: Uint8Array } | FdtErrno {
  const p = roProbe(fdt);
  if (p < 0) return p;
  const next = checkPropOffset_(fdt, prop);
  if (next < 0) return next;
  const name = getString(fdt, ld32_(fdt, offDtStruct(fdt) + prop + 8));
  if (typeof name === 'number') return name;
  const at = propAt(fdt, prop);
  return { name, value: fdt.subarray(at.dataAbs, at.dataAbs + at.len) };
}

/** Properties of `node` in blob order (stops at the first error). */
export function* properties(fdt: Uint8Array, node: number): Generator<{ offset: number; name: string; value: Uint8Array }> {
  for (let o = firstPropertyOffset(fdt, node); o >= 0; o = nextPropertyOffset(fdt, o)) {
    const r = getpropByOffset(fdt, o);
    if (typeof r === 'number') return;
    yield { offset: o, ...r };
  }
}

// ---- convenience readers (not in libfdt; built on getprop) ----

/**
 * A one-cell property as an unsigned number.
 * @returns the value, -FDT_ERR_BADVALUE when the length is not 4, or a getprop() error
 */
export function getpropU32(fdt: Uint8Array, node: number, name: string): number | FdtErrno {
  const v = getprop(fdt, node, name);
  if (typeof v === 'number') return v;
  if (v.length !== 4) return E.BADVALUE;
  return ld32_(v, 0);
}

/**
 * The first string of a string(-list) property, as C code reading it with strcmp would see it.
 * @returns the string, -FDT_ERR_BADVALUE when not NUL-terminated, or a getprop() error
 */
export function getpropString(fdt: Uint8Array, node: number, name: string): string | FdtErrno {
  const v = getprop(fdt, node, name);
  if (typeof v === 'number') return v;
  const nul = v.indexOf(0);
  if (nul < 0) return E.BADVALUE;
  return bytesToStr(v, 0, nul);
}

// ---- string lists and compatible ----

/**
 * Whether `str` is one of the NUL-terminated strings in `list`.
 * @see libfdt fdt_ro.c fdt_stringlist_contains()
 */
export function stringlistContains(list: Uint8Array, str: string): boolean {
  const s = strBytes(str);
  let at = 0;
  while (list.length - at >= s.length) {
    if (at + s.length < list.length && list[at + s.length] === 0 && bytesEq(list, at, s)) return true;
    const nul = list.indexOf(0, at);
    if (nul < 0) return false;
    at = nul + 1;
  }
  return false;
}

/**
 * Split a string-list value into its strings. A missing final NUL keeps the trailing bytes as a last string
 * (libfdt's stringlist functions would return -FDT_ERR_BADVALUE; use stringlistCount for that).
 */
export function getStringList(value: Uint8Array): string[] {
  const out: string[] = [];
  let at = 0;
  while (at < value.length) {
    let nul = value.indexOf(0, at);
    if (nul < 0) nul = value.length;
    out.push(bytesToStr(value, at, nul));
    at = nul + 1;
  }
  return out;
}

/**
 * Number of strings in property `name` of `node`.
 * @returns count, or -FDT_ERR_BADVALUE (not NUL-terminated), or a getprop() error
 * @see libfdt fdt_ro.c fdt_stringlist_count()
 */
export function stringlistCount(fdt: Uint8Array, node: number, name: string): number | FdtErrno {
  const v = getprop(fdt, node, name);
  if (typeof v === 'number') return v;
  let count = 0;
  let at = 0;
  while (at < v.length) {
    const nul = v.indexOf(0, at);
    if (nul < 0) return E.BADVALUE;
    at = nul + 1;
    count++;
  }
  return count;
}

/**
 * Check whether `node`'s "compatible" list contains `compatible`.
 * @returns 0 when it does, 1 when it does not, or -FDT_ERR_NOTFOUND (no compatible) / a getprop() error
 * @see libfdt fdt_ro.c fdt_node_check_compatible()
 */
export function nodeCheckCompatible(fdt: Uint8Array, node: number, compatible: string): 0 | 1 | FdtErrno {
  const v = getprop(fdt, node, 'compatible');
  if (typeof v === 'number') return v;
  return stringlistContains(v, compatible) ? 0 : 1;
}

/**
 * First node after `start` (-1: search from the root, inclusive) whose compatible list contains `compatible`.
 * @returns node offset, or -FDT_ERR_NOTFOUND, or a structure error
 * @see libfdt fdt_ro.c fdt_node_offset_by_compatible()
 */
export function nodeOffsetByCompatible(fdt: Uint8Array, start: number, compatible: string): number | FdtErrno {
  const p = roProbe(fdt);
  if (p < 0) return p;
  let offset = nextNode(fdt, start);
  for (; offset >= 0; offset = nextNode(fdt, offset)) {
    const err = nodeCheckCompatible(fdt, offset, compatible);
    if (err < 0 && err !== E.NOTFOUND) return err;
    if (err === 0) return offset;
  }
  return offset;
}

// ---- phandles ----

/**
 * The node's phandle ("phandle", else "linux,phandle"); 0 when it has none or it is malformed.
 * @see libfdt fdt_ro.c fdt_get_phandle()
 */
export function getPhandle(fdt: Uint8Array, node: number): number {
  let v = getprop(fdt, node, 'phandle');
  if (typeof v === 'number' || v.length !== 4) {
    v = getprop(fdt, node, 'linux,phandle');
    if (typeof v === 'number' || v.length !== 4) return 0;
  }
  return ld32_(v, 0);
}

/**
 * The node with phandle `phandle`.
 * @returns node offset, or -FDT_ERR_BADPHANDLE (0 or 0xffffffff), -FDT_ERR_NOTFOUND, or a structure error
 * @see libfdt fdt_ro.c fdt_node_offset_by_phandle()
 */
export function nodeOffsetByPhandle(fdt: Uint8Array, phandle: number): number | FdtErrno {
  if (phandle === 0 || phandle === 0xffffffff) return E.BADPHANDLE;
  const p = roProbe(fdt);
  if (p < 0) return p;
  let offset = nextNode(fdt, -1);
  for (; offset >= 0; offset = nextNode(fdt, offset)) if (getPhandle(fdt, offset) === phandle) return offset;
  return offset;
}
