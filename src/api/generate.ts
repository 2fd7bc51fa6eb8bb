// The generator pipeline as a library call: config → plan → boot.source → boot.scr. The planner
// asks the emitter to measure the DTB growth of the script the templates render, so the
// `fdt resize` is exact for whatever the templates (shipped or --templates DIR) write.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '../config/index.js';
import type { Diagnostic } from '../config/types.js';
import { sourceDateEpoch } from '../images/uimage.js';
import { planBoot as planStages, type MeasureGrowth, type PlanInputs } from '../plan/plan.js';
import type { BootPlan, PlanOptions } from '../plan/types.js';
import { buildHintModel, buildScriptModel } from '../emit/model.js';
import { measureScriptEdits, replayScriptEdits, type MeasureOverlay } from '../emit/measure.js';
import { renderBootSource, renderBootSourceWithOwners, renderScriptHint, type RenderOptions } from '../emit/render.js';
import { renderOutputs, type RenderedOutputs } from '../emit/outputs.js';
import { OutputRun } from '../output/index.js';
import { buildFit, type FitOutput } from '../fit/outputs.js';
import type { FitHashAlgo } from '../fit/types.js';
import { buildPartialDtbs, type ToolRunner } from '../plan/passthrough-dts.js';

export interface ScriptOptions extends PlanOptions {
  /** --templates DIR: files that replace the shipped templates of the same name. */
  templates?: string;
}

export interface GenerateOptions extends ScriptOptions {
  /** -d: the folder paths in the config are relative to (default: the config's folder). */
  dir?: string;
  /** -t */
  loadCmd?: string;
  /** -o NAME: NAME.source / NAME.scr */
  outputName?: string;
  /** -p PREFIX: every load (and the hint) asks for PREFIX/file. */
  prependPath?: string;
  /** -s: U-Boot computes the addresses and sizes at boot. */
  runtimeSizing?: boolean;
  env?: Record<string, string | undefined>;
  /**
   * Write the outputs (default true), unverified, as one unit. The CLI passes false and commits
   * them itself after the verification (src/output).
   */
  write?: boolean;
  /** Allow outputs outside `dir` (absolute UBOOT_SCRIPT, `-o ../x`). */
  allowOutsideDir?: boolean;
  /** -f: FIT mode (FIT defaults to ${UBOOT_SOURCE%.source}.fit). */
  fit?: boolean;
  /** -k KEY_DIR/HINT: sign the FIT (overrides FIT_ENC_KEY_DIR). */
  fitKeyDir?: string;
  /** -u U-BOOT_DTB: add the public key to this DTB (overrides FIT_ENC_UB_DTB). */
  fitUbootDtb?: string;
  /** Hash of unsigned FIT images (ImageBuilder: md5). */
  fitHash?: FitHashAlgo;
  /** --dialect xilinx: read the keys of Xilinx's ImageBuilder branch. */
  dialect?: 'xilinx';
  /** Runs dtc and lopper for PASSTHROUGH_DTS_REPO / LOPPER_PATH (default: the installed programs). */
  runTool?: ToolRunner;
}

export interface GenerateResult {
  plan: BootPlan;
  outputs: RenderedOutputs;
  written: string[];
  diagnostics: Diagnostic[];
  timestamp: number;
  /** The U-Boot prompt command that fetches and runs boot.scr (templates/hint.hbs). */
  hint: string;
  /** FIT mode: the FIT (which is then `outputs.script`), its .its, and U-Boot's DTB holding the key. */
  fit?: FitOutput;
}

const renderOptions = (opts: ScriptOptions): RenderOptions => (opts.templates !== undefined ? { overrideDir: opts.templates } : {});

/** Plan, render boot.source and measure its edits until the `fdt resize` in it is exact. */
export function planScript(inputs: PlanInputs, opts: ScriptOptions = {}): { plan: BootPlan; source: string } {
  const render = renderOptions(opts);
  let last: { plan: BootPlan; text: string } | undefined;
  // Each round of measurement applies the same overlays: read each file once.
  const overlayFiles = new Map<string, Uint8Array>();
  const overlayBytes = (file: string): Uint8Array => {
    let bytes = overlayFiles.get(file);
    if (!bytes) { bytes = new Uint8Array(fs.readFileSync(file)); overlayFiles.set(file, bytes); }
    return bytes;
  };
  const measure: MeasureGrowth = (draft, board) => {
    const extra = draft.config.appendExtraCmds && path.resolve(draft.dir, draft.config.appendExtraCmds.value);
    const { text, owners } = renderBootSourceWithOwners(buildScriptModel(draft), render, extra);
    last = { plan: draft, text };
    return measureScriptEdits(text, owners, {
      dtb: board.bytes, addr: draft.dtb.load.addr, label: board.label,
      ...(draft.config.runtimeSizing ? { addrVar: 'host_fdt_addr' } : {}),
      overlays: overlaysOf(draft, overlayBytes),
    }).growth;
  };
  const plan = planStages(inputs, opts, measure);
  // The plan returned is the one measured last, so its rendering is at hand.
  const source = last?.plan === plan ? last.text : renderBootSource(buildScriptModel(plan), render);
  return { plan, source };
}

