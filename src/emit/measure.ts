// The DTB growth of a rendered boot.source, measured on what the script really does: its `fdt`
// commands are taken in order (hush words, as U-Boot's parser splits them) and applied to a copy
// of the board DTB with the libfdt port of src/fdt. The result is the exact N of `fdt resize N`,
// whatever the templates wrote; and an edit that would fail on the board fails here first, naming
// the template file that wrote it.
import { UbootGenError } from '../errors.js';
import { E, fdtStrerror } from '../fdt/errors.js';
import { offDtStrings, sizeDtStrings, sizeDtStruct, totalsize } from '../fdt/header.js';
import { getName, pathOffset } from '../fdt/ro.js';
import { applyOverlay } from '../fdt/overlay.js';
import { addMemRsv, addSubnode, delMemRsv, delNode, delprop, openInto, setprop, shrinkToMinimum } from '../fdt/rw.js';
import { wordHasVar, wordText, type Word } from '../sim/uboot/hush/lexer.js';
import { scriptCommands, type ScriptCommand } from '../sim/uboot/hush/commands.js';
import type { TemplateOwners } from './render.js';

/** One command of the script: its words and where it starts. */

/** An `fdt` command ready to apply: argv without `fdt`, and where it came from. */
interface FdtCommand { argv: string[]; text: string; line: number; file: string; at: string }

export interface MeasuredEdits {
  /** Peak bytes the edits add to the structure and strings blocks (what `fdt resize` must give). */
  growth: number;
  /** `fdt` commands that change the blob. */
  edits: number;
  /** The board DTB as the script leaves it. */
  edited: Uint8Array;
}

export interface MeasureTarget {
  /** The board DTB as loaded. */
  dtb: Uint8Array;
  /** Where the script loads it: `fdt addr` of this address selects it. */
  addr: number;
  /** How messages name it, e.g. `DEVICE_TREE "virt.dtb"`. */
  label: string;
  /** With -s the script selects the DTB as `fdt addr ${VAR}`: the variable that holds `addr` at boot. */
  addrVar?: string;
  /** The DT overlays the script loads, for its `fdt apply ADDR` (with -s `fdt apply ${VAR}`). */
  overlays?: readonly MeasureOverlay[];
  /** Name messages give the script (`boot.scr line 12`) when it is not a rendered boot.source (`inspect`). */
  scriptName?: string;
}

export interface MeasureOverlay {
  addr: number; addrVar?: string; bytes: Uint8Array; label: string;
  /** The config line that names it, for errors about the overlay itself. */
  where?: { file: string; line: number; col: number; key: string };
}

/** An `fdt` command that cannot be applied, or fails, while a whole script is replayed (`inspect`). */
export interface EditFailure { line: number; text: string; error: UbootGenError }

function commandsOf(text: string, owners: TemplateOwners): ScriptCommand[] {
  const { commands, syntax } = scriptCommands(text, { skipReserved: true });
  if (syntax) {
    const file = owners.fileAt(syntax.offset);
    throw new UbootGenError('EMIT_SCRIPT_SYNTAX', `boot.source line ${syntax.line} (written by ${file}) is not valid U-Boot hush: ${syntax.message}`,
      { line: syntax.line }, { file }, 'fix the template: quotes must close, and `&`/`|` only appear doubled');
  }
  return commands;
}

/**
 * The words of an `fdt` command as U-Boot will see them, for the variables whose value cannot
 * change what the command does to the tree: the DTB's own address variable in `fdt addr` (with
 * -s, `${host_fdt_addr}`), and variables inside a `<...>` cell list of `fdt set`, which U-Boot
 * stores as one 4-byte cell whatever their value (`<0x${addr_hi} ...>`): they are measured as 0.
 * Any other variable could change a path, a name or a string's length, so it stays unmeasurable.
 */
