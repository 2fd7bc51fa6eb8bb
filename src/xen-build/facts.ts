// What a Xen build does, per release and per Kconfig option: one table the planner and the
// simulator both read, so the plan is made for the Xen that will run it and the simulator
// judges it with the same rules. Every fact names where in Xen it comes from
// (xen-project/xen at the RELEASE-4.x tags).

/** How a build behaves when a feature's option is off and the device tree or command line asks for it. */
export type WhenOff =
  /** Xen prints a message and carries on with something else (e.g. the default scheduler). */
  | 'fallback'
  /** Xen never looks at the request: no message, no effect. */
  | 'ignored'
  /** The early device-tree scan rejects the node: "parsing failed" (4.19+: a panic before the console is up; 4.17/4.18: the scan stops there and the boot goes on without the rest of the tree). */
  | 'early-parse-error'
  /** panic() while building the domain. */
  | 'panic'
  /** A release build gives the domain no memory: its device tree cannot be written and Xen panics; a debug build fails an assertion first. */
  | 'no-memory';

export interface KconfigFact {
  /** Option name without CONFIG_. */
  readonly option: string;
  /** First Xen minor release that has the option (all modelled releases when 17). */
  readonly since: number;
  /** What the option gates, in the user's terms (ImageBuilder keys, DT properties, command-line options). */
  readonly gates: string;
  /** ImageBuilder config keys whose effect needs the option. */
  readonly keys: readonly string[];
  readonly whenOff: WhenOff;
  /** Xen's own words when the option is off (printk/panic text without the "(XEN) " prefix). */
  readonly messages: readonly string[];
  /** Source of the fact. */
  readonly source: string;
}

