// `uboot-gen [generate] CONFIG`: plan → write → verify, with ImageBuilder's -c/-d/-t/-o.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UbootGenError, EXIT_CODE } from '../../errors.js';
import type { ConfigEdit } from '../../plan/checks.js';
import type { FixItem } from '../fix.js';
import { generate } from '../../api/generate.js';
import type { VerifyReport } from '../../api/verify.js';
import { hexUpper } from '../../util/hex.js';
import { diagnosticToJson, envelope, planJson, writeJson } from '../json.js';
import { formatDiagnostic, makeStyle, planSummary, planTable } from '../report.js';
import { parseNumberOption, withSpinner } from '../util.js';
import { ubootVersionOption } from '../uboot-version.js';

export interface GenerateCliOptions {
  config?: string; dir?: string; loadCmd?: string; output?: string; prependPath?: string; runtimeSizing?: boolean; board?: string; then?: string; json?: boolean; verify: boolean; share: boolean;
  ubootReserve: string; xenVersion?: string; xenConfig?: string; dryRun?: boolean; quiet?: boolean; templates?: string; keepFailed?: boolean; outputOutsideDir?: boolean;
  report?: string; map?: boolean; install?: string; depfile?: string; fix?: boolean;
  fit?: boolean; keyDir?: string; ubootDtb?: string; fitHash?: 'md5' | 'sha1' | 'sha256'; ubootVersion?: string; uboot?: string; hush?: 'old' | 'modern'; dialect?: 'xilinx';
}

