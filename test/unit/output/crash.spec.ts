// The outputs are one unit even when runs are killed or overlap: generate() is run in child
// processes (the library's real write path, fsyncs included), killed with SIGKILL at seeded random
// points (half of them while a commit's journal exists), or run two at a time; after recovery
// boot.scr always carries boot.source's text and no temp file, journal or lock is left.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FolderLock, JOURNAL_NAME, recoverOutputs } from '../../../src/output/index.js';
import { REPO_ROOT } from '../../helpers/paths.js';
import { expectOnePair, litter, seededRandom, twoConfigs } from './helpers.js';

const CHILD = path.join(REPO_ROOT, 'dist', 'test', 'unit', 'output', 'children', 'generate-loop.js');
const BIN = path.join(REPO_ROOT, 'bin', 'uboot-gen.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function startLoop(count: number, configs: string[]): ChildProcess {
  return spawn(process.execPath, [CHILD, String(count), ...configs], { stdio: ['ignore', 'pipe', 'pipe'] });
}

function exited(c: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  let stderr = '';
  c.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  return new Promise((resolve) => c.on('close', (code, signal) => resolve({ code, signal, stderr })));
}

function ready(c: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    c.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('ready')) resolve(); });
    c.on('exit', (code) => reject(new Error(`child exited (${code}) before its first run`)));
  });
}

describe('output → one unit under SIGKILL and concurrency', function () {
  this.timeout(180_000);

  it('a generate killed with SIGKILL at 50 seeded random points: after recovery the pair is from one run, no temp is left', async () => {
    const rand = seededRandom(0x10c0ffee);
    // Ten folders killed in parallel (five kills each): child start-up dominates the wall time.
    const folders = Array.from({ length: 10 }, () => twoConfigs());
    const figures = { kills: 0, journals: 0, rolledForward: 0, removedTemps: 0, markers: new Set<string>() };
    await Promise.all(folders.map(async ({ dir, a, b }) => {
      for (let k = 0; k < 5; k++) {
        const child = startLoop(0, [a, b]);
        const done = exited(child);
        await ready(child);
        if (k % 2 === 0) {
          await sleep(Math.floor(rand() * 60));
        } else {
          // Every other kill lands while a commit's journal exists (between renames): the child is
          // frozen at random moments until one of them finds the journal on disk.
          for (let tries = 0; tries < 400; tries++) {
            child.kill('SIGSTOP');
            if (fs.existsSync(path.join(dir, JOURNAL_NAME))) break;
            child.kill('SIGCONT');
            await sleep(Math.floor(rand() * 4));
          }
        }
        child.kill('SIGKILL');
        expect((await done).signal).to.equal('SIGKILL');
        figures.kills++;
        const rec = await recoverOutputs(dir);
        if (rec.journal) figures.journals++;
        if (rec.rolledForward.length) figures.rolledForward++;
        figures.removedTemps += rec.removedTemps.length;
        figures.markers.add(expectOnePair(dir));
        expect(litter(dir)).to.deep.equal([]);
      }
    }));
    process.stdout.write(`      ${figures.kills} kills: ${figures.journals} journals finished (${figures.rolledForward} with renames left), ${figures.removedTemps} temps of killed runs removed\n`);
    expect(figures.kills).to.equal(50);
    // Both configs' outputs were seen, so the pairs compared really differed from run to run.
    expect([...figures.markers].sort()).to.deep.equal(['dom0', 'dom0-from-b']);
    // Kills landed while a journal listed renames still to finish, and the recovery finished them.
    expect(figures.journals).to.be.greaterThan(0);
  });

  it('two generates running concurrently, 50 times each: every pair seen under the lock, and the last one, is from one run', async () => {
    const { dir, a, b } = twoConfigs();
    const kids = [startLoop(50, [a]), startLoop(50, [b])];
    const results = Promise.all(kids.map(exited));
    let running = true;
    void results.then(() => { running = false; });
    let checks = 0;
    const markers = new Set<string>();
    while (running) {
      const lock = new FolderLock(dir);
      await lock.acquire();
      try {
        if (fs.existsSync(path.join(dir, 'boot.scr'))) { markers.add(expectOnePair(dir)); checks++; }
      } finally {
        lock.release();
      }
      await sleep(3);
    }
    for (const r of await results) expect(r.code, r.stderr).to.equal(0);
    process.stdout.write(`      100 generates, ${checks} pairs checked under the lock\n`);
    markers.add(expectOnePair(dir));
    expect(checks).to.be.greaterThan(5);
    expect([...markers].sort()).to.deep.equal(['dom0', 'dom0-from-b']);
    expect(litter(dir)).to.deep.equal([]);
  });

  it('the CLI (stage → verify → commit) run twice at once, 3 times: one run\'s pair, no temp left', async () => {
    const { dir, a, b } = twoConfigs();
    for (let round = 0; round < 3; round++) {
      const runs = [a, b].map((c) => exited(spawn(process.execPath, [BIN, c, '-q'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CI: '1' } })));
      for (const r of await Promise.all(runs)) expect(r.code, r.stderr).to.equal(0);
      expectOnePair(dir);
      expect(litter(dir)).to.deep.equal([]);
    }
  });
});
