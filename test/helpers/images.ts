// Builders for realistic binaries in a temp folder: real headers, sparse bodies, so
// tests can use 32 MiB kernels without writing 32 MiB.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { arm64Image, initramfs } from './samples.js';

import { REPO_ROOT } from './paths.js';
import { tempDir } from './temp.js';

export { tempDir };

/** Write `head` then extend the file (sparse) to `size` bytes. */
export function sparseFile(file: string, head: Uint8Array, size: number): void {
  fs.writeFileSync(file, head.subarray(0, Math.min(head.length, size)));
  if (size > head.length) fs.truncateSync(file, size);
}

/**
 * The 64-byte header of a Linux arm64 Image (Documentation/arch/arm64/booting.rst), starting
 * with the EFI stub's "MZ" branch as Debian's kernels and Xen do.
 */
export function arm64Header(o: { imageSize: number; textOffset?: number; flags?: number }): Uint8Array {
  return arm64Image({ fileSize: 64, imageSize: o.imageSize, textOffset: o.textOffset ?? 0, flags: o.flags ?? 0xa, code0: 0xfa405a4d, fill: 0 });
}

/** A real gzip'd newc cpio, extended with zeros to `size` (ImageBuilder only looks at the size). */
export function ramdiskFile(file: string, size?: number): void {
  const gz = initramfs();
  sparseFile(file, gz, size ?? gz.length);
}

/** A plain newc cpio (not compressed), extended to `size`. */
export function cpioFile(file: string, size: number): void {
  const cpio = zlib.gunzipSync(initramfs());
  sparseFile(file, cpio, Math.max(size, cpio.length));
}

/** The board DTB builder shared with the benchmark (test/helpers/samples.ts). */
export { boardDtb } from './samples.js';

/** config.example and its samples/ in a fresh folder, `extra` lines appended (outputs land next to the config). */
export function sampleCopy(extra: string[] = []): { dir: string; config: string } {
  const dir = tempDir();
  fs.cpSync(path.join(REPO_ROOT, 'samples'), path.join(dir, 'samples'), { recursive: true });
  const config = path.join(dir, 'config');
  fs.writeFileSync(config, `${fs.readFileSync(path.join(REPO_ROOT, 'config.example'), 'utf8')}${extra.join('\n')}\n`);
  return { dir, config };
}

export function writeConfig(dir: string, lines: string[], name = 'config'): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, `${lines.join('\n')}\n`);
  return f;
}
