// Build step: remove compiled files whose TypeScript source is gone. tsc (incremental or not)
// never deletes outputs, so a deleted or renamed spec would otherwise go on running in mocha,
// and a deleted module could still be imported by a stale neighbour.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ROOT = path.dirname(DIST);
/** What tsc emits per source file. */
const OUTPUT = /\.(js|js\.map|d\.ts|d\.ts\.map)$/;

function prune(dir: string): number {
  let removed = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const abs = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      removed += prune(abs);
      if (fs.readdirSync(abs).length === 0) fs.rmdirSync(abs);
      continue;
    }
    if (!OUTPUT.test(entry.name)) continue;
    const rel = path.relative(DIST, abs);
    const source = path.join(ROOT, rel.replace(OUTPUT, '.ts'));
    if (!fs.existsSync(source)) { fs.rmSync(abs); removed++; }
  }
  return removed;
}

let removed = 0;
for (const tree of ['src', 'test', 'scripts']) {
  const dir = path.join(DIST, tree);
  if (fs.existsSync(dir)) removed += prune(dir);
}
if (removed > 0) console.log(`prune-dist: removed ${removed} compiled file(s) whose source is gone`);
