// The typed result of reading an ImageBuilder config. Everything the planner needs,
// already defaulted and cross-checked the way ImageBuilder's `uboot-script-gen` does it
// (xen_config() / xen_file_loading()), but with no file-system access: paths stay
// exactly as written, and the caller resolves them against the -d directory.
import type { DiagnosticCode } from '../errors.js';
import type { DomUProps } from './domain-props.js';
import type { DomUSharedMem, DomUStaticMem, MemBank, StaticEvtchn } from './static-mem.js';
import type { CpuConfig, DomUCpuConfig } from './cpu.js';

/** A position in a config file. `line` and `col` are 1-based; `col` counts UTF-16 units. */
export interface SourcePos {
  file: string;
  line: number;
  col: number;
}

/**
 * A file named by the config. `value` is the path as written (after quote removal and
 * variable expansion), `key` the ImageBuilder key that named it (e.g. 'DOMU_KERNEL[1]'),
 * `where` the position of the first character of the value. Values that come from the
 * command line (-o) point at `{ file: '<command line>', line: 0, col: 0 }`; a value derived
 * from another key (UBOOT_SCRIPT from UBOOT_SOURCE) points at that key's value.
 */
export interface FileRef {
  value: string;
  key: string;
  where: SourcePos;
}

/** FIT / FIT_ENC_KEY_DIR / FIT_ENC_UB_DTB after the -f / -k / -u overrides. */
export interface FitConfig {
  /** The FIT image file (`FIT`, or `${UBOOT_SOURCE%.source}.fit` with -f). */
  file: FileRef;
  /** `${FIT%.fit}.its`. */
  its: string;
  /** FIT_ENC_KEY_DIR split as ImageBuilder does: the folder up to the last slash (plus a slash) and the name after it. */
  signing?: { keyDir: string; keyHint: string; where: SourcePos };
  /** FIT_ENC_UB_DTB: U-Boot's DTB, which receives the public key (mkimage -K). */
  ubootDtb?: FileRef;
}

/** Non-fatal findings; errors are thrown as ConfigError instead. */
export interface Diagnostic {
  level: 'warning' | 'info';
  /** Stable identifier from the codes table (src/errors.ts), e.g. 'CONFIG_UNKNOWN_KEY'. */
  code: DiagnosticCode;
  message: string;
  where?: SourcePos;
  /** The config key the finding is about, e.g. 'DOMU_PASSTHROUGH_PATHS[0]'. */
  key?: string;
  /** How to address it. */
  hint?: string;
}

export type BootCmd = 'booti' | 'bootm' | 'bootz' | 'bootefi' | 'none';

/** `xen,enhanced` value of a domU node; undefined means the property is not emitted. */
export type DomUEnhanced = 'enabled' | 'no-xenstore';

export interface Dom0Config {
  kernel: FileRef;
  ramdisk?: FileRef;
  /** DOM0_RAMDISK-less root: DOM0_ROOTFS only drives the `root=` guess (disk_image owns the file). */
  rootfs?: FileRef;
  /** Final dom0 bootargs (`/chosen xen,dom0-bootargs`), `root=` already appended when ImageBuilder would. */
  cmd: string;
  /** True when DOM0_CMD was unset/empty and the ImageBuilder default was used. */
  cmdDefaulted: boolean;
  /** Load command for DOM0_KERNEL and DOM0_RAMDISK: DOM0_LOAD, else LOAD_CMD. */
  load: string;
}

/**
 * Linux-only mode (LINUX set, XEN not; ImageBuilder's linux_config() / linux_file_loading(), Xilinx
 * branches since 2021-09): the kernel is booted directly with the board DTB, no Xen and no domains.
 */
export interface LinuxConfig {
  kernel: FileRef;
  /** LINUX_RAMDISK: loaded after the kernel, its extent written to /chosen linux,initrd-start/-end. */
  ramdisk?: FileRef;
  /** LINUX_ROOTFS: not loaded; it only drives the `root=` guess from LOAD_CMD (disk_image owns the file). */
  rootfs?: FileRef;
  /** Final `/chosen bootargs`, `root=` already appended when ImageBuilder would. */
  cmd: string;
  /** True when LINUX_CMD was unset/empty and ImageBuilder's default was used. */
  cmdDefaulted: boolean;
}

