// Board profiles: the boards uboot-gen knows by name (`--board zcu102`), each tied to a real DTB
// shipped in boards/ and to what that board's U-Boot does before a script runs: where it
// relocates itself (the window loads must avoid), its build options (defconfig) and its default
// environment. A DTB given as a file is matched to a profile by its root `compatible`, so a
// vendor's own ZCU102 DTB gets ZCU102's U-Boot facts while its banks and reserved memory stay
// its own.
//
// Sources, U-Boot v2025.01 unless said otherwise:
//   configs/<defconfig> (CONFIG_SYS_LOAD_ADDR, CONFIG_SYS_MALLOC_LEN, CONFIG_SYS_BOOTM_LEN,
//     CONFIG_OF_LIBFDT_OVERLAY); the Kconfig defaults of the rest: Kconfig (SYS_MALLOC_LEN
//     0x400000), cmd/Kconfig (HUSH_OLD_PARSER default y, HUSH_MODERN_PARSER off), net/Kconfig
//     (the legacy stack unless NET_LWIP: no defconfig below selects it at v2025.01),
//     boot/Kconfig (DISTRO_DEFAULTS / BOOTSTD_DEFAULTS → BOOT_DEFAULTS → SUPPORT_RAW_INITRD).
//   Relocation: U-Boot moves itself to gd->ram_top, the top of the first DRAM bank, lowered by
//     board_get_usable_ram_top(): board/xilinx/common/board.c (ZynqMP: top of the lowest bank,
//     dram_init uses fdtdec_setup_mem_size_base_lowest), arch/arm/mach-imx/imx8m/soc.c (clamped
//     to 4 GiB; bank 1 never crosses it), board/raspberrypi/rpi/rpi.c (first bank, below the
//     firmware's DTB), board/renesas/rcar-common/common.c (R-Car Gen3: the first /memory of
//     the DT, 0x48000000 on both boards, include/configs/rcar-gen3-common.h CFG_SYS_SDRAM_BASE).
import { getName, getprop, pathOffset, subnodes } from '../fdt/ro.js';
import { isFdtErr } from '../fdt/errors.js';
import { alignUp } from '../util/align.js';

export interface BoardBank { start: number; size: number }

/** What the board's U-Boot build changes in command behaviour (a subset of the simulator's UbootBuildOptions). */
export interface BoardBuild {
  /** CONFIG_SYS_LOAD_ADDR. */
  loadAddr: number;
  /** CONFIG_SYS_MALLOC_LEN. */
  mallocLen: number;
  /** CONFIG_SYS_BOOTM_LEN. */
  bootmLen: number;
  /** CONFIG_SUPPORT_RAW_INITRD. */
  rawInitrd: boolean;
  /** Network device tftpboot names (`Using %s device`): the DTB's Ethernet controller. */
  ethDevice: string;
}

export interface BoardEntry {
  /** Short name for `--board NAME`. */
  name: string;
  description: string;
  /** File in boards/. */
  dtb: string;
  /** First string of the root `compatible` of `dtb`: how a DTB given as a file is recognised. */
  compatible: string;
  /** The DRAM banks of `dtb` (/memory reg), or those the firmware writes when the DTB leaves them empty. */
  banks: readonly BoardBank[];
  /** The DTB's /memory is empty and the firmware fills it (Raspberry Pi): `banks` is what we assume it writes. */
  firmwareBanks?: string;
  /** /memreserve/ entries and /reserved-memory children with a reg, as the DTB gives them. */
  reserved: readonly (BoardBank & { label: string })[];
  /** `cpu@` nodes under /cpus. */
  pcpus: number;
  /** The console UART: /chosen stdout-path resolved through /aliases (what `dtuart=` names). */
  uart: string;
  /** The U-Boot release these facts were read from. */
  ubootVersion: string;
  /** The defconfig the facts come from. */
  defconfig: string;
  build: BoardBuild;
  /** CONFIG_OF_LIBFDT_OVERLAY: `fdt apply` exists (QEMU: left to the U-Boot version's model). */
  fdtOverlay?: boolean;
  /**
   * A DTB given as a file with this `compatible` takes this profile. Off for QEMU virt, whose DTBs
   * of every size keep the measured model (U-Boot's window at the top of the last bank).
   */
  recognise: boolean;
  /** Exact size of U-Boot's window when measured on a real boot (QEMU); else estimated (ubootWindow). */
  windowBytes?: number;
  /** Network stack: U-Boot's own (`legacy`) or lwIP (CONFIG_NET_LWIP). */
  net: 'legacy' | 'lwip';
  /** Hush flavour: the 2005 parser (CONFIG_HUSH_OLD_PARSER) or the modern one. */
  hush: 'old' | 'modern';
  /** Default environment variables that boot commands and scripts read. */
  env: Readonly<Record<string, string>>;
  /** Files of U-Boot (and Linux, for the DTB) each fact was read from. */
  sources: readonly string[];
}

