// Lab setup for CI: host tools checked (and apt-get installed when allowed), Debian
// bookworm's arm64 Xen, kernel and busybox fetched (not installed) through a private APT
// tree under the lab folder, unpacked with dpkg -x, the lab initramfs built, and the QEMU
// virt board DTB dumped. Idempotent: every step is skipped when its output already exists.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LabError } from '../../src/errors.js';
import { readRange, writeFileAtomic } from '../../src/util/file.js';
import { checkHostTools, dumpBoardDtb, QEMU_BIN, UBOOT_QEMU_ARM64 } from '../../src/lab/qemu.js';
import {
  DEBIAN_KEYRING, DEBIAN_MIRROR, DEBIAN_SECURITY_MIRROR, debFields, hasCommand, hostPackageVersion, installHostPackages, labFile,
  PrivateApt, run, unpackDebs, withRetries, type LabFile,
} from './apt.js';
import { buildLabInitramfs } from './initramfs.js';

export { withRetries, type LabFile } from './apt.js';

export const HOST_APT_PACKAGES = ['qemu-system-arm', 'u-boot-qemu', 'u-boot-tools', 'device-tree-compiler', 'cpio'] as const;
export const XEN_PACKAGE = 'xen-hypervisor-4.17-arm64';
export const BUSYBOX_PACKAGE = 'busybox-static';
export const KERNEL_META_PACKAGE = 'linux-image-arm64';

/** Host commands the CI lab needs, and the Debian package that provides each. */
export const LAB_HOST_TOOLS: ReadonlyArray<readonly [cmd: string, pkg: string]> = [
  [QEMU_BIN, 'qemu-system-arm'], ['mkimage', 'u-boot-tools'], ['dtc', 'device-tree-compiler'],
  ['apt-get', 'apt'], ['apt-cache', 'apt'], ['dpkg', 'dpkg'],
];

export interface LabAssets {
  /** Directory holding the unpacked packages and the built files. */
  dir: string;
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

/** Throws LAB_SETUP listing the apt packages to install when a host tool is missing. */
export function checkLabHostTools(): void {
  const missing = LAB_HOST_TOOLS.filter(([cmd]) => !hasCommand(cmd));
  const ubootMissing = !fs.existsSync(UBOOT_QEMU_ARM64);
  if (missing.length === 0 && !ubootMissing) return;
  const what = [...missing.map(([c]) => c), ...(ubootMissing ? [UBOOT_QEMU_ARM64] : [])];
  const pkgs = [...new Set([...missing.map(([, p]) => p), ...(ubootMissing ? ['u-boot-qemu'] : [])])];
  throw new LabError('LAB_SETUP', `The lab needs host tools that are missing: ${what.join(', ')}.`, { missing: what, packages: pkgs },
    undefined, `apt-get install -y ${HOST_APT_PACKAGES.join(' ')}`);
}

/** Debian bookworm + security, arm64 binaries. */
export function bookwormApt(labDir: string): PrivateApt {
  return new PrivateApt({ root: path.join(labDir, 'apt'), sources: [
    `deb [arch=arm64 signed-by=${DEBIAN_KEYRING}] ${DEBIAN_MIRROR} bookworm main`,
    `deb [arch=arm64 signed-by=${DEBIAN_KEYRING}] ${DEBIAN_SECURITY_MIRROR} bookworm-security main`,
  ] });
}

/** Prepare (or reuse) everything a lab boot on the bookworm stack needs. */
export function prepareLab(opts: PrepareOptions = {}): LabAssets {
  const dir = path.resolve(opts.dir ?? defaultLabDir());
  const log = opts.log ?? (() => {});
  const tries = opts.tries ?? 3;
  const backoffMs = opts.backoffMs ?? 2000;
  try {
    checkLabHostTools();
    checkHostTools();
  } catch (e) {
    if (!(opts.installHostPackages ?? process.env['CI'] !== undefined)) throw e;
    installHostPackages(HOST_APT_PACKAGES, log, tries, backoffMs);
    checkLabHostTools();
  }
  fs.mkdirSync(dir, { recursive: true });
  const apt = bookwormApt(dir);
  const debsDir = path.join(dir, 'debs');
  const rootDir = path.join(dir, 'root');
  apt.update(tries, backoffMs, log, `${XEN_PACKAGE}, ${BUSYBOX_PACKAGE}, ${KERNEL_META_PACKAGE}`);

  // The kernel package name carries the ABI version; the meta package names it.
  const kernelPkg = withRetries('resolve the kernel package (apt-cache depends)', KERNEL_META_PACKAGE, 1, 0, log, () => {
    const r = spawnApt(apt, ['depends', KERNEL_META_PACKAGE]);
    const m = /Depends: (linux-image-[0-9][^\s]*-arm64)\b/.exec(r);
    return m ? { ok: true, value: m[1]! } : { ok: false, why: `no linux-image-*-arm64 dependency in: ${r}` };
  });

  const debs = new Map<string, string>();
  for (const pkg of [XEN_PACKAGE, BUSYBOX_PACKAGE, kernelPkg]) debs.set(pkg, apt.download(pkg, debsDir, tries, backoffMs, log));
  unpackDebs(debs, rootDir, log);

  const xenPath = path.join(rootDir, 'boot', 'xen-4.17-arm64');
  const bootFiles = fs.readdirSync(path.join(rootDir, 'boot'));
  const vmlinuz = bootFiles.find((f) => f.startsWith('vmlinuz-'));
  const busyboxPath = path.join(rootDir, 'bin', 'busybox');
  for (const [p, pkg] of [[xenPath, XEN_PACKAGE], [busyboxPath, BUSYBOX_PACKAGE]] as const) {
    if (!fs.existsSync(p)) throw new LabError('LAB_SETUP', `Package ${pkg} did not contain ${path.relative(dir, p)}.`, { package: pkg });
  }
  if (!vmlinuz) throw new LabError('LAB_SETUP', `Package ${kernelPkg} did not contain boot/vmlinuz-*.`, { package: kernelPkg });
  const kernelPath = path.join(rootDir, 'boot', vmlinuz);
  // U-Boot boots an uncompressed arm64 Image here (no kernel_comp_addr_r): check the magic now.
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
    dumpBoardDtb(dtbPath);
  }

  const xenDeb = debFields(debs.get(XEN_PACKAGE)!);
  const bbDeb = debFields(debs.get(BUSYBOX_PACKAGE)!);
  const kDeb = debFields(debs.get(kernelPkg)!);
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

function spawnApt(apt: PrivateApt, args: string[]): string {
  // apt-cache prints its answer on stdout; stderr only carries warnings.
  return run('apt-cache', [...apt.options(), ...args]).stdout;
}
