// Models dtc libfdt/fdt_rw.c (v1.7.x, same as U-Boot's scripts/dtc/libfdt): edits that may grow or shrink
// the blob, in place, inside its `totalsize`. Every insertion goes through splice(): it fails with
// -FDT_ERR_NOSPACE when the data (header … end of strings) would pass totalsize, and then nothing moved.
// Also models U-Boot boot/fdt_support.c fdt_shrink_to_minimum() (the `fdt resize` command).
import {
  FDT_BEGIN_NODE, FDT_END_NODE, FDT_HEADER_SIZE, FDT_MAGIC, FDT_NODE_HEADER_SIZE, FDT_NOP, FDT_PROP,
  FDT_PROP_HEADER_SIZE, FDT_RESERVE_ENTRY_SIZE, FDT_TAGSIZE, fdtTagAlign,
} from './constants.js';
import { E, type FdtErrno } from './errors.js';
import {
  bootCpuidPhys, checkNodeOffset_, fdtVersion, nextNode, nextTag, offDtStrings, offDtStruct, offMemRsvmap,
  roProbe, setBootCpuidPhys, setLastCompVersion, setMagic, setOffDtStrings, setOffDtStruct, setOffMemRsvmap,
  setSizeDtStrings, setSizeDtStruct, setTotalsize, setVersion, sizeDtStrings, sizeDtStruct, st32_, st64_,
  totalsize, type Depth,
} from './header.js';
import { findProperty_, getMemRsv, getName, numMemRsv, subnodeOffset } from './ro.js';
import { strBytes } from './strings.js';

const ALIGN8_HEADER = FDT_HEADER_SIZE + ((8 - (FDT_HEADER_SIZE % 8)) % 8);

// fdt_blocks_misordered_()
function blocksMisordered(fdt: Uint8Array, memRsvSize: number, structSize: number): boolean {
  return offMemRsvmap(fdt) < ALIGN8_HEADER
    || offDtStruct(fdt) < offMemRsvmap(fdt) + memRsvSize
    || offDtStrings(fdt) < offDtStruct(fdt) + structSize
    || totalsize(fdt) < offDtStrings(fdt) + sizeDtStrings(fdt);
}

/**
 * The check every write entry point makes (FDT_RW_PROBE). Side effect like libfdt: a version > 17 is set to 17.
 * @returns 0, or a roProbe() error, -FDT_ERR_BADVERSION (< 17), -FDT_ERR_BADLAYOUT (blocks not in canonical order)
 * @see libfdt fdt_rw.c fdt_rw_probe_()
 */
export function rwProbe(fdt: Uint8Array): 0 | FdtErrno {
  const p = roProbe(fdt);
  if (p < 0) return p;
  if (fdtVersion(fdt) < 17) return E.BADVERSION;
  if (blocksMisordered(fdt, FDT_RESERVE_ENTRY_SIZE, sizeDtStruct(fdt))) return E.BADLAYOUT;
  if (fdtVersion(fdt) > 17) setVersion(fdt, 17);
  return 0;
}

/** Bytes in use: header, memory map, structure and strings (fdt_data_size_()). */
export const dataSize = (fdt: Uint8Array): number => offDtStrings(fdt) + sizeDtStrings(fdt);

/** Free bytes between the end of the strings block and totalsize (what the next insertion may use). */
export const freeSpace = (fdt: Uint8Array): number => totalsize(fdt) - dataSize(fdt);

// fdt_splice_(): replace `oldlen` bytes at absolute index `at` by `newlen` bytes, moving the rest of the data.
// The new bytes keep whatever was there before (libfdt does not clear them).
function splice(fdt: Uint8Array, at: number, oldlen: number, newlen: number): 0 | FdtErrno {
  const dsize = dataSize(fdt);
  if (oldlen < 0 || at < 0 || at + oldlen > dsize) return E.BADOFFSET;
  if (dsize + newlen < oldlen) return E.BADOFFSET;
  if (dsize - oldlen + newlen > totalsize(fdt)) return E.NOSPACE;
  fdt.copyWithin(at + newlen, at + oldlen, dsize);
  return 0;
}

