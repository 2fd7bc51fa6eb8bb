// Board profiles: what U-Boot knows about the machine before the script runs (DRAM banks,
// its own reserved window at the top of RAM, CPU count, FDT pad) plus the build options that
// change command behaviour.
//
// QEMU virt facts below come from a real run of Debian bookworm's u-boot-qemu 2023.01
// (qemu-system-aarch64 -machine virt -cpu cortex-a57 -m 2048 -bios .../qemu_arm64/u-boot.bin):
//   bdinfo: DRAM 0x40000000 + 0x80000000, relocaddr 0xbfef7000, sp 0xbedb6da0,
//           lmb reserved[0] [0xbddb2000-0xbfffffff]
//   tftpb to 0xbddb1000 (1251 bytes) succeeds, to 0xbddb1c00 / 0xbddb2000 fails with
//   "TFTP error: trying to overwrite reserved memory..."; a raw initrd relocated by booti lands at
//   0xbddb1000 (just below 0xbddb2000). So the protected window is [0xbddb2000, 0xc0000000).
import { pathOffset, getprop, subnodes, getName } from '../../fdt/ro.js';
import { checkHeader } from '../../fdt/header.js';
import { fdtStrerror } from '../../fdt/errors.js';
import { UbootGenError } from '../../errors.js';
import type { BoardProfile } from '../handoff.js';
import type { MemBank } from '../ram.js';
import { boardByDtb, consoleUartPath, ubootWindow } from '../../boards/index.js';

export { DEFAULT_UBOOT_VERSION } from './version.js';

/** Bytes below the end of the last DRAM bank that U-Boot 2023.01 on QEMU virt (2 GiB) protects. */
export const QEMU_VIRT_UBOOT_RESERVED_BYTES = 0xc0000000 - 0xbddb2000;

/** CONFIG_SYS_FDT_PAD default (lib/Kconfig). */
export const FDT_PAD_DEFAULT = 0x3000;

/** Build options (Kconfig) that change what commands do. */
export interface UbootBuildOptions {
  /** CONFIG_SUPPORT_RAW_INITRD: booti/bootm accept `ADDR:SIZE` raw ramdisks (y in Debian's qemu_arm64). */
  rawInitrd: boolean;
  /** CONFIG_SYS_LOAD_ADDR (image_load_addr default). */
  loadAddr: number;
  /** CONFIG_SYS_BOOTM_LEN. */
  bootmLen: number;
  /** Network device name printed by tftpboot (`Using %s device`). */
  ethDevice: string;
  /** Our IP / server IP printed by tftpboot (the env's ipaddr/serverip win when set). */
  ipAddr: string;
  serverIp: string;
  /**
   * CONFIG_SYS_MALLOC_LEN: U-Boot's heap, where the environment, hush's strings and the copy of a
   * sourced script live (qemu_arm64_defconfig: 0x1000000). Exhausting it hangs hush.
   */
  mallocLen: number;
  /** Hash algorithms FIT images may use (CONFIG_MD5, CONFIG_SHA*, crc32): a build without one says "Unsupported hash algorithm". */
  fitHashAlgos: readonly string[];
  /** CONFIG_FIT_SIGNATURE: signature nodes are checked, and keys marked required in U-Boot's DTB enforced. */
  fitSignature: boolean;
  /**
   * The network stack tftpboot runs on: 'legacy' (net/tftp.c, the default) or 'lwip'
   * (CONFIG_NET_LWIP, net/lwip/tftp.c, from v2025.01; AMD/Xilinx defconfigs select it from v2025.04).
   * Its texts are in net-lwip.ts. Absent means legacy.
   */
  netStack?: 'legacy' | 'lwip';
  /**
   * The hush that runs scripts: 'old' (common/cli_hush.c, CONFIG_HUSH_OLD_PARSER, the default) or
   * 'modern' (common/cli_hush_modern.c, CONFIG_HUSH_MODERN_PARSER, from v2024.04; R-Car boards
   * are modern-only from v2026.07). Absent means old.
   */
  hush?: 'old' | 'modern';
}

export const QEMU_VIRT_BUILD: UbootBuildOptions = {
  rawInitrd: true,
  loadAddr: 0x40200000,
  bootmLen: 0x8000000,
  ethDevice: 'virtio-net#32',
  ipAddr: '10.0.2.15',
  serverIp: '10.0.2.2',
  mallocLen: 0x1000000,
  // Seen on real boots of Debian's qemu_arm64 2023.01 (QEMU virt): md5 and sha256 FIT hashes verify
  // ("md5+ ", "sha256+ "); the binary's strings also name crc32, sha1, sha384, sha512, and the FIT signature
  // code ("rsa,modulus", "required-mode"): a key marked required in the DTB U-Boot runs with is enforced.
  fitHashAlgos: ['crc32', 'md5', 'sha1', 'sha256', 'sha384', 'sha512'],
  fitSignature: true,
};