export const KCONFIG_FACTS: readonly KconfigFact[] = [
  {
    option: 'SCHED_NULL', since: 17, gates: 'sched=null on the Xen command line', keys: ['XEN_CMD'], whenOff: 'fallback',
    messages: ['Could not find scheduler: null', "Using '<default scheduler name>' (<default>)", 'Using scheduler: <default scheduler name> (<default>)'],
    source: 'xen/common/sched/core.c scheduler_init(); Kconfig: bool if UNSUPPORTED, default PV_SHIM || DEBUG (off in release builds such as Debian\'s)',
  },
  {
    option: 'SCHED_RTDS', since: 17, gates: 'sched=rtds', keys: ['XEN_CMD'], whenOff: 'fallback',
    messages: ['Could not find scheduler: rtds'], source: 'xen/common/sched/core.c scheduler_init(); Kconfig default DEBUG',
  },
  {
    option: 'SCHED_ARINC653', since: 17, gates: 'sched=arinc653', keys: ['XEN_CMD'], whenOff: 'fallback',
    messages: ['Could not find scheduler: arinc653'], source: 'xen/common/sched/core.c scheduler_init(); Kconfig default DEBUG',
  },
  {
    option: 'SCHED_CREDIT', since: 17, gates: 'sched=credit', keys: ['XEN_CMD'], whenOff: 'fallback',
    messages: ['Could not find scheduler: credit'], source: 'xen/common/sched/core.c scheduler_init()',
  },
  {
    option: 'STATIC_MEMORY', since: 17, gates: 'xen,static-mem and direct-map on a domU node', keys: ['DOMU_STATIC_MEM', 'DOMU_DIRECT_MAP'], whenOff: 'no-memory',
    messages: [
      'direct-map is not valid for domain <name> without static allocation.',
      'Device tree generation failed (-2).',
      'CONFIG_STATIC_MEMORY must be enabled for parsing xen,static-mem',
    ],
    source: 'CDF_staticmem is 0 without the option (xen/include/xen/domain.h), so create_domUs() panics on direct-map; without direct-map allocate_static_memory() is ASSERT_UNREACHABLE() and the domain has no RAM bank, make_memory_node() returns -ENOENT. A tree with Xen e888192d13 (unstable 2026-08, backported to Debian\'s 4.20.4+63) refuses xen,static-mem in the early scan instead (4.19+: "Early FDT parsing failed", before the console)',
  },
  {
    option: 'STATIC_SHM', since: 17, gates: 'xen,domain-shared-memory-v1 nodes', keys: ['DOMU_SHARED_MEM'], whenOff: 'early-parse-error',
    messages: ['CONFIG_STATIC_SHM must be enabled for parsing static shared memory nodes'],
    source: 'xen/arch/arm/bootfdt.c process_shm_node() stub (HEAD: common/device-tree/bootfdt.c)',
  },
  {
    option: 'STATIC_EVTCHN', since: 19, gates: 'xen,evtchn-v1 nodes (static event channels)', keys: ['DOMU_STATIC_EVTCHNS'], whenOff: 'ignored',
    messages: [], source: 'xen/arch/arm/Kconfig STATIC_EVTCHN (4.19+, default y; before 4.19 always built): without it alloc_static_evtchn() is an empty stub',
  },
  {
    option: 'BOOT_TIME_CPUPOOLS', since: 17, gates: 'xen,cpupool nodes and domain-cpupool', keys: ['NUM_CPUPOOLS', 'CPUPOOL', 'DOMU_CPUPOOL'], whenOff: 'ignored',
    messages: [], source: 'xen/include/xen/sched.h: btcpupools_get_domain_pool_id() returns 0 (every domain in Pool-0)',
  },
  {
    option: 'SBSA_VUART_CONSOLE', since: 17, gates: 'vpl011 on a domU node', keys: ['DOMU_VPL011'], whenOff: 'panic',
    messages: ['Device tree generation failed (-22).'], source: 'prepare_dtb_domU(): ret = -EINVAL unless make_vpl011_uart_node() is built',
  },
  {
    option: 'ARM64_SVE', since: 18, gates: 'sve on a domU node', keys: [], whenOff: 'panic',
    messages: ["'sve' property found, but CONFIG_ARM64_SVE not selected"], source: 'xen/arch/arm/dom0less-build.c create_domUs()',
  },
  {
    option: 'SCMI_SMC', since: 21, gates: 'xen,sci_type "scmi_smc" on a domU node', keys: [], whenOff: 'panic',
    messages: ['xen,sci_type=scmi_smc requested, but CONFIG_SCMI_SMC not set', 'Error getting SCI configuration'],
    source: 'xen/arch/arm/dom0less-build.c domu_dt_sci_parse() (RELEASE-4.21.2); xen/arch/arm/firmware/Kconfig: the "ARM SCI driver type" choice defaults to SCMI_SMC',
  },
  {
    option: 'LLC_COLORING', since: 20, gates: 'llc-colors on a domU node', keys: ['DOMU_COLORS', 'XEN_COLORS', 'DOM0_COLORS'], whenOff: 'panic',
    messages: ["'llc-colors' found, but LLC coloring is disabled"], source: 'xen/arch/arm/dom0less-build.c create_domUs()',
  },
  {
    option: 'HYPFS_CONFIG', since: 17, gates: 'the .config embedded in the Xen image (read by uboot-gen)', keys: [], whenOff: 'ignored',
    messages: [], source: 'xen/common/Makefile config.gz; without it give the build\'s .config with --xen-config',
  },
];

/** Options a release build from upstream defaults has, as Debian's 4.17.7 and 4.20 builds show (test/fixtures/xen-build/debian.txt). */
export const RELEASE_BUILD_DEFAULTS: Readonly<Record<string, string>> = {
  DEBUG: 'n', SCHED_CREDIT: 'y', SCHED_CREDIT2: 'y', SCHED_DEFAULT: 'credit2', SCHED_NULL: 'n', SCHED_RTDS: 'n', SCHED_ARINC653: 'n',
  STATIC_MEMORY: 'n', STATIC_SHM: 'n', BOOT_TIME_CPUPOOLS: 'n', SBSA_VUART_CONSOLE: 'y', ARM64_SVE: 'n', LLC_COLORING: 'n',
  HYPFS_CONFIG: 'y', GRANT_TABLE: 'y', GICV3: 'y', NR_CPUS: '128',
};