/**
 * Bytes U-Boot keeps below its relocation top besides its heap: code, global data, board info,
 * the copy of its DTB, the stack and the lmb guard under it. Measured on QEMU virt (bdinfo: lmb
 * keeps [0xbddb2000, 0xc0000000) with a 16 MiB heap), and assumed alike on the other boards,
 * whose U-Boot cannot run here: their window is this plus their own CONFIG_SYS_MALLOC_LEN.
 */
export const UBOOT_OVERHEAD_BYTES = 0xc0000000 - 0xbddb2000 - 0x1000000;

const SZ_2M = 0x200000;
const SZ_4G = 0x1_0000_0000;

const ZYNQMP_SOURCES = [
  'u-boot v2025.01 configs/xilinx_zynqmp_virt_defconfig, configs/xilinx_zynqmp_kria_defconfig',
  'u-boot v2025.01 include/configs/xilinx_zynqmp.h (ENV_MEM_LAYOUT_SETTINGS)',
  'u-boot v2025.01 board/xilinx/common/board.c (board_get_usable_ram_top: heap + U-Boot at the top of the lowest bank)',
];

const ZYNQMP_BUILD: BoardBuild = { loadAddr: 0x8000000, mallocLen: 0x4040000, bootmLen: 0x6400000, rawInitrd: true, ethDevice: 'ethernet@ff0e0000' };

const ZYNQMP_ENV = {
  arch: 'arm', baudrate: '115200', board: 'zynqmp', board_name: 'zynqmp', cpu: 'armv8', soc: 'zynqmp', vendor: 'xilinx',
  fdt_addr_r: '0x40000000', kernel_addr_r: '0x18000000', ramdisk_addr_r: '0x02100000', pxefile_addr_r: '0x10000000',
  kernel_comp_addr_r: '0x30000000', kernel_comp_size: '0x3C00000', loadaddr: '0x8000000',
  stdin: 'serial', stdout: 'serial,vidconsole', stderr: 'serial,vidconsole',
};

// R-Car Gen3 (CONFIG_RCAR_GEN3 → RCAR_64): configs/renesas_rcar64.config sets the load address,
// heap and raw initrd; SYS_BOOTM_LEN is boot/Kconfig's ARM64 default; arch/arm/mach-renesas/Kconfig.64
// turns CONFIG_OF_LIBFDT_OVERLAY on for every RCAR_64 board. U-Boot takes its banks from its DT with
// the fragment TF-A passes applied over it (board/renesas/rcar-common/common.c; dram_init takes
// ram_base/ram_size from the first reg of the first /memory, lib/fdtdec.c): uboot-gen assumes TF-A
// reports the banks the board DTB has, the first one lowest.
const RCAR_GEN3_BUILD: BoardBuild = { loadAddr: 0x58000000, mallocLen: 0x4000000, bootmLen: 0x4000000, rawInitrd: true, ethDevice: 'ethernet@e6800000' };

// The default environment of both R-Car builds (`make u-boot-initial-env`): CONFIG_ENV_VARS_UBOOT_CONFIG
// is off, so no arch/board/vendor; bootargs, mtdids and mtdparts are empty, which an env import
// drops; bootcmd (the defconfig's tftp + booti of a plain kernel) is left out, no script reads it.
// stdin/stdout/stderr are set by console_init_r, `platform` by arch_misc_init
// (arch/arm/mach-renesas/cpu_info.c: the SoC's name in lower case, from the PRR register on R-Car,
// from the compatible of TF-A's DT on RZ/G2, cpu_info-rzg.c).
const RCAR_GEN3_ENV = {
  baudrate: '115200', bootdelay: '2', bootm_size: '0x10000000', loadaddr: '0x58000000', stdin: 'serial', stdout: 'serial', stderr: 'serial',
};

