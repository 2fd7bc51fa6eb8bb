// From a verdict back to the config: which keys made a domain (or Xen's console) fail, where they
// are written, and the smallest change that fixes it when it can be computed. The simulator
// reports faults from the boot's bytes alone (DomainFault); this maps them through the plan that
// produced those bytes. Data only: src/cli/verify-report.ts words it.
import type { SourcePos } from '../config/types.js';
import type { ConfigEdit } from '../plan/checks.js';
import type { BootPlan } from '../plan/types.js';
import type { DomainVerdict, XenResult } from '../sim/xen/verdict.js';
import { kernelRoomBytes, smallestDomUMemMiB } from '../xen-build/guest-memory.js';

export type CauseKind =
  | 'domain-memory-too-small' | 'guest-memory-too-small' | 'domain-memory-too-large' | 'too-many-vcpus' | 'guest-dtb-too-large'
  | 'no-initramfs' | 'missing-kernel' | 'xen-console' | 'hardware-domain' | 'xenstore-domain';

export interface VerdictCause {
  kind: CauseKind;
  /** The domain it is about; absent for Xen itself (its console). */
  domain?: string;
  /** The config keys that caused it, the one to change first. */
  keys: string[];
  /** Where each key that is written in the config is (value positions); a key left at its default has none. */
  where: { key: string; pos: SourcePos }[];
  /** The numbers the wording and the fix use (MiB, bytes, counts), by name. */
  data: Record<string, number | string>;
  /** The config change that fixes it, when it can be computed. */
  edit?: ConfigEdit;
}

const MiB = 1024 * 1024;

/** Positions of the keys written in the config. */
function located(plan: BootPlan, keys: string[]): { key: string; pos: SourcePos }[] {
  return keys.flatMap((key) => {
    const pos = plan.config.positions[key];
    return pos ? [{ key, pos }] : [];
  });
}

/** An edit of `key`: in place when the config writes it, else added after the line of `after`. */
function editOf(plan: BootPlan, key: string, value: string, after: string): ConfigEdit {
  const where = plan.config.positions[key];
  const anchor = plan.config.positions[after];
  return { key, value, ...(where ? { where } : anchor ? { after: anchor } : {}) };
}

/** domU<n> → n, from the plan's domains (node names as Xen prints them). */
function domUIndex(plan: BootPlan, name: string): number | undefined {
  return plan.domains.find((d) => d.kind === 'domU' && d.name === name)?.index;
}

/** XEN_CMD with `name=value` set (replaced where it is, else appended). */
function withXenOption(cmd: string, name: string, value: string): string {
  const re = new RegExp(`(^|\\s)${name}=\\S*`);
  return re.test(cmd) ? cmd.replace(re, `$1${name}=${value}`) : `${cmd.trimEnd()} ${name}=${value}`;
}

