// Saves what the simulator developers need from the real lab without committing
// big binaries: the first 4 KiB of the real Xen and kernel (all headers live
// there), their real sizes/sha256/package versions, and the real board DTB.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readRange, writeFileAtomic } from '../../src/util/file.js';
import type { LabCaseInputs } from './cases.js';
import type { LabAssets, LabFile } from './prepare.js';
import { LAB_MACHINE_ARGS, LAB_MEMORY_SIZE, LAB_MEMORY_START, QEMU_BIN } from '../../src/lab/qemu.js';

export const HEADER_SLICE_BYTES = 4096;

export interface Arm64HeaderFacts { textOffset: number; imageSize: number; flags: number }

function arm64Header(p: string): Arm64HeaderFacts | undefined {
  const h = readRange(p, 0, 64);
  if (h.length < 64 || h.readUInt32LE(56) !== 0x644d5241) return undefined;
  return { textOffset: Number(h.readBigUInt64LE(8)), imageSize: Number(h.readBigUInt64LE(16)), flags: Number(h.readBigUInt64LE(24)) };
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const rel = (a: LabFile): Pick<LabFile, 'size' | 'sha256'> => ({ size: a.size, sha256: a.sha256 });

/** Writes `<dir>/MANIFEST.json`, the header slices and the DTB; returns the manifest object. */
export function saveRealFixtures(assets: LabAssets, dir: string, caseInputs?: LabCaseInputs): Record<string, unknown> {
  fs.mkdirSync(dir, { recursive: true });
  const slice = (src: string, name: string): Record<string, unknown> => {
    const b = readRange(src, 0, HEADER_SLICE_BYTES);
    writeFileAtomic(path.join(dir, name), b);
    return { file: name, bytes: b.length, sha256: sha(b) };
  };
  const dtbName = 'qemu-virt-gicv3-2g.dtb';
  fs.copyFileSync(assets.dtb.path, path.join(dir, dtbName));
  const qemuVersion = spawnSync(QEMU_BIN, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]?.trim() ?? 'unknown';
  const manifest = {
    note: 'Facts about the real lab binaries (scripts/lab/capture-ground-truth.ts). Slices are the first 4 KiB of each file; size/sha256 are of the whole real file.',
    board: {
      qemu: qemuVersion,
      machineArgs: LAB_MACHINE_ARGS,
      memoryStart: `0x${LAB_MEMORY_START.toString(16)}`,
      memorySize: `0x${LAB_MEMORY_SIZE.toString(16)}`,
      dtb: { file: dtbName, ...rel(assets.dtb) },
    },
    uboot: { package: assets.uboot.package, version: assets.uboot.version, path: '/usr/lib/u-boot/qemu_arm64/u-boot.bin', ...rel(assets.uboot) },
    xen: { package: assets.xen.package, version: assets.xen.version, debPath: '/boot/xen-4.17-arm64', ...rel(assets.xen),
      arm64Header: arm64Header(assets.xen.path), headerSlice: slice(assets.xen.path, 'xen-4.17-arm64.head4k.bin') },
    kernel: { package: assets.kernel.package, version: assets.kernel.version, debPath: `/boot/vmlinuz-${assets.kernel.release}`, ...rel(assets.kernel),
      arm64Header: arm64Header(assets.kernel.path), headerSlice: slice(assets.kernel.path, `vmlinuz-${assets.kernel.release}.head4k.bin`) },
    busybox: { package: assets.busybox.package, version: assets.busybox.version, ...rel(assets.busybox) },
    labInitramfs: { note: 'gzip newc built by src/lab/initramfs.ts around the busybox above', ...rel(assets.initramfs) },
    ...(caseInputs ? { caseInputs } : {}),
  };
  writeFileAtomic(path.join(dir, 'MANIFEST.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