const RCAR_GEN3_SOURCES = [
  'u-boot v2025.01 configs/renesas_rcar3.config, configs/renesas_rcar64.config, configs/renesas_rcar.config',
  'u-boot v2025.01 arch/arm/mach-renesas/Kconfig (RCAR_64 implies OF_UPSTREAM), Kconfig.64 (OF_LIBFDT_OVERLAY default y), cpu_info.c (platform)',
  'u-boot v2025.01 include/configs/rcar-gen3-common.h (DRAM_RSV_SIZE, CFG_SYS_SDRAM_BASE, CFG_EXTRA_ENV_SETTINGS)',
  'u-boot v2025.01 board/renesas/rcar-common/common.c (dram_init: the DT\'s banks with TF-A\'s fragment applied; ft_board_setup)',
];

export const BOARDS: readonly BoardEntry[] = [
  {
    name: 'qemu-virt', description: 'QEMU virt arm64, 2 GiB, 4 CPUs, GICv3 (the machine the real-boot lab runs)',
    dtb: 'qemu-virt-arm64-2g.dtb', compatible: 'linux,dummy-virt',
    banks: [{ start: 0x40000000, size: 0x80000000 }], reserved: [], pcpus: 4, uart: '/pl011@9000000',
    ubootVersion: '2023.01', defconfig: 'qemu_arm64_defconfig',
    build: { loadAddr: 0x40200000, mallocLen: 0x1000000, bootmLen: 0x8000000, rawInitrd: true, ethDevice: 'virtio-net#32' },
    net: 'legacy', hush: 'old', recognise: false, windowBytes: 0xc0000000 - 0xbddb2000,
    env: {},
    sources: ['Debian bookworm u-boot-qemu 2023.01: bdinfo and printenv of a real boot (test/fixtures/transcripts)'],
  },
  {
    name: 'zcu102', description: 'AMD/Xilinx ZCU102 rev1.0 (ZynqMP), 4 GiB: 2 GiB below 4 GiB and 2 GiB at 0x800000000',
    dtb: 'zynqmp-zcu102-rev1.0.dtb', compatible: 'xlnx,zynqmp-zcu102-rev1.0',
    banks: [{ start: 0, size: 0x80000000 }, { start: 0x800000000, size: 0x80000000 }], reserved: [], pcpus: 4, uart: '/axi/serial@ff000000',
    ubootVersion: '2025.01', defconfig: 'xilinx_zynqmp_virt_defconfig',
    build: ZYNQMP_BUILD, fdtOverlay: true, net: 'legacy', hush: 'old', recognise: true,
    env: { ...ZYNQMP_ENV, board_name: 'zcu102' },
    sources: ZYNQMP_SOURCES,
  },
  {
    name: 'kv260', description: 'AMD/Xilinx Kria KV260 (K26 SOM, ZynqMP), 4 GiB in two banks',
    dtb: 'smk-k26-revA-sm-k26-revA-sck-kv-g-revB.dtb', compatible: 'xlnx,zynqmp-smk-k26-rev1',
    banks: [{ start: 0, size: 0x80000000 }, { start: 0x800000000, size: 0x80000000 }], reserved: [], pcpus: 4, uart: '/axi/serial@ff010000',
    ubootVersion: '2025.01', defconfig: 'xilinx_zynqmp_kria_defconfig',
    build: ZYNQMP_BUILD, fdtOverlay: true, net: 'legacy', hush: 'old', recognise: true,
    env: { ...ZYNQMP_ENV, board_name: 'kv260' },
    sources: [...ZYNQMP_SOURCES, 'u-boot v2025.01 board/xilinx/zynqmp/zynqmp_kria.env'],
  },
  {
    name: 'rpi4', description: 'Raspberry Pi 4 Model B, 4 GiB (banks as the firmware writes them with the default GPU split)',
    dtb: 'bcm2711-rpi-4-b.dtb', compatible: 'raspberrypi,4-model-b',
    banks: [{ start: 0, size: 0x3b400000 }, { start: 0x40000000, size: 0xbc000000 }],
    firmwareBanks: 'the DTB\'s /memory@0 reg is <0 0 0>: the VideoCore firmware writes the banks before U-Boot starts; '
      + 'a 4 GiB board with gpu_mem=76 (the default) gets 0x0+0x3b400000 (below the GPU\'s share) and 0x40000000+0xbc000000 (up to the 0xfc000000 peripherals)',
    reserved: [{ start: 0, size: 0x1000, label: '/memreserve/ 0' }], pcpus: 4, uart: '/soc/serial@7e215040',
    ubootVersion: '2025.01', defconfig: 'rpi_arm64_defconfig',
    build: { loadAddr: 0x1000000, mallocLen: 0x400000, bootmLen: 0x4000000, rawInitrd: true, ethDevice: 'ethernet@7d580000' },
    fdtOverlay: true, net: 'legacy', hush: 'old', recognise: true,
    env: {
      arch: 'arm', baudrate: '115200', board: 'rpi', board_name: '4 Model B', cpu: 'armv8', soc: 'bcm283x', vendor: 'raspberrypi',
      fdt_high: 'ffffffffffffffff', initrd_high: 'ffffffffffffffff',
      kernel_addr_r: '0x00080000', scriptaddr: '0x02400000', pxefile_addr_r: '0x02500000', fdt_addr_r: '0x02600000', ramdisk_addr_r: '0x02700000',
      loadaddr: '0x1000000', stdin: 'serial,usbkbd', stdout: 'serial,vidconsole', stderr: 'serial,vidconsole',
    },
    sources: [
      'u-boot v2025.01 configs/rpi_arm64_defconfig', 'u-boot v2025.01 board/raspberrypi/rpi/rpi.env (memory layout)',
      'u-boot v2025.01 board/raspberrypi/rpi/rpi.c (board_get_usable_ram_top below the firmware DTB; dram_init: first bank)',
    ],
  },
  {
    name: 'imx8mp-evk', description: 'NXP i.MX 8M Plus EVK, 6 GiB: 3 GiB at 0x40000000 and 3 GiB at 0x100000000',
    dtb: 'imx8mp-evk.dtb', compatible: 'fsl,imx8mp-evk',
    banks: [{ start: 0x40000000, size: 0xc0000000 }, { start: 0x100000000, size: 0xc0000000 }],
    reserved: [{ start: 0x92400000, size: 0x2000000, label: '/reserved-memory/dsp@92400000' }], pcpus: 4, uart: '/soc@0/bus@30800000/serial@30890000',
    ubootVersion: '2025.01', defconfig: 'imx8mp_evk_defconfig',
    build: { loadAddr: 0x40480000, mallocLen: 0x2000000, bootmLen: 0x2000000, rawInitrd: true, ethDevice: 'ethernet@30be0000' },
    fdtOverlay: false, net: 'legacy', hush: 'old', recognise: true,
    env: {
      arch: 'arm', baudrate: '115200', board: 'imx8mp_evk', board_name: 'imx8mp_evk', cpu: 'armv8', soc: 'imx8m', vendor: 'freescale',
      scriptaddr: '0x40480000', kernel_addr_r: '0x40480000', fdt_addr_r: '0x43000000', initrd_addr: '0x43800000', bootm_size: '0x10000000',
      loadaddr: '0x40480000', stdin: 'serial', stdout: 'serial', stderr: 'serial',
    },
    sources: [
      'u-boot v2025.01 configs/imx8mp_evk_defconfig', 'u-boot v2025.01 include/configs/imx8mp_evk.h (PHYS_SDRAM, PHYS_SDRAM_2, CFG_EXTRA_ENV_SETTINGS)',
      'u-boot v2025.01 arch/arm/mach-imx/imx8m/soc.c (dram_init_banksize, board_get_usable_ram_top: below 4 GiB)',
    ],
  },
  {
    name: 'hihope-rzg2m', description: 'HopeRun HiHope RZ/G2M (Renesas r8a774a1, R-Car Gen3 family), 4 GiB: 1.875 GiB at 0x48000000 and 2 GiB at 0x600000000',
    dtb: 'r8a774a1-hihope-rzg2m.dtb', compatible: 'hoperun,hihope-rzg2m',
    banks: [{ start: 0x48000000, size: 0x78000000 }, { start: 0x600000000, size: 0x80000000 }], reserved: [], pcpus: 6, uart: '/soc/serial@e6e88000',
    ubootVersion: '2025.01', defconfig: 'hihope_rzg2_defconfig',
    build: RCAR_GEN3_BUILD, fdtOverlay: true, net: 'legacy', hush: 'old', recognise: true,
    env: { ...RCAR_GEN3_ENV, platform: 'r8a774a1' },
    sources: [
      'u-boot v2025.01 configs/hihope_rzg2_defconfig', ...RCAR_GEN3_SOURCES,
      'Linux DTB from Debian\'s 6.1 kernel package; the R-Car H3 board below is compiled from U-Boot\'s dts/upstream, Debian ships no R-Car H3/M3 board DTB',
    ],
  },
  {
    name: 'salvator-xs-h3',
    description: 'Renesas Salvator-XS with R-Car H3 ES2.0+ (r8a77951), 4 GiB: 896 MiB at 0x48000000 and 1 GiB each at 0x500000000, 0x600000000, 0x700000000',
    dtb: 'r8a77951-salvator-xs.dtb', compatible: 'renesas,salvator-xs',
    banks: [
      { start: 0x48000000, size: 0x38000000 }, { start: 0x500000000, size: 0x40000000 },
      { start: 0x600000000, size: 0x40000000 }, { start: 0x700000000, size: 0x40000000 },
    ],
    reserved: [], pcpus: 8, uart: '/soc/serial@e6e88000',
    ubootVersion: '2025.01', defconfig: 'rcar3_salvator-x_defconfig',
    build: RCAR_GEN3_BUILD, fdtOverlay: true, net: 'legacy', hush: 'old', recognise: true,
    env: { ...RCAR_GEN3_ENV, platform: 'r8a7795' },
    sources: [
      'u-boot v2025.01 configs/rcar3_salvator-x_defconfig (DEFAULT_DEVICE_TREE renesas/r8a77951-salvator-x, one DTB per SoC of a multi-DTB FIT: board/renesas/salvator-x/salvator-x.c)',
      ...RCAR_GEN3_SOURCES, 'u-boot v2025.01 board/renesas/salvator-x/Kconfig, include/configs/salvator-x.h',
      'DTB: u-boot v2025.01 dts/upstream/src/arm64/renesas/r8a77951-salvator-xs.dts (Linux\'s DTS, OF_UPSTREAM) compiled with cpp and dtc (boards/README.md)',
    ],
  },
];