/**
 * Default environment of Debian's qemu_arm64 U-Boot 2023.01 (observed with `printenv`), limited to
 * the variables that change what boot commands do or that scripts commonly read. NB fdt_high and
 * initrd_high are 0xffffffff: on arm64 that is a ceiling, not "in place".
 */
export const QEMU_VIRT_DEFAULT_ENV: Readonly<Record<string, string>> = {
  arch: 'arm',
  baudrate: '115200',
  board: 'qemu-arm',
  board_name: 'qemu-arm',
  bootdelay: '2',
  cpu: 'armv8',
  ethaddr: '52:52:52:52:52:52',
  fdt_addr: '0x40000000',
  fdt_high: '0xffffffff',
  fdtcontroladdr: 'bedb6db0',
  initrd_high: '0xffffffff',
  kernel_addr_r: '0x40400000',
  loadaddr: '0x40200000',
  pxefile_addr_r: '0x40300000',
  ramdisk_addr_r: '0x44000000',
  scriptaddr: '0x40200000',
  stderr: 'pl011@9000000',
  stdin: 'pl011@9000000',
  stdout: 'pl011@9000000',
  vendor: 'emulation',
};

/**
 * QEMU virt run as an arm32 board (qemu-system-arm -machine virt,virtualization=true,highmem=off
 * -cpu cortex-a15 -m 2048 -bios .../qemu_arm/u-boot.bin, Debian bookworm's u-boot-qemu 2023.01):
 *   bdinfo: DRAM 0x40000000 + 0x80000000, relocaddr 0xbff38000, fdt_blob 0xbedf7eb0, Build 32-bit,
 *           lmb reserved[0] [0xbddf3000-0xbfffffff]
 * The rest of its default environment is the arm64 build's (same board file, same env text).
 */
export const QEMU_VIRT_ARM32_UBOOT_RESERVED_BYTES = 0xc0000000 - 0xbddf3000;
/** Bytes between the arm32 U-Boot's control DTB (fdtcontroladdr=bedf7eb0) and the end of RAM. */
export const QEMU_VIRT_ARM32_CONTROL_DTB_BELOW_RAM_END = 0xc0000000 - 0xbedf7eb0;
export const QEMU_VIRT_ARM32_ENV: Readonly<Record<string, string>> = { cpu: 'armv7', fdtcontroladdr: 'bedf7eb0' };

/** CPU compatibles of 32-bit Arm cores: a board whose first CPU is one runs a 32-bit U-Boot (QEMU virt -cpu cortex-a15). */
const ARM32_CPU_COMPATIBLES = ['arm,cortex-a15', 'arm,cortex-a7', 'arm,cortex-a9', 'arm,cortex-a8', 'arm,cortex-a5', 'arm,cortex-a12', 'arm,cortex-a17'];

/** QEMU virt, arm32 (Cortex-A15, qemu_arm U-Boot), with `-m` MiB of RAM (default 2048) and `-smp` CPUs (default 4). */
export function qemuVirtArm32Board(opts: { memMiB?: number; cpus?: number } = {}): BoardProfile {
  const size = (opts.memMiB ?? 2048) * 0x100000;
  return {
    ...boardFromBanks([{ start: 0x40000000, size }], {
      pcpus: opts.cpus ?? 4, name: `qemu-virt-arm32 (${opts.memMiB ?? 2048} MiB)`, reservedBytes: QEMU_VIRT_ARM32_UBOOT_RESERVED_BYTES,
    }),
    arch: 'arm32',
  };
}

/** QEMU virt with `-m` MiB of RAM (default 2048) and `-smp` CPUs (default 4). */
export function qemuVirtBoard(opts: { memMiB?: number; cpus?: number } = {}): BoardProfile {
  const size = (opts.memMiB ?? 2048) * 0x100000;
  return boardFromBanks([{ start: 0x40000000, size }], { pcpus: opts.cpus ?? 4, name: `qemu-virt-arm64 (${opts.memMiB ?? 2048} MiB)` });
}

