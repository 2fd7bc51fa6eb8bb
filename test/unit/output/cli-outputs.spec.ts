// The README's promise, as users see it: outputs are replaced only after everything succeeded,
// as one unit; a failure says why (even with -q); --keep-failed; xen.ub beside boot.scr.
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../../helpers/paths.js';
import { sampleCopy } from '../../helpers/images.js';
import { parseJsonOutput } from '../../helpers/json-schema.js';
import { FolderLock } from '../../../src/output/lock.js';
import { JOURNAL_NAME } from '../../../src/output/commit.js';
import { deadPid, expectOnePair, litter, scriptPayload } from './helpers.js';

const BIN = path.join(REPO_ROOT, 'bin', 'uboot-gen.js');

function run(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CI: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('output → the CLI replaces outputs only after a verified run', () => {
  it('a run that fails verification leaves the previous pair byte for byte, and -q still says why', () => {
    const { dir } = sampleCopy();
    expect(run(['config', '-q'], dir).status).to.equal(0);
    const before = ['boot.source', 'boot.scr'].map((f) => fs.readFileSync(path.join(dir, f)));
    fs.appendFileSync(path.join(dir, 'config'), 'DOMU_MEM[1]=2048\n');
    const r = run(['config', '-q'], dir);
    expect(r.status).to.equal(6);
    expect(r.stdout).to.equal('');
    expect(r.stderr).to.equal('error: verification failed: Xen panics: Failed to allocate requested domain memory. 2097152KB unallocated. Fix the VMs configurations.\n'
      + 'config:29:13: error: DOMU_MEM[1]=2048 is more than Xen has left for domU1: 1455 MiB are free as it is built, for its memory and P2M pool and the 259 MiB the domUs built after it need\n'
      + '  fix: set DOMU_MEM[1] to at most 1188\n'
      + '  hint: nothing was written: the previous boot.scr is unchanged (--keep-failed keeps the failing script for inspection)\n');
    expect(['boot.source', 'boot.scr'].map((f) => fs.readFileSync(path.join(dir, f)))).to.deep.equal(before);
    expect(litter(dir)).to.deep.equal([]);
  });

  it('--keep-failed writes the failing script as boot.failed.source/.scr and leaves the good pair', () => {
    const { dir } = sampleCopy(['DOMU_MEM[1]=2048']);
    fs.writeFileSync(path.join(dir, 'boot.source'), 'good\n');
    const r = run(['config', '-q', '--keep-failed', '--json'], dir);
    expect(r.status).to.equal(6);
    const doc = parseJsonOutput(r.stdout);
    expect(doc.ok).to.equal(false);
    expect(doc.outputs.written).to.deep.equal([]);
    expect(doc.outputs.keptFailed.map((f: string) => path.basename(f))).to.deep.equal(['boot.failed.source', 'boot.failed.scr']);
    expect(fs.readFileSync(path.join(dir, 'boot.source'), 'utf8')).to.equal('good\n');
    expect(fs.existsSync(path.join(dir, 'boot.scr'))).to.equal(false);
    expectOnePair(dir, 'boot.failed');
    expect(fs.readFileSync(path.join(dir, 'boot.failed.source'), 'utf8')).to.contain('fdt set /chosen/domU1 memory <0x0 0x200000 >');
    expect(litter(dir)).to.deep.equal([]);
  });

  it('--dry-run writes nothing at all', () => {
    const { dir } = sampleCopy();
    const r = run(['config', '--dry-run', '-q'], dir);
    expect(r.status).to.equal(0);
    expect(r.stdout).to.equal('Dry run: nothing written.\n');
    expect(fs.readdirSync(dir).sort()).to.deep.equal(['config', 'samples']);
  });

  it('BOOT_CMD=bootm: xen.ub is written beside boot.scr, not beside XEN, and the verification reads the new bytes', () => {
    const { dir } = sampleCopy(['BOOT_CMD=bootm']);
    // A stale xen.ub from another build must not be what the verification boots.
    fs.writeFileSync(path.join(dir, 'xen.ub'), 'stale');
    const r = run(['config', '--json'], dir);
    expect(r.status, r.stdout).to.equal(0);
    const doc = parseJsonOutput(r.stdout);
    expect(doc.outputs.written.map((f: string) => path.relative(fs.realpathSync(dir), f))).to.deep.equal(['boot.source', 'boot.scr', 'xen.ub']);
    expect(fs.existsSync(path.join(dir, 'samples', 'xen.ub'))).to.equal(false);
    const ub = fs.readFileSync(path.join(dir, 'xen.ub'));
    expect(ub.readUInt32BE(0)).to.equal(0x27051956);
    expect(ub.subarray(64)).to.deep.equal(fs.readFileSync(path.join(dir, 'samples', 'xen')));
    expect(scriptPayload(new Uint8Array(fs.readFileSync(path.join(dir, 'boot.scr'))))).to.match(/^tftpb 0x[0-9A-F]+ xen\.ub$/m);
  });

  it('refuses -o ../x unless --output-outside-dir is given', () => {
    const { dir } = sampleCopy();
    const sub = path.join(dir, 'tftp');
    fs.mkdirSync(sub);
    const refused = run(['-c', 'config', '-d', '.', '-o', '../outside', '-q'], dir);
    expect(refused.status).to.equal(1);
    expect(refused.stderr).to.match(/^error: the -o output \.\.\/outside\.source leads to .*outside\.source, outside it: outputs are written inside the output folder /);
    expect(fs.existsSync(path.join(path.dirname(dir), 'outside.scr'))).to.equal(false);
    const allowed = run(['-c', 'config', '-d', '.', '-o', 'tftp/../../outside', '-q', '--output-outside-dir'], dir);
    expect(allowed.status, allowed.stderr).to.equal(0);
    expectOnePair(path.dirname(dir), 'outside');
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} while a verified run waits for the lock: its temps are removed, the previous pair stays, it dies of ${signal}`, async () => {
      const { dir } = sampleCopy();
      fs.writeFileSync(path.join(dir, 'boot.source'), 'previous\n');
      const holder = new FolderLock(fs.realpathSync(dir));
      expect(holder.tryAcquire()).to.equal(true);
      try {
        const child = spawn(process.execPath, [BIN, 'config', '-q'], { cwd: dir, env: { ...process.env, CI: '1' }, stdio: 'ignore' });
        const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_c, sig) => r(sig)));
        const deadline = Date.now() + 15_000;
        while (fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), 'the run staged its outputs').to.have.length(2);
        child.kill(signal);
        expect(await exited).to.equal(signal);
      } finally {
        holder.release();
      }
      expect(fs.readdirSync(dir).sort()).to.deep.equal(['boot.source', 'config', 'samples']);
      expect(fs.readFileSync(path.join(dir, 'boot.source'), 'utf8')).to.equal('previous\n');
    });
  }

  it('the next run, even one that fails, first finishes the renames a killed run left in its journal', () => {
    const { dir } = sampleCopy();
    expect(run(['config', '-q'], dir).status).to.equal(0);
    const real = fs.realpathSync(dir);
    // A run killed after renaming boot.source, before renaming boot.scr: the pair is mixed.
    const temp = path.join(real, `.boot.scr.${deadPid()}-0123456789abcdef.tmp`);
    fs.renameSync(path.join(real, 'boot.scr'), temp);
    fs.writeFileSync(path.join(real, 'boot.scr'), 'from an older run');
    fs.writeFileSync(path.join(real, JOURNAL_NAME), JSON.stringify({ version: 1, entries: [{ temp, final: path.join(real, 'boot.scr') }] }));
    fs.appendFileSync(path.join(dir, 'config'), 'DOMU_MEM[1]=2048\n');
    expect(run(['config', '-q'], dir).status).to.equal(6);
    expectOnePair(dir);
    expect(litter(dir)).to.deep.equal([]);
  });
});