export interface DomUConfig {
  /** n in DOMU_*[n]; also the node name suffix `/chosen/domU<n>`. */
  index: number;
  kernel: FileRef;
  ramdisk?: FileRef;
  passthroughDtb?: FileRef;
  /** DOMU_PASSTHROUGH_PATHS[n] split on whitespace (host DT paths that get `xen,passthrough`). */
  passthroughPaths: string[];
  /** Module `bootargs`: DOMU_CMD[n], else 'console=ttyAMA0', else '' when vpl011 is off. */
  cmd: string;
  cmdDefaulted: boolean;
  /** DOMU_MEM[n] in MiB; 512 when unset or 0. */
  memMB: number;
  /** DOMU_VCPUS[n]; 1 when unset. */
  vcpus: number;
  /** DOMU_VPL011[n] != 0 (default true). */
  vpl011: boolean;
  /** --dialect xilinx, DOMU_VUART_PL011=1: vpl011 is written as the string "pl011" (Xilinx's ImageBuilder). */
  vpl011Value?: 'pl011';
  /** --dialect xilinx, DOMU_VIOMMU[n]=1: the boolean property viommu (read by Xilinx's Xen only). */
  viommu?: true;
  enhanced?: DomUEnhanced;
  /** DOMU_GRANT_VER / GRANT_FRAMES / MAPTRACK_FRAMES / NR_SPIS / TRAP_UNMAP / DOMID / PASSTHROUGH_PROP / P2M_MEM_MB [n]. */
  props: DomUProps;
  /** DOMU_NOBOOT[n] is non-empty: the domU is not loaded and gets no node (passthrough paths still marked). */
  noboot: boolean;
  /** DOMU_ROOTFS[n]: the domU is skipped by uboot-script-gen (disk_image-only feature). */
  rootfs?: FileRef;
  /** True when this domU is loaded and gets a /chosen/domU<n> node (i.e. !noboot && !rootfs). */
  boot: boolean;
  /** Load command for this domU's files: DOMU_LOAD[n], else LOAD_CMD. */
  load: string;
  /** DOMU_STATIC_MEM[n] / DOMU_DIRECT_MAP[n] (src/config/static-mem.ts); `memory` is then the banks' sum. */
  staticMem?: DomUStaticMem;
  /** DOMU_SHARED_MEM[n]. */
  sharedMem?: DomUSharedMem;
  /** DOMU_STATIC_EVTCHNS[n], with ImageBuilder's phandles. */
  evtchns?: StaticEvtchn[];
  /** DOMU_CPUPOOL[n], DOMU_CAPS[n], DOMU_COLORS[n], DOMU_VCPU_HARD_AFFINITY[n,v] (src/config/cpu.ts). */
  cpu?: DomUCpuConfig;
}

/**
 * PASSTHROUGH_DTS_REPO / LOPPER_PATH: each domU's passthrough DTB is made at generation time from
 * partial device trees `<node>.dts`, one per DOMU_PASSTHROUGH_PATHS[n] entry (ImageBuilder
 * compile_merge_partial_dts(), scripts/common on xlnx_rel_v2023.2).
 */
export interface PartialDtsConfig {
  /**
   * Where the `<node>.dts` files come from: a folder (PASSTHROUGH_DTS_REPO "DIR [SUBDIR]", relative
   * to the -d folder), or lopper run on DEVICE_TREE (argv words of LOPPER_PATH and LOPPER_CMD).
   */
  source:
    | { kind: 'repo'; folder: string; key: 'PASSTHROUGH_DTS_REPO'; where: SourcePos }
    | { kind: 'lopper'; command: string[]; extractArgs: string[]; key: 'LOPPER_PATH'; where: SourcePos };
  /** Every domU (NOBOOT ones included, as ImageBuilder compiles them all), in index order. */
  domUs: Array<{
    index: number;
    /** DOMU_PASSTHROUGH_PATHS[n], split on whitespace. */
    paths: string[];
    /** Position of DOMU_PASSTHROUGH_PATHS[n]'s value. */
    pathsWhere: SourcePos;
    /** The DTB made for it; the same object is the domU's `passthroughDtb`. */
    dtb: FileRef;
  }>;
}

