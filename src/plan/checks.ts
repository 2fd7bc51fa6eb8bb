// Stage 4 of the planner, checks: a table in the style of dtc's checks.c. Each check has a name,
// the code its findings carry, a severity and the fix to suggest; it runs at one stage (on the
// collected inputs, or on the finished plan) and returns findings, each naming the config key it
// is about. The runner turns an error finding into a thrown UbootGenError and the others into
// diagnostics, both positioned at that key's value in the config (file:line:col).
import { hexUpper, humanSize } from '../util/hex.js';
import { rangesOverlap } from '../util/align.js';
import { ConfigError, ImageFormatError, PlanError, UbootGenError, type DiagnosticCode, type ErrorCode, type Where } from '../errors.js';
import type { Diagnostic, DomUConfig, SourcePos } from '../config/types.js';
import { IH_ARCH_ARM64 } from '../images/uimage.js';
import { getPath, nodeCheckCompatible, walkNodes } from '../fdt/ro.js';
import { xenCmdWarnings } from '../xen-build/index.js';
import { domUModulesFit, kernelRoomBytes, smallestDomUMemMiB, type DomUFootprint, type GuestKernel } from '../xen-build/guest-memory.js';
import { domUDtbOverflow, domUDtbSize, hostDtFacts } from './guest-dtb.js';
import type { Collected, CollectedFile } from './collect.js';
import { XEN_MAX_FDT_SIZE } from './dtb.js';
import type { Placed } from './place.js';
import { runtimeLayoutProblem } from './runtime-layout.js';
import { staticBuildWarnings, staticHeapShortfall, staticOutsideRam, staticOverlaps, staticRegions } from './static-mem.js';
import { cpuFindings } from './cpupools.js';
import type { BootPlan } from './types.js';
import { DOMAIN_PROP_CHECKS } from './domain-checks.js';

/** MAX_MODULES of Xen on Arm (xen/include/xen/bootfdt.h): boot modules it registers, Xen and the DTB included. */
export const XEN_MAX_MODULES = 32;
/** The GICs Xen's gic-v2.c drives (DT_COMPAT_GIC_400, _CORTEX_A15, _CORTEX_A7), and the vCPUs a vGICv2 serves. */
const GIC_V2_COMPATIBLES = ['arm,gic-400', 'arm,cortex-a15-gic', 'arm,cortex-a7-gic'];
const VGIC_V2_MAX_VCPUS = 8;
/** Xen registers itself and the DTB as boot modules before any /chosen module node. */
const XEN_AND_DTB_MODULES = 2;

export type Severity = 'error' | 'warning' | 'info';

/**
 * The smallest change to the config that fixes a finding, when it can be computed: a new value
 * for a key (or a new name for a misspelt one). `where` is the position of the key's value (of
 * its name, for a rename); a key the config does not set yet is added after the line of `after`.
 */
export interface ConfigEdit {
  key: string;
  value?: string;
  renameTo?: string;
  where?: SourcePos;
  after?: SourcePos;
}

export interface Finding {
  /** The config key the finding is about; its value's position is where the finding points. */
  key: string;
  /** Another key to point at when `key` is not written in the config (it has its default). */
  at?: string;
  message: string;
  data?: Record<string, unknown>;
  /** A fix more precise than the check's own. */
  fix?: string;
  /** The config change that fixes it, when it is computable. */
  edit?: ConfigEdit;
}

/** What Xen will know of a domU's kernel, from the file's header and the `reg` the script writes. */
function guestKernel(f: CollectedFile, runtime: boolean): GuestKernel | undefined {
  const info = f.info;
  // The module size Xen reads from `reg`: ImageBuilder's max(file, header size), or ${filesize} with -s.
  const reg = runtime ? info.transferSize : info.footprint;
  if (info.format === 'arm64-image' && info.arm64) return { len: reg, textOffset: info.arm64.textOffset, is64: true, zimageStart: 0 };
  if (info.format === 'gzip' && info.inner === 'arm64-image' && info.arm64 && info.gzip) {
    // kernel_decompress() replaces the module by the inflated copy, ISIZE bytes.
    return { len: info.gzip.isize, textOffset: info.arm64.textOffset, is64: true, zimageStart: 0 };
  }
  if (info.format === 'uimage' && info.uimage && info.uimage.comp === 0) {
    return { len: info.uimage.size, textOffset: 0, is64: info.uimage.arch === IH_ARCH_ARM64, zimageStart: info.uimage.load };
  }
  if (info.format === 'zimage' && info.zimage) return { len: info.zimage.size, textOffset: 0, is64: false, zimageStart: info.zimage.start };
  return undefined;
}

