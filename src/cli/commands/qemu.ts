// `uboot-gen qemu CONFIG`: escalate from the simulation to a real boot. Generates the
// outputs, simulates them, then boots real U-Boot + real Xen in QEMU (virt, 2 GiB, 4 CPUs)
// with the -d folder as the TFTP root, and prints each domain's real and simulated result.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT_CODE, ImageFormatError, UbootGenError } from '../../errors.js';
import { generate } from '../../api/generate.js';
import { verifyGenerated } from '../../api/verify.js';
import { ubootVersionOption } from '../uboot-version.js';
import { bootOutputDir, bootQemu, dumpBoardDtb, LAB_TOKEN_PARAM, parseLinuxConsole, parseXenConsole, UBOOT_QEMU_ARM64 } from '../../lab/index.js';
import { renderScriptHint } from '../../emit/render.js';
import { compareWithReal, expectedDomainsOf, observeSimulation } from '../../lab/compare.js';
import { diagnosticToJson, envelope, planJson, writeJson } from '../json.js';
import { makeStyle, table } from '../report.js';
import { verifyJson } from '../verify-report.js';
import { parseNumberOption, spinnerAllowed, withSpinner } from '../util.js';

export interface QemuCliOptions {
  config?: string; dir?: string; runtimeSizing?: boolean; board?: string; timeout: string; keepLog?: string; json?: boolean; report?: string;
  uboot?: string; writeBoardDtb?: string;
  fit?: boolean; keyDir?: string; ubootDtb?: string;
}