/** A board whose U-Boot window is the top QEMU_VIRT_UBOOT_RESERVED_BYTES of the last bank. */
export function boardFromBanks(dram: MemBank[], opts: { pcpus?: number; name?: string; reservedBytes?: number } = {}): BoardProfile {
  if (dram.length === 0) throw new UbootGenError('SIM_BAD_INPUT', 'a board needs at least one DRAM bank');
  const last = dram.reduce((a, b) => (b.start + b.size > a.start + a.size ? b : a));
  const reserved = Math.min(opts.reservedBytes ?? QEMU_VIRT_UBOOT_RESERVED_BYTES, last.size);
  return {
    dram: dram.map((b) => ({ ...b })),
    ubootReserved: { start: last.start + last.size - reserved, size: reserved },
    pcpus: opts.pcpus ?? 1,
    fdtPad: FDT_PAD_DEFAULT,
    name: opts.name ?? 'custom',
  };
}

/** MEMORY_START / MEMORY_END style board (end exclusive). */
export function boardFromRange(start: number, end: number, pcpus = 1): BoardProfile {
  if (!(end > start)) throw new UbootGenError('SIM_BAD_INPUT', `memory end 0x${end.toString(16)} is not above start 0x${start.toString(16)}`);
  return boardFromBanks([{ start, size: end - start }], { pcpus, name: `memory 0x${start.toString(16)}-0x${end.toString(16)}` });
}

/**
 * A board described by a DTB (e.g. QEMU's `-machine virt,dumpdtb=`): banks from every /memory node's
 * `reg` (root #address-cells/#size-cells), pCPUs = `cpu@` children of /cpus.
 */
export function boardFromDtb(dtb: Uint8Array, name = 'dtb'): BoardProfile {
  const hc = checkHeader(dtb);
  if (hc < 0) throw new UbootGenError('SIM_BAD_INPUT', `board DTB ${name}: ${fdtStrerror(hc)}`);
  const cellsOf = (prop: string, dflt: number): number => {
    const v = getprop(dtb, 0, prop);
    return typeof v === 'number' || v.length !== 4 ? dflt : readCells(v, 0, 1);
  };
  const ac = cellsOf('#address-cells', 2);
  const sc = cellsOf('#size-cells', 1);
  // Bounded before use: 0 + 0 cells would never advance through `reg`, and a huge count would
  // read for ever. libfdt allows 0..4 (FDT_MAX_NCELLS); a bank needs an address and a size.
  if (ac < 1 || ac > 4 || sc < 1 || sc > 4) {
    throw new UbootGenError('SIM_BAD_INPUT', `board DTB ${name}: the root's #address-cells ${ac} / #size-cells ${sc} cannot describe memory banks (each must be 1..4)`,
      { ac, sc }, { file: name }, 'use a board DTB as QEMU or the vendor dumps it (#address-cells = <2>, #size-cells = <2> on arm64)');
  }
  const dram: MemBank[] = [];
  let pcpus = 0;
  for (const node of subnodes(dtb, 0)) {
    const n = getName(dtb, node);
    if (typeof n !== 'string') continue;
    if (n === 'memory' || n.startsWith('memory@')) {
      const reg = getprop(dtb, node, 'reg');
      if (typeof reg === 'number') continue;
      const step = (ac + sc) * 4;
      for (let o = 0; o + step <= reg.length; o += step) {
        const size = readCells(reg, o + ac * 4, sc);
        const start = readCells(reg, o, ac);
        if (!Number.isSafeInteger(start + size)) {
          throw new UbootGenError('SIM_BAD_INPUT', `board DTB ${name}: memory bank at 0x${start.toString(16)} of 0x${size.toString(16)} bytes ends beyond 2^53`,
            { start, size }, { file: name }, 'check the /memory reg of the board DTB');
        }
        if (size > 0) dram.push({ start, size });
      }
    }
  }
  const cpus = pathOffset(dtb, '/cpus');
  if (cpus >= 0) {
    for (const c of subnodes(dtb, cpus)) {
      const n = getName(dtb, c);
      if (typeof n === 'string' && (n === 'cpu' || n.startsWith('cpu@'))) pcpus++;
    }
  }
  // A known board (src/boards): its U-Boot's window, build and environment; on a Raspberry Pi the
  // banks the firmware writes into the DTB's empty /memory.
  const profile = boardByDtb(dtb);
  if (dram.length === 0 && profile?.firmwareBanks) dram.push(...profile.banks.map((b) => ({ ...b })));
  if (dram.length === 0) throw new UbootGenError('SIM_BAD_INPUT', `board DTB ${name}: no /memory node with a usable reg`);
  dram.sort((a, b) => a.start - b.start);
  const arm32 = cpus >= 0 && isArm32Cpu(dtb, cpus);
  // U-Boot started with this DTB keeps it as its control DTB (`${fdtcontroladdr}`).
  const fpgaDevices = countFpgaManagers(dtb);
  const fdtOverlay = overlaySupport(dtb);
  const uart = consoleUartPath(dtb);
  const base = {
    ...boardFromBanks(dram, { pcpus: Math.max(1, pcpus), name, ...(arm32 ? { reservedBytes: QEMU_VIRT_ARM32_UBOOT_RESERVED_BYTES } : {}) }),
    controlDtb: dtb, ...(fpgaDevices ? { fpgaDevices } : {}), ...(uart ? { uart } : {}), ...(arm32 ? { arch: 'arm32' as const } : {}),
  };
  if (!profile) return { ...base, ...(fdtOverlay !== undefined ? { fdtOverlay } : {}) };
  const w = ubootWindow(profile, dram);
  return {
    ...base, name: profile.name, ubootReserved: { start: w.start, size: w.end - w.start },
    build: { ...profile.build, ...(profile.hush === 'modern' ? { hush: 'modern' as const } : {}) }, env: profile.env, ubootVersion: profile.ubootVersion,
    ...(profile.fdtOverlay !== undefined ? { fdtOverlay: profile.fdtOverlay } : {}),
  };
}

