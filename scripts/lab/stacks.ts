// The real stacks the differential boots, each a (U-Boot, Xen) pair over the same board,
// guest kernel and initramfs (Debian bookworm's Linux 6.1 and busybox):
//   bookworm  Debian 12: Xen 4.17 + U-Boot 2023.01 (the host's u-boot-qemu)
//   trixie    Debian 13: Xen 4.20 + U-Boot 2025.01, fetched with `apt-get download` from a
//             private APT tree (the host's APT state is never touched)
//   full      Xen cross-built from Debian's source package with static memory, static shared
//             memory, boot-time cpupools and the null scheduler, booted by trixie's U-Boot
//   debug     the same source with Debian's options and CONFIG_DEBUG (assertions, debug printks,
//             the null/RTDS/ARINC653 schedulers by default), booted by trixie's U-Boot; only the
//             cases where a debug build behaves otherwise boot there
//   xen-4.21  Xen 4.21 and 4.22 built from their release tags with the release defaults
//   xen-4.22  (defconfig), booted by trixie's U-Boot; not in the default set: asked for by name
//   arm32     Debian 12 armhf: Xen 4.17 (a zImage) + the host's qemu_arm U-Boot 2023.01 (bootz) on
//             QEMU virt with a Cortex-A15, guests Linux 6.1 armmp-lpae + busybox armhf; only the
//             cases made for it boot there
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LabError } from '../../src/errors.js';
import { ubootBinaryVersion } from '../../src/api/uboot-binary.js';
import { dumpBoardDtb, LAB_MACHINE_ARGS_ARM32, QEMU_BIN_ARM32, UBOOT_QEMU_ARM } from '../../src/lab/qemu.js';
import { writeFileAtomic } from '../../src/util/file.js';
import { DEBIAN_KEYRING, DEBIAN_MIRROR, DEBIAN_SECURITY_MIRROR, debFields, hostPackageVersion, labFile, PrivateApt, run, unpackDebs, type LabFile } from './apt.js';
import { buildLabInitramfs } from './initramfs.js';
import type { LabAssets } from './prepare.js';
import { buildDebianSourceXen, buildUpstreamXen, DEBUG_IMPLIED, DEBUG_OPTIONS, FULL_FEATURED_OPTIONS, UPSTREAM_XEN_TAGS } from './xen-build.js';

export const STACK_NAMES = ['bookworm', 'trixie', 'full', 'debug', 'xen-4.21', 'xen-4.22', 'arm32'] as const;
export type StackName = (typeof STACK_NAMES)[number];
/** Stacks that boot only the cases naming them: the arm32 board, and the debug build where it behaves otherwise. */
export const OWN_CASES_ONLY: readonly StackName[] = ['debug', 'arm32'];
/** The stacks a run boots when none is named (the upstream builds are asked for by name). */
export const DEFAULT_STACKS: readonly StackName[] = ['bookworm', 'trixie', 'full', 'debug', 'arm32'];

export interface LabStack {
  name: StackName;
  /** One line naming what boots, e.g. "Debian trixie: Xen 4.20.4 + U-Boot 2025.01". */
  title: string;
  /** The shared assets with this stack's Xen and U-Boot; `dir` is the stack's own work folder. */
  assets: LabAssets;
  /** Xen version the simulator models for this stack (MAJOR.MINOR.PATCH). */
  xenVersion: string;
  /** U-Boot version the simulator models (YYYY.MM). */
  ubootVersion: string;
  /** Kconfig options of a source build, as its .config has them. */
  xenConfig?: Record<string, string>;
  /** Seconds spent preparing the stack in this run (downloads, build). */
  prepareSeconds: number;
  /** Booted on the arm32 board (qemu-system-arm, Cortex-A15). */
  arm32?: boolean;
}

export interface StackOptions {
  log?: (l: string) => void;
  tries?: number;
  backoffMs?: number;
  installHostPackages?: boolean;
}

/** "2025.01-3+deb13u1" or "2023.01+dfsg-2+deb12u3" → "2025.01". */
export function ubootVersionOf(debVersion: string): string {
  const m = /^(?:\d+:)?(\d{4}\.\d{2})/.exec(debVersion);
  if (!m) throw new LabError('LAB_SETUP', `Cannot read a U-Boot release from the package version "${debVersion}".`, { debVersion });
  return m[1]!;
}

