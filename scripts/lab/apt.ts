// Debian packages for the lab, fetched without touching the host's APT state: each suite
// gets a private APT tree under the lab folder (own sources.list, lists, cache and an
// empty dpkg status), so `apt-get download`/`apt-get source` read only that suite and
// nothing is ever installed from it. Downloads retry with backoff, then fail loudly
// naming the package.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LabError } from '../../src/errors.js';
import { writeFileAtomic } from '../../src/util/file.js';

export interface LabFile { path: string; size: number; sha256: string }

export const DEBIAN_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';
export const DEBIAN_MIRROR = 'http://deb.debian.org/debian';
export const DEBIAN_SECURITY_MIRROR = 'http://deb.debian.org/debian-security';

export interface RunResult { ok: boolean; stdout: string; stderr: string; status: number | null }

export function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): RunResult {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: opts.cwd, env: opts.env ?? process.env, maxBuffer: 256 * 1024 * 1024 });
  if (r.error) return { ok: false, stdout: '', stderr: r.error.message, status: null };
  return { ok: r.status === 0, stdout: r.stdout, stderr: r.stderr, status: r.status };
}

export function hasCommand(cmd: string): boolean {
  const dirs = (process.env['PATH'] ?? '').split(path.delimiter).filter(Boolean);
  return dirs.some((d) => { try { fs.accessSync(path.join(d, cmd), fs.constants.X_OK); return true; } catch { return false; } });
}

export function sha256File(p: string): string {
  const h = createHash('sha256');
  const fd = fs.openSync(p, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}

export function labFile(p: string): LabFile {
  return { path: p, size: fs.statSync(p).size, sha256: sha256File(p) };
}

const sleepSync = (ms: number): void => { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms); };

/** Run `fn` up to `tries` times with doubling backoff; then throw LAB_SETUP naming `what` and `pkg`. */
export function withRetries<T>(what: string, pkg: string, tries: number, backoffMs: number, log: (l: string) => void, fn: () => { ok: true; value: T } | { ok: false; why: string }): T {
  let why = '';
  for (let i = 1; i <= tries; i++) {
    const r = fn();
    if (r.ok) return r.value;
    why = r.why;
    log(`lab: ${what} failed (try ${i}/${tries}): ${why.trim().split('\n').slice(-2).join(' | ')}`);
    if (i < tries) sleepSync(backoffMs * 2 ** (i - 1));
  }
  throw new LabError('LAB_SETUP', `Could not ${what} for package ${pkg} after ${tries} tries: ${why.trim().split('\n').slice(-3).join(' | ')}`,
    { package: pkg, tries }, undefined, 'Check network access to deb.debian.org, then run the lab again (downloads are cached).');
}

export interface PrivateAptOptions {
  /** Folder of this APT tree, e.g. `<lab>/apt-trixie`. */
  root: string;
  /** sources.list lines (deb/deb-src with [signed-by=...]). */
  sources: string[];
  /** Binary architecture the lists are read for (default arm64). */
  arch?: string;
}

/** One private APT configuration: its own lists, cache, status and sources, one architecture (arm64 unless told). */
export class PrivateApt {
  readonly root: string;
  private readonly arch: string;
  constructor(o: PrivateAptOptions) {
    this.root = o.root;
    this.arch = o.arch ?? 'arm64';
    if (!fs.existsSync(DEBIAN_KEYRING)) {
      throw new LabError('LAB_SETUP', `The Debian archive keyring ${DEBIAN_KEYRING} is missing, so the arm64 packages cannot be verified.`,
        { keyring: DEBIAN_KEYRING }, undefined, 'apt-get install -y debian-archive-keyring');
    }
    for (const d of ['lists/partial', 'cache/archives/partial', 'sources.d']) fs.mkdirSync(path.join(this.root, d), { recursive: true });
    const text = `${o.sources.join('\n')}\n`;
    const list = path.join(this.root, 'sources.list');
    if (!fs.existsSync(list) || fs.readFileSync(list, 'utf8') !== text) {
      writeFileAtomic(list, text);
      // Lists read for other sources are stale now.
      for (const f of fs.readdirSync(path.join(this.root, 'lists'))) if (f !== 'partial') fs.rmSync(path.join(this.root, 'lists', f), { force: true });
    }
    if (!fs.existsSync(path.join(this.root, 'status'))) writeFileAtomic(path.join(this.root, 'status'), '');
  }

