// The CPU keys of an ImageBuilder config: boot-time cpupools (NUM_CPUPOOLS, CPUPOOL[i],
// DOMU_CPUPOOL[n]), vCPU hard affinity (DOMU_VCPU_HARD_AFFINITY[n,v]), domain capabilities
// (DOMU_CAPS[n]) and cache colours (XEN_COLORS, DOM0_COLORS, DOMU_COLORS[n]).
// Forms and defaults as uboot-script-gen reads them: add_device_tree_cpupools() (first word of
// CPUPOOL[i] = comma list of /cpus children, last word = scheduler), parse_domain_caps() ("|"-joined
// names, case-insensitive, or a number), xen_dt_domu_add_vcpu_nodes() (only v < DOMU_VCPUS[n]),
// and the "start-end" colour ranges. Stricter where ImageBuilder writes something Xen rejects.
import { ConfigError } from '../errors.js';
import type { RawConfig, RawValue } from './parse.js';
import type { Diagnostic, SourcePos } from './types.js';

/** Scheduler opt_names Xen 4.17–4.22 registers (xen/common/sched/*.c `.opt_name`). */
export const XEN_SCHEDULER_NAMES: readonly string[] = ['credit', 'credit2', 'rtds', 'arinc653', 'null'];

/** DOMAIN_CAPS_CONTROL / _HARDWARE / _XENSTORE (xen/include/public/bootfdt.h, Xen 4.21+). */
export const DOMAIN_CAPS = { control: 1, hardware: 2, xenstore: 4 } as const;
export const DOMAIN_CAPS_MASK = 7;

/** A `0-3,8` list (colours or pCPUs): its text and every number it names, in order, without repeats. */
export interface NumberList { text: string; values: number[] }

export interface CpupoolConfig {
  /** i of CPUPOOL[i]; the node is /chosen/cpupool_<i>. */
  index: number;
  /** Children of /cpus, as written (`cpu@1`). */
  cpus: string[];
  /** cpupool-sched, when the value has a second word. */
  sched?: string;
  where: SourcePos;
}

export interface VcpuAffinity {
  /** v of DOMU_VCPU_HARD_AFFINITY[n,v]. */
  vcpu: number;
  /** pCPU list as written (the `hard-affinity` string). */
  cpus: NumberList;
  where: SourcePos;
}

/** Per-domU CPU keys. */
export interface DomUCpuConfig {
  /** DOMU_CPUPOOL[n]: index of the CPUPOOL the domain joins. */
  cpupool?: number;
  /** DOMU_CAPS[n] as the `capabilities` number, and the value as written. */
  caps?: { value: number; text: string };
  /** DOMU_COLORS[n]. */
  colours?: NumberList;
  /** DOMU_VCPU_HARD_AFFINITY[n,v] for v < DOMU_VCPUS[n], in vCPU order. */
  affinity: VcpuAffinity[];
}

export interface CpuConfig {
  cpupools: CpupoolConfig[];
  /** XEN_COLORS / DOM0_COLORS (ImageBuilder uses them only in its default XEN_CMD). */
  xenColours?: NumberList;
  dom0Colours?: NumberList;
}

type Get = (name: string, sub?: string) => RawValue | undefined;

function bad(v: RawValue, message: string, hint: string): never {
  throw new ConfigError('CONFIG_BAD_VALUE', message, { key: v.key }, { ...v.valueWhere, key: v.key }, hint);
}

/**
 * A comma list of numbers and inclusive ranges (`0-3,8`), as Xen's llc-colors and hard-affinity
 * parsers read it. `max` is the largest number allowed (inclusive).
 */
export function parseNumberList(v: RawValue, what: string, max: number, example: string): NumberList {
  const text = v.value.trim();
  const hint = `write ${what} as numbers and ranges separated by commas, e.g. ${v.key}="${example}"`;
  if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(text)) bad(v, `${v.key} must be a list of ${what} such as "${example}", got "${v.value}"`, hint);
  const values: number[] = [];
  for (const part of text.split(',')) {
    const [a, b] = part.split('-').map(Number) as [number, number | undefined];
    const end = b ?? a;
    if (end < a) bad(v, `${v.key}: the range ${part} runs backwards`, `write the smaller number first, e.g. ${end}-${a}`);
    if (end > max) bad(v, `${v.key}: ${end} is out of range, ${what} go from 0 to ${max}`, hint);
    for (let i = a; i <= end; i++) if (!values.includes(i)) values.push(i);
  }
  return { text, values };
}

