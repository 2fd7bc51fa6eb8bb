// The plan: every binary's place in RAM and the domains that use them. Pure data; src/emit
// renders it through templates/ into boot.source, src/cli prints it.
import type { BootCmd, Config, Diagnostic, FileRef } from '../config/types.js';
import type { DomUProps } from '../config/domain-props.js';
import type { ImageFormatId } from '../images/format.js';
import type { StaticRegion } from './static-mem.js';
import type { PlannedCpupool } from './cpupools.js';

export interface Region {
  start: number;
  /** Exclusive end. */
  end: number;
  /** What holds this region, e.g. "/reserved-memory/optee@7e000000" or "U-Boot". */
  label: string;
}

export type LoadRole =
  | 'dom0-kernel' | 'dom0-ramdisk'
  | 'domU-kernel' | 'domU-ramdisk' | 'domU-dtb'
  | 'xen' | 'xen-policy' | 'dt-overlay' | 'dtb' | 'bitstream'
  /** Linux-only mode: LINUX (in Xen's place, `host_kernel`) and LINUX_RAMDISK (`host_ramdisk`). */
  | 'linux' | 'linux-ramdisk';

/** One file loaded into RAM by the script. */
export interface PlannedLoad {
  /** Stable id, also the ImageBuilder FIT/-s name: dom0_linux, dom0_ramdisk, domU0_kernel, host_kernel, host_fdt ... */
  id: string;
  role: LoadRole;
  /** Config keys whose file this is; more than one when identical binaries are shared. */
  keys: string[];
  /** Path as written in the load command (relative to the -d directory when inside it). */
  file: string;
  /** Absolute path on this machine (not emitted). */
  absPath: string;
  loadCmd: string;
  addr: number;
  /** Bytes on the wire. */
  transferSize: number;
  /** Bytes occupied once booted (arm64 image_size incl. BSS, DTB after edits and U-Boot's pad). */
  footprint: number;
  /** Size written in the `reg` property of its module node (ImageBuilder: max(file, header size)). */
  regSize: number;
  /** [addr, reservedEnd) is kept free for this load (2 MiB aligned end). */
  reservedEnd: number;
  format: ImageFormatId;
  /** For gzip/uImage: the format inside. */
  inner?: ImageFormatId;
  /** Why the address is not simply the next free slot (reserved memory skipped, ...). */
  note?: string;
}

export interface PlannedDomain {
  /** 'dom0' or the /chosen child name 'domU<n>'. */
  name: string;
  kind: 'dom0' | 'domU';
  index?: number;
  kernel: PlannedLoad;
  ramdisk?: PlannedLoad;
  passthroughDtb?: PlannedLoad;
  memMB?: number;
  vcpus?: number;
  cmd: string;
  /** A domU's per-domain properties (nr_spis, grant limits, domid, ...), when any is set. */
  props?: DomUProps;
}

export interface DtbPlan {
  load: PlannedLoad;
  /** totalsize of the file. */
  originalSize: number;
  /** Bytes the script's `fdt` edits add to the structure and strings blocks. */
  growth: number;
  /** The N of `fdt resize N`. */
  resizeExtra: number;
  /** totalsize after `fdt resize N` at this address. */
  resizedSize: number;
  /** Space booti may add in place (CONFIG_SYS_FDT_PAD). */
  bootPad: number;
  /** The board DTB has /chosen (else the script creates it first). */
  hasChosen: boolean;
  /**
   * With -s and no DEVICE_TREE: the script edits U-Boot's control DTB in place (`load` then stands
   * for that blob at `${fdtcontroladdr}`, and is not among the plan's loads). Undefined otherwise.
   */
  control?: { file: string; bytes: Uint8Array };
}

/** Linux-only mode: the kernel booted directly (it is also `xen.load`, the image the boot command starts). */
export interface LinuxPlan {
  kernel: PlannedLoad;
  ramdisk?: PlannedLoad;
  /** `/chosen bootargs`. */
  cmd: string;
}

/** The image the boot command starts: Xen, or in Linux-only mode the Linux kernel (BootPlan.linux). */
export interface XenPlan {
  load: PlannedLoad;
  /** Where booti/bootm runs Xen (after U-Boot's relocation rule). */
  runAddr: number;
  /** Xen's header image_size (incl. BSS): [runAddr, runAddr+imageSize) is Xen once running. */
  imageSize: number;
  /** For bootm: the uImage wrapper of XEN, an output written beside boot.scr. */
  uimage?: { file: string; absPath: string; bytes: Uint8Array };
}

/**
 * A file the run makes before planning and loads like one the config names (a domU's passthrough
 * DTB compiled from PASSTHROUGH_DTS_REPO): planned from these bytes, written with the outputs.
 */
export interface GeneratedInput {
  ref: FileRef;
  absPath: string;
  bytes: Uint8Array;
  /** The files it was made from (for --depfile). */
  sources: string[];
}

export interface BootPlan {
  config: Config;
  /** The -d directory all paths are relative to. */
  dir: string;
  memoryStart: number;
  memoryEnd: number;
  /** Where boot.scr is meant to be loaded (ImageBuilder's uboot_addr). */
  scriptAddr: number;
  /** All loads in script order. */
  loads: PlannedLoad[];
  xen: XenPlan;
  /** Linux-only mode (LINUX without XEN): no Xen and no domains; `xen` then describes the Linux kernel. */
  linux?: LinuxPlan;
  dtb: DtbPlan;
  domains: PlannedDomain[];
  bootCmd: BootCmd;
  /** APPEND_EXTRA_CMDS contents, appended to the script as they are. */
  extraCmds?: string;
  /** Regions the planner kept clear: DTB reservations, U-Boot's area, fixed relocation targets. */
  avoided: Region[];
  /** RAM banks assumed (from the DTB's /memory, else MEMORY_START..END). */
  ram: Region[];
  /** The board the plan is for: a known board (src/boards) recognised in the DTB, its console UART and U-Boot's window there. */
  board: { profile?: string; uart?: string; ubootWindow?: Region };
  /** Static memory, static heap and static shared memory ranges (src/plan/static-mem.ts). */
  staticRegions: StaticRegion[];
  /** End of the last reserved region (everything lies below this). */
  highWater: number;
  diagnostics: Diagnostic[];
  /** Boot-time cpupools as the script creates them (src/plan/cpupools.ts); empty without NUM_CPUPOOLS. */
  cpupools: PlannedCpupool[];
  /** The Xen release the plan is made for (what the Xen image or --xen-version says), e.g. "4.17.5". */
  xenRelease: string;
  /** Files made for this run and loaded by the script (passthrough DTBs from partial device trees). */
  generated?: GeneratedInput[];
}

export interface PlanOptions {
  /** Share identical kernels/ramdisks between domains (default true). */
  share?: boolean;
  /** `--board FILE.dtb`: the board's control DTB, for a config with no DEVICE_TREE (default: QEMU virt arm64, 2 GiB). */
  board?: string;
  /** Size of U-Boot's own area at the top of RAM (default 36 MiB). */
  ubootReserve?: number;
  /** CONFIG_SYS_FDT_PAD of the target U-Boot (default 0x3000). */
  fdtPad?: number;
  /** SOURCE_DATE_EPOCH value for generated uImages (xen.ub). */
  timestamp?: number;
  /** --xen-version: the Xen release planned for, instead of the one the XEN image names. */
  xenVersion?: string;
  /** --xen-config: the build's .config, for a Xen image without an embedded one. */
  xenConfig?: string;
}
