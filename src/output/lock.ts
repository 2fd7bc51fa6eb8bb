// An exclusive lock on one output folder, so that two runs writing the same outputs take turns.
// POSIX has no portable advisory lock reachable from Node, so the lock is a file created with
// link(2): the lock appears under its final name already complete, which O_EXCL + write cannot
// promise (a reader could see it empty). A lock whose owner is dead (no such PID, or a PID now
// reused by a process that started later) is stale and is taken away; the wait for a live owner
// is bounded.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OutputError } from '../errors.js';
import { processStartTime, pidAlive, tempPathFor, newNonce } from './temp.js';

export const LOCK_NAME = '.uboot-gen.lock';

/** What a lock file holds: enough to tell whether its owner still runs. */
export interface LockOwner {
  pid: number;
  /** /proc/PID/stat start time (clock ticks since boot), when the system has /proc. */
  start?: string;
  host: string;
  /** Random: tells two locks of the same process apart. */
  nonce: string;
}

export interface LockOptions {
  /** Longest wait for a live owner, in ms (default 30 s). */
  waitMs?: number;
  /** Poll interval in ms (default 15 ms, jittered so that waiters do not march in step). */
  pollMs?: number;
}

const DEFAULT_WAIT_MS = 30_000;
const DEFAULT_POLL_MS = 15;

export class FolderLock {
  readonly file: string;
  readonly owner: LockOwner;
  #held = false;

  constructor(folder: string) {
    this.file = path.join(folder, LOCK_NAME);
    const start = processStartTime(process.pid);
    this.owner = { pid: process.pid, ...(start !== undefined ? { start } : {}), host: os.hostname(), nonce: newNonce() };
  }

  get held(): boolean { return this.#held; }

  /** One attempt: true when the lock is now ours. A stale lock is removed and the attempt repeated once. */
  tryAcquire(): boolean {
    for (let attempt = 0; attempt < 2; attempt++) {
      if (this.#create()) return (this.#held = true);
      const seen = readLock(this.file);
      if (seen === undefined) continue; // released between our link() and our read
      if (ownerAlive(seen.owner)) return false;
      breakStaleLock(this.file, seen.text);
    }
    return false;
  }

  /** Wait for the lock, polling; the event loop keeps running, so signals are handled meanwhile. */
  async acquire(opts: LockOptions = {}): Promise<void> {
    const deadline = Date.now() + (opts.waitMs ?? DEFAULT_WAIT_MS);
    while (!this.tryAcquire()) {
      if (Date.now() >= deadline) throw this.#timeout(opts.waitMs ?? DEFAULT_WAIT_MS);
      await new Promise((r) => setTimeout(r, jitter(opts.pollMs ?? DEFAULT_POLL_MS)));
    }
  }

  /** The same wait for synchronous callers (the library's generate()). */
  acquireSync(opts: LockOptions = {}): void {
    const deadline = Date.now() + (opts.waitMs ?? DEFAULT_WAIT_MS);
    const cell = new Int32Array(new SharedArrayBuffer(4));
    while (!this.tryAcquire()) {
      if (Date.now() >= deadline) throw this.#timeout(opts.waitMs ?? DEFAULT_WAIT_MS);
      Atomics.wait(cell, 0, 0, jitter(opts.pollMs ?? DEFAULT_POLL_MS));
    }
  }

  /** True while the lock file is still ours (a stale-lock breaker racing with us could have taken it). */
  stillHeld(): boolean {
    return this.#held && readLock(this.file)?.text === serialise(this.owner);
  }

  release(): void {
    if (!this.#held) return;
    this.#held = false;
    if (readLock(this.file)?.text === serialise(this.owner)) fs.rmSync(this.file, { force: true });
  }

  #create(): boolean {
    const text = serialise(this.owner);
    const tmp = tempPathFor(this.file, this.owner.nonce);
    try {
      fs.writeFileSync(tmp, text, { flag: 'wx' });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new OutputError('OUTPUT_WRITE', `Cannot create the lock ${this.file}: ${err.message}.`, { path: this.file, errno: err.code }, { file: this.file },
        'make the output folder writable, or choose another one with -d');
    }
    try {
      fs.linkSync(tmp, this.file);
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP') return createWithoutLink(this.file, text);
      throw e;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }

  #timeout(waitMs: number): OutputError {
    const owner = readLock(this.file)?.owner;
    const who = owner ? `process ${owner.pid}${owner.host !== os.hostname() ? ` on ${owner.host}` : ''}` : 'another process';
    return new OutputError('OUTPUT_LOCKED',
      `The outputs in ${path.dirname(this.file)} are being written by ${who}, which still holds ${this.file} after ${Math.round(waitMs / 1000)} s.`,
      { lockFile: this.file, ...(owner ? { owner } : {}) }, { file: this.file },
      `wait for that run to finish; if no uboot-gen is running, delete ${this.file}`);
  }
}

/** Filesystems without hard links: O_EXCL creation, the content written right after. */
function createWithoutLink(file: string, text: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try { fs.writeSync(fd, text); } finally { fs.closeSync(fd); }
  return true;
}

function serialise(o: LockOwner): string {
  return `${JSON.stringify(o)}\n`;
}

/** The lock's text and owner; an unreadable owner (foreign or damaged file) counts as dead. */
function readLock(file: string): { text: string; owner: LockOwner | undefined } | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return { text, owner: parseOwner(text) };
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    if (typeof o.pid !== 'number' || !Number.isSafeInteger(o.pid) || o.pid <= 0 || typeof o.host !== 'string' || typeof o.nonce !== 'string') return undefined;
    return { pid: o.pid, host: o.host, nonce: o.nonce, ...(typeof o.start === 'string' ? { start: o.start } : {}) };
  } catch {
    return undefined;
  }
}

/** A lock from another host cannot be checked: it counts as alive (the wait is bounded). */
export function ownerAlive(o: LockOwner | undefined): boolean {
  if (!o) return false;
  if (o.host !== os.hostname()) return true;
  if (!pidAlive(o.pid)) return false;
  // Same PID, different start time: the owner died and its PID was given to a newer process.
  const now = processStartTime(o.pid);
  return o.start === undefined || now === undefined || now === o.start;
}

/**
 * Remove a stale lock without ever removing a live one: the lock is first renamed aside (atomic),
 * then compared with what was judged stale. If another waiter broke it first and a live run has
 * since taken the lock, we moved the live lock: it is linked back under its name.
 */
function breakStaleLock(file: string, staleText: string): void {
  const aside = tempPathFor(file, newNonce());
  try {
    fs.renameSync(file, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  try {
    if (fs.readFileSync(aside, 'utf8') !== staleText) {
      try { fs.linkSync(aside, file); } catch { /* a third run holds the lock now: its owner check at commit time sees that */ }
    }
  } finally {
    fs.rmSync(aside, { force: true });
  }
}

function jitter(ms: number): number {
  return Math.max(1, Math.round(ms * (0.5 + Math.random())));
}