// fdt_splice_mem_rsv_()
function spliceMemRsv(fdt: Uint8Array, at: number, oldn: number, newn: number): 0 | FdtErrno {
  const delta = (newn - oldn) * FDT_RESERVE_ENTRY_SIZE;
  const err = splice(fdt, at, oldn * FDT_RESERVE_ENTRY_SIZE, newn * FDT_RESERVE_ENTRY_SIZE);
  if (err) return err;
  setOffDtStruct(fdt, offDtStruct(fdt) + delta);
  setOffDtStrings(fdt, offDtStrings(fdt) + delta);
  return 0;
}

// fdt_splice_struct_(): `offset` is a structure-block offset
function spliceStruct(fdt: Uint8Array, offset: number, oldlen: number, newlen: number): 0 | FdtErrno {
  const delta = newlen - oldlen;
  const err = splice(fdt, offDtStruct(fdt) + offset, oldlen, newlen);
  if (err) return err;
  setSizeDtStruct(fdt, sizeDtStruct(fdt) + delta);
  setOffDtStrings(fdt, offDtStrings(fdt) + delta);
  return 0;
}

/**
 * Offset of the first place in the strings block where `s` + NUL occurs, including inside a longer string
 * ("cells" is found in "#address-cells"); -1 when absent.
 * @see libfdt fdt.c fdt_find_string_len_()
 */
export function findString(fdt: Uint8Array, s: string): number {
  return findStringBytes(fdt, strBytes(s));
}

function findStringBytes(fdt: Uint8Array, s: Uint8Array): number {
  const base = offDtStrings(fdt);
  const last = sizeDtStrings(fdt) - s.length - 1;
  outer: for (let i = 0; i <= last; i++) {
    for (let j = 0; j < s.length; j++) if (fdt[base + i + j] !== s[j]) continue outer;
    if (fdt[base + i + s.length] === 0) return i;
  }
  return -1;
}

// fdt_find_add_string_(): the string's offset, appending it to the strings block when absent
function findAddString(fdt: Uint8Array, s: Uint8Array): { off: number; allocated: boolean } | FdtErrno {
  const found = findStringBytes(fdt, s);
  if (found >= 0) return { off: found, allocated: false };
  const at = dataSize(fdt);
  const err = splice(fdt, at, 0, s.length + 1);
  if (err) return err;
  setSizeDtStrings(fdt, sizeDtStrings(fdt) + s.length + 1);
  fdt.set(s, at);
  fdt[at + s.length] = 0;
  return { off: at - offDtStrings(fdt), allocated: true };
}

// fdt_add_property_(): insert an empty-valued property header first in the node. Returns the property offset.
function addProperty(fdt: Uint8Array, node: number, name: Uint8Array, len: number): number | FdtErrno {
  const next = checkNodeOffset_(fdt, node);
  if (next < 0) return next;
  const str = findAddString(fdt, name);
  if (typeof str === 'number') return str;
  const err = spliceStruct(fdt, next, 0, FDT_PROP_HEADER_SIZE + fdtTagAlign(len));
  if (err) {
    // Roll back the string we appended; like libfdt its bytes stay in the free space.
    if (str.allocated) setSizeDtStrings(fdt, sizeDtStrings(fdt) - (name.length + 1));
    return err;
  }
  const abs = offDtStruct(fdt) + next;
  st32_(fdt, abs, FDT_PROP);
  st32_(fdt, abs + 4, len);
  st32_(fdt, abs + 8, str.off);
  return next;
}

/**
 * Make room for a `len`-byte value of property `name` (created first in the node if absent, else resized in
 * place) and return the absolute index of its value bytes, which keep stale contents until written.
 * @returns absolute value index, or
 *   -FDT_ERR_NOSPACE    not enough free space (nothing changed)
 *   -FDT_ERR_BADOFFSET  node is not a node
 *   -FDT_ERR_BADLAYOUT, -FDT_ERR_BADVERSION, -FDT_ERR_BADMAGIC, -FDT_ERR_BADSTRUCTURE, -FDT_ERR_TRUNCATED
 * @see libfdt fdt_rw.c fdt_setprop_placeholder()
 */