function measurableArgv(words: readonly Word[], target: MeasureTarget): string[] | undefined {
  const argv = words.map(wordText);
  const sub = argv[1] ?? '';
  if (!words.some(wordHasVar)) return argv.slice(1);
  if (sub.startsWith('ad') && target.addrVar !== undefined) {
    const out: string[] = [];
    for (const w of words.slice(1)) {
      if (!wordHasVar(w)) { out.push(wordText(w)); continue; }
      const only = w.parts.length === 1 && w.parts[0]!.kind === 'var' ? w.parts[0]!.name : undefined;
      if (only !== target.addrVar) return undefined;
      out.push(target.addr.toString(16));
    }
    return out;
  }
  if (sub.startsWith('ap') && words.length === 3) {
    // `fdt apply ${host_fdtoN_addr}`: the overlay loaded at that variable's address.
    const w = words[2]!;
    const only = w.parts.length === 1 && w.parts[0]!.kind === 'var' ? w.parts[0]!.name : undefined;
    const overlay = target.overlays?.find((o) => o.addrVar !== undefined && o.addrVar === only);
    return overlay && !wordHasVar(words[1]!) ? [wordText(words[1]!), overlay.addr.toString(16)] : undefined;
  }
  if (sub.startsWith('se') && words.slice(0, 4).every((w) => !wordHasVar(w))) {
    let inCells = false;
    const out: string[] = [];
    for (const w of words.slice(4)) {
      let text = '';
      for (const p of w.parts) {
        if (p.kind === 'lit') {
          for (const ch of p.text) { if (ch === '<') inCells = true; else if (ch === '>') inCells = false; }
          text += p.text;
        } else if (inCells) text += '0';
        else return undefined;
      }
      out.push(text);
    }
    return [...argv.slice(1, 4), ...out];
  }
  return undefined;
}

/** Where a command is, for messages: the template that wrote it, or the inspected script's name. */
const at = (c: { line: number; file: string }, target: MeasureTarget): string => (target.scriptName !== undefined
  ? `${target.scriptName} line ${c.line}` : `boot.source line ${c.line} (written by ${c.file})`);

function fdtCommands(text: string, owners: TemplateOwners, target: MeasureTarget, failures?: EditFailure[]): FdtCommand[] {
  const out: FdtCommand[] = [];
  for (const c of commandsOf(text, owners)) {
    const words = c.words;
    if (words.length === 0 || wordText(words[0]!) !== 'fdt' || wordHasVar(words[0]!)) continue;
    const file = owners.fileAt(c.offset);
    const lineEnd = text.indexOf('\n', c.offset);
    const shown = text.slice(c.offset, lineEnd < 0 ? undefined : lineEnd);
    const argv = measurableArgv(words, target);
    if (argv === undefined) {
      const e = new UbootGenError('EMIT_FDT_UNMEASURABLE',
        `${at({ line: c.line, file }, target)}: \`${shown}\` uses a U-Boot variable, so its effect on the device tree cannot be measured before boot`,
        { line: c.line }, { file }, 'write the value itself in the template (the model has every address and size)');
      if (!failures) throw e;
      failures.push({ line: c.line, text: shown, error: e });
      continue;
    }
    out.push({ argv, text: shown, line: c.line, file, at: at({ line: c.line, file }, target) });
  }
  return out;
}

const unmeasurable = (c: FdtCommand, why: string): UbootGenError => new UbootGenError('EMIT_FDT_UNMEASURABLE',
  `${c.at}: \`${c.text}\` ${why}`, { line: c.line }, { file: c.file },
  'uboot-gen measures `fdt addr`, `resize`, `set`, `mknod`, `rm`, `rsvmem` and `apply` on the board DTB; keep other fdt commands out of the templates');

/** strtoul(s, 0) over a whole word: 0x hex, leading-0 octal, else decimal. */
function parseCell(word: string): number | undefined {
  const m = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(word);
  if (!m) return undefined;
  const v = word.length > 1 && word[0] === '0' && (word[1] === 'x' || word[1] === 'X') ? parseInt(word.slice(2), 16)
    : word[0] === '0' ? parseInt(word, 8) : parseInt(word, 10);
  return v % 0x1_0000_0000;
}

