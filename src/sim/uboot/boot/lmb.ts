// Models U-Boot lib/lmb.c as U-Boot 2023.01 uses it during a boot command: rebuilt per command from the
// DRAM banks with U-Boot's own window reserved (it knows nothing about files loaded earlier), then
// boot steps reserve the kernel, ramdisk and FDT. lmb_alloc_base() takes the highest free block below
// a ceiling, aligned down, stepping below any reservation it hits (__lmb_alloc_base()).
import { alignDown, rangesOverlap } from '../../../util/align.js';
import type { MemBank } from '../../ram.js';

export class Lmb {
  readonly reserved: MemBank[] = [];

  constructor(readonly memory: readonly MemBank[]) {}

  reserve(start: number, size: number): void {
    if (size > 0) this.reserved.push({ start, size });
  }

  #overlapping(base: number, size: number): MemBank | undefined {
    return this.reserved.find((r) => rangesOverlap(base, base + size, r.start, r.start + r.size));
  }

  /** Highest `align`-aligned block of `size` bytes ending at or below `maxAddr` (exclusive bound); 0 when none. */
  allocBase(size: number, align: number, maxAddr: number): number {
    const banks = [...this.memory].sort((a, b) => b.start - a.start);
    for (const bank of banks) {
      if (bank.start >= maxAddr) continue;
      const top = Math.min(bank.start + bank.size, maxAddr);
      if (top < size) continue;
      let base = alignDown(top - size, align);
      while (base >= bank.start) {
        const hit = this.#overlapping(base, size);
        if (!hit) { this.reserve(base, size); return base; }
        if (hit.start < size) break;
        base = alignDown(hit.start - size, align);
      }
    }
    return 0;
  }
}