/**
 * FDTEDIT: the board DTB as the script leaves it in RAM, its fdt commands replayed as U-Boot runs
 * them at the DTB's address (`fdt resize` included), so the file is byte for byte the board's blob
 * before the boot command's own fix-ups.
 */
export function editedDtb(plan: BootPlan, opts: ScriptOptions = {}): Uint8Array {
  const extra = plan.config.appendExtraCmds && path.resolve(plan.dir, plan.config.appendExtraCmds.value);
  const { text, owners } = renderBootSourceWithOwners(buildScriptModel(plan), renderOptions(opts), extra);
  const dtb = new Uint8Array(fs.readFileSync(plan.dtb.load.absPath));
  return replayScriptEdits(text, owners, { dtb, addr: plan.dtb.load.addr, label: `DEVICE_TREE "${plan.dtb.load.file}"`, overlays: overlaysOf(plan) });
}

/** The DT overlays a plan loads, as the script's `fdt apply` finds them (with -s, by their address variable). */
function overlaysOf(plan: BootPlan, read: (file: string) => Uint8Array = (f) => new Uint8Array(fs.readFileSync(f))): MeasureOverlay[] {
  return plan.loads.filter((l) => l.role === 'dt-overlay').map((l) => ({
    addr: l.addr, bytes: read(l.absPath), label: `${l.keys[0]} "${l.file}"`,
    ...(plan.config.positions[l.keys[0]!] ? { where: { ...plan.config.positions[l.keys[0]!]!, key: l.keys[0]! } } : {}),
    ...(plan.config.runtimeSizing ? { addrVar: `${l.id}_addr` } : {}),
  }));
}

/** The plan alone (the script is rendered and measured to size the DTB, then dropped). */
export function planBoot(inputs: PlanInputs, opts: ScriptOptions = {}): BootPlan {
  return planScript(inputs, opts).plan;
}

export function generate(configFile: string, opts: GenerateOptions = {}): GenerateResult {
  const env = opts.env ?? process.env;
  const { config, diagnostics } = loadConfig(configFile, {
    env,
    ...(opts.loadCmd !== undefined ? { loadCmdOverride: opts.loadCmd } : {}),
    ...(opts.outputName !== undefined ? { outputNameOverride: opts.outputName } : {}),
    ...(opts.prependPath !== undefined ? { prependPath: opts.prependPath } : {}),
    ...(opts.runtimeSizing !== undefined ? { runtimeSizing: opts.runtimeSizing } : {}),
    ...(opts.fit ? { fitOverride: true } : {}),
    ...(opts.fitKeyDir !== undefined ? { fitKeyDirOverride: opts.fitKeyDir } : {}),
    ...(opts.fitUbootDtb !== undefined ? { fitUbootDtbOverride: opts.fitUbootDtb } : {}),
    ...(opts.dialect ? { dialect: opts.dialect } : {}),
  });
  const dir = path.resolve(opts.dir ?? path.dirname(configFile));
  const timestamp = opts.timestamp ?? sourceDateEpoch(env as NodeJS.ProcessEnv);
  // PASSTHROUGH_DTS_REPO / LOPPER_PATH: the domUs' passthrough DTBs, compiled before planning sizes them.
  const generated = buildPartialDtbs(config, dir, opts.runTool);
  const { plan, source } = planScript({ config, dir, diagnostics, ...(generated.length ? { generated } : {}) }, { ...opts, timestamp });
  let outputs = renderOutputs(plan, source, timestamp);
  if (config.fdtEdit) outputs.extra.push({ path: path.resolve(dir, config.fdtEdit.value), bytes: editedDtb(plan, opts) });
  const fit = plan.config.fit ? buildFit(plan, source, { timestamp, ...(opts.fitHash ? { hashAlgo: opts.fitHash } : {}) }) : undefined;
  if (fit) {
    // ImageBuilder writes boot.source and the FIT (with its .its), not boot.scr: the FIT is the script image.
    outputs = { ...outputs, scriptPath: fit.path, script: fit.bytes, extra: [...outputs.extra, ...fit.extra] };
  }
  const hint = renderScriptHint(buildHintModel(plan, fit?.addr), renderOptions(opts));
  const written = opts.write === false ? [] : OutputRun.prepare({ plan, outputs }, { allowOutsideDir: opts.allowOutsideDir === true }).commitSync();
  return { plan, outputs, written, diagnostics: fit ? [...plan.diagnostics, ...fit.diagnostics] : plan.diagnostics, timestamp, hint, ...(fit ? { fit } : {}) };
}
