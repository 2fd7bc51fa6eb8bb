// Boot-time cpupools, domain capabilities and vCPU hard affinity, as Xen 4.17–4.22 treat them.
// Models xen/common/sched/boot-cpupool.c (btcpupools_dtb_parse(), btcpupools_allocate_pools(),
// btcpupools_get_cpupool_id(), btcpupools_get_domain_pool_id(); the same code in every release
// modelled) and its stubs in xen/include/xen/sched.h without CONFIG_BOOT_TIME_CPUPOOLS (no pool
// is parsed and every domain is in Pool-0, silently); create_domUs()'s domain-cpupool read
// (xen/arch/arm/domain_build.c, dom0less-build.c, HEAD common/device-tree/dom0less-bindings.c);
// `capabilities` (4.21+, "Invalid capabilities", "Only 1 hardware domain can be specified!");
// domain_vcpu_affinity() (4.21+); and the null scheduler's one-pCPU-per-vCPU rule
// (xen/common/sched/null.c null_unit_insert(): a vCPU without a free pCPU waits, and says so
// only through dprintk(), i.e. in debug builds).
import { isEnabled, optionValue, type XenBuild } from '../../xen-build/build.js';
import { SCHEDULERS } from '../../xen-build/facts.js';
import { readDtNumber } from '../handoff.js';
import type { XenConsole } from './console.js';
import { allNodes, baseName, isCompatible, propString, propU32, stringList, type DtNode } from './device-tree.js';

/** XEN_SCHEDULER_* ids (xen/include/public/domctl.h), printed as "Scheduler id". */
const SCHED_IDS: Readonly<Record<string, number>> = { credit: 5, credit2: 6, arinc653: 7, rtds: 8, null: 9 };

const BTCPUPOOLS_DT_NODE_NO_REG = -1;
const BTCPUPOOLS_DT_NODE_NO_LOG_CPU = -2;
const BTCPUPOOLS_DT_WRONG_NODE = -3;
const BTCPUPOOLS_DT_CORRUPTED_NODE = -4;

export interface CpupoolCtx {
  console: XenConsole;
  root: DtNode;
  build: XenBuild;
  minor: number;
  /** MPIDR of each logical CPU Xen brought up, logical id = index (nr_cpu_ids = length). */
  cpuHwids: number[];
  /** The scheduler scheduler_init() chose (sched= if built, else the default). */
  bootScheduler: string;
  findings: string[];
}

export interface CpupoolState {
  /** Pool id of each logical CPU. */
  poolOfCpu: number[];
  /** Scheduler name of each pool id. */
  schedOfPool: string[];
  /** Free pCPUs per pool for the null scheduler (logical ids). */
  nullFree: Map<number, number[]>;
}

function phandleMap(root: DtNode): Map<number, DtNode> {
  const m = new Map<number, DtNode>();
  for (const n of allNodes(root)) {
    const p = n.props.get('phandle') ?? n.props.get('linux,phandle');
    if (p && p.length === 4 && !m.has(readDtNumber(p, 1))) m.set(readDtNumber(p, 1), n);
  }
  return m;
}

/** dt_parse_phandle(node, prop, index): the node the index-th cell names, or undefined. */
function parsePhandle(node: DtNode, prop: string, index: number, phandles: Map<number, DtNode>): DtNode | undefined {
  const v = node.props.get(prop);
  if (!v || (index + 1) * 4 > v.length) return undefined;
  return phandles.get(readDtNumber(v.subarray(index * 4, index * 4 + 4), 1));
}

/** get_logical_cpu_from_cpu_node(). */
function logicalCpu(ctx: CpupoolCtx, cpuNode: DtNode): number {
  const reg = cpuNode.props.get('reg');
  if (!reg) return BTCPUPOOLS_DT_NODE_NO_REG;
  // dt_n_addr_cells(): #address-cells of the parent (default 2).
  const ac = cpuNode.parent ? propU32(cpuNode.parent, '#address-cells', 2)! : 2;
  const hwid = reg.length >= ac * 4 ? readDtNumber(reg, ac) % 2 ** 32 : reg.length >= 4 ? readDtNumber(reg, 1) : 0;
  const i = ctx.cpuHwids.indexOf(hwid);
  return i < 0 ? BTCPUPOOLS_DT_NODE_NO_LOG_CPU : i;
}

/** A Xen scheduler name this build has (sched_get_id_by_name() finds it). */
function schedulerBuilt(build: XenBuild, name: string): boolean {
  const s = SCHEDULERS[name];
  return s !== undefined && isEnabled(build, s.option);
}