/** The bytes a domU's first RAM bank must hold besides free memory, as Xen will see them. */
export function domUFootprint(c: Collected, du: DomUConfig): DomUFootprint | undefined {
  const kernel = c.files.find((f) => f.id === `domU${du.index}_kernel`);
  const kinfo = kernel && guestKernel(kernel, c.config.runtimeSizing);
  if (!kinfo) return undefined;
  const rd = c.files.find((f) => f.id === `domU${du.index}_ramdisk`);
  const initrdLen = rd ? (c.config.runtimeSizing ? rd.info.transferSize : rd.info.footprint) : 0;
  const dtbSize = domUDtbSize(du, hostDtFacts(c.dtb.bytes), c.xenBuild.release.minor);
  return { kernel: kinfo, initrdLen, dtbSize };
}

export interface InputContext { collected: Collected }
export interface PlanContext extends InputContext { placed: Placed; plan: BootPlan }

/** Codes of findings that are never errors (diagnostics only). */
export type PlanDiagnosticCode = 'PLAN_BOOT_CMD' | 'PLAN_XEN_FIXED' | 'PLAN_TOO_MANY_MODULES' | 'PLAN_DTUART_NOT_CONSOLE' | 'PLAN_XEN_BUILD' | 'PLAN_XEN_IGNORES_KEY' | 'PLAN_XEN_REFUSES_VALUE' | 'PLAN_NULL_OVERCOMMIT';

interface CheckInfo {
  /** Stable name, as dtc names its checks. */
  name: string;
  code: ErrorCode | PlanDiagnosticCode;
  severity: Severity;
  fix: string;
}

export type Check = CheckInfo & (
  | { stage: 'input'; run(ctx: InputContext): Finding[] }
  | { stage: 'plan'; run(ctx: PlanContext): Finding[] }
);

const loadKey = (keys: readonly string[]): string => keys[0] ?? 'DEVICE_TREE';

/**
 * The cpupools' findings, worked out once per plan: three checks report their three parts
 * (warnings, the first panic, null-scheduler overcommits).
 */
const cpuFindingsMemo = new WeakMap<Collected, ReturnType<typeof cpuFindings>>();
function cpuFindingsOf(c: Collected): ReturnType<typeof cpuFindings> {
  let f = cpuFindingsMemo.get(c);
  if (!f) {
    f = 'pools' in c.cpupools ? cpuFindings(c.config, c.dtb.bytes, c.xenBuild, c.cpupools.pools) : { errors: [], warnings: [], nullOvercommit: [] };
    cpuFindingsMemo.set(c, f);
  }
  return f;
}

