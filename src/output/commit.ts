// Replacing the outputs as one unit. Every output is first written to a temp file beside its final
// name and fsynced ("staged"); the verification reads those staged bytes; only then, holding the
// folder's lock, a journal listing (temp → final) is written atomically and the temps are renamed
// over the finals. A run killed between two renames leaves the journal behind, and the next run
// holding the lock finishes the renames (rolls forward) before anything else, so after recovery
// every output comes from the same run. Temps are removed on SIGINT/SIGTERM/SIGHUP, and temps of
// killed runs by the next run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OutputError } from '../errors.js';
import { FolderLock, type LockOptions } from './lock.js';
import { newNonce, parseTempName, removeDeadTemps, syncFolder, tempPathFor } from './temp.js';

export const JOURNAL_NAME = '.uboot-gen.journal';

export interface OutputFile {
  /** Final path (its folder must exist). */
  path: string;
  data: string | Uint8Array;
  /** File mode of a new file (default 0o644). */
  mode?: number;
}

interface Entry { temp: string; final: string }

/** What a recovery found and did. */
export interface Recovery {
  /** A killed run's journal was found (and finished, then removed). */
  journal: boolean;
  /** Finals a killed run's journal still had to rename, now renamed. */
  rolledForward: string[];
  /** Litter of killed runs removed (temp names). */
  removedTemps: string[];
}

type State = 'staged' | 'committed' | 'discarded';

export class StagedOutputs {
  /** Folder holding the lock and the journal (the first output's folder). */
  readonly folder: string;
  readonly #entries: Entry[];
  #state: State = 'staged';
  #lock: FolderLock | undefined;
  /** What the last commit's recovery did (killed runs' journals, litter). */
  recovery: Recovery = { journal: false, rolledForward: [], removedTemps: [] };

  private constructor(folder: string, entries: Entry[]) {
    this.folder = folder;
    this.#entries = entries;
  }

  /**
   * Write every file to a temp beside its final name, fsynced. Nothing under a final name
   * changes. The temps are removed if this throws, and on SIGINT/SIGTERM/SIGHUP until commit
   * or discard.
   */
  static stage(files: readonly OutputFile[], folder = path.dirname(files[0]?.path ?? '.')): StagedOutputs {
    const finals = files.map((f) => path.resolve(f.path));
    if (new Set(finals).size !== finals.length) throw new OutputError('OUTPUT_SAME_FILE', `Two outputs name the same file: ${finals.join(', ')}.`, { paths: finals });
    const entries: Entry[] = [];
    const staged = new StagedOutputs(path.resolve(folder), entries);
    liveStages.add(staged);
    armSignals();
    try {
      for (const f of files) {
        const final = path.resolve(f.path);
        const temp = tempPathFor(final, newNonce());
        entries.push({ temp, final });
        writeDurably(temp, f.data, f.mode ?? 0o644);
      }
    } catch (e) {
      staged.discard();
      throw writeError(e, entries[entries.length - 1]?.final ?? folder);
    }
    return staged;
  }

