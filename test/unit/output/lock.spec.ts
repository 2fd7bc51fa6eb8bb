// The folder lock: exclusive, released, stale when its owner is dead or its PID was reused,
// alive (and waited for, within a bound) otherwise.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FolderLock, LOCK_NAME, ownerAlive } from '../../../src/output/lock.js';
import { processStartTime } from '../../../src/output/temp.js';
import { UbootGenError } from '../../../src/errors.js';
import { tempDir } from '../../helpers/temp.js';
import { deadPid } from './helpers.js';

const lockText = (o: object): string => `${JSON.stringify(o)}\n`;

describe('output → lock', () => {
  it('is exclusive while held and free after release; the file names its owner', () => {
    const dir = tempDir();
    const a = new FolderLock(dir);
    const b = new FolderLock(dir);
    expect(a.tryAcquire()).to.equal(true);
    const owner = JSON.parse(fs.readFileSync(path.join(dir, LOCK_NAME), 'utf8'));
    expect(owner).to.deep.include({ pid: process.pid, host: os.hostname(), start: processStartTime(process.pid) });
    expect(b.tryAcquire()).to.equal(false);
    expect(a.stillHeld()).to.equal(true);
    a.release();
    expect(fs.existsSync(path.join(dir, LOCK_NAME))).to.equal(false);
    expect(b.tryAcquire()).to.equal(true);
    b.release();
    expect(fs.readdirSync(dir)).to.deep.equal([]);
  });

  it('takes over a lock whose owner is dead', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, LOCK_NAME), lockText({ pid: deadPid(), host: os.hostname(), nonce: 'x' }));
    const l = new FolderLock(dir);
    expect(l.tryAcquire()).to.equal(true);
    expect(l.stillHeld()).to.equal(true);
    l.release();
    expect(fs.readdirSync(dir)).to.deep.equal([]);
  });

  it('takes over a lock whose PID now belongs to a process that started later (PID reuse)', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, LOCK_NAME), lockText({ pid: process.pid, start: '1', host: os.hostname(), nonce: 'old' }));
    expect(ownerAlive({ pid: process.pid, start: '1', host: os.hostname(), nonce: 'old' })).to.equal(false);
    const l = new FolderLock(dir);
    expect(l.tryAcquire()).to.equal(true);
    l.release();
  });

  it('takes over a damaged lock file, and counts a lock from another host as alive', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, LOCK_NAME), 'not json');
    const l = new FolderLock(dir);
    expect(l.tryAcquire()).to.equal(true);
    l.release();
    expect(ownerAlive({ pid: deadPid(), host: `${os.hostname()}-elsewhere`, nonce: 'n' })).to.equal(true);
  });

  it('waits for a live owner only so long, then fails with OUTPUT_LOCKED naming the lock and the owner', async () => {
    const dir = tempDir();
    const holder = new FolderLock(dir);
    expect(holder.tryAcquire()).to.equal(true);
    const waiter = new FolderLock(dir);
    const t0 = Date.now();
    const err = await waiter.acquire({ waitMs: 150, pollMs: 10 }).then(() => undefined, (e: unknown) => e);
    expect(Date.now() - t0).to.be.at.least(150);
    expect(err).to.be.instanceOf(UbootGenError);
    const e = err as UbootGenError;
    expect(e.code).to.equal('OUTPUT_LOCKED');
    expect(e.message).to.equal(`The outputs in ${dir} are being written by process ${process.pid}, which still holds ${path.join(dir, LOCK_NAME)} after 0 s.`);
    expect(e.hint).to.equal(`wait for that run to finish; if no uboot-gen is running, delete ${path.join(dir, LOCK_NAME)}`);
    expect(() => waiter.acquireSync({ waitMs: 50, pollMs: 10 })).to.throw(UbootGenError, /still holds/);
    holder.release();
    await waiter.acquire({ waitMs: 1000 });
    waiter.release();
  });

  it('notices when its lock was taken away (stillHeld is false), and then does not remove the new owner\'s lock', () => {
    const dir = tempDir();
    const a = new FolderLock(dir);
    expect(a.tryAcquire()).to.equal(true);
    const other = lockText({ pid: process.pid, host: os.hostname(), nonce: 'someone-else' });
    fs.writeFileSync(path.join(dir, LOCK_NAME), other);
    expect(a.stillHeld()).to.equal(false);
    a.release();
    expect(fs.readFileSync(path.join(dir, LOCK_NAME), 'utf8')).to.equal(other);
  });
});