  options(): string[] {
    const r = this.root;
    return [
      `-oAPT::Architecture=${this.arch}`, `-oAPT::Architectures=${this.arch}`,
      `-oDir::State::Lists=${r}/lists`, `-oDir::Cache=${r}/cache`, `-oDir::State::status=${r}/status`,
      `-oDir::Etc::SourceList=${r}/sources.list`, `-oDir::Etc::SourceParts=${r}/sources.d`,
      // No host preferences (pins) apply to this tree.
      `-oDir::Etc::Preferences=${r}/preferences`, `-oDir::Etc::PreferencesParts=${r}/sources.d`,
      '-oAcquire::Languages=none', '-oAPT::Sandbox::User=root', '-oDebug::NoLocking=1', '-oAcquire::Retries=3',
    ];
  }

  /** `apt-get update` once (when no lists are cached yet), retried. */
  update(tries: number, backoffMs: number, log: (l: string) => void, what: string): void {
    const listsFresh = fs.readdirSync(path.join(this.root, 'lists')).some((f) => /_(Packages|Sources)(\.[a-z0-9]+)?$/.test(f));
    if (listsFresh) return;
    log(`lab: apt-get update (${path.basename(this.root)})`);
    withRetries(`download the package lists (apt-get update, ${path.basename(this.root)})`, what, tries, backoffMs, log, () => {
      const r = run('apt-get', [...this.options(), '-q', 'update']);
      // apt-get update exits 0 even when a source failed; a "W:/E:" line about fetching means failure.
      const failed = !r.ok || /^(E:|W: Failed to fetch)/m.test(r.stderr);
      return failed ? { ok: false, why: r.stderr || r.stdout } : { ok: true, value: undefined };
    });
  }

  /** Forces the next update() to fetch the lists again (after a 404: the mirror moved on). */
  forgetLists(): void {
    for (const f of fs.readdirSync(path.join(this.root, 'lists'))) if (f !== 'partial') fs.rmSync(path.join(this.root, 'lists', f), { force: true });
  }

  /** `apt-get download PKG` into `debsDir` (cached: an existing PKG_*_ARCH.deb is reused); returns the .deb path. */
  download(pkg: string, debsDir: string, tries: number, backoffMs: number, log: (l: string) => void): string {
    fs.mkdirSync(debsDir, { recursive: true });
    const find = (): string | undefined => fs.readdirSync(debsDir).find((x) => x.startsWith(`${pkg}_`) && (x.endsWith(`_${this.arch}.deb`) || x.endsWith('_all.deb')));
    const existing = find();
    if (existing) return path.join(debsDir, existing);
    log(`lab: downloading ${pkg} (${path.basename(this.root)})`);
    const file = withRetries('download', pkg, tries, backoffMs, log, () => {
      const r = run('apt-get', [...this.options(), '-q', 'download', pkg], { cwd: debsDir });
      const f = find();
      if (r.ok && f) return { ok: true, value: f };
      // A 404 means the cached package lists name a version the mirror no longer has: refresh them.
      if (/\b404\b|Unable to locate package/.test(r.stderr)) { this.forgetLists(); this.update(1, 0, log, pkg); }
      return { ok: false, why: r.stderr || r.stdout };
    });
    return path.join(debsDir, file);
  }

