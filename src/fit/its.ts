// The .its text ImageBuilder hands to `mkimage -f`, rendered from templates/fit/its.hbs. Its layout (indents,
// the signature block's closing brace at column 0, a blank-but-indented line for each absent configuration
// entry) is ImageBuilder's, so the file can be diffed against the one ImageBuilder writes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { UbootGenError } from '../errors.js';
import { FIT_DESCRIPTION, FIT_UNSIGNED_HASH, type FitSpec } from './types.js';

/** ImageBuilder prints addresses with `printf "0x%X"`. */
const hexUpper = (n: number): string => `0x${n.toString(16).toUpperCase()}`;
const quotedList = (names: readonly string[]): string => names.map((n) => `"${n}"`).join(', ');

/** templates/fit/its.hbs at the package root (from src/fit or dist/src/fit). */
export function itsTemplatePath(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const up of ['../../..', '../..']) {
    const file = path.resolve(here, up, 'templates', 'fit', 'its.hbs');
    if (fs.existsSync(file)) return file;
  }
  throw new UbootGenError('EMIT_TEMPLATE', `cannot find templates/fit/its.hbs near ${here}`);
}

let compiled: { file: string; render: HandlebarsTemplateDelegate } | undefined;

/** The .its text for `spec`; `templateFile` replaces templates/fit/its.hbs. */
export function renderIts(spec: FitSpec, templateFile = itsTemplatePath()): string {
  if (compiled?.file !== templateFile) {
    compiled = { file: templateFile, render: Handlebars.compile(fs.readFileSync(templateFile, 'utf8'), { noEscape: true, strict: false }) };
  }
  const c = spec.configuration;
  return compiled.render({
    description: FIT_DESCRIPTION,
    signing: spec.signing,
    hashAlgo: spec.hashAlgo ?? FIT_UNSIGNED_HASH,
    images: spec.images.map((i) => ({
      name: i.name, description: i.description, path: i.path, type: i.type, arch: i.arch, os: i.os,
      compatible: i.compatible, load: hexUpper(i.load), entry: i.entry === undefined ? undefined : hexUpper(i.entry),
    })),
    config: {
      description: c.description,
      kernel: c.kernel,
      fdtLine: c.fdt.length > 0 ? `fdt = ${quotedList(c.fdt)};` : '',
      ramdiskLine: c.ramdisk !== undefined ? `ramdisk = "${c.ramdisk}";` : '',
      fpgaLine: c.fpga !== undefined ? `fpga = "${c.fpga}";` : '',
      loadablesLine: c.loadables !== undefined ? `loadables = ${quotedList(c.loadables)};` : '',
    },
  });
}
