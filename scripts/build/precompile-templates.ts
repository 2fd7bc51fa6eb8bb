// Build step: precompile templates/ with handlebars (noEscape, strict) into
// dist/src/emit/templates.precompiled.json, keyed by a hash of the sources.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { readTemplateSources } from '../../src/emit/templates.js';
import { PRECOMPILED_FILE } from '../../src/emit/render.js';

const opts = { noEscape: true, strict: true };
const src = readTemplateSources();
const out = {
  hash: src.hash,
  main: Handlebars.precompile(src.main, opts) as string,
  partials: Object.fromEntries(Object.entries(src.partials).map(([n, t]) => [n, Handlebars.precompile(t, opts) as string])),
};
const target = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'emit', PRECOMPILED_FILE);
fs.writeFileSync(target, JSON.stringify(out));
