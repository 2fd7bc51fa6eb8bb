// Xen builds for the lab, cross-built from Debian's own Xen source package with a Kconfig
// fragment, so the differential also covers the builds users make themselves:
//   full   the features Debian's release build leaves out (static memory and static shared
//          memory, boot-time cpupools, the null scheduler) switched on;
//   debug  Debian's configuration with CONFIG_DEBUG: assertions and debug printks on, and the
//          schedulers whose Kconfig default is DEBUG (null, RTDS, ARINC653) built in.
// Only our command lines live here; the sources come from `apt-get source` at run time.
//
// Cached under <lab>/xen-build/<source version>-<fragment hash>/: a second run with the
// same source version and fragment reuses the binary (a build takes about a minute).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LabError } from '../../src/errors.js';
import { writeFileAtomic } from '../../src/util/file.js';
import { DEBIAN_KEYRING, DEBIAN_MIRROR, DEBIAN_SECURITY_MIRROR, ensureHostCommands, labFile, PrivateApt, run, withRetries, type LabFile } from './apt.js';

/** Kconfig options the full-featured build must end up with (checked in the resulting .config). */
export const FULL_FEATURED_OPTIONS: Readonly<Record<string, string>> = {
  // STATIC_MEMORY, STATIC_SHM and SCHED_NULL are only offered when UNSUPPORTED is set;
  // UNSUPPORTED itself is a prompt only under EXPERT in some releases.
  CONFIG_EXPERT: 'y',
  CONFIG_UNSUPPORTED: 'y',
  CONFIG_STATIC_MEMORY: 'y',
  CONFIG_STATIC_SHM: 'y',
  CONFIG_BOOT_TIME_CPUPOOLS: 'y',
  CONFIG_SCHED_NULL: 'y',
};

/**
 * The debug build: only CONFIG_DEBUG is set, everything else keeps its Kconfig default, as a user
 * who turns on "Developer Checks" to see why a board hangs would build it. The options that
 * follow from it are checked in the resulting .config.
 */
export const DEBUG_OPTIONS: Readonly<Record<string, string>> = { CONFIG_DEBUG: 'y' };
/** What DEBUG brings in through Kconfig defaults (xen/common/sched/Kconfig: `default DEBUG`, `default PV_SHIM || DEBUG`). */
export const DEBUG_IMPLIED: Readonly<Record<string, string>> = { CONFIG_SCHED_NULL: 'y', CONFIG_SCHED_RTDS: 'y', CONFIG_SCHED_ARINC653: 'y', CONFIG_STATIC_MEMORY: 'n' };

/** Suites whose deb-src entries may carry Xen, newest first: the newest source that downloads is built. */
export const XEN_SOURCE_SUITES = [
  ['trixie', DEBIAN_MIRROR], ['trixie-security', DEBIAN_SECURITY_MIRROR], ['trixie-updates', DEBIAN_MIRROR],
  ['bookworm', DEBIAN_MIRROR], ['bookworm-security', DEBIAN_SECURITY_MIRROR],
] as const;

/** Host commands the build runs, and the Debian package of each. */
export const XEN_BUILD_HOST_TOOLS: ReadonlyArray<readonly [cmd: string, pkg: string]> = [
  ['aarch64-linux-gnu-gcc', 'gcc-aarch64-linux-gnu'], ['make', 'make'], ['flex', 'flex'], ['bison', 'bison'],
  ['python3', 'python3'], ['dpkg-source', 'dpkg-dev'], ['xz', 'xz-utils'],
];

export const CROSS_COMPILE = 'aarch64-linux-gnu-';

export interface XenBuild {
  /** The arm64 Image Xen's build writes (xen/xen). */
  xen: LabFile;
  /** Debian source version built, e.g. 4.20.4+63-g7abfd2bce2-0+deb13u1. */
  sourceVersion: string;
  /** Xen's own version, MAJOR.MINOR.PATCH, from the source tree's Makefile. */
  xenVersion: string;
  /** Kconfig options of interest as they ended up in the build's .config. */
  config: Record<string, string>;
  /** Seconds the build took (0 when it came from the cache). */
  buildSeconds: number;
  cacheDir: string;
}

export interface XenBuildOptions {
  labDir: string;
  log?: (l: string) => void;
  tries?: number;
  backoffMs?: number;
  /** apt-get install missing build tools (default: when env CI is set). */
  installHostPackages?: boolean;
  /** The Kconfig fragment (FULL_FEATURED_OPTIONS or DEBUG_OPTIONS); every option must end up so in the .config. */
  options: Readonly<Record<string, string>>;
  /** Further options that must follow from the fragment (checked, not written). */
  implied?: Readonly<Record<string, string>>;
  /** Names the build in the log: "full-featured", "debug". */
  label: string;
  jobs?: number;
}

