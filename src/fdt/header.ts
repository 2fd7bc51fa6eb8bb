// Models dtc libfdt/fdt.c: header accessors, fdt_ro_probe_(), fdt_check_header(), fdt_offset_ptr(),
// fdt_next_tag(), fdt_check_node_offset_(), fdt_check_prop_offset_(), fdt_next_node() (dtc v1.7.x).
// Every function works on a view `fdt` whose first byte is the blob's first byte.
import {
  FDT_BEGIN_NODE, FDT_END, FDT_END_NODE, FDT_FIRST_SUPPORTED_VERSION, FDT_HDR, FDT_INT_MAX,
  FDT_LAST_SUPPORTED_VERSION, FDT_MAGIC, FDT_NOP, FDT_PROP, FDT_TAGSIZE, FDT_V1_SIZE, FDT_V2_SIZE,
  FDT_V3_SIZE, FDT_V17_SIZE, fdtTagAlign,
} from './constants.js';
import { E, type FdtErrno } from './errors.js';

// ---- raw big-endian access (internal; callers bound-check first) ----

/** Big-endian u32 at byte `off` of `b` (internal: the caller has checked bounds). */
export function ld32_(b: Uint8Array, off: number): number {
  return b[off]! * 0x1000000 + b[off + 1]! * 0x10000 + b[off + 2]! * 0x100 + b[off + 3]!;
}
/** Store a big-endian u32 (internal). */
export function st32_(b: Uint8Array, off: number, v: number): void {
  const u = v >>> 0;
  b[off] = u >>> 24; b[off + 1] = (u >>> 16) & 0xff; b[off + 2] = (u >>> 8) & 0xff; b[off + 3] = u & 0xff;
}
/** Big-endian u64 as a number (exact below 2^53) (internal). */
export function ld64_(b: Uint8Array, off: number): number {
  return ld32_(b, off) * 0x1_0000_0000 + ld32_(b, off + 4);
}
/** Store a big-endian u64 from a non-negative number (internal). */
export function st64_(b: Uint8Array, off: number, v: number): void {
  st32_(b, off, Math.floor(v / 0x1_0000_0000) % 0x1_0000_0000);
  st32_(b, off + 4, v % 0x1_0000_0000);
}

// ---- header getters / setters (fdt_magic() … fdt_size_dt_struct(), fdt_set_*) ----

// Plain functions with the offset inlined: they run on every libfdt call, and a short-lived CLI
// runs them mostly in V8's interpreter, where a closure and a table lookup per call add up.
export const fdtMagic = (fdt: Uint8Array): number => ld32_(fdt, FDT_HDR.magic);
export const totalsize = (fdt: Uint8Array): number => ld32_(fdt, FDT_HDR.totalsize);
export const offDtStruct = (fdt: Uint8Array): number => ld32_(fdt, FDT_HDR.offDtStruct);
export const offDtStrings = (fdt: Uint8Array): number => ld32_(fdt, FDT_HDR.offDtStrings);
export const offMemRsvmap = (fdt: Uint8Array): number => ld32_(fdt, FDT_HDR.offMemRsvmap);
export const fdtVersion = (fdt: Uint8Array): number => ld32_(fdt, FDT_HDR.version);
export const lastCompVersion = (fdt: Uint8Array): number => ld32_(fdt, FDT_HDR.lastCompVersion);
export const bootCpuidPhys = (fdt: Uint8Array): number => ld32_(fdt, FDT_HDR.bootCpuidPhys);
export const sizeDtStrings = (fdt: Uint8Array): number => ld32_(fdt, FDT_HDR.sizeDtStrings);
export const sizeDtStruct = (fdt: Uint8Array): number => ld32_(fdt, FDT_HDR.sizeDtStruct);

