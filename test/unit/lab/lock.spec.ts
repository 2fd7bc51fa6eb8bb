import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { acquireLabLock } from '../../../src/lab/lock.js';

describe('lab/lock: one QEMU at a time', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uboot-gen-lab-lock-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes our PID and removes the file on release', async () => {
    const f = path.join(dir, 'l');
    const release = await acquireLabLock(f);
    expect(fs.readFileSync(f, 'utf8')).to.equal(`${process.pid}\n`);
    release();
    expect(fs.existsSync(f)).to.equal(false);
  });

  it('takes over a lock whose owner is dead', async () => {
    const f = path.join(dir, 'l');
    fs.writeFileSync(f, '2147483646\n');
    const release = await acquireLabLock(f, 0);
    expect(fs.readFileSync(f, 'utf8')).to.equal(`${process.pid}\n`);
    release();
  });

  it('gives up with LAB_BOOT while a live process holds it', async () => {
    const f = path.join(dir, 'l');
    fs.writeFileSync(f, `${process.ppid}\n`);
    try {
      await acquireLabLock(f, 0);
      expect.fail('lock acquired although held');
    } catch (e) {
      expect((e as { code: string }).code).to.equal('LAB_BOOT');
    }
    expect(fs.readFileSync(f, 'utf8')).to.equal(`${process.ppid}\n`);
  });
});