/**
 * cpupool_init(): btcpupools_dtb_parse() and btcpupools_allocate_pools(), then one
 * "Logical CPU" line per CPU (XENLOG_INFO). Panics as Xen does.
 */
export function setupCpupools(ctx: CpupoolCtx): CpupoolState {
  const { console } = ctx;
  const nr = ctx.cpuHwids.length;
  const poolOfCpu: number[] = Array.from({ length: nr }, () => -1);
  const schedMap: number[] = [];
  let nextPool = 0;
  const chosen = ctx.root.children.find((c) => c.name === 'chosen');
  const enabled = isEnabled(ctx.build, 'BOOT_TIME_CPUPOOLS');
  if (enabled) {
    if (!chosen) console.panic('/chosen missing. Boot time cpupools can\'t be parsed from DT.\n');
    const phandles = phandleMap(ctx.root);
    for (const node of chosen!.children) {
      if (!isCompatible(node, 'xen,cpupool')) continue;
      let schedId = -1;
      const schedName = node.props.has('cpupool-sched') ? propString(node, 'cpupool-sched') : undefined;
      if (schedName !== undefined) {
        if (!schedulerBuilt(ctx.build, schedName)) console.panic(`Scheduler ${schedName} does not exists!\n`);
        schedId = SCHED_IDS[schedName]!;
      }
      let i = 0;
      let cpuNode = parsePhandle(node, 'cpupool-cpus', i++, phandles);
      if (!cpuNode) console.panic('Missing or empty cpupool-cpus property!\n');
      while (cpuNode) {
        const cpu = logicalCpu(ctx, cpuNode);
        if (cpu < 0) console.panic(`Error retrieving logical cpu from node ${baseName(node)} (${cpu})\n`);
        if (poolOfCpu[cpu] !== -1) console.panic(`Logical cpu ${cpu} already added to a cpupool!\n`);
        poolOfCpu[cpu] = nextPool;
        cpuNode = parsePhandle(node, 'cpupool-cpus', i++, phandles);
      }
      schedMap[nextPool] = schedId;
      nextPool++;
    }
  }
  // btcpupools_allocate_pools(): every CPU Xen brought up is online here.
  let extra = false;
  let swap = -1;
  for (let i = 0; i < nr; i++) {
    if (poolOfCpu[i]! < 0) { poolOfCpu[i] = nextPool; extra = true; }
    if (i === 0 && poolOfCpu[0] !== 0) swap = poolOfCpu[0]!;
    if (swap !== -1) {
      if (poolOfCpu[i] === swap) poolOfCpu[i] = 0;
      else if (poolOfCpu[i] === 0) poolOfCpu[i] = swap;
    }
  }
  if (swap !== -1) {
    const s = schedMap[swap] ?? -1;
    schedMap[swap] = schedMap[0] ?? -1;
    schedMap[0] = s;
  }
  if (extra) nextPool++;
  const byId = Object.fromEntries(Object.entries(SCHED_IDS).map(([k, v]) => [v, k]));
  const schedOfPool: string[] = [];
  for (let p = 0; p < nextPool; p++) schedOfPool.push(byId[schedMap[p] ?? -1] ?? ctx.bootScheduler);
  // cpupool_create_pool() with the null scheduler runs null_init(), which prints its warning.
  for (let p = 0; p < nextPool; p++) {
    if ((schedMap[p] ?? -1) !== -1 && schedOfPool[p] === 'null') {
      console.printk('Initializing null scheduler\nWARNING: This is experimental software in development.\nUse at your own risk.');
    }
  }
  for (let i = 0; i < nr; i++) {
    if (enabled) console.printk(`Logical CPU ${i} in Pool-${poolOfCpu[i]} (Scheduler id: ${schedMap[poolOfCpu[i]!] ?? -1}).`, 'info');
  }
  const nullFree = new Map<number, number[]>();
  for (let p = 0; p < nextPool; p++) if (schedOfPool[p] === 'null') nullFree.set(p, poolOfCpu.flatMap((q, cpu) => (q === p ? [cpu] : [])));
  return { poolOfCpu, schedOfPool, nullFree };
}

