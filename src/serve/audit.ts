// What the board fetched against what the plan expects. Stale scripts and changed or missing
// files are the failures that surface on the board as a hang after "Starting kernel ...", and
// the TFTP server is the one place that sees every fetch: so it says what went wrong there.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TransferRecord } from './server.js';

/** One file the script will fetch, as planned. */
export interface ExpectedFile {
  /** The name as the script asks for it (relative to the TFTP root). */
  name: string;
  /** The config keys behind it, for messages. */
  keys: string[];
  absPath: string;
  /** Bytes the plan sized this file at. */
  size: number;
  /** For generated files (boot.scr, xen.ub): the exact bytes the config produces now. */
  sha256?: string;
  /** What the file's stat was when the plan was made; a later change means a stale plan. */
  stat?: { size: number; mtimeMs: number; ino: number };
}

export interface Expectation {
  /** The script the board sources first. */
  script: ExpectedFile;
  files: ExpectedFile[];
  /** The config the expectation came from, for the fix in messages. */
  configFile: string;
}

export type FindingKind = 'stale-script' | 'changed' | 'missing' | 'unplanned' | 'failed' | 'not-fetched';

export interface Finding {
  kind: FindingKind;
  file: string;
  message: string;
}

export function sha256File(file: string): string {
  const hash = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const chunk = Buffer.allocUnsafe(1 << 20);
    for (let n; (n = fs.readSync(fd, chunk, 0, chunk.length, null)) > 0;) hash.update(chunk.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

export function statOf(file: string): ExpectedFile['stat'] {
  try {
    const st = fs.statSync(file);
    return { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
  } catch {
    return undefined;
  }
}

/** A TFTP request name in the form the script writes file names: no leading slash, no `./`. */
function normalise(name: string): string {
  return name.split('/').filter((s) => s !== '' && s !== '.').join('/');
}

export class FetchAudit {
  readonly #byName = new Map<string, ExpectedFile>();
  readonly #fetched = new Set<string>();
  readonly #findings: Finding[] = [];

  constructor(readonly expectation: Expectation, readonly root: string) {
    for (const f of [expectation.script, ...expectation.files]) this.#byName.set(normalise(f.name), f);
  }

  get findings(): readonly Finding[] { return this.#findings; }

  /** True once every planned file has been sent whole. */
  get complete(): boolean {
    return [...this.#byName.keys()].every((n) => this.#fetched.has(n));
  }

  /** Judge one transfer; returns the findings it raised (also kept for the summary). */
  record(t: TransferRecord): Finding[] {
    const name = normalise(t.requested);
    const expected = this.#byName.get(name);
    const found: Finding[] = [];
    const regen = `regenerate with \`uboot-gen ${this.expectation.configFile}\``;
    if (!expected) {
      found.push({ kind: 'unplanned', file: name, message: `${name} was fetched but the plan for ${this.expectation.configFile} never loads it (an old boot.scr, or a hand-typed command?)` });
    } else if (t.status === 'not-found') {
      found.push({ kind: 'missing', file: name, message: `the script loads ${name} (${expected.keys.join(', ')}) but it is missing from ${this.root}` });
    } else if (t.status !== 'ok') {
      found.push({ kind: 'failed', file: name, message: `${name} was not sent whole: ${t.message}` });
    } else {
      this.#fetched.add(name);
      const now = statOf(expected.absPath);
      if (expected.sha256 !== undefined) {
        if (sha256File(expected.absPath) !== expected.sha256) {
          found.push(expected === this.expectation.script
            ? { kind: 'stale-script', file: name, message: `${name} is stale: it is not what ${this.expectation.configFile} generates now, so its addresses and sizes may not match the files served; ${regen}` }
            : { kind: 'changed', file: name, message: `${name} (${expected.keys.join(', ')}) is not what ${this.expectation.configFile} generates now; ${regen}` });
        }
      } else if (t.bytes !== expected.size || (expected.stat && now && (now.size !== expected.stat.size || now.mtimeMs !== expected.stat.mtimeMs || now.ino !== expected.stat.ino))) {
        found.push({ kind: 'changed', file: name, message: `${name} (${expected.keys.join(', ')}) changed since the plan (${t.bytes} bytes sent, ${expected.size} planned): the script's addresses may no longer fit; ${regen}` });
      }
    }
    this.#findings.push(...found);
    return found;
  }

  /** Planned files the board never fetched (called when serving ends). */
  notFetched(): Finding[] {
    return [...this.#byName.entries()]
      .filter(([n]) => !this.#fetched.has(n))
      .map(([n, f]) => ({ kind: 'not-fetched' as const, file: n, message: `${n} (${f.keys.join(', ') || 'the boot script'}) was never fetched` }));
  }
}

/** Paths in messages relative to the served folder. */
export function relativeToRoot(root: string, abs: string): string {
  const rel = path.relative(root, abs);
  return rel.startsWith('..') ? abs : rel.split(path.sep).join('/');
}
