// Where outputs may be written. They stay inside the output folder (-d, else the config's folder:
// the folder the TFTP server serves) unless the user says otherwise; they never replace an input
// of the run (compared by real path and by device + inode, so hard links count); their folders
// must already exist; and their names must not change the meaning of the U-Boot command line
// they appear on.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Config, FileRef } from '../config/types.js';
import { COMMAND_LINE_POS } from '../config/resolve.js';
import { OutputError, type Where } from '../errors.js';

/**
 * fdt-edit: the DTB that FDTEDIT names, written with the script's edits applied. fit-its: the
 * .its beside a FIT. fit-key-dtb: U-Boot's own DTB given with -u, which gets the public key in
 * place, as `mkimage -K` does: it is the one input an output may replace, and may live anywhere.
 * passthrough-dtb: a domU's DTB compiled from PASSTHROUGH_DTS_REPO (or lopper's) partial device trees.
 */
export type OutputRole = 'source' | 'script' | 'xen-uimage' | 'fdt-edit' | 'fit-its' | 'fit-key-dtb' | 'passthrough-dtb';

/** One output, checked: `path` is the final path through the real (symlink-free) folder. */
export interface OutputTarget {
  role: OutputRole;
  path: string;
  data: string | Uint8Array;
  /** What named it, for messages: the config key (or -o) and its position. */
  ref: FileRef;
}

export interface OutputPolicy {
  /** --output-outside-dir: allow absolute paths and paths leading out of the output folder. */
  allowOutsideDir?: boolean;
}

export interface WantedOutput { role: OutputRole; path: string; data: string | Uint8Array; ref: FileRef }

/**
 * Characters that end or change a word on a U-Boot (hush) command line, as ImageBuilder refuses
 * them in file names: the script's name is printed as a `tftpb ADDR NAME` command, and xen.ub's
 * name is written into the script.
 */
const UNSAFE_NAME = /[\s;"'`$#\\&|<>()]/u;

/** The first character of `name` that is unsafe on a U-Boot command line (control characters included). */
function unsafeChar(name: string): string | undefined {
  for (const ch of name) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || c === 0x7f || UNSAFE_NAME.test(ch)) return ch;
  }
  return undefined;
}

const COMMAND_LINE = COMMAND_LINE_POS.file;

export function whereOf(ref: FileRef): Where {
  return ref.where.file === COMMAND_LINE ? { key: ref.key } : { file: ref.where.file, line: ref.where.line, col: ref.where.col, key: ref.key };
}

/** `UBOOT_SCRIPT = "x"`, `-o "x"`, or for xen.ub `xen.ub (made from XEN = "x" for BOOT_CMD=bootm)`. */
function named(o: WantedOutput): string {
  if (o.role === 'xen-uimage') return `${path.basename(o.path)} (the uImage made from ${o.ref.key} = "${o.ref.value}" for BOOT_CMD=bootm)`;
  if (o.role === 'passthrough-dtb') return `${o.ref.value} (${o.ref.key}, compiled from partial device trees)`;
  if (o.ref.where.file === COMMAND_LINE) return `the -o output ${o.ref.value}`;
  return `${o.ref.key} = "${o.ref.value}"`;
}

/** Every file the config names (any FileRef in it), and the config itself: what an output must not replace. */
export function inputFiles(config: Config, dir: string): { file: string; label: string }[] {
  const out: { file: string; label: string }[] = [{ file: path.resolve(config.configFile), label: `the config file ${config.configFile}` }];
  // The passthrough DTBs compiled for the run are its outputs, not inputs.
  const made = new Set<unknown>(config.partialDts?.domUs.map((d) => d.dtb) ?? []);
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) { v.forEach(walk); return; }
    if (typeof v !== 'object' || v === null) return;
    const r = v as Partial<FileRef>;
    if (typeof r.value === 'string' && typeof r.key === 'string' && typeof r.where === 'object') {
      if (r !== config.ubootSource && r !== config.ubootScript && r !== config.fdtEdit && r !== config.fit?.file && r !== config.fit?.ubootDtb && !made.has(r)) out.push({ file: path.resolve(dir, r.value), label: `${r.key} (${r.value})` });
      return;
    }
    Object.values(v).forEach(walk);
  };
  walk(config);
  return out;
}