/** create_domUs(): the domain's pool from domain-cpupool (0 without the property, or without CONFIG_BOOT_TIME_CPUPOOLS). */
export function domainPool(ctx: CpupoolCtx, state: CpupoolState, node: DtNode): number {
  const phandles = phandleMap(ctx.root);
  const poolNode = parsePhandle(node, 'domain-cpupool', 0, phandles);
  if (!poolNode) return 0;
  if (!isEnabled(ctx.build, 'BOOT_TIME_CPUPOOLS')) {
    ctx.findings.push(`${node.path}: domain-cpupool is ignored, this Xen build has no CONFIG_BOOT_TIME_CPUPOOLS: the domain runs in Pool-0`);
    return 0;
  }
  let id: number;
  if (!isCompatible(poolNode, 'xen,cpupool')) id = BTCPUPOOLS_DT_WRONG_NODE;
  else {
    const cpuNode = parsePhandle(poolNode, 'cpupool-cpus', 0, phandles);
    id = cpuNode ? logicalCpu(ctx, cpuNode) : BTCPUPOOLS_DT_CORRUPTED_NODE;
  }
  if (id < 0) return ctx.console.panic(`Error getting cpupool id from domain-cpupool (${id})\n`);
  return state.poolOfCpu[id] ?? 0;
}

/**
 * `capabilities` (Xen 4.21+; older releases never read it). Returns the value, after the
 * panics Xen raises for it.
 */
export function domainCaps(ctx: CpupoolCtx, node: DtNode, hardware: { name?: string }): number {
  const v = node.props.get('capabilities');
  if (!v || v.length < 4) return 0;
  const val = readDtNumber(v, 1);
  if (ctx.minor < 21) {
    ctx.findings.push(`${node.path}: capabilities = ${val} is not read by Xen 4.${ctx.minor} (4.21+): the domain is a plain domU`);
    return 0;
  }
  if (val & ~7) return ctx.console.panic(`Invalid capabilities (${val.toString(16)})\n`);
  if (val & 2) {
    if (hardware.name !== undefined) return ctx.console.panic(`Only 1 hardware domain can be specified! (${hardware.name})\n`);
  }
  return val;
}

/**
 * sched_init_vcpu() → null_unit_insert() for each vCPU of a new domain in a null-scheduler pool:
 * a vCPU takes a free pCPU of the pool, or waits (dprintk "not assigned to any CPU", debug builds only).
 * Returns the vCPUs that got none.
 */
export function insertVcpus(ctx: CpupoolCtx, state: CpupoolState, pool: number, domid: number, name: string, vcpus: number): number[] {
  const free = state.nullFree.get(pool);
  if (!free) return [];
  const waiting: number[] = [];
  for (let v = 0; v < vcpus; v++) {
    if (free.length > 0) { free.shift(); continue; }
    waiting.push(v);
    if (isEnabled(ctx.build, 'DEBUG')) ctx.console.printk(`WARNING: d${domid}v${v} not assigned to any CPU!`, 'warn');
  }
  if (waiting.length > 0) {
    ctx.findings.push(`${name}: Pool-${pool} runs the null scheduler and has no free CPU for vCPU${waiting.length === 1 ? '' : 's'} ${waiting.join(', ')}: ${waiting.includes(0) ? 'the domain never runs' : 'the guest finds those CPUs never come online'}`);
  }
  return waiting;
}

/**
 * domain_vcpu_affinity() (Xen 4.21+): each xen,vcpu child's id and hard-affinity list. Older
 * releases ignore the nodes.
 */
export function vcpuAffinity(ctx: CpupoolCtx, state: CpupoolState, node: DtNode, pool: number, maxVcpus: number): void {
  const name = baseName(node);
  for (const np of node.children) {
    if (!isCompatible(np, 'xen,vcpu')) continue;
    if (ctx.minor < 21) { ctx.findings.push(`${np.path}: xen,vcpu nodes are read from Xen 4.21; Xen 4.${ctx.minor} ignores the hard affinity`); continue; }
    const id = propU32(np, 'id');
    if (id === undefined) ctx.console.panic(`Invalid xen,vcpu node for domain ${name}\n`);
    if (id! >= maxVcpus) ctx.console.panic(`Invalid vcpu_id ${id} for domain ${name}, max_vcpus=${maxVcpus}\n`);
    const text = np.props.has('hard-affinity') ? propString(np, 'hard-affinity') : undefined;
    if (text === undefined) continue;
    const mask = new Set<number>();
    let s = text;
    // simple_strtoul() ranges, as domain_vcpu_affinity() walks them; parsing stops at a stray character.
    while (s.length > 0) {
      const m = /^(0x[0-9a-fA-F]+|0[0-7]*|[1-9]\d*)?/.exec(s)!;
      const start = m[1] ? Number(m[1].startsWith('0x') ? m[1] : m[1].length > 1 && m[1].startsWith('0') ? parseInt(m[1], 8) : m[1]) : 0;
      s = s.slice(m[0].length);
      let end = start;
      if (s.startsWith('-')) {
        s = s.slice(1);
        const e = /^(0x[0-9a-fA-F]+|0[0-7]*|[1-9]\d*)?/.exec(s)!;
        end = e[1] ? Number(e[1].startsWith('0x') ? e[1] : e[1].length > 1 && e[1].startsWith('0') ? parseInt(e[1], 8) : e[1]) : 0;
        s = s.slice(e[0].length);
      }
      if (end >= ctx.cpuHwids.length) ctx.console.panic(`Invalid pCPU ${end} for domain ${name}\n`);
      for (let c = start; c <= end; c++) mask.add(c);
      if (s.startsWith(',')) s = s.slice(1);
      else break;
    }
    // vcpu_set_hard_affinity(): -EINVAL unless the mask meets an online CPU of the domain's pool.
    if (![...mask].some((c) => state.poolOfCpu[c] === pool)) ctx.console.panic(`vcpu${id}: failed (rc=-22) to set hard affinity for domain ${name}\n`);
  }
}

