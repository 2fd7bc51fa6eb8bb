// Handlebars rendering of boot.source. A private environment, compiled with
// noEscape (a boot script is not HTML: `"` must stay `"`) and strict (a missing
// field is an error, never an empty string).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { UbootGenError } from '../errors.js';
import type { ScriptModel } from './model.js';

/** templates/ beside dist/ (compiled) or beside src/ (ts sources). */
export function templatesDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const up of ['../../..', '../..']) {
    const dir = path.resolve(here, up, 'templates');
    if (fs.existsSync(path.join(dir, 'boot.source.hbs'))) return dir;
  }
  throw new UbootGenError('EMIT_TEMPLATE', `cannot find the templates folder near ${here}`);
}

let compiled: HandlebarsTemplateDelegate<ScriptModel> | undefined;

function compile(dir: string): HandlebarsTemplateDelegate<ScriptModel> {
  const hb = Handlebars.create();
  const partials = path.join(dir, 'partials');
  for (const f of fs.readdirSync(partials).sort()) {
    if (f.endsWith('.hbs')) hb.registerPartial(f.slice(0, -4), fs.readFileSync(path.join(partials, f), 'utf8'));
  }
  return hb.compile<ScriptModel>(fs.readFileSync(path.join(dir, 'boot.source.hbs'), 'utf8'), { noEscape: true, strict: true });
}

export function renderBootSource(model: ScriptModel, dir = templatesDir()): string {
  compiled ??= compile(dir);
  try {
    return compiled(model);
  } catch (e) {
    throw new UbootGenError('EMIT_TEMPLATE', `rendering boot.source failed: ${(e as Error).message}`);
  }
}