export function setpropPlaceholder(fdt: Uint8Array, node: number, name: string, len: number): number | FdtErrno {
  const p = rwProbe(fdt);
  if (p < 0) return p;
  const found = findProperty_(fdt, node, name);
  if (typeof found !== 'number') {
    const err = spliceStruct(fdt, found.offset + FDT_PROP_HEADER_SIZE, fdtTagAlign(found.len), fdtTagAlign(len));
    if (err) return err;
    st32_(fdt, offDtStruct(fdt) + found.offset + 4, len);
    return offDtStruct(fdt) + found.offset + FDT_PROP_HEADER_SIZE;
  }
  if (found !== E.NOTFOUND) return found;
  const off = addProperty(fdt, node, strBytes(name), len);
  return off < 0 ? off : offDtStruct(fdt) + off + FDT_PROP_HEADER_SIZE;
}

/**
 * Create or replace property `name` of `node`. A new property goes first in the node; its name is added to
 * the strings block unless already present (also as a suffix of a longer name).
 * Cost: new = 12 + align4(len) (+ strlen(name)+1 for a new string); replace = align4(len) − align4(oldlen).
 * @returns 0, or
 *   -FDT_ERR_NOSPACE    not enough free space (nothing changed in the data; see addProperty rollback)
 *   -FDT_ERR_BADOFFSET  node is not a node
 *   -FDT_ERR_BADLAYOUT, -FDT_ERR_BADVERSION, -FDT_ERR_BADMAGIC, -FDT_ERR_BADSTRUCTURE, -FDT_ERR_TRUNCATED
 * @see libfdt fdt_rw.c fdt_setprop()
 */
export function setprop(fdt: Uint8Array, node: number, name: string, value: Uint8Array): 0 | FdtErrno {
  // Copy first: `value` may be a view into this blob that the splice moves.
  const v = value.slice();
  const at = setpropPlaceholder(fdt, node, name, v.length);
  if (at < 0) return at;
  fdt.set(v, at);
  return 0;
}

/** setprop() with one big-endian u32 cell (fdt_setprop_u32()). Same returns as setprop(). */
export function setpropU32(fdt: Uint8Array, node: number, name: string, value: number): 0 | FdtErrno {
  const b = new Uint8Array(4);
  st32_(b, 0, value);
  return setprop(fdt, node, name, b);
}

/** setprop() with a big-endian u64 (fdt_setprop_u64()). Same returns as setprop(). */
export function setpropU64(fdt: Uint8Array, node: number, name: string, value: number): 0 | FdtErrno {
  const b = new Uint8Array(8);
  st64_(b, 0, value);
  return setprop(fdt, node, name, b);
}

/** setprop() with big-endian u32 cells. Same returns as setprop(). */
export function setpropCells(fdt: Uint8Array, node: number, name: string, cells: readonly number[]): 0 | FdtErrno {
  const b = new Uint8Array(cells.length * 4);
  cells.forEach((c, i) => st32_(b, i * 4, c));
  return setprop(fdt, node, name, b);
}

/** setprop() with NUL-terminated strings (one string = fdt_setprop_string()). Same returns as setprop(). */
export function setpropString(fdt: Uint8Array, node: number, name: string, ...strings: string[]): 0 | FdtErrno {
  return setprop(fdt, node, name, stringListBytes(strings));
}

/** Concatenated NUL-terminated strings: the encoding of a string list. */
export function stringListBytes(strings: readonly string[]): Uint8Array {
  const parts = strings.map(strBytes);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length + 1, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length + 1; }
  return out;
}

/**
 * Append `value` to property `name` (creating it first in the node when absent).
 * @returns 0, or the same errors as setprop()
 * @see libfdt fdt_rw.c fdt_appendprop()
 */
