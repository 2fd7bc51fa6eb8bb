// `generate --depfile FILE`: a make rule naming what a run read, written as compilers write theirs
// (gcc -MD -MP): every output depends on the config and on each file the run read, and each of those
// files gets an empty rule of its own, so a deleted file makes make run uboot-gen again (which then
// names the missing file) instead of stopping with "No rule to make target".
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GenerateResult } from '../api/generate.js';
import { readTemplateSources, templatesDir } from '../emit/templates.js';
import { OutputError, UbootGenError } from '../errors.js';
import { inputFiles } from '../output/paths.js';
import { wantedOutputs } from '../output/index.js';
import { writeFileAtomic } from '../util/file.js';

/** What the run read besides the config's own keys: options naming files. */
export interface DepfileExtras {
  /** --templates DIR: its files that replace a shipped template are inputs. */
  templates?: string;
  /** --board FILE.dtb */
  board?: string;
  /** --xen-config FILE */
  xenConfig?: string;
}

const isFile = (p: string): boolean => {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
};

/**
 * The files a run read, absolute, each once: the config, every file it names (XEN, DEVICE_TREE,
 * kernels, ramdisks, passthrough DTBs, DT_OVERLAYs, APPEND_EXTRA_CMDS, BITSTREAM, ...), the FIT signing key and
 * certificate, the --templates files in use, --board and --xen-config. A file the config names but
 * no run reads and that does not exist (a DOMU_ROOTFS for disk_image) is left out: listed, its
 * empty rule would make every build run again.
 */
export function depfileInputs(gen: GenerateResult, extras: DepfileExtras = {}): string[] {
  const { plan } = gen;
  const files = inputFiles(plan.config, plan.dir).map((i) => i.file);
  const signing = plan.config.fit?.signing;
  if (signing) for (const ext of ['key', 'crt']) files.push(path.resolve(plan.dir, signing.keyDir, `${signing.keyHint}.${ext}`));
  if (extras.templates !== undefined) {
    const shipped = path.resolve(templatesDir());
    for (const t of Object.values(readTemplateSources(templatesDir(), extras.templates).templates)) {
      if (!path.resolve(t.file).startsWith(`${shipped}${path.sep}`)) files.push(path.resolve(t.file));
    }
  }
  // PASSTHROUGH_DTS_REPO: the partial device trees compiled into the passthrough DTBs.
  for (const g of plan.generated ?? []) files.push(...g.sources);
  if (extras.board !== undefined) files.push(path.resolve(extras.board));
  if (extras.xenConfig !== undefined) files.push(path.resolve(extras.xenConfig));
  const outputs = new Set(depfileOutputs(gen));
  return [...new Set(files)].filter((f) => !outputs.has(f) && isFile(f));
}

/** Every file the run writes: boot.source, boot.scr (or the FIT and its .its), xen.ub, the FDTEDIT blob, U-Boot's key DTB. */
export function depfileOutputs(gen: GenerateResult): string[] {
  return wantedOutputs(gen.plan, gen.outputs).map((w) => path.resolve(w.path));
}

/**
 * A path as make reads it in a rule: `$` doubled, space, tab and `#` escaped with a backslash, as
 * gcc writes them. A newline cannot be written in a rule at all.
 */
export function makeEscape(p: string): string {
  if (/[\n\r]/.test(p)) {
    throw new UbootGenError('USAGE', `the path ${JSON.stringify(p)} holds a line break, which a make rule cannot name`, { path: p }, undefined,
      'rename the file or folder, or generate without --depfile');
  }
  return p.replace(/\$/g, '$$$$').replace(/([ \t#])/g, '\\$1');
}

/** Relative to `cwd` when inside it (make runs the recipe from there), else absolute. */
function shown(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel === '' || rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}

/** The rule's text: `OUTPUTS: INPUTS`, continued over lines, then one empty rule per input. */
export function depfileText(targets: readonly string[], inputs: readonly string[], cwd = process.cwd()): string {
  const t = targets.map((f) => makeEscape(shown(f, cwd)));
  const i = inputs.map((f) => makeEscape(shown(f, cwd)));
  const lines = [`${t.join(' ')}:${i.map((f) => ` \\\n  ${f}`).join('')}`, ''];
  for (const f of i) lines.push(`${f}:`, '');
  return lines.join('\n');
}

export function writeDepfile(file: string, gen: GenerateResult, extras: DepfileExtras = {}, cwd = process.cwd()): void {
  const text = depfileText(depfileOutputs(gen), depfileInputs(gen, extras), cwd);
  try {
    writeFileAtomic(file, text);
  } catch (e) {
    throw new OutputError('OUTPUT_WRITE', `cannot write the depfile ${file}: ${(e as Error).message}`, { path: file }, undefined, 'name a writable file with --depfile');
  }
}
