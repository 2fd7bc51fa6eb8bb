// Sparse guest RAM. Loads record file-backed segments instead of copying bytes, so
// 1 GiB of images costs a few hundred bytes of bookkeeping. Writes follow "last
// writer wins": a later segment clips whatever it overlaps. Provenance is kept so
// the Xen model can tell whether a module still holds the file U-Boot loaded.
// Bytes the simulator materialises are budgeted (budget.ts): one read at most `ramReadBytes`,
// literal bytes held at most `ramHeldBytes`, so a header claiming 4 GiB cannot exhaust memory.
import { readRange } from '../util/file.js';
import { crc32 } from '../util/crc32.js';
import { DEFAULT_BUDGETS, SimBudgetExceeded, formatBytes } from './budget.js';

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

/** Bytes read from a file per step when checksumming file-backed RAM. */
const CRC_CHUNK = 1024 * 1024;

// CRC-32 over a run of zero bytes in O(log n): appending zeros is a linear map of the CRC
// register, so it is a 32x32 matrix over GF(2) raised to the power n (zlib's crc32_combine()
// idea). A header claiming 4 GiB of unwritten memory then costs microseconds, not seconds.
function gf2Times(mat: Uint32Array, vec: number): number {
  let sum = 0;
  for (let i = 0, v = vec >>> 0; v !== 0; i++, v >>>= 1) if (v & 1) sum ^= mat[i]!;
  return sum >>> 0;
}

function gf2Square(mat: Uint32Array): Uint32Array {
  const sq = new Uint32Array(32);
  for (let n = 0; n < 32; n++) sq[n] = gf2Times(mat, mat[n]!);
  return sq;
}

/** The matrix of appending one zero byte to the (inverted) CRC-32 register. */
const ZERO_BYTE_OP: Uint32Array = (() => {
  const oneBit = new Uint32Array(32);
  oneBit[0] = 0xedb88320; // reflected polynomial
  for (let n = 1; n < 32; n++) oneBit[n] = (1 << (n - 1)) >>> 0;
  return gf2Square(gf2Square(gf2Square(oneBit))); // 2, 4, then 8 bits
})();

/** crc32(n zero bytes, crc) as zlib computes it. */
export function crc32Zeros(crc: number, n: number): number {
  let c = (crc ^ 0xffffffff) >>> 0;
  let op = ZERO_BYTE_OP;
  for (let len = n; len > 0; len = Math.floor(len / 2)) {
    if (len % 2 === 1) c = gf2Times(op, c);
    if (len > 1) op = gf2Square(op);
  }
  return (c ^ 0xffffffff) >>> 0;
}

export interface RamLimits { readBytes: number; heldBytes: number }

export class SparseRam {
  /** Sorted by start, never overlapping. */
  #segs: Segment[] = [];
  #seq = 0;
  /** Sum of the lengths of the literal-bytes segments. */
  #held = 0;
  readonly limits: RamLimits;

  constructor(readonly banks: readonly MemBank[], limits: Partial<RamLimits> = {}) {
    this.limits = { readBytes: DEFAULT_BUDGETS.ramReadBytes, heldBytes: DEFAULT_BUDGETS.ramHeldBytes, ...limits };
  }

  /** Literal bytes held (edited DTBs, scripts): what the RAM model costs beyond bookkeeping. */
  get heldBytes(): number { return this.#held; }

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
    this.adopt(addr, data.slice(), label);
  }

  /**
   * Store `data` itself at `addr`, without a copy: the array now IS that RAM, so later changes to
   * it are writes (the working FDT is edited in place this way, as libfdt edits it on the board).
   */
  adopt(addr: number, data: Uint8Array, label: string): void {
    if (data.length === 0) return;
    this.#place({ start: addr, length: data.length, source: { kind: 'bytes', data, offset: 0, label }, seq: ++this.#seq });
  }

  /**
   * The array that holds exactly [addr, addr+len), when one literal-bytes segment is exactly that
   * range (as after adopt()); undefined otherwise. Editing it edits RAM; call touch() after.
   */
  view(addr: number, len: number): Uint8Array | undefined {
    const i = this.#indexAt(addr);
    const seg = this.#segs[i];
    if (!seg || seg.start !== addr || seg.length !== len || seg.source.kind !== 'bytes') return undefined;
    const src = seg.source;
    return src.offset === 0 && src.data.length === len ? src.data : undefined;
  }

  /** Mark the segment starting at `addr` as written now (after in-place edits through view()). */
  touch(addr: number): void {
    const seg = this.#segs[this.#indexAt(addr)];
    if (seg && seg.start === addr) seg.seq = ++this.#seq;
  }