/** Returns the run's result (--watch reads the files it named from it). */
export async function runGenerate(positional: string | undefined, o: GenerateCliOptions): Promise<ReturnType<typeof generate>> {
  const configFile = o.config ?? positional;
  if (!configFile) throw new UbootGenError('USAGE', 'no config file given: run `uboot-gen CONFIG` or `uboot-gen -c CONFIG -d DIR` (see --help)');
  if (o.config && positional && o.config !== positional) throw new UbootGenError('USAGE', `two config files given: ${positional} and -c ${o.config}`);
  // Checked before planning: a mistyped release or an unreadable --uboot is a usage problem, verified or not.
  const uboot = ubootVersionOption(o);
  const out = process.stdout;
  const style = makeStyle(out);

  const gen = await withSpinner(!o.json, 'planning', () => generate(configFile, {
    ...(o.dir !== undefined ? { dir: o.dir } : {}),
    ...(o.loadCmd !== undefined ? { loadCmd: o.loadCmd } : {}),
    ...(o.output !== undefined ? { outputName: o.output } : {}),
    ...(o.prependPath !== undefined ? { prependPath: o.prependPath } : {}),
    ...(o.runtimeSizing ? { runtimeSizing: true } : {}),
    ...(o.board !== undefined ? { board: o.board } : {}),
    ...(o.templates !== undefined ? { templates: o.templates } : {}),
    ...(o.fit ? { fit: true } : {}),
    ...(o.keyDir !== undefined ? { fitKeyDir: o.keyDir } : {}),
    ...(o.ubootDtb !== undefined ? { fitUbootDtb: o.ubootDtb } : {}),
    ...(o.fitHash !== undefined ? { fitHash: o.fitHash } : {}),
    ...(o.dialect !== undefined ? { dialect: o.dialect } : {}),
    share: o.share,
    ubootReserve: parseNumberOption(o.ubootReserve, '--uboot-reserve'),
    write: false,
    ...(o.xenVersion !== undefined ? { xenVersion: o.xenVersion } : {}), ...(o.xenConfig !== undefined ? { xenConfig: o.xenConfig } : {}),
  })).catch(async (e: unknown) => {
    // --fix: the change that fixes a config or plan error, when it is computable (the error itself is printed by main).
    const edit = o.fix && !o.json && e instanceof UbootGenError ? (e.data as { edit?: ConfigEdit }).edit : undefined;
    if (edit && e instanceof UbootGenError) await printFixes(configFile, [{ edit, fix: e.hint ?? '' }]);
    throw e;
  });
  // Outputs: their paths checked now, staged for the verification to read, committed only if it passes.
  const { OutputRun } = await import('../../output/index.js');
  const outputs = OutputRun.prepare(gen, { allowOutsideDir: o.outputOutsideDir === true, keepFailed: o.keepFailed === true });
  // A dry run stages xen.ub (which a bootm boot loads) in a private folder: never beside the config,
  // and never the previous run's xen.ub in its place.
  const aside = o.dryRun && o.verify ? (await import('../../api/check.js')).stageAside(gen.outputs) : undefined;
  const staged = o.dryRun ? aside?.staged : outputs.stage();

  let report: VerifyReport | undefined;
  let wording: typeof import('../verify-report.js') | undefined;
  if (o.verify) {
    // The simulators are loaded only when verifying.
    const { verifyGenerated } = await import('../../api/verify.js');
    wording = await import('../verify-report.js');
    report = await withSpinner(!o.json, 'simulating U-Boot and Xen', () => verifyGenerated(gen, {
      ...uboot,
      ...(o.xenVersion !== undefined ? { xenVersion: o.xenVersion } : {}), ...(o.xenConfig !== undefined ? { xenConfig: o.xenConfig } : {}),
      ...(o.then !== undefined ? { then: o.then } : {}), ...(staged ? { staged } : {}),
    })).catch((e: unknown) => { outputs.discard(); throw e; }).finally(() => { if (aside?.folder) fs.rmSync(aside.folder, { recursive: true, force: true }); });
  }
  const ok = report ? report.ok : true;
  const done = o.dryRun ? { written: [], keptFailed: [] } : await outputs.finish(ok);
  // The make rule goes with the outputs it describes: written when they are, never by a failed or dry run.
  if (o.depfile !== undefined && ok && !o.dryRun) {
    (await import('../depfile.js')).writeDepfile(o.depfile, gen, {
      ...(o.templates !== undefined ? { templates: o.templates } : {}), ...(o.board !== undefined ? { board: o.board } : {}), ...(o.xenConfig !== undefined ? { xenConfig: o.xenConfig } : {}),
    });
  }
  // --install: only a verified, committed script (and what it loads) goes to the TFTP root.
  const installed = o.install !== undefined && ok && !o.dryRun ? await installOutputs(gen, o.install) : [];

  const scriptName = path.relative(process.cwd(), gen.outputs.scriptPath) || gen.outputs.scriptPath;
  const hint = gen.hint;

  if (o.json) {
    const fit = gen.fit;
    writeJson(envelope('generate', ok ? EXIT_CODE.ok : EXIT_CODE.verify, gen.diagnostics.map(diagnosticToJson), {
      plan: planJson(gen.plan),
      outputs: {
        source: gen.outputs.sourcePath, script: gen.outputs.scriptPath, extra: gen.outputs.extra.map((e) => e.path),
        written: done.written, keptFailed: done.keptFailed, installed: installed.map((i) => i.path), ubootCommand: hint,
        ...(fit ? { fit: { file: fit.path, addr: fit.addr, addrHex: hexUpper(fit.addr), signed: fit.signed, ...(fit.ubootDtb ? { ubootDtb: fit.ubootDtb.path } : {}) } } : {}),
      },
      ...(report && wording ? { verification: wording.verifyJson(report) } : {}),
    }));
  } else {
    for (const d of gen.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
    if (!o.quiet) {
      out.write(`${style.bold('Plan')}  ${planSummary(gen.plan).join('\n      ')}\n\n`);
      out.write(`${planTable(gen.plan, scriptName, gen.outputs.script.length, gen.fit?.addr)}\n\n`);
      if (o.map) out.write(`${(await import('../map.js')).formatMemoryMap(gen.plan, { colour: Boolean(out.isTTY) && !process.env['NO_COLOR'] && process.env['TERM'] !== 'dumb', width: out.columns || 100 })}\n\n`);
      if (report && wording) out.write(`${wording.formatVerifyReport(report, style)}\n\n`);
    }
    if (!ok) process.stderr.write(`error: verification failed: ${wording ? wording.verifySummary(report!) : ''}\n${report && wording ? wording.formatCauses(report).map((l) => `${l}\n`).join('') : ''}  hint: nothing was written: the previous ${gen.plan.config.ubootScript.value} is unchanged${done.keptFailed.length ? `; the failing script is kept as ${done.keptFailed.map((f) => path.relative(process.cwd(), f) || f).join(', ')}` : ' (--keep-failed keeps the failing script for inspection)'}\n`);
    else if (o.dryRun) out.write('Dry run: nothing written.\n');
    else if (gen.fit) out.write(`Generated uboot FIT image ${scriptName}, to be loaded at or after address 0x${gen.fit.addr.toString(16)}:\n${hint}\n`);
    else out.write(`Generated uboot script ${scriptName}, to be loaded at address ${hexUpper(gen.plan.scriptAddr)}:\n${hint}\n`);
    if (installed.length) out.write(`Installed into ${o.install}: ${installed.map((i) => `${i.name} (${i.how})`).join(', ')}\n`);
  }
  if (o.fix && !o.json && report?.causes && wording) {
    const w = wording;
    await printFixes(configFile, report.causes.flatMap((c) => (c.edit ? [{ edit: c.edit, fix: w.causeText(c).fix }] : [])));
  }
  if (o.report) {
    await (await import('../boot-report.js')).writeBootReport(o.report, { title: configFile, plan: gen.plan, ...(report ? { verification: report } : {}), configFile });
  }
  if (!ok) process.exitCode = EXIT_CODE.verify;
  return gen;
}

/** --fix: the corrected config lines, on stdout. */
async function printFixes(configFile: string, items: FixItem[]): Promise<void> {
  const lines = (await import('../fix.js')).formatFixesForFile(configFile, configFile, items);
  if (lines.length) process.stdout.write(`${lines.join('\n')}\n`);
}

/** The committed script and every file it loads, under the names the script asks for. */
async function installOutputs(gen: ReturnType<typeof generate>, root: string) {
  const { installForTftp } = await import('../../serve/install.js');
  const prefix = gen.plan.config.prependPath?.replace(/^\/+|\/+$/g, '');
  const asked = (file: string): string => (prefix ? `${prefix}/${file}` : file);
  const scriptName = path.relative(gen.plan.dir, gen.outputs.scriptPath).split(path.sep).join('/');
  // A FIT carries every file inside it: the board fetches only the FIT.
  const files = gen.fit ? [] : [...new Map(gen.plan.loads.map((l) => [l.file, { name: asked(l.file), from: l.absPath }])).values()];
  return installForTftp(root, files, { name: asked(scriptName), from: gen.outputs.scriptPath });
}
