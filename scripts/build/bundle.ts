// Build step: bundle the CLI into one ES module (dist/bundle/uboot-gen.mjs). Loading one file
// instead of ~110 saves a third of a short run's wall time (measured by `npm run bench`:
// generate + verify of dom0 + 2 domUs, median 0.17 s from the modules → 0.10 s from the bundle
// on a 2-core machine). bin/uboot-gen.js runs it unless tsc has written its output since.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { PRECOMPILED_FILE } from '../../src/emit/render.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const outDir = path.join(root, 'dist', 'bundle');
fs.rmSync(outDir, { recursive: true, force: true });
await build({
  // check --jobs N starts worker threads on an entry of their own, beside the CLI's.
  entryPoints: { 'uboot-gen': path.join(root, 'dist', 'src', 'cli', 'main.js'), 'check-worker': path.join(root, 'dist', 'src', 'cli', 'check-worker.js') },
  bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning',
  // ora is only loaded for an interactive spinner; it stays a normal import.
  external: ['ora'],
  // handlebars (CommonJS) and the lazy `require('handlebars/runtime')` need a real require().
  banner: { js: "import { createRequire as __ubgCreateRequire } from 'node:module'; const require = __ubgCreateRequire(import.meta.url);" },
  // Split at the dynamic imports: `generate --no-verify` never evaluates the simulators or the lab.
  splitting: true, outdir: outDir, entryNames: '[name]', chunkNames: 'chunk-[hash]', outExtension: { '.js': '.mjs' },
});
// render.ts looks for the precompiled templates next to its own module, i.e. next to the bundle.
fs.copyFileSync(path.join(root, 'dist', 'src', 'emit', PRECOMPILED_FILE), path.join(outDir, PRECOMPILED_FILE));
