// Sparse guest RAM. Loads record file-backed segments instead of copying bytes, so
// 1 GiB of images costs a few hundred bytes of bookkeeping. Writes follow "last
// writer wins": a later segment clips whatever it overlaps. Provenance is kept so
// the Xen model can tell whether a module still holds the file U-Boot loaded.
import { readRange } from '../util/file.js';

export interface MemBank { start: number; size: number }

export type SegmentSource =
  /** Bytes of a served file; `offset` is the file offset of the segment's first byte. */
  | { kind: 'file'; path: string; name: string; offset: number; fileSize: number }
  /** Bytes held in memory (edited DTBs, small writes); `offset` indexes `data`. */
  | { kind: 'bytes'; data: Uint8Array; offset: number; label: string };

export interface Segment {
  start: number;
  length: number;
  source: SegmentSource;
  /** Write order: larger is later. Copies keep the sequence of the write that made them. */
  seq: number;
}

function clip(seg: Segment, start: number, end: number): Segment | undefined {
  const s = Math.max(seg.start, start);
  const e = Math.min(seg.start + seg.length, end);
  if (e <= s) return undefined;
  return { start: s, length: e - s, source: { ...seg.source, offset: seg.source.offset + (s - seg.start) }, seq: seg.seq };
}

export class SparseRam {
  /** Sorted by start, never overlapping. */
  #segs: Segment[] = [];
  #seq = 0;

  constructor(readonly banks: readonly MemBank[]) {}

  /** The whole range [addr, addr+len) lies inside one RAM bank. */
  inRam(addr: number, len: number): boolean {
    return this.banks.some((b) => addr >= b.start && addr + len <= b.start + b.size);
  }

  get segmentCount(): number { return this.#segs.length; }

  /** Record that `length` bytes of a file (from `fileOffset`) now sit at `addr`. */
  writeFile(addr: number, file: { path: string; name: string; size: number }, fileOffset = 0, length = file.size - fileOffset): void {
    if (length <= 0) return;
    this.#place({ start: addr, length, source: { kind: 'file', path: file.path, name: file.name, offset: fileOffset, fileSize: file.size }, seq: ++this.#seq });
  }

  /** Store literal bytes at `addr` (a copy is kept). */
  write(addr: number, data: Uint8Array, label: string): void {
    if (data.length === 0) return;
    this.#place({ start: addr, length: data.length, source: { kind: 'bytes', data: data.slice(), offset: 0, label }, seq: ++this.#seq });
  }

  /** memmove(dst, src, len): the destination takes the source's segments (provenance kept). */
  copy(dst: number, src: number, len: number): void {
    if (len <= 0 || dst === src) return;
    const pieces = this.segments(src, len);
    const seq = ++this.#seq;
    // Clear the destination first: unwritten source bytes read as zero at the destination too.
    this.#remove(dst, dst + len);
    for (const p of pieces) {
      this.#place({ start: dst + (p.start - src), length: p.length, source: p.source, seq });
    }
  }

  /** The segments covering [addr, addr+len), clipped to it, in address order (gaps are unwritten memory). */
  segments(addr: number, len: number): Segment[] {
    const end = addr + len;
    const out: Segment[] = [];
    for (const seg of this.#segs) {
      if (seg.start >= end) break;
      const c = clip(seg, addr, end);
      if (c) out.push(c);
    }
    return out;
  }

  /** Read bytes; unwritten memory reads as zero. Only the covered parts of files are read. */
  read(addr: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    for (const seg of this.segments(addr, len)) {
      const at = seg.start - addr;
      if (seg.source.kind === 'bytes') {
        out.set(seg.source.data.subarray(seg.source.offset, seg.source.offset + seg.length), at);
      } else {
        const avail = Math.max(0, Math.min(seg.length, seg.source.fileSize - seg.source.offset));
        if (avail > 0) out.set(readRange(seg.source.path, seg.source.offset, avail), at);
      }
    }
    return out;
  }

  #remove(start: number, end: number): void {
    const keep: Segment[] = [];
    for (const seg of this.#segs) {
      const segEnd = seg.start + seg.length;
      if (segEnd <= start || seg.start >= end) { keep.push(seg); continue; }
      const before = clip(seg, seg.start, start);
      const after = clip(seg, end, segEnd);
      if (before) keep.push(before);
      if (after) keep.push(after);
    }
    this.#segs = keep;
  }

  #place(seg: Segment): void {
    this.#remove(seg.start, seg.start + seg.length);
    // Binary search for the insertion point keeps writes O(log n + k).
    let lo = 0;
    let hi = this.#segs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#segs[mid]!.start < seg.start) lo = mid + 1; else hi = mid;
    }
    this.#segs.splice(lo, 0, seg);
  }
}