/** The bytes `fdt set` stores for its value words (U-Boot fdt_parse_prop(): `<cells>`, `[bytes]`, or strings). */
function valueBytes(c: FdtCommand, words: readonly string[]): Uint8Array {
  const joined = words.join(' ');
  if (joined.startsWith('<') || joined.startsWith('[')) {
    const close = joined[0] === '<' ? '>' : ']';
    const end = joined.indexOf(close);
    if (end < 0) throw unmeasurable(c, `has no closing \`${close}\`, so U-Boot would refuse it ("Unexpected character")`);
    const items = joined.slice(1, end).split(/[ \t]+/).filter((w) => w !== '');
    if (close === '>') {
      const out = new Uint8Array(items.length * 4);
      const dv = new DataView(out.buffer);
      items.forEach((w, i) => {
        const v = parseCell(w);
        if (v === undefined) throw unmeasurable(c, `has the cell "${w}", which U-Boot cannot convert to a number`);
        dv.setUint32(i * 4, v, false);
      });
      return out;
    }
    const out: number[] = [];
    for (const w of items) {
      if (!/^[0-9a-fA-F]+$/.test(w)) throw unmeasurable(c, `has the byte "${w}", which is not hex`);
      out.push(parseInt(w.slice(-2), 16));
    }
    return new Uint8Array(out);
  }
  const bytes: number[] = [];
  for (const w of words) {
    for (let i = 0; i < w.length; i++) bytes.push(w.charCodeAt(i) & 0xff);
    bytes.push(0);
  }
  return new Uint8Array(bytes);
}

const usedBytes = (fdt: Uint8Array): number => offDtStrings(fdt) + sizeDtStrings(fdt);

function editFailed(c: FdtCommand, target: MeasureTarget, what: string, rc: number): UbootGenError {
  const missing = rc === E.NOTFOUND || rc === E.BADPATH;
  return new UbootGenError(missing ? 'EMIT_FDT_NO_NODE' : 'EMIT_FDT_EDIT_FAILS',
    missing
      ? `${c.at}: \`${c.text}\` names ${what}, which ${target.label} does not have at that point of the script (${fdtStrerror(rc)})`
      : `${c.at}: \`${c.text}\` fails on ${target.label} with ${fdtStrerror(rc)}`,
    { line: c.line, fdtError: fdtStrerror(rc) }, { file: c.file },
    missing ? 'create the node earlier in the script, or fix the path in the template'
      : rc === E.EXISTS ? 'the node or property already exists: pass the unedited board DTB, or drop the duplicate from the template' : undefined);
}

/**
 * Node offsets by path, kept valid across edits, so a script of N edits costs N lookups instead
 * of N walks from the root (which made large scripts quadratic). libfdt inserts every new
 * property or node after the BEGIN_NODE tag of the node it edits, so an edit of node N moves
 * exactly the nodes whose offset is greater than N's, by the change in the structure block's
 * size. Every hit is checked against the node's name; anything doubtful is looked up again with
 * the libfdt port's own fdt_path_offset().
 */
class NodeOffsets {
  /** Most recently used paths last; scripts edit a few nodes at a time, so a short list suffices. */
  #byPath = new Map<string, number>();
  static readonly KEEP = 32;

  constructor(private readonly fdt: Uint8Array) {}

