// Where outputs may go: the exact refusals, and what --output-outside-dir allows.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '../../../src/config/index.js';
import { UbootGenError } from '../../../src/errors.js';
import { checkOutputs, failedName, inputFiles } from '../../../src/output/paths.js';
import { sampleCopy } from '../../helpers/images.js';

function wanted(extra: string[]) {
  const { dir, config } = sampleCopy(extra);
  const c = loadConfig(config).config;
  const w = [
    { role: 'source' as const, path: path.resolve(dir, c.ubootSource.value), data: 's', ref: c.ubootSource },
    { role: 'script' as const, path: path.resolve(dir, c.ubootScript.value), data: 'b', ref: c.ubootScript },
  ];
  return { dir, config, c, w };
}

function refusal(fn: () => unknown): UbootGenError {
  try { fn(); } catch (e) { if (e instanceof UbootGenError) return e; throw e; }
  throw new Error('not refused');
}

describe('output → paths', () => {
  it('accepts the sample\'s outputs, through the real folder', () => {
    const { dir, c, w } = wanted([]);
    const t = checkOutputs(w, c, dir);
    expect(t.map((x) => x.path)).to.deep.equal([path.join(fs.realpathSync(dir), 'boot.source'), path.join(fs.realpathSync(dir), 'boot.scr')]);
  });

  it('lists every file the config names, and the config itself, as inputs', () => {
    const { dir, config, c } = wanted(['APPEND_EXTRA_CMDS="extra.cmds"']);
    expect(inputFiles(c, dir).map((i) => i.label)).to.deep.equal([`the config file ${config}`, 'DEVICE_TREE (samples/virt.dtb)', 'XEN (samples/xen)',
      'DOM0_KERNEL (samples/Image)', 'DOM0_RAMDISK (samples/initrd.cpio.gz)', 'DOMU_KERNEL[0] (samples/Image)', 'DOMU_RAMDISK[0] (samples/initrd.cpio.gz)',
      'DOMU_KERNEL[1] (samples/Image)', 'DOMU_RAMDISK[1] (samples/initrd.cpio.gz)', 'APPEND_EXTRA_CMDS (extra.cmds)']);
  });

  it('refuses an absolute UBOOT_SCRIPT at its position, with the fix', () => {
    const { dir, config, c, w } = wanted(['UBOOT_SCRIPT="/srv/tftp/boot.scr"']);
    const e = refusal(() => checkOutputs(w, c, dir));
    expect(e.code).to.equal('OUTPUT_OUTSIDE_DIR');
    expect(e.where).to.deep.equal({ file: config, line: 28, col: 14, key: 'UBOOT_SCRIPT' });
    expect(e.message).to.equal(`UBOOT_SCRIPT = "/srv/tftp/boot.scr" is an absolute path: outputs are written inside the output folder ${dir} (the -d folder, else the config's folder).`);
    expect(e.hint).to.equal(`change UBOOT_SCRIPT to a name relative to ${dir}, or pass --output-outside-dir to write there on purpose`);
  });

  it('with allowOutsideDir, writes outside the folder but still never over an input', () => {
    const { dir, c, w } = wanted(['UBOOT_SCRIPT="../outside.scr"']);
    expect(checkOutputs(w, c, dir, { allowOutsideDir: true })[1]!.path).to.equal(path.join(fs.realpathSync(path.dirname(dir)), 'outside.scr'));
    const { dir: d2, c: c2, w: w2 } = wanted(['UBOOT_SCRIPT="config"']);
    expect(refusal(() => checkOutputs(w2, c2, d2, { allowOutsideDir: true })).code).to.equal('OUTPUT_OVERWRITES_INPUT');
  });

  it('refuses an output hard-linked to an input (same device and inode, another name)', () => {
    const { dir, c, w } = wanted(['UBOOT_SCRIPT="copy-of-xen"']);
    fs.linkSync(path.join(dir, 'samples', 'xen'), path.join(dir, 'copy-of-xen'));
    const e = refusal(() => checkOutputs(w, c, dir));
    expect(e.message).to.equal('UBOOT_SCRIPT = "copy-of-xen" would overwrite XEN (samples/xen), an input of this run.');
  });

  it('replaces a symlink under the output\'s name rather than the file it points to', () => {
    const { dir, c, w } = wanted([]);
    fs.symlinkSync('samples/Image', path.join(dir, 'boot.scr'));
    expect(checkOutputs(w, c, dir)[1]!.path).to.equal(path.join(fs.realpathSync(dir), 'boot.scr'));
  });

  it('names a failing script NAME.failed.EXT', () => {
    expect(['/d/boot.scr', '/d/boot.source', '/d/script', '/d/.hidden'].map(failedName)).to.deep.equal(['/d/boot.failed.scr', '/d/boot.failed.source', '/d/script.failed', '/d/.hidden.failed']);
  });
});
