// generate --watch in a child process: a change to the config or a file it names runs generate
// again; Ctrl-C (SIGINT) ends it cleanly with the last run's status.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sampleCopy } from '../../helpers/images.js';
import { REPO_ROOT } from '../../helpers/paths.js';

const BIN = path.join(REPO_ROOT, 'bin', 'uboot-gen');

interface Watched { child: ChildProcess; out: () => string; err: () => string; exited: Promise<{ code: number | null; signal: string | null }> }

function start(args: string[], cwd: string): Watched {
  const child = spawn(BIN, args, { cwd, env: { ...process.env, NO_COLOR: '1', CI: '1' } });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, out: () => out, err: () => err, exited };
}

/** Wait until `cond` holds, polling; fails with what was seen after `ms`. */
async function until(cond: () => boolean, what: () => string, ms = 30000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting; saw:\n${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const count = (s: string, sub: string): number => s.split(sub).length - 1;
const HINT = 'tftpb 0x40200000 boot.scr; source 0x40200000\n';

describe('cli → generate --watch', function () {
  this.timeout(90000);
  let w: Watched | undefined;
  afterEach(() => { if (w && w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL'); });

  it('runs again when the config changes and when a file it names changes, then exits on SIGINT with the last status', async () => {
    const { dir } = sampleCopy();
    w = start(['config', '-q', '--watch'], dir);
    const seen = (): string => `stdout:\n${w!.out()}\nstderr:\n${w!.err()}`;
    await until(() => w!.err().includes('--- watching 5 files (Ctrl-C to stop)\n'), seen);
    expect(count(w.out(), HINT)).to.equal(1);

    // A second domU's memory changed: a new script is written.
    const before = fs.readFileSync(path.join(dir, 'boot.source'), 'utf8');
    fs.appendFileSync(path.join(dir, 'config'), 'DOMU_MEM[0]=128\n');
    await until(() => count(w!.out(), HINT) === 2 && count(w!.err(), '--- watching') === 2, seen);
    expect(w.err()).to.contain('\n--- config changed: generating again\n');
    expect(fs.readFileSync(path.join(dir, 'boot.source'), 'utf8')).to.not.equal(before);

    // The config now names a new file: it is watched from the next run on.
    fs.copyFileSync(path.join(dir, 'samples', 'Image'), path.join(dir, 'samples', 'Image2'));
    fs.appendFileSync(path.join(dir, 'config'), 'DOMU_KERNEL[1]="samples/Image2"\n');
    await until(() => w!.err().includes('--- watching 6 files'), seen);
    const runs = count(w.out(), HINT);
    // An editor's save: a new file renamed over the old one.
    fs.copyFileSync(path.join(dir, 'samples', 'Image'), path.join(dir, 'samples', 'Image2.new'));
    fs.renameSync(path.join(dir, 'samples', 'Image2.new'), path.join(dir, 'samples', 'Image2'));
    await until(() => count(w!.out(), HINT) === runs + 1, seen);
    expect(w.err()).to.contain('\n--- samples/Image2 changed: generating again\n');

    // A broken config: the error is said, and watching goes on until it is fixed.
    fs.appendFileSync(path.join(dir, 'config'), 'NUM_DOMUS=x\n');
    await until(() => w!.err().includes('NUM_DOMUS must be a whole number of domUs, got "x"'), seen);
    await until(() => w!.err().trimEnd().endsWith('(Ctrl-C to stop)'), seen);
    w.child.kill('SIGINT');
    const exit = await w.exited;
    expect(exit).to.deep.equal({ code: 3, signal: null });
  });

  it('exits 0 on SIGINT after a good run', async () => {
    const { dir } = sampleCopy();
    w = start(['config', '-q', '--watch'], dir);
    await until(() => w!.err().includes('--- watching'), () => w!.err());
    w.child.kill('SIGINT');
    expect(await w.exited).to.deep.equal({ code: 0, signal: null });
  });
});
