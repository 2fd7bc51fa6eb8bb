// ImageBuilder's bump allocator (uboot-script-gen add_size_from_file), made exact:
// each file goes to the next 2 MiB boundary, but a slot that would touch a region
// the board or Xen keeps (reserved memory, U-Boot's area, a relocation target) is
// skipped entirely instead of using ImageBuilder's size-of-the-previous-file guess.
import { SZ_2M, alignUp, rangesOverlap } from '../util/align.js';
import type { Region } from './types.js';

export interface Placement { addr: number; end: number; skipped: Region[] }

/** First 2 MiB-aligned address >= cursor where [addr, addr+size) avoids every region. */
export function placeNext(cursor: number, size: number, avoid: readonly Region[]): Placement {
  let addr = alignUp(cursor, SZ_2M);
  const skipped: Region[] = [];
  for (let moved = true; moved;) {
    moved = false;
    for (const r of avoid) {
      if (rangesOverlap(addr, addr + Math.max(size, 1), r.start, r.end)) {
        skipped.push(r);
        addr = alignUp(r.end, SZ_2M);
        moved = true;
      }
    }
  }
  return { addr, end: addr + size, skipped };
}
