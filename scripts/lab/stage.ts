// Puts a case's files into its own TFTP directory: symlinks to the lab assets,
// Xen wrapped as a uImage by the real mkimage, a packed DTB made by the real dtc,
// and boot.scr made from boot.source by the real mkimage.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LabError } from '../../src/errors.js';
import { writeFileAtomic } from '../../src/util/file.js';
import { arm64ImageSize, type LabCase, type LabCaseInputs } from './cases.js';
import type { LabAssets } from './prepare.js';

function tool(cmd: string, args: string[], pkg: string): string {
  // SOURCE_DATE_EPOCH=0 makes mkimage's header timestamp (and so its CRC) reproducible.
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, SOURCE_DATE_EPOCH: '0' } });
  if (r.error || r.status !== 0) {
    throw new LabError('LAB_SETUP', `${cmd} ${args.join(' ')} failed: ${(r.error?.message ?? r.stderr).trim()}`, { cmd }, undefined, `apt-get install -y ${pkg}`);
  }
  return r.stdout;
}

/** `mkimage -A arm64 -O linux -T kernel -C none -a ADDR -e ADDR` around Xen (ImageBuilder's BOOT_CMD=bootm wrapping). */
export function makeXenUimage(xen: string, out: string, loadAddr: number): void {
  const a = `0x${loadAddr.toString(16)}`;
  tool('mkimage', ['-A', 'arm64', '-O', 'linux', '-T', 'kernel', '-C', 'none', '-a', a, '-e', a, '-d', xen, out], 'u-boot-tools');
}

/** dtc re-emits a DTB with no free space at the end (totalsize = used size). */
export function makePackedDtb(dtb: string, out: string): void {
  tool('dtc', ['-q', '-I', 'dtb', '-O', 'dtb', '-o', out, dtb], 'device-tree-compiler');
}

export function makeBootScr(source: string, out: string): void {
  tool('mkimage', ['-A', 'arm64', '-T', 'script', '-C', 'none', '-d', source, out], 'u-boot-tools');
}

/** Sizes the case scripts are planned with, measured on the real assets. */
export function labCaseInputs(assets: LabAssets): LabCaseInputs {
  const packed = path.join(assets.dir, 'virt-packed.dtb');
  if (!fs.existsSync(packed)) makePackedDtb(assets.dtb.path, packed);
  return {
    kernelFileSize: assets.kernel.size,
    kernelImageSize: arm64ImageSize(assets.kernel.path),
    xenFileSize: assets.xen.size,
    xenImageSize: arm64ImageSize(assets.xen.path),
    initramfsSize: assets.initramfs.size,
    dtbSize: assets.dtb.size,
    packedDtbSize: fs.statSync(packed).size,
    xenUimageSize: assets.xen.size + 64,
  };
}

/** Fresh TFTP directory for `c` under `<lab>/cases/<name>`; returns its path. `sourceOut` also receives boot.source. */
export function stageCase(assets: LabAssets, c: LabCase, sourceOut?: string): string {
  const dir = path.join(assets.dir, 'cases', c.name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const f of c.files) {
    const dest = path.join(dir, f.name);
    switch (f.from) {
      case 'kernel': fs.symlinkSync(assets.kernel.path, dest); break;
      case 'xen': fs.symlinkSync(assets.xen.path, dest); break;
      case 'initramfs': fs.symlinkSync(assets.initramfs.path, dest); break;
      case 'dtb': fs.symlinkSync(assets.dtb.path, dest); break;
      case 'xen-uimage': makeXenUimage(assets.xen.path, dest, f.loadAddr); break;
      case 'packed-dtb': makePackedDtb(assets.dtb.path, dest); break;
    }
  }
  const src = path.join(dir, 'boot.source');
  writeFileAtomic(src, c.source);
  if (sourceOut) writeFileAtomic(sourceOut, c.source);
  makeBootScr(src, path.join(dir, 'boot.scr'));
  return dir;
}
