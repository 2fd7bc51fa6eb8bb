import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bootOutputDir, labTokenOf } from '../../../src/lab/index.js';

describe('lab/index', () => {
  it('labTokenOf reads the labtoken= parameter only as a whole word', () => {
    expect(labTokenOf('console=ttyAMA0 labtoken=u1')).to.equal('u1');
    expect(labTokenOf('labtoken=d0 console=hvc0')).to.equal('d0');
    expect(labTokenOf('xlabtoken=zz console=hvc0')).to.equal(undefined);
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