/** Scheduler opt_name → its option and the name scheduler_init() prints (xen/common/sched/*.c). */
export const SCHEDULERS: Readonly<Record<string, { option: string; name: string }>> = {
  credit: { option: 'SCHED_CREDIT', name: 'SMP Credit Scheduler' },
  credit2: { option: 'SCHED_CREDIT2', name: 'SMP Credit Scheduler rev2' },
  rtds: { option: 'SCHED_RTDS', name: 'SMP RTDS Scheduler' },
  arinc653: { option: 'SCHED_ARINC653', name: 'ARINC 653 Scheduler' },
  null: { option: 'SCHED_NULL', name: 'null Scheduler' },
};

// ---------------------------------------------------------------------------------------------
// Per-release facts.

/** The part of a release number behaviour depends on. */
export interface ReleaseLevel { readonly minor: number; readonly patch?: number }

/** add_boot_module() checks new modules against reserved memory and earlier modules (commit 4f6a291582). */
export const checksModuleOverlap = (v: ReleaseLevel): boolean => v.minor >= 18;
/** /memreserve/ entries are part of reserved_mem (and thus of the overlap check) from 4.19. */
export const memreserveIsReserved = (v: ReleaseLevel): boolean => v.minor >= 19;
/** 4.19.0 and 4.19.1 drop even modules lying wholly inside a /memreserve/ range (fixed by a14593e399). */
export const memreserveDropsContained = (v: ReleaseLevel): boolean => v.minor === 19 && v.patch !== undefined && v.patch <= 1;
/** Panic texts gained " (rc = %d)" in 4.18. */
export const panicHasRc = (v: ReleaseLevel): boolean => v.minor >= 18;
/** "memory=%#lxKB" (with 0x) from 4.18 (commit f588e7b7cb); 4.17 prints bare hex. */
export const memoryHasHexPrefix = (v: ReleaseLevel): boolean => v.minor >= 18;
/** Release builds print XENLOG_INFO from 4.18 (commit 8c01f267ef). */
export const infoVisibleByDefault = (v: ReleaseLevel): boolean => v.minor >= 18;
/** uImage probe first (and gzip-in-uImage) from 4.18 (commit 6d317b10f8). */
export const uimageProbedFirst = (v: ReleaseLevel): boolean => v.minor >= 18;
/** /memory nodes need depth 1 and device_type = "memory" from 4.20 (commit 47d4d3cdc5). */
export const memoryNeedsDeviceType = (v: ReleaseLevel): boolean => v.minor >= 20;

/** The libfdt buffer prepare_dtb_domU() writes a domU's device tree into (DOMU_DTB_SIZE). */
export function domUDtbLimit(minor: number, passthroughDtbSize: number): number {
  // 4.17: a fixed 4 KiB (xen/arch/arm/domain_build.c). 4.18–4.21: 4 KiB plus the passthrough
  // DTB module's size, capped at 2 MiB (commit "Account for domU passthrough DT size").
  // 4.22: 2048 + MAX_VIRT_CPUS (128) * 128, plus the passthrough DTB, capped at 2 MiB.
  const SZ_2M = 2 * 1024 * 1024;
  if (minor <= 17) return 4096;
  if (minor <= 21) return Math.min(4096 + passthroughDtbSize, SZ_2M);
  return Math.min(2048 + 128 * 128 + passthroughDtbSize, SZ_2M);
}

/** libfdt's FDT_ERR_NOSPACE as Xen prints it: "Device tree generation failed (-3)." */
export const FDT_ERR_NOSPACE = -3;

/** boot_fdt_info() panics on an early parse error from 4.19 (commit 02d0a615b3); before, the scan just stops. */
export const earlyParseErrorPanics = (minor: number): boolean => minor >= 19;

/** xen,domain-p2m-mem-mb is read by construct_domU() in every modelled release (4.17.0: commit cbea5a1149). */
export const readsDomainP2mMemMb = (_minor: number): boolean => true;

// ---------------------------------------------------------------------------------------------
// Sharing policy: which boot modules may be one load for several domains.

export type ModuleRole = 'kernel' | 'ramdisk' | 'dtb';
export type DomainKind = 'dom0' | 'domU';

export interface SharingRule {
  readonly allowed: boolean;
  /** Why, in Xen's terms; for a plan note or a refusal. */
  readonly why: string;
}

