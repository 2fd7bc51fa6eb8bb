// PASSTHROUGH_DTS_REPO / LOPPER_PATH: each domU's passthrough DTB compiled at generation time from
// partial device trees, as ImageBuilder's compile_merge_partial_dts() and sanity_check_partial_dts()
// do it (scripts/common, Xilinx imagebuilder xlnx_rel_v2023.2, 297a48f): per domU, `<node>.dts` for
// each DOMU_PASSTHROUGH_PATHS[n] entry (node = the path's last component), from the folder or
// written by lopper; their /passthrough cells must agree; one source `/include/`s them all (the
// files after the first without their /dts-v1/ line) and dtc compiles it. Tools run with an
// argument vector, never through a shell: the config is data.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PlanError } from '../errors.js';
import type { Config, FileRef, PartialDtsConfig, SourcePos } from '../config/types.js';
import { FDT_MAGIC, getpropU32, pathOffset } from '../fdt/index.js';

/** What a tool run returned: `error` set when it could not be started (ENOENT: not installed). */
export interface ToolResult {
  status: number | null;
  stdout: Uint8Array;
  stderr: string;
  error?: NodeJS.ErrnoException;
}

/** Runs `file` with `args` (no shell) in `cwd`. Tests pass a double that records the argument vectors. */
export type ToolRunner = (file: string, args: readonly string[], cwd: string) => ToolResult;

/** A compiled passthrough blob is a few KiB; dtc and lopper print little. */
const MAX_TOOL_OUTPUT = 64 * 1024 * 1024;

export const runTool: ToolRunner = (file, args, cwd) => {
  const r = spawnSync(file, args, { cwd, maxBuffer: MAX_TOOL_OUTPUT, shell: false, windowsHide: true });
  return {
    status: r.status,
    stdout: new Uint8Array(r.stdout ?? new Uint8Array()),
    stderr: r.stderr ? r.stderr.toString('utf8') : '',
    ...(r.error ? { error: r.error as NodeJS.ErrnoException } : {}),
  };
};

/** One domU's compiled passthrough DTB: an output of the run, loaded like DOMU_PASSTHROUGH_DTB[n]. */
export interface PartialDtb {
  index: number;
  /** The domU's `passthroughDtb` reference (partial-dts-domU<n>.dtb in the output folder). */
  ref: FileRef;
  absPath: string;
  bytes: Uint8Array;
  /** The partial device trees it was compiled from, in include order (absolute; temporary ones for lopper). */
  sources: string[];
}