export function appendprop(fdt: Uint8Array, node: number, name: string, value: Uint8Array): 0 | FdtErrno {
  const p = rwProbe(fdt);
  if (p < 0) return p;
  const v = value.slice();
  const found = findProperty_(fdt, node, name);
  if (typeof found !== 'number') {
    const newlen = found.len + v.length;
    const err = spliceStruct(fdt, found.offset + FDT_PROP_HEADER_SIZE, fdtTagAlign(found.len), fdtTagAlign(newlen));
    if (err) return err;
    const abs = offDtStruct(fdt) + found.offset;
    st32_(fdt, abs + 4, newlen);
    fdt.set(v, abs + FDT_PROP_HEADER_SIZE + found.len);
    return 0;
  }
  const off = addProperty(fdt, node, strBytes(name), v.length);
  if (off < 0) return off;
  fdt.set(v, offDtStruct(fdt) + off + FDT_PROP_HEADER_SIZE);
  return 0;
}

/**
 * Delete property `name` of `node` (its name stays in the strings block).
 * @returns 0, or -FDT_ERR_NOTFOUND, -FDT_ERR_BADOFFSET, or a probe error
 * @see libfdt fdt_rw.c fdt_delprop()
 */
export function delprop(fdt: Uint8Array, node: number, name: string): 0 | FdtErrno {
  const p = rwProbe(fdt);
  if (p < 0) return p;
  const found = findProperty_(fdt, node, name);
  if (typeof found === 'number') return found;
  return spliceStruct(fdt, found.offset, FDT_PROP_HEADER_SIZE + fdtTagAlign(found.len), 0);
}

/**
 * Add child `name` to `parent`, placed after the parent's properties and BEFORE its existing children
 * (so repeated adds end up in reverse order). Cost: 8 + align4(strlen(name)+1) bytes. The name is not
 * validated. A name without '@' that matches an existing "name@unit" counts as existing.
 * @returns offset of the new node, or
 *   -FDT_ERR_EXISTS     parent already has such a child
 *   -FDT_ERR_NOSPACE    not enough free space (nothing changed)
 *   -FDT_ERR_BADOFFSET  parent is not a node
 *   -FDT_ERR_BADLAYOUT, -FDT_ERR_BADVERSION, -FDT_ERR_BADMAGIC, -FDT_ERR_BADSTRUCTURE, -FDT_ERR_TRUNCATED
 * @see libfdt fdt_rw.c fdt_add_subnode_namelen()
 */
export function addSubnode(fdt: Uint8Array, parent: number, name: string): number | FdtErrno {
  const p = rwProbe(fdt);
  if (p < 0) return p;
  const existing = subnodeOffset(fdt, parent, name);
  if (existing >= 0) return E.EXISTS;
  if (existing !== E.NOTFOUND) return existing;
  let t = nextTag(fdt, parent);
  if (t.tag !== FDT_BEGIN_NODE) return E.INTERNAL;
  let offset: number;
  do {
    offset = t.next;
    t = nextTag(fdt, offset);
  } while (t.tag === FDT_PROP || t.tag === FDT_NOP);
  const nameBytes = strBytes(name);
  const nameLen = fdtTagAlign(nameBytes.length + 1);
  const nodelen = FDT_NODE_HEADER_SIZE + nameLen + FDT_TAGSIZE;
  const err = spliceStruct(fdt, offset, 0, nodelen);
  if (err) return err;
  const abs = offDtStruct(fdt) + offset;
  st32_(fdt, abs, FDT_BEGIN_NODE);
  fdt.fill(0, abs + 4, abs + 4 + nameLen);
  fdt.set(nameBytes, abs + 4);
  st32_(fdt, abs + nodelen - FDT_TAGSIZE, FDT_END_NODE);
  return offset;
}

/**
 * Offset just past the FDT_END_NODE of `node` (fdt_node_end_offset_()).
 * @returns offset, or -FDT_ERR_BADOFFSET / a structure error
 */
export function nodeEndOffset(fdt: Uint8Array, node: number): number | FdtErrno {
  const d: Depth = { depth: 0 };
  let offset = node;
  while (offset >= 0 && d.depth >= 0) offset = nextNode(fdt, offset, d);
  return offset;
}

