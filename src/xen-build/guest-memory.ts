// Where a domain's kernel, initrd and device tree go in its first RAM bank, and the memory
// that makes them fit. Models xen/arch/arm/kernel.c place_modules() and kernel_zimage_place()
// (4.17, unchanged to 4.21). The simulator builds domains with placeModules(); the planner
// asks smallestDomUMemMiB() for the least DOMU_MEM the same rule accepts, so the two agree.

const SZ_1M = 0x100000;
const SZ_2M = 0x200000;
const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

/** Guest RAM bank 0 of a domU (GUEST_RAM0_BASE .. +GUEST_RAM0_SIZE, xen/include/public/arch-arm.h). */
const GUEST_RAM0_BASE = 0x40000000;
const GUEST_RAM0_SIZE = 0xc0000000;

/** The two panics of place_modules(), word for word. */
export const NO_ROOM_IN_BANK0 = 'Not enough memory in the first bank for the kernel+dtb+initrd';
export const NO_LOCATION_FOR_MODULES = 'Unable to find suitable location for dtb+initrd';

/** What Xen knows of the kernel when it places it (kernel_zimage64_probe() / kernel_uimage_probe() / kernel_zimage32_probe()). */
export interface GuestKernel {
  /** Bytes Xen copies: the module size for an arm64 Image, ih_size for a uImage, end−start for an arm32 zImage. */
  len: number;
  textOffset: number;
  is64: boolean;
  /** arm32 zImage start field (0: position independent). */
  zimageStart: number;
}

/** kernel_zimage_place(): where the kernel goes in bank 0. */
export function kernelLoadAddr(k: GuestKernel, bank0: { start: number; size: number }): number {
  if (k.is64) return bank0.start + k.textOffset;
  if (k.zimageStart === 0) {
    const loadEnd = Math.min(bank0.start + 128 * SZ_1M, bank0.start + bank0.size);
    return Math.floor((loadEnd - k.len) / SZ_2M) * SZ_2M;
  }
  return k.zimageStart;
}

/** place_modules(): the DTB's and the initrd's addresses, or the panic Xen prints. */
export function placeModules(bank0: { start: number; size: number }, kernbase: number, kernend: number, initrdLen: number, dtbSize: number):
  { dtb: number; initrd: number } | { panic: string } {
  // A kernel or initrd length read from a 64-bit `reg` can exceed any RAM (and exact arithmetic):
  // the size check below fails for it on a board too.
  if (!Number.isSafeInteger(kernend + SZ_2M) || !Number.isSafeInteger(initrdLen + SZ_2M)) return { panic: NO_ROOM_IN_BANK0 };
  const initrd = alignUp(initrdLen, SZ_2M);
  const dtb = alignUp(dtbSize, SZ_2M);
  const modsize = initrd + dtb;
  const rambase = bank0.start;
  const ramend = rambase + bank0.size;
  const kernsize = alignUp(kernend, SZ_2M) - kernbase;
  const ram128mb = rambase + 128 * SZ_1M;
  if (modsize + kernsize > bank0.size) return { panic: NO_ROOM_IN_BANK0 };
  let modbase: number;
  if (ramend >= ram128mb + modsize && kernend < ram128mb) modbase = ram128mb;
  else if (ramend - modsize > alignUp(kernend, SZ_2M)) modbase = ramend - modsize;
  else if (kernbase - rambase > modsize) modbase = kernbase - modsize;
  else return { panic: NO_LOCATION_FOR_MODULES };
  return { dtb: modbase, initrd: modbase + dtb };
}

/** What place_modules() needs of a domU besides its memory: the bytes a `memory` change cannot shrink. */
export interface DomUFootprint {
  kernel: GuestKernel;
  initrdLen: number;
  /** The guest device tree Xen writes (fdt totalsize). */
  dtbSize: number;
}

/** Whether a domU of `memMiB` places its modules, and the panic when it does not. */
export function domUModulesFit(f: DomUFootprint, memMiB: number): { ok: true } | { ok: false; panic: string } {
  const bank0 = { start: GUEST_RAM0_BASE, size: Math.min(memMiB * SZ_1M, GUEST_RAM0_SIZE) };
  const kernbase = kernelLoadAddr(f.kernel, bank0);
  const r = placeModules(bank0, kernbase, kernbase + f.kernel.len, f.initrdLen, f.dtbSize);
  return 'panic' in r ? { ok: false, panic: r.panic } : { ok: true };
}

/**
 * The least DOMU_MEM (whole MiB, as ImageBuilder writes `memory`) whose first bank takes the
 * kernel, initrd and device tree; undefined when no size up to bank 0's 3 GiB does.
 * The kernel's room is its copy rounded up to 2 MiB; the initrd and the DTB take 2 MiB each at
 * least, and place_modules() wants them strictly above the kernel's end (or below its start).
 */
export function smallestDomUMemMiB(f: DomUFootprint): number | undefined {
  const maxMiB = GUEST_RAM0_SIZE / SZ_1M;
  // Below the kernel, initrd and DTB together nothing fits: start the search there.
  const floor = Math.max(1, Math.floor((alignUp(f.kernel.len, SZ_2M) + alignUp(f.initrdLen, SZ_2M) + alignUp(f.dtbSize, SZ_2M)) / SZ_1M));
  for (let m = floor; m <= maxMiB; m++) if (domUModulesFit(f, m).ok) return m;
  return undefined;
}

/** Bytes of the kernel's room in bank 0 (its copy, from its load address to the next 2 MiB boundary): the "footprint" a message names. */
export function kernelRoomBytes(k: GuestKernel): number {
  const base = GUEST_RAM0_BASE + (k.is64 ? k.textOffset : 0);
  return alignUp(base + k.len, SZ_2M) - base;
}

/** domain_p2m_pages(): the P2M pool of a domU without xen,domain-p2m-mem-mb, in bytes. */
export function defaultP2mPoolBytes(memKiB: number, vcpus: number): number {
  const kb = 4 * (256 * vcpus + Math.floor(memKiB / 1024) + 128);
  return Math.ceil(kb / 1024) * SZ_1M;
}

/**
 * The most DOMU_MEM (whole MiB) a domU can have when `freeBytes` of Xen's heap are left as it is
 * built: construct_domU() takes the P2M pool first, then the guest's RAM, page by page.
 */
export function largestDomUMemMiB(freeBytes: number, vcpus: number): number {
  let m = Math.floor(freeBytes / SZ_1M);
  while (m > 0 && defaultP2mPoolBytes(m * 1024, vcpus) + m * SZ_1M > freeBytes) m--;
  return m;
}
