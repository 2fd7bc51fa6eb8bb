// What a boot report shows, as plain values: the memory map, the /chosen tree as U-Boot left
// it, one card per domain, the consoles and, for a real boot, real against simulated. Built
// from the plan, the verification and the lab result; rendered by src/report/html.ts.
import * as fs from 'node:fs';
import { formatValue, parseTree, type FdtNode } from '../fdt/tree.js';
import { hex, humanSize } from '../util/hex.js';
import type { BootPlan } from '../plan/types.js';
import type { DomainVerdict } from '../sim/xen/verdict.js';
import type { VerifyReport } from '../api/verify.js';
import { memoryMap, type MemoryMap } from './memory-map.js';

export interface ChosenNodeView {
  name: string;
  /** Tabs for this node's depth under /chosen, as dtc indents. */
  indent: string;
  props: Array<{ name: string; value: string }>;
  children: ChosenNodeView[];
}

export interface ConfigLine { file: string; line: number; text: string }

export interface DomainCard {
  name: string;
  kind: 'dom0' | 'domU' | 'linux';
  verdict: string;
  ok: boolean;
  reason?: string;
  message?: string;
  kernel?: string;
  ramdisk?: string;
  memory?: string;
  vcpus?: string;
  /** Console lines about this domain. */
  console: string[];
  /** The config lines that define it. */
  configLines: ConfigLine[];
  /** For a real boot: what really happened, and whether the simulation said the same. */
  real?: { verdict: string; agrees: boolean; detail?: string };
}

export interface LabComparison {
  outcome: string;
  wallSeconds: number;
  rows: Array<{ domain: string; real: string; simulated: string; agrees: boolean }>;
  serialLog: string[];
}

export interface ReportModel {
  title: string;
  subtitle: string;
  ok: boolean;
  summary: string;
  map?: MemoryMap;
  chosen?: ChosenNodeView;
  domains: DomainCard[];
  ubootConsole: string[];
  xenConsole: string[];
  lab?: LabComparison;
  diagnostics: string[];
}

/** `check --report`: one row and one boot report per config. */
export interface BatchReportModel {
  title: string;
  ok: boolean;
  summary: string;
  configs: Array<{
    config: string;
    /** The id of the config's section, and `prefix` the one of the ids inside it. */
    anchor: string;
    prefix: string;
    ok: boolean;
    exitCode: number;
    /** `up/total`, or `-`. */
    domains: string;
    finding: string;
    report: ReportModel;
  }>;
}

export interface ReportInputs {
  title: string;
  plan?: BootPlan;
  verification?: VerifyReport;
  /** The verification in one line, as the CLI words it (src/cli/verify-report.ts). */
  summary?: string;
  lab?: { outcome: string; wallSeconds: number; domains: Array<{ name: string; verdict: string; detail?: string }>; serialLog: string[] };
  /** The config file, to show the lines behind each domain. */
  configFile?: string;
}

function chosenView(node: FdtNode, depth = 0): ChosenNodeView {
  return {
    name: node.name,
    indent: '\t'.repeat(depth),
    props: node.props.map((p) => ({ name: p.name, value: p.value.length === 0 ? '' : formatValue(p.value) })),
    children: node.children.map((c) => chosenView(c, depth + 1)),
  };
}

