// Shared helpers for the images specs: fixture bytes, the manifest, sparse
// re-creations of real binaries from their committed header slices, and the
// real tools (mkimage, dumpimage, gzip, cpio, dtc) when installed.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UbootGenError } from '../../../src/errors.js';
import { fixturePath } from '../../helpers/paths.js';

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

let tempRoot: string | undefined;
/** A fresh temporary directory under one per-run root, removed at process exit. */
export function tempDir(): string {
  if (!tempRoot) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'uboot-gen-images-'));
    process.once('exit', () => fs.rmSync(root, { recursive: true, force: true }));
    tempRoot = root;
  }
  return fs.mkdtempSync(path.join(tempRoot, 't-'));
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

export function hasTool(name: string): boolean {
  const r = spawnSync(name, ['--version'], { stdio: 'ignore' });
  return !r.error;
}

/** Run a real tool; stdout as text. Throws with stderr on a non-zero exit. */
export function runTool(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): string {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, env: { ...process.env, TZ: 'UTC', LC_ALL: 'C', ...opts.env }, encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}