  lookup(path: string): number {
    const known = this.#byPath.get(path);
    if (known !== undefined && this.#holds(known, path)) return known;
    const off = pathOffset(this.fdt, path);
    // Alias paths (no leading '/') can change meaning when /aliases is edited: never cached.
    if (off >= 0 && path.startsWith('/')) this.#remember(path, off);
    return off;
  }

  #remember(path: string, off: number): void {
    this.#byPath.delete(path);
    this.#byPath.set(path, off);
    if (this.#byPath.size > NodeOffsets.KEEP) this.#byPath.delete(this.#byPath.keys().next().value!);
  }

  /** After an edit of the node at `node` that changed the structure block by `delta` bytes. */
  moved(node: number, delta: number): void {
    if (delta === 0) return;
    for (const [p, off] of this.#byPath) if (off > node) this.#byPath.set(p, off + delta);
  }

  add(parentPath: string, name: string, off: number): void {
    if (!parentPath.startsWith('/')) return;
    // A path component without '@' also matches `name@unit`, and libfdt takes the first child
    // that matches: the new node, inserted before its siblings, may now answer such a path.
    const base = `${parentPath.replace(/\/+$/, '')}/${name.split('@')[0]}`;
    for (const p of [...this.#byPath.keys()]) if (p === base || p.startsWith(`${base}/`)) this.#byPath.delete(p);
    this.#remember(`${parentPath.replace(/\/+$/, '')}/${name}`, off);
  }

  forget(): void {
    this.#byPath.clear();
  }

  #holds(off: number, path: string): boolean {
    const name = getName(this.fdt, off);
    if (typeof name !== 'string') return false;
    const last = path.slice(path.lastIndexOf('/') + 1);
    return last === '' ? off === 0 : name === last || (!last.includes('@') && name.startsWith(`${last}@`));
  }
}

/**
 * Apply the commands to a blob of `room` free bytes; 'nospace' asks for a larger one. With
 * `asUboot` the blob is edited as U-Boot edits it at `target.addr`: in place, within its
 * totalsize, and `fdt resize` sets that totalsize as fdt_shrink_to_minimum() does, so the result
 * is byte for byte the blob the script leaves in the board's RAM (FDTEDIT).
 */
function applyAll(cmds: readonly FdtCommand[], target: MeasureTarget, room: number, asUboot = false, failures?: EditFailure[]): MeasuredEdits | 'nospace' {
  const buf = new Uint8Array(Math.max(usedBytes(target.dtb), totalsize(target.dtb)) + room);
  const rc0 = asUboot ? 0 : openInto(target.dtb, buf, buf.length);
  if (asUboot) buf.set(target.dtb.subarray(0, Math.min(target.dtb.length, totalsize(target.dtb))));
  if (rc0 !== 0) {
    throw new UbootGenError('FDT_ERR_BADSTRUCTURE', `${target.label}: cannot open the device tree for editing (${fdtStrerror(rc0)})`);
  }
  const before = usedBytes(buf);
  const offsets = new NodeOffsets(buf);
  let peak = before;
  let selected = false;
  let edits = 0;
  const node = (c: FdtCommand, path: string | undefined): number => {
    if (path === undefined) throw unmeasurable(c, 'lacks a node path, so U-Boot prints its usage and does nothing');
    const off = offsets.lookup(path);
    if (off < 0) throw editFailed(c, target, path, off);
    return off;
  };
  // One command; 'nospace' when the blob has no room for it.
  const step = (c: FdtCommand): 'nospace' | undefined => {
    const [sub = '', a2, a3, ...rest] = c.argv;
    if (sub.startsWith('ad')) {
      const addr = c.argv.filter((w) => !w.startsWith('-'))[1];
      if (addr === undefined) return undefined; // `fdt addr` alone prints the working address
      if (parseInt(addr, 16) !== target.addr) throw unmeasurable(c, `selects ${addr}, but the board DTB is loaded at 0x${target.addr.toString(16).toUpperCase()}`);
      selected = true;
      return undefined;
    }
    if (!selected) throw unmeasurable(c, 'comes before `fdt addr`, so U-Boot has no working device tree ("No FDT memory address configured")');
    const structBefore = sizeDtStruct(buf);
    let rc: number;
    let edited = -1;
    if (asUboot && sub.startsWith('re')) {
      const r = shrinkToMinimum(buf, target.addr, a2 === undefined ? 0 : parseInt(a2, 16));
      if (r < 0) throw editFailed(c, target, '', r);
      return undefined;
    }
    if (sub.startsWith('re') || sub[0] === 'p' || sub[0] === 'l' || sub[0] === 'g' || sub.startsWith('he')) {
      // `resize` gives the room being measured here; print/list/get/header only read.
      return undefined;
    } else if (sub.startsWith('ap')) {
      const at = a2 === undefined ? NaN : parseInt(a2, 16);
      const overlay = target.overlays?.find((o) => o.addr === at);
      if (!overlay) throw unmeasurable(c, `applies the overlay at ${a2 ?? '(no address)'}, but no DT_OVERLAY is loaded there`);
      // libfdt edits the overlay too (its phandles, its magic): apply a copy.
      rc = applyOverlay(buf, overlay.bytes.slice());
      if (rc < 0 && rc !== E.NOSPACE) {
        throw new UbootGenError('FDT_ERR_BADOVERLAY', `${overlay.label} cannot be applied to ${target.label}: fdt_overlay_apply() fails with ${fdtStrerror(rc)}`
          + `${rc === E.NOTFOUND && pathOffset(target.dtb, '/__symbols__') < 0 ? ` (${target.label} has no /__symbols__: the overlay refers to a label of the base)` : ''}`,
        { line: c.line, err: fdtStrerror(rc) }, overlay.where ?? { file: c.file },
        rc === E.NOTFOUND ? 'compile the base DTB with dtc -@ (for /__symbols__), or target nodes by path (target-path) in the overlay' : 'rebuild the overlay with dtc -@ -I dts -O dtb from a /plugin/ source');
      }
      offsets.forget();
    } else if (sub.startsWith('se')) {
      if (a3 === undefined) throw unmeasurable(c, 'lacks a property name, so U-Boot prints its usage and does nothing');
      edited = node(c, a2);
      rc = setprop(buf, edited, a3, valueBytes(c, rest));
    } else if (sub.startsWith('mk')) {
      if (a3 === undefined) throw unmeasurable(c, 'lacks a node name, so U-Boot prints its usage and does nothing');
      edited = node(c, a2);
      rc = addSubnode(buf, edited, a3);
      if (rc >= 0) {
        offsets.moved(edited, sizeDtStruct(buf) - structBefore);
        offsets.add(a2!, a3, rc);
        edited = -1;
      }
    } else if (sub.startsWith('rm')) {
      edited = node(c, a2);
      if (a3 !== undefined) rc = delprop(buf, edited, a3);
      else { rc = delNode(buf, edited); offsets.forget(); edited = -1; }
      if (rc === E.NOTFOUND) throw editFailed(c, target, `property ${a3 ?? ''}`, rc);
    } else if (sub.startsWith('rs') && a2?.startsWith('a') && a3 !== undefined && rest[0] !== undefined) {
      rc = addMemRsv(buf, parseInt(a3, 16), parseInt(rest[0], 16));
    } else if (sub.startsWith('rs') && a2?.startsWith('de') && a3 !== undefined) {
      rc = delMemRsv(buf, parseInt(a3, 16));
    } else if (sub.startsWith('rs') && a2?.startsWith('pr')) {
      return undefined;
    } else {
      throw unmeasurable(c, 'is an fdt command whose effect on the device tree uboot-gen does not model');
    }
    if (rc === E.NOSPACE) return 'nospace';
    if (rc < 0) throw editFailed(c, target, a2 ?? '', rc);
    if (edited >= 0) offsets.moved(edited, sizeDtStruct(buf) - structBefore);
    edits++;
    peak = Math.max(peak, usedBytes(buf));
    return undefined;
  };
  for (const c of cmds) {
    let r: 'nospace' | undefined;
    try {
      r = step(c);
    } catch (e) {
      // Replaying a whole script (`inspect`), a command that fails is noted and the next one runs, as on the board.
      if (!failures || !(e instanceof UbootGenError)) throw e;
      failures.push({ line: c.line, text: c.text, error: e });
      continue;
    }
    if (r === 'nospace') {
      if (!failures || !asUboot) return 'nospace';
      failures.push({ line: c.line, text: c.text, error: editFailed(c, target, c.argv[1] ?? '', E.NOSPACE) });
    }
  }
  return { growth: peak - before, edits, edited: buf.subarray(0, totalsize(buf)) };
}

// The planner measures a draft and then the final plan, whose scripts differ only in `fdt addr`
// and `fdt resize` unless a template writes those values into the tree: the same edits on the
// same blob give the same result, so the last measurement is reused.
let last: { dtb: Uint8Array; addr: number; edits: FdtCommand[]; result: MeasuredEdits } | undefined;

const changesTree = (c: FdtCommand): boolean => !c.argv[0]?.startsWith('ad') && !c.argv[0]?.startsWith('re');

function sameEdits(a: readonly FdtCommand[], b: readonly FdtCommand[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.file !== y.file || x.line !== y.line || x.argv.length !== y.argv.length || x.argv.some((w, j) => w !== y.argv[j])) return false;
  }
  return true;
}

/**
 * Apply the script's `fdt` commands to the board DTB and return the bytes they add. `owners` says
 * which template wrote each part of `script`, for the errors.
 */
export function measureScriptEdits(script: string, owners: TemplateOwners, target: MeasureTarget): MeasuredEdits {
  const cmds = fdtCommands(script, owners, target);
  const edits = cmds.filter(changesTree);
  if (last && last.dtb === target.dtb && last.addr === target.addr && sameEdits(last.edits, edits)) return last.result;
  const result = measureFresh(script, cmds, target);
  last = { dtb: target.dtb, addr: target.addr, edits, result };
  return result;
}

/**
 * The board DTB exactly as the script leaves it in RAM: its `fdt` commands applied as U-Boot
 * applies them at `target.addr` (`fdt resize` included). The bytes ImageBuilder's FDTEDIT is for.
 */
export function replayScriptEdits(script: string, owners: TemplateOwners, target: MeasureTarget): Uint8Array {
  const cmds = fdtCommands(script, owners, target);
  const measured = measureScriptEdits(script, owners, target);
  const r = applyAll(cmds, target, FIRST_ROOM + cmds.length * ROOM_PER_COMMAND + measured.growth + 0x2000, true);
  if (r === 'nospace') {
    throw new UbootGenError('FDT_ERR_NOSPACE', `${target.label}: the script's fdt edits do not fit in the room its \`fdt resize\` gives (FDT_ERR_NOSPACE)`);
  }
  return r.edited.slice();
}

/**
 * Free bytes of the first buffer the edits are applied in: 64 KiB, plus 256 per command (a node
 * or a property of a typical line). A script that needs more is measured again with four times
 * the room, so the buffer never decides the result, only how often it is retried.
 */
const FIRST_ROOM = 64 * 1024;
const ROOM_PER_COMMAND = 256;

function measureFresh(script: string, cmds: readonly FdtCommand[], target: MeasureTarget): MeasuredEdits {
  for (let room = FIRST_ROOM + cmds.length * ROOM_PER_COMMAND; ; room *= 4) {
    const r = applyAll(cmds, target, room);
    if (r !== 'nospace') return r;
    // Every value is at most a script line long, so a script of N bytes never needs more than
    // about N × 4 bytes (one node or property per line); past that something is wrong.
    if (room > 4 * script.length + (1 << 20)) {
      throw new UbootGenError('EMIT_FDT_UNMEASURABLE', `the script's fdt edits keep running out of room in a ${room}-byte device tree`, { room });
    }
  }
}

export interface ReplayedScript {
  /** Peak bytes the edits that apply add (what `fdt resize` must give them). */
  growth: number;
  /** `fdt` commands that changed the blob on the board. */
  edits: number;
  /** The DTB as the script leaves it in RAM, each `fdt resize` applied as U-Boot applies it. */
  edited: Uint8Array;
  /** Commands that cannot be applied before boot, or fail on the board (FDT_ERR_NOSPACE included), in script order. */
  failures: EditFailure[];
}

/**
 * A hand-written or foreign script's `fdt` commands replayed on `target.dtb` (`uboot-gen inspect`):
 * unlike measureScriptEdits(), a command that cannot be measured or fails is listed and the next
 * one runs, as on the board. `growth` is measured with all the room the edits need; `edited` and
 * the FDT_ERR_NOSPACE failures are what the script's own `fdt resize` gives.
 */
export function replayWholeScript(script: string, target: MeasureTarget & { scriptName: string }): ReplayedScript {
  const owners: TemplateOwners = { fileAt: () => target.scriptName };
  const failures: EditFailure[] = [];
  const cmds = fdtCommands(script, owners, target, failures);
  let measured: MeasuredEdits | undefined;
  for (let room = FIRST_ROOM + cmds.length * ROOM_PER_COMMAND; measured === undefined; room *= 4) {
    const r = applyAll(cmds, target, room, false, []);
    if (r !== 'nospace') measured = r;
    else if (room > 4 * script.length + (1 << 20)) {
      throw new UbootGenError('EMIT_FDT_UNMEASURABLE', `the script's fdt edits keep running out of room in a ${room}-byte device tree`, { room });
    }
  }
  const onBoard = applyAll(cmds, target, FIRST_ROOM + cmds.length * ROOM_PER_COMMAND + measured.growth + 0x2000, true, failures);
  if (onBoard === 'nospace') throw new UbootGenError('EMIT_FDT_UNMEASURABLE', 'the replay ran out of its own buffer', {});
  failures.sort((a, b) => a.line - b.line);
  return { growth: measured.growth, edits: onBoard.edits, edited: onBoard.edited.slice(), failures };
}
