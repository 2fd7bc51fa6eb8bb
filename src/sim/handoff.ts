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
  /**
   * The device tree U-Boot was started with (QEMU's own DTB on QEMU): U-Boot keeps a copy at the
   * top of RAM as its control DTB and points `${fdtcontroladdr}` at it. Undefined: not modelled.
   */
  controlDtb?: Uint8Array;
  /** FPGA devices `fpga load` can program (0 or undefined: none, as on QEMU). */
  fpgaDevices?: number;
  /**
   * CONFIG_OF_LIBFDT_OVERLAY of the board's U-Boot: whether `fdt apply` exists. Undefined: as in
   * qemu_arm64_defconfig, which selects it from 2026.07 (Debian's 2023.01 and 2025.01 lack it).
   */
  fdtOverlay?: boolean;
  /** Build options of the board's U-Boot that differ from QEMU's (src/boards: its defconfig). */
  build?: { loadAddr: number; mallocLen: number; bootmLen: number; rawInitrd: boolean; ethDevice: string };
  /** The board's default environment; undefined: QEMU's. */
  env?: Readonly<Record<string, string>>;
  /** The U-Boot release the board's facts come from (the default release modelled on it). */
  ubootVersion?: string;
  /** Console UART path (/chosen stdout-path resolved), which Xen's `dtuart=` names. */
  uart?: string;
  /**
   * The CPU architecture U-Boot runs in. 'arm32' (a 32-bit U-Boot, as qemu_arm on a Cortex-A15):
   * `unsigned long` is 32 bits wide, so pointers print with 8 digits and 0xffffffff is all-ones;
   * the command table has bootz and no booti. Undefined: arm64.
   */
  arch?: 'arm32';
}

export interface KernelHeaderInfo {
  format: 'arm64-image' | 'zimage' | 'uimage';
  /** Bytes the kernel occupies once running (arm64 image_size, incl. BSS). */
  imageSize: number;
  textOffset: number;
  flags: number;
}

export interface BootHandoff {
  command: 'booti' | 'bootm' | 'bootz' | 'bootefi';
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
  /**
   * bootefi only: the EFI memory map's EfiBootServicesData ranges from files U-Boot loaded (2025.01 and
   * later pass every load's LMB reservation on; page aligned, merged). Xen's EFI stub leaves them out
   * of its RAM banks. `device`: where the image came from (its EFI device path): the network, a block
   * device's file system, or memory (`bootefi ADDR:SIZE`).
   */
  efi?: { bootServicesData: { start: number; size: number }[]; device: 'net' | 'block' | 'memory' };
}

/**
 * A device-tree number as Xen reads it (dt_read_number(): `count` cells shifted into a u64, so
 * more than two cells keep the low 64 bits). A value of 2^53 or more cannot be RAM on any board;
 * as a JS number it loses its low bits instead of throwing, and only ever compares as "outside
 * RAM". Xen reads every address and size of the handed-off DTB this way.
 */
export function readDtNumber(value: Uint8Array, count: number, at = 0): number {
  let n = 0n;
  for (let i = 0; i < count; i++) {
    const o = (at + i) * 4;
    n = BigInt.asUintN(64, (n << 32n) | BigInt(((value[o] ?? 0) << 24 | (value[o + 1] ?? 0) << 16 | (value[o + 2] ?? 0) << 8 | (value[o + 3] ?? 0)) >>> 0));
  }
  return Number(n);
}

/** (address, size) pairs of a `reg`-style value read with readDtNumber(); trailing bytes are ignored. */
export function readDtReg(value: Uint8Array, ac: number, sc: number): { address: number; size: number }[] {
  const per = ac + sc;
  const out: { address: number; size: number }[] = [];
  if (per <= 0) return out;
  for (let i = 0; (i + 1) * per * 4 <= value.length; i++) {
    out.push({ address: readDtNumber(value, ac, i * per), size: readDtNumber(value, sc, i * per + ac) });
  }
  return out;
}
