// The check batch's worker pool: bounded, every config answered once, a dead thread failing only its config.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCheckPool } from '../../../src/cli/check-pool.js';
import type { CheckRecord } from '../../../src/cli/check-record.js';
import { tempDir } from '../../helpers/images.js';

/** A stand-in worker answering each config at once (and dying on the config "die"), counting the threads it runs in. */
function fakeWorker(): URL {
  const file = path.join(tempDir(), 'worker.mjs');
  fs.writeFileSync(file, `import { parentPort, threadId } from 'node:worker_threads';
parentPort.on('message', (t) => {
  if (t.config === 'die') throw new Error('boom');
  setTimeout(() => parentPort.postMessage({ index: t.index, record: { config: t.config, ok: true, exitCode: 0, durationMs: 0,
    domains: { up: 0, total: 0, verdicts: [] }, finding: String(threadId), diagnostics: [] } }), 20);
});
`);
  return pathToFileURL(file);
}

describe('cli → check pool', () => {
  it('answers every config once on at most --jobs threads, and fails only the config whose thread died', async () => {
    const configs = ['a', 'b', 'die', 'c', 'd', 'e'];
    const records: CheckRecord[] = [];
    let running = 0;
    let most = 0;
    await runCheckPool(configs, {
      jobs: 2, opts: {}, report: false, cwd: process.cwd(), workerUrl: fakeWorker(),
      onStart: () => { running++; most = Math.max(most, running); },
      onDone: (i, r) => { running--; records[i] = r; },
    });
    expect(most).to.equal(2);
    expect(records.map((r) => [r.config, r.exitCode])).to.deep.equal([['a', 0], ['b', 0], ['die', 70], ['c', 0], ['d', 0], ['e', 0]]);
    expect(records[2]!.finding).to.equal('uboot-gen bug: the worker thread checking die died: boom (please report it with the --json output)');
    expect(records[2]!.diagnostics.map((d) => [d.code, d.level])).to.deep.equal([['INTERNAL', 'error']]);
    // The healthy configs ran on more than one thread, and on a fresh one after the crash.
    expect(new Set(records.filter((r) => r.ok).map((r) => r.finding)).size).to.be.at.least(2);
  });
});