/** maxcpus= on the Xen command line (xen/arch/arm/smpboot.c smp_get_max_cpus()). */
export function maxCpus(raw: string, present: number): number {
  const m = /(?:^|\s)maxcpus=(\d+)(?:\s|$)/.exec(raw);
  const n = m ? Number(m[1]) : 0;
  return n === 0 || n > present ? present : n;
}

/** The default scheduler of the build, as scheduler_init() would fall back to it. */
export const defaultSchedulerOf = (build: XenBuild): string => optionValue(build, 'SCHED_DEFAULT')?.replace(/"/g, '') ?? 'credit2';

/**
 * The CPUs of /cpus by logical id, each with its MPIDR and its first `compatible` (the core, e.g.
 * "arm,cortex-a57"): smp_init_cpus() makes the boot CPU 0 and numbers the others in device-tree
 * order; the boot CPU is taken to be the first node, as on QEMU virt. Without CPU nodes, `count`
 * CPUs numbered 0 up.
 */
export function boardCpus(root: DtNode, count: number): { hwid: number; core?: string }[] {
  const cpus = root.children.find((c) => c.name === 'cpus');
  const ac = cpus ? propU32(cpus, '#address-cells', 2)! : 2;
  const ids = (cpus?.children ?? []).filter((c) => propString(c, 'device_type') === 'cpu' && c.props.has('reg'))
    .map((c) => {
      const reg = c.props.get('reg')!;
      const core = stringList(c.props.get('compatible'))[0];
      return { hwid: reg.length >= ac * 4 ? readDtNumber(reg, ac) % 2 ** 32 : readDtNumber(reg, 1), ...(core !== undefined ? { core } : {}) };
    });
  return ids.length > 0 ? ids : Array.from({ length: count }, (_, i) => ({ hwid: i }));
}

/** llc_coloring_init(): on with CONFIG_LLC_COLORING and llc-coloring=on, or llc-size and llc-nr-ways given (Xen 4.20+). */
export function llcColoringEnabled(build: XenBuild, minor: number, cmdline: string): boolean {
  if (minor < 20 || !isEnabled(build, 'LLC_COLORING')) return false;
  const opt = /(?:^|\s)(no-)?llc-coloring(?:=(\S*))?(?:\s|$)/.exec(cmdline);
  const on = opt ? !opt[1] && !/^(0|no|off|false|disable)$/.test(opt[2] ?? '') : undefined;
  const sized = /(?:^|\s)llc-size=\S+/.test(cmdline) && /(?:^|\s)llc-nr-ways=\S+/.test(cmdline);
  return on === true || (on !== false && sized);
}

/**
 * A domU's colours: upstream `llc-colors` (4.20+: a panic when colouring is off), or the Xilinx
 * fork's `colors` bitmask, which upstream Xen never reads.
 */
export function domainColours(ctx: CpupoolCtx, node: DtNode, cmdline: string): void {
  if (node.props.has('colors')) ctx.findings.push(`${node.path}: colors is the Xilinx Xen fork's property; upstream Xen 4.${ctx.minor} ignores it, so the domain is not coloured`);
  if (ctx.minor < 20 || !node.props.has('llc-colors')) return;
  if (!llcColoringEnabled(ctx.build, ctx.minor, cmdline)) ctx.console.panic("'llc-colors' found, but LLC coloring is disabled\n");
  ctx.console.estimates.push(`${node.path}: LLC colouring of the domain's memory is not modelled`);
}