export const setMagic = (fdt: Uint8Array, v: number): void => st32_(fdt, FDT_HDR.magic, v);
export const setTotalsize = (fdt: Uint8Array, v: number): void => st32_(fdt, FDT_HDR.totalsize, v);
export const setOffDtStruct = (fdt: Uint8Array, v: number): void => st32_(fdt, FDT_HDR.offDtStruct, v);
export const setOffDtStrings = (fdt: Uint8Array, v: number): void => st32_(fdt, FDT_HDR.offDtStrings, v);
export const setOffMemRsvmap = (fdt: Uint8Array, v: number): void => st32_(fdt, FDT_HDR.offMemRsvmap, v);
export const setVersion = (fdt: Uint8Array, v: number): void => st32_(fdt, FDT_HDR.version, v);
export const setLastCompVersion = (fdt: Uint8Array, v: number): void => st32_(fdt, FDT_HDR.lastCompVersion, v);
export const setBootCpuidPhys = (fdt: Uint8Array, v: number): void => st32_(fdt, FDT_HDR.bootCpuidPhys, v);
export const setSizeDtStrings = (fdt: Uint8Array, v: number): void => st32_(fdt, FDT_HDR.sizeDtStrings, v);
export const setSizeDtStruct = (fdt: Uint8Array, v: number): void => st32_(fdt, FDT_HDR.sizeDtStruct, v);

/** fdt_header_size_(): the header length a given version has. */
export function headerSizeForVersion(version: number): number {
  if (version <= 1) return FDT_V1_SIZE;
  if (version <= 2) return FDT_V2_SIZE;
  if (version <= 16) return FDT_V3_SIZE;
  return FDT_V17_SIZE;
}

/**
 * fdt_ro_probe_(): the cheap check every read entry point makes.
 * Deviation from C, for memory safety: a `totalsize` beyond the view is TRUNCATED (C would read past the buffer).
 * @returns totalsize (> 0), or -FDT_ERR_TRUNCATED, -FDT_ERR_BADMAGIC, -FDT_ERR_BADVERSION
 * @see libfdt fdt.c fdt_ro_probe_()
 */
export function roProbe(fdt: Uint8Array): number | FdtErrno {
  if (fdt.byteLength < 4) return E.TRUNCATED;
  if (fdtMagic(fdt) !== FDT_MAGIC) return E.BADMAGIC;
  if (fdt.byteLength < FDT_V1_SIZE) return E.TRUNCATED;
  if (fdtVersion(fdt) < FDT_FIRST_SUPPORTED_VERSION) return E.BADVERSION;
  if (lastCompVersion(fdt) > FDT_LAST_SUPPORTED_VERSION) return E.BADVERSION;
  const size = totalsize(fdt);
  if (size >= FDT_INT_MAX) return E.TRUNCATED;
  // Not in C: the header fields this version has must be inside the view before anyone reads them.
  if (fdt.byteLength < headerSizeForVersion(fdtVersion(fdt))) return E.TRUNCATED;
  if (size > fdt.byteLength) return E.TRUNCATED;
  return size;
}

// check_off_() / check_block_() of fdt.c
const checkOff = (hdrsize: number, total: number, off: number): boolean => off >= hdrsize && off <= total;
const checkBlock = (hdrsize: number, total: number, base: number, size: number): boolean =>
  checkOff(hdrsize, total, base) && base + size <= 0xffffffff && checkOff(hdrsize, total, base + size);

/**
 * Full header sanity check, as `fdt addr` runs it (fdt_check_header()): magic, version range,
 * `version >= last_comp_version`, totalsize within [header size, INT_MAX] and within the view,
 * and every block inside totalsize (with overflow checks).
 * The 8-byte alignment check of libfdt >= 1.7.1 (U-Boot >= v2026.04) runs only when `requireAlign8` is set;
 * it tests `address` (the blob's simulated RAM address), or the view's byteOffset when no address is given.
 * @returns 0, or
 *   -FDT_ERR_ALIGNMENT   (only with requireAlign8) address not a multiple of 8
 *   -FDT_ERR_BADMAGIC    no 0xd00dfeed at offset 0
 *   -FDT_ERR_BADVERSION  version < 2, last_comp_version > 17, or version < last_comp_version
 *   -FDT_ERR_TRUNCATED   totalsize or a block out of bounds (or the view is shorter than totalsize)
 * @see libfdt fdt.c fdt_check_header()
 */
