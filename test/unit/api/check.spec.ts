// check as a library call: configs found by pattern, each generated and verified in memory.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { batchExitCode, checkConfig, findConfigs } from '../../../src/api/check.js';
import { UbootGenError } from '../../../src/errors.js';
import { boardTree } from '../../helpers/boards.js';
import { sampleCopy } from '../../helpers/images.js';

/** Every file under `dir` with its size and mtime: what "nothing written" is checked against. */
function snapshot(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).sort().map((f) => {
    const st = fs.statSync(path.join(dir, f));
    return `${f} ${st.isFile() ? st.size : 'dir'} ${st.mtimeMs}`;
  });
}

describe('api → check', function () {
  this.timeout(60000);

  it('finds configs per pattern, sorted within a pattern, each once, in pattern order', async () => {
    const root = boardTree({ b: [], a: [], c: [] });
    fs.writeFileSync(path.join(root, 'boards', 'a', 'notes.txt'), 'not a config\n');
    expect(await findConfigs(['boards/**/config'], root)).to.deep.equal(['boards/a/config', 'boards/b/config', 'boards/c/config']);
    expect(await findConfigs(['boards/c/config', 'boards/*/config'], root)).to.deep.equal(['boards/c/config', 'boards/a/config', 'boards/b/config']);
  });

  it('refuses a pattern that matches nothing as a usage error naming it', async () => {
    const root = boardTree({ a: [] });
    const err = await findConfigs(['boards/**/config', 'board/**/config'], root).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(UbootGenError);
    expect((err as UbootGenError).code).to.equal('USAGE');
    expect((err as UbootGenError).message).to.equal(`no config file matches 'board/**/config' (in ${root})`);
  });

  it('passes the sample with every domain up and writes nothing', () => {
    const { dir, config } = sampleCopy();
    const before = snapshot(dir);
    const o = checkConfig(config);
    expect([o.ok, o.exitCode, o.error]).to.deep.equal([true, 0, undefined]);
    expect(o.verification!.domains.map((d) => `${d.name}:${d.verdict}`)).to.deep.equal(['dom0:up', 'domU1:up', 'domU0:up']);
    expect(snapshot(dir)).to.deep.equal(before);
  });

  it('verifies a bootm config from its in-memory xen.ub, leaving an existing xen.ub untouched', () => {
    const { dir, config } = sampleCopy(['BOOT_CMD="bootm"']);
    // A stale xen.ub that would fail its CRC if the simulator read it.
    fs.writeFileSync(path.join(dir, 'xen.ub'), 'stale');
    const before = snapshot(dir);
    const o = checkConfig(config);
    expect([o.ok, o.exitCode]).to.deep.equal([true, 0]);
    expect(o.gen!.outputs.extra.map((e) => e.path)).to.deep.equal([path.join(dir, 'xen.ub')]);
    expect(snapshot(dir)).to.deep.equal(before);
    expect(fs.readFileSync(path.join(dir, 'xen.ub'), 'utf8')).to.equal('stale');
  });

  it('returns a failed boot as exit 6 and a config error as its own status, never throwing', () => {
    const failing = sampleCopy(['DOMU_MEM[1]=4096']);
    const boot = checkConfig(failing.config);
    expect([boot.ok, boot.exitCode]).to.deep.equal([false, 6]);
    expect(boot.verification!.xen!.panic).to.equal('Failed to allocate requested domain memory. 4194304KB unallocated. Fix the VMs configurations.');
    const bad = sampleCopy(['NUM_DOMUS=x']);
    const cfg = checkConfig(bad.config);
    expect([cfg.ok, cfg.exitCode, (cfg.error as UbootGenError).code, cfg.gen]).to.deep.equal([false, 3, 'CONFIG_BAD_VALUE', undefined]);
    const missing = sampleCopy(['DOM0_RAMDISK="samples/none.gz"']);
    expect(checkConfig(missing.config).exitCode).to.equal(4);
  });

  it('gives the batch the highest exit status of its configs', () => {
    expect(batchExitCode([0, 0])).to.equal(0);
    expect(batchExitCode([0, 3, 6, 1])).to.equal(6);
    expect(batchExitCode([6, 70])).to.equal(70);
    expect(batchExitCode([1, 0])).to.equal(1);
  });
});
