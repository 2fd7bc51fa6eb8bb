// `check`: many configs generated and verified as generate --dry-run would, with nothing written to
// any output folder. Each config is independent: its error or failed boot is its result, never the
// batch's. The result is data; src/cli words it (table, JSON lines, report) and runs the batch.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fg from 'fast-glob';
import type { Diagnostic } from '../config/types.js';
import type { RenderedOutputs } from '../emit/outputs.js';
import { EXIT_CODE, UbootGenError, exitCodeFor } from '../errors.js';
import { OutputRun } from '../output/index.js';
import { generate, type GenerateResult } from './generate.js';
import { verifyGenerated, type VerifyReport } from './verify.js';

/** The generate options that make sense for a batch: how to plan and what to model, never where to write. */
export interface CheckOptions {
  /** --board FILE.dtb: the control DTB of a -s config with no DEVICE_TREE. */
  board?: string;
  /** -s */
  runtimeSizing?: boolean;
  /** --no-share passes false. */
  share?: boolean;
  /** --templates DIR */
  templates?: string;
  xenVersion?: string;
  /** U-Boot release modelled (default 2023.01). */
  ubootVersion?: string;
  /** --hush: the hush that runs the script (default: the board's; old hush on QEMU virt). */
  hush?: 'old' | 'modern';
  /** The network stack of the U-Boot build (read from a `--uboot` binary): tftpboot's texts differ under lwIP. */
  netStack?: 'legacy' | 'lwip';
  xenConfig?: string;
  ubootReserve?: number;
  env?: Record<string, string | undefined>;
}

export interface CheckOutcome {
  /** The config as found by the pattern (relative to the folder the patterns were matched in, unless absolute). */
  config: string;
  ok: boolean;
  /** The exit status `generate --dry-run` would return for this config alone. */
  exitCode: number;
  durationMs: number;
  /** Warnings and notes of the config and the plan. */
  diagnostics: Diagnostic[];
  /** Absent when the run stopped before a plan (the error says why). */
  gen?: GenerateResult;
  /** Absent when the run stopped before the simulation. */
  verification?: VerifyReport;
  /** What stopped the run, when something did. */
  error?: unknown;
}

/**
 * Configs matched by each pattern (fast-glob syntax, relative to `cwd`), files only, sorted within
 * a pattern, in pattern order, each once. A pattern that matches nothing is a usage error: a typo
 * must not turn into an empty batch that passes.
 */
export async function findConfigs(patterns: readonly string[], cwd = process.cwd()): Promise<string[]> {
  if (patterns.length === 0) throw new UbootGenError('USAGE', 'no config pattern given', {}, undefined, "quote a pattern so the shell leaves it alone, e.g. uboot-gen check 'boards/**/config'");
  const seen = new Set<string>();
  const out: string[] = [];
  for (const pattern of patterns) {
    const found = (await fg(pattern, { cwd, onlyFiles: true, dot: false, unique: true })).sort();
    if (found.length === 0) {
      throw new UbootGenError('USAGE', `no config file matches '${pattern}' (in ${cwd})`, { pattern }, undefined,
        "check the pattern: ** matches folders at any depth, and a quoted pattern ('boards/**/config') is expanded by uboot-gen, not the shell");
    }
    for (const f of found) {
      const key = path.resolve(cwd, f);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(f);
    }
  }
  return out;
}

/**
 * Generate and verify one config in memory. Output paths are checked as generate checks them, but
 * nothing is written beside them: xen.ub (BOOT_CMD=bootm), which the simulator loads, is served from
 * a private temporary folder, so an existing output is never read or replaced.
 */
export function checkConfig(config: string, opts: CheckOptions = {}, cwd = process.cwd()): CheckOutcome {
  const t0 = performance.now();
  // As given when relative to this process's folder, so messages name it as the user wrote it.
  const file = path.isAbsolute(config) || path.resolve(cwd) === process.cwd() ? config : path.resolve(cwd, config);
  let gen: GenerateResult | undefined;
  let verification: VerifyReport | undefined;
  let tmp: string | undefined;
  const done = (exitCode: number, error?: unknown): CheckOutcome => ({
    config, ok: exitCode === EXIT_CODE.ok, exitCode, durationMs: Math.round(performance.now() - t0),
    diagnostics: gen?.diagnostics ?? [], ...(gen ? { gen } : {}), ...(verification ? { verification } : {}), ...(error !== undefined ? { error } : {}),
  });
  try {
    gen = generate(file, {
      write: false,
      ...(opts.board !== undefined ? { board: opts.board } : {}),
      ...(opts.runtimeSizing ? { runtimeSizing: true } : {}),
      ...(opts.share !== undefined ? { share: opts.share } : {}),
      ...(opts.templates !== undefined ? { templates: opts.templates } : {}),
      ...(opts.xenVersion !== undefined ? { xenVersion: opts.xenVersion } : {}),
      ...(opts.xenConfig !== undefined ? { xenConfig: opts.xenConfig } : {}),
      ...(opts.ubootReserve !== undefined ? { ubootReserve: opts.ubootReserve } : {}),
      ...(opts.env ? { env: opts.env } : {}),
    });
    OutputRun.prepare(gen);
    const aside = stageAside(gen.outputs);
    tmp = aside.folder;
    const staged = aside.staged;
    verification = verifyGenerated(gen, {
      ...(opts.xenVersion !== undefined ? { xenVersion: opts.xenVersion } : {}),
      ...(opts.ubootVersion !== undefined ? { ubootVersion: opts.ubootVersion } : {}),
      ...(opts.hush !== undefined ? { hush: opts.hush } : {}), ...(opts.netStack !== undefined ? { netStack: opts.netStack } : {}),
      ...(opts.xenConfig !== undefined ? { xenConfig: opts.xenConfig } : {}),
      ...(staged.size ? { staged } : {}),
    });
    return done(verification.ok ? EXIT_CODE.ok : EXIT_CODE.verify);
  } catch (e) {
    return done(exitCodeFor(e), e);
  } finally {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * The outputs the simulator loads besides the script (xen.ub for BOOT_CMD=bootm), written to a
 * private temporary folder instead of beside the config: the map from each final path to its copy
 * is what verifyGenerated's `staged` takes. The caller removes `folder` (undefined: nothing staged).
 */
export function stageAside(outputs: RenderedOutputs): { staged: Map<string, string>; folder?: string } {
  const staged = new Map<string, string>();
  if (!outputs.extra.length) return { staged };
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'uboot-gen-aside-'));
  outputs.extra.forEach((e, i) => {
    const t = path.join(folder, `${i}-${path.basename(e.path)}`);
    fs.writeFileSync(t, e.bytes);
    staged.set(e.path, t);
  });
  return { staged, folder };
}

/**
 * The batch's exit status: the highest of its configs' (0 when every config passes). The statuses
 * grow along the pipeline (usage 2, config 3, input 4, plan 5, verify 6) and a bug (70) is above
 * them all, so the batch reports the worst kind of failure found; an output-path refusal (1) is
 * the mildest.
 */
export function batchExitCode(exitCodes: readonly number[]): number {
  return exitCodes.reduce((a, b) => Math.max(a, b), EXIT_CODE.ok);
}
