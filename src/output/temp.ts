// Temp files beside their final name (rename(2) is atomic only within one filesystem), named so
// that a later run can tell whose they are: `.NAME.PID-NONCE.tmp`. A temp whose writer is dead is
// litter from a killed run and is removed by the next run that touches the folder.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

const TEMP_RE = /^\.(.+)\.(\d+)-([0-9a-f]{16})\.tmp$/;

export function newNonce(): string {
  return crypto.randomBytes(8).toString('hex');
}

/** `.NAME.PID-NONCE.tmp` in the folder of `final`. */
export function tempPathFor(final: string, nonce: string): string {
  return path.join(path.dirname(final), `.${path.basename(final)}.${process.pid}-${nonce}.tmp`);
}

/** The final name and writer PID a temp name stands for, or undefined when it is not one of ours. */
export function parseTempName(name: string): { finalName: string; pid: number } | undefined {
  const m = TEMP_RE.exec(name);
  if (!m) return undefined;
  const pid = Number(m[2]);
  return Number.isSafeInteger(pid) && pid > 0 ? { finalName: m[1]!, pid } : undefined;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Field 22 of /proc/PID/stat (start time in clock ticks after boot); undefined without /proc. */
export function processStartTime(pid: number): string | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may contain spaces or ')': skip past the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19];
}

/** When a process started, in ms since the epoch (Linux: boot time + start ticks at 100 Hz). */
function processStartMs(pid: number): number | undefined {
  const ticks = processStartTime(pid);
  if (ticks === undefined) return undefined;
  let btime: number | undefined;
  try {
    const m = /^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'));
    btime = m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
  // USER_HZ is 100 on every Linux architecture Node runs on.
  return btime === undefined ? undefined : btime * 1000 + Number(ticks) * 10;
}

/**
 * Remove our temp files in `folder` whose writer is no longer running (killed runs).
 * Returns the names removed. Temps of live runs (staged, waiting to commit) are left alone.
 */
export function removeDeadTemps(folder: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(folder);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const t = parseTempName(name);
    if (!t || t.pid === process.pid) continue;
    const file = path.join(folder, name);
    if (pidAlive(t.pid)) {
      // A live PID may have been reused: a process that started after the temp was last written is not its writer.
      let mtimeMs: number;
      try { mtimeMs = fs.statSync(file).mtimeMs; } catch { continue; }
      const started = processStartMs(t.pid);
      if (started === undefined || started <= mtimeMs + 1000) continue;
    }
    fs.rmSync(file, { force: true });
    removed.push(name);
  }
  return removed;
}

/** fsync a folder, so that renames and unlinks in it survive a power loss. */
export function syncFolder(folder: string): void {
  let fd: number;
  try {
    fd = fs.openSync(folder, 'r');
  } catch {
    return;
  }
  try {
    fs.fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on a directory (EINVAL); the rename itself is still atomic.
  } finally {
    fs.closeSync(fd);
  }
}
