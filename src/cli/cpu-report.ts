// The CPU part of the plan for people and for --json: boot-time cpupools with their CPUs, the
// scheduler and the domains in each, and the domains' cache colours, capabilities and vCPU
// hard affinity.
import type { BootPlan } from '../plan/types.js';
import { upstreamColouring } from '../emit/cpu-model.js';

const hexl = (n: number): string => `0x${n.toString(16)}`;

/** One line per cpupool, then one per domU with colours, capabilities or affinity. */
export function cpuSummary(plan: BootPlan): string[] {
  const lines = plan.cpupools.map((p) => `cpupool ${p.index} (/chosen/${p.node}, phandle ${hexl(p.phandle)}): ${p.cpus.map((c) => `${c.name}${c.added ? ` (phandle ${hexl(c.phandle)} added)` : ''}`).join(', ')}; ${p.sched ? `${p.sched} scheduler` : 'default scheduler'}; ${p.domUs.length ? p.domUs.map((n) => `domU${n}`).join(', ') : 'no domain'}`);
  const cpu = plan.config.cpu;
  const form = upstreamColouring(plan.xenRelease) ? 'LLC colouring, Xen 4.20+' : 'ImageBuilder colours';
  if (cpu?.xenColours) lines.push(`colours: Xen ${cpu.xenColours.text} (${form})`);
  if (cpu?.dom0Colours) lines.push(`colours: dom0 ${cpu.dom0Colours.text} (${form})`);
  for (const d of plan.config.domUs) {
    if (!d.boot || !d.cpu) continue;
    if (d.cpu.colours) lines.push(`colours: domU${d.index} ${d.cpu.colours.text} (${form})`);
    if (d.cpu.caps) lines.push(`capabilities: domU${d.index} ${d.cpu.caps.value} (${d.cpu.caps.text})`);
    for (const a of d.cpu.affinity) lines.push(`hard affinity: domU${d.index} vCPU ${a.vcpu} on pCPUs ${a.cpus.text}`);
  }
  return lines;
}

/** The plan has cpupools or a domain or Xen CPU key (then --json's plan has a `cpu` member). */
export function hasCpuKeys(plan: BootPlan): boolean {
  const c = plan.config.cpu;
  return plan.cpupools.length > 0 || c?.xenColours !== undefined || c?.dom0Colours !== undefined
    || plan.config.domUs.some((d) => d.cpu && (d.cpu.cpupool !== undefined || d.cpu.caps || d.cpu.colours || d.cpu.affinity.length > 0));
}

/** The `cpu` member of the plan in --json. */
export function cpuJson(plan: BootPlan): Record<string, unknown> {
  const cpu = plan.config.cpu;
  return {
    cpupools: plan.cpupools,
    colourForm: upstreamColouring(plan.xenRelease) ? 'llc-colors' : 'imagebuilder',
    ...(cpu?.xenColours ? { xenColours: cpu.xenColours.values } : {}),
    ...(cpu?.dom0Colours ? { dom0Colours: cpu.dom0Colours.values } : {}),
    domUs: plan.config.domUs.filter((d) => d.boot && d.cpu).map((d) => ({
      index: d.index,
      ...(d.cpu!.cpupool !== undefined ? { cpupool: d.cpu!.cpupool } : {}),
      ...(d.cpu!.caps ? { capabilities: d.cpu!.caps.value } : {}),
      ...(d.cpu!.colours ? { colours: d.cpu!.colours.values } : {}),
      affinity: d.cpu!.affinity.map((a) => ({ vcpu: a.vcpu, pcpus: a.cpus.values })),
    })),
  };
}
