import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bootOutputDir, labTokenOf, stageLabAssets, type LabAssets } from '../../src/lab/index.js';

describe('lab/index', () => {
  it('labTokenOf reads the labtoken= parameter only as a whole word', () => {
    expect(labTokenOf('console=ttyAMA0 labtoken=u1')).to.equal('u1');
    expect(labTokenOf('labtoken=d0 console=hvc0')).to.equal('d0');
    expect(labTokenOf('xlabtoken=zz console=hvc0')).to.equal(undefined);
  });

  it('stageLabAssets links the four lab binaries under the names lab configs use', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uboot-gen-lab-stage-'));
    try {
      const f = (n: string) => { const p = path.join(dir, `src-${n}`); fs.writeFileSync(p, n); return { path: p, size: 1, sha256: '' }; };
      const assets = { dir, kernel: f('k'), xen: f('x'), initramfs: f('i'), dtb: f('d') } as unknown as LabAssets;
      const out = path.join(dir, 'out');
      stageLabAssets(assets, out);
      expect(fs.readdirSync(out).sort()).to.deep.equal(['Image', 'initramfs.cpio.gz', 'virt.dtb', 'xen']);
      expect(fs.readFileSync(path.join(out, 'Image'), 'utf8')).to.equal('k');
      expect(fs.readlinkSync(path.join(out, 'xen'))).to.equal(path.join(dir, 'src-x'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bootOutputDir refuses a directory without the boot script (LAB_BOOT) before starting QEMU', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uboot-gen-lab-out-'));
    try {
      await bootOutputDir({ dir });
      expect.fail('no error');
    } catch (e) {
      const err = e as { code: string; message: string };
      // LAB_SETUP only on a machine without the host tools.
      expect(err.code === 'LAB_BOOT' ? err.message : err.code).to.equal(err.code === 'LAB_BOOT' ? `boot.scr is not in ${dir}; generate the boot script there first.` : 'LAB_SETUP');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
