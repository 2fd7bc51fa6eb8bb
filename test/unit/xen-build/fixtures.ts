// Synthetic Xen images laid out like Debian's: the real 4 KiB head of xen-4.17-arm64 (EFI stub +
// arm64 Image header), filler, the `gzip -n` member of a .config at the offset Debian's build has
// it, and the "xen,xen-4.NN" compatible string the hypervisor node uses.
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { fixturePath } from '../../helpers/paths.js';

export const DEBIAN_417_CONFIG = fs.readFileSync(fixturePath('xen-build', 'debian-xen-4.17-arm64.config'), 'latin1');
export const DEBIAN_420_CONFIG = fs.readFileSync(fixturePath('xen-build', 'debian-xen-4.20-arm64.config'), 'latin1');
export const XEN_417_HEAD = new Uint8Array(fs.readFileSync(fixturePath('images', 'xen-4.17-arm64.head')));

/** `gzip -n`: FLG 0, MTIME 0, OS 3, as xen/common/Makefile writes config.gz. */
export function gzipN(text: string): Uint8Array {
  const g = zlib.gzipSync(Buffer.from(text, 'latin1'), { level: 9 });
  g[9] = 3; // OS = Unix, whatever the host zlib writes
  return new Uint8Array(g);
}

export interface SyntheticXen { bytes: Uint8Array; memberOffset: number }

/** A Xen image of `size` bytes with the .config member at `memberOffset` and the compatible string after it. */
export function syntheticXen(config: string | undefined, opts: { memberOffset?: number; size?: number; compatible?: string; decoyGzip?: boolean } = {}): SyntheticXen {
  const size = opts.size ?? 0x100000;
  const memberOffset = opts.memberOffset ?? 0x75f80;
  const bytes = new Uint8Array(size);
  bytes.set(XEN_417_HEAD, 0);
  // Filler that looks like code: a few stray gzip-magic bytes that are not a member.
  for (let i = 0x1000; i < memberOffset; i += 0x1000) bytes.set([0x1f, 0x8b, 0x08, 0xff, 0x00], i);
  if (opts.decoyGzip) bytes.set(gzipN('not a config\n'), 0x20000);
  if (config !== undefined) bytes.set(gzipN(config), memberOffset);
  const compat = Buffer.from(`${opts.compatible ?? 'xen,xen-4.17'}\0xen,xen\0`, 'latin1');
  bytes.set(compat, size - 0x10000);
  return { bytes, memberOffset };
}
