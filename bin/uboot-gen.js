#!/usr/bin/env node
// The CLI: the single-file bundle (dist/bundle, a third faster to start), else tsc's modules.
// In a source checkout tsc's build info lies next to them: when it is newer than the bundle, tsc
// has compiled since the bundle was made, so the bundle would run old code and the modules run.
import { statSync } from 'node:fs';

const at = (p) => new URL(p, import.meta.url);
const bundle = statSync(at('../dist/bundle/uboot-gen.mjs'), { throwIfNoEntry: false });
const compiled = statSync(at('../dist/tsconfig.tsbuildinfo'), { throwIfNoEntry: false });
const entry = bundle && !(compiled && compiled.mtimeMs > bundle.mtimeMs) ? '../dist/bundle/uboot-gen.mjs' : '../dist/src/cli/main.js';
import(at(entry).href).then((m) => m.main(process.argv)).catch((e) => { console.error(e); process.exit(70); });