/**
 * May one loaded copy of a module serve both `a` and `b`?
 * Xen registers one boot module per /chosen node. 4.17 merges a node whose (kind, start) is already
 * registered into that module (add_boot_module()), and a dom0 node clears its domU flag, so dom0 and
 * domUs can share. From 4.18 (commit 4f6a291582) add_boot_module() first checks the new range against
 * every registered module and drops it on overlap ("Region: [...) overlapping with mod[...]"). domUs
 * look their modules up by (kind, address), which finds the first registration, so domUs still share;
 * but when a domU's node comes first, dom0's kernel node is dropped, no kernel is left for dom0, Xen
 * enters dom0less mode and a domU with xen,enhanced panics ("At the moment, Xenstore support requires
 * dom0 to be present"). A gzip kernel is inflated in place of its module (kernel_decompress()), so a
 * second domain finds nothing at the original address.
 */
export function sharingRule(minor: number, role: ModuleRole, a: DomainKind, b: DomainKind, gzipKernel = false): SharingRule {
  if (role === 'kernel' && gzipKernel) return { allowed: false, why: 'Xen inflates a gzip kernel in place of its boot module, so the second domain finds no kernel at that address' };
  if (a !== b && minor >= 18) {
    return { allowed: false, why: `Xen 4.${minor} drops a boot module that overlaps one already registered, so dom0 and a domU cannot use one copy (whichever node comes second is dropped; if it is dom0's kernel, Xen boots without dom0)` };
  }
  return { allowed: true, why: minor >= 18 ? 'domUs look modules up by address, which finds the first registration' : `Xen 4.${minor} merges boot modules with the same kind and start` };
}

/**
 * The sharing group of a module for the planner: loads of identical files share one copy only
 * within the same group. undefined: never shared (a gzip kernel). 'any': dom0 and domUs share
 * (4.17); 'dom0' / 'domU': only within the same kind of domain (4.18 and later).
 */
export function sharingGroup(minor: number, role: ModuleRole, kind: DomainKind, gzipKernel = false): 'any' | DomainKind | undefined {
  if (!sharingRule(minor, role, kind, kind, gzipKernel).allowed) return undefined;
  return sharingRule(minor, role, 'dom0', 'domU', gzipKernel).allowed ? 'any' : kind;
}

/** A generation-time warning about a config value this Xen build will not honour. */
export interface BuildWarning { key: string; message: string; hint: string }