/**
 * Delete `node` and its whole subtree.
 * @returns 0, or -FDT_ERR_BADOFFSET, -FDT_ERR_BADSTRUCTURE, or a probe error
 * @see libfdt fdt_rw.c fdt_del_node()
 */
export function delNode(fdt: Uint8Array, node: number): 0 | FdtErrno {
  const p = rwProbe(fdt);
  if (p < 0) return p;
  const end = nodeEndOffset(fdt, node);
  if (end < 0) return end;
  return spliceStruct(fdt, node, end - node, 0);
}

/**
 * Rename `node` (the struct block grows or shrinks by the aligned name difference).
 * @returns 0, or -FDT_ERR_NOSPACE, -FDT_ERR_BADOFFSET, or a probe error
 * @see libfdt fdt_rw.c fdt_set_name()
 */
export function setName(fdt: Uint8Array, node: number, name: string): 0 | FdtErrno {
  const p = rwProbe(fdt);
  if (p < 0) return p;
  const old = getName(fdt, node);
  if (typeof old === 'number') return old;
  const nameBytes = strBytes(name);
  const oldLen = strBytes(old).length;
  const err = spliceStruct(fdt, node + 4, fdtTagAlign(oldLen + 1), fdtTagAlign(nameBytes.length + 1));
  if (err) return err;
  const abs = offDtStruct(fdt) + node + 4;
  fdt.set(nameBytes, abs);
  fdt[abs + nameBytes.length] = 0;
  return 0;
}

/**
 * Append a memory-reservation entry (before the terminator); the other blocks move up 16 bytes.
 * @returns 0, or -FDT_ERR_NOSPACE, -FDT_ERR_TRUNCATED (no terminator), or a probe error
 * @see libfdt fdt_rw.c fdt_add_mem_rsv()
 */
export function addMemRsv(fdt: Uint8Array, address: number, size: number): 0 | FdtErrno {
  const p = rwProbe(fdt);
  if (p < 0) return p;
  const n = numMemRsv(fdt);
  if (n < 0) return n;
  const at = offMemRsvmap(fdt) + n * FDT_RESERVE_ENTRY_SIZE;
  const err = spliceMemRsv(fdt, at, 0, 1);
  if (err) return err;
  st64_(fdt, at, address);
  st64_(fdt, at + 8, size);
  return 0;
}

/**
 * Delete memory-reservation entry `n`.
 * @returns 0, or -FDT_ERR_NOTFOUND (n >= count), -FDT_ERR_TRUNCATED, or a probe error
 * @see libfdt fdt_rw.c fdt_del_mem_rsv()
 */
export function delMemRsv(fdt: Uint8Array, n: number): 0 | FdtErrno {
  const p = rwProbe(fdt);
  if (p < 0) return p;
  const num = numMemRsv(fdt);
  if (num < 0) return num;
  if (n < 0 || n >= num) return E.NOTFOUND;
  return spliceMemRsv(fdt, offMemRsvmap(fdt) + n * FDT_RESERVE_ENTRY_SIZE, 1, 0);
}

// memmove between two views that may share an ArrayBuffer (TypedArray.set handles the overlap).
function memmove(dst: Uint8Array, dstAt: number, src: Uint8Array, srcAt: number, len: number): void {
  dst.set(src.subarray(srcAt, srcAt + len), dstAt);
}

// fdt_packblocks_(): lay memrsv, struct and strings out contiguously after the header, in `to`
function packBlocks(from: Uint8Array, to: Uint8Array, memRsvSize: number, structSize: number, stringsSize: number): void {
  const memRsvOff = ALIGN8_HEADER;
  const structOff = memRsvOff + memRsvSize;
  const stringsOff = structOff + structSize;
  const oldMem = offMemRsvmap(from);
  const oldStruct = offDtStruct(from);
  const oldStrings = offDtStrings(from);
  memmove(to, memRsvOff, from, oldMem, memRsvSize);
  setOffMemRsvmap(to, memRsvOff);
  memmove(to, structOff, from, oldStruct, structSize);
  setOffDtStruct(to, structOff);
  setSizeDtStruct(to, structSize);
  memmove(to, stringsOff, from, oldStrings, stringsSize);
  setOffDtStrings(to, stringsOff);
  setSizeDtStrings(to, stringsSize);
}

