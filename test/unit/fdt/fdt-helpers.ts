// Shared helpers for the fdt specs: fixture loading and real-tool detection.
import { readFileSync } from 'node:fs';
import { fixturePath } from '../../helpers/paths.js';
import { tempDir } from '../../helpers/temp.js';
import { runTool } from '../../helpers/tools.js';

export { hasTool } from '../../helpers/tools.js';

/** A fresh copy of a DTB fixture from test/fixtures/dtb. */
export function loadDtb(name: string): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath('dtb', name)));
}

/** Run a tool with `input` on stdin; returns stdout, throws with stderr on a non-zero exit. */
export const run = (tool: string, args: string[], input?: Uint8Array): string => runTool(tool, args, input ? { input } : {});

export const tmpDir = (): string => tempDir('fdt-');

/** Copy a blob into a larger zeroed buffer and grow it in place to `size` bytes (like `fdt addr X size`). */
export function withSpace(blob: Uint8Array, size: number): Uint8Array {
  const buf = new Uint8Array(size);
  buf.set(blob);
  return buf;
}

export const bytesEqual = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);
