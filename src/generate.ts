// The generator pipeline as a library call: config → plan → boot.source → boot.scr.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from './config/index.js';
import type { Diagnostic } from './config/types.js';
import { sourceDateEpoch } from './images/uimage.js';
import { planBoot, sizeConfigFile } from './plan/plan.js';
import type { BootPlan, PlanOptions } from './plan/types.js';
import { buildScriptModel } from './emit/model.js';
import { renderBootSource } from './emit/render.js';
import { renderOutputs, writeOutputs, type RenderedOutputs } from './emit/outputs.js';

export interface GenerateOptions extends PlanOptions {
  /** -d: the folder paths in the config are relative to (default: the config's folder). */
  dir?: string;
  /** -t */
  loadCmd?: string;
  /** -o NAME: NAME.source / NAME.scr */
  outputName?: string;
  env?: Record<string, string | undefined>;
  /** Write the outputs (default true). */
  write?: boolean;
}

export interface GenerateResult {
  plan: BootPlan;
  outputs: RenderedOutputs;
  written: string[];
  diagnostics: Diagnostic[];
  timestamp: number;
}

export function generate(configFile: string, opts: GenerateOptions = {}): GenerateResult {
  const env = opts.env ?? process.env;
  const { config, diagnostics } = loadConfig(configFile, {
    env,
    ...(opts.loadCmd !== undefined ? { loadCmdOverride: opts.loadCmd } : {}),
    ...(opts.outputName !== undefined ? { outputNameOverride: opts.outputName } : {}),
  });
  const dir = path.resolve(opts.dir ?? path.dirname(configFile));
  const timestamp = opts.timestamp ?? sourceDateEpoch(env as NodeJS.ProcessEnv);
  const plan = planBoot({ config, dir, diagnostics }, { ...opts, timestamp });

  let extra: string | undefined;
  if (config.appendExtraCmds) {
    sizeConfigFile(dir, config.appendExtraCmds, 'script-text');
    extra = fs.readFileSync(path.resolve(dir, config.appendExtraCmds.value), 'utf8');
  }
  const source = renderBootSource(buildScriptModel(plan, extra));
  const outputs = renderOutputs(plan, source, timestamp);
  const written = opts.write === false ? [] : writeOutputs(outputs);
  return { plan, outputs, written, diagnostics: plan.diagnostics, timestamp };
}