/**
 * Copy the blob into `buf` (which may be, or overlap, the same memory) and make it `bufsize` bytes long
 * (totalsize = bufsize, version 17). An already canonical blob is moved whole; otherwise its blocks are
 * re-packed in canonical order. `buf` must be at least `bufsize` bytes.
 * @returns 0, or
 *   -FDT_ERR_NOSPACE     bufsize smaller than the old totalsize (canonical blob) or than the packed data
 *   -FDT_ERR_BADVERSION  version < 16
 *   -FDT_ERR_TRUNCATED, -FDT_ERR_BADMAGIC, -FDT_ERR_BADSTRUCTURE  bad blob
 * @see libfdt fdt_rw.c fdt_open_into(), fdt.c fdt_move()
 */
export function openInto(fdt: Uint8Array, buf: Uint8Array, bufsize: number): 0 | FdtErrno {
  const p = roProbe(fdt);
  if (p < 0) return p;
  if (buf.byteLength < bufsize) return E.NOSPACE;
  const n = numMemRsv(fdt);
  if (n < 0) return n;
  const memRsvSize = (n + 1) * FDT_RESERVE_ENTRY_SIZE;
  let structSize: number;
  if (fdtVersion(fdt) >= 17) {
    structSize = sizeDtStruct(fdt);
  } else if (fdtVersion(fdt) === 16) {
    // v16 has no size_dt_struct: walk to FDT_END.
    structSize = 0;
    for (;;) {
      const t = nextTag(fdt, structSize);
      structSize = t.next;
      if (t.tag === 0x9 /* FDT_END */) break;
    }
    if (structSize < 0) return structSize;
  } else {
    return E.BADVERSION;
  }
  const oldTotal = totalsize(fdt);
  if (!blocksMisordered(fdt, memRsvSize, structSize)) {
    // fdt_move()
    if (oldTotal > bufsize) return E.NOSPACE;
    memmove(buf, 0, fdt, 0, oldTotal);
    setVersion(buf, 17);
    setSizeDtStruct(buf, structSize);
    setTotalsize(buf, bufsize);
    return 0;
  }
  const newsize = ALIGN8_HEADER + memRsvSize + structSize + sizeDtStrings(fdt);
  if (bufsize < newsize) return E.NOSPACE;
  // Build at the start of buf, or right after the old blob when that would overlap it (as libfdt does).
  let tmpAt = 0;
  const sameMemory = buf.buffer === fdt.buffer;
  const fdtStart = fdt.byteOffset - buf.byteOffset; // old blob position relative to buf
  if (sameMemory && newsize > fdtStart && 0 < fdtStart + oldTotal) {
    tmpAt = fdtStart + oldTotal;
    if (tmpAt + newsize > bufsize) return E.NOSPACE;
  }
  const boot = bootCpuidPhys(fdt);
  const stringsSize = sizeDtStrings(fdt);
  if (tmpAt === 0) {
    packBlocks(fdt, buf, memRsvSize, structSize, stringsSize);
  } else {
    const tmp = buf.subarray(tmpAt, tmpAt + newsize);
    packBlocks(fdt, tmp, memRsvSize, structSize, stringsSize);
    memmove(buf, 0, tmp, 0, newsize);
  }
  setMagic(buf, FDT_MAGIC);
  setTotalsize(buf, bufsize);
  setVersion(buf, 17);
  setLastCompVersion(buf, 16);
  setBootCpuidPhys(buf, boot);
  return 0;
}

/**
 * Remove all free space: blocks packed in canonical order, totalsize = end of strings.
 * @returns 0, or a probe error (-FDT_ERR_BADLAYOUT / -FDT_ERR_BADVERSION / …)
 * @see libfdt fdt_rw.c fdt_pack()
 */
