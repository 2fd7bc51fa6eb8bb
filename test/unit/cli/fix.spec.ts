// --fix: the corrected config lines for each finding with a computable fix, as -/+ lines with
// their line numbers; the config itself is never written. Three real mistakes end to end.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatFixes } from '../../../src/cli/fix.js';
import { REPO_ROOT } from '../../helpers/paths.js';
import { sampleCopy } from '../../helpers/images.js';

const BIN = path.join(REPO_ROOT, 'bin', 'uboot-gen');

/** uboot-gen run in the config's folder, naming it `config` as a user would. */
function run(dir: string, args: string[]) {
  const r = spawnSync(BIN, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CI: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A copy of config.example with `from` replaced by `to` (each once). */
function mistake(edits: [string, string][]): { dir: string; text: string } {
  const { dir, config } = sampleCopy();
  let text = fs.readFileSync(config, 'utf8');
  for (const [from, to] of edits) {
    expect(text).to.contain(from);
    text = text.replace(from, to);
  }
  fs.writeFileSync(config, text);
  return { dir, text };
}

const pos = (line: number, col: number) => ({ file: 'config', line, col });

describe('cli → fix', function () {
  this.timeout(60000);

  it('rewrites a value in place, keeping its quotes, and leaves the rest of the line', () => {
    const text = 'A=1\nDOMU_MEM[0]=16   # small\nXEN_CMD="console=dtuart dom0_mem=3000M"\n';
    expect(formatFixes(text, 'config', [
      { edit: { key: 'DOMU_MEM[0]', value: '39', where: pos(2, 13) }, fix: 'set DOMU_MEM[0] to at least 39' },
      { edit: { key: 'XEN_CMD', value: 'console=dtuart dom0_mem=1444M', where: pos(3, 9) }, fix: 'set dom0_mem' },
    ])).to.deep.equal([
      'config:2: set DOMU_MEM[0] to at least 39', '-   2  DOMU_MEM[0]=16   # small', '+   2  DOMU_MEM[0]=39   # small',
      'config:3: set dom0_mem', '-   3  XEN_CMD="console=dtuart dom0_mem=3000M"', '+   3  XEN_CMD="console=dtuart dom0_mem=1444M"',
    ]);
  });

  it('renames a misspelt key, adds a key after its anchor line, and skips what it cannot rewrite in place', () => {
    const text = 'DOMU_KERNLE[0]=Image\nDOMU_KERNEL[1]=Image\nDOMU_CMD[0]="a\nb"\n';
    expect(formatFixes(text, 'config', [
      { edit: { key: 'DOMU_KERNLE[0]', renameTo: 'DOMU_KERNEL[0]', where: pos(1, 1) }, fix: 'rename' },
      { edit: { key: 'DOMU_MEM[1]', value: '603', after: pos(2, 16) }, fix: 'add' },
      // A value continued on the next line is not rewritten: the fix is said in words only.
      { edit: { key: 'DOMU_CMD[0]', value: 'x y', where: pos(3, 13) }, fix: 'multi-line' },
      // A position in another file (an included one, the command line) is not this config's line.
      { edit: { key: 'X', value: '1', where: { file: '<command line>', line: 0, col: 0 } }, fix: 'elsewhere' },
    ])).to.deep.equal([
      'config:1: rename', '-   1  DOMU_KERNLE[0]=Image', '+   1  DOMU_KERNEL[0]=Image',
      'config:2: add', '+  2a  DOMU_MEM[1]=603',
    ]);
  });

  it('(a) memory too small: the plan error at DOMU_MEM[0] and the line that fixes it; the config is unchanged', () => {
    const { dir, text } = mistake([['DOMU_MEM[0]=256', 'DOMU_MEM[0]=16']]);
    const r = run(dir, ['config', '--fix']);
    expect(r.status).to.equal(5);
    expect(r.stderr).to.equal('config:17:13: error: DOMU_MEM[0]=16 is below the kernel\'s 32.1 MiB footprint (samples/Image) + DTB + initrd: Xen would panic "Not enough memory in the first bank for the kernel+dtb+initrd"\n'
      + '  fix: set DOMU_MEM[0] to at least 39\n');
    expect(r.stdout).to.equal('config:17: set DOMU_MEM[0] to at least 39\n-  17  DOMU_MEM[0]=16\n+  17  DOMU_MEM[0]=39\n');
    expect(fs.readFileSync(path.join(dir, 'config'), 'utf8')).to.equal(text);
    // Without --fix: the same error, nothing on stdout, the same exit status.
    expect(run(dir, ['config'])).to.deep.equal({ status: 5, stdout: '', stderr: r.stderr });
  });

  it('(b) a passthrough path the DTB lacks: the config error at its value, the path dropped', () => {
    const { dir } = mistake([['DOMU_MEM[0]=256\n', 'DOMU_MEM[0]=256\nDOMU_PASSTHROUGH_PATHS[0]="/soc/ethernet@ff0e0000"\n']]);
    const r = run(dir, ['config', '--fix']);
    expect(r.status).to.equal(3);
    expect(r.stderr).to.equal('config:18:27: error: DOMU_PASSTHROUGH_PATHS[0] names /soc/ethernet@ff0e0000, but DEVICE_TREE "samples/virt.dtb" has no such node, so the script could not mark it xen,passthrough (FDT_ERR_NOTFOUND)\n'
      + '  fix: remove /soc/ethernet@ff0e0000 from DOMU_PASSTHROUGH_PATHS[0], or pass the DTB of the board that has the device\n');
    expect(r.stdout).to.equal('config:18: remove /soc/ethernet@ff0e0000 from DOMU_PASSTHROUGH_PATHS[0], or pass the DTB of the board that has the device\n'
      + '-  18  DOMU_PASSTHROUGH_PATHS[0]="/soc/ethernet@ff0e0000"\n+  18  DOMU_PASSTHROUGH_PATHS[0]=""\n');
  });

  it('(c) a typo in a key: the error at the misspelt key, the rename as the fix', () => {
    const { dir } = mistake([['DOMU_KERNEL[0]=', 'DOMU_KERNLE[0]=']]);
    const r = run(dir, ['config', '--fix']);
    expect(r.status).to.equal(3);
    expect(r.stderr).to.equal('config:14:1: error: DOMU_KERNEL[0] is not set, but DOMU_KERNLE[0] is: DOMU_KERNLE[0] is not an ImageBuilder option, so it is ignored\n'
      + '  fix: rename DOMU_KERNLE[0] to DOMU_KERNEL[0]\n');
    expect(r.stdout).to.equal('config:14: rename DOMU_KERNLE[0] to DOMU_KERNEL[0]\n-  14  DOMU_KERNLE[0]="samples/Image"\n+  14  DOMU_KERNEL[0]="samples/Image"\n');
  });

  it('a verdict with a computable fix: the verification fails as before (exit 6), the fixing line follows the report', () => {
    const { dir } = mistake([['DOMU_MEM[0]=256', 'DOMU_MEM[0]=2048']]);
    const r = run(dir, ['config', '--fix', '-q']);
    expect(r.status).to.equal(6);
    expect(r.stderr).to.equal('error: verification failed: Xen panics: Failed to allocate requested domain memory. 2097152KB unallocated. Fix the VMs configurations.\n'
      + 'config:17:13: error: DOMU_MEM[0]=2048 is more than Xen has left for domU0: 1195 MiB are free as it is built, for its memory and P2M pool\n'
      + '  fix: set DOMU_MEM[0] to at most 1188\n'
      + '  hint: nothing was written: the previous boot.scr is unchanged (--keep-failed keeps the failing script for inspection)\n');
    expect(r.stdout).to.equal('config:17: set DOMU_MEM[0] to at most 1188\n-  17  DOMU_MEM[0]=2048\n+  17  DOMU_MEM[0]=1188\n');
  });
});