/** The release the simulator models for a stack's U-Boot: read from the binary's own banner. */
function modelledUboot(file: string): string {
  return ubootBinaryVersion(file).modelled;
}

/** "4.20.4+63-g7abfd2bce2-0+deb13u1" → "4.20.4". */
export function xenVersionOf(debVersion: string): string {
  const m = /^(?:\d+:)?(\d+\.\d+(?:\.\d+)?)/.exec(debVersion);
  if (!m) throw new LabError('LAB_SETUP', `Cannot read a Xen release from the package version "${debVersion}".`, { debVersion });
  return m[1]!;
}

function stackAssets(base: LabAssets, name: StackName, xen: LabAssets['xen'], uboot: LabAssets['uboot']): LabAssets {
  const dir = path.join(base.dir, 'stacks', name);
  fs.mkdirSync(dir, { recursive: true });
  return { ...base, dir, xen, uboot };
}

export function trixieApt(labDir: string): PrivateApt {
  return new PrivateApt({ root: path.join(labDir, 'apt-trixie'), sources: [
    `deb [arch=arm64 signed-by=${DEBIAN_KEYRING}] ${DEBIAN_MIRROR} trixie main`,
    `deb [arch=arm64 signed-by=${DEBIAN_KEYRING}] ${DEBIAN_SECURITY_MIRROR} trixie-security main`,
  ] });
}

/** The newest xen-hypervisor-4.NN-arm64 the lists name (the package carries the minor version in its name). */
function xenHypervisorPackage(apt: PrivateApt): string {
  const r = run('apt-cache', [...apt.options(), 'pkgnames', 'xen-hypervisor-4.']);
  const names = r.stdout.split('\n').filter((n) => /^xen-hypervisor-4\.\d+-arm64$/.test(n));
  names.sort((a, b) => Number(/4\.(\d+)/.exec(b)![1]) - Number(/4\.(\d+)/.exec(a)![1]));
  if (!names[0]) throw new LabError('LAB_SETUP', 'The trixie package lists name no xen-hypervisor-4.*-arm64 package.', {});
  return names[0];
}

interface TrixieParts { xen: LabAssets['xen']; uboot: LabAssets['uboot'] }

function prepareTrixieParts(base: LabAssets, o: StackOptions): TrixieParts {
  const log = o.log ?? (() => {});
  const tries = o.tries ?? 3;
  const backoffMs = o.backoffMs ?? 2000;
  const apt = trixieApt(base.dir);
  apt.update(tries, backoffMs, log, 'xen-hypervisor-*-arm64, u-boot-qemu (trixie)');
  const xenPkg = xenHypervisorPackage(apt);
  const debsDir = path.join(base.dir, 'debs-trixie');
  const debs = new Map<string, string>([[xenPkg, apt.download(xenPkg, debsDir, tries, backoffMs, log)],
    ['u-boot-qemu', apt.download('u-boot-qemu', debsDir, tries, backoffMs, log)]]);
  const root = path.join(base.dir, 'root-trixie');
  unpackDebs(debs, root, log);
  const xenFile = fs.readdirSync(path.join(root, 'boot')).find((f) => /^xen-4\.\d+-arm64$/.test(f));
  if (!xenFile) throw new LabError('LAB_SETUP', `Package ${xenPkg} did not contain boot/xen-4.*-arm64.`, { package: xenPkg });
  const ubootPath = path.join(root, 'usr', 'lib', 'u-boot', 'qemu_arm64', 'u-boot.bin');
  if (!fs.existsSync(ubootPath)) throw new LabError('LAB_SETUP', 'Package u-boot-qemu (trixie) did not contain usr/lib/u-boot/qemu_arm64/u-boot.bin.', {});
  const x = debFields(debs.get(xenPkg)!);
  const u = debFields(debs.get('u-boot-qemu')!);
  return {
    xen: { ...labFile(path.join(root, 'boot', xenFile)), package: x.pkg, version: x.version },
    uboot: { ...labFile(ubootPath), package: `${u.pkg} (trixie)`, version: u.version },
  };
}

/** Debian bookworm + security, armhf binaries. */
export function armhfApt(labDir: string): PrivateApt {
  return new PrivateApt({ arch: 'armhf', root: path.join(labDir, 'apt-armhf'), sources: [
    `deb [arch=armhf signed-by=${DEBIAN_KEYRING}] ${DEBIAN_MIRROR} bookworm main`,
    `deb [arch=armhf signed-by=${DEBIAN_KEYRING}] ${DEBIAN_SECURITY_MIRROR} bookworm-security main`,
  ] });
}

