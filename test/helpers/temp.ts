// Temporary folders for tests: one root per test run, removed when the run ends.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

let root: string | undefined;

/** A fresh folder under this run's temporary root. */
export function tempDir(prefix = 't-'): string {
  if (!root) {
    const r = fs.mkdtempSync(path.join(os.tmpdir(), 'uboot-gen-test-'));
    process.once('exit', () => fs.rmSync(r, { recursive: true, force: true }));
    root = r;
  }
  return fs.mkdtempSync(path.join(root, prefix));
}
