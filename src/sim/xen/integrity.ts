// What a boot module really holds: U-Boot's RAM provenance (SparseRam segments) compared
// with the range the DTB gives. Xen never checks this; the guest finds out (a truncated or
// overwritten kernel crashes, a damaged initramfs does not unpack). No Xen file is modelled
// here: this is the "ground truth" side of the simulator.
import type { Segment, SegmentSource, SparseRam } from '../ram.js';
import { hex } from '../../util/hex.js';

export interface ModuleContent {
  /** Name of the file (or labelled bytes) U-Boot put at the module start. */
  fileName?: string;
  /** Its full size in bytes. */
  fileSize?: number;
  /** Module start holds that file's first byte. */
  startsAtFileStart: boolean;
  /** First problem inside [start, start + min(reg, file)): a hole or another writer. */
  damage?: { at: number; what: string };
  /** Nothing at all was written at the module start. */
  nothingAtStart: boolean;
  /** reg size minus file size (negative: reg shorter than the file). */
  regMinusFile: number;
  /** Something was written in the part of the range beyond the file's end. */
  tailWritten: boolean;
}

const sourceName = (s: SegmentSource): string => (s.kind === 'file' ? s.name : s.label);
const sourceSize = (s: SegmentSource): number => (s.kind === 'file' ? s.fileSize : s.data.length);
const sameSource = (a: SegmentSource, b: SegmentSource): boolean =>
  a.kind === 'file' ? b.kind === 'file' && a.path === b.path : b.kind === 'bytes' && a.data === b.data;

function describeWriter(seg: Segment): string {
  return `${sourceName(seg.source)} (its byte ${hex(seg.source.offset)})`;
}

/** Compare [start, start+regSize) with the file loaded at `start`. Reads no file data. */
export function examineModule(ram: SparseRam, start: number, regSize: number): ModuleContent {
  const segs = ram.segments(start, Math.max(regSize, 1));
  const first = segs[0];
  if (!first || first.start > start) {
    // Nothing loaded at the start (or anywhere in the range, e.g. a reg left pointing at the address
    // of a failed load): the module is whatever RAM held. Linux skips zero bytes as cpio padding and
    // ends up with an empty initramfs (real case g-tftp-missing-stale-filesize: "VFS: Unable to mount root fs").
    return { startsAtFileStart: false, nothingAtStart: true, regMinusFile: 0, tailWritten: segs.length > 0,
      damage: { at: start, what: first ? `nothing was loaded at ${hex(start)}` : `nothing was loaded in ${hex(start)}..${hex(start + regSize)}` } };
  }
  const src = first.source;
  const fileSize = sourceSize(src);
  const base: ModuleContent = {
    fileName: sourceName(src), fileSize, startsAtFileStart: src.offset === 0, nothingAtStart: false,
    regMinusFile: regSize - (fileSize - src.offset), tailWritten: false,
  };
  if (src.offset !== 0) {
    return { ...base, damage: { at: start, what: `${hex(start)} holds byte ${hex(src.offset)} of ${sourceName(src)}, not the start of a file` } };
  }
  const fileEnd = start + Math.min(regSize, fileSize);
  let pos = start;
  for (const seg of segs) {
    if (seg.start >= fileEnd) {
      base.tailWritten = true;
      continue;
    }
    if (seg.start > pos) return { ...base, damage: { at: pos, what: `bytes ${hex(pos)}..${hex(seg.start)} were never loaded` } };
    if (!sameSource(seg.source, src) || seg.source.offset !== seg.start - start) {
      return { ...base, damage: { at: seg.start, what: `${hex(seg.start)} was overwritten by ${describeWriter(seg)}` } };
    }
    pos = seg.start + seg.length;
    if (pos > fileEnd) base.tailWritten = true;
  }
  if (pos < fileEnd) return { ...base, damage: { at: pos, what: `bytes ${hex(pos)}..${hex(fileEnd)} were never loaded` } };
  return base;
}
