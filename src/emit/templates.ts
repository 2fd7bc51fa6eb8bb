// Where the handlebars sources live, the user's overrides (--templates DIR), and the hash that
// ties a precompiled copy to the sources it was made from.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UbootGenError } from '../errors.js';

/** Top-level templates (templates/NAME.hbs); everything in templates/partials/ is a partial. */
export const MAIN_TEMPLATES = ['boot.source', 'hint'] as const;
export type MainTemplate = typeof MAIN_TEMPLATES[number];

/** Handlebars options for every template: a boot script is not HTML, and a missing field is an error. */
export const TEMPLATE_OPTIONS = { noEscape: true, strict: true } as const;

export interface TemplateSource {
  text: string;
  /** The file it was read from, for error messages. */
  file: string;
}

export interface TemplateSources {
  /** Main templates and partials by name (`boot.source`, `hint`, `loads`, `domu`, ...). */
  templates: Record<string, TemplateSource>;
  /** Names that are partials. */
  partials: string[];
  hash: string;
}

/** templates/ at the package root (two levels above dist/src/emit or src/emit). */
export function templatesDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const up of ['../../..', '../..']) {
    const dir = path.resolve(here, up, 'templates');
    if (fs.existsSync(path.join(dir, 'boot.source.hbs'))) return dir;
  }
  throw new UbootGenError('EMIT_TEMPLATE', `cannot find the templates folder near ${here}`);
}

const hbsFiles = (dir: string): string[] => fs.readdirSync(dir).filter((f) => f.endsWith('.hbs')).sort();

/**
 * The templates uboot-gen ships, with any file of `overrideDir` replacing the template of the same
 * name: `DIR/domu.hbs` (or `DIR/partials/domu.hbs`, so a copy of the whole templates/ folder works
 * too) replaces partials/domu.hbs, `DIR/boot.source.hbs` the main template. A file whose name is no
 * template is refused, so a typo never silently leaves the default in place.
 */
export function readTemplateSources(dir = templatesDir(), overrideDir?: string): TemplateSources {
  const templates: Record<string, TemplateSource> = {};
  const read = (file: string): TemplateSource => ({ text: fs.readFileSync(file, 'utf8'), file });
  for (const name of MAIN_TEMPLATES) templates[name] = read(path.join(dir, `${name}.hbs`));
  const partials = hbsFiles(path.join(dir, 'partials')).map((f) => f.slice(0, -4));
  for (const name of partials) templates[name] = read(path.join(dir, 'partials', `${name}.hbs`));
  if (overrideDir !== undefined) applyOverrides(templates, overrideDir);
  const hash = crypto.createHash('sha256')
    .update(JSON.stringify(Object.entries(templates).map(([n, t]) => [n, t.text]))).digest('hex');
  return { templates, partials, hash };
}

function applyOverrides(templates: Record<string, TemplateSource>, overrideDir: string): void {
  const fix = 'name each file after the template it replaces: '
    + `${Object.keys(templates).map((n) => `${n}.hbs`).join(', ')}`;
  let files: string[];
  try {
    files = hbsFiles(overrideDir).map((f) => path.join(overrideDir, f));
    const sub = path.join(overrideDir, 'partials');
    if (fs.existsSync(sub) && fs.statSync(sub).isDirectory()) files.push(...hbsFiles(sub).map((f) => path.join(sub, f)));
  } catch (e) {
    throw new UbootGenError('EMIT_TEMPLATE_DIR', `cannot read this templates folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      { dir: overrideDir }, { file: overrideDir }, 'give --templates a folder holding .hbs files');
  }
  const seen = new Map<string, string>();
  for (const file of files) {
    const name = path.basename(file, '.hbs');
    if (!(name in templates)) {
      throw new UbootGenError('EMIT_TEMPLATE_DIR', `${file} does not replace any template: there is no template called "${name}"`,
        { file }, { file }, fix);
    }
    const before = seen.get(name);
    if (before !== undefined) {
      throw new UbootGenError('EMIT_TEMPLATE_DIR', `${before} and ${file} both replace the template "${name}"`,
        { file }, { file }, 'keep one of the two files');
    }
    seen.set(name, file);
    templates[name] = { text: fs.readFileSync(file, 'utf8'), file };
  }
}
