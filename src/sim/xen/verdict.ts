// The structured outcome of a simulated Xen boot: one verdict per domain and the reasons.
import { hex } from '../../util/hex.js';

export type DomainVerdictKind = 'up' | 'xen panic' | 'dropped' | 'guest fails' | 'silent hang' | 'not started';

export interface DomainVerdict {
  /** dom0, or the /chosen child node name (Xen's dt_node_name(): without @unit). */
  name: string;
  /** Xen domain id, when the domain was created. */
  domid?: number;
  kind: 'dom0' | 'domU';
  kernel?: { start: number; size: number; format: string };
  ramdisk?: { start: number; size: number };
  memoryKiB?: number;
  vcpus?: number;
  verdict: DomainVerdictKind;
  /** Why, in our words. */
  reason?: string;
  /** The exact Xen line (panic text or the message that explains the verdict). */
  message?: string;
}

export interface XenResult {
  version: string;
  /** What was modelled: "Xen 4.20.5-pre (build: STATIC_MEMORY n, SCHED_NULL n, DEBUG n)". */
  build: string;
  /** Where the release and the options came from (embedded .config, --xen-config, defaults). */
  buildSources: string;
  /** False when Xen has no usable serial console (nothing is visible after "Starting kernel ..."). */
  consoleVisible: boolean;
  /** What Xen prints once its console is up ("(XEN) " prefixed). A subsequence of a real boot log:
   *  hardware-probe lines (CPU features, GIC, timers) are not modelled. */
  console: string[];
  /** Pre-console messages: only in the console ring (`xl dmesg`) on Xen ≤ 4.20 release builds. */
  earlyLog: string[];
  panic?: string;
  silentHang?: string;
  findings: string[];
  /** Console values that are estimates, not exact predictions. */
  estimates: string[];
  domains: DomainVerdict[];
}

const kib = (k: number): string => (k % (1024 * 1024) === 0 ? `${k / 1024 / 1024} GiB` : k % 1024 === 0 ? `${k / 1024} MiB` : `${k} KiB`);

/** Aligned text table: name, domid, kernel, ramdisk, memory, vCPUs, verdict. */
export function formatDomainTable(result: XenResult): string {
  const head = ['name', 'domid', 'kernel', 'ramdisk', 'memory', 'vCPUs', 'verdict'];
  const rows = result.domains.map((d) => [
    d.name,
    d.domid === undefined ? '-' : String(d.domid),
    d.kernel ? `${hex(d.kernel.start)}+${hex(d.kernel.size)} ${d.kernel.format}` : '-',
    d.ramdisk ? `${hex(d.ramdisk.start)}+${hex(d.ramdisk.size)}` : '-',
    d.memoryKiB === undefined ? '-' : kib(d.memoryKiB),
    d.vcpus === undefined ? '-' : String(d.vcpus),
    d.verdict + (d.reason ? `: ${d.reason}` : ''),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}