/** Check every wanted output against the policy; throws the first refusal as an OutputError. */
export function checkOutputs(wanted: readonly WantedOutput[], config: Config, dir: string, policy: OutputPolicy = {}): OutputTarget[] {
  const realDir = realFolder(dir);
  const inputs = inputFiles(config, dir).map((i) => ({ ...i, entry: path.join(realFolder(path.dirname(i.file)), path.basename(i.file)), id: identity(i.file) }));
  const targets: OutputTarget[] = [];
  for (const o of wanted) {
    const where = whereOf(o.ref);
    const fix = o.ref.where.file === COMMAND_LINE ? 'change -o' : `change ${o.ref.key}`;
    const relName = path.relative(dir, o.path);
    const ch = unsafeChar(relName.startsWith('..') ? o.path : relName);
    if (ch !== undefined) {
      throw new OutputError('OUTPUT_UNSAFE_NAME',
        `${named(o)}: the output name contains ${JSON.stringify(ch)}, which would change the meaning of the U-Boot command line it is written on.`,
        { path: o.path }, where, `${fix}: use letters, digits, '.', '-', '_' and '/' in output names`);
    }
    const outside = (why: string): OutputError => new OutputError('OUTPUT_OUTSIDE_DIR',
      `${named(o)} ${why}: outputs are written inside the output folder ${dir} (the -d folder, else the config's folder).`,
      { path: o.path, dir }, where, `${fix} to a name relative to ${dir}, or pass --output-outside-dir to write there on purpose`);
    const anywhere = o.role === 'fit-key-dtb';
    if (!policy.allowOutsideDir && !anywhere && o.role !== 'xen-uimage' && path.isAbsolute(o.ref.value)) throw outside('is an absolute path');
    const parent = path.dirname(o.path);
    let st: fs.Stats | undefined;
    try { st = fs.statSync(parent); } catch { st = undefined; }
    if (!st?.isDirectory()) {
      throw new OutputError('OUTPUT_NO_FOLDER',
        `${named(o)}: the folder ${parent} ${st ? 'is not a folder' : 'does not exist'}; uboot-gen writes into existing folders only.`,
        { path: o.path }, where, st ? `${fix} to a path inside a folder` : `create it first (mkdir -p ${parent}), or ${fix}`);
    }
    const final = path.join(realFolder(parent), path.basename(o.path));
    if (!policy.allowOutsideDir && !anywhere && !isInside(realDir, final)) throw outside(`leads to ${final}, outside it`);
    const cur = lstatOrUndefined(final);
    if (cur && !cur.isFile() && !cur.isSymbolicLink()) {
      throw new OutputError('OUTPUT_NOT_A_FILE', `${named(o)}: ${final} is ${kindOf(cur)}, not a regular file, and cannot be replaced by an output.`,
        { path: final }, where, `${fix} to a file name that is free or a regular file`);
    }
    // A symlink under the output's name is replaced, never followed: only a regular file can be an input's inode.
    const id = cur?.isFile() ? `${cur.dev}:${cur.ino}` : undefined;
    const hit = inputs.find((i) => i.file === o.path || i.entry === final || (id !== undefined && i.id === id));
    if (hit) {
      throw new OutputError('OUTPUT_OVERWRITES_INPUT', `${named(o)} would overwrite ${hit.label}, an input of this run.`,
        { path: final, input: hit.file }, where, `${fix}: an output must never replace a file the config reads`);
    }
    const twin = targets.find((t) => t.path === final);
    if (twin) {
      throw new OutputError('OUTPUT_SAME_FILE', `${named(o)} and ${named({ ...twin })} name the same file ${final}.`,
        { path: final }, where, `${fix}: boot.source, boot.scr and xen.ub need three different names`);
    }
    targets.push({ role: o.role, path: final, data: o.data, ref: o.ref });
  }
  return targets;
}

/** boot.scr → boot.failed.scr, boot.source → boot.failed.source, script → script.failed. */
export function failedName(file: string): string {
  const ext = path.extname(file);
  const base = path.basename(file, ext);
  return path.join(path.dirname(file), ext && base ? `${base}.failed${ext}` : `${path.basename(file)}.failed`);
}

function realFolder(p: string): string {
  try { return fs.realpathSync(p); } catch { return path.resolve(p); }
}

function identity(file: string): string | undefined {
  try {
    const st = fs.statSync(file);
    return st.isFile() ? `${st.dev}:${st.ino}` : undefined;
  } catch {
    return undefined;
  }
}

function lstatOrUndefined(p: string): fs.Stats | undefined {
  try { return fs.lstatSync(p); } catch { return undefined; }
}

function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}