/** /chosen of the device tree U-Boot hands over: what Xen reads. */
export function chosenOf(fdt: Uint8Array): ChosenNodeView | undefined {
  try {
    const chosen = parseTree(fdt).root.children.find((c) => c.name === 'chosen');
    return chosen ? chosenView(chosen) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The config lines that assign a domain's keys (DOM0_* for dom0, DOMU_*[n] for domU n). The
 * config was already read by src/config; this only finds the lines again for display.
 */
export function configLinesFor(configFile: string, domain: { kind: 'dom0' | 'domU' | 'linux'; index?: number }): ConfigLine[] {
  let text: string;
  try {
    text = fs.readFileSync(configFile, 'utf8');
  } catch {
    return [];
  }
  const want = domain.kind === 'linux' ? /^\s*LINUX(_[A-Z0-9_]+)?=/ : domain.kind === 'dom0' ? /^\s*DOM0_[A-Z0-9_]+=/ : new RegExp(`^\\s*DOMU_[A-Z0-9_]+\\[${domain.index}\\]=`);
  return text.split('\n').flatMap((t, i) => (want.test(t) ? [{ file: configFile, line: i + 1, text: t.trim() }] : []));
}

/** Xen console lines about one domain: its name, or its domid in Xen's d<N> notation. */
function consoleFor(lines: string[], d: DomainVerdict): string[] {
  const byId = d.domid !== undefined ? new RegExp(`\\bd${d.domid}(v\\d+)?\\b`) : undefined;
  const byName = new RegExp(`\\b${d.name}\\b`, d.name === 'dom0' ? 'i' : '');
  return lines.filter((l) => byName.test(l) || (byId?.test(l) ?? false) || (d.message !== undefined && l.includes(d.message)));
}

const kib = (k: number): string => humanSize(k * 1024);

export function buildReportModel(inputs: ReportInputs): ReportModel {
  const v = inputs.verification;
  const xenConsole = v?.xen?.console ?? v?.linux?.console ?? [];
  const plannedByName = new Map((inputs.plan?.domains ?? []).map((d) => [d.name, d]));
  const realByName = new Map((inputs.lab?.domains ?? []).map((d) => [d.name, d]));
  const simulated: DomainVerdict[] = v?.domains ?? [];
  const names = [...new Set([...simulated.map((d) => d.name), ...(inputs.plan?.domains ?? []).map((d) => d.name), ...realByName.keys()])];
  const domains: DomainCard[] = names.map((name) => {
    const sim = simulated.find((d) => d.name === name);
    const planned = plannedByName.get(name);
    const real = realByName.get(name);
    const kind = sim?.kind ?? planned?.kind ?? (name === 'dom0' ? 'dom0' : 'domU');
    const verdict = sim?.verdict ?? (v ? 'not started' : 'not verified');
    return {
      name, kind, verdict, ok: verdict === 'up',
      ...(sim?.reason ? { reason: sim.reason } : {}),
      ...(sim?.message ? { message: sim.message } : {}),
      ...(sim?.kernel ? { kernel: `${hex(sim.kernel.start)}+${hex(sim.kernel.size)} ${sim.kernel.format}` } : planned ? { kernel: `${planned.kernel.file} at ${hex(planned.kernel.addr)}` } : {}),
      ...(sim?.ramdisk ? { ramdisk: `${hex(sim.ramdisk.start)}+${hex(sim.ramdisk.size)}` } : planned?.ramdisk ? { ramdisk: `${planned.ramdisk.file} at ${hex(planned.ramdisk.addr)}` } : {}),
      ...(sim?.memoryKiB !== undefined ? { memory: kib(sim.memoryKiB) } : planned?.memMB !== undefined ? { memory: `${planned.memMB} MiB` } : {}),
      ...(sim?.vcpus !== undefined ? { vcpus: String(sim.vcpus) } : planned?.vcpus !== undefined ? { vcpus: String(planned.vcpus) } : {}),
      console: sim ? consoleFor(xenConsole, sim) : [],
      configLines: inputs.configFile ? configLinesFor(inputs.configFile, { kind, ...(planned?.index !== undefined ? { index: planned.index } : { index: Number(/^domU(\d+)$/.exec(name)?.[1] ?? -1) }) }) : [],
      ...(real ? { real: { verdict: real.verdict, agrees: real.verdict === verdict, ...(real.detail ? { detail: real.detail } : {}) } } : {}),
    };
  });
  const ok = v ? v.ok : true;
  return {
    title: inputs.title,
    subtitle: v ? `${v.uboot.ubootVersion ? `U-Boot ${v.uboot.ubootVersion}` : 'U-Boot'} (${v.board}) → ${v.xen ? v.xen.build : 'Xen not reached'}` : 'plan only (not verified)',
    ok: inputs.lab ? ok && domains.every((d) => d.real?.agrees ?? true) : ok,
    summary: inputs.summary ?? (v ? (v.ok ? 'every domain comes up' : 'the boot fails') : 'not verified: the plan is shown as generated'),
    ...(inputs.plan ? { map: memoryMap(inputs.plan) } : {}),
    ...(v?.uboot.handoff ? (() => { const c = chosenOf(v.uboot.handoff.fdt); return c ? { chosen: c } : {}; })() : {}),
    domains,
    ubootConsole: v?.uboot.console ?? [],
    xenConsole,
    ...(inputs.lab ? {
      lab: {
        outcome: inputs.lab.outcome, wallSeconds: inputs.lab.wallSeconds, serialLog: inputs.lab.serialLog,
        rows: domains.map((d) => ({ domain: d.name, real: d.real?.verdict ?? '-', simulated: d.verdict, agrees: d.real?.agrees ?? false })),
      },
    } : {}),
    diagnostics: (inputs.plan?.diagnostics ?? []).map((d) => `${d.level}: ${d.message}`),
  };
}