  get state(): State { return this.#state; }

  /** Final path → staged temp: what a reader (the simulator) should see under each final name. */
  get staged(): ReadonlyMap<string, string> {
    return new Map(this.#entries.map((e) => [e.final, e.temp]));
  }

  get finals(): string[] { return this.#entries.map((e) => e.final); }

  /** Take the folder's lock (waiting while the event loop runs), then replace every output. */
  async commit(opts: LockOptions = {}): Promise<string[]> {
    this.#assertStaged();
    for (;;) {
      const lock = new FolderLock(this.folder);
      this.#lock = lock;
      try {
        await lock.acquire(opts);
      } catch (e) {
        this.discard();
        throw e;
      }
      if (this.#state !== 'staged') { lock.release(); this.#assertStaged(); }
      if (this.#commitHolding(lock)) return this.finals;
    }
  }

  /** The same, for synchronous callers. */
  commitSync(opts: LockOptions = {}): string[] {
    this.#assertStaged();
    for (;;) {
      const lock = new FolderLock(this.folder);
      this.#lock = lock;
      try {
        lock.acquireSync(opts);
      } catch (e) {
        this.discard();
        throw e;
      }
      if (this.#commitHolding(lock)) return this.finals;
    }
  }

  /** Remove the temps; the finals are untouched. Idempotent. */
  discard(): void {
    if (this.#state === 'staged') {
      for (const e of this.#entries) fs.rmSync(e.temp, { force: true });
      this.#state = 'discarded';
    }
    this.#lock?.release();
    this.#lock = undefined;
    settle(this);
  }

  #assertStaged(): void {
    if (this.#state !== 'staged') throw new OutputError('OUTPUT_WRITE', `These outputs were already ${this.#state}: ${this.finals.join(', ')}.`);
  }

  /**
   * Everything from here on is synchronous: a signal arriving now is handled after the renames
   * are done (Node runs signal handlers from the event loop), so a commit is never half done
   * unless the process is killed outright, which is what the journal is for.
   * Returns false when the lock turned out to be lost (to a stale-lock breaker): wait again.
   */
  #commitHolding(lock: FolderLock): boolean {
    try {
      if (!lock.stillHeld()) return false;
      this.recovery = recoverHolding(this.folder, this.#entries.map((e) => path.dirname(e.final)));
      const journal = path.join(this.folder, JOURNAL_NAME);
      writeJournal(journal, this.#entries);
      const failed = renameAll(this.#entries);
      if (failed) throw writeError(failed.error, failed.final);
      fs.rmSync(journal, { force: true });
      syncFolder(this.folder);
      this.#state = 'committed';
      return true;
    } catch (e) {
      // A journal left behind is finished by the next run (its temps are its business); without
      // one, the temps go now.
      if (fs.existsSync(path.join(this.folder, JOURNAL_NAME))) this.#state = 'discarded';
      else this.discard();
      throw e instanceof OutputError ? e : writeError(e, this.folder);
    } finally {
      lock.release();
      if (this.#state !== 'staged') settle(this);
    }
  }
}

/** Finish what a killed run left in `folder`: take the lock, roll its journal forward, remove its temps. */
export async function recoverOutputs(folder: string, opts: LockOptions = {}): Promise<Recovery> {
  const lock = new FolderLock(path.resolve(folder));
  await lock.acquire(opts);
  try {
    return recoverHolding(path.resolve(folder), []);
  } finally {
    lock.release();
  }
}

/**
 * The same without waiting: when a live run holds the lock, it (or our own commit later) does the
 * recovery, so a run about to stage need not queue behind it.
 */
export function recoverOutputsIfFree(folder: string): Recovery {
  const lock = new FolderLock(path.resolve(folder));
  if (!lock.tryAcquire()) return { journal: false, rolledForward: [], removedTemps: [] };
  try {
    return recoverHolding(path.resolve(folder), []);
  } finally {
    lock.release();
  }
}

/** With the lock held: roll a journal forward, then remove dead temps in the folder and `alsoIn`. */
function recoverHolding(folder: string, alsoIn: readonly string[]): Recovery {
  const rolledForward: string[] = [];
  const journal = path.join(folder, JOURNAL_NAME);
  const entries = readJournal(journal);
  if (entries) {
    for (const e of entries) {
      try {
        fs.renameSync(e.temp, e.final);
        rolledForward.push(e.final);
      } catch (err) {
        // ENOENT: renamed before the kill. Anything else cannot be finished: the temp goes.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') fs.rmSync(e.temp, { force: true });
      }
    }
    for (const d of new Set(entries.map((e) => path.dirname(e.final)))) syncFolder(d);
    fs.rmSync(journal, { force: true });
    syncFolder(folder);
  }
  const removedTemps = [...new Set([folder, ...alsoIn])].flatMap((d) => removeDeadTemps(d));
  return { journal: entries !== undefined, rolledForward, removedTemps };
}

/** The journal appears complete or not at all: written to a temp, fsynced, renamed. */
function writeJournal(journal: string, entries: readonly Entry[]): void {
  const temp = tempPathFor(journal, newNonce());
  writeDurably(temp, `${JSON.stringify({ version: 1, entries })}\n`, 0o644);
  fs.renameSync(temp, journal);
  syncFolder(path.dirname(journal));
}

/**
 * A journal's entries, each checked to be one of ours: the temp is a sibling of its final and
 * named after it. Anything else (a damaged or foreign file) is not acted on.
 */
function readJournal(journal: string): Entry[] | undefined {
  let text: string;
  try {
    text = fs.readFileSync(journal, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const doc = JSON.parse(text) as { version?: unknown; entries?: unknown };
    if (doc.version !== 1 || !Array.isArray(doc.entries)) return [];
    return (doc.entries as unknown[]).filter((e): e is Entry => {
      if (typeof e !== 'object' || e === null) return false;
      const { temp, final } = e as Record<string, unknown>;
      if (typeof temp !== 'string' || typeof final !== 'string' || !path.isAbsolute(temp) || !path.isAbsolute(final)) return false;
      const t = parseTempName(path.basename(temp));
      return t !== undefined && t.finalName === path.basename(final) && path.dirname(temp) === path.dirname(final);
    });
  } catch {
    return [];
  }
}

function renameAll(entries: readonly Entry[]): { final: string; error: unknown } | undefined {
  let failed: { final: string; error: unknown } | undefined;
  for (const e of entries) {
    try {
      fs.renameSync(e.temp, e.final);
    } catch (error) {
      failed ??= { final: e.final, error };
    }
  }
  for (const d of new Set(entries.map((e) => path.dirname(e.final)))) syncFolder(d);
  return failed;
}

function writeDurably(file: string, data: string | Uint8Array, mode: number): void {
  const fd = fs.openSync(file, 'wx', mode);
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function writeError(e: unknown, file: string): OutputError {
  if (e instanceof OutputError) return e;
  const err = e as NodeJS.ErrnoException;
  return new OutputError('OUTPUT_WRITE', `Cannot write ${file}: ${err.message}.`, { path: file, errno: err.code }, { file },
    err.code === 'ENOSPC' ? 'free some space on that filesystem' : err.code === 'EACCES' || err.code === 'EPERM' || err.code === 'EROFS'
      ? 'make the folder writable, or choose another output folder with -d' : undefined);
}

// --- signals: staged temps never outlive an interrupted run ---

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const liveStages = new Set<StagedOutputs>();
let armed = false;

function onSignal(signal: NodeJS.Signals): void {
  for (const s of [...liveStages]) s.discard();
  disarm();
  // Die of the same signal, as the default action would have (exit status 128 + n).
  process.kill(process.pid, signal);
}

function armSignals(): void {
  if (armed) return;
  armed = true;
  for (const s of SIGNALS) process.on(s, onSignal);
}

function disarm(): void {
  if (!armed) return;
  armed = false;
  for (const s of SIGNALS) process.removeListener(s, onSignal);
}

function settle(s: StagedOutputs): void {
  liveStages.delete(s);
  // A signal that arrived during the synchronous commit is still queued in the event loop: keep
  // the handlers until it has been dispatched (the poll phase runs before setImmediate callbacks).
  if (liveStages.size === 0) setImmediate(() => { if (liveStages.size === 0) disarm(); });
}