export const CHECKS: readonly Check[] = [
  {
    name: 'boot-cmd-simulated', code: 'PLAN_BOOT_CMD', severity: 'info', stage: 'input',
    fix: 'use BOOT_CMD=booti, bootm or bootz to have the boot verified',
    run: ({ collected: { config } }) => (config.bootCmd === 'none'
      ? [{ key: 'BOOT_CMD', message: 'BOOT_CMD=none: the script is verified to its end; the simulator boots only with --then and a boot command on ${host_kernel_addr} and ${host_fdt_addr}' }]
      : []),
  },
  {
    name: 'dtb-unedited', code: 'PLAN_DTB_EDITED', severity: 'error', stage: 'input',
    fix: 'pass the unedited board DTB',
    run: ({ collected: { dtb } }) => dtb.board.chosenChildren.filter((name) => /^(dom0|domU\d+)(@|$)/.test(name)).slice(0, 1).map((name) => ({
      key: 'DEVICE_TREE',
      message: `${dtb.label} already has /chosen/${name}: it looks edited by an earlier boot script, and creating that node again would fail with FDT_ERR_EXISTS`,
    })),
  },
  {
    name: 'xen-matches-boot-cmd', code: 'IMAGE_WRONG_TYPE', severity: 'error', stage: 'input',
    fix: 'set BOOT_CMD to the command that boots this Xen binary',
    run: ({ collected: { config, xen } }) => {
      const format = xen.info.format;
      const want = config.bootCmd === 'bootz' ? 'zimage' : config.bootCmd === 'booti' || config.bootCmd === 'bootm' ? 'arm64-image' : undefined;
      if (config.bootCmd === 'bootm' && format === 'zimage') return []; // arm32 Xen wrapped as an ARM uImage
      if (!want || format === want) return [];
      const is = format === 'zimage' ? 'an arm32 zImage' : format === 'arm64-image' ? 'an arm64 Image' : `a ${format} file`;
      return [{
        key: 'XEN', message: `BOOT_CMD=${config.bootCmd} cannot boot XEN "${config.xen.value}": it is ${is}`,
        fix: format === 'zimage' ? 'set BOOT_CMD=bootz' : format === 'arm64-image' ? 'set BOOT_CMD=booti' : 'give the Xen binary',
      }];
    },
  },
  {
    name: 'passthrough-paths-exist', code: 'CONFIG_PASSTHROUGH_PATH', severity: 'error', stage: 'input',
    fix: 'DOMU_PASSTHROUGH_PATHS entries must name existing nodes of DEVICE_TREE: a full path such as /soc/ethernet@ff0e0000, or an alias',
    run: ({ collected: { config, dtb } }) => config.domUs.flatMap((du) => du.passthroughPaths
      .filter((p) => !dtb.board.hasPath(p))
      .map((p): Finding => {
        const key = `DOMU_PASSTHROUGH_PATHS[${du.index}]`;
        // The smallest change: the node of the same name elsewhere in the tree, if there is one; else drop the path.
        const name = p.slice(p.lastIndexOf('/') + 1);
        const same = name ? nodePaths(dtb.bytes).filter((q) => q.slice(q.lastIndexOf('/') + 1) === name) : [];
        const replacement = same.length === 1 ? same[0] : undefined;
        const rest = du.passthroughPaths.map((q) => (q === p ? replacement : q)).filter((q): q is string => q !== undefined);
        return {
          key,
          message: `${key} names ${p}, but ${dtb.label} has no such node, so the script could not mark it xen,passthrough (${p.startsWith('/') ? 'FDT_ERR_NOTFOUND' : 'FDT_ERR_BADPATH'})`,
          data: { path: p },
          fix: replacement
            ? `write ${replacement}, the node of that name in ${dtb.label}`
            : `remove ${p} from ${key}, or pass the DTB of the board that has the device`,
          edit: { key, value: rest.join(' ') },
        };
      })).slice(0, 1),
  },
  {
    // The options of XEN_CMD this Xen build cannot honour (sched= of a scheduler it lacks: Xen says
    // "Could not find scheduler" and runs its default).
    name: 'xen-cmd-build', code: 'PLAN_XEN_BUILD', severity: 'warning', stage: 'input',
    fix: 'drop the option from XEN_CMD, or boot a Xen built with it',
    run: ({ collected: { config, xenBuild } }) => xenCmdWarnings(xenBuild.options, xenBuild.release.text, config.xenCmd)
      .map((w) => ({ key: w.key, message: w.message, fix: w.hint })),
  },
  {
    // ImageBuilder: fdtget DEVICE_TREE /cpus/<cpu> reg, else "/cpus/<cpu> does not exist".
    name: 'cpupool-cpus-exist', code: 'CONFIG_CPUPOOL_CPU', severity: 'error', stage: 'input',
    fix: 'name the CPUs as the board DTB does under /cpus (e.g. CPUPOOL[0]="cpu@1 null")',
    run: ({ collected: { cpupools } }) => ('problem' in cpupools ? [cpupools.problem] : []),
  },
  {
    // Cpupools, capabilities and vCPU affinity this Xen build does not honour (src/plan/cpupools.ts).
    name: 'cpu-keys-build', code: 'PLAN_XEN_BUILD', severity: 'warning', stage: 'input',
    fix: 'boot a Xen with the option or release the message names',
    run: ({ collected }) => cpuFindingsOf(collected).warnings,
  },
  {
    name: 'cpu-keys-panic', code: 'PLAN_CPU_PANIC', severity: 'error', stage: 'input',
    fix: 'change the key as the message says',
    run: ({ collected }) => cpuFindingsOf(collected).errors.slice(0, 1),
  },
  {
    name: 'null-scheduler-vcpus', code: 'PLAN_NULL_OVERCOMMIT', severity: 'warning', stage: 'input',
    fix: 'give the pool as many CPUs as its domains have vCPUs, or lower DOMU_VCPUS',
    run: ({ collected }) => cpuFindingsOf(collected).nullOvercommit,
  },
  {
    // prepare_dtb_domU() writes each domU's device tree into DOMU_DTB_SIZE bytes (4 KiB in 4.17,
    // + the passthrough DTB in 4.18–4.21); the layout is the simulator's (src/xen-build/guest-dtb.ts).
    name: 'guest-dtb-fits', code: 'PLAN_DTB_TOO_LARGE', severity: 'error', stage: 'input',
    fix: 'give the domain fewer vCPUs or a shorter DOMU_CMD',
    run: ({ collected: { config, dtb, xenBuild, files } }) => {
      const host = hostDtFacts(dtb.bytes);
      return config.domUs.filter((du) => du.boot).flatMap((du) => {
        const pt = files.find((f) => f.id === `domU${du.index}_fdt`);
        const o = domUDtbOverflow(du, host, xenBuild, pt ? pt.info.fileSize : 0);
        return o ? [{ key: `DOMU_VCPUS[${du.index}]`, message: o.message, data: { size: o.size, limit: o.limit, vcpus: du.vcpus }, fix: o.fix }] : [];
      }).slice(0, 1);
    },
  },
  ...DOMAIN_PROP_CHECKS,
  {
    // DOMU_STATIC_MEM / DOMU_SHARED_MEM need a Xen built with CONFIG_STATIC_MEMORY / CONFIG_STATIC_SHM;
    // what that Xen does without them is the simulator's (src/sim/xen), said here at generation time.
    name: 'static-mem-build', code: 'PLAN_XEN_BUILD', severity: 'warning', stage: 'input',
    fix: 'boot a Xen built with the option, or drop the key',
    run: ({ collected: { config, xenBuild } }) => staticBuildWarnings(config, xenBuild),
  },
  {
    name: 'static-mem-overlap', code: 'PLAN_STATIC_CONFLICT', severity: 'error', stage: 'input',
    fix: 'give each static memory bank, heap bank and shared region its own memory, outside the board\'s reserved memory',
    run: ({ collected: { config, dtb } }) => staticOverlaps(staticRegions(config), dtb.board).slice(0, 1),
  },
  {
    name: 'static-heap-size', code: 'PLAN_STATIC_CONFLICT', severity: 'error', stage: 'input',
    fix: 'make the static heap banks larger, or give the domains less memory',
    run: ({ collected: { config } }) => {
      const m = /(?:^|\s)dom0_mem=(\d+)([MG])(?:\s|$)/.exec(config.xenCmd);
      return staticHeapShortfall(config, m ? Number(m[1]) * 2 ** (m[2] === 'G' ? 30 : 20) : config.dom0 ? 512 * 2 ** 20 : undefined);
    },
  },
  {
    name: 'static-mem-in-ram', code: 'PLAN_STATIC_CONFLICT', severity: 'error', stage: 'plan',
    fix: 'place the static ranges inside the board\'s RAM (its /memory node)',
    run: ({ plan }) => staticOutsideRam(plan.staticRegions, plan.ram).slice(0, 1),
  },
  {
    // place_modules() puts the kernel at the start of the domU's first bank and the initrd and DTB
    // (2 MiB each at least) above it: a `memory` too small for them is Xen's "Not enough memory in
    // the first bank" panic. The least DOMU_MEM that fits is computed with Xen's own rule.
    name: 'domu-memory-fits', code: 'PLAN_DOMAIN_MEMORY', severity: 'error', stage: 'input',
    fix: 'give the domain more memory (DOMU_MEM, in MiB)',
    run: ({ collected }) => collected.config.domUs.filter((du) => du.boot).flatMap((du): Finding[] => {
      const f = domUFootprint(collected, du);
      const fit = f && domUModulesFit(f, du.memMB);
      if (!f || !fit || fit.ok) return [];
      const key = `DOMU_MEM[${du.index}]`;
      const least = smallestDomUMemMiB(f);
      const set = collected.config.positions[key] !== undefined;
      const kernelFile = collected.files.find((x) => x.id === `domU${du.index}_kernel`)!.ref.value;
      const parts = `the kernel's ${humanSize(f.kernel.len)} footprint (${kernelFile}) + DTB + ${f.initrdLen ? 'initrd' : 'no initrd'}`;
      return [{
        key, at: `DOMU_KERNEL[${du.index}]`,
        message: `${key}=${du.memMB}${set ? '' : ' (the default)'} is below ${parts}: Xen would panic "${fit.panic}"`,
        data: { memMiB: du.memMB, leastMiB: least ?? null, kernelBytes: f.kernel.len, kernelRoom: kernelRoomBytes(f.kernel), initrdBytes: f.initrdLen, dtbBytes: f.dtbSize },
        ...(least !== undefined ? { fix: `set ${key} to at least ${least}`, edit: { key, value: String(least) } } : { fix: 'the kernel, initrd and DTB do not fit the 3 GiB of a domU\'s first bank: use a smaller kernel or initrd' }),
      }];
    }).slice(0, 1),
  },
  {
    // arch_sanitise_domain_config(): a vGICv2 has 8 CPU interfaces (a vGICv3 is bounded by
    // MAX_VIRT_CPUS, which the config reader enforces). Only a board whose GIC Xen drives as a
    // GICv2 (gic-v2.c's compatibles) is checked here.
    name: 'vcpus-within-vgic', code: 'PLAN_DOMAIN_VCPUS', severity: 'error', stage: 'input',
    fix: 'give the domain at most 8 vCPUs on a GICv2 board',
    run: ({ collected }) => {
      const fdt = collected.dtb.bytes;
      let gicV2 = false;
      walkNodes(fdt, (node) => {
        if (GIC_V2_COMPATIBLES.some((c) => nodeCheckCompatible(fdt, node, c) === 0)) gicV2 = true;
      });
      if (!gicV2) return [];
      return collected.config.domUs.filter((du) => du.boot && du.vcpus > VGIC_V2_MAX_VCPUS).slice(0, 1).map((du) => {
        const key = `DOMU_VCPUS[${du.index}]`;
        return {
          key, message: `${key}=${du.vcpus} is more than the ${VGIC_V2_MAX_VCPUS} vCPUs a virtual GICv2 serves (the board's GIC is a GICv2): Xen would panic "Error creating domain domU${du.index}"`,
          data: { vcpus: du.vcpus, limit: VGIC_V2_MAX_VCPUS }, fix: `set ${key} to at most ${VGIC_V2_MAX_VCPUS}`, edit: { key, value: String(VGIC_V2_MAX_VCPUS) },
        };
      });
    },
  },
  {
    // Xen's dtuart= takes a path or an alias, with `:options` after a path; the board's console is
    // the UART its DTB's /chosen stdout-path names. Another UART works, but nobody reads it.
    name: 'dtuart-is-console', code: 'PLAN_DTUART_NOT_CONSOLE', severity: 'warning', stage: 'input',
    fix: 'set dtuart= in XEN_CMD to the board\'s console UART (its DTB\'s /chosen stdout-path)',
    run: ({ collected: { config, dtb } }) => {
      const console = dtb.board.uart;
      const m = /(?:^|\s)dtuart=(\S+)/.exec(config.xenCmd);
      if (!console || !m) return [];
      const given = m[1]!;
      const path = given.startsWith('/') ? given.split(':')[0]! : dtb.board.alias(given);
      if (path === undefined || path === console) return [];
      return [{
        key: 'XEN_CMD', data: { dtuart: given, path, console },
        message: `XEN_CMD's dtuart=${given}${path !== given ? ` is ${path}` : ''}, but the board's console is ${console} (/chosen stdout-path of ${dtb.label}): Xen would print on a UART other than the one the board's console is on`,
        fix: `set dtuart=${console} in XEN_CMD`,
      }];
    },
  },
  {
    name: 'xen-fixed-address', code: 'PLAN_XEN_FIXED', severity: 'warning', stage: 'plan',
    fix: 'nothing to do: the range is kept free (a Xen whose header allows "place anywhere" avoids it)',
    run: ({ placed }) => (placed.xenFixedRun === undefined ? [] : [{
      key: 'XEN',
      message: `XEN's arm64 header does not allow placement anywhere (flags bit 3 clear): booti moves it to ${hexUpper(placed.xenFixedRun)}; that range is kept free`,
    }]),
  },
  {
    name: 'dtb-size', code: 'PLAN_DTB_TOO_LARGE', severity: 'error', stage: 'plan',
    fix: 'use a smaller board DTB, or fewer domains and passthrough paths',
    run: ({ plan }) => {
      const size = plan.dtb.resizedSize + plan.dtb.bootPad;
      return size > XEN_MAX_FDT_SIZE
        ? [{ key: 'DEVICE_TREE', message: `the edited device tree would be ${size} bytes, but Xen accepts at most ${XEN_MAX_FDT_SIZE} (2 MiB)`, data: { size } }]
        : [];
    },
  },
  {
    // Xen on Arm registers at most MAX_MODULES boot modules; any further module node is ignored
    // ("(too many)") and its domain then misses its kernel. Shared loads count once.
    name: 'module-count', code: 'PLAN_TOO_MANY_MODULES', severity: 'warning', stage: 'plan',
    fix: 'share identical kernels/ramdisks (the default) or boot fewer domains',
    run: ({ plan }) => {
      const count = XEN_AND_DTB_MODULES + new Set(plan.loads.filter((l) => l.role !== 'xen' && l.role !== 'dtb').map((l) => l.addr)).size;
      return count > XEN_MAX_MODULES ? [{
        key: 'NUM_DOMUS',
        message: `Xen registers at most ${XEN_MAX_MODULES} boot modules (Xen and the DTB included) but this plan has ${count}: the last module nodes in /chosen are ignored and their domains fail with "Missing kernel boot module?". Share identical kernels/ramdisks (the default) or boot fewer domains.`,
      }] : [];
    },
  },
  {
    name: 'runtime-layout-fits', code: 'PLAN_OVERLAP', severity: 'error', stage: 'plan',
    fix: 'drop -s, so uboot-gen places each file by what it occupies (the -s script advances by file sizes only and cannot leave more room)',
    run: ({ plan }) => {
      const p = runtimeLayoutProblem(plan);
      return p ? [{ key: loadKey(p.load.keys), message: p.message, data: p.data }] : [];
    },
  },
  {
    name: 'fits-below-memory-end', code: 'PLAN_OUT_OF_MEMORY', severity: 'error', stage: 'plan',
    fix: 'raise MEMORY_END (it should match the board\'s /memory), share identical binaries, or use smaller images',
    run: ({ plan, collected: { config } }) => {
      if (plan.highWater <= config.memoryEnd) return [];
      const needed = plan.highWater - plan.scriptAddr;
      const available = config.memoryEnd - plan.scriptAddr;
      return [{
        key: 'MEMORY_END',
        message: `the binaries do not fit below MEMORY_END: they need ${needed} bytes (${humanSize(needed)}) from ${hexUpper(plan.scriptAddr)} up to ${hexUpper(plan.highWater)}, but only ${available} bytes (${humanSize(available)}) are available below ${hexUpper(config.memoryEnd)}`,
        data: { needed, available, highWater: plan.highWater, loads: plan.loads.map((l) => ({ id: l.id, addr: l.addr, footprint: l.footprint })) },
      }];
    },
  },
  {
    name: 'loads-inside-ram', code: 'PLAN_OUT_OF_MEMORY', severity: 'error', stage: 'plan',
    fix: 'set MEMORY_START and MEMORY_END inside the board\'s RAM (its /memory node)',
    run: ({ plan }) => plan.loads.filter((l) => !plan.ram.some((b) => l.addr >= b.start && l.addr + l.footprint <= b.end)).slice(0, 1).map((l) => ({
      key: loadKey(l.keys),
      message: `${l.keys.join(', ')} at ${hexUpper(l.addr)}..${hexUpper(l.addr + l.footprint)} is outside the board's RAM (${plan.ram.map((b) => `${hexUpper(b.start)}..${hexUpper(b.end)}`).join(', ')})`,
    })),
  },
  {
    // The allocator never places a load on an avoided region; this check guards that invariant
    // (and any later placement rule, such as a fixed *_LOAD address, that could break it).
    name: 'loads-avoid-reserved', code: 'PLAN_RESERVED_CONFLICT', severity: 'error', stage: 'plan',
    fix: 'move MEMORY_START, or lower --uboot-reserve if U-Boot really uses less of the top of RAM',
    run: ({ plan }) => {
      for (const l of plan.loads) {
        const clash = plan.avoided.find((r) => rangesOverlap(l.addr, l.addr + l.footprint, r.start, r.end));
        if (clash) return [{ key: loadKey(l.keys), message: `${l.keys.join(', ')} at ${hexUpper(l.addr)} overlaps ${clash.label}` }];
      }
      return [];
    },
  },
  {
    name: 'loads-clear-of-xen', code: 'PLAN_OVERLAP', severity: 'error', stage: 'plan',
    fix: 'use a Xen whose arm64 header allows "place anywhere", or move MEMORY_START past Xen\'s run address',
    run: ({ plan }) => {
      const { runAddr, imageSize, load } = plan.xen;
      const hit = plan.loads.find((l) => l !== load && rangesOverlap(l.addr, l.addr + l.footprint, runAddr, runAddr + imageSize));
      return hit ? [{ key: loadKey(hit.keys), message: `${hit.keys.join(', ')} at ${hexUpper(hit.addr)} overlaps Xen once it runs at ${hexUpper(runAddr)}..${hexUpper(runAddr + imageSize)}` }] : [];
    },
  },
];

