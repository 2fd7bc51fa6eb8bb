// How a verification is told: the one-line summary, the text report and the JSON
// document. The verdict itself comes from src/api/verify.ts as data.
import type { VerifyReport } from '../api/verify.js';
import { formatDomainTable } from '../sim/xen/verdict.js';
import type { Style } from './report.js';

/** One line saying what happened. */
export function verifySummary(r: VerifyReport): string {
  const { uboot, xen, domains } = r;
  if (r.endOfScript) {
    const { missing } = r.endOfScript;
    return r.ok
      ? `the script runs to its end without booting (BOOT_CMD=none); host_kernel_addr=${uboot.env['host_kernel_addr']} host_fdt_addr=${uboot.env['host_fdt_addr']}: give --then the boot command (booti on \${host_kernel_addr} and \${host_fdt_addr}) to verify the boot`
      : uboot.failures.length
        ? `${uboot.failures.length} U-Boot command(s) failed before the end of the script`
        : `the script ends without setting ${missing.join(' and ')}, which a later boot command needs`;
  }
  if (!xen) {
    const last = uboot.failures[uboot.failures.length - 1];
    const first = uboot.failures[0];
    // The boot command often fails only because something before it did (a FIT image refused by its hash).
    const cause = first && first !== last ? `; the first command to fail was line ${first.line} (\`${first.command}\`${first.message.length ? `: ${first.message[first.message.length - 1]}` : ''})` : '';
    // The simulator's own verdict (a budget crossed) says more than "ended without booting".
    const why = uboot.verdict ?? (uboot.bootAttempted
      ? `the boot command failed${last ? ` at line ${last.line} (\`${last.command}\`)` : ''}: U-Boot returned to its prompt${cause}`
      : `the script ended without booting${cause}`);
    return `U-Boot: ${why}`;
  }
  if (xen.silentHang) return `Xen: silent hang (${xen.silentHang})`;
  if (xen.panic) return `Xen panics: ${xen.panic}`;
  if (!xen.consoleVisible) return `Xen has no usable console, so the boot looks like a hang after "Starting kernel ..."${xen.findings[0] ? ` (${xen.findings[0]})` : ''}`;
  if (r.ok) return `every domain comes up (${domains.map((d) => d.name).join(', ')})`;
  const bad = domains.filter((d) => d.verdict !== 'up');
  return bad.length
    ? `${bad.length} of ${domains.length} domain(s) fail: ${bad.map((d) => `${d.name} ${d.verdict}`).join(', ')}`
    : `${uboot.failures.length} U-Boot command(s) failed`;
}

/** The `verification` section of --json: the verdict, U-Boot's run, Xen's boot and each domain (README "JSON output"). */
export function verifyJson(r: VerifyReport) {
  const { uboot, xen } = r;
  return {
    ok: r.ok, summary: verifySummary(r), board: r.board,
    uboot: {
      version: uboot.ubootVersion, stoppedReason: uboot.stoppedReason, ...(uboot.verdict !== undefined ? { verdict: uboot.verdict } : {}), bootAttempted: uboot.bootAttempted,
      failures: uboot.failures.map((f) => ({ line: f.line, command: f.command, rc: f.rc, message: [...f.message] })),
      console: [...uboot.console],
    },
    ...(xen ? {
      xen: {
        version: xen.version, build: xen.build, buildSources: xen.buildSources, consoleVisible: xen.consoleVisible,
        ...(xen.panic !== undefined ? { panic: xen.panic } : {}), ...(xen.silentHang !== undefined ? { silentHang: xen.silentHang } : {}),
        findings: [...xen.findings], console: [...xen.console],
      },
    } : {}),
    ...(r.endOfScript ? { endOfScript: { missing: [...r.endOfScript.missing] } } : {}),
    domains: r.domains.map((d) => ({
      name: d.name, kind: d.kind, ...(d.domid !== undefined ? { domid: d.domid } : {}), verdict: d.verdict,
      ...(d.reason !== undefined ? { reason: d.reason } : {}), ...(d.message !== undefined ? { message: d.message } : {}),
      ...(d.kernel ? { kernel: { start: d.kernel.start, size: d.kernel.size, format: d.kernel.format } } : {}),
      ...(d.ramdisk ? { ramdisk: { start: d.ramdisk.start, size: d.ramdisk.size } } : {}),
      ...(d.memoryKiB !== undefined ? { memoryKiB: d.memoryKiB } : {}), ...(d.vcpus !== undefined ? { vcpus: d.vcpus } : {}),
    })),
  };
}

export function formatVerifyReport(r: VerifyReport, style: Style, withConsole = false): string {
  const out: string[] = [];
  // Exactly what was modelled: the U-Boot and board, and the Xen release and build options.
  out.push(`${style.bold('Verification')}  U-Boot ${r.uboot.ubootVersion} (${r.board}) → ${r.xen?.build ?? 'Xen not started'}`);
  if (withConsole) out.push('', ...r.uboot.console.map((l) => `  ${l}`));
  for (const f of r.uboot.failures) out.push(`  ${style.red('✗')} script line ${f.line}: \`${f.command}\` failed${f.message.length ? `: ${f.message.join(' | ')}` : ''}`);
  if (r.xen) {
    if (withConsole && r.xen.console.length) out.push('', ...r.xen.console.map((l) => `  ${l}`));
    for (const f of r.xen.findings) out.push(`  ${style.yellow('!')} ${f}`);
    if (r.xen.domains.length) out.push('', ...formatDomainTable(r.xen).split('\n').map((l) => `  ${l}`));
  }
  out.push('', `  ${r.ok ? style.green('✓') : style.red('✗')} ${verifySummary(r)}`);
  return out.join('\n');
}
