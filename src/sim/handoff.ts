// What U-Boot hands to the next stage when a boot command succeeds: the contract
// between src/sim/uboot (producer) and src/sim/xen (consumer). Only bytes and
// addresses cross it, as on a real board.
import type { MemBank, SparseRam } from './ram.js';

export interface BoardProfile {
  /** DRAM banks as U-Boot reports them (QEMU virt: one bank at 0x40000000). */
  dram: MemBank[];
  /** U-Boot's own area at the top of RAM (relocated code, stack, malloc): loads there fail. */
  ubootReserved: MemBank;
  /** Physical CPUs (QEMU virt -smp 4 → 4). */
  pcpus: number;
  /** Extra FDT padding U-Boot adds in place at boot (CONFIG_SYS_FDT_PAD). */
  fdtPad: number;
  /** Name shown in reports. */
  name: string;
}

export interface KernelHeaderInfo {
  format: 'arm64-image' | 'zimage' | 'uimage';
  /** Bytes the kernel occupies once running (arm64 image_size, incl. BSS). */
  imageSize: number;
  textOffset: number;
  flags: number;
}

export interface BootHandoff {
  command: 'booti' | 'bootm' | 'bootz';
  /** Address given on the boot command line. */
  loadAddr: number;
  /** Where the kernel (Xen) actually runs after U-Boot's relocation/copy. */
  entry: number;
  kernel: KernelHeaderInfo;
  /** Final DTB address passed to the kernel in x0 (r2 on arm32). */
  fdtAddr: number;
  /** Final DTB bytes after U-Boot's fix-ups (also present in `ram` at fdtAddr). */
  fdt: Uint8Array;
  /** The initrd passed on the boot command line, if any (dom0less flows use none). */
  initrd?: { start: number; end: number };
  ram: SparseRam;
  board: BoardProfile;
}