  /** Source versions of `pkg` the deb-src entries offer, newest first. */
  sourceVersions(pkg: string): string[] {
    const r = run('apt-cache', [...this.options(), 'showsrc', pkg]);
    const versions = [...r.stdout.matchAll(/^Version: (\S+)$/gm)].map((m) => m[1]!);
    const unique = [...new Set(versions)];
    // dpkg's own ordering (epochs, ~, +): ask dpkg rather than reimplementing it.
    return unique.sort((a, b) => (run('dpkg', ['--compare-versions', a, 'gt', b]).ok ? -1 : 1));
  }
}

export function debFields(deb: string): { pkg: string; version: string } {
  const r = run('dpkg-deb', ['-f', deb, 'Package', 'Version']);
  if (!r.ok) throw new LabError('LAB_SETUP', `dpkg-deb cannot read ${deb}: ${r.stderr.trim()}`, { deb });
  return { pkg: /^Package: (.+)$/m.exec(r.stdout)?.[1] ?? '', version: /^Version: (.+)$/m.exec(r.stdout)?.[1] ?? '' };
}

/** Unpacks `debs` into `rootDir` with dpkg -x, once per set of .deb names (a stamp file remembers it). */
export function unpackDebs(debs: ReadonlyMap<string, string>, rootDir: string, log: (l: string) => void): void {
  const stamp = path.join(rootDir, '.unpacked');
  const wanted = [...debs.values()].map((d) => path.basename(d)).sort().join('\n');
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === wanted) return;
  fs.rmSync(rootDir, { recursive: true, force: true });
  fs.mkdirSync(rootDir, { recursive: true });
  for (const [pkg, deb] of debs) {
    log(`lab: unpacking ${path.basename(deb)}`);
    const r = run('dpkg', ['-x', deb, rootDir]);
    if (!r.ok) throw new LabError('LAB_SETUP', `dpkg -x failed for package ${pkg}: ${r.stderr.trim()}`, { package: pkg, deb });
  }
  writeFileAtomic(stamp, wanted);
}

export function hostPackageVersion(pkg: string): string {
  const r = run('dpkg-query', ['-W', '-f', '${Version}', pkg]);
  return r.ok ? r.stdout.trim() : 'unknown';
}

/** `apt-get install -y` host packages (retried; needs root, as in CI containers). */
export function installHostPackages(pkgs: readonly string[], log: (l: string) => void, tries = 3, backoffMs = 2000): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new LabError('LAB_SETUP', `Installing the lab host packages (${pkgs.join(' ')}) needs root.`, {}, undefined, `sudo apt-get install -y ${pkgs.join(' ')}`);
  }
  log(`lab: apt-get install -y ${pkgs.join(' ')}`);
  withRetries('install host packages (apt-get install)', pkgs.join(' '), tries, backoffMs, log, () => {
    const r = spawnSync('apt-get', ['install', '-y', '-q', ...pkgs], {
      encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, maxBuffer: 64 * 1024 * 1024,
    });
    if (r.status === 0) return { ok: true, value: undefined };
    // A fresh container has no package lists yet.
    spawnSync('apt-get', ['update', '-q'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    return { ok: false, why: r.error?.message ?? r.stderr };
  });
}

/** Installs the packages whose commands are missing (when allowed), else throws naming them. */
export function ensureHostCommands(need: ReadonlyArray<readonly [cmd: string, pkg: string]>, install: boolean, log: (l: string) => void): void {
  const missing = need.filter(([cmd]) => !hasCommand(cmd));
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing.map(([, p]) => p))];
  if (!install) {
    throw new LabError('LAB_SETUP', `The lab needs host commands that are missing: ${missing.map(([c]) => c).join(', ')}.`, { packages: pkgs },
      undefined, `apt-get install -y ${pkgs.join(' ')}`);
  }
  installHostPackages(pkgs, log);
  const still = need.filter(([cmd]) => !hasCommand(cmd));
  if (still.length > 0) throw new LabError('LAB_SETUP', `apt-get installed ${pkgs.join(' ')} but ${still.map(([c]) => c).join(', ')} is still missing.`, { packages: pkgs });
}