export const ARMHF_XEN_PACKAGE = 'xen-hypervisor-4.17-armhf';
export const ARMHF_KERNEL_META_PACKAGE = 'linux-image-armmp-lpae';

/**
 * The arm32 stack's own assets (cached under the lab folder): Debian bookworm's armhf Xen, LPAE
 * kernel and busybox fetched with `apt-get download` into a private APT tree, the lab initramfs
 * around that busybox, the arm32 board's DTB dumped by qemu-system-arm, the host's qemu_arm U-Boot.
 */
function prepareArm32Assets(base: LabAssets, o: StackOptions): LabAssets {
  const log = o.log ?? (() => {});
  const tries = o.tries ?? 3;
  const backoffMs = o.backoffMs ?? 2000;
  const apt = armhfApt(base.dir);
  apt.update(tries, backoffMs, log, `${ARMHF_XEN_PACKAGE}, ${ARMHF_KERNEL_META_PACKAGE}, busybox-static (armhf)`);
  const depends = run('apt-cache', [...apt.options(), 'depends', ARMHF_KERNEL_META_PACKAGE]).stdout;
  const kernelPkg = /Depends: (linux-image-[0-9][^\s]*-armmp-lpae)\b/.exec(depends)?.[1];
  if (!kernelPkg) throw new LabError('LAB_SETUP', `No linux-image-*-armmp-lpae dependency of ${ARMHF_KERNEL_META_PACKAGE} in the armhf lists.`, {});
  const debsDir = path.join(base.dir, 'debs-armhf');
  const debs = new Map<string, string>();
  for (const pkg of [ARMHF_XEN_PACKAGE, 'busybox-static', kernelPkg]) debs.set(pkg, apt.download(pkg, debsDir, tries, backoffMs, log));
  const root = path.join(base.dir, 'root-armhf');
  unpackDebs(debs, root, log);
  const boot = fs.readdirSync(path.join(root, 'boot'));
  const vmlinuz = boot.find((f) => /^vmlinuz-.*-armmp-lpae$/.test(f));
  const xenPath = path.join(root, 'boot', 'xen-4.17-armhf');
  const busyboxPath = path.join(root, 'bin', 'busybox');
  if (!vmlinuz || !fs.existsSync(xenPath) || !fs.existsSync(busyboxPath)) {
    throw new LabError('LAB_SETUP', `The armhf packages lack boot/vmlinuz-*-armmp-lpae, boot/xen-4.17-armhf or bin/busybox.`, { packages: [...debs.keys()] });
  }
  const dir = path.join(base.dir, 'stacks', 'arm32');
  fs.mkdirSync(dir, { recursive: true });
  const initramfsPath = path.join(dir, 'lab-initramfs-armhf.cpio.gz');
  const initramfs = buildLabInitramfs(fs.readFileSync(busyboxPath));
  if (!fs.existsSync(initramfsPath) || !fs.readFileSync(initramfsPath).equals(initramfs)) writeFileAtomic(initramfsPath, initramfs);
  const dtbPath = path.join(dir, 'qemu-virt-arm32-2g.dtb');
  if (!fs.existsSync(dtbPath)) { log('lab: dumping the QEMU virt arm32 DTB'); dumpBoardDtb(dtbPath, QEMU_BIN_ARM32, LAB_MACHINE_ARGS_ARM32); }
  if (!fs.existsSync(UBOOT_QEMU_ARM)) throw new LabError('LAB_SETUP', `U-Boot for QEMU arm is missing: ${UBOOT_QEMU_ARM}.`, {}, undefined, 'apt-get install -y u-boot-qemu');
  const x = debFields(debs.get(ARMHF_XEN_PACKAGE)!);
  const k = debFields(debs.get(kernelPkg)!);
  const b = debFields(debs.get('busybox-static')!);
  return {
    dir,
    xen: { ...labFile(xenPath), package: x.pkg, version: x.version },
    kernel: { ...labFile(path.join(root, 'boot', vmlinuz)), package: k.pkg, version: k.version, release: vmlinuz.replace(/^vmlinuz-/, '') },
    busybox: { ...labFile(busyboxPath), package: `${b.pkg} (armhf)`, version: b.version },
    initramfs: labFile(initramfsPath),
    dtb: labFile(dtbPath),
    uboot: { ...labFile(UBOOT_QEMU_ARM), package: 'u-boot-qemu (qemu_arm)', version: hostPackageVersion('u-boot-qemu') },
  };
}

