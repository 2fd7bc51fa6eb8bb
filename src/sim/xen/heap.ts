// Xen's page allocator, reduced to what decides a boot: which physical ranges are free
// and whether a naturally aligned block of 2^order pages can still be found.
// Models xen/common/page_alloc.c (alloc_domheap_pages(), init_heap_pages()) and
// xen/arch/arm/setup.c populate_boot_allocator()/discard_initial_modules() as of 4.17.
//
// Simplifications (documented, deliberate):
//  * The buddy allocator hands out blocks from the highest zone first; we take the highest
//    aligned block (alloc 'high') or, for MEMF_bits-limited requests, the lowest ('low').
//    Which exact block real Xen picks inside a zone is not modelled, so dom0's 1:1 bank
//    addresses are estimates; totals and failures are what matter.
//  * Xen's own boot-time consumption (frame table, xenheap: per-CPU areas and stacks, idle
//    domain, console ring, per-domain structures, P2M roots, vGIC state) is not computed
//    exactly. xenOverheadEstimate() reserves: the frame table (one 56-byte struct page_info
//    per RAM page, ~1.4 % of RAM) + 8 MiB fixed + 1 MiB per physical CPU. Budgets that are
//    tighter than that margin are reported as failing, which errs on the safe side.
import { alignDown, alignUp, SZ_1M } from '../../util/align.js';

export const PAGE_SIZE = 0x1000;
/** CONFIG_PAGEALLOC_MAX_ORDER on arm64 (1 GiB blocks). */
export const MAX_ORDER = 18;
/** sizeof(struct page_info) on arm64 used for the frame-table estimate. */
export const PAGE_INFO_SIZE = 56;

export interface Range { start: number; end: number }

/** Bytes of RAM Xen itself uses before building domains (see the header comment). */
export function xenOverheadEstimate(ramBytes: number, pcpus: number): number {
  const frameTable = alignUp(Math.ceil(ramBytes / PAGE_SIZE) * PAGE_INFO_SIZE, PAGE_SIZE);
  return frameTable + 8 * SZ_1M + pcpus * SZ_1M;
}

/** get_order_from_bytes(). */
export function orderFromBytes(bytes: number): number {
  let order = 0;
  while (PAGE_SIZE * 2 ** order < bytes) order++;
  return order;
}

/** get_allocation_size(): the largest order whose block is not larger than `size`. */
export function allocationOrder(size: number): number {
  return orderFromBytes(size + 1) - 1;
}

export class XenHeap {
  /** Sorted, disjoint, page aligned. */
  #free: Range[] = [];

  constructor(ram: readonly { start: number; size: number }[]) {
    for (const b of ram) this.release(b.start, b.size);
  }

  get freeBytes(): number { return this.#free.reduce((n, r) => n + (r.end - r.start), 0); }
  get ranges(): readonly Range[] { return this.#free; }

  /** Take [start, start+size) out of the free ranges (page-rounded outwards). */
  reserve(start: number, size: number): void {
    if (size <= 0) return;
    // A range read from the DTB may lie anywhere in the 64-bit space; above 2^52 there is no RAM
    // to take it from, so it is clipped there (exact arithmetic stays below 2^53).
    const s = alignDown(Math.min(start, 2 ** 52), PAGE_SIZE);
    const e = alignUp(Math.min(start + size, 2 ** 52), PAGE_SIZE);
    const out: Range[] = [];
    for (const r of this.#free) {
      if (r.end <= s || r.start >= e) { out.push(r); continue; }
      if (r.start < s) out.push({ start: r.start, end: s });
      if (r.end > e) out.push({ start: e, end: r.end });
    }
    this.#free = out;
  }

  /** Give [start, start+size) back (page-rounded inwards), merging neighbours. */
  release(start: number, size: number): void {
    // Clipped at 2^52 like reserve(): a module range read from the DTB may lie above any RAM.
    const s = alignUp(Math.min(start, 2 ** 52), PAGE_SIZE);
    const e = alignDown(Math.min(start + size, 2 ** 52), PAGE_SIZE);
    if (e <= s) return;
    this.reserve(s, e - s);
    this.#free.push({ start: s, end: e });
    this.#free.sort((a, b) => a.start - b.start);
    const merged: Range[] = [];
    for (const r of this.#free) {
      const last = merged[merged.length - 1];
      if (last && last.end >= r.start) last.end = Math.max(last.end, r.end);
      else merged.push({ ...r });
    }
    this.#free = merged;
  }

  /** Take `bytes` from the top of the free ranges, whatever their alignment (xenheap-style use). */
  takeFromTop(bytes: number): number {
    let left = alignUp(bytes, PAGE_SIZE);
    for (let i = this.#free.length - 1; i >= 0 && left > 0; i--) {
      const r = this.#free[i]!;
      const n = Math.min(left, r.end - r.start);
      this.reserve(r.end - n, n);
      left -= n;
    }
    return alignUp(bytes, PAGE_SIZE) - left;
  }

  /**
   * alloc_domheap_pages(order): a naturally aligned block of 2^order pages, or undefined.
   * `prefer: 'high'` takes the highest such block, 'low' the lowest; `below` limits the block end
   * (MEMF_bits).
   */
  allocBlock(order: number, prefer: 'high' | 'low' = 'high', below = Number.MAX_SAFE_INTEGER): number | undefined {
    if (order > MAX_ORDER) return undefined;
    const size = PAGE_SIZE * 2 ** order;
    const ranges = prefer === 'high' ? [...this.#free].reverse() : this.#free;
    for (const r of ranges) {
      const end = Math.min(r.end, below);
      let start: number;
      if (prefer === 'high') {
        if (end < size) continue;
        start = alignDown(end - size, size);
        if (start < r.start) continue;
      } else {
        start = alignUp(r.start, size);
        if (start + size > end) continue;
      }
      this.reserve(start, size);
      return start;
    }
    return undefined;
  }

  /**
   * allocate_bank_memory()'s loop: blocks of decreasing order until `bytes` are allocated.
   * Returns the bytes that could NOT be allocated (0 on success); pages taken stay taken.
   */
  allocPages(bytes: number): number {
    // A size from a 64-bit DT value (`memory` in KiB) can exceed any heap: nothing is allocated.
    if (!Number.isSafeInteger(bytes + PAGE_SIZE)) return bytes;
    let left = alignUp(bytes, PAGE_SIZE);
    let maxOrder = MAX_ORDER;
    while (left > 0) {
      const order = Math.min(maxOrder, allocationOrder(left));
      const at = this.allocBlock(order, 'high');
      if (at === undefined) {
        if (order === 0) return left;
        maxOrder = order - 1;
        continue;
      }
      left -= PAGE_SIZE * 2 ** order;
    }
    return 0;
  }
}