export async function runQemu(positional: string | undefined, o: QemuCliOptions): Promise<void> {
  if (o.writeBoardDtb !== undefined) {
    dumpBoardDtb(o.writeBoardDtb);
    if (o.json) writeJson(envelope('qemu', EXIT_CODE.ok, [], { outputs: { written: [path.resolve(o.writeBoardDtb)] } }));
    else process.stdout.write(`Wrote the QEMU board's device tree to ${o.writeBoardDtb}: use it as DEVICE_TREE.\n`);
    return;
  }
  const configFile = o.config ?? positional;
  if (!configFile) throw new UbootGenError('USAGE', 'no config file given: run `uboot-gen qemu CONFIG` (see --help)');
  const gen = generate(configFile, {
    ...(o.dir !== undefined ? { dir: o.dir } : {}),
    ...(o.runtimeSizing ? { runtimeSizing: true } : {}),
    ...(o.board !== undefined ? { board: o.board } : {}),
    ...(o.fit ? { fit: true } : {}),
    ...(o.keyDir !== undefined ? { fitKeyDir: o.keyDir } : {}),
    ...(o.ubootDtb !== undefined ? { fitUbootDtb: o.ubootDtb } : {}),
  });
  // The simulation models the U-Boot that boots: its release is read from the binary's banner. A missing
  // binary is left to the lab's own check (which says how to install one); one without a banner (a
  // compressed or stand-in firmware) still boots, simulated as the default release.
  const ubootBin = o.uboot ?? UBOOT_QEMU_ARM64;
  const sim = verifyGenerated(gen, fs.existsSync(ubootBin) ? bannerRelease(ubootBin) : {});
  const domains = expectedDomainsOf(gen.plan);
  if (domains.some((d) => d.token === undefined)) {
    process.stderr.write(`note: a domain counts as up when its initramfs prints the ${LAB_TOKEN_PARAM}=<token> of its command line; domains without one are judged from Xen's console only\n`);
  }
  const timeoutMs = parseNumberOption(o.timeout, '--timeout') * 1000;
  const fit = gen.fit;
  // FIT mode: fetch the FIT over QEMU's TFTP and run its boot_scr, as the hint says (with tftpb whatever
  // LOAD_CMD is: the FIT's own script loads nothing).
  // Linux-only: no Xen ever prints after "Starting kernel ...", so only the time limit ends a quiet boot.
  const linuxQuiet = gen.plan.linux ? { silentXenMs: timeoutMs } : {};
  const boot = (onOutput: { onOutput?: (t: string) => void }) => (fit
    ? bootQemu({
      tftpDir: gen.plan.dir, scriptName: path.basename(fit.path), timeoutMs, domains, ...linuxQuiet,
      expect: { markers: domains.flatMap((d) => (d.token !== undefined ? [d.token] : [])) },
      commands: [`setenv ipaddr 10.0.2.15; setenv serverip 10.0.2.2; ${renderScriptHint({ loadCmd: 'tftpb', scriptAddr: gen.plan.scriptAddr, scriptFile: path.basename(fit.path), fit: { file: path.relative(gen.plan.dir, fit.path), addr: fit.addr } })}`],
      ...(o.uboot !== undefined ? { ubootBin: o.uboot } : {}),
      // -u: U-Boot starts with the DTB that now holds the public key, so it enforces the signatures.
      ...(fit.ubootDtb ? { ubootDtb: fit.ubootDtb.path } : {}),
      ...(o.keepLog ? { logFile: o.keepLog } : {}), ...onOutput,
    })
    : bootOutputDir({
      dir: gen.plan.dir, scriptName: gen.plan.config.ubootScript.value, scriptAddr: gen.plan.scriptAddr, domains, timeoutMs, ...linuxQuiet,
      ...(o.uboot !== undefined ? { ubootBin: o.uboot } : {}),
      ...(o.keepLog ? { logFile: o.keepLog } : {}), ...onOutput,
    }));
  // On a terminal that can move its cursor, a spinner shows the boot's time and last console line;
  // on one that cannot (TERM=dumb) the console goes by as it comes; elsewhere nothing until the end.
  const live = !o.json && Boolean(process.stderr.isTTY);
  const spin = live && spinnerAllowed(process.stderr);
  const t0 = Date.now();
  const res = await withSpinner(spin, 'booting in QEMU', (update) => {
    if (!spin) return boot(live ? { onOutput: (t: string) => process.stderr.write(t) } : {});
    let partial = '';
    return boot({
      onOutput: (t: string) => {
        const lines = (partial + t).split(/\r?\n/);
        partial = lines.pop() ?? '';
        const last = lines.filter((l) => l.trim() !== '').pop();
        if (last === undefined) return;
        const head = `booting in QEMU, ${Math.round((Date.now() - t0) / 1000)} s: `;
        // eslint-disable-next-line no-control-regex -- console control characters would move the cursor
        update(head + last.replace(/[\x00-\x1f\x7f]/g, '').slice(0, Math.max(0, (process.stderr.columns || 80) - head.length - 3)));
      },
    });
  });
  if (o.keepLog && !fs.existsSync(o.keepLog)) fs.writeFileSync(o.keepLog, res.serialLog);
  const real = gen.plan.linux ? domains.map((d) => parseLinuxConsole(res.serialLog, d)) : parseXenConsole(res.serialLog, { domains }).domains;
  const ours = observeSimulation(sim, real.map((d) => d.name));
  const diffs = compareWithReal(sim, real);
  const ok = real.length > 0 && real.every((d) => d.verdict === 'up');
  if (o.json) {
    writeJson(envelope('qemu', ok ? EXIT_CODE.ok : EXIT_CODE.verify, gen.diagnostics.map(diagnosticToJson), {
      plan: planJson(gen.plan),
      verification: verifyJson(sim),
      lab: {
        outcome: res.outcome, wallMs: res.wallMs,
        domains: real.map((d) => {
          const s = ours[d.name]!;
          return {
            name: d.name, ...(d.domid !== undefined ? { domid: d.domid } : {}), verdict: d.verdict, ...(d.message !== undefined ? { message: d.message } : {}),
            simulated: { verdict: s.verdict, ...(s.message !== undefined ? { message: s.message } : {}) },
          };
        }),
        differences: diffs,
        ...(res.xenPanic !== undefined ? { xenPanic: res.xenPanic } : {}),
        ubootErrors: [...res.ubootErrors],
      },
    }));
  } else {
    const style = makeStyle(process.stdout);
    const rows = real.map((d) => [d.name, d.domid === undefined ? '-' : String(d.domid), d.verdict + (d.message ? `: ${d.message}` : ''), ours[d.name]?.verdict ?? '-']);
    process.stdout.write(`${style.bold('Real boot')}  QEMU virt + ${o.uboot ?? UBOOT_QEMU_ARM64} + Xen: ${res.outcome} in ${(res.wallMs / 1000).toFixed(1)} s\n\n${table(rows, ['DOMAIN', 'DOMID', 'REAL', 'SIMULATED'])}\n`);
    for (const d of diffs) process.stdout.write(`${style.yellow('!')} the simulator disagrees: ${d}\n`);
  }
  if (o.report) {
    await (await import('../boot-report.js')).writeBootReport(o.report, {
      title: configFile, plan: gen.plan, verification: sim, configFile,
      lab: { outcome: res.outcome, wallSeconds: Math.round(res.wallMs / 100) / 10, domains: real.map((d) => ({ name: d.name, verdict: d.verdict, ...(d.message ? { detail: d.message } : {}) })), serialLog: res.serialLog.split('\n') },
    });
  }
  if (!ok) process.exitCode = EXIT_CODE.verify;
}

/** The release and network stack of the U-Boot QEMU boots, as --uboot reads them; a binary too old to model is simulated as the default. */
function bannerRelease(file: string): ReturnType<typeof ubootVersionOption> {
  try {
    return ubootVersionOption({ uboot: file });
  } catch (e) {
    if (e instanceof ImageFormatError && e.code === 'IMAGE_UNSUPPORTED') return {};
    throw e;
  }
}
