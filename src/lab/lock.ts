// One QEMU at a time on the whole machine: two emulated 4-CPU boards on a small
// host slow each other down until guests time out. A lock file in the OS temp dir
// (shared by every checkout) holds the owner's PID; a lock whose owner is dead is stale.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LabError } from '../errors.js';

/** Read at call time: TMPDIR may differ from when this module was loaded (startup snapshot). */
export function defaultLockFile(): string {
  return path.join(os.tmpdir(), 'uboot-gen-lab-qemu.lock');
}

function ownerAlive(file: string): boolean {
  let pid: number;
  try {
    pid = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Wait (polling) until the lock is ours; returns the release function. */
export async function acquireLabLock(file: string = defaultLockFile(), waitMs = 30 * 60_000): Promise<() => void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const fd = fs.openSync(file, 'wx');
      fs.writeSync(fd, `${process.pid}\n`);
      fs.closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.rmSync(file, { force: true });
        } catch { /* already gone */ }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (!ownerAlive(file)) {
        fs.rmSync(file, { force: true });
        continue;
      }
      if (Date.now() >= deadline) {
        throw new LabError('LAB_BOOT', `Another QEMU lab boot holds ${file} and did not finish within ${Math.round(waitMs / 1000)} s.`,
          { lockFile: file }, undefined, 'Only one lab QEMU runs at a time; wait for it or remove the lock if its PID is gone.');
      }
      await sleep(1000);
    }
  }
}
