// How a verification is told: the one-line summary, the text report and the JSON
// document. The verdict itself comes from src/api/verify.ts as data.
import type { VerdictCause, VerifyReport } from '../api/verify.js';
import { formatDomainTable } from '../sim/xen/verdict.js';
import type { LinuxResult } from '../sim/linux/boot.js';
import { humanSize } from '../util/hex.js';
import type { Style } from './report.js';

/** What a cause says and the fix it suggests, in words. */
export function causeText(c: VerdictCause): { message: string; fix: string } {
  const d = c.data;
  const key = c.keys[0]!;
  const isSet = c.where.some((w) => w.key === key);
  const value = (v: number | string | undefined): string => `${key}=${v}${isSet ? '' : ' (the default)'}`;
  const dom = c.domain ?? 'Xen';
  switch (c.kind) {
    case 'domain-memory-too-small':
      if (c.domain === 'dom0') {
        return { message: `dom0's ${d['memMiB']} MiB (${key}) is below its kernel's ${humanSize(Number(d['kernelBytes']))} footprint + DTB + initrd in its first bank`, fix: `give dom0 more memory (${key === 'XEN_CMD' ? 'dom0_mem= in XEN_CMD' : 'DOM0_MEM'})` };
      }
      return {
        message: `${value(d['memMiB'])} is below ${dom}'s kernel's ${humanSize(Number(d['kernelBytes']))} footprint + DTB + initrd`,
        fix: d['leastMiB'] !== undefined ? `set ${key} to at least ${d['leastMiB']}` : `the kernel, initrd and DTB do not fit the 3 GiB of a domU's first bank: use a smaller kernel or initrd`,
      };
    case 'guest-memory-too-small': {
      const what = key === 'XEN_CMD' ? `dom0_mem=${d['memMiB']}M in XEN_CMD` : value(d['memMiB']);
      return {
        message: `${what} is less than ${dom}'s Linux needs to reach init (about ${d['needMiB']} MiB: its image, the initramfs and its boot-time allocations): it runs out of memory while booting`,
        fix: `set ${key === 'XEN_CMD' ? 'dom0_mem in XEN_CMD' : key} to at least ${d['needMiB']}${key === 'XEN_CMD' ? 'M' : ''}`,
      };
    }
    case 'domain-memory-too-large': {
      const what = key === 'XEN_CMD' ? `dom0_mem=${d['memMiB']}M in XEN_CMD` : value(d['memMiB']);
      return {
        message: `${what} is more than Xen has left for ${dom}: ${d['freeMiB']} MiB are free as it is built, for its memory and P2M pool${Number(d['laterMiB']) > 0 ? ` and the ${d['laterMiB']} MiB the domUs built after it need` : ''}`,
        fix: Number(d['largestMiB']) > 0
          ? `set ${key === 'XEN_CMD' ? 'dom0_mem in XEN_CMD' : key} to at most ${d['largestMiB']}${key === 'XEN_CMD' ? 'M' : ''}`
          : `no memory is left for ${dom}: give the domains built before it less memory`,
      };
    }
    case 'too-many-vcpus':
      return { message: `${value(d['vcpus'])} is more than the ${d['limit']} vCPUs Xen gives a domain on this board`, fix: `set ${key} to at most ${d['limit']}` };
    case 'guest-dtb-too-large':
      return {
        message: `${dom}'s device tree needs ${d['size']} bytes with ${d['vcpus']} vCPUs, more than the ${d['limit']}-byte buffer Xen writes it into`,
        fix: `give ${dom} fewer vCPUs (${key}) or a shorter ${c.keys[1]}`,
      };
    case 'no-initramfs':
      return {
        message: d['moduleMissing'] === 'yes' ? `${dom}'s ramdisk module was not found, and its command line has no usable root=` : `${dom} has no initramfs (${key} is not set) and its command line (${c.keys[1]}) has no usable root=`,
        fix: `set ${key} to an initramfs, or add root=<device> to ${c.keys[1]}`,
      };
    case 'missing-kernel':
      return { message: `${dom} has no kernel module: Xen did not register it`, fix: 'Xen registers at most 32 boot modules: share identical kernels and ramdisks (the default) or boot fewer domains' };
    case 'hardware-domain': {
      const caps = c.keys.find((x) => x.startsWith('DOMU_CAPS'))!;
      const why = d['refusal'] === 'passthrough' ? `${key} gives it the passthrough property` : d['refusal'] === 'passthrough-dtb' ? `${key} gives it a passthrough device tree` : 'it is not direct-mapped and the board has no IOMMU Xen drives';
      const fix = d['refusal'] === 'no-iommu' ? `direct-map ${dom} (DOMU_STATIC_MEM with DOMU_DIRECT_MAP=1), boot a board with an IOMMU, or drop hardware from ${caps}` : `drop ${key}, or hardware from ${caps}`;
      return { message: `${dom} has the hardware capability (${caps}), but ${why}: Xen panics "${d['panic']}"`, fix };
    }
    case 'xenstore-domain':
      return d['second'] === 'yes'
        ? { message: `${key} gives ${dom} the xenstore capability, but another domain already has it: Xen panics "${d['panic']}"`, fix: `give the xenstore capability to one domain only: drop xenstore from ${key}` }
        : { message: `${dom} asks for xenstore (${key}), but no domain provides it: Xen panics "${d['panic']}"`, fix: `give one domU the xenstore capability (DOMU_CAPS[n]="xenstore"), boot a dom0, or set ${key}=2 or 0` };
    case 'xen-console':
      return { message: `Xen has no console: ${d['why']}`, fix: 'put console=dtuart and dtuart=<path or alias of the board\'s UART> in XEN_CMD' };
  }
}