export interface Config {
  /** The config file as given to loadConfig()/parseConfigText(). */
  configFile: string;
  /** MEMORY_START (0 when unset, bash arithmetic). */
  memoryStart: number;
  /** MEMORY_END (required). */
  memoryEnd: number;
  deviceTree?: FileRef;
  /**
   * The image the boot command starts: XEN, or in Linux-only mode (`linux` set) the LINUX kernel,
   * which takes Xen's place in ImageBuilder's script (`host_kernel`, `booti <it> - <dtb>`).
   */
  xen: FileRef;
  /** Linux-only mode: set when LINUX is and XEN is not; then there is no dom0, no domU and no Xen command line. */
  linux?: LinuxConfig;
  /** Final Xen command line (`/chosen xen,xen-bootargs`), exactly as ImageBuilder builds it, spacing included. */
  xenCmd: string;
  /** True when XEN_CMD was unset/empty and ImageBuilder's default line was built. */
  xenCmdDefaulted: boolean;
  /** Absent in a "true dom0less" config. */
  dom0?: Dom0Config;
  /** One entry per n < NUM_DOMUS, in index order (skipped domUs included, with boot=false). */
  domUs: DomUConfig[];
  /** LOAD_CMD after the -t override and its aliases (tftp → tftpb, sd → load mmc 0:1 ...); undefined if none. */
  loadCmd?: string;
  /** Load command for XEN (or LINUX and LINUX_RAMDISK) and DEVICE_TREE: XEN_LOAD, else LOAD_CMD (Linux-only mode: LOAD_CMD). */
  xenLoad: string;
  bootCmd: BootCmd;
  /** UBOOT_SOURCE (or `<-o name>.source`). */
  ubootSource: FileRef;
  /** UBOOT_SCRIPT (or `<-o name>.scr`, or `${UBOOT_SOURCE%.source}.scr`). */
  ubootScript: FileRef;
  appendExtraCmds?: FileRef;
  /** BITSTREAM: loaded after the DTB and programmed with `fpga load 0`. */
  bitstream?: FileRef;
  /** DT_OVERLAY[0..NUM_DT_OVERLAY-1]: loaded after Xen and applied with `fdt apply` right after `fdt resize`. */
  dtOverlays?: FileRef[];
  /** FDTEDIT: where to write the board DTB as the script's fdt edits leave it (relative to the -d folder). */
  fdtEdit?: FileRef;
  /**
   * `-p PREPEND_PATH`: written before every loaded file's name (`PREFIX/file`) and before the
   * script's name in the final hint, as ImageBuilder does; trailing slashes removed. Undefined: none.
   */
  prependPath?: string;
  /**
   * `-s`: U-Boot computes every load address and `reg` at boot from `${filesize}` (ImageBuilder's
   * CALC mode): the script loads each file at `${memaddr}` and advances it to the next 2 MiB.
   */
  runtimeSizing: boolean;
  /** FIT mode (FIT or -f): everything in one FIT image, the script run as `source ADDR:boot_scr`. */
  fit?: FitConfig;
  /** XEN_POLICY: the XSM (FLASK) policy, loaded after XEN as a `xen,xsm-policy` module. */
  xenPolicy?: FileRef;
  /** DBG_FDT_PRINT_CHOSEN is set: the script prints /chosen (`fdt print /chosen`) before it boots. */
  dbgFdtPrintChosen: boolean;
  /** XEN_STATIC_HEAP: Xen's heap is these banks and nothing else. */
  staticHeap?: MemBank[];
  /** The first phandle ImageBuilder has not used for static event channels (cpupools continue from it). */
  nextPhandle?: number;
  /** Boot-time cpupools and the colour keys of Xen and dom0 (src/config/cpu.ts). */
  cpu?: CpuConfig;
  /** PASSTHROUGH_DTS_REPO or LOPPER_PATH: the domUs' passthrough DTBs are compiled from partial device trees. */
  partialDts?: PartialDtsConfig;
  /** Where each key's value was written (`MEMORY_END`, `DOMU_PASSTHROUGH_PATHS[1]`, ...), for findings about derived values. */
  positions: Readonly<Record<string, SourcePos>>;
}
