// Entry of the V8 startup snapshot that bin/uboot-gen starts from (built by scripts/snapshot.ts).
//
// Why: on a 2-core machine Node starts in ~25 ms, and loading + compiling the CLI and running it
// as cold, never-seen code took another ~85 ms for a short generate + verify (dom0 + 2 domUs).
// A snapshot taken after the CLI has run once on the bundled samples holds the loaded modules and
// their bytecode, so a run starts where that warm-up left off (~45 ms on top of Node's start).
//
// Built as one script (Node 20 snapshots take no module graph), so `import.meta.url` is rewritten
// to `globalThis.__ubgModuleUrl`, which is set here: at build time to the build location, at run
// time from the blob's own path, so the CLI finds templates/ and package.json wherever it lives.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as v8 from 'node:v8';
import { forgetLoadedTemplates } from '../emit/render.js';
import { main } from './main.js';

declare global {
  // eslint-disable-next-line no-var
  var __ubgModuleUrl: string;
}

/** The snapshot's folder, from the package root (bin/uboot-gen names it too). */
export const SNAPSHOT_DIR = path.join('dist', 'snapshot');
/** The blob Node starts from, in SNAPSHOT_DIR. */
export const SNAPSHOT_BLOB = 'uboot-gen.blob';
/** The file name the bundled script has next to the blob. */
export const SNAPSHOT_SCRIPT = 'uboot-gen.cjs';
/** Environment variable naming a folder holding config.example and samples/, for the warm-up. */
export const WARMUP_ENV = 'UBOOT_GEN_SNAPSHOT_WARMUP';

/** `--snapshot-blob PATH` or `--snapshot-blob=PATH` from Node's own options. */
function blobPath(execArgv: readonly string[]): string | undefined {
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i]!;
    if (a === '--snapshot-blob') return execArgv[i + 1];
    if (a.startsWith('--snapshot-blob=')) return a.slice('--snapshot-blob='.length);
  }
  return undefined;
}

/** Run the CLI with its console output swallowed (the warm-up must not print into the build log). */
async function quietly(argv: string[]): Promise<void> {
  const out = process.stdout.write, err = process.stderr.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    await main(['node', 'uboot-gen', ...argv]);
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

/**
 * Exercise the paths a typical run takes (generate, verify, the JSON and text reports, simulate,
 * a config error) so their code is compiled before the snapshot is taken. Outputs go to a copy
 * of the samples in a temp folder.
 */
async function warmUp(samplesRoot: string): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uboot-gen-warmup-'));
  try {
    fs.cpSync(path.join(samplesRoot, 'samples'), path.join(dir, 'samples'), { recursive: true });
    fs.copyFileSync(path.join(samplesRoot, 'config.example'), path.join(dir, 'config'));
    const config = path.join(dir, 'config');
    await quietly([config]);
    await quietly([config, '--json', '-o', 'json']);
    await quietly([config, '-q', '--no-verify', '--no-share']);
    await quietly(['simulate', path.join(dir, 'boot.scr'), '--root', dir, '--board', path.join(dir, 'samples', 'virt.dtb')]);
    fs.writeFileSync(path.join(dir, 'bad'), 'NUM_DOMUS=x\n');
    await quietly([path.join(dir, 'bad')]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    process.exitCode = undefined;
    // Templates are read again at run time: they may be edited after the build.
    forgetLoadedTemplates();
  }
}

if (v8.startupSnapshot.isBuildingSnapshot()) {
  const samplesRoot = process.env[WARMUP_ENV];
  if (samplesRoot) void warmUp(samplesRoot);
  v8.startupSnapshot.setDeserializeMainFunction(() => {
    const blob = blobPath(process.execArgv);
    if (blob) globalThis.__ubgModuleUrl = pathToFileURL(path.join(path.dirname(path.resolve(blob)), SNAPSHOT_SCRIPT)).href;
    // process.argv is [node, ...args] here; the CLI expects [node, script, ...args].
    // Every piece of work is awaited by main(), and stdout/stderr writes are synchronous on
    // Linux, so exiting at once only skips Node's idle teardown.
    main([process.argv[0]!, 'uboot-gen', ...process.argv.slice(1)]).then(() => process.exit(), (e: unknown) => {
      process.stderr.write(`${String(e)}\n`);
      process.exit(70);
    });
  });
}
