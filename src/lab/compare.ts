// Simulator vs real boot, per domain, in the vocabulary both share.
import type { VerifyReport } from '../api/verify.js';
import type { BootPlan } from '../plan/types.js';
import type { DomainVerdict, ExpectedDomain } from './xen-console.js';
import { labTokenOf } from './index.js';

export interface Observed { verdict: string; message?: string }

/**
 * What a real serial console would show of a simulated boot, per domain. When Xen panics,
 * no domain runs: the model says which domain Xen was building ('xen panic') and marks the
 * others 'not started', while a real log shows only the panic, so all compare as 'xen panic'
 * with the panic text. Without a usable Xen console nothing is visible at all: 'silent hang'.
 */
export function observeSimulation(r: VerifyReport, names: readonly string[]): Record<string, Observed> {
  const out: Record<string, Observed> = {};
  const lastUboot = r.uboot.failures[r.uboot.failures.length - 1]?.message.at(-1);
  for (const name of names) {
    const d = r.domains.find((x) => x.name === name);
    // Linux-only: the kernel prints its own panic ("Kernel panic - not syncing: " and the model's text).
    if (r.linux) out[name] = { verdict: d?.verdict ?? 'missing', ...(r.linux.panic !== undefined ? { message: `Kernel panic - not syncing: ${r.linux.panic}` } : {}) };
    else if (!r.xen) out[name] = { verdict: 'not started', ...(lastUboot ? { message: lastUboot } : {}) };
    else if (r.xen.silentHang || !r.xen.consoleVisible) out[name] = { verdict: 'silent hang' };
    else if (r.xen.panic) out[name] = { verdict: 'xen panic', message: r.xen.panic };
    else out[name] = { verdict: d?.verdict ?? 'missing', ...(d?.message ? { message: d.message } : {}) };
  }
  return out;
}

/**
 * Differences between the simulation and a real boot: the verdict of every domain must
 * match, a Xen panic must have the same text, and a U-Boot failure's last message must
 * appear in the simulated U-Boot console. Returns one line per difference.
 */
export function compareWithReal(sim: VerifyReport, real: readonly DomainVerdict[]): string[] {
  const ours = observeSimulation(sim, real.map((d) => d.name));
  const diffs: string[] = [];
  for (const d of real) {
    const o = ours[d.name]!;
    if (o.verdict !== d.verdict) diffs.push(`${d.name}: real "${d.verdict}${d.message ? `: ${d.message}` : ''}", simulated "${o.verdict}${o.message ? `: ${o.message}` : ''}"`);
    else if ((d.verdict === 'xen panic' || (sim.linux && d.verdict === 'guest fails')) && o.message !== d.message) diffs.push(`${d.name}: real panic "${d.message}", simulated "${o.message ?? 'no panic'}"`);
    else if (d.verdict === 'not started' && d.message && !sim.uboot.console.join('\n').includes(d.message)) diffs.push(`${d.name}: real U-Boot says "${d.message}", the simulated console does not`);
  }
  return diffs;
}

/**
 * Domains of a plan in the order Xen creates them: dom0 first, then the /chosen children,
 * where each new node is inserted before its older siblings, so domU<n> nodes come reversed.
 * Tokens come from `labtoken=` on each command line (the lab initramfs prints them).
 */
export function expectedDomainsOf(plan: BootPlan): ExpectedDomain[] {
  const out: ExpectedDomain[] = [];
  // Linux-only: the kernel is the one "domain".
  if (plan.linux) { const t = labTokenOf(plan.linux.cmd); return [{ name: 'linux', ...(t ? { token: t } : {}) }]; }
  const dom0 = plan.domains.find((d) => d.kind === 'dom0');
  if (dom0) { const t = labTokenOf(dom0.cmd); out.push({ name: 'dom0', domid: 0, ...(t ? { token: t } : {}) }); }
  plan.domains.filter((d) => d.kind === 'domU').reverse().forEach((d, i) => {
    const t = labTokenOf(d.cmd);
    out.push({ name: d.name, domid: i + 1, ...(t ? { token: t } : {}) });
  });
  return out;
}
