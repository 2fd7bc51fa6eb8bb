// Boot-time cpupools and the other CPU keys against the board and the Xen build: which /cpus
// node each cpupool names, the phandles the script gives the CPU nodes and the pool nodes
// (counting down from 0xfffffffe as ImageBuilder's get_next_phandle() does; a CPU that has a
// phandle keeps it), and how Xen will group the CPUs (xen/common/sched/boot-cpupool.c:
// unassigned CPUs form one more pool, the boot CPU's pool becomes Pool-0).
import { isFdtErr } from '../fdt/errors.js';
import { getName, getprop, pathOffset, subnodes, getpropString, walkNodes, properties } from '../fdt/ro.js';
import type { Config } from '../config/types.js';
import { DOMAIN_CAPS, DOMAIN_CAPS_MASK } from '../config/cpu.js';
import type { XenBuild } from '../xen-build/build.js';
import { isEnabled, optionValue } from '../xen-build/build.js';
import { SCHEDULERS } from '../xen-build/facts.js';

/** The first phandle ImageBuilder hands out (its phandle_next), counting down. */
export const FIRST_FREE_PHANDLE = 0xfffffffe;

export interface BoardCpu { name: string; hwid: number; phandle?: number }

export interface PlannedPoolCpu {
  /** Child of /cpus, e.g. `cpu@1`. */
  name: string;
  /** MPIDR affinity value from `reg`. */
  hwid: number;
  phandle: number;
  /** True when the board DTB has no phandle on the node, so the script sets one. */
  added: boolean;
}

export interface PlannedCpupool {
  /** i of CPUPOOL[i]. */
  index: number;
  /** /chosen child name, `cpupool_<i>`. */
  node: string;
  phandle: number;
  cpus: PlannedPoolCpu[];
  /** cpupool-sched, when given. */
  sched?: string;
  /** Booted domUs that join the pool (DOMU_CPUPOOL[n] == i). */
  domUs: number[];
}

/** The CPU nodes of the board DTB's /cpus (device_type "cpu"), in DT order. */
export function boardCpus(fdt: Uint8Array): BoardCpu[] {
  const cpus = pathOffset(fdt, '/cpus');
  if (isFdtErr(cpus)) return [];
  const ac = getRegCells(fdt, cpus);
  const out: BoardCpu[] = [];
  for (const c of subnodes(fdt, cpus)) {
    const name = getName(fdt, c);
    const reg = getprop(fdt, c, 'reg');
    if (isFdtErr(name) || isFdtErr(reg) || reg.length < 4) continue;
    const type = getpropString(fdt, c, 'device_type');
    if (!isFdtErr(type) && type !== 'cpu') continue;
    // Xen reads `reg` with /cpus' #address-cells (dt_read_number(prop, dt_n_addr_cells())).
    const dv = new DataView(reg.buffer, reg.byteOffset, reg.length);
    const hwid = ac >= 2 && reg.length >= 8 ? dv.getUint32(0) * 2 ** 32 + dv.getUint32(4) : dv.getUint32(0);
    const ph = getprop(fdt, c, 'phandle');
    const phandle = !isFdtErr(ph) && ph.length === 4 ? new DataView(ph.buffer, ph.byteOffset, 4).getUint32(0) : undefined;
    out.push({ name, hwid, ...(phandle !== undefined ? { phandle } : {}) });
  }
  return out;
}

function getRegCells(fdt: Uint8Array, node: number): number {
  const ac = getprop(fdt, node, '#address-cells');
  return !isFdtErr(ac) && ac.length === 4 ? new DataView(ac.buffer, ac.byteOffset, 4).getUint32(0) : 2;
}

/** Every phandle value the board DTB already uses. */
function usedPhandles(fdt: Uint8Array): Set<number> {
  const used = new Set<number>();
  walkNodes(fdt, (off) => {
    for (const p of properties(fdt, off)) {
      if ((p.name === 'phandle' || p.name === 'linux,phandle') && p.value.length === 4) used.add(new DataView(p.value.buffer, p.value.byteOffset, 4).getUint32(0));
    }
  });
  return used;
}

export interface CpupoolPlanProblem { key: string; message: string; data: Record<string, unknown> }

/**
 * The pools as the script creates them, or the first CPU the board DTB lacks. Phandles come in
 * ImageBuilder's order: per pool, its CPUs without one, then the pool node. Values the board
 * DTB already uses are skipped (ImageBuilder would hand them out again).
 */
