// Handlebars rendering of templates/. A private environment with the helpers of helpers.ts,
// noEscape (a boot script is not HTML: `"` must stay `"`) and strict (a missing field is an error,
// never an empty string). `npm run build` precompiles templates/ so a run loads only the small
// handlebars runtime; the precompiled copy is used only while its hash matches the sources (and
// no --templates folder replaces any of them), so an edited template is never served stale.
//
// A render can mark which template produced each part of its output (see TemplateOwners): the
// measurement of the script's `fdt` edits then names the template file of a command it cannot
// apply. Marks are added around each partial's output and removed before anything is returned.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import HandlebarsRuntime from 'handlebars/runtime.js';
import { UbootGenError } from '../errors.js';
import { TEMPLATE_HELPERS } from './helpers.js';
import type { HintModel, ScriptModel } from './model.js';
import { readTemplateSources, templatesDir, TEMPLATE_OPTIONS, type MainTemplate, type TemplateSources } from './templates.js';

/** File written by scripts/precompile-templates.ts next to this module's build output. */
export const PRECOMPILED_FILE = 'templates.precompiled.json';

interface Precompiled { hash: string; templates: Record<string, string> }
type Render = (m: unknown, options?: unknown) => string;
interface HbRuntime { create(): HbEnv }
interface HbEnv {
  template(spec: unknown): Render;
  registerPartial(name: string, p: unknown): void;
  registerHelper(name: string, fn: unknown): void;
  compile(src: string, o: object): Render;
  parse(src: string): unknown;
}

// Marks around a partial's output: BEGIN name SEP … END. Control characters that no template
// or config value of a boot script contains.
const BEGIN = '\u0001';
const SEP = '\u0002';
const END = '\u0003';

interface LoadedTemplates { sources: TemplateSources; mains: Record<string, Render>; marking: { on: boolean } }

let cached: { key: string; loaded: LoadedTemplates } | undefined;

/** Which template file produced each part of a rendered text. */
export interface TemplateOwners {
  /** The template file that produced the character at `offset` of the returned text. */
  fileAt(offset: number): string;
}

function annotate(e: unknown, file: string): unknown {
  if (e instanceof Error && !('templateFile' in e)) Object.assign(e, { templateFile: file });
  return e;
}

function load(sources: TemplateSources): LoadedTemplates {
  const marking = { on: false };
  let hb: HbEnv;
  let build: (name: string) => Render;
  const preFile = path.join(path.dirname(fileURLToPath(import.meta.url)), PRECOMPILED_FILE);
  const pre = fs.existsSync(preFile) ? JSON.parse(fs.readFileSync(preFile, 'utf8')) as Precompiled : undefined;
  if (pre && pre.hash === sources.hash && pre.templates) {
    // The runtime is a static import so the bundle carries it; the full compiler below is loaded
    // only when the precompiled copy is stale or a template is replaced.
    hb = (HandlebarsRuntime as unknown as HbRuntime).create();
    // The specs are handlebars' own precompiler output for our templates (a JS object literal).
    build = (name) => hb.template(new Function(`return ${pre.templates[name]!};`)());
  } else {
    // Created here, not at load: in the startup snapshot this module is evaluated at build time.
    const require = createRequire(import.meta.url);
    hb = (require('handlebars') as HbRuntime).create();
    build = (name) => {
      const t = sources.templates[name]!;
      try {
        hb.parse(t.text);
      } catch (e) {
        throw new UbootGenError('EMIT_TEMPLATE', `${t.file} is not a valid handlebars template: ${(e as Error).message}`,
          { file: t.file }, { file: t.file }, 'fix the template syntax (https://handlebarsjs.com/guide/)');
      }
      return hb.compile(t.text, TEMPLATE_OPTIONS);
    };
  }
  for (const [name, fn] of Object.entries(TEMPLATE_HELPERS)) hb.registerHelper(name, fn);
  for (const name of sources.partials) {
    const fn = build(name);
    const file = sources.templates[name]!.file;
    hb.registerPartial(name, (ctx: unknown, options: unknown) => {
      let out: string;
      try {
        out = fn(ctx, options);
      } catch (e) {
        throw annotate(e, file);
      }
      if (!marking.on || out === '') return out;
      // The end mark goes before a final newline: handlebars indents every line of a standalone
      // partial's output, and a mark alone on a last line would leave that indent behind.
      const body = out.endsWith('\n') ? `${out.slice(0, -1)}${END}\n` : `${out}${END}`;
      return `${BEGIN}${file}${SEP}${body}`;
    });
  }
  const mains: Record<string, Render> = {};
  for (const name of ['boot.source', 'hint'] as const) mains[name] = build(name);
  return { sources, mains, marking };
}

