// The structured outcome of a simulated Xen boot: one verdict per domain and the reasons.
import { hex } from '../../util/hex.js';
import type { HardwareRefusal } from '../../xen-build/facts.js';
import type { GuestKernel } from '../../xen-build/guest-memory.js';

/**
 * What in the domain's own description made it fail, with the numbers a fix is computed from.
 * The simulator sees only the boot's bytes; src/api maps a fault back to the config keys.
 */
export type DomainFault =
  /** place_modules() found no room in bank 0 (the domain's memory is too small for them). */
  | { kind: 'modules-do-not-fit'; memoryKiB: number; kernel: GuestKernel; initrdLen: number; dtbSize: number }
  /** The domain's memory (with its P2M pool) is more than Xen's heap has left when it is built. */
  /** `laterBytes`: what the domUs built after it take; `largestMiB` leaves them that. */
  | { kind: 'memory-unavailable'; memoryKiB: number; freeBytes: number; laterBytes: number; vcpus: number; largestMiB: number }
  /** More vCPUs than the virtual GIC (or MAX_VIRT_CPUS) allows. */
  | { kind: 'too-many-vcpus'; vcpus: number; limit: number }
  /** The guest device tree does not fit the buffer of this Xen release. */
  | { kind: 'guest-dtb-too-large'; vcpus: number; size: number; limit: number }
  /** The guest needs an initramfs it does not get. */
  | { kind: 'no-initramfs'; moduleMissing: boolean }
  /** No kernel module for the domain. */
  | { kind: 'missing-kernel' }
  /** A domU with the hardware capability Xen refuses as the hardware domain (4.21+). */
  | { kind: 'hardware-domain'; refusal: HardwareRefusal; panic: string }
  /** xen,enhanced with no xenstore domain, or a second xenstore domain (this one; 4.21+). */
  | { kind: 'xenstore-domain'; second: boolean; panic: string }
  /** Less RAM than the guest's Linux needs to reach init: it runs out of memory while booting. */
  | { kind: 'guest-out-of-memory'; memoryKiB: number; needBytes: number };

export type DomainVerdictKind = 'up' | 'xen panic' | 'dropped' | 'guest fails' | 'silent hang' | 'not started';

export interface DomainVerdict {
  /** dom0, or the /chosen child node name (Xen's dt_node_name(): without @unit); `linux` for a Linux-only boot. */
  name: string;
  /** Xen domain id, when the domain was created. */
  domid?: number;
  /** `linux`: the kernel of a Linux-only boot (src/sim/linux), started by U-Boot with no Xen. */
  kind: 'dom0' | 'domU' | 'linux';
  kernel?: { start: number; size: number; format: string };
  ramdisk?: { start: number; size: number };
  memoryKiB?: number;
  vcpus?: number;
  verdict: DomainVerdictKind;
  /** Why, in our words. */
  reason?: string;
  /** The exact Xen line (panic text or the message that explains the verdict). */
  message?: string;
  /** The domain's own fault, when its failure comes from how it is described (memory, vCPUs, modules). */
  fault?: DomainFault;
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
  /** Pre-console messages: only in the console ring (`xl dmesg`) on Xen ≤ 4.20 release builds; 4.21+ also sends them to the UART when its console comes up (so they are in `console` too). */
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
export function formatDomainTable(result: Pick<XenResult, 'domains'>): string {
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
