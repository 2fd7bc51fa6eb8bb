// Builders for realistic binaries in a temp folder: real headers, sparse bodies, so
// tests can use 32 MiB kernels without writing 32 MiB.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { arm64Image, initramfs } from '../../scripts/samples.js';
import { FdtWriter } from '../../src/fdt/sw.js';

export function tempDir(prefix = 'uboot-gen-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Write `head` then extend the file (sparse) to `size` bytes. */
export function sparseFile(file: string, head: Uint8Array, size: number): void {
  fs.writeFileSync(file, head.subarray(0, Math.min(head.length, size)));
  if (size > head.length) fs.truncateSync(file, size);
}

export function arm64Header(imageSize: number, flags = 0xa, textOffset = 0): Uint8Array {
  return arm64Image({ fileSize: 4096, imageSize, textOffset, flags, code0: 0xfa405a4d, fill: 0x1000 });
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

/** A small virt-like DTB with /chosen and /memory; `totalsize` pads it like dtc -S. */
export function boardDtb(opts: { totalsize?: number; memStart?: number; memSize?: number; reserved?: { start: number; size: number }[]; chosen?: boolean } = {}): Uint8Array {
  const w = new FdtWriter().finishReservemap();
  w.beginNode('').propertyU32('#size-cells', 2).propertyU32('#address-cells', 2).propertyString('compatible', 'linux,dummy-virt');
  w.beginNode(`memory@${(opts.memStart ?? 0x40000000).toString(16)}`).propertyCells('reg', [0, opts.memStart ?? 0x40000000, 0, opts.memSize ?? 0x80000000]).propertyString('device_type', 'memory').endNode();
  if (opts.reserved?.length) {
    w.beginNode('reserved-memory').propertyU32('#address-cells', 2).propertyU32('#size-cells', 2).property('ranges', new Uint8Array(0));
    for (const r of opts.reserved) w.beginNode(`region@${r.start.toString(16)}`).propertyCells('reg', [0, r.start, 0, r.size]).property('no-map', new Uint8Array(0)).endNode();
    w.endNode();
  }
  w.beginNode('pl011@9000000').propertyCells('reg', [0, 0x09000000, 0, 0x1000]).propertyStrings('compatible', ['arm,pl011', 'arm,primecell']).endNode();
  if (opts.chosen !== false) w.beginNode('chosen').propertyString('stdout-path', '/pl011@9000000').endNode();
  w.endNode();
  return w.finish(opts.totalsize !== undefined ? { totalsize: opts.totalsize } : {});
}

export function writeConfig(dir: string, lines: string[], name = 'config'): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, `${lines.join('\n')}\n`);
  return f;
}