export function checkHeader(fdt: Uint8Array, requireAlign8 = false, address?: number): 0 | FdtErrno {
  if (requireAlign8 && (address ?? fdt.byteOffset) % 8 !== 0) return E.ALIGNMENT;
  if (fdt.byteLength < 4) return E.TRUNCATED;
  if (fdtMagic(fdt) !== FDT_MAGIC) return E.BADMAGIC;
  if (fdt.byteLength < FDT_V1_SIZE) return E.TRUNCATED;
  const version = fdtVersion(fdt);
  if (version < FDT_FIRST_SUPPORTED_VERSION || lastCompVersion(fdt) > FDT_LAST_SUPPORTED_VERSION) return E.BADVERSION;
  if (version < lastCompVersion(fdt)) return E.BADVERSION;
  const hdrsize = headerSizeForVersion(version);
  const total = totalsize(fdt);
  if (total < hdrsize || total > FDT_INT_MAX) return E.TRUNCATED;
  // Not in C (it trusts the buffer): a view shorter than the header or than totalsize cannot be read.
  if (fdt.byteLength < hdrsize || fdt.byteLength < total) return E.TRUNCATED;
  if (!checkOff(hdrsize, total, offMemRsvmap(fdt))) return E.TRUNCATED;
  if (version < 17) {
    if (!checkOff(hdrsize, total, offDtStruct(fdt))) return E.TRUNCATED;
  } else if (!checkBlock(hdrsize, total, offDtStruct(fdt), sizeDtStruct(fdt))) {
    return E.TRUNCATED;
  }
  // size_dt_strings exists from version 3 on; libfdt reads it regardless (zero-filled v2 headers).
  if (!checkBlock(hdrsize, total, offDtStrings(fdt), version >= 3 ? sizeDtStrings(fdt) : 0)) return E.TRUNCATED;
  return 0;
}

/**
 * fdt_offset_ptr(): absolute byte index of `len` bytes at structure offset `offset`, or -1 when the range
 * leaves the blob (totalsize) or, for version >= 17, the structure block. Internal form of offsetPtr().
 */
export function offsetAbs_(fdt: Uint8Array, offset: number, len: number): number {
  if (offset < 0) return -1;
  const abs = offset + offDtStruct(fdt);
  if (abs + len > totalsize(fdt) || abs + len > fdt.byteLength) return -1;
  if (fdtVersion(fdt) >= 0x11 && offset + len > sizeDtStruct(fdt)) return -1;
  return abs;
}

/**
 * Checked view of `len` bytes at structure-block offset `offset` (a subarray, writes go to the blob).
 * @returns the bytes, or null when the range is outside the blob / structure block
 * @see libfdt fdt.c fdt_offset_ptr()
 */
export function offsetPtr(fdt: Uint8Array, offset: number, len: number): Uint8Array | null {
  const abs = offsetAbs_(fdt, offset, len);
  return abs < 0 ? null : fdt.subarray(abs, abs + len);
}

/** Result of nextTag(): the tag and the offset of the following tag (negative error when the walk must stop). */
export interface NextTag { tag: number; next: number }

/**
 * Decode the tag at structure offset `offset` and find the next one, bounds-checked.
 * A premature end (tag, name or value leaving the block) is reported as tag FDT_END with next < 0.
 * @returns { tag, next } where next is the aligned next offset, or
 *   -FDT_ERR_TRUNCATED     the tag itself is out of bounds
 *   -FDT_ERR_BADSTRUCTURE  unknown tag, or its payload runs out of bounds
 * @see libfdt fdt.c fdt_next_tag()
 */
export function nextTag(fdt: Uint8Array, offset: number): NextTag {
  return nextTagWithin(fdt, offset, structBounds(fdt));
}

/** Where tags may be read: the structure block's start and the end no read may pass. */
export interface StructBounds { base: number; limit: number; version: number }

/**
 * The bounds fdt_offset_ptr() applies to every read (totalsize, the buffer, and for v17 the
 * structure block). A walk over many tags computes them once (see nextTagWithin).
 */
export function structBounds(fdt: Uint8Array): StructBounds {
  const base = offDtStruct(fdt);
  const version = fdtVersion(fdt);
  let limit = Math.min(totalsize(fdt), fdt.byteLength);
  if (version >= 0x11) limit = Math.min(limit, base + sizeDtStruct(fdt));
  return { base, limit, version };
}

