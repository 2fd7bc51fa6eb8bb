// Staging, committing and recovering outputs, one step at a time.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { JOURNAL_NAME, StagedOutputs, recoverOutputs } from '../../../src/output/commit.js';
import { FolderLock } from '../../../src/output/lock.js';
import { parseTempName, tempPathFor } from '../../../src/output/temp.js';
import { REPO_ROOT } from '../../helpers/paths.js';
import { tempDir } from '../../helpers/temp.js';
import { deadPid } from './helpers.js';

const read = (dir: string, f: string): string => fs.readFileSync(path.join(dir, f), 'utf8');
const ls = (dir: string): string[] => fs.readdirSync(dir).sort();

describe('output → commit', () => {
  it('stages every file as a temp beside its final name, and commits them all under the final names', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'boot.source'), 'old source');
    const staged = StagedOutputs.stage([{ path: path.join(dir, 'boot.source'), data: 'new source' }, { path: path.join(dir, 'boot.scr'), data: new Uint8Array([1, 2, 3]) }]);
    expect(read(dir, 'boot.source')).to.equal('old source');
    const temps = [...staged.staged.values()];
    expect(temps.map((t) => parseTempName(path.basename(t))?.finalName)).to.deep.equal(['boot.source', 'boot.scr']);
    expect(fs.readFileSync(temps[1]!)).to.deep.equal(Buffer.from([1, 2, 3]));
    const written = await staged.commit();
    expect(written).to.deep.equal([path.join(dir, 'boot.source'), path.join(dir, 'boot.scr')]);
    expect(read(dir, 'boot.source')).to.equal('new source');
    expect(ls(dir)).to.deep.equal(['boot.scr', 'boot.source']);
    expect(staged.state).to.equal('committed');
  });

  it('discard removes the temps and leaves the finals as they were', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'boot.scr'), 'old');
    const staged = StagedOutputs.stage([{ path: path.join(dir, 'boot.scr'), data: 'new' }]);
    staged.discard();
    expect(ls(dir)).to.deep.equal(['boot.scr']);
    expect(read(dir, 'boot.scr')).to.equal('old');
  });

  it('refuses two outputs with the same path', () => {
    const dir = tempDir();
    expect(() => StagedOutputs.stage([{ path: path.join(dir, 'a'), data: '1' }, { path: path.join(dir, 'a'), data: '2' }])).to.throw(/Two outputs name the same file/);
    expect(ls(dir)).to.deep.equal([]);
  });

  it('a failed write leaves nothing behind and names the file (OUTPUT_WRITE)', () => {
    const dir = tempDir();
    expect(() => StagedOutputs.stage([{ path: path.join(dir, 'ok'), data: '1' }, { path: path.join(dir, 'missing', 'x'), data: '2' }]))
      .to.throw(new RegExp(`^Cannot write ${path.join(dir, 'missing', 'x')}: ENOENT`));
    expect(ls(dir)).to.deep.equal([]);
  });

  it('rolls a killed run\'s journal forward: temps still listed are renamed, the journal and dead temps go', async () => {
    const dir = tempDir();
    const pid = deadPid();
    const tmp = (final: string) => path.join(dir, `.${final}.${pid}-0123456789abcdef.tmp`);
    fs.writeFileSync(path.join(dir, 'boot.source'), 'new source'); // renamed before the kill
    fs.writeFileSync(path.join(dir, 'boot.scr'), 'old script');
    fs.writeFileSync(tmp('boot.scr'), 'new script');
    fs.writeFileSync(tmp('unrelated'), 'litter of a killed run');
    fs.writeFileSync(path.join(dir, JOURNAL_NAME), JSON.stringify({ version: 1, entries: [
      { temp: tmp('boot.source'), final: path.join(dir, 'boot.source') }, { temp: tmp('boot.scr'), final: path.join(dir, 'boot.scr') }] }));
    fs.writeFileSync(path.join(dir, '.uboot-gen.lock'), JSON.stringify({ pid, host: (await import('node:os')).hostname(), nonce: 'k' }));
    const rec = await recoverOutputs(dir);
    expect(rec.journal).to.equal(true);
    expect(rec.rolledForward).to.deep.equal([path.join(dir, 'boot.scr')]);
    expect(rec.removedTemps).to.deep.equal([path.basename(tmp('unrelated'))]);
    expect(read(dir, 'boot.scr')).to.equal('new script');
    expect(ls(dir)).to.deep.equal(['boot.scr', 'boot.source']);
  });

  it('ignores journal entries that are not a temp beside its own final (never renames anything else)', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'victim'), 'keep');
    fs.writeFileSync(path.join(dir, 'config'), 'keep too');
    fs.writeFileSync(path.join(dir, JOURNAL_NAME), JSON.stringify({ version: 1, entries: [
      { temp: path.join(dir, 'config'), final: path.join(dir, 'victim') },
      { temp: path.join(dir, '.victim.1-0123456789abcdef.tmp'), final: '/etc/victim' }] }));
    const rec = await recoverOutputs(dir);
    expect(rec.rolledForward).to.deep.equal([]);
    expect(ls(dir)).to.deep.equal(['config', 'victim']);
  });

  it('leaves temps of live runs alone (a concurrent run staged and verifying)', async () => {
    const dir = tempDir();
    const live = tempPathFor(path.join(dir, 'boot.scr'), '0123456789abcdef');
    fs.writeFileSync(live, 'staged by this live process');
    const rec = await recoverOutputs(dir);
    expect(rec.removedTemps).to.deep.equal([]);
    expect(fs.existsSync(live)).to.equal(true);
  });

  it('waits for the folder lock before renaming', async () => {
    const dir = tempDir();
    const holder = new FolderLock(dir);
    expect(holder.tryAcquire()).to.equal(true);
    const staged = StagedOutputs.stage([{ path: path.join(dir, 'boot.scr'), data: 'new' }]);
    const commit = staged.commit({ pollMs: 5 });
    await new Promise((r) => setTimeout(r, 60));
    expect(fs.existsSync(path.join(dir, 'boot.scr'))).to.equal(false);
    holder.release();
    await commit;
    expect(read(dir, 'boot.scr')).to.equal('new');
  });

  it('on SIGTERM while staged, the temps are removed and the process dies of the signal', () => {
    const dir = tempDir();
    const lib = path.join(REPO_ROOT, 'dist', 'src', 'output', 'commit.js');
    const script = `import { StagedOutputs } from ${JSON.stringify(lib)};
      StagedOutputs.stage([{ path: ${JSON.stringify(path.join(dir, 'boot.scr'))}, data: 'x' }]);
      process.kill(process.pid, 'SIGTERM'); setTimeout(() => {}, 5000);`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.signal).to.equal('SIGTERM');
    expect(ls(dir)).to.deep.equal([]);
  });
});
