#!/usr/bin/env node
// The CLI: the single-file bundle when built (faster start), else the compiled modules.
import { existsSync } from 'node:fs';
const bundle = new URL('../dist/bundle/uboot-gen.mjs', import.meta.url);
const entry = existsSync(bundle) ? bundle.href : new URL('../dist/src/cli/main.js', import.meta.url).href;
import(entry).then((m) => m.main(process.argv)).catch((e) => { console.error(e); process.exit(70); });