function fragmentText(options: Record<string, string>): string {
  return `${Object.entries(options).map(([k, v]) => `${k}=${v}`).join('\n')}\n`;
}

function readXenVersion(tree: string): string {
  const mk = fs.readFileSync(path.join(tree, 'xen', 'Makefile'), 'utf8');
  const field = (n: string): string => new RegExp(`^export XEN_${n}\\s*[?:]?=\\s*(\\S+)`, 'm').exec(mk)?.[1] ?? '?';
  return `${field('VERSION')}.${field('SUBVERSION')}${field('EXTRAVERSION').replace(/^(\.\d+).*$/, '$1')}`;
}

function configValues(file: string, keys: readonly string[]): Record<string, string> {
  const text = fs.readFileSync(file, 'utf8');
  return Object.fromEntries(keys.map((k) => [k, new RegExp(`^${k}=(.*)$`, 'm').exec(text)?.[1] ?? 'n']));
}

/** Builds (or reuses) Xen from Debian's newest source package with the fragment `o.options`. */
export function buildDebianSourceXen(o: XenBuildOptions): XenBuild {
  const log = o.log ?? (() => {});
  const tries = o.tries ?? 3;
  const backoffMs = o.backoffMs ?? 2000;
  const options = o.options;
  const fragment = fragmentText(options);
  const fragHash = createHash('sha256').update(fragment).digest('hex').slice(0, 12);
  ensureHostCommands(XEN_BUILD_HOST_TOOLS, o.installHostPackages ?? process.env['CI'] !== undefined, log);

  const apt = new PrivateApt({ root: path.join(o.labDir, 'apt-src'),
    sources: XEN_SOURCE_SUITES.map(([suite, mirror]) => `deb-src [signed-by=${DEBIAN_KEYRING}] ${mirror} ${suite} main`) });
  apt.update(tries, backoffMs, log, 'xen (source)');
  const versions = apt.sourceVersions('xen');
  if (versions.length === 0) throw new LabError('LAB_SETUP', 'No deb-src entry offers the xen source package.', { suites: XEN_SOURCE_SUITES.map(([s]) => s) });

  // Reuse a cached build of any offered version with this fragment (newest first).
  for (const v of versions) {
    const cached = path.join(o.labDir, 'xen-build', `${v}-${fragHash}`);
    const meta = path.join(cached, 'build.json');
    if (fs.existsSync(meta) && fs.existsSync(path.join(cached, 'xen'))) {
      const m = JSON.parse(fs.readFileSync(meta, 'utf8')) as Omit<XenBuild, 'xen' | 'buildSeconds' | 'cacheDir'>;
      log(`lab: ${o.label} Xen ${m.xenVersion} (source ${v}) from the cache`);
      return { ...m, xen: labFile(path.join(cached, 'xen')), buildSeconds: 0, cacheDir: cached };
    }
  }

  // Download the newest source that the mirror still serves; an older one only if it does not.
  const srcRoot = path.join(o.labDir, 'xen-src');
  let version: string | undefined;
  let dsc: string | undefined;
  let lastWhy = '';
  for (const v of versions) {
    const dir = path.join(srcRoot, v);
    fs.mkdirSync(dir, { recursive: true });
    const found = (): string | undefined => fs.readdirSync(dir).find((f) => f.endsWith('.dsc'));
    try {
      withRetries(`download the xen ${v} source (apt-get source)`, 'xen', tries, backoffMs, log, () => {
        if (found() && fs.readdirSync(dir).some((f) => f.endsWith('.orig.tar.xz') || f.endsWith('.orig.tar.gz'))) return { ok: true, value: undefined };
        const r = run('apt-get', [...apt.options(), '-q', 'source', '--download-only', `xen=${v}`], { cwd: dir });
        // A 404 is not transient: do not spend the retries on it.
        if (!r.ok && /\b404\b/.test(r.stderr)) throw new LabError('LAB_SETUP', `the mirror no longer serves the xen ${v} source: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`, {});
        return r.ok ? { ok: true, value: undefined } : { ok: false, why: r.stderr || r.stdout };
      });
      version = v;
      dsc = path.join(dir, found()!);
      break;
    } catch (e) {
      lastWhy = (e as Error).message;
      log(`lab: xen source ${v}: ${lastWhy}; trying an older version`);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  if (!version || !dsc) throw new LabError('LAB_SETUP', `No xen source package could be downloaded (offered: ${versions.join(', ')}): ${lastWhy}`, { versions });

  const cacheDir = path.join(o.labDir, 'xen-build', `${version}-${fragHash}`);
  const work = fs.mkdtempSync(path.join(o.labDir, 'xen-build-work-'));
  try {
    const tree = path.join(work, 'xen');
    log(`lab: unpacking the xen ${version} source (dpkg-source -x, with Debian's patches)`);
    const x = run('dpkg-source', ['--no-check', '-x', dsc, tree]);
    if (!x.ok) throw new LabError('LAB_SETUP', `dpkg-source -x ${path.basename(dsc)} failed: ${x.stderr.trim().split('\n').slice(-3).join(' | ')}`, { dsc });
    const fragFile = path.join(work, `${o.label}.config`);
    writeFileAtomic(fragFile, fragment);
    const makeArgs = ['-C', 'xen', 'XEN_TARGET_ARCH=arm64', `CROSS_COMPILE=${CROSS_COMPILE}`];
    // Debian's build environment variables (e.g. from dpkg-buildflags) must not leak in.
    const env = { ...process.env, LANG: 'C', LC_ALL: 'C' };
    const t0 = Date.now();
    log(`lab: make ${makeArgs.join(' ')} KCONFIG_ALLCONFIG=${o.label}.config alldefconfig`);
    const cfg = run('make', [...makeArgs, `KCONFIG_ALLCONFIG=${fragFile}`, 'alldefconfig'], { cwd: tree, env });
    if (!cfg.ok) throw new LabError('LAB_SETUP', `Xen's alldefconfig failed: ${cfg.stderr.trim().split('\n').slice(-5).join(' | ')}`, {});
    const wanted = { ...options, ...(o.implied ?? {}) };
    const got = configValues(path.join(tree, 'xen', '.config'), Object.keys(wanted));
    const wrong = Object.entries(wanted).filter(([k, v]) => got[k] !== v);
    if (wrong.length > 0) {
      throw new LabError('LAB_SETUP', `The Xen ${version} Kconfig did not take ${wrong.map(([k, v]) => `${k}=${v} (got ${got[k]})`).join(', ')}.`, { got });
    }
    const jobs = o.jobs ?? Math.max(1, Math.min(4, os.availableParallelism()));
    log(`lab: make ${makeArgs.join(' ')} -j${jobs} (about a minute)`);
    const b = run('make', [...makeArgs, `-j${jobs}`], { cwd: tree, env });
    if (!b.ok) throw new LabError('LAB_SETUP', `Building Xen ${version} failed: ${(b.stderr || b.stdout).trim().split('\n').slice(-8).join(' | ')}`, {});
    const buildSeconds = Math.round((Date.now() - t0) / 1000);
    fs.mkdirSync(cacheDir, { recursive: true });
    fs.copyFileSync(path.join(tree, 'xen', 'xen'), path.join(cacheDir, 'xen'));
    fs.copyFileSync(path.join(tree, 'xen', '.config'), path.join(cacheDir, 'config'));
    const meta = { sourceVersion: version, xenVersion: readXenVersion(tree), config: configValues(path.join(tree, 'xen', '.config'),
      [...new Set([...Object.keys(wanted), 'CONFIG_DEBUG', 'CONFIG_SCHED_DEFAULT'])]) };
    writeFileAtomic(path.join(cacheDir, 'build.json'), `${JSON.stringify(meta, null, 2)}\n`);
    log(`lab: built the ${o.label} Xen ${meta.xenVersion} in ${buildSeconds} s`);
    return { ...meta, xen: labFile(path.join(cacheDir, 'xen')), buildSeconds, cacheDir };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Upstream releases Debian does not package (4.21, 4.22): built from a release tag of Xen's own
// git repository with the release defaults (`make defconfig`), booted by trixie's U-Boot.

/** The release tag each upstream stack builds. */
export const UPSTREAM_XEN_TAGS = { 'xen-4.21': 'RELEASE-4.21.2', 'xen-4.22': 'RELEASE-4.22.0' } as const;
export type UpstreamXenStack = keyof typeof UPSTREAM_XEN_TAGS;

/** Xen's public repository; a shallow clone of one tag is all a build needs. */
export const XEN_GIT_URL = 'https://xenbits.xen.org/git-http/xen.git';

const UPSTREAM_HOST_TOOLS: ReadonlyArray<readonly [cmd: string, pkg: string]> = [
  ['aarch64-linux-gnu-gcc', 'gcc-aarch64-linux-gnu'], ['make', 'make'], ['flex', 'flex'], ['bison', 'bison'], ['python3', 'python3'],
  ['git', 'git'], ['tar', 'tar'],
];

export interface UpstreamXenBuildOptions {
  labDir: string;
  tag: string;
  /** A git directory that has the tag (env UBOOT_GEN_XEN_GIT); else the tag is cloned from XEN_GIT_URL. */
  gitDir?: string;
  log?: (l: string) => void;
  installHostPackages?: boolean;
  jobs?: number;
}

/** Builds (or reuses) Xen at a release tag with its defconfig. */
export function buildUpstreamXen(o: UpstreamXenBuildOptions): XenBuild {
  const log = o.log ?? (() => {});
  const cacheDir = path.join(o.labDir, 'xen-build', `${o.tag}-defconfig`);
  const meta = path.join(cacheDir, 'build.json');
  if (fs.existsSync(meta) && fs.existsSync(path.join(cacheDir, 'xen'))) {
    const m = JSON.parse(fs.readFileSync(meta, 'utf8')) as Omit<XenBuild, 'xen' | 'buildSeconds' | 'cacheDir'>;
    log(`lab: Xen ${m.xenVersion} (${o.tag}, defconfig) from the cache`);
    return { ...m, xen: labFile(path.join(cacheDir, 'xen')), buildSeconds: 0, cacheDir };
  }
  ensureHostCommands(UPSTREAM_HOST_TOOLS, o.installHostPackages ?? process.env['CI'] !== undefined, log);
  const work = fs.mkdtempSync(path.join(o.labDir, 'xen-build-work-'));
  try {
    let gitDir = o.gitDir;
    if (!gitDir) {
      gitDir = path.join(work, 'xen.git');
      log(`lab: git clone --bare --depth 1 --branch ${o.tag} ${XEN_GIT_URL}`);
      const c = run('git', ['clone', '--bare', '--depth', '1', '--branch', o.tag, XEN_GIT_URL, gitDir]);
      if (!c.ok) throw new LabError('LAB_SETUP', `Cloning Xen ${o.tag} failed: ${c.stderr.trim().split('\n').slice(-2).join(' | ')}`, { tag: o.tag });
    }
    const tree = path.join(work, 'xen');
    fs.mkdirSync(tree);
    log(`lab: git archive ${o.tag} | tar -x`);
    const tarFile = path.join(work, 'xen.tar');
    const a = run('git', ['--git-dir', gitDir, 'archive', '--output', tarFile, o.tag]);
    if (!a.ok) throw new LabError('LAB_SETUP', `git archive ${o.tag} failed: ${a.stderr.trim().split('\n').slice(-2).join(' | ')}`, { tag: o.tag, gitDir });
    const x = run('tar', ['-x', '-f', tarFile, '-C', tree]);
    if (!x.ok) throw new LabError('LAB_SETUP', `Unpacking Xen ${o.tag} failed: ${x.stderr.trim()}`, { tag: o.tag });
    const makeArgs = ['-C', 'xen', 'XEN_TARGET_ARCH=arm64', `CROSS_COMPILE=${CROSS_COMPILE}`];
    const env = { ...process.env, LANG: 'C', LC_ALL: 'C' };
    const t0 = Date.now();
    const cfg = run('make', [...makeArgs, 'defconfig'], { cwd: tree, env });
    if (!cfg.ok) throw new LabError('LAB_SETUP', `Xen ${o.tag} defconfig failed: ${cfg.stderr.trim().split('\n').slice(-5).join(' | ')}`, {});
    const jobs = o.jobs ?? Math.max(1, Math.min(4, os.availableParallelism()));
    log(`lab: make ${makeArgs.join(' ')} -j${jobs} (${o.tag}, about a minute)`);
    const b = run('make', [...makeArgs, `-j${jobs}`], { cwd: tree, env });
    if (!b.ok) throw new LabError('LAB_SETUP', `Building Xen ${o.tag} failed: ${(b.stderr || b.stdout).trim().split('\n').slice(-8).join(' | ')}`, {});
    const buildSeconds = Math.round((Date.now() - t0) / 1000);
    fs.mkdirSync(cacheDir, { recursive: true });
    fs.copyFileSync(path.join(tree, 'xen', 'xen'), path.join(cacheDir, 'xen'));
    fs.copyFileSync(path.join(tree, 'xen', '.config'), path.join(cacheDir, 'config'));
    const m = { sourceVersion: o.tag, xenVersion: readXenVersion(tree),
      config: configValues(path.join(tree, 'xen', '.config'), ['CONFIG_DEBUG', 'CONFIG_SCHED_DEFAULT', 'CONFIG_STATIC_MEMORY', 'CONFIG_BOOT_TIME_CPUPOOLS', 'CONFIG_SCHED_NULL']) };
    writeFileAtomic(meta, `${JSON.stringify(m, null, 2)}\n`);
    log(`lab: built Xen ${m.xenVersion} (${o.tag}) in ${buildSeconds} s`);
    return { ...m, xen: labFile(path.join(cacheDir, 'xen')), buildSeconds, cacheDir };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