/** DOMU_CAPS[n]: parse_domain_caps() of ImageBuilder (ML21). */
export function parseCaps(v: RawValue): { value: number; text: string } {
  const words = v.value.trim().split(/[|\s]+/).filter(Boolean);
  let caps = 0;
  for (const w of words) {
    const lw = w.toLowerCase();
    if (lw === 'none') continue;
    if (lw === 'control' || lw === 'hardware' || lw === 'xenstore') { caps |= DOMAIN_CAPS[lw]; continue; }
    if (lw === 'dom0' || lw === 'domain0') { caps |= DOMAIN_CAPS_MASK; continue; }
    if (/^(0|[1-9]\d*|0x[0-9a-f]+)$/.test(lw) && Number(lw) <= 0xffffffff) { caps = (caps | Number(lw)) >>> 0; continue; }
    bad(v, `Invalid ${v.key} "${v.value}": "${w}" is not a capability`,
      'use control, hardware, xenstore, dom0 (all three) or none, joined with "|" (e.g. "control|xenstore"), or a number (1 control, 2 hardware, 4 xenstore)');
  }
  if (words.length === 0) bad(v, `Invalid ${v.key} "${v.value}"`, 'use e.g. "control|xenstore" or a number');
  return { value: caps >>> 0, text: v.value };
}

const NODE_NAME = /^[A-Za-z0-9,._+-]+(@[A-Za-z0-9,._+-]+)?$/;

/** NUM_CPUPOOLS and CPUPOOL[i] (add_device_tree_cpupools()). */
function cpupools(raw: RawConfig, get: Get, diags: Diagnostic[]): CpupoolConfig[] {
  const num = get('NUM_CPUPOOLS');
  const text = num?.value.trim() ?? '';
  let n = 0;
  if (num && text !== '') {
    if (!/^\d+$/.test(text) || Number(text) > 128) bad(num, `NUM_CPUPOOLS must be a whole number of cpupools from 0 to 128, got "${num.value}"`, 'e.g. NUM_CPUPOOLS=1 with CPUPOOL[0]="cpu@1 null"');
    n = Number(text);
  }
  for (const [sub, v] of raw.vars.get('CPUPOOL')?.elements ?? []) {
    if (Number(sub) >= n) diags.push({ level: 'warning', code: 'CONFIG_IGNORED_INDEX', message: `${v.key} is set but NUM_CPUPOOLS=${n}, so it is ignored`, where: v.where, key: v.key });
  }
  const pools: CpupoolConfig[] = [];
  const owner = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    const v = get('CPUPOOL', String(i));
    if (!v || v.value.trim() === '') {
      throw new ConfigError('CONFIG_MISSING', `NUM_CPUPOOLS=${n} but CPUPOOL[${i}] is not set`, { key: `CPUPOOL[${i}]` },
        num ? { ...num.valueWhere, key: 'NUM_CPUPOOLS' } : { file: raw.file }, `add CPUPOOL[${i}]="cpu@1,cpu@2 null" (CPUs, then an optional scheduler), or lower NUM_CPUPOOLS`);
    }
    const words = v.value.trim().split(/\s+/);
    if (words.length > 2) bad(v, `${v.key} must be "CPU,CPU,... [scheduler]", got ${words.length} words`, `e.g. ${v.key}="cpu@1,cpu@2 null"`);
    const cpus = words[0]!.split(',');
    for (const c of cpus) {
      if (!NODE_NAME.test(c)) bad(v, `${v.key}: "${c}" is not a /cpus child node name`, `name the CPUs as the board DTB does under /cpus, e.g. ${v.key}="cpu@1,cpu@2 null"`);
      // ImageBuilder: "<cpu> already assigned to another cpupool" (it matches substrings, so cpu@1 after cpu@10 is refused too; here names must match exactly).
      const prev = owner.get(c);
      if (prev !== undefined) bad(v, `/cpus/${c} already assigned to another cpupool (${prev})`, 'each CPU belongs to one cpupool: remove it from one of them');
      owner.set(c, v.key);
    }
    const sched = words[1];
    if (sched !== undefined && !XEN_SCHEDULER_NAMES.includes(sched)) {
      bad(v, `${v.key}: "${sched}" is not a Xen scheduler (Xen would panic: "Scheduler ${sched} does not exists!")`, `use one of ${XEN_SCHEDULER_NAMES.join(', ')}`);
    }
    pools.push({ index: i, cpus, ...(sched !== undefined ? { sched } : {}), where: v.valueWhere });
  }
  return pools;
}