function loaded(dir: string, overrideDir: string | undefined): LoadedTemplates {
  const key = `${dir}\0${overrideDir ?? ''}`;
  if (cached?.key === key && overrideDir === undefined) return cached.loaded;
  // A user's templates are read again at every render: a long-running caller sees their edits.
  // They are compiled again only when their text changed.
  const sources = readTemplateSources(dir, overrideDir);
  if (cached?.key !== key || cached.loaded.sources.hash !== sources.hash) cached = { key, loaded: load(sources) };
  return cached.loaded;
}

/** Drop the loaded templates so the next render reads templates/ again (after the snapshot warm-up). */
export function forgetLoadedTemplates(): void {
  cached = undefined;
}

export interface RenderOptions {
  /** --templates DIR: files replacing templates of the same name. */
  overrideDir?: string;
  /** The shipped templates (default: templates/ of the package). */
  dir?: string;
}

function renderMain(name: MainTemplate, model: unknown, opts: RenderOptions, mark: boolean): string {
  const t = loaded(opts.dir ?? templatesDir(), opts.overrideDir);
  t.marking.on = mark;
  try {
    return t.mains[name]!(model);
  } catch (e) {
    const file = (e as { templateFile?: string }).templateFile ?? t.sources.templates[name]!.file;
    throw new UbootGenError('EMIT_TEMPLATE', `rendering ${name} failed in ${file}: ${(e as Error).message}`,
      { file }, { file }, 'every field a template uses must exist in the model (see README "Templates")');
  } finally {
    t.marking.on = false;
  }
}

/** boot.source for a model. */
export function renderBootSource(model: ScriptModel, opts: RenderOptions = {}): string {
  return renderMain('boot.source', model, opts, false);
}

/**
 * boot.source plus which template file wrote each part of it. `extraCmdsFile` names the
 * APPEND_EXTRA_CMDS file, so the commands copied from it are attributed to it, not to the template.
 */
export function renderBootSourceWithOwners(model: ScriptModel, opts: RenderOptions = {}, extraCmdsFile?: string): { text: string; owners: TemplateOwners } {
  const marked = renderMain('boot.source', extraCmdsFile !== undefined && model.extraCmds !== ''
    ? { ...model, extraCmds: `${BEGIN}${extraCmdsFile}${SEP}${model.extraCmds}${END}` }
    : model, opts, true);
  const main = loaded(opts.dir ?? templatesDir(), opts.overrideDir).sources.templates['boot.source']!.file;
  return stripMarks(marked, main);
}

/** The U-Boot prompt command that fetches and runs the script (templates/hint.hbs), one line. */
export function renderScriptHint(model: HintModel, opts: RenderOptions = {}): string {
  return renderMain('hint', { fit: null, ...model }, opts, false).replace(/\n+$/, '');
}

/** Remove the marks, remembering where each template's output starts and ends. */
export function stripMarks(marked: string, mainFile: string): { text: string; owners: TemplateOwners } {
  const starts: number[] = [0];
  const files: string[] = [mainFile];
  const stack: string[] = [mainFile];
  let text = '';
  let i = 0;
  while (i < marked.length) {
    const b = marked.indexOf(BEGIN, i);
    const e = marked.indexOf(END, i);
    const next = Math.min(b < 0 ? Infinity : b, e < 0 ? Infinity : e);
    if (next === Infinity) { text += marked.slice(i); break; }
    text += marked.slice(i, next);
    if (next === b) {
      const sep = marked.indexOf(SEP, b);
      stack.push(marked.slice(b + 1, sep));
      i = sep + 1;
    } else {
      stack.pop();
      i = e + 1;
    }
    starts.push(text.length);
    files.push(stack[stack.length - 1] ?? mainFile);
  }
  return {
    text,
    owners: {
      fileAt(offset) {
        let lo = 0;
        let hi = starts.length - 1;
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if (starts[mid]! <= offset) lo = mid; else hi = mid - 1;
        }
        return files[lo]!;
      },
    },
  };
}