/** nextTag() with the bounds already computed: the hot loop of every path lookup and child scan. */
export function nextTagWithin(fdt: Uint8Array, offset: number, bounds: StructBounds): NextTag {
  const { base, limit, version } = bounds;
  if (offset < 0 || base + offset + FDT_TAGSIZE > limit) return { tag: FDT_END, next: E.TRUNCATED };
  const tag = ld32_(fdt, base + offset);
  offset += FDT_TAGSIZE;
  switch (tag) {
    case FDT_BEGIN_NODE: {
      // skip the NUL-terminated name, which must end inside the block
      const nul = fdt.indexOf(0, base + offset);
      if (nul < 0 || nul >= limit) return { tag: FDT_END, next: E.BADSTRUCTURE };
      offset = nul - base + 1;
      break;
    }
    case FDT_PROP: {
      if (base + offset + 4 > limit) return { tag: FDT_END, next: E.BADSTRUCTURE };
      const len = ld32_(fdt, base + offset);
      if (len + offset >= FDT_INT_MAX) return { tag: FDT_END, next: E.BADSTRUCTURE };
      offset += 8 + len; // len, nameoff, value
      // Version < 16 blobs align values of 8 bytes or more to 8 (FTF_VARALIGN).
      if (version < 0x10 && len >= 8 && (offset - len) % 8 !== 0) offset += 4;
      break;
    }
    case FDT_END:
    case FDT_END_NODE:
    case FDT_NOP:
      break;
    default:
      return { tag: FDT_END, next: E.BADSTRUCTURE };
  }
  if (base + offset > limit) return { tag: FDT_END, next: E.BADSTRUCTURE };
  return { tag, next: fdtTagAlign(offset) };
}

/**
 * fdt_check_node_offset_(): `offset` must point at FDT_BEGIN_NODE.
 * @returns the offset after the node's name, or -FDT_ERR_BADOFFSET
 */
export function checkNodeOffset_(fdt: Uint8Array, offset: number): number | FdtErrno {
  if (offset < 0 || offset % FDT_TAGSIZE !== 0) return E.BADOFFSET;
  const t = nextTag(fdt, offset);
  if (t.tag !== FDT_BEGIN_NODE) return E.BADOFFSET;
  return t.next;
}

/**
 * fdt_check_prop_offset_(): `offset` must point at FDT_PROP.
 * @returns the offset after the property, or -FDT_ERR_BADOFFSET
 */
export function checkPropOffset_(fdt: Uint8Array, offset: number): number | FdtErrno {
  if (offset < 0 || offset % FDT_TAGSIZE !== 0) return E.BADOFFSET;
  const t = nextTag(fdt, offset);
  if (t.tag !== FDT_PROP) return E.BADOFFSET;
  return t.next;
}

/** Depth counter passed by reference, like libfdt's `int *depth`. */
export interface Depth { depth: number }

/**
 * Next node in document order after `offset` (or the root when offset < 0), tracking depth when given.
 * @returns node offset, or
 *   -FDT_ERR_NOTFOUND   no more nodes (or the walk left the starting subtree: depth < 0 returns the offset after it)
 *   -FDT_ERR_BADOFFSET  `offset` is not a node
 *   -FDT_ERR_TRUNCATED, -FDT_ERR_BADSTRUCTURE  corrupt structure block
 * @see libfdt fdt.c fdt_next_node()
 */
export function nextNode(fdt: Uint8Array, offset: number, depth?: Depth): number | FdtErrno {
  let next = 0;
  if (offset >= 0) {
    next = checkNodeOffset_(fdt, offset);
    if (next < 0) return next;
  }
  let tag: number;
  do {
    offset = next;
    const t = nextTag(fdt, offset);
    tag = t.tag;
    next = t.next;
    switch (tag) {
      case FDT_PROP:
      case FDT_NOP:
        break;
      case FDT_BEGIN_NODE:
        if (depth) depth.depth++;
        break;
      case FDT_END_NODE:
        if (depth && --depth.depth < 0) return next;
        break;
      case FDT_END:
        if (next >= 0 || (next === E.TRUNCATED && !depth)) return E.NOTFOUND;
        return next;
    }
  } while (tag !== FDT_BEGIN_NODE);
  return offset;
}
