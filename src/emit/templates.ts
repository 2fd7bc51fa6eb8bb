// Where the handlebars sources live, and the hash that ties a precompiled copy to them.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UbootGenError } from '../errors.js';

export interface TemplateSources { main: string; partials: Record<string, string>; hash: string }

/** templates/ at the package root (two levels above dist/src/emit or src/emit). */
export function templatesDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const up of ['../../..', '../..']) {
    const dir = path.resolve(here, up, 'templates');
    if (fs.existsSync(path.join(dir, 'boot.source.hbs'))) return dir;
  }
  throw new UbootGenError('EMIT_TEMPLATE', `cannot find the templates folder near ${here}`);
}

export function readTemplateSources(dir = templatesDir()): TemplateSources {
  const main = fs.readFileSync(path.join(dir, 'boot.source.hbs'), 'utf8');
  const partials: Record<string, string> = {};
  const pdir = path.join(dir, 'partials');
  for (const f of fs.readdirSync(pdir).sort()) if (f.endsWith('.hbs')) partials[f.slice(0, -4)] = fs.readFileSync(path.join(pdir, f), 'utf8');
  const hash = crypto.createHash('sha256').update(JSON.stringify([main, partials])).digest('hex');
  return { main, partials, hash };
}
