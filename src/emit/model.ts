// BootPlan → ScriptModel: what templates/ renders, as plain data (numbers, names, lists). Nothing
// here is U-Boot syntax: the templates and their helpers (helpers.ts) decide every word and
// every number's format. README "Templates" documents these fields for template authors.
import type { BootCmd, DomUConfig } from '../config/types.js';
import type { BootPlan, LoadRole, PlannedLoad } from '../plan/types.js';
import { cpupoolModels, domUCpuModel, xenBootargs, type CpupoolModel, type DomUCpuModel } from './cpu-model.js';

/**
 * A boot module in RAM: its address and the size written in its `reg`, and its load's id (with
 * -s the script's `<id>_addr` / `<id>_size` variables hold the real values, and `addr` is the
 * generation-time address ImageBuilder names the node after).
 */
export interface ModuleModel { addr: number; size: number; id: string }

export interface LoadModel {
  /** The load command for this file (LOAD_CMD, or DOM0_LOAD / DOMU_LOAD[n] / XEN_LOAD). */
  cmd: string;
  addr: number;
  /** Path as the board's load command sees it (relative to the -d folder when inside it, after the -p prefix). */
  file: string;
  /** dom0_linux, dom0_ramdisk, domU<n>_kernel, domU<n>_ramdisk, domU<n>_fdt, host_kernel, host_fdt. */
  id: string;
  role: LoadRole;
  /** Config keys this load serves (more than one when identical files are shared). */
  keys: string[];
  /** Bytes on the wire. */
  size: number;
}

export interface Dom0Model { kernel: ModuleModel; ramdisk: ModuleModel | null; bootargs: string }

export interface DomUModel {
  /** n of DOMU_*[n]. */
  index: number;
  /** The /chosen child name, `domU<n>`. */
  name: string;
  /** false for DOMU_NOBOOT / DOMU_ROOTFS domUs: no node, but their passthrough paths are still marked. */
  boot: boolean;
  /** DOMU_PASSTHROUGH_PATHS[n], split on blanks. */
  passthroughPaths: string[];
  /** DOMU_MEM[n] in KiB (Xen's `memory` unit). */
  memKiB: number;
  vcpus: number;
  vpl011: boolean;
  /** --dialect xilinx with DOMU_VUART_PL011=1: the string vpl011 holds ("pl011"); null: the plain flag. */
  vpl011Value: string | null;
  /** --dialect xilinx, DOMU_VIOMMU[n]=1: the boolean viommu property. */
  viommu: boolean;
  /** `xen,enhanced` value, or null for none. */
  enhanced: string | null;
  /** null when the domU is not booted. */
  kernel: ModuleModel | null;
  ramdisk: ModuleModel | null;
  passthroughDtb: ModuleModel | null;
  bootargs: string;
  /** Capabilities, cache colours, vCPU hard affinity (cpu-model.ts). */
  cpu: DomUCpuModel;
  /** DOMU_NR_SPIS, DOMU_GRANT_*, DOMU_TRAP_UNMAP, DOMU_DOMID, DOMU_PASSTHROUGH_PROP, DOMU_P2M_MEM_MB [n]; null when unset. */
  props: DomUPropsModel;
  /** DOMU_STATIC_MEM[n]: bank bases and sizes in order (base, size, base, size ...), and direct-map. */
  staticMem: { values: number[]; directMap: boolean } | null;
  /** DOMU_SHARED_MEM[n]: node name, xen,shm-id and the values of xen,shared-mem ([host,] guest, size). */
  sharedMem: { node: string; id: string; values: number[] } | null;
  /** DOMU_STATIC_EVTCHNS[n]: local port, this node's phandle and the peer's. */
  evtchns: Array<{ port: number; phandle: number; remotePhandle: number }>;
}

export interface DomUPropsModel {
  nrSpis: number | null; grantVersion: number | null; grantFrames: number | null; maptrackFrames: number | null;
  trapUnmap: number | null; domid: number | null; passthrough: string | null; p2mMemMB: number | null;
}

