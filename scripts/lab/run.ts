// Runs lab cases one after another within a time budget and checks each real
// result against what the case showed when its ground truth was captured.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { labCases, type LabCase } from './cases.js';
import { prepareLab, type LabAssets } from './prepare.js';
import { bootQemu, type LabBootResult } from '../../src/lab/qemu.js';
import { labCaseInputs, stageCase } from './stage.js';
import type { DomainVerdict } from '../../src/lab/xen-console.js';

export interface LabCaseRun {
  case: string;
  title: string;
  status: 'pass' | 'mismatch' | 'skipped';
  outcome?: LabBootResult['outcome'];
  wallMs?: number;
  verdicts: DomainVerdict[];
  perDomain?: LabBootResult['perDomain'];
  xenPanic?: string;
  mismatches: string[];
  logFile?: string;
}

export interface RunLabOptions {
  dir?: string;
  /** Case names or name prefixes to run (default: all). */
  cases?: string[];
  /** Stop starting new cases once this much time has passed (default 25 min). */
  budgetMs?: number;
  /** Where serial logs go (default `<lab>/logs`). */
  logDir?: string;
  log?: (line: string) => void;
  /** Passed to prepareLab: apt-get install missing host packages. */
  installHostPackages?: boolean;
  onCase?: (run: LabCaseRun) => void;
}

/** Differences between a real boot and the case's recorded expectation (empty = pass). */
export function compareWithExpectation(c: LabCase, r: LabBootResult): string[] {
  const out: string[] = [];
  if (r.outcome !== c.expect.outcome) out.push(`outcome ${r.outcome}, expected ${c.expect.outcome}`);
  for (const [name, verdict] of Object.entries(c.expect.verdicts)) {
    const got = r.console.domains.find((d) => d.name === name);
    if (!got) { out.push(`${name}: no verdict`); continue; }
    if (got.verdict !== verdict) out.push(`${name}: ${got.verdict}${got.message ? ` (${got.message})` : ''}, expected ${verdict}`);
    else if (c.expect.message !== undefined && verdict !== 'up' && got.message !== c.expect.message) {
      out.push(`${name}: message "${got.message ?? ''}", expected "${c.expect.message}"`);
    }
  }
  return out;
}

export async function runLabCases(opts: RunLabOptions = {}): Promise<{ assets: LabAssets; runs: LabCaseRun[] }> {
  const t0 = Date.now();
  const budgetMs = opts.budgetMs ?? 25 * 60_000;
  const log = opts.log ?? (() => {});
  const assets = prepareLab({ ...(opts.dir ? { dir: opts.dir } : {}), log,
    ...(opts.installHostPackages !== undefined ? { installHostPackages: opts.installHostPackages } : {}) });
  const logDir = opts.logDir ?? path.join(assets.dir, 'logs');
  fs.mkdirSync(logDir, { recursive: true });
  const all = labCases(labCaseInputs(assets));
  const selected = opts.cases && opts.cases.length > 0 ? all.filter((c) => opts.cases!.some((w) => c.name.startsWith(w))) : all;
  const runs: LabCaseRun[] = [];
  for (const c of selected) {
    const elapsed = Date.now() - t0;
    if (elapsed + c.timeoutMs > budgetMs) {
      const skipped: LabCaseRun = { case: c.name, title: c.title, status: 'skipped', verdicts: [],
        mismatches: [`not started: ${Math.round(elapsed / 1000)} s used, case may need ${c.timeoutMs / 1000} s of the ${budgetMs / 1000} s budget`] };
      runs.push(skipped);
      opts.onCase?.(skipped);
      continue;
    }
    const dir = stageCase(assets, c);
    const logFile = path.join(logDir, `${c.name}.log`);
    const r = await bootQemu({ tftpDir: dir, scriptName: 'boot.scr', timeoutMs: c.timeoutMs, expect: { markers: c.domains.map((d) => d.token) },
      domains: c.domains, logFile });
    const mismatches = compareWithExpectation(c, r);
    const run: LabCaseRun = { case: c.name, title: c.title, status: mismatches.length === 0 ? 'pass' : 'mismatch', outcome: r.outcome,
      wallMs: r.wallMs, verdicts: r.console.domains, perDomain: r.perDomain, mismatches, logFile };
    if (r.xenPanic !== undefined) run.xenPanic = r.xenPanic;
    runs.push(run);
    opts.onCase?.(run);
  }
  return { assets, runs };
}