/** The domUs' passthrough DTBs, compiled into memory: nothing is written beside the config. */
export function buildPartialDtbs(config: Config, dir: string, run: ToolRunner = runTool): PartialDtb[] {
  const pd = config.partialDts;
  if (!pd) return [];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'uboot-gen-partial-dts-'));
  try {
    return new PartialDtsBuilder(config, pd, dir, tmp, run).build();
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** The node name a partial device tree file is named after: the path's last component (bash `${devpath##*\/}`). */
export function nodeOfPath(devpath: string): string {
  return devpath.slice(devpath.lastIndexOf('/') + 1);
}

const DTC_PACKAGE = 'device-tree-compiler';

class PartialDtsBuilder {
  readonly #config: Config;
  readonly #pd: PartialDtsConfig;
  readonly #dir: string;
  readonly #tmp: string;
  readonly #run: ToolRunner;

  constructor(config: Config, pd: PartialDtsConfig, dir: string, tmp: string, run: ToolRunner) {
    this.#config = config;
    this.#pd = pd;
    this.#dir = dir;
    this.#tmp = tmp;
    this.#run = run;
  }

  build(): PartialDtb[] {
    const src = this.#pd.source;
    const dtsDir = src.kind === 'repo' ? path.resolve(this.#dir, src.folder) : path.join(this.#tmp, 'lopper');
    if (src.kind === 'lopper') fs.mkdirSync(dtsDir);
    return this.#pd.domUs.map((du) => {
      const key = `DOMU_PASSTHROUGH_PATHS[${du.index}]`;
      if (src.kind === 'lopper') for (const devpath of du.paths) this.#lopper(src, devpath, path.join(dtsDir, `${nodeOfPath(devpath)}.dts`), du.pathsWhere, key);
      const files = du.paths.map((p) => path.join(dtsDir, `${nodeOfPath(p)}.dts`));
      this.#sanityCheck(du.index, files, du.paths, du.pathsWhere, key);
      const bytes = this.#compileMerged(du.index, files, du.pathsWhere, key);
      return { index: du.index, ref: du.dtb, absPath: path.resolve(this.#dir, du.dtb.value), bytes, sources: src.kind === 'repo' ? files : [] };
    });
  }

  /** `$LOPPER_PATH --permissive -f $DEVICE_TREE -- extract -t <devpath> $LOPPER_CMD -- extract-xen -t <node> -o <file>`. */
  #lopper(src: Extract<PartialDtsConfig['source'], { kind: 'lopper' }>, devpath: string, out: string, where: SourcePos, key: string): void {
    const [exe = '', ...pre] = src.command;
    const deviceTree = path.resolve(this.#dir, this.#config.deviceTree!.value);
    const args = [...pre, '--permissive', '-f', deviceTree, '--', 'extract', '-t', devpath, ...src.extractArgs, '--', 'extract-xen', '-t', nodeOfPath(devpath), '-o', out];
    const r = this.#run(exe, args, this.#dir);
    if (r.error) {
      const missing = r.error.code === 'ENOENT';
      throw new PlanError('PLAN_TOOL_MISSING',
        `${missing ? `lopper is not installed: LOPPER_PATH names "${exe}", which` : `lopper ("${exe}", from LOPPER_PATH) could not be started: it`} ${missing ? 'does not exist' : r.error.message}${missing && !exe.includes('/') ? ' in any folder of PATH' : ''}`,
        { tool: 'lopper', file: exe }, { ...src.where, key: src.key },
        'install lopper (pip install lopper; it is not packaged by Debian) and set LOPPER_PATH to its lopper command, or give the partial device trees in a folder with PASSTHROUGH_DTS_REPO');
    }
    if (r.status !== 0) {
      throw new PlanError('PLAN_LOPPER_FAILED', `lopper failed (exit status ${r.status ?? 'none: killed'}) extracting ${devpath} from DEVICE_TREE for ${key}${tail(r.stderr)}`,
        { tool: 'lopper', devpath, argv: [exe, ...args] }, { ...where, key },
        `check that ${devpath} is a node of DEVICE_TREE and that LOPPER_CMD holds options of lopper's extract assist`);
    }
    if (!isFile(out)) {
      throw new PlanError('PLAN_PARTIAL_DTS_NOT_FOUND', `Device tree "${path.basename(out)}" is not present: lopper extracted ${devpath} for ${key} but wrote no ${path.basename(out)}`,
        { file: out }, { ...where, key }, 'check the extract-xen assist of the installed lopper (it writes the file named by -o)');
    }
  }

  /**
   * sanity_check_partial_dts(): every file exists; each compiled alone, /passthrough's
   * #address-cells and #size-cells agree among the files that give them. A file that does not
   * compile alone (one written to follow another, without /dts-v1/) gives none, as fdtget then
   * prints nothing for ImageBuilder.
   */
  #sanityCheck(index: number, files: string[], paths: string[], where: SourcePos, key: string): void {
    files.forEach((f, i) => {
      if (!isFile(f)) {
        const src = this.#pd.source;
        throw new PlanError('PLAN_PARTIAL_DTS_NOT_FOUND', `Device tree "${f}" is not present (${key} has ${paths[i]}, so domU${index} needs ${path.basename(f)})`,
          { file: f }, { ...where, key },
          src.kind === 'repo' ? `add ${path.basename(f)} to ${src.folder} (PASSTHROUGH_DTS_REPO, relative to ${this.#dir}), or correct ${key}` : `correct ${key}`);
      }
    });
    const seen: Record<'#address-cells' | '#size-cells', { value: number; file: string } | undefined> = { '#address-cells': undefined, '#size-cells': undefined };
    for (const f of files) {
      const r = this.#dtc([f], this.#dir);
      if (r.status !== 0 || !isDtb(r.stdout)) continue;
      const node = pathOffset(r.stdout, '/passthrough');
      if (node < 0) continue;
      for (const prop of ['#address-cells', '#size-cells'] as const) {
        const v = getpropU32(r.stdout, node, prop);
        if (v < 0) continue;
        const first = seen[prop];
        if (!first) { seen[prop] = { value: v, file: f }; continue; }
        if (first.value !== v) {
          throw new PlanError('PLAN_PARTIAL_DTS_CELLS',
            `${prop === '#address-cells' ? 'Address' : 'Size'} cells mismatch for ${key}: /passthrough ${prop} is ${first.value} in ${path.basename(first.file)} but ${v} in ${path.basename(f)}`,
            { files: [first.file, f], property: prop }, { ...where, key }, `write the same /passthrough ${prop} in every partial device tree of ${key}`);
        }
      }
    }
  }

  /**
   * The merged source: `/include/ "<file>"` per file; the files after the first are copied with
   * every line holding "/dts-v" emptied (ImageBuilder deletes those lines: emptying them keeps
   * dtc's line numbers right, and the blob is the same). dtc's messages name the original files.
   */
  #compileMerged(index: number, files: string[], where: SourcePos, key: string): Uint8Array {
    const copies = new Map<string, string>();
    const lines = files.map((f, j) => {
      if (j === 0) return `/include/ "${f}"`;
      const copy = path.join(this.#tmp, `domU${index}-${j}-${path.basename(f)}`);
      fs.writeFileSync(copy, fs.readFileSync(f, 'utf8').split('\n').map((l) => (l.includes('/dts-v') ? '' : l)).join('\n'));
      copies.set(copy, f);
      return `/include/ "${copy}"`;
    });
    const merged = path.join(this.#tmp, `partial-dts-domU${index}`);
    fs.writeFileSync(merged, `${lines.join('\n')}\n`);
    const r = this.#dtc([merged], this.#dir);
    if (r.status !== 0 || !isDtb(r.stdout)) {
      let text = r.stderr;
      for (const [copy, orig] of copies) text = text.split(copy).join(orig);
      text = text.split(merged).join(`<the merged source of ${key}>`);
      const at = /^(?:Error|ERROR)[^:]*: (.+?):(\d+)\.(\d+)/m.exec(text);
      throw new PlanError('PLAN_PARTIAL_DTS_COMPILE', `Could not compile the partial device trees of ${key} (${files.map((f) => path.basename(f)).join(', ')}): dtc says:${tail(text)}`,
        { files, stderr: text }, at ? { file: at[1]!, line: Number(at[2]), col: Number(at[3]), key } : { ...where, key },
        at ? `fix ${path.basename(at[1]!)} at line ${at[2]}` : `check the partial device trees of ${key} with dtc -I dts -O dtb`);
    }
    return r.stdout;
  }

  /** `dtc -I dts -O dtb FILE`, the blob on stdout. */
  #dtc(args: string[], cwd: string): ToolResult {
    const r = this.#run('dtc', ['-I', 'dts', '-O', 'dtb', ...args], cwd);
    if (r.error) {
      const src = this.#pd.source;
      throw new PlanError('PLAN_TOOL_MISSING',
        `dtc is not installed (${r.error.code === 'ENOENT' ? 'no dtc in any folder of PATH' : r.error.message}): ${src.key} needs it to compile the domUs' partial device trees`,
        { tool: 'dtc' }, { ...src.where, key: src.key }, `install the device tree compiler (Debian: apt install ${DTC_PACKAGE})`);
    }
    return r;
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDtb(b: Uint8Array): boolean {
  return b.length >= 4 && ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0 === FDT_MAGIC;
}

/** A tool's message, indented under ours (its last 20 lines: enough for dtc's errors and lopper's traceback tail). */
function tail(text: string): string {
  const lines = text.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');
  return lines.length ? `\n    ${lines.slice(-20).join('\n    ')}` : ' (nothing on stderr)';
}
