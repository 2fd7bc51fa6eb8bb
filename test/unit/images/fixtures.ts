// Shared helpers for the images specs: fixture bytes, the manifest, sparse
// re-creations of real binaries from their committed header slices, and the
// real tools (mkimage, dumpimage, gzip, cpio, dtc) when installed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UbootGenError } from '../../../src/errors.js';
import { fixturePath } from '../../helpers/paths.js';
import { tempDir } from '../../helpers/temp.js';

export { tempDir };
export { hasTool, runTool } from '../../helpers/tools.js';

export interface ManifestEntry {
  sha256: string;
  size: number;
  command?: string;
  realSize?: number;
  realSha256?: string;
  tailHex?: string;
  package?: string;
  version?: string;
}

export const imagesFixture = (name: string): string => fixturePath('images', name);
export const fixtureBytes = (name: string): Uint8Array => new Uint8Array(fs.readFileSync(imagesFixture(name)));

let manifestCache: Record<string, ManifestEntry> | undefined;
export function manifest(): Record<string, ManifestEntry> {
  manifestCache ??= (JSON.parse(fs.readFileSync(imagesFixture('MANIFEST.json'), 'utf8')) as { files: Record<string, ManifestEntry> }).files;
  return manifestCache;
}

/** The UbootGenError a call throws (fails the test when it does not throw one). */
export function catchError(fn: () => unknown): UbootGenError {
  try {
    fn();
  } catch (e) {
    if (e instanceof UbootGenError) return e;
    throw e;
  }
  throw new Error('expected the call to throw a UbootGenError, it returned normally');
}

/**
 * Recreate a real binary as a sparse file: its committed 4 KiB header slice at
 * the start, `tailHex` (e.g. gzip ISIZE) at the end, holes in between, total
 * size = the real size recorded in MANIFEST.json.
 */
export function sparseFromSlice(sliceName: string, dir = tempDir()): { path: string; realSize: number } {
  const entry = manifest()[sliceName];
  if (!entry?.realSize) throw new Error(`MANIFEST.json has no realSize for ${sliceName}`);
  const out = path.join(dir, sliceName.replace(/\.head$/, ''));
  fs.writeFileSync(out, fixtureBytes(sliceName));
  fs.truncateSync(out, entry.realSize);
  if (entry.tailHex) {
    const tail = Buffer.from(entry.tailHex, 'hex');
    const fd = fs.openSync(out, 'r+');
    try { fs.writeSync(fd, tail, 0, tail.length, entry.realSize - tail.length); } finally { fs.closeSync(fd); }
  }
  return { path: out, realSize: entry.realSize };
}