function domainCause(plan: BootPlan, d: DomainVerdict): VerdictCause | undefined {
  const f = d.fault;
  if (!f) return undefined;
  const n = d.kind === 'domU' ? domUIndex(plan, d.name) : undefined;
  if (d.kind === 'domU' && n === undefined) return undefined;
  const k = (name: string): string => `${name}[${n}]`;
  const base = { domain: d.name };
  switch (f.kind) {
    case 'modules-do-not-fit': {
      if (d.kind === 'dom0') {
        const keys = plan.config.xenCmdDefaulted ? ['DOM0_MEM', 'DOM0_KERNEL'] : ['XEN_CMD', 'DOM0_KERNEL'];
        return { ...base, kind: 'domain-memory-too-small', keys, where: located(plan, keys), data: { memMiB: Math.floor(f.memoryKiB / 1024), kernelBytes: f.kernel.len } };
      }
      const least = smallestDomUMemMiB(f);
      const keys = [k('DOMU_MEM'), k('DOMU_KERNEL'), ...(plan.domains.find((x) => x.name === d.name)?.ramdisk ? [k('DOMU_RAMDISK')] : [])];
      return {
        ...base, kind: 'domain-memory-too-small', keys, where: located(plan, keys),
        data: { memMiB: Math.floor(f.memoryKiB / 1024), kernelBytes: f.kernel.len, kernelRoom: kernelRoomBytes(f.kernel), initrdBytes: f.initrdLen, dtbBytes: f.dtbSize, ...(least !== undefined ? { leastMiB: least } : {}) },
        ...(least !== undefined ? { edit: editOf(plan, k('DOMU_MEM'), String(least), k('DOMU_KERNEL')) } : {}),
      };
    }
    case 'guest-out-of-memory': {
      const needMiB = Math.ceil(f.needBytes / MiB);
      if (d.kind === 'dom0') {
        const keys = plan.config.xenCmdDefaulted ? ['DOM0_MEM'] : ['XEN_CMD'];
        return { ...base, kind: 'guest-memory-too-small', keys, where: located(plan, keys), data: { memMiB: Math.floor(f.memoryKiB / 1024), needMiB } };
      }
      const keys = [k('DOMU_MEM'), k('DOMU_KERNEL')];
      return { ...base, kind: 'guest-memory-too-small', keys, where: located(plan, keys), data: { memMiB: Math.floor(f.memoryKiB / 1024), needMiB },
        edit: editOf(plan, k('DOMU_MEM'), String(needMiB), k('DOMU_KERNEL')) };
    }
    case 'memory-unavailable': {
      const data = { memMiB: Math.floor(f.memoryKiB / 1024), largestMiB: f.largestMiB, freeMiB: Math.floor(f.freeBytes / MiB), laterMiB: Math.ceil(f.laterBytes / MiB), vcpus: f.vcpus };
      if (d.kind === 'dom0') {
        if (plan.config.xenCmdDefaulted) {
          return { ...base, kind: 'domain-memory-too-large', keys: ['DOM0_MEM'], where: located(plan, ['DOM0_MEM']), data, ...(f.largestMiB > 0 ? { edit: editOf(plan, 'DOM0_MEM', String(f.largestMiB), 'DOM0_KERNEL') } : {}) };
        }
        return {
          ...base, kind: 'domain-memory-too-large', keys: ['XEN_CMD'], where: located(plan, ['XEN_CMD']), data: { ...data, option: 'dom0_mem' },
          ...(f.largestMiB > 0 ? { edit: editOf(plan, 'XEN_CMD', withXenOption(plan.config.xenCmd, 'dom0_mem', `${f.largestMiB}M`), 'XEN') } : {}),
        };
      }
      const keys = [k('DOMU_MEM')];
      return { ...base, kind: 'domain-memory-too-large', keys, where: located(plan, keys), data, ...(f.largestMiB > 0 ? { edit: editOf(plan, k('DOMU_MEM'), String(f.largestMiB), k('DOMU_KERNEL')) } : {}) };
    }
    case 'too-many-vcpus': {
      if (d.kind === 'dom0') return undefined;
      const keys = [k('DOMU_VCPUS')];
      return { ...base, kind: 'too-many-vcpus', keys, where: located(plan, keys), data: { vcpus: f.vcpus, limit: f.limit }, edit: editOf(plan, k('DOMU_VCPUS'), String(f.limit), k('DOMU_KERNEL')) };
    }
    case 'guest-dtb-too-large': {
      const keys = [k('DOMU_VCPUS'), k('DOMU_CMD')];
      return { ...base, kind: 'guest-dtb-too-large', keys, where: located(plan, keys), data: { vcpus: f.vcpus, size: f.size, limit: f.limit } };
    }
    case 'no-initramfs': {
      const keys = d.kind === 'dom0' ? ['DOM0_RAMDISK', 'DOM0_CMD'] : [k('DOMU_RAMDISK'), k('DOMU_CMD')];
      return { ...base, kind: 'no-initramfs', keys, where: located(plan, keys), data: { moduleMissing: f.moduleMissing ? 'yes' : 'no' } };
    }
    case 'missing-kernel': {
      const keys = [d.kind === 'dom0' ? 'DOM0_KERNEL' : k('DOMU_KERNEL'), 'NUM_DOMUS'];
      return { ...base, kind: 'missing-kernel', keys, where: located(plan, keys), data: {} };
    }
    case 'hardware-domain': {
      // The key that made the refusal first, then DOMU_CAPS (drop hardware) or the direct-map keys.
      const keys = f.refusal === 'passthrough' ? [k('DOMU_PASSTHROUGH_PROP'), k('DOMU_CAPS')]
        : f.refusal === 'passthrough-dtb' ? [k('DOMU_PASSTHROUGH_DTB'), k('DOMU_CAPS')]
          : [k('DOMU_CAPS'), k('DOMU_STATIC_MEM'), k('DOMU_DIRECT_MAP')];
      return { ...base, kind: 'hardware-domain', keys, where: located(plan, keys), data: { refusal: f.refusal, panic: f.panic } };
    }
    case 'xenstore-domain': {
      const keys = f.second ? [k('DOMU_CAPS')] : [k('DOMU_ENHANCED'), 'DOM0_KERNEL'];
      return { ...base, kind: 'xenstore-domain', keys, where: located(plan, keys), data: { second: f.second ? 'yes' : 'no', panic: f.panic } };
    }
  }
}

/** Xen without a serial console: XEN_CMD's console=/dtuart= are what to change. */
function consoleCause(plan: BootPlan, xen: XenResult): VerdictCause | undefined {
  if (xen.consoleVisible) return undefined;
  const finding = xen.findings.find((f) => f.startsWith('Xen has no console: '));
  if (!finding) return undefined;
  const why = finding.slice('Xen has no console: '.length).replace(/\. The boot may still succeed.*$/, '');
  return { kind: 'xen-console', keys: ['XEN_CMD'], where: located(plan, ['XEN_CMD']), data: { why } };
}

/** Every cause that can be traced to the config, Xen's console first, then the domains in boot order. */
export function verdictCauses(plan: BootPlan, xen: XenResult | undefined): VerdictCause[] {
  if (!xen) return [];
  const out: VerdictCause[] = [];
  const c = consoleCause(plan, xen);
  if (c) out.push(c);
  for (const d of xen.domains) {
    if (d.verdict === 'up') continue;
    const cause = domainCause(plan, d);
    if (cause) out.push(cause);
  }
  return out;
}