/** Prepares the named stacks (downloads and builds are cached under the lab folder). */
export function prepareStacks(base: LabAssets, names: readonly StackName[], o: StackOptions = {}): LabStack[] {
  const out: LabStack[] = [];
  let trixie: TrixieParts | undefined;
  const getTrixie = (): TrixieParts => (trixie ??= prepareTrixieParts(base, o));
  for (const name of names) {
    const t0 = Date.now();
    const secs = (): number => Math.round((Date.now() - t0) / 1000);
    if (name === 'bookworm') {
      const xv = xenVersionOf(base.xen.version);
      const uv = modelledUboot(base.uboot.path);
      out.push({ name, title: `Debian bookworm: Xen ${xv} + U-Boot ${uv}`, assets: stackAssets(base, name, base.xen, base.uboot),
        xenVersion: xv, ubootVersion: uv, prepareSeconds: secs() });
    } else if (name === 'trixie') {
      const p = getTrixie();
      const xv = xenVersionOf(p.xen.version);
      const uv = modelledUboot(p.uboot.path);
      out.push({ name, title: `Debian trixie: Xen ${xv} + U-Boot ${uv}`, assets: stackAssets(base, name, p.xen, p.uboot),
        xenVersion: xv, ubootVersion: uv, prepareSeconds: secs() });
    } else if (name === 'xen-4.21' || name === 'xen-4.22') {
      const p = getTrixie();
      const gitDir = process.env['UBOOT_GEN_XEN_GIT'];
      const b = buildUpstreamXen({ labDir: base.dir, tag: UPSTREAM_XEN_TAGS[name], ...(gitDir ? { gitDir } : {}), ...(o.log ? { log: o.log } : {}),
        ...(o.installHostPackages !== undefined ? { installHostPackages: o.installHostPackages } : {}) });
      const uv = ubootVersionOf(p.uboot.version);
      const xen: LabAssets['xen'] = { ...b.xen, package: `xen ${b.sourceVersion} (defconfig, cross-built)`, version: b.xenVersion };
      out.push({ name, title: `Xen ${b.xenVersion} built from ${b.sourceVersion} (defconfig) + U-Boot ${uv}`,
        assets: stackAssets(base, name, xen, p.uboot), xenVersion: b.xenVersion, ubootVersion: uv, xenConfig: b.config, prepareSeconds: secs() });
    } else if (name === 'arm32') {
      const assets = prepareArm32Assets(base, o);
      const xv = xenVersionOf(assets.xen.version);
      const uv = ubootVersionOf(assets.uboot.version);
      out.push({ name, title: `Debian bookworm armhf: Xen ${xv} (zImage) + U-Boot ${uv} (qemu_arm, bootz) on a Cortex-A15`, assets,
        xenVersion: xv, ubootVersion: uv, prepareSeconds: secs(), arm32: true });
    } else {
      const p = getTrixie();
      const debug = name === 'debug';
      const b = buildDebianSourceXen({ labDir: base.dir, ...(o.log ? { log: o.log } : {}), ...(o.tries ? { tries: o.tries } : {}),
        ...(o.backoffMs !== undefined ? { backoffMs: o.backoffMs } : {}), ...(o.installHostPackages !== undefined ? { installHostPackages: o.installHostPackages } : {}),
        ...(debug ? { options: DEBUG_OPTIONS, implied: DEBUG_IMPLIED, label: 'debug' } : { options: FULL_FEATURED_OPTIONS, label: 'full-featured' }) });
      const uv = modelledUboot(p.uboot.path);
      const on = Object.entries(b.config).filter(([k, v]) => v === 'y' && !/EXPERT|UNSUPPORTED/.test(k)).map(([k]) => k.replace(/^CONFIG_/, ''));
      const xen: LabAssets['xen'] = { ...b.xen, package: `xen ${b.sourceVersion} (source, ${debug ? 'debug, ' : ''}cross-built)`, version: b.sourceVersion };
      out.push({ name, title: `Xen ${b.xenVersion} built from Debian's source (${on.join(', ')}) + U-Boot ${uv}`,
        assets: stackAssets(base, name, xen, p.uboot), xenVersion: b.xenVersion, ubootVersion: uv, xenConfig: b.config, prepareSeconds: secs() });
    }
  }
  return out;
}

export type { LabFile };