/** Colours: ImageBuilder's "start-end", or the upstream list form "0-3,8". */
function colours(v: RawValue | undefined): NumberList | undefined {
  if (!v || v.value.trim() === '') return undefined;
  // NR_LLC_COLORS is at most 1 << CONFIG_LLC_COLORS_ORDER; its largest value on arm64 is 128 colours.
  return parseNumberList(v, 'cache colours', 127, '0-3');
}

/** Everything CPU-related of the config; `domUs` gives each domU's index and vCPU count. */
export function resolveCpuKeys(raw: RawConfig, domUs: ReadonlyArray<{ index: number; vcpus: number }>, diags: Diagnostic[]): { cpu: CpuConfig; domUs: DomUCpuConfig[] } {
  const get: Get = (name, sub) => raw.vars.get(name)?.elements.get(sub ?? '0');
  const pools = cpupools(raw, get, diags);
  const xenColours = colours(get('XEN_COLORS'));
  const dom0Colours = colours(get('DOM0_COLORS'));
  const perDomU = domUs.map((d): DomUCpuConfig => {
    const out: DomUCpuConfig = { affinity: [] };
    const pool = get('DOMU_CPUPOOL', String(d.index));
    if (pool && pool.value.trim() !== '') {
      const t = pool.value.trim();
      if (!/^\d+$/.test(t)) bad(pool, `${pool.key} must be the index of a CPUPOOL, got "${pool.value}"`, `e.g. ${pool.key}=0 for CPUPOOL[0]`);
      if (Number(t) >= pools.length) {
        bad(pool, `${pool.key}=${t} names CPUPOOL[${t}], but NUM_CPUPOOLS=${pools.length}`, pools.length ? `use 0 to ${pools.length - 1}` : 'set NUM_CPUPOOLS and CPUPOOL[i] first');
      }
      out.cpupool = Number(t);
    }
    const caps = get('DOMU_CAPS', String(d.index));
    if (caps && caps.value.trim() !== '') out.caps = parseCaps(caps);
    const c = colours(get('DOMU_COLORS', String(d.index)));
    if (c) out.colours = c;
    for (const [sub, v] of raw.vars.get('DOMU_VCPU_HARD_AFFINITY')?.elements ?? []) {
      const m = /^(\d+),(\d+)$/.exec(sub);
      if (!m || Number(m[1]) !== d.index || v.value === '') continue;
      const vcpu = Number(m[2]);
      if (vcpu >= d.vcpus) {
        diags.push({ level: 'warning', code: 'CONFIG_IGNORED_INDEX', message: `${v.key} is set but DOMU_VCPUS[${d.index}]=${d.vcpus}, so vCPU ${vcpu} does not exist and it is ignored`, where: v.where, key: v.key });
        continue;
      }
      // Logical pCPU ids; Xen's NR_CPUS is at most 4096 on Arm.
      out.affinity.push({ vcpu, cpus: parseNumberList(v, 'pCPU numbers', 4095, '0-2'), where: v.valueWhere });
    }
    out.affinity.sort((a, b) => a.vcpu - b.vcpu);
    return out;
  });
  return { cpu: { cpupools: pools, ...(xenColours ? { xenColours } : {}), ...(dom0Colours ? { dom0Colours } : {}) }, domUs: perDomU };
}