export interface ScriptModel {
  loads: LoadModel[];
  /**
   * The board DTB: where it is loaded, the exact bytes `fdt resize` adds, whether /chosen must be
   * created, and whether it is U-Boot's control DTB (-s without DEVICE_TREE: `${fdtcontroladdr}`, not loaded).
   */
  dtb: { addr: number; resize: number; createChosen: boolean; control: boolean };
  /** DT_OVERLAY[i] in order: where each is loaded (`id` names its -s address variable), applied after `fdt resize`. */
  overlays: Array<{ addr: number; id: string }>;
  /** Where Xen is loaded (in Linux-only mode: the Linux kernel), and its command line (`xen,xen-bootargs`). */
  xen: { addr: number; bootargs: string };
  /**
   * Linux-only mode (null otherwise): `/chosen bootargs`, and LINUX_RAMDISK's extent for
   * linux,initrd-start/-end (`wide` when an end lies past 4 GiB: then each is written as two cells).
   */
  linux: { bootargs: string; ramdisk: { start: number; end: number; wide: boolean } | null } | null;
  /** XEN_POLICY's module, or null. */
  xenPolicy: ModuleModel | null;
  dom0: Dom0Model | null;
  /** Every domU of the config in index order, booted or not. */
  domUs: DomUModel[];
  bootCmd: BootCmd;
  /** XEN_STATIC_HEAP as written: base, size, base, size ... (empty when unset). */
  staticHeap: number[];
  /** APPEND_EXTRA_CMDS contents without its final newline ('' when unset). */
  extraCmds: string;
  /**
   * -s: U-Boot computes the addresses at boot, starting at `memaddr` (every load's `addr` is then
   * the generation-time address ImageBuilder writes in node names: `memaddr` + 2 MiB per file). null without -s.
   */
  runtime: { memaddr: number } | null;
  /** FIT mode: every file is extracted from the FIT (`imxtract`, each load's `id` is its FIT image name). */
  fit: boolean;
  /** DBG_FDT_PRINT_CHOSEN: `fdt print /chosen` before the boot command. */
  printChosen: boolean;
  /** Boot-time cpupools, in CPUPOOL order (cpu-model.ts). */
  cpupools: CpupoolModel[];
}

/** What templates/hint.hbs renders: the prompt command that fetches and runs the script. */
export interface HintModel {
  loadCmd: string; scriptAddr: number; scriptFile: string;
  /** FIT mode: the FIT file and where it is loaded (after every binary); the script is its image boot_scr. */
  fit?: { file: string; addr: number } | null;
}

/** `-p PREFIX`: the name the board's load command asks for (ImageBuilder's `PREFIX/file`). */
export const boardFileName = (prependPath: string | undefined, file: string): string =>
  (prependPath === undefined ? file : `${prependPath}/${file}`);

/** ImageBuilder's -s step between generation-time addresses: each file advances `memaddr` by 2 MiB. */
const RUNTIME_NAME_STEP = 0x200000;

