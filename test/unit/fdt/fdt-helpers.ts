// Shared helpers for the fdt specs: fixture loading and real-tool detection.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixturePath } from '../../helpers/paths.js';

/** A fresh copy of a DTB fixture from test/fixtures/dtb. */
export function loadDtb(name: string): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath('dtb', name)));
}

/** True when `tool` runs (device-tree-compiler tools print their version with -V / --version). */
export function hasTool(tool: string, arg = '--version'): boolean {
  const r = spawnSync(tool, [arg], { encoding: 'utf8' });
  return !r.error;
}

/** Run a tool; returns stdout, throws with stderr on a non-zero exit. */
export function run(tool: string, args: string[], input?: Uint8Array): string {
  const r = spawnSync(tool, args, { encoding: 'utf8', input });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

export function tmpDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'uboot-gen-fdt-'));
}

/** Copy a blob into a larger zeroed buffer and grow it in place to `size` bytes (like `fdt addr X size`). */
export function withSpace(blob: Uint8Array, size: number): Uint8Array {
  const buf = new Uint8Array(size);
  buf.set(blob);
  return buf;
}

export const bytesEqual = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);