/** The board's first CPU node names an Armv7 core: U-Boot there is a 32-bit build. */
function isArm32Cpu(dtb: Uint8Array, cpus: number): boolean {
  for (const c of subnodes(dtb, cpus)) {
    const n = getName(dtb, c);
    if (typeof n !== 'string' || !(n === 'cpu' || n.startsWith('cpu@'))) continue;
    const compat = getprop(dtb, c, 'compatible');
    if (typeof compat === 'number') return false;
    const names = Buffer.from(compat.buffer, compat.byteOffset, compat.length).toString('latin1').split('\0');
    return names.some((x) => ARM32_CPU_COMPATIBLES.includes(x));
  }
  return false;
}

/**
 * FPGA managers U-Boot registers as `fpga` devices on the boards ImageBuilder targets: ZynqMP's
 * PCAP, Versal's PMC, Zynq-7000's devcfg and Intel SoCFPGA's manager, found by compatible.
 */
const FPGA_MANAGER_COMPATIBLES = ['xlnx,zynqmp-pcap-fpga', 'xlnx,versal-fpga', 'xlnx,zynq-devcfg-1.0', 'altr,socfpga-fpga-mgr'];

function countFpgaManagers(dtb: Uint8Array): number {
  let count = 0;
  const walk = (node: number, depth: number): void => {
    if (depth > 64) return;
    const compat = getprop(dtb, node, 'compatible');
    if (typeof compat !== 'number') {
      const names = Buffer.from(compat.buffer, compat.byteOffset, compat.length).toString('latin1').split('\0');
      if (names.some((n) => FPGA_MANAGER_COMPATIBLES.includes(n))) count++;
    }
    for (const child of subnodes(dtb, node)) walk(child, depth + 1);
  };
  walk(0, 0);
  return count;
}

/**
 * CONFIG_OF_LIBFDT_OVERLAY in the defconfig of the board's family, by the DTB's root compatible:
 * set in xilinx_zynqmp_virt, xilinx_versal_virt and rpi_arm64, and on every 64-bit R-Car/RZ/G2
 * (arch/arm/mach-renesas/Kconfig.64 defaults it on for RCAR_64); not in imx8mm_evk or imx8mp_evk.
 * Undefined for any other board (QEMU virt: by U-Boot version, see BoardProfile).
 */
const OVERLAY_BY_COMPATIBLE: ReadonlyArray<readonly [prefix: string, enabled: boolean]> = [
  ['xlnx,zynqmp', true], ['xlnx,versal', true], ['raspberrypi,', true], ['brcm,bcm2711', true], ['brcm,bcm2837', true],
  ['fsl,imx8m', false], ['renesas,r8a77', true], ['renesas,r8a779', true],
];

function overlaySupport(dtb: Uint8Array): boolean | undefined {
  const compat = getprop(dtb, 0, 'compatible');
  if (typeof compat === 'number') return undefined;
  const names = Buffer.from(compat.buffer, compat.byteOffset, compat.length).toString('latin1').split('\0');
  for (const n of names) for (const [prefix, enabled] of OVERLAY_BY_COMPATIBLE) if (n.startsWith(prefix)) return enabled;
  return undefined;
}

/** Big-endian multi-cell number (cells ≤ 2 keep exact values below 2^53). */
export function readCells(b: Uint8Array, off: number, cells: number): number {
  let v = 0;
  for (let i = 0; i < cells; i++) {
    const at = off + i * 4;
    v = v * 0x1_0000_0000 + (b[at]! * 0x1000000 + b[at + 1]! * 0x10000 + b[at + 2]! * 0x100 + b[at + 3]!);
  }
  return v;
}