export function buildScriptModel(plan: BootPlan): ScriptModel {
  const dom0 = plan.domains.find((d) => d.kind === 'dom0');
  const first = plan.loads[0]?.addr ?? plan.scriptAddr;
  // With -s the script holds no real address: nodes are named after ImageBuilder's generation-time one.
  const shownAddr = new Map(plan.loads.map((l, i) => [l, plan.config.runtimeSizing ? first + i * RUNTIME_NAME_STEP : l.addr]));
  const addrOf = (l: PlannedLoad): number => shownAddr.get(l) ?? l.addr;
  const module = (l: PlannedLoad | undefined): ModuleModel | null => (l ? { addr: addrOf(l), size: l.regSize, id: l.id } : null);
  return {
    loads: plan.loads.map((l) => ({ cmd: l.loadCmd, addr: addrOf(l), file: boardFileName(plan.config.prependPath, l.file), id: l.id, role: l.role, keys: [...l.keys], size: l.transferSize })),
    dtb: { addr: addrOf(plan.dtb.load), resize: plan.dtb.resizeExtra, createChosen: !plan.dtb.hasChosen, control: plan.dtb.control !== undefined },
    overlays: plan.loads.filter((l) => l.role === 'dt-overlay').map((l) => ({ addr: addrOf(l), id: l.id })),
    xen: { addr: addrOf(plan.xen.load), bootargs: xenBootargs(plan.config.xenCmd, plan.config.xenCmdDefaulted, plan.xenRelease, plan.config.domUs.some((d) => d.cpu?.colours) || plan.config.cpu?.xenColours !== undefined) },
    linux: plan.linux ? { bootargs: plan.linux.cmd, ramdisk: linuxInitrd(plan.linux.ramdisk) } : null,
    xenPolicy: module(plan.loads.find((l) => l.role === 'xen-policy')),
    dom0: dom0 ? { kernel: module(dom0.kernel)!, ramdisk: module(dom0.ramdisk), bootargs: dom0.cmd } : null,
    domUs: plan.config.domUs.map((du) => {
      const d = du.boot ? plan.domains.find((x) => x.kind === 'domU' && x.index === du.index) : undefined;
      return {
        index: du.index, name: `domU${du.index}`, boot: d !== undefined, passthroughPaths: [...du.passthroughPaths],
        memKiB: du.staticMem ? du.staticMem.memKiB : du.memMB * 1024, vcpus: du.vcpus, vpl011: du.vpl011, vpl011Value: du.vpl011Value ?? null, viommu: du.viommu === true, enhanced: du.enhanced ?? null,
        kernel: module(d?.kernel), ramdisk: module(d?.ramdisk), passthroughDtb: module(d?.passthroughDtb), bootargs: du.cmd,
        props: {
          nrSpis: du.props.nrSpis ?? null, grantVersion: du.props.grantVersion ?? null, grantFrames: du.props.grantFrames ?? null,
          maptrackFrames: du.props.maptrackFrames ?? null, trapUnmap: du.props.trapUnmap ?? null, domid: du.props.domid ?? null,
          passthrough: du.props.passthrough ?? null, p2mMemMB: du.props.p2mMemMB ?? null,
        },
        ...memoryKeysModel(du),
        cpu: domUCpuModel(du, plan.xenRelease),
      };
    }),
    bootCmd: plan.bootCmd,
    staticHeap: (plan.config.staticHeap ?? []).flatMap((b) => [b.start, b.size]),
    extraCmds: plan.extraCmds === undefined ? '' : plan.extraCmds.replace(/\n$/, ''),
    runtime: plan.config.runtimeSizing ? { memaddr: first } : null,
    fit: plan.config.fit !== undefined,
    printChosen: plan.config.dbgFdtPrintChosen,
    cpupools: cpupoolModels(plan.cpupools),
  };
}

/** LINUX_RAMDISK as linux_device_tree_editing() writes it: start and end (start + file size). */
function linuxInitrd(l: PlannedLoad | undefined): NonNullable<ScriptModel['linux']>['ramdisk'] {
  if (!l) return null;
  const end = l.addr + l.transferSize;
  return { start: l.addr, end, wide: end > 0xffffffff };
}

/** The per-domU fields of the memory keys (DOMU_STATIC_MEM, DOMU_SHARED_MEM, DOMU_STATIC_EVTCHNS). */
function memoryKeysModel(du: DomUConfig): Pick<DomUModel, 'staticMem' | 'sharedMem' | 'evtchns'> {
  const sm = du.staticMem;
  const sh = du.sharedMem;
  return {
    staticMem: sm ? { values: sm.banks.flatMap((b) => [b.start, b.size]), directMap: sm.directMap } : null,
    sharedMem: sh ? {
      node: sh.hostAddrText !== undefined ? `shared-mem@${sh.hostAddrText}` : `shared-mem-${sh.id}`, id: sh.id,
      values: [...(sh.hostAddr !== undefined ? [sh.hostAddr] : []), sh.guestAddr, sh.size],
    } : null,
    evtchns: (du.evtchns ?? []).map((e) => ({ port: e.port, phandle: e.phandle, remotePhandle: e.remotePhandle })),
  };
}

/** `fitAddr`: where the FIT is loaded (FIT mode only). */
export function buildHintModel(plan: BootPlan, fitAddr?: number): HintModel {
  const fit = plan.config.fit && fitAddr !== undefined ? { file: boardFileName(plan.config.prependPath, plan.config.fit.file.value), addr: fitAddr } : null;
  return {
    loadCmd: plan.config.loadCmd ?? plan.config.xenLoad, scriptAddr: plan.scriptAddr,
    scriptFile: boardFileName(plan.config.prependPath, plan.config.ubootScript.value), fit,
  };
}
