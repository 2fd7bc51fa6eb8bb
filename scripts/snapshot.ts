// Build step: the V8 startup snapshot bin/uboot-gen starts from (dist/snapshot/uboot-gen.blob).
// src/cli/snapshot.ts is bundled into one script, Node runs it with --build-snapshot (which
// warms the CLI up on config.example and the bundled samples) and writes the heap to the blob.
// Measured on the 2-core CI machine (both without NODE_EXTRA_CA_CERTS, as the launcher runs Node):
// generate + verify of dom0 + 2 domUs, median 0.11 s from the JS bundle → 0.07 s from the snapshot.
//
// A blob only loads in the Node binary that wrote it (and with the same V8 flags), so the
// launcher falls back to bin/uboot-gen.js when Node refuses it (exit code 14), and this step
// leaves no blob, with a warning, where snapshots cannot be built at all.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { PRECOMPILED_FILE } from '../src/emit/render.js';
import { SNAPSHOT_BLOB, SNAPSHOT_DIR, SNAPSHOT_SCRIPT, WARMUP_ENV } from '../src/cli/snapshot.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const outDir = path.join(root, SNAPSHOT_DIR);
const script = path.join(outDir, SNAPSHOT_SCRIPT);
const BLOB = path.join(outDir, SNAPSHOT_BLOB);

fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });
await build({
  entryPoints: [path.join(root, 'dist', 'src', 'cli', 'snapshot.js')],
  // One classic script: a snapshot is built from a single file that can require only built-ins.
  bundle: true, platform: 'node', format: 'iife', target: 'node20', logLevel: 'warning',
  // Compact code makes a smaller heap to deserialize at every start (7.2 → 6.3 MB, a few ms);
  // identifiers and function names stay, so stack traces of internal errors still read.
  minifyWhitespace: true, minifySyntax: true, keepNames: true,
  define: { 'import.meta.url': 'globalThis.__ubgModuleUrl' },
  banner: { js: `globalThis.__ubgModuleUrl = ${JSON.stringify(new URL(`file://${script}`).href)};` },
  outfile: script,
});
// render.ts looks for the precompiled templates next to its own module, i.e. next to the script.
fs.copyFileSync(path.join(root, 'dist', 'src', 'emit', PRECOMPILED_FILE), path.join(outDir, PRECOMPILED_FILE));

const tmpBlob = `${BLOB}.${process.pid}.tmp`;
const made = spawnSync(process.execPath, ['--snapshot-blob', tmpBlob, '--build-snapshot', script], {
  encoding: 'utf8', env: { ...process.env, [WARMUP_ENV]: root },
});
if (made.status !== 0 || !fs.existsSync(tmpBlob)) {
  fs.rmSync(tmpBlob, { force: true });
  process.stderr.write(`warning: no startup snapshot (uboot-gen still works, starting slower): node --build-snapshot exited ${made.status}\n${made.stderr}`);
} else {
  // Prove the blob loads and runs before the launcher is allowed to use it.
  const probe = spawnSync(process.execPath, ['--snapshot-blob', tmpBlob, '--', '--version'], { encoding: 'utf8' });
  const version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  if (probe.status === 0 && probe.stdout.trim() === version) {
    fs.renameSync(tmpBlob, BLOB);
  } else {
    fs.rmSync(tmpBlob, { force: true });
    process.stderr.write(`warning: the startup snapshot does not run (exit ${probe.status}); uboot-gen starts without it\n${probe.stderr}`);
  }
}