export function pack(fdt: Uint8Array): 0 | FdtErrno {
  const p = rwProbe(fdt);
  if (p < 0) return p;
  const n = numMemRsv(fdt);
  if (n < 0) return n;
  packBlocks(fdt, fdt, (n + 1) * FDT_RESERVE_ENTRY_SIZE, sizeDtStruct(fdt), sizeDtStrings(fdt));
  setTotalsize(fdt, dataSize(fdt));
  return 0;
}

/**
 * U-Boot `fdt resize [EXTRA]`: drop the memory reservation whose address is the blob's own address, set
 *   totalsize = ALIGN(off_dt_strings + size_dt_strings + 5*16 + extra + (blobAddr % 4096), 4096) − (blobAddr % 4096)
 * (so the blob ends on a 4 KiB boundary; this may also shrink it), and re-add that reservation with the new
 * size. Nothing is moved or validated; the bytes up to the new end must be writable. `fdt` must be a view of
 * at least the new totalsize when a reservation is re-added.
 * @returns the new totalsize, or a negative error from re-adding the reservation
 * @see u-boot boot/fdt_support.c fdt_shrink_to_minimum()
 */
export function shrinkToMinimum(fdt: Uint8Array, blobAddr: number, extra: number): number | FdtErrno {
  let hadRsv = false;
  const total = numMemRsv(fdt);
  for (let i = 0; i < total; i++) {
    const r = getMemRsv(fdt, i);
    if (typeof r !== 'number' && r.address === blobAddr) {
      delMemRsv(fdt, i);
      hadRsv = true;
      break;
    }
  }
  const actual = shrinkToMinimumSize(offDtStrings(fdt) + sizeDtStrings(fdt), blobAddr, extra);
  setTotalsize(fdt, actual);
  if (hadRsv) {
    const err = addMemRsv(fdt, blobAddr, actual);
    if (err < 0) return err;
  }
  return actual;
}

/**
 * The totalsize fdt_shrink_to_minimum() computes for a blob whose data ends at `dataEnd`
 * (off_dt_strings + size_dt_strings, after any own-address reservation was removed).
 */
export function shrinkToMinimumSize(dataEnd: number, blobAddr: number, extra: number): number {
  const pageOff = blobAddr % 0x1000;
  const want = dataEnd + 5 * FDT_RESERVE_ENTRY_SIZE + extra + pageOff;
  return (want + 0xfff) - ((want + 0xfff) % 0x1000) - pageOff;
}

// ---- byte accounting for planners ----

/** Bytes fdt_add_subnode() needs for a child called `name`: 8 + align4(strlen(name) + 1). */
export function costOfNode(name: string): number {
  return FDT_NODE_HEADER_SIZE + fdtTagAlign(strBytes(name).length + 1) + FDT_TAGSIZE;
}

/**
 * Bytes fdt_setprop() needs to ADD a property `name` with a `len`-byte value to blob `fdt` (null: an empty
 * strings block): 12 + align4(len), plus strlen(name) + 1 unless `name` already occurs in the strings block
 * (also as a suffix of a longer string). For a property that already exists use costOfSetprop().
 */
export function costOfProp(fdt: Uint8Array | null, name: string, len: number): number {
  const strCost = fdt && findString(fdt, name) >= 0 ? 0 : strBytes(name).length + 1;
  return FDT_PROP_HEADER_SIZE + fdtTagAlign(len) + strCost;
}

/**
 * Bytes fdt_setprop(fdt, node, name, len bytes) would take from the free space (`bytes` < 0: it frees some).
 * @returns { bytes }, or an error from looking up the node/property (other than NOTFOUND)
 */
export function costOfSetprop(fdt: Uint8Array, node: number, name: string, len: number): { bytes: number } | FdtErrno {
  const found = findProperty_(fdt, node, name);
  if (typeof found !== 'number') return { bytes: fdtTagAlign(len) - fdtTagAlign(found.len) };
  if (found !== E.NOTFOUND) return found;
  return { bytes: costOfProp(fdt, name, len) };
}
