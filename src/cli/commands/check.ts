// `uboot-gen check PATTERN...`: every matching config generated and verified in memory (nothing
// written beside any config), a table or JSON lines, and the batch's exit status.
import * as os from 'node:os';
import { UbootGenError } from '../../errors.js';
import { batchExitCode, findConfigs, type CheckOptions } from '../../api/check.js';
import { envelope, writeJson, type JsonEnvelope } from '../json.js';
import { makeStyle } from '../report.js';
import { parseNumberOption } from '../util.js';
import { ubootVersionOption } from '../uboot-version.js';
import type { CheckRecord } from '../check-record.js';

export interface CheckCliOptions {
  jobs?: string; json?: boolean; report?: string;
  xenVersion?: string; ubootVersion?: string; uboot?: string; hush?: 'old' | 'modern'; xenConfig?: string; board?: string; runtimeSizing?: boolean; share: boolean; templates?: string; ubootReserve: string;
}

/** --jobs N: a whole number from 1 up. */
export function parseJobs(s: string | undefined): number {
  if (s === undefined) return os.availableParallelism();
  if (!/^\d+$/.test(s.trim()) || Number(s) < 1) throw new UbootGenError('USAGE', `--jobs takes a whole number of at least 1, got "${s}"`);
  return Number(s);
}

/** One JSON line per config: the envelope with the config's `result`. */
export function resultLine(r: CheckRecord): JsonEnvelope {
  return envelope('check', r.exitCode, r.diagnostics, {
    result: { config: r.config, ok: r.ok, exitCode: r.exitCode, domains: r.domains, finding: r.finding, durationMs: r.durationMs },
  });
}

/** The last JSON line: the batch's counts. Its diagnostics are the batch's own (none: each config's are on its line). */
export function summaryLine(records: readonly CheckRecord[], durationMs: number): JsonEnvelope {
  const failed = records.filter((r) => !r.ok).length;
  return envelope('check', batchExitCode(records.map((r) => r.exitCode)), [], {
    summary: { total: records.length, passed: records.length - failed, failed, durationMs },
  });
}

/** The summary table: config, domains up/total, exit status (coloured on a terminal), first finding. */
export function summaryTable(records: readonly CheckRecord[], style: ReturnType<typeof makeStyle>): string {
  const head = ['CONFIG', 'DOMAINS', 'EXIT', 'FIRST FINDING'];
  const rows = records.map((r) => [r.config, r.domains.total ? `${r.domains.up}/${r.domains.total}` : '-', String(r.exitCode), r.finding.split('\n')[0]!]);
  const widths = [0, 1, 2].map((i) => Math.max(head[i]!.length, ...rows.map((c) => c[i]!.length)));
  return [head, ...rows].map((cells, row) => cells.map((v, i) => {
    if (i === 3) return v;
    const padded = v.padEnd(widths[i]!);
    return row > 0 && i === 2 ? (records[row - 1]!.ok ? style.green(padded) : style.red(padded)) : padded;
  }).join('  ').trimEnd()).join('\n');
}

/** `N configs: P passed, F failed (T s)` */
export function summaryText(records: readonly CheckRecord[], durationMs: number): string {
  const failed = records.filter((r) => !r.ok).length;
  return `${records.length} config${records.length === 1 ? '' : 's'}: ${records.length - failed} passed, ${failed} failed (${(durationMs / 1000).toFixed(1)} s)`;
}

/**
 * A one-line count of the batch on an interactive stderr, redrawn as configs finish and erased at
 * the end. Nothing at all on a pipe, a file, CI or TERM=dumb (which cannot erase a line).
 */
export class Progress {
  readonly #on: boolean;
  readonly #stream: NodeJS.WriteStream;
  readonly #style: ReturnType<typeof makeStyle>;
  #shown = false;

  constructor(readonly total: number, stream: NodeJS.WriteStream = process.stderr, env: NodeJS.ProcessEnv = process.env) {
    this.#stream = stream;
    this.#on = total > 1 && Boolean(stream.isTTY) && stream.columns > 0 && env['TERM'] !== 'dumb' && !env['CI'];
    this.#style = makeStyle(stream, env);
  }

  update(done: number, failed: number, current?: string): void {
    if (!this.#on) return;
    const head = `checking ${done}/${this.total}${failed ? `, ${this.#style.red(`${failed} failed`)}` : ''}`;
    // The line must fit the terminal, or erasing it would leave its wrapped part behind.
    const room = this.#stream.columns - 1 - `checking ${done}/${this.total}${failed ? `, ${failed} failed` : ''}`.length - 3;
    const tail = current && room > 8 ? ` · ${current.length > room ? `…${current.slice(current.length - room + 1)}` : current}` : '';
    this.#stream.write(`\r\x1b[2K${head}${tail}`);
    this.#shown = true;
  }

  clear(): void {
    if (this.#shown) this.#stream.write('\r\x1b[2K');
    this.#shown = false;
  }
}

export async function runCheck(patterns: string[], o: CheckCliOptions): Promise<void> {
  const jobs = parseJobs(o.jobs);
  const opts: CheckOptions = {
    ...ubootVersionOption(o),
    ...(o.board !== undefined ? { board: o.board } : {}),
    ...(o.runtimeSizing ? { runtimeSizing: true } : {}),
    share: o.share,
    ...(o.templates !== undefined ? { templates: o.templates } : {}),
    ...(o.xenVersion !== undefined ? { xenVersion: o.xenVersion } : {}),
    ...(o.xenConfig !== undefined ? { xenConfig: o.xenConfig } : {}),
    ubootReserve: parseNumberOption(o.ubootReserve, '--uboot-reserve'),
  };
  // A bad --xen-config is the batch's usage problem, said once, not a failure of every config.
  if (o.xenConfig !== undefined) (await import('../../xen-build/build.js')).readXenConfigFile(o.xenConfig);
  const cwd = process.cwd();
  const configs = await findConfigs(patterns, cwd);
  const t0 = performance.now();
  const records: CheckRecord[] = new Array(configs.length);
  const progress = new Progress(configs.length);
  let done = 0;
  let failed = 0;
  let printed = 0;
  const running = new Set<number>();
  const { runCheckPool } = await import('../check-pool.js');
  try {
    await runCheckPool(configs, {
      jobs, opts, report: o.report !== undefined, cwd,
      onStart: (i) => { running.add(i); progress.update(done, failed, configs[i]); },
      onDone: (i, r) => {
        running.delete(i);
        records[i] = r;
        done++;
        if (!r.ok) failed++;
        // JSON lines in config order: each as soon as every config before it is done.
        if (o.json) {
          progress.clear();
          while (printed < configs.length && records[printed]) writeJson(resultLine(records[printed++]!), { line: true });
        }
        const first = running.values().next();
        progress.update(done, failed, first.done ? undefined : configs[first.value]);
      },
    });
  } finally {
    progress.clear();
  }
  const durationMs = Math.round(performance.now() - t0);
  if (o.json) writeJson(summaryLine(records, durationMs), { line: true });
  else {
    const style = makeStyle(process.stdout);
    process.stdout.write(`${summaryTable(records, style)}\n\n${summaryText(records, durationMs)}\n`);
  }
  if (o.report !== undefined) await (await import('../check-report.js')).writeCheckReport(o.report, records, summaryText(records, durationMs));
  process.exitCode = batchExitCode(records.map((r) => r.exitCode));
}