/** Options of XEN_CMD that depend on the build: sched= (scheduler_init() falls back to CONFIG_SCHED_DEFAULT). */
export function xenCmdWarnings(options: ReadonlyMap<string, string>, release: string, xenCmd: string): BuildWarning[] {
  const out: BuildWarning[] = [];
  const sched = /(?:^|\s)sched=(\S+)/.exec(xenCmd)?.[1];
  if (sched !== undefined) {
    const known = SCHEDULERS[sched];
    const dflt = options.get('SCHED_DEFAULT') ?? 'credit2';
    if (!known) {
      out.push({ key: 'XEN_CMD', message: `XEN_CMD has sched=${sched}, which is not a Xen scheduler: Xen ${release} prints "Could not find scheduler: ${sched}" and runs ${dflt}`, hint: `use one of ${Object.keys(SCHEDULERS).join(', ')}` });
    } else if (options.get(known.option) !== 'y') {
      out.push({
        key: 'XEN_CMD',
        message: `XEN_CMD has sched=${sched}, but this Xen ${release} build has no ${sched} scheduler (CONFIG_${known.option} is off): Xen prints "Could not find scheduler: ${sched}" and runs ${dflt}`,
        hint: `drop sched=${sched} from XEN_CMD, or boot a Xen built with CONFIG_${known.option}=y`,
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Domain capabilities and xenstore (4.21+): what parse_dom0less_node(), set_xs_domain() and the
// end of create_domUs() refuse (xen/common/device-tree/dom0less-bindings.c and dom0less-build.c at
// RELEASE-4.21.2 and RELEASE-4.22.0). The simulator panics with these words; the planner refuses
// the config that would make it.

/** DOMAIN_CAPS_CONTROL / _HARDWARE / _XENSTORE (xen/include/public/bootfdt.h). */
export const DOMAIN_CAPS_BITS = { control: 1, hardware: 2, xenstore: 4 } as const;

/** The first release (minor of 4.x) that reads `capabilities` and has a xenstore domain other than dom0. */
export const CAPS_SINCE = 21;

/** The IOMMUs Xen on Arm drives (its SMMUv1/v2 and SMMUv3 drivers' compatibles). */
export const XEN_IOMMU_COMPATIBLES: readonly string[] = ['arm,smmu-v3', 'arm,mmu-500', 'arm,smmu-v2', 'arm,mmu-401', 'arm,smmu-v1', 'arm,mmu-400'];

/** What a domain built with the hardware capability has, as parse_dom0less_node() sees it. */
export interface HardwareDomainShape {
  /** The node has a `passthrough` property. */
  readonly passthrough: boolean;
  /** The node has `direct-map`. */
  readonly directMap: boolean;
  /** The board has an IOMMU Xen drives. */
  readonly iommu: boolean;
  /** The node has a multiboot,device-tree child (a passthrough DTB). */
  readonly passthroughDtb: boolean;
}

/** Why parse_dom0less_node() refuses a hardware domain. */
export type HardwareRefusal = 'passthrough' | 'no-iommu' | 'passthrough-dtb';

/** The first refusal of a hardware domain Xen reaches, in its order: which, the panic text (no newline) and why. */
export function hardwareDomainRefusal(d: HardwareDomainShape): { refusal: HardwareRefusal; panic: string; why: string } | undefined {
  if (d.passthrough) return { refusal: 'passthrough', panic: "Don't specify passthrough for hardware domain", why: 'a hardware domain has every device already: it must not name passthrough' };
  if (!d.directMap && !d.iommu) return { refusal: 'no-iommu', panic: 'non-direct mapped hardware domain requires iommu', why: 'a hardware domain that is not direct-mapped needs an IOMMU, and the board has none' };
  if (d.passthroughDtb) return { refusal: 'passthrough-dtb', panic: '"multiboot,device-tree" incompatible with hardware domain', why: 'a hardware domain gets the host device tree: it takes no passthrough device tree' };
  return undefined;
}

/** The end of create_domUs(): a domain asked for xenstore and no domain provides it. */
export const XENSTORE_MISSING_PANIC = 'xenstore requested, but xenstore domain not present';
/** Up to 4.20, xen,enhanced needs dom0 at once (construct_domU()). */
export const XENSTORE_NEEDS_DOM0_PANIC = 'At the moment, Xenstore support requires dom0 to be present';
/** set_xs_domain(): a second xenstore domain (dom0 is one from 4.21); `first` is the domid of the first. */
export const xenstoreTwicePanic = (first: number): string => `Only 1 xenstore domain can be specified! (${first})`;

/** trap-unmapped-accesses (4.21+) takes 0 or 1; above that arch_parse_dom0less_node() panics. */
export const TRAP_UNMAP_MAX = 1;
export const TRAP_UNMAP_PANIC = 'trap-unmapped-accesses: supported values are 0 or 1';

/**
 * Where a debug build without CONFIG_STATIC_MEMORY stops on `xen,static-mem`: the
 * ASSERT_UNREACHABLE() of allocate_static_memory()'s stub, which the bug-frame handler prints as
 * "Assertion 'unreachable' failed at FILE:LINE" and panics with (xen/arch/arm/traps.c
 * do_bug_frame() to 4.19, xen/common/bug.c from 4.20). The line is the same in every patch release
 * of a branch: xen/arch/arm/domain_build.c:1032 (RELEASE-4.17.0…4.17.7), :1055 (4.18.0…4.18.6);
 * the inline stub in xen/arch/arm/include/asm/static-memory.h:35 (4.19.0…4.20.4) and
 * xen/include/xen/static-memory.h:36 (4.21.0…4.22.0). FILE is the name the compiler was given: a
 * source file relative to xen/, a header through `-I./…/include` (an in-tree build; an
 * out-of-tree one names the source directory, cut to its last 47 characters behind "..." when
 * longer than 50).
 */
export function staticMemoryAssertSite(minor: number): string {
  if (minor <= 17) return 'arch/arm/domain_build.c:1032';
  if (minor === 18) return 'arch/arm/domain_build.c:1055';
  if (minor <= 20) return './arch/arm/include/asm/static-memory.h:35';
  return './include/xen/static-memory.h:36';
}
