// The CPU part of the script model: boot-time cpupools and each domU's capabilities, cache
// colours and vCPU nodes, as plain data for templates/partials/cpupools.hbs, domu-caps.hbs and
// domu-vcpus.hbs. Colours take the form the Xen that runs the script reads: ImageBuilder's
// (Xilinx Xen: `colors <bitmask>`, `xen_colors=`/`dom0_colors=`) before 4.20, upstream LLC
// colouring from 4.20 (`llc-colors "list"`, `llc-coloring=on xen-llc-colors= dom0-llc-colors=`).
import type { DomUConfig } from '../config/types.js';
import type { PlannedCpupool } from '../plan/cpupools.js';

export interface CpupoolModel {
  index: number;
  /** /chosen child name, `cpupool_<i>`. */
  node: string;
  phandle: number;
  /** Each CPU's node path, its phandle, and whether the script must set that phandle. */
  cpus: Array<{ path: string; phandle: number; added: boolean }>;
  sched: string | null;
  /** `/chosen/domU<n>` names of the booted domUs that join the pool. */
  domUs: string[];
}

export interface DomUCpuModel {
  /** `capabilities` (decimal), or null. */
  caps: number | null;
  /** ImageBuilder's `colors` bitmask (Xen before 4.20), or null. */
  colorMask: number | null;
  /** Upstream `llc-colors` list (Xen 4.20+), or null. */
  llcColors: string | null;
  /** `xen,vcpu` nodes: vCPU id and its `hard-affinity` string. */
  vcpus: Array<{ id: number; hardAffinity: string }>;
}

/** Upstream LLC colouring (llc-colors, llc-coloring=on) replaced the Xilinx interface in Xen 4.20. */
export const upstreamColouring = (xenRelease: string): boolean => Number(/^4\.(\d+)/.exec(xenRelease)?.[1] ?? 0) >= 20;

export function cpupoolModels(pools: readonly PlannedCpupool[]): CpupoolModel[] {
  return pools.map((p) => ({
    index: p.index, node: p.node, phandle: p.phandle,
    cpus: p.cpus.map((c) => ({ path: `/cpus/${c.name}`, phandle: c.phandle, added: c.added })),
    sched: p.sched ?? null, domUs: p.domUs.map((n) => `domU${n}`),
  }));
}

export function domUCpuModel(du: DomUConfig, xenRelease: string): DomUCpuModel {
  const c = du.cpu;
  const colours = c?.colours;
  const upstream = upstreamColouring(xenRelease);
  return {
    caps: c?.caps?.value ?? null,
    colorMask: colours && !upstream ? colours.values.reduce((m, b) => m + 2 ** b, 0) : null,
    llcColors: colours && upstream ? colours.text : null,
    vcpus: (c?.affinity ?? []).map((a) => ({ id: a.vcpu, hardAffinity: a.cpus.text })),
  };
}

/**
 * The Xen command line for the Xen that runs it: ImageBuilder's default line carries
 * `xen_colors=`/`dom0_colors=` (Xilinx Xen); for Xen 4.20+ they become upstream's
 * `llc-coloring=on xen-llc-colors=`/`dom0-llc-colors=`, and a default line gets `llc-coloring=on`
 * whenever a domain is coloured. A XEN_CMD the user wrote is kept as is.
 */
export function xenBootargs(xenCmd: string, defaulted: boolean, xenRelease: string, anyColours: boolean): string {
  if (!defaulted || !anyColours || !upstreamColouring(xenRelease)) return xenCmd;
  let on = false;
  const out = xenCmd.replace(/(^| )(xen|dom0)_colors=(\S+)/g, (_m, sp: string, who: string, v: string) => {
    const pre = on ? '' : 'llc-coloring=on ';
    on = true;
    return `${sp}${pre}${who}-llc-colors=${v}`;
  });
  return on ? out : out.replace(/(^| )sched=null( |$)/, '$1sched=null llc-coloring=on$2');
}