export function planCpupools(config: Config, fdt: Uint8Array, label: string): { pools: PlannedCpupool[] } | { problem: CpupoolPlanProblem } {
  const pools = config.cpu?.cpupools ?? [];
  if (pools.length === 0) return { pools: [] };
  const cpus = boardCpus(fdt);
  const used = usedPhandles(fdt);
  // Static event channels take their phandles first (config.nextPhandle is the first they left).
  let next = config.nextPhandle ?? FIRST_FREE_PHANDLE;
  const take = (): number => {
    while (used.has(next)) next--;
    used.add(next);
    return next--;
  };
  const given = new Map<string, number>();
  const out: PlannedCpupool[] = [];
  for (const p of pools) {
    const planned: PlannedPoolCpu[] = [];
    for (const name of p.cpus) {
      const cpu = cpus.find((c) => c.name === name);
      if (!cpu) {
        const have = cpus.map((c) => c.name);
        return { problem: {
          key: `CPUPOOL[${p.index}]`,
          message: `CPUPOOL[${p.index}] names /cpus/${name}, but ${label} has no such CPU node (/cpus/${name} does not exist)${have.length ? `; its CPUs are ${have.join(', ')}` : '; it has no /cpus CPU nodes'}`,
          data: { cpu: name, boardCpus: have },
        } };
      }
      const phandle = cpu.phandle ?? given.get(name) ?? take();
      if (cpu.phandle === undefined) given.set(name, phandle);
      planned.push({ name, hwid: cpu.hwid, phandle, added: cpu.phandle === undefined });
    }
    out.push({
      index: p.index, node: `cpupool_${p.index}`, phandle: take(), cpus: planned, ...(p.sched !== undefined ? { sched: p.sched } : {}),
      domUs: config.domUs.filter((d) => d.boot && d.cpu?.cpupool === p.index).map((d) => d.index),
    });
  }
  return { pools: out };
}

export interface CpuFinding { key: string; message: string; fix?: string; data?: Record<string, unknown> }

