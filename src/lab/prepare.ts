// Lab setup: host tools check, Debian arm64 target packages fetched (not installed)
// into a private APT state under the lab dir, unpacked with dpkg -x, the lab
// initramfs built, and the QEMU virt board DTB dumped. Idempotent: every step
// is skipped when its output already exists; downloads retry with backoff and
// then fail loudly, naming the package.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LabError } from '../errors.js';
import { readRange, writeFileAtomic } from '../util/file.js';
import { buildLabInitramfs } from './initramfs.js';
import { LAB_MACHINE_ARGS, QEMU_BIN, UBOOT_QEMU_ARM64 } from './qemu.js';

export const HOST_APT_PACKAGES = ['qemu-system-arm', 'u-boot-qemu', 'u-boot-tools', 'device-tree-compiler', 'cpio'] as const;
export const XEN_PACKAGE = 'xen-hypervisor-4.17-arm64';
export const BUSYBOX_PACKAGE = 'busybox-static';
export const KERNEL_META_PACKAGE = 'linux-image-arm64';

/** Host commands the lab needs, and the Debian package that provides each. */
const HOST_TOOLS: ReadonlyArray<[cmd: string, pkg: string]> = [
  [QEMU_BIN, 'qemu-system-arm'], ['mkimage', 'u-boot-tools'], ['dtc', 'device-tree-compiler'],
  ['apt-get', 'apt'], ['apt-cache', 'apt'], ['dpkg', 'dpkg'],
];

export interface LabFile { path: string; size: number; sha256: string }
export interface LabAssets {
  dir: string;
  /** Directory holding the unpacked packages and the built files. */
  xen: LabFile & { package: string; version: string };
  kernel: LabFile & { package: string; version: string; release: string };
  busybox: LabFile & { package: string; version: string };
  initramfs: LabFile;
  dtb: LabFile;
  uboot: LabFile & { package: string; version: string };
}

export interface PrepareOptions {
  /** Lab cache directory; default env UBOOT_GEN_LAB_DIR or `<cwd>/.lab`. */
  dir?: string;
  log?: (line: string) => void;
  /** Attempts per download (default 3). */
  tries?: number;
  /** First backoff in ms, doubled each retry (default 2000). */
  backoffMs?: number;
  /**
   * Install missing host packages with `apt-get install -y` (needs root, as in CI containers)
   * instead of only reporting them. Default: true when env CI is set.
   */
  installHostPackages?: boolean;
}

export function defaultLabDir(): string {
  return process.env['UBOOT_GEN_LAB_DIR'] ?? path.join(process.cwd(), '.lab');
}

function run(cmd: string, args: string[], opts: { cwd?: string } = {}): { ok: boolean; stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: opts.cwd, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) return { ok: false, stdout: '', stderr: r.error.message, status: null };
  return { ok: r.status === 0, stdout: r.stdout, stderr: r.stderr, status: r.status };
}

function hasCommand(cmd: string): boolean {
  return run('sh', ['-c', `command -v ${cmd}`]).ok;
}

/** Throws LAB_SETUP listing the apt packages to install when a host tool is missing. */
export function checkHostTools(): void {
  const missing = HOST_TOOLS.filter(([cmd]) => !hasCommand(cmd));
  const ubootMissing = !fs.existsSync(UBOOT_QEMU_ARM64);
  if (missing.length === 0 && !ubootMissing) return;
  const pkgs = [...new Set([...missing.map(([, p]) => p), ...(ubootMissing ? ['u-boot-qemu'] : [])])];
  const what = [...missing.map(([c]) => c), ...(ubootMissing ? [UBOOT_QEMU_ARM64] : [])];
  throw new LabError('LAB_SETUP', `The lab needs host tools that are missing: ${what.join(', ')}.`, { missing: what, packages: pkgs },
    undefined, `apt-get install -y ${HOST_APT_PACKAGES.join(' ')}`);
}

function sha256File(p: string): string {
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

function labFile(p: string): LabFile {
  return { path: p, size: fs.statSync(p).size, sha256: sha256File(p) };
}

const sleepSync = (ms: number): void => { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms); };

const DEBIAN_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

/** The private APT configuration: arm64 only, own lists/cache/status, Debian bookworm + security. */
class PrivateApt {
  readonly root: string;
  constructor(labDir: string) {
    this.root = path.join(labDir, 'apt');
    if (!fs.existsSync(DEBIAN_KEYRING)) {
      throw new LabError('LAB_SETUP', `The Debian archive keyring ${DEBIAN_KEYRING} is missing, so the arm64 packages cannot be verified.`,
        { keyring: DEBIAN_KEYRING }, undefined, 'apt-get install -y debian-archive-keyring');
    }
    for (const d of ['lists/partial', 'cache/archives/partial', 'sources.d']) fs.mkdirSync(path.join(this.root, d), { recursive: true });
    const sources = [
      `deb [arch=arm64 signed-by=${DEBIAN_KEYRING}] http://deb.debian.org/debian bookworm main`,
      `deb [arch=arm64 signed-by=${DEBIAN_KEYRING}] http://deb.debian.org/debian-security bookworm-security main`,
      '',
    ].join('\n');
    const list = path.join(this.root, 'sources.list');
    if (!fs.existsSync(list) || fs.readFileSync(list, 'utf8') !== sources) writeFileAtomic(list, sources);
    if (!fs.existsSync(path.join(this.root, 'status'))) writeFileAtomic(path.join(this.root, 'status'), '');
  }
  options(): string[] {
    const r = this.root;
    return [
      '-oAPT::Architecture=arm64', '-oAPT::Architectures=arm64',
      `-oDir::State::Lists=${r}/lists`, `-oDir::Cache=${r}/cache`, `-oDir::State::status=${r}/status`,
      `-oDir::Etc::SourceList=${r}/sources.list`, `-oDir::Etc::SourceParts=${r}/sources.d`,
      '-oAcquire::Languages=none', '-oAPT::Sandbox::User=root', '-oDebug::NoLocking=1',
    ];
  }
}

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

