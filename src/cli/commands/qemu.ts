// `uboot-gen qemu CONFIG`: escalate from the simulation to a real boot. Generates the
// outputs, boots real U-Boot + real Xen in QEMU (virt, 2 GiB, 4 CPUs) with the -d
// folder as the TFTP root, and reports each domain from the serial log.
import * as fs from 'node:fs';
import { EXIT_CODE, UbootGenError } from '../../errors.js';
import { generate } from '../../generate.js';
import { checkHostTools } from '../../lab/prepare.js';
import { bootQemu } from '../../lab/qemu.js';
import type { ExpectedDomain } from '../../lab/xen-console.js';
import { LAB_TOKEN_PARAM } from '../../lab/initramfs.js';
import { makeStyle, table } from '../report.js';
import { parseNumberOption } from '../util.js';
import type { BootPlan } from '../../plan/types.js';

export interface QemuCliOptions { config?: string; dir?: string; timeout: string; keepLog?: string; labDir?: string; json?: boolean }

/**
 * Domains in Xen's creation order: dom0 first, then the /chosen children, which
 * `fdt mknod` inserts before their older siblings, so domU<n> nodes end up reversed.
 */
export function expectedDomains(plan: BootPlan): ExpectedDomain[] {
  const token = (cmd: string): string | undefined => new RegExp(`(?:^|\\s)${LAB_TOKEN_PARAM}=(\\S+)`).exec(cmd)?.[1];
  const out: ExpectedDomain[] = [];
  const dom0 = plan.domains.find((d) => d.kind === 'dom0');
  if (dom0) out.push({ name: 'dom0', domid: 0, ...(token(dom0.cmd) ? { token: token(dom0.cmd)! } : {}) });
  const domUs = plan.domains.filter((d) => d.kind === 'domU').reverse();
  domUs.forEach((d, i) => out.push({ name: d.name, domid: i + 1, ...(token(d.cmd) ? { token: token(d.cmd)! } : {}) }));
  return out;
}

export async function runQemu(positional: string | undefined, o: QemuCliOptions): Promise<void> {
  const configFile = o.config ?? positional;
  if (!configFile) throw new UbootGenError('USAGE', 'no config file given: run `uboot-gen qemu CONFIG` (see --help)');
  checkHostTools();
  const gen = generate(configFile, { ...(o.dir !== undefined ? { dir: o.dir } : {}) });
  const domains = expectedDomains(gen.plan);
  const markers = domains.flatMap((d) => (d.token ? [d.token] : []));
  if (markers.length !== domains.length) {
    process.stderr.write(`note: only domains whose command line has ${LAB_TOKEN_PARAM}=<token> (and an initramfs that prints it) can be confirmed up; the others are judged from Xen's console\n`);
  }
  const timeoutMs = parseNumberOption(o.timeout, '--timeout') * 1000;
  const scriptName = gen.plan.config.ubootScript.value;
  const res = await bootQemu({
    tftpDir: gen.plan.dir, scriptName, timeoutMs, expect: { markers }, domains,
    ...(o.keepLog ? { logFile: o.keepLog } : {}),
    ...(!o.json && process.stderr.isTTY ? { onOutput: (t: string) => process.stderr.write(t) } : {}),
  });
  if (o.keepLog && !fs.existsSync(o.keepLog)) fs.writeFileSync(o.keepLog, res.serialLog);
  const ok = res.outcome === 'all-up' || (markers.length === 0 && res.console.domains.length > 0 && res.console.domains.every((d) => d.verdict === 'up'));
  if (o.json) {
    process.stdout.write(`${JSON.stringify({ ok, outcome: res.outcome, wallMs: res.wallMs, domains: res.console.domains, xenPanic: res.xenPanic, ubootErrors: res.ubootErrors }, null, 2)}\n`);
  } else {
    const style = makeStyle(process.stdout);
    const rows = res.console.domains.map((d) => [d.name, d.domid === undefined ? '-' : String(d.domid), d.verdict + (d.message ? `: ${d.message}` : '')]);
    process.stdout.write(`${style.bold('Real boot')}  QEMU virt + U-Boot 2023.01 + Xen: ${res.outcome} in ${(res.wallMs / 1000).toFixed(1)} s\n\n${table(rows, ['DOMAIN', 'DOMID', 'RESULT'])}\n`);
    if (res.xenPanic) process.stdout.write(`\nXen panic: ${res.xenPanic}\n`);
    for (const e of res.ubootErrors) process.stdout.write(`U-Boot: ${e}\n`);
  }
  if (!ok) process.exitCode = EXIT_CODE.verify;
}