/** The scheduler Xen runs where no cpupool-sched says otherwise: sched= if built, else CONFIG_SCHED_DEFAULT. */
export function defaultScheduler(build: XenBuild, xenCmd: string): string {
  const dflt = optionValue(build, 'SCHED_DEFAULT')?.replace(/"/g, '') ?? 'credit2';
  const asked = /(?:^|\s)sched=(\S+)/.exec(xenCmd)?.[1];
  const known = asked !== undefined ? SCHEDULERS[asked] : undefined;
  return known && isEnabled(build, known.option) ? asked! : dflt;
}

/** dom0's vCPUs on Arm: dom0_max_vcpus=, else one per online CPU (xen/arch/arm/domain_build.c dom0_max_vcpus()). */
function dom0Vcpus(xenCmd: string, pcpus: number): number {
  const m = /(?:^|\s)dom0_max_vcpus=(\d+)(?:-(\d+))?(?:\s|$)/.exec(xenCmd);
  if (!m) return pcpus;
  return Math.min(Number(m[2] ?? m[1]), pcpus);
}

/**
 * Warnings and errors about the CPU keys for this board and Xen build. `errors` would make Xen
 * panic; `warnings` are honoured differently than written.
 */
export function cpuFindings(config: Config, fdt: Uint8Array, build: XenBuild, pools: readonly PlannedCpupool[]): { errors: CpuFinding[]; warnings: CpuFinding[]; nullOvercommit: CpuFinding[] } {
  const errors: CpuFinding[] = [];
  const warnings: CpuFinding[] = [];
  const nullOvercommit: CpuFinding[] = [];
  const minor = build.release.minor;
  const rel = build.release.text;
  const cpus = boardCpus(fdt);
  const nrCpus = cpus.length;
  const btc = isEnabled(build, 'BOOT_TIME_CPUPOOLS');
  if (pools.length > 0 && !btc) {
    warnings.push({
      key: `CPUPOOL[${pools[0]!.index}]`,
      message: `this Xen ${rel} build has no boot-time cpupools (CONFIG_BOOT_TIME_CPUPOOLS is off): Xen ignores the xen,cpupool nodes and domain-cpupool without a word, and every domain runs in Pool-0 with the default scheduler`,
      fix: 'boot a Xen built with CONFIG_BOOT_TIME_CPUPOOLS=y, or drop NUM_CPUPOOLS/CPUPOOL/DOMU_CPUPOOL',
    });
  }
  if (btc) {
    for (const p of pools) {
      const s = p.sched !== undefined ? SCHEDULERS[p.sched] : undefined;
      if (s && !isEnabled(build, s.option)) {
        errors.push({ key: `CPUPOOL[${p.index}]`, message: `CPUPOOL[${p.index}] asks for the ${p.sched} scheduler, but this Xen ${rel} build has none (CONFIG_${s.option} is off): Xen panics "Scheduler ${p.sched} does not exists!"`, fix: `boot a Xen built with CONFIG_${s.option}=y, or name a scheduler it has` });
      }
    }
    // maxcpus=N: Xen brings up the first N CPUs only; a pool CPU past them has no logical id.
    const max = Number(/(?:^|\s)maxcpus=(\d+)(?:\s|$)/.exec(config.xenCmd)?.[1] ?? 0);
    if (max > 0 && max < nrCpus) {
      for (const p of pools) {
        const down = p.cpus.find((c) => cpus.findIndex((b) => b.name === c.name) >= max);
        if (down) {
          errors.push({ key: `CPUPOOL[${p.index}]`, message: `CPUPOOL[${p.index}] names ${down.name}, but XEN_CMD has maxcpus=${max}, so Xen ${rel} never brings that CPU up and panics "Error retrieving logical cpu from node ${p.node} (-2)"`, fix: `raise maxcpus to ${nrCpus} or drop it, or name only the first ${max} CPUs` });
          break;
        }
      }
    }
    // The null scheduler gives every vCPU a pCPU of its own; a vCPU without one never runs.
    const dflt = defaultScheduler(build, config.xenCmd);
    const inPool = new Set(pools.flatMap((p) => p.cpus.map((c) => c.name)));
    const pool0Cpus = cpus.filter((c) => !inPool.has(c.name)).length;
    const groups: Array<{ key: string; what: string; sched: string; pcpus: number; vcpus: number; who: string[] }> = pools.map((p) => {
      const ds = config.domUs.filter((d) => p.domUs.includes(d.index));
      return { key: `CPUPOOL[${p.index}]`, what: `cpupool ${p.index} (${p.cpus.map((c) => c.name).join(', ')})`, sched: p.sched ?? dflt, pcpus: p.cpus.length,
        vcpus: ds.reduce((n, d) => n + d.vcpus, 0), who: ds.map((d) => `domU${d.index} (${d.vcpus})`) };
    });
    if (pool0Cpus > 0) {
      const ds = config.domUs.filter((d) => d.boot && d.cpu?.cpupool === undefined);
      const d0 = config.dom0 ? dom0Vcpus(config.xenCmd, nrCpus) : 0;
      groups.push({ key: 'XEN_CMD', what: `Pool-0 (the ${pool0Cpus} CPUs in no cpupool)`, sched: dflt, pcpus: pool0Cpus,
        vcpus: d0 + ds.reduce((n, d) => n + d.vcpus, 0), who: [...(d0 ? [`dom0 (${d0})`] : []), ...ds.map((d) => `domU${d.index} (${d.vcpus})`)] });
    }
    for (const g of groups) {
      if (g.sched === 'null' && g.vcpus > g.pcpus) {
        nullOvercommit.push({ key: g.key, message: `${g.what} runs the null scheduler, which gives each vCPU a CPU of its own, but its domains have ${g.vcpus} vCPUs (${g.who.join(', ')}) for ${g.pcpus} CPU${g.pcpus === 1 ? '' : 's'}: ${g.vcpus - g.pcpus} vCPU${g.vcpus - g.pcpus === 1 ? '' : 's'} never run (the guest reports its extra CPUs failed to come online)`,
          fix: 'give the pool as many CPUs as its domains have vCPUs, lower DOMU_VCPUS, or use another scheduler for the pool', data: { vcpus: g.vcpus, pcpus: g.pcpus } });
      }
    }
  }
  let hardware = config.dom0 !== undefined ? 'dom0' : undefined;
  for (const d of config.domUs) {
    if (!d.boot || !d.cpu) continue;
    const c = d.cpu;
    if (c.colours) {
      const key = `DOMU_COLORS[${d.index}]`;
      if (minor < 20) {
        warnings.push({ key, message: `${key}: the colors bitmask is read only by Xilinx's Xen fork; upstream Xen ${rel} ignores it (LLC colouring came in 4.20), so domU${d.index} is not coloured`, fix: 'boot a Xilinx Xen, or Xen 4.20+ with CONFIG_LLC_COLORING (uboot-gen then writes llc-colors)' });
      } else if (!isEnabled(build, 'LLC_COLORING')) {
        errors.push({ key, message: `${key}: this Xen ${rel} build has no LLC colouring (CONFIG_LLC_COLORING is off): Xen panics "'llc-colors' found, but LLC coloring is disabled"`, fix: 'boot a Xen built with CONFIG_LLC_COLORING=y, or drop DOMU_COLORS' });
      } else if (!config.xenCmdDefaulted && !/(?:^|\s)llc-coloring=(on|1|true|yes|enable)(?:\s|$)/.test(config.xenCmd) && !(/llc-size=/.test(config.xenCmd) && /llc-nr-ways=/.test(config.xenCmd))) {
        errors.push({ key, message: `${key}: XEN_CMD does not turn LLC colouring on (llc-coloring=on): Xen ${rel} panics "'llc-colors' found, but LLC coloring is disabled"`, fix: 'add llc-coloring=on to XEN_CMD' });
      }
    }
    if (c.caps) {
      const key = `DOMU_CAPS[${d.index}]`;
      if (minor < 21) {
        warnings.push({ key, message: `${key}: Xen ${rel} does not read the capabilities property (it came in 4.21), so domU${d.index} boots as a plain domU without ${capsNames(c.caps.value)}`, fix: 'boot Xen 4.21 or later for domain capabilities' });
      } else if (c.caps.value & ~DOMAIN_CAPS_MASK) {
        errors.push({ key, message: `${key} = ${c.caps.text} gives capabilities ${c.caps.value}, which has bits Xen does not define (control 1, hardware 2, xenstore 4): Xen ${rel} panics "Invalid capabilities (${c.caps.value.toString(16)})"`, fix: 'use control, hardware, xenstore or a number from 0 to 7' });
      } else if (c.caps.value & DOMAIN_CAPS.hardware) {
        if (hardware) errors.push({ key, message: `${key} makes domU${d.index} the hardware domain, but ${hardware} already is: Xen ${rel} panics "Only 1 hardware domain can be specified!"`, fix: 'give the hardware capability to one domain only' });
        hardware = `domU${d.index}`;
      }
    }
    for (const a of c.affinity) {
      const key = `DOMU_VCPU_HARD_AFFINITY[${d.index},${a.vcpu}]`;
      if (minor < 21) {
        warnings.push({ key, message: `${key}: Xen ${rel} does not read xen,vcpu nodes (hard affinity came in 4.21), so the vCPU may run on any CPU of its pool`, fix: 'boot Xen 4.21 or later for vCPU hard affinity' });
        continue;
      }
      const beyond = a.cpus.values.find((n) => n >= nrCpus);
      if (beyond !== undefined) {
        errors.push({ key, message: `${key} names pCPU ${beyond}, but the board has ${nrCpus} CPU${nrCpus === 1 ? '' : 's'} (0 to ${nrCpus - 1}): Xen ${rel} panics "Invalid pCPU ${Math.max(...a.cpus.values)} for domain domU${d.index}"`, fix: `name CPUs 0 to ${nrCpus - 1}` });
        continue;
      }
      const pool = pools.find((p) => p.index === c.cpupool);
      if (btc && pool) {
        const ids = pool.cpus.map((pc) => cpus.findIndex((bc) => bc.name === pc.name));
        if (!a.cpus.values.some((n) => ids.includes(n))) {
          errors.push({ key, message: `${key} = "${a.cpus.text}" has no CPU of cpupool ${pool.index} (logical CPUs ${ids.join(', ')}), which domU${d.index} runs in: Xen ${rel} panics "vcpu${a.vcpu}: failed (rc=-22) to set hard affinity for domain domU${d.index}"`, fix: `name at least one CPU of CPUPOOL[${pool.index}]` });
        }
      }
    }
  }
  return { errors, warnings, nullOvercommit };
}

function capsNames(v: number): string {
  const n = Object.entries(DOMAIN_CAPS).filter(([, bit]) => v & bit).map(([k]) => k);
  return n.length ? `the ${n.join(' and ')} capabilit${n.length === 1 ? 'y' : 'ies'}` : 'capabilities';
}
