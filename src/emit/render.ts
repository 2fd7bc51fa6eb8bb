// Handlebars rendering of boot.source. A private environment with noEscape (a boot
// script is not HTML: `"` must stay `"`) and strict (a missing field is an error,
// never an empty string). `npm run build` precompiles templates/ so a run loads only
// the small handlebars runtime; the precompiled copy is used only while its hash
// matches the sources, so an edited template is never served stale.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import HandlebarsRuntime from 'handlebars/runtime.js';
import { UbootGenError } from '../errors.js';
import type { ScriptModel } from './model.js';
import { readTemplateSources, templatesDir } from './templates.js';

/** File written by scripts/precompile-templates.ts next to this module's build output. */
export const PRECOMPILED_FILE = 'templates.precompiled.json';

interface Precompiled { hash: string; main: string; partials: Record<string, string> }
type Render = (m: ScriptModel) => string;
interface HbRuntime { create(): HbEnv }
interface HbEnv {
  template(spec: unknown): Render;
  registerPartial(name: string, p: unknown): void;
  compile(src: string, o: object): Render;
}

let cached: { dir: string; render: Render } | undefined;

function load(dir: string): Render {
  const src = readTemplateSources(dir);
  const preFile = path.join(path.dirname(fileURLToPath(import.meta.url)), PRECOMPILED_FILE);
  if (fs.existsSync(preFile)) {
    const pre = JSON.parse(fs.readFileSync(preFile, 'utf8')) as Precompiled;
    if (pre.hash === src.hash) {
      // The runtime is a static import so the bundle carries it; the full compiler below is loaded
      // only when the precompiled copy is stale.
      const hb = (HandlebarsRuntime as unknown as HbRuntime).create();
      // The specs are handlebars' own precompiler output for our templates (a JS object literal).
      const spec = (code: string): unknown => new Function(`return ${code};`)();
      for (const [name, code] of Object.entries(pre.partials)) hb.registerPartial(name, hb.template(spec(code)));
      return hb.template(spec(pre.main));
    }
  }
  // Created here, not at load: in the startup snapshot this module is evaluated at build time.
  const require = createRequire(import.meta.url);
  const hb = (require('handlebars') as HbRuntime).create();
  for (const [name, text] of Object.entries(src.partials)) hb.registerPartial(name, text);
  return hb.compile(src.main, { noEscape: true, strict: true });
}

/** Drop the loaded templates so the next render reads templates/ again (after the snapshot warm-up). */
export function forgetLoadedTemplates(): void {
  cached = undefined;
}

export function renderBootSource(model: ScriptModel, dir = templatesDir()): string {
  if (!cached || cached.dir !== dir) cached = { dir, render: load(dir) };
  try {
    return cached.render(model);
  } catch (e) {
    throw new UbootGenError('EMIT_TEMPLATE', `rendering boot.source failed: ${(e as Error).message}`);
  }
}
