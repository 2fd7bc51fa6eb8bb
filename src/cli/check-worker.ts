// A worker thread of `check --jobs N`: generate + verify is synchronous CPU work, so a batch runs in
// parallel only on threads of its own. Each message is one config; the answer is its CheckRecord.
import { parentPort, workerData } from 'node:worker_threads';
import type { CheckOptions } from '../api/check.js';
import { checkRecord } from './check-record.js';

export interface CheckWorkerData { opts: CheckOptions; report: boolean; cwd: string }
export interface CheckTask { index: number; config: string }

const data = workerData as CheckWorkerData;
parentPort?.on('message', (task: CheckTask) => {
  parentPort!.postMessage({ index: task.index, record: checkRecord(task.config, data.opts, data.report, data.cwd) });
});