  /** memmove(dst, src, len): the destination takes the source's segments (provenance kept). */
  copy(dst: number, src: number, len: number): void {
    if (len <= 0 || dst === src) return;
    const pieces = this.segments(src, len);
    const seq = ++this.#seq;
    // Clear the destination first: unwritten source bytes read as zero at the destination too.
    this.#remove(dst, dst + len);
    for (const p of pieces) {
      // Literal bytes are copied, so that no two segments share an array (view() relies on it).
      const source: SegmentSource = p.source.kind === 'bytes'
        ? { ...p.source, data: p.source.data.slice(p.source.offset, p.source.offset + p.length), offset: 0 }
        : p.source;
      this.#place({ start: dst + (p.start - src), length: p.length, source, seq });
    }
  }

  /** The segments covering [addr, addr+len), clipped to it, in address order (gaps are unwritten memory). */
  segments(addr: number, len: number): Segment[] {
    const end = addr + len;
    const out: Segment[] = [];
    for (let i = this.#indexAt(addr); i < this.#segs.length; i++) {
      const seg = this.#segs[i]!;
      if (seg.start >= end) break;
      const c = clip(seg, addr, end);
      if (c) out.push(c);
    }
    return out;
  }

  /** Read bytes; unwritten memory reads as zero. Only the covered parts of files are read. */
  read(addr: number, len: number): Uint8Array {
    this.#checkRead(addr, len);
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

  /**
   * CRC-32 of [addr, addr+len) without materialising it: files are read in 1 MiB chunks and
   * unwritten gaps are zeros (a uImage's data CRC over a 100 MiB ramdisk costs 1 MiB of memory).
   */
  crc32(addr: number, len: number): number {
    let crc = 0;
    let at = addr;
    const zeros = (n: number): void => { if (n > 0) crc = crc32Zeros(crc, n); };
    for (const seg of this.segments(addr, len)) {
      zeros(seg.start - at);
      const src = seg.source;
      if (src.kind === 'bytes') {
        crc = crc32(src.data.subarray(src.offset, src.offset + seg.length), crc);
      } else {
        const avail = Math.max(0, Math.min(seg.length, src.fileSize - src.offset));
        for (let done = 0; done < avail;) {
          const k = Math.min(avail - done, CRC_CHUNK);
          crc = crc32(readRange(src.path, src.offset + done, k), crc);
          done += k;
        }
        zeros(seg.length - avail);
      }
      at = seg.start + seg.length;
    }
    zeros(addr + len - at);
    return crc >>> 0;
  }

  #checkRead(addr: number, len: number): void {
    if (len > this.limits.readBytes) {
      throw new SimBudgetExceeded('ram', `reading ${formatBytes(len)} of RAM at 0x${addr.toString(16)} exceeds the simulator's ${formatBytes(this.limits.readBytes)} limit for one read`,
        'a size read from a header or given to a command is implausibly large; check the value (no real boot needs a device tree or script this large)', { addr, len });
    }
  }

  /** Index of the first segment that ends after `addr`. */
  #indexAt(addr: number): number {
    let lo = 0;
    let hi = this.#segs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const s = this.#segs[mid]!;
      if (s.start + s.length <= addr) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  #remove(start: number, end: number): void {
    // Segments are sorted and disjoint, so the ones touching [start, end) are one contiguous run.
    const first = this.#indexAt(start);
    let last = first;
    const repl: Segment[] = [];
    while (last < this.#segs.length && this.#segs[last]!.start < end) {
      const seg = this.#segs[last]!;
      const segEnd = seg.start + seg.length;
      if (seg.source.kind === 'bytes') this.#held -= seg.length;
      const before = clip(seg, seg.start, start);
      const after = clip(seg, end, segEnd);
      for (const piece of [before, after]) {
        if (!piece) continue;
        if (piece.source.kind === 'bytes') this.#held += piece.length;
        repl.push(piece);
      }
      last++;
    }
    if (last > first || repl.length) this.#segs.splice(first, last - first, ...repl);
  }

  #place(seg: Segment): void {
    this.#remove(seg.start, seg.start + seg.length);
    if (seg.source.kind === 'bytes') {
      if (this.#held + seg.length > this.limits.heldBytes) {
        throw new SimBudgetExceeded('ram', `holding ${formatBytes(this.#held + seg.length)} of written RAM exceeds the simulator's ${formatBytes(this.limits.heldBytes)} limit`,
          'the script writes far more data into RAM than any boot needs; check sizes given to fdt/bootm commands', { held: this.#held + seg.length });
      }
      this.#held += seg.length;
    }
    const at = this.#indexAt(seg.start);
    this.#segs.splice(at, 0, seg);
  }
}