export const boardNames = (): string[] => BOARDS.map((b) => b.name);

export const boardByName = (name: string): BoardEntry | undefined => BOARDS.find((b) => b.name === name);

/** The profile whose `compatible` is the DTB's first root compatible, if any. */
export function boardByDtb(dtb: Uint8Array): BoardEntry | undefined {
  const compat = getprop(dtb, 0, 'compatible');
  if (isFdtErr(compat)) return undefined;
  const first = Buffer.from(compat.buffer, compat.byteOffset, compat.length).toString('latin1').split('\0')[0];
  return BOARDS.find((b) => b.recognise && b.compatible === first);
}

/** Where U-Boot relocates itself: the top of the lowest bank, never above 4 GiB. */
export function ramTop(banks: readonly BoardBank[]): number {
  const first = [...banks].sort((a, b) => a.start - b.start)[0]!;
  return Math.min(first.start + first.size, SZ_4G);
}

/** U-Boot's window [start, end) below ramTop: its heap plus UBOOT_OVERHEAD_BYTES, in 2 MiB sections. */
export function ubootWindow(entry: BoardEntry, banks: readonly BoardBank[] = entry.banks): { start: number; end: number } {
  const top = ramTop(banks);
  return { start: top - (entry.windowBytes ?? alignUp(entry.build.mallocLen + UBOOT_OVERHEAD_BYTES, SZ_2M)), end: top };
}

