// Runs a `check` batch: in this thread for --jobs 1, else on a small pool of worker threads
// (src/cli/check-worker.ts), at most `jobs` configs at a time. Results are handed over as each
// config finishes; the caller orders them.
import { Worker } from 'node:worker_threads';
import { EXIT_CODE, codeInfo } from '../errors.js';
import type { CheckOptions } from '../api/check.js';
import { checkRecord, type CheckRecord } from './check-record.js';
import type { CheckTask, CheckWorkerData } from './check-worker.js';

export interface PoolOptions {
  jobs: number;
  opts: CheckOptions;
  report: boolean;
  cwd: string;
  /** Called as each config finishes (in completion order), and as each starts. */
  onDone(index: number, record: CheckRecord): void;
  onStart?(index: number): void;
  /** The worker's module (default: check-worker beside this module). */
  workerUrl?: URL;
}

/**
 * The worker's module beside this one: tsc's dist/src/cli/check-worker.js, or in the bundle
 * (where every module is a .mjs in dist/bundle) the bundle's check-worker.mjs entry.
 */
function workerUrl(): URL {
  const ext = import.meta.url.endsWith('.mjs') ? '.mjs' : '.js';
  return new URL(`./check-worker${ext}`, import.meta.url);
}

export async function runCheckPool(configs: readonly string[], p: PoolOptions): Promise<void> {
  const jobs = Math.max(1, Math.min(p.jobs, configs.length));
  if (jobs === 1) {
    for (const [index, config] of configs.entries()) {
      p.onStart?.(index);
      p.onDone(index, checkRecord(config, p.opts, p.report, p.cwd));
      // Let the progress display and signals through between configs.
      await new Promise((r) => setImmediate(r));
    }
    return;
  }
  let next = 0;
  const workerData: CheckWorkerData = { opts: p.opts, report: p.report, cwd: p.cwd };
  const workers = new Set<Worker>();
  try {
    await new Promise<void>((resolve, reject) => {
      let running = 0;
      const settle = (index: number, record: CheckRecord): void => {
        running--;
        try {
          p.onDone(index, record);
        } catch (e) {
          reject(e);
        }
      };
      const feed = (w: Worker, current: { index?: number }): void => {
        if (next >= configs.length) {
          if (running === 0) resolve();
          return;
        }
        const task: CheckTask = { index: next, config: configs[next]! };
        next++;
        running++;
        current.index = task.index;
        p.onStart?.(task.index);
        w.postMessage(task);
      };
      const start = (): void => {
        const w = new Worker(p.workerUrl ?? workerUrl(), { workerData });
        const current: { index?: number } = {};
        workers.add(w);
        w.on('message', (m: { index: number; record: CheckRecord }) => {
          current.index = undefined;
          settle(m.index, m.record);
          feed(w, current);
        });
        // A thread that dies (out of memory, a bug outside the checked run) fails its config, not
        // the batch: the config is reported as a bug and a new thread takes the next one.
        w.on('error', (e) => {
          workers.delete(w);
          if (current.index !== undefined) settle(current.index, crashed(configs[current.index]!, e));
          start();
        });
        feed(w, current);
      };
      for (let i = 0; i < jobs; i++) start();
    });
  } finally {
    await Promise.all([...workers].map((w) => w.terminate()));
  }
}

/** The record of a config whose worker thread died. */
function crashed(config: string, e: Error): CheckRecord {
  const message = `uboot-gen bug: the worker thread checking ${config} died: ${e.message} (please report it with the --json output)`;
  return {
    config, ok: false, exitCode: EXIT_CODE.internal, durationMs: 0, domains: { up: 0, total: 0, verdicts: [] },
    finding: message, diagnostics: [{ code: 'INTERNAL', level: 'error', message, fix: codeInfo('INTERNAL').fix }],
  };
}