/** Every node path of a DTB (an unparsable one has none: it is refused before the checks run). */
function nodePaths(fdt: Uint8Array): string[] {
  const out: string[] = [];
  walkNodes(fdt, (node) => {
    const p = getPath(fdt, node);
    if (typeof p === 'string') out.push(p);
  });
  return out;
}

function errorFor(code: ErrorCode, message: string, data: Record<string, unknown>, where: Where, hint: string): UbootGenError {
  if (code.startsWith('CONFIG_')) return new ConfigError(code, message, data, where, hint);
  if (code.startsWith('IMAGE_')) return new ImageFormatError(code, message, data, where, hint);
  return new PlanError(code, message, data, where, hint);
}

/** Run the checks of one stage: throw the first error finding, add the others to `diags`. */
export function runChecks(stage: 'input', ctx: InputContext, diags: Diagnostic[]): void;
export function runChecks(stage: 'plan', ctx: PlanContext, diags: Diagnostic[]): void;
export function runChecks(stage: 'input' | 'plan', ctx: InputContext | PlanContext, diags: Diagnostic[]): void {
  const positions = ctx.collected.config.positions;
  for (const check of CHECKS) {
    if (check.stage !== stage) continue;
    const findings = check.stage === 'input' ? check.run(ctx) : check.run(ctx as PlanContext);
    for (const f of findings) {
      const own = positions[f.key];
      const pos = own ?? (f.at !== undefined ? positions[f.at] : undefined);
      // The edit names where the key is written, or the line a new assignment follows.
      const edit = f.edit && { ...f.edit, ...(own ? { where: own } : pos ? { after: pos } : {}) };
      if (check.severity === 'error') throw errorFor(check.code as ErrorCode, f.message, { ...f.data, ...(edit ? { edit } : {}) }, { ...pos, key: f.key }, f.fix ?? check.fix);
      // A check that is not an error carries a diagnostic code (PlanDiagnosticCode).
      diags.push({ level: check.severity, code: check.code as DiagnosticCode, message: f.message, ...(pos ? { where: pos } : {}), key: f.key, hint: f.fix ?? check.fix });
    }
  }
}
