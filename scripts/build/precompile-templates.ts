// Build step: precompile templates/ with handlebars into dist/src/emit/templates.precompiled.json,
// keyed by a hash of the sources.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { readTemplateSources, TEMPLATE_OPTIONS } from '../../src/emit/templates.js';
import { PRECOMPILED_FILE } from '../../src/emit/render.js';

const src = readTemplateSources();
const out = {
  hash: src.hash,
  templates: Object.fromEntries(Object.entries(src.templates).map(([n, t]) => [n, Handlebars.precompile(t.text, TEMPLATE_OPTIONS) as string])),
};
const target = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'emit', PRECOMPILED_FILE);
fs.writeFileSync(target, JSON.stringify(out));