function debVersion(deb: string): { pkg: string; version: string } {
  const r = run('dpkg-deb', ['-f', deb, 'Package', 'Version']);
  if (!r.ok) throw new LabError('LAB_SETUP', `dpkg-deb cannot read ${deb}: ${r.stderr.trim()}`, { deb });
  const pkg = /^Package: (.+)$/m.exec(r.stdout)?.[1] ?? '';
  const version = /^Version: (.+)$/m.exec(r.stdout)?.[1] ?? '';
  return { pkg, version };
}

function hostPackageVersion(pkg: string): string {
  const r = run('dpkg-query', ['-W', '-f', '${Version}', pkg]);
  return r.ok ? r.stdout.trim() : 'unknown';
}

/** `apt-get install -y` the host packages (retried), then re-check the tools. */
export function installHostPackages(log: (l: string) => void, tries = 3, backoffMs = 2000): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new LabError('LAB_SETUP', 'Installing the lab host packages needs root.', {}, undefined, `sudo apt-get install -y ${HOST_APT_PACKAGES.join(' ')}`);
  }
  log(`lab: apt-get install -y ${HOST_APT_PACKAGES.join(' ')}`);
  withRetries('install host packages (apt-get install)', HOST_APT_PACKAGES.join(' '), tries, backoffMs, log, () => {
    const r = spawnSync('apt-get', ['install', '-y', '-q', ...HOST_APT_PACKAGES], {
      encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, maxBuffer: 64 * 1024 * 1024,
    });
    if (r.status === 0) return { ok: true, value: undefined };
    // A fresh container has no package lists yet.
    spawnSync('apt-get', ['update', '-q'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    return { ok: false, why: r.error?.message ?? r.stderr };
  });
  checkHostTools();
}

/** Prepare (or reuse) everything a lab boot needs. */
export function prepareLab(opts: PrepareOptions = {}): LabAssets {
  const dir = path.resolve(opts.dir ?? defaultLabDir());
  const log = opts.log ?? (() => {});
  const tries = opts.tries ?? 3;
  const backoffMs = opts.backoffMs ?? 2000;
  try {
    checkHostTools();
  } catch (e) {
    if (!(opts.installHostPackages ?? process.env['CI'] !== undefined)) throw e;
    installHostPackages(log, tries, backoffMs);
  }
  fs.mkdirSync(dir, { recursive: true });
  const apt = new PrivateApt(dir);
  const debsDir = path.join(dir, 'debs');
  const rootDir = path.join(dir, 'root');
  fs.mkdirSync(debsDir, { recursive: true });

  const listsFresh = fs.readdirSync(path.join(apt.root, 'lists')).some((f) => /_Packages(\.[a-z0-9]+)?$/.test(f));
  if (!listsFresh) {
    log('lab: apt-get update (arm64 package lists)');
    withRetries('download the arm64 package lists (apt-get update)', `${XEN_PACKAGE}, ${BUSYBOX_PACKAGE}, ${KERNEL_META_PACKAGE}`, tries, backoffMs, log, () => {
      const r = run('apt-get', [...apt.options(), '-q', 'update']);
      // apt-get update exits 0 even when a source failed; a "W:/E:" line about fetching means failure.
      const failed = !r.ok || /^(E:|W: Failed to fetch)/m.test(r.stderr);
      return failed ? { ok: false, why: r.stderr || r.stdout } : { ok: true, value: undefined };
    });
  }

  // The kernel package name carries the ABI version; the meta package names it.
  const kernelPkg = withRetries('resolve the kernel package (apt-cache depends)', KERNEL_META_PACKAGE, 1, 0, log, () => {
    const r = run('apt-cache', [...apt.options(), 'depends', KERNEL_META_PACKAGE]);
    const m = /Depends: (linux-image-[0-9][^\s]*-arm64)\b/.exec(r.stdout);
    return m ? { ok: true, value: m[1]! } : { ok: false, why: r.stderr || `no linux-image-*-arm64 dependency in: ${r.stdout}` };
  });

  const debs = new Map<string, string>();
  for (const pkg of [XEN_PACKAGE, BUSYBOX_PACKAGE, kernelPkg]) {
    const existing = fs.readdirSync(debsDir).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('_arm64.deb'));
    if (existing) { debs.set(pkg, path.join(debsDir, existing)); continue; }
    log(`lab: downloading ${pkg} (arm64)`);
    const file = withRetries('download', pkg, tries, backoffMs, log, () => {
      const r = run('apt-get', [...apt.options(), '-q', 'download', pkg], { cwd: debsDir });
      const f = fs.readdirSync(debsDir).find((x) => x.startsWith(`${pkg}_`) && x.endsWith('_arm64.deb'));
      if (r.ok && f) return { ok: true, value: f };
      // A 404 means the cached package lists name a version the mirror no longer has: refresh them.
      if (/\b404\b|Unable to locate package/.test(r.stderr)) run('apt-get', [...apt.options(), '-q', 'update']);
      return { ok: false, why: r.stderr || r.stdout };
    });
    debs.set(pkg, path.join(debsDir, file));
  }

  const stamp = path.join(rootDir, '.unpacked');
  const wanted = [...debs.values()].map((d) => path.basename(d)).sort().join('\n');
  if (!fs.existsSync(stamp) || fs.readFileSync(stamp, 'utf8') !== wanted) {
    fs.rmSync(rootDir, { recursive: true, force: true });
    fs.mkdirSync(rootDir, { recursive: true });
    for (const [pkg, deb] of debs) {
      log(`lab: unpacking ${path.basename(deb)}`);
      const r = run('dpkg', ['-x', deb, rootDir]);
      if (!r.ok) throw new LabError('LAB_SETUP', `dpkg -x failed for package ${pkg}: ${r.stderr.trim()}`, { package: pkg, deb });
    }
    writeFileAtomic(stamp, wanted);
  }

  const xenPath = path.join(rootDir, 'boot', 'xen-4.17-arm64');
  const bootFiles = fs.readdirSync(path.join(rootDir, 'boot'));
  const vmlinuz = bootFiles.find((f) => f.startsWith('vmlinuz-'));
  const busyboxPath = path.join(rootDir, 'bin', 'busybox');
  for (const [p, pkg] of [[xenPath, XEN_PACKAGE], [busyboxPath, BUSYBOX_PACKAGE]] as const) {
    if (!fs.existsSync(p)) throw new LabError('LAB_SETUP', `Package ${pkg} did not contain ${path.relative(dir, p)}.`, { package: pkg });
  }
  if (!vmlinuz) throw new LabError('LAB_SETUP', `Package ${kernelPkg} did not contain boot/vmlinuz-*.`, { package: kernelPkg });
  const kernelPath = path.join(rootDir, 'boot', vmlinuz);
  // U-Boot's booti needs an uncompressed arm64 Image (or kernel_comp_addr_r): check the magic now.
  const magic = readRange(kernelPath, 56, 4).toString('latin1');
  if (magic !== 'ARM\x64') {
    throw new LabError('LAB_SETUP', `${vmlinuz} from ${kernelPkg} is not an uncompressed arm64 Image (no "ARM\\x64" magic at offset 56).`, { package: kernelPkg });
  }

  const initramfsPath = path.join(dir, 'lab-initramfs.cpio.gz');
  const initramfs = buildLabInitramfs(fs.readFileSync(busyboxPath));
  if (!fs.existsSync(initramfsPath) || !fs.readFileSync(initramfsPath).equals(initramfs)) {
    log('lab: writing lab-initramfs.cpio.gz');
    writeFileAtomic(initramfsPath, initramfs);
  }

  const dtbPath = path.join(dir, 'qemu-virt-gicv3-2g.dtb');
  if (!fs.existsSync(dtbPath)) {
    log('lab: dumping the QEMU virt DTB');
    const tmp = `${dtbPath}.${process.pid}.tmp`;
    const r = run(QEMU_BIN, [...LAB_MACHINE_ARGS.map((a) => (a === 'virt,virtualization=true,gic-version=3' ? `${a},dumpdtb=${tmp}` : a)), '-display', 'none', '-nodefaults']);
    if (!fs.existsSync(tmp)) throw new LabError('LAB_SETUP', `qemu-system-aarch64 did not dump the board DTB: ${r.stderr.trim()}`, {});
    fs.renameSync(tmp, dtbPath);
  }

  const xenDeb = debVersion(debs.get(XEN_PACKAGE)!);
  const bbDeb = debVersion(debs.get(BUSYBOX_PACKAGE)!);
  const kDeb = debVersion(debs.get(kernelPkg)!);
  return {
    dir,
    xen: { ...labFile(xenPath), package: xenDeb.pkg, version: xenDeb.version },
    kernel: { ...labFile(kernelPath), package: kDeb.pkg, version: kDeb.version, release: vmlinuz.replace(/^vmlinuz-/, '') },
    busybox: { ...labFile(busyboxPath), package: bbDeb.pkg, version: bbDeb.version },
    initramfs: labFile(initramfsPath),
    dtb: labFile(dtbPath),
    uboot: { ...labFile(UBOOT_QEMU_ARM64), package: 'u-boot-qemu', version: hostPackageVersion('u-boot-qemu') },
  };
}
