// The boot report as one self-contained HTML file: inline CSS and SVG, no script, no network,
// so it opens from disk or as a CI artifact. Markup lives in templates/report/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { templatesDir } from '../emit/templates.js';
import type { BatchReportModel, ReportModel } from './model.js';

/** SVG coordinates to one decimal: enough for a screen, and stable text for tests. */
const num = (n: unknown): string => (typeof n === 'number' && Number.isFinite(n) ? String(Math.round(n * 10) / 10) : '0');

export async function renderReportHtml(model: ReportModel, dir = path.join(templatesDir(), 'report')): Promise<string> {
  return (await compile(dir, 'report.html'))(model);
}

/** `check --report`: a table of the configs, each linked to its own boot report below it. */
export async function renderBatchReportHtml(model: BatchReportModel, dir = path.join(templatesDir(), 'report')): Promise<string> {
  return (await compile(dir, 'check.html'))(model);
}

async function compile(dir: string, main: string): Promise<(model: unknown) => string> {
  // The full compiler is needed only here, so it is loaded only when a report is asked for.
  const { default: Handlebars } = await import('handlebars');
  const hb = Handlebars.create();
  const read = (name: string): string => fs.readFileSync(path.join(dir, `${name}.hbs`), 'utf8');
  for (const partial of ['map-view', 'chosen-node', 'style', 'report-body']) hb.registerPartial(partial, read(partial));
  hb.registerHelper('num', num);
  hb.registerHelper('add', (a: number, b: number) => a + b);
  hb.registerHelper('sub', (a: number, b: number) => a - b);
  hb.registerHelper('mul', (a: number, b: number) => a * b);
  // HTML escaping stays on: file names, command lines and console text are data, not markup.
  return hb.compile(read(main), { strict: false });
}