/** `file:line:col: error: message` then `  fix: ...` for each cause (the position of its first written key). */
export function formatCauses(r: VerifyReport): string[] {
  return (r.causes ?? []).flatMap((c) => {
    const pos = c.where[0]?.pos;
    const { message, fix } = causeText(c);
    return [`${pos ? `${pos.file}:${pos.line}:${pos.col}: ` : ''}error: ${message}`, `  fix: ${fix}`];
  });
}

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
  if (r.linux) return linuxSummary(r, r.linux);
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

/** Linux-only boots: Linux's panic, or that it reaches userspace. */
function linuxSummary(r: VerifyReport, linux: LinuxResult): string {
  if (r.uboot.failures.length) return `${r.uboot.failures.length} U-Boot command(s) failed`;
  if (linux.panic !== undefined) return `Linux panics: ${linux.panic}`;
  const d = linux.domains[0];
  return `Linux comes up${d?.reason ? ` (${d.reason})` : ''}`;
}

/** The `verification` section of --json: the verdict, U-Boot's run, Xen's boot and each domain (README "JSON output"). */
export function verifyJson(r: VerifyReport) {
  const { uboot, xen } = r;
  return {
    ok: r.ok, summary: verifySummary(r), board: r.board,
    uboot: {
      version: uboot.ubootVersion, hush: uboot.hush, stoppedReason: uboot.stoppedReason, ...(uboot.verdict !== undefined ? { verdict: uboot.verdict } : {}), bootAttempted: uboot.bootAttempted,
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
    ...(r.linux ? {
      linux: {
        version: r.linux.version, bootargs: r.linux.bootargs, ...(r.linux.panic !== undefined ? { panic: r.linux.panic } : {}),
        findings: [...r.linux.findings], console: [...r.linux.console],
      },
    } : {}),
    ...(r.endOfScript ? { endOfScript: { missing: [...r.endOfScript.missing] } } : {}),
    // Why domains failed, traced back to the config (generate only: simulate has no config).
    ...(r.causes?.length ? { causes: r.causes.map(causeJson) } : {}),
    domains: r.domains.map((d) => ({
      name: d.name, kind: d.kind, ...(d.domid !== undefined ? { domid: d.domid } : {}), verdict: d.verdict,
      ...(d.reason !== undefined ? { reason: d.reason } : {}), ...(d.message !== undefined ? { message: d.message } : {}),
      ...(d.kernel ? { kernel: { start: d.kernel.start, size: d.kernel.size, format: d.kernel.format } } : {}),
      ...(d.ramdisk ? { ramdisk: { start: d.ramdisk.start, size: d.ramdisk.size } } : {}),
      ...(d.memoryKiB !== undefined ? { memoryKiB: d.memoryKiB } : {}), ...(d.vcpus !== undefined ? { vcpus: d.vcpus } : {}),
    })),
  };
}

/**
 * A cause as JSON: its data (kind, domain, keys, where, data, edit) and its words (message, fix).
 * Not in the `verification` section yet: the schema's domain objects are closed.
 */
export const causeJson = (c: VerdictCause): Record<string, unknown> => ({ ...c, ...causeText(c) });

export function formatVerifyReport(r: VerifyReport, style: Style, withConsole = false): string {
  const out: string[] = [];
  // Exactly what was modelled: the U-Boot and board, and the Xen release and build options.
  // The hush is named when it is the modern one: old hush is every modelled release's default.
  const hush = r.uboot.hush === 'modern' ? ', modern hush' : '';
  out.push(`${style.bold('Verification')}  U-Boot ${r.uboot.ubootVersion} (${r.board}${hush}) → ${r.linux?.version ?? r.xen?.build ?? 'Xen not started'}`);
  if (withConsole) out.push('', ...r.uboot.console.map((l) => `  ${l}`));
  for (const f of r.uboot.failures) out.push(`  ${style.red('✗')} script line ${f.line}: \`${f.command}\` failed${f.message.length ? `: ${f.message.join(' | ')}` : ''}`);
  if (r.xen) {
    if (withConsole && r.xen.console.length) out.push('', ...r.xen.console.map((l) => `  ${l}`));
    for (const f of r.xen.findings) out.push(`  ${style.yellow('!')} ${f}`);
    if (r.xen.domains.length) out.push('', ...formatDomainTable(r.xen).split('\n').map((l) => `  ${l}`));
  }
  if (r.linux) {
    if (withConsole && r.linux.console.length) out.push('', ...r.linux.console.map((l) => `  ${l}`));
    for (const f of r.linux.findings) out.push(`  ${style.yellow('!')} ${f}`);
    out.push('', ...formatDomainTable(r.linux).split('\n').map((l) => `  ${l}`));
  }
  const causes = formatCauses(r);
  if (causes.length) out.push('', ...causes.map((l) => `  ${l}`));
  out.push('', `  ${r.ok ? style.green('✓') : style.red('✗')} ${verifySummary(r)}`);
  return out.join('\n');
}