/** /chosen stdout-path without its `:options`, an alias resolved to its path. */
export function consoleUartPath(dtb: Uint8Array): string | undefined {
  const chosen = pathOffset(dtb, '/chosen');
  if (isFdtErr(chosen)) return undefined;
  const sp = getprop(dtb, chosen, 'stdout-path');
  if (isFdtErr(sp)) return undefined;
  const value = Buffer.from(sp.buffer, sp.byteOffset, sp.length).toString('latin1').replace(/\0.*$/s, '').split(':')[0]!;
  if (value.startsWith('/')) return value;
  const aliases = pathOffset(dtb, '/aliases');
  if (isFdtErr(aliases)) return undefined;
  const target = getprop(dtb, aliases, value);
  return isFdtErr(target) ? undefined : Buffer.from(target.buffer, target.byteOffset, target.length).toString('latin1').replace(/\0.*$/s, '');
}

/** `cpu@` (or `cpu`) children of /cpus. */
export function countCpus(dtb: Uint8Array): number {
  const cpus = pathOffset(dtb, '/cpus');
  if (isFdtErr(cpus)) return 0;
  let n = 0;
  for (const c of subnodes(dtb, cpus)) {
    const name = getName(dtb, c);
    if (!isFdtErr(name) && (name === 'cpu' || name.startsWith('cpu@'))) n++;
  }
  return n;
}
