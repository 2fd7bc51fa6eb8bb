// A boot script read without booting it: its commands split as U-Boot's hush splits them (the
// simulator's lexer), each load sized from the file's header (src/images), the `fdt` commands
// replayed on the DTB the script loads (src/emit/measure.ts over the libfdt port), and the
// planner's checks (src/plan/checks.ts CHECKS) run on what the script itself decided.
import * as path from 'node:path';
import { InternalError, UbootGenError } from '../errors.js';
import { totalsize } from '../fdt/header.js';
import { getStringList } from '../fdt/ro.js';
import { parseTree, serializeTree, formatValue, type FdtNode } from '../fdt/tree.js';
import { describeWhatItIs } from '../images/roles.js';
import { readBoardDtb, sizeImage, type ImageInfo } from '../images/probe-file.js';
import { detectFormat } from '../images/registry.js';
import { parseArm64Image, decodeArm64Flags } from '../images/arm64-image.js';
import { replayWholeScript, type ReplayedScript } from '../emit/measure.js';
import { CHECKS, XEN_MAX_MODULES } from '../plan/checks.js';
import { XEN_MAX_FDT_SIZE } from '../plan/dtb.js';
import { hushInput, wordHasVar, type Word } from '../sim/uboot/hush/lexer.js';
import { scriptCommands } from '../sim/uboot/hush/commands.js';
import { alignUp, rangesOverlap, SZ_2M } from '../util/align.js';
import { hexUpper, humanSize } from '../util/hex.js';
import { finding } from './input.js';
import type {
  BootSection, ChosenNode, DtbSection, InspectFinding, InspectLoad, InspectReport, MemoryRegion, ScriptSection,
} from './types.js';

/** The board the script is read for: its RAM, U-Boot's own area at the top, the boot-time FDT pad. */
export interface InspectBoard {
  name: string;
  ram: { start: number; end: number }[];
  ubootReserved: { start: number; end: number };
  fdtPad: number;
  /** The board's own DTB (--board): what a script without a DTB load edits at `${fdtcontroladdr}`. */
  dtb?: Uint8Array;
}

export interface AnalyseOptions {
  /** The folder the board fetches from (TFTP root); without it sizes come from `reg` values only. */
  root?: string;
  /** The -p PATH the script was generated with: `PATH/file` is read from `root/file`. */
  prependPath?: string;
  board: InspectBoard;
  /** Images of a FIT by name (a FIT script's `imxtract`). */
  fitImages?: ReadonlyMap<string, Uint8Array>;
}

interface Cmd { words: Word[]; argv: string[]; line: number }

const TFTP = new Set(['tftpb', 'tftpboot', 'tftp', 'dhcp', 'pxe', 'nfs', 'wget']);
const FS_LOAD = new Set(['load', 'fatload', 'ext2load', 'ext4load', 'btrfsload', 'sqfsload', 'erofsload']);
const BOOT = new Set(['booti', 'bootm', 'bootz', 'bootefi']);

/** A word as written: literal text, variables as `${name}`. */
const shown = (w: Word): string => w.parts.map((p) => (p.kind === 'lit' ? p.text : `\${${p.name}}`)).join('');

/** hextoul() of a whole word (U-Boot reads load and boot addresses as hex, `0x` optional). */
function hexArg(w: Word | undefined): number | undefined {
  if (!w || wordHasVar(w)) return undefined;
  const m = /^(?:0[xX])?([0-9a-fA-F]+)$/.exec(shown(w));
  return m ? parseInt(m[1]!, 16) : undefined;
}

function splitCommands(text: string, file: string): { cmds: Cmd[]; syntax?: InspectFinding } {
  // An open quote is reported where it opens: the blanks skipped to find the bad word include newlines.
  const { commands, syntax } = scriptCommands(hushInput(text), { skipReserved: true, blanks: /[ \t\n]/ });
  const cmds = commands.map((c) => ({ words: c.words, argv: c.words.map(shown), line: c.line }));
  if (!syntax) return { cmds };
  return { cmds, syntax: finding('INSPECT_SCRIPT_SYNTAX', 'hush-syntax', `${file} line ${syntax.line}: ${syntax.message}: U-Boot stops running the script there`, syntax.line) };
}

/** The load a command makes: address word and file name, by the command's argument order. */
function loadOf(c: Cmd): { addr: Word | undefined; addrText: string; file: string; fit: boolean } | undefined {
  const name = c.argv[0]!;
  if (TFTP.has(name) && name !== 'dhcp' && name !== 'pxe') {
    if (c.words.length >= 3) return { addr: c.words[1], addrText: c.argv[1]!, file: c.argv[2]!.replace(/^[^:/]*:/, ''), fit: false };
    if (c.words.length === 2 && hexArg(c.words[1]) === undefined) return { addr: undefined, addrText: '${loadaddr}', file: c.argv[1]!.replace(/^[^:/]*:/, ''), fit: false };
    return undefined;
  }
  if (FS_LOAD.has(name) && c.words.length >= 5) return { addr: c.words[3], addrText: c.argv[3]!, file: c.argv[4]!, fit: false };
  if (name === 'imxtract' && c.words.length >= 4) return { addr: c.words[3], addrText: c.argv[3]!, file: c.argv[2]!, fit: true };
  return undefined;
}

/** The short description of a sized file. */
function describe(info: ImageInfo): string {
  if (info.arm64) return `arm64 Image, image_size ${hexUpper(info.arm64.imageSize)}${decodeArm64Flags(info.arm64.flags).placeAnywhere ? ', place anywhere' : ''}`;
  if (info.zimage) return `arm32 zImage, ${hexUpper(info.zimage.size)} bytes`;
  if (info.dtb) return `device tree, totalsize ${info.dtb.totalsize}`;
  return describeWhatItIs(info).replace(/^an? /, '');
}

/** Where `file` of the script is read from under `root` (-p stripped); undefined when it would leave root. */
function underRoot(root: string, file: string, prependPath: string | undefined): string | undefined {
  let name = file;
  const prefix = prependPath?.replace(/\/+$/, '');
  if (prefix && name.startsWith(`${prefix}/`)) name = name.slice(prefix.length + 1);
  const abs = path.resolve(root, name.replace(/^\/+/, ''));
  const rel = path.relative(path.resolve(root), abs);
  return rel.startsWith('..') || path.isAbsolute(rel) ? undefined : abs;
}

const planCheck = (name: string) => {
  const c = CHECKS.find((x) => x.name === name);
  if (!c) throw new InternalError(`the planner has no check "${name}"`);
  return c;
};

/** A finding of one of the planner's checks, with its code, severity and fix. */
function fromPlanCheck(name: string, message: string, line?: number, fix?: string): InspectFinding {
  const c = planCheck(name);
  return { code: c.code, level: c.severity, check: c.name, ...(line !== undefined ? { line } : {}), message, fix: fix ?? c.fix };
}

const range = (a: number, b: number): string => `${hexUpper(a)}..${hexUpper(b)}`;

const EMPTY_TREE = (): Uint8Array => serializeTree({ root: { name: '', props: [], children: [{ name: 'chosen', props: [], children: [] }] }, memRsv: [], bootCpuidPhys: 0 });

/** `reg`'s first (address, size), in the cells its parent declares (default 2 and 1, as the spec says). */
function regOf(node: FdtNode, parent: FdtNode): { addr: number; size: number } | undefined {
  const cellsOf = (n: string, dflt: number): number => {
    const p = parent.props.find((x) => x.name === n)?.value;
    return p && p.length === 4 ? new DataView(p.buffer, p.byteOffset, 4).getUint32(0) : dflt;
  };
  const ac = cellsOf('#address-cells', 2);
  const sc = cellsOf('#size-cells', 1);
  const v = node.props.find((x) => x.name === 'reg')?.value;
  if (!v || v.length < (ac + sc) * 4 || ac > 2 || sc > 2) return undefined;
  const dv = new DataView(v.buffer, v.byteOffset, v.length);
  const num = (at: number, n: number): number => (n === 2 ? dv.getUint32(at) * 0x1_0000_0000 + dv.getUint32(at + 4) : n === 1 ? dv.getUint32(at) : 0);
  return { addr: num(0, ac), size: num(ac * 4, sc) };
}

const compatibles = (n: FdtNode): string[] => {
  const v = n.props.find((p) => p.name === 'compatible')?.value;
  return v ? getStringList(v) : [];
};

function toChosen(n: FdtNode, at: string): ChosenNode {
  return {
    name: n.name, path: at,
    props: n.props.map((p) => ({ name: p.name, value: p.value.length === 0 ? '' : formatValue(p.value) })),
    children: n.children.map((c) => toChosen(c, `${at}/${c.name}`)),
  };
}

/** A module node of /chosen (dom0's or a domU's): what Xen registers as a boot module. */
interface ModuleNode { node: FdtNode; path: string; reg?: { addr: number; size: number }; compatible: string[] }

function moduleNodes(chosen: FdtNode): ModuleNode[] {
  const out: ModuleNode[] = [];
  const visit = (n: FdtNode, parent: FdtNode, at: string): void => {
    const compatible = compatibles(n);
    if (compatible.some((c) => c.startsWith('multiboot,') || c.startsWith('xen,linux-') || c === 'xen,multiboot-module')) {
      const reg = regOf(n, parent);
      out.push({ node: n, path: at, compatible, ...(reg ? { reg } : {}) });
    }
    for (const c of n.children) visit(c, n, `${at}/${c.name}`);
  };
  for (const c of chosen.children) visit(c, chosen, `/chosen/${c.name}`);
  return out;
}

export function analyseScript(text: string, section: Omit<ScriptSection, 'text'>, opts: AnalyseOptions): InspectReport {
  const file = path.basename(section.file);
  const findings: InspectFinding[] = [];
  const { cmds, syntax } = splitCommands(text, file);
  if (syntax) findings.push(syntax);
  const board = opts.board;

  // ---- loads ----
  const loads: InspectLoad[] = [];
  const infos = new Map<InspectLoad, ImageInfo>();
  const absOf = new Map<InspectLoad, string>();
  for (const c of cmds) {
    const l = loadOf(c);
    if (!l) continue;
    const addr = hexArg(l.addr);
    const load: InspectLoad = { line: c.line, command: c.argv[0]!, ...(addr !== undefined ? { addr } : {}), addrText: l.addrText, file: l.file, sizeFrom: 'unknown' };
    loads.push(load);
    if (l.fit) {
      const data = opts.fitImages?.get(l.file);
      if (data) {
        const format = detectFormat(data.subarray(0, 8192));
        const arm64 = format === 'arm64-image' ? parseArm64Image(data.subarray(0, 64), l.file) : undefined;
        Object.assign(load, { sizeFrom: 'fit', size: data.length, footprint: Math.max(data.length, arm64 && !arm64.sizeWasGuessed ? arm64.imageSize : 0), format });
      }
      continue;
    }
    if (opts.root === undefined) continue;
    const abs = underRoot(opts.root, l.file, opts.prependPath);
    if (abs === undefined) {
      findings.push(finding('IMAGE_NOT_FOUND', 'file-exists', `${file} line ${c.line}: \`${c.argv.join(' ')}\` names "${l.file}", which is outside --root`, c.line,
        'the board fetches files under its TFTP root only: name the file relative to it'));
      continue;
    }
    try {
      const info = sizeImage(abs, `${l.file} (line ${c.line})`);
      infos.set(load, info);
      absOf.set(load, abs);
      Object.assign(load, { sizeFrom: 'file', size: info.fileSize, footprint: info.footprint, format: info.format, description: describe(info) });
    } catch (e) {
      if (!(e instanceof UbootGenError)) throw e;
      const missing = e.code === 'IMAGE_NOT_FOUND';
      findings.push(finding(e.code, missing ? 'file-exists' : 'file-readable', missing
        ? `${file} line ${c.line}: \`${c.argv.join(' ')}\` loads "${l.file}", which is not under --root ${opts.root}: the board's load fails and \${filesize} keeps the previous file's size`
        : `${file} line ${c.line}: ${e.message}`, c.line, missing ? 'put the file in the TFTP root, or correct its name in the script' : undefined));
    }
  }

  // ---- the DTB the script edits, and /chosen ----
  const fdtAddrCmd = cmds.find((c) => c.argv[0] === 'fdt' && c.argv[1]?.startsWith('ad') && c.words[2] !== undefined);
  let dtb: DtbSection | undefined;
  let replay: ReplayedScript | undefined;
  let chosenNode: FdtNode | undefined;
  if (fdtAddrCmd && !syntax) {
    const addrWord = fdtAddrCmd.words[2]!;
    const addr = hexArg(addrWord);
    const addrVar = addr === undefined && addrWord.parts.length === 1 && addrWord.parts[0]!.kind === 'var' ? addrWord.parts[0]!.name : undefined;
    const dtbLoad = addr !== undefined ? [...loads].reverse().find((l) => l.addr === addr && l.line < fdtAddrCmd.line) : undefined;
    let blob: Uint8Array | undefined;
    let from: DtbSection['from'] = 'empty-tree';
    if (dtbLoad) {
      dtbLoad.role = 'dtb';
      const abs = absOf.get(dtbLoad);
      if (abs !== undefined && infos.get(dtbLoad)?.format === 'dtb') {
        try {
          blob = readBoardDtb(abs, `${dtbLoad.file} (line ${dtbLoad.line})`);
          from = 'file';
        } catch (e) {
          if (!(e instanceof UbootGenError)) throw e;
          findings.push(finding(e.code, 'dtb-readable', `${file} line ${dtbLoad.line}: ${e.message}`, dtbLoad.line));
        }
      } else if (dtbLoad.sizeFrom === 'fit' && dtbLoad.format === 'dtb') {
        blob = opts.fitImages?.get(dtbLoad.file)?.slice();
        if (blob) from = 'file';
      }
    } else if (addrVar !== undefined && board.dtb) {
      blob = board.dtb;
      from = 'board';
    }
    if (!blob) blob = EMPTY_TREE();
    const label = from === 'file' ? `the DTB "${dtbLoad!.file}"` : from === 'board' ? 'the --board DTB' : 'an empty device tree (the DTB itself is not available)';
    replay = replayWholeScript(text, { dtb: blob, addr: addr ?? 0, label, scriptName: file, ...(addrVar !== undefined ? { addrVar } : {}) });
    const resizeCmd = cmds.find((c) => c.argv[0] === 'fdt' && c.argv[1]?.startsWith('re'));
    const resizeArg = resizeCmd?.words[2];
    const resizeBytes = resizeArg && !wordHasVar(resizeArg) && /^(0x)?[0-9a-f]+$/i.test(shown(resizeArg)) ? parseInt(shown(resizeArg).replace(/^0x/i, ''), 16) : resizeCmd ? 0 : undefined;
    dtb = {
      addr: addr ?? 0, from, ...(dtbLoad ? { file: dtbLoad.file } : {}), size: totalsize(blob),
      ...(resizeCmd && resizeBytes !== undefined ? { resize: { line: resizeCmd.line, arg: resizeCmd.argv[2] ?? '', bytes: resizeBytes } } : {}),
      growth: replay.growth, edits: replay.edits, sizeAfter: totalsize(replay.edited), bootPad: board.fdtPad,
    };
    // The first FDT_ERR_NOSPACE is the finding; what fails after it (edits of nodes that were never
    // created) follows from it and is counted in its message.
    const firstNospace = replay.failures.find((f) => f.error.data['fdtError'] === 'FDT_ERR_NOSPACE');
    let following = 0;
    for (const f of replay.failures) {
      if (firstNospace && f !== firstNospace && f.line > firstNospace.line && f.error.code !== 'EMIT_FDT_UNMEASURABLE') { following++; continue; }
      if (f === firstNospace) continue;
      if (f.error.code === 'EMIT_FDT_UNMEASURABLE' || from === 'empty-tree') {
        findings.push(finding('INSPECT_FDT_UNMEASURED', 'fdt-applied', from === 'empty-tree' && f.error.code !== 'EMIT_FDT_UNMEASURABLE'
          ? `${f.error.message}; give --root with the DTB to apply it to the real one` : f.error.message, f.line));
      } else {
        findings.push(finding('INSPECT_FDT_EDIT', 'fdt-edit', f.error.message, f.line));
      }
    }
    if (firstNospace) {
      const f = firstNospace;
      const have = dtb.resize ? `\`fdt resize ${dtb.resize.arg}\` (line ${dtb.resize.line}) gives 0x${dtb.resize.bytes.toString(16).toUpperCase()} bytes` : 'the script has no `fdt resize`, so the DTB has only its own free space';
      findings.push(finding('INSPECT_FDT_RESIZE', 'fdt-resize', `${file} line ${f.line}: \`${f.text}\` fails with FDT_ERR_NOSPACE: ${have}, but the script's fdt edits add ${replay.growth} bytes${following > 0 ? `; ${following} later fdt command${following === 1 ? '' : 's'} fail${following === 1 ? 's' : ''} after it` : ''}`, f.line,
        `write \`fdt resize 0x${replay.growth.toString(16).toUpperCase()}\` (or more) before the first edit`));
    }
    const tree = parseTree(replay.edited, label);
    chosenNode = tree.root.children.find((c) => c.name === 'chosen');
    if (dtb.addr % 8 !== 0 && addr !== undefined) {
      findings.push(finding('FDT_ERR_ALIGNMENT', 'dtb-aligned', `${file} line ${fdtAddrCmd.line}: the DTB is at ${hexUpper(dtb.addr)}, not 8-byte aligned: Xen refuses it`, fdtAddrCmd.line,
        'load the DTB at an 8-byte (better: 2 MiB) boundary'));
    }
    const grown = dtb.sizeAfter + dtb.bootPad;
    if (grown > XEN_MAX_FDT_SIZE) {
      findings.push(fromPlanCheck('dtb-size', `the edited device tree would be ${grown} bytes (with U-Boot's ${dtb.bootPad}-byte pad), but Xen accepts at most ${XEN_MAX_FDT_SIZE} (2 MiB)`, dtb.resize?.line));
    }
  }

  // ---- sizes from /chosen when the files are not at hand ----
  const modules = chosenNode ? moduleNodes(chosenNode) : [];
  for (const l of loads) {
    if (l.addr === undefined) continue;
    const at = modules.filter((m) => m.reg?.addr === l.addr);
    if (at.length > 0 && l.role === undefined) l.role = 'module';
    if (l.sizeFrom === 'unknown' && at.length > 0) {
      const size = Math.max(...at.map((m) => m.reg!.size));
      Object.assign(l, { sizeFrom: 'reg', size, footprint: size });
    }
  }

  // ---- the boot command ----
  const bootCmd = [...cmds].reverse().find((c) => BOOT.has(c.argv[0]!));
  let boot: BootSection | undefined;
  if (bootCmd) {
    const image = hexArg(bootCmd.words[1]);
    const fdtArg = hexArg(bootCmd.words[3]);
    boot = { line: bootCmd.line, command: bootCmd.argv.join(' '), ...(image !== undefined ? { image } : {}), ...(bootCmd.argv[2] !== undefined ? { ramdisk: bootCmd.argv[2] } : {}), ...(fdtArg !== undefined ? { fdt: fdtArg } : {}) };
  }
  const bootLoad = boot?.image !== undefined ? [...loads].reverse().find((l) => l.addr === boot!.image && l.line < boot!.line) : undefined;
  if (bootLoad) bootLoad.role = 'boot-image';

  // ---- per-load checks ----
  const known = loads.filter((l): l is InspectLoad & { addr: number; footprint: number } => l.addr !== undefined && l.footprint !== undefined);
  for (const l of loads) {
    if (l.addr !== undefined && l.addr % 0x1000 !== 0 && l.role !== 'dtb') {
      findings.push(finding('INSPECT_UNALIGNED', 'load-aligned', `${file} line ${l.line}: "${l.file}" is loaded at ${hexUpper(l.addr)}, not a multiple of 4 KiB`, l.line));
    }
  }
  for (const l of known) {
    const end = l.addr + l.footprint;
    if (!board.ram.some((b) => l.addr >= b.start && end <= b.end)) {
      findings.push(fromPlanCheck('loads-inside-ram', `${file} line ${l.line}: "${l.file}" at ${range(l.addr, end)} is outside the board's RAM (${board.ram.map((b) => range(b.start, b.end)).join(', ')})`, l.line,
        'load the file inside the board\'s RAM (its /memory node)'));
    } else if (rangesOverlap(l.addr, end, board.ubootReserved.start, board.ubootReserved.end)) {
      findings.push(fromPlanCheck('loads-avoid-reserved', `${file} line ${l.line}: "${l.file}" at ${range(l.addr, end)} overlaps U-Boot's own area ${range(board.ubootReserved.start, board.ubootReserved.end)}`, l.line,
        'load the file below U-Boot\'s area at the top of RAM'));
    }
  }
  for (let i = 0; i < known.length; i++) {
    for (let j = i + 1; j < known.length; j++) {
      const a = known[i]!;
      const b = known[j]!;
      if (a.file === b.file && a.addr === b.addr) continue;
      if (rangesOverlap(a.addr, a.addr + a.footprint, b.addr, b.addr + b.footprint)) {
        findings.push(finding('INSPECT_LOADS_OVERLAP', 'loads-overlap',
          `${file} line ${b.line}: "${b.file}" at ${range(b.addr, b.addr + b.footprint)} overlaps "${a.file}" (line ${a.line}) at ${range(a.addr, a.addr + a.footprint)} (sizes from ${a.sizeFrom === b.sizeFrom ? a.sizeFrom : `${a.sizeFrom} and ${b.sizeFrom}`})`, b.line));
      }
    }
  }
  const dtbLoad = loads.find((l) => l.role === 'dtb');
  if (dtb?.from === 'file' && dtbLoad) {
    const growStart = dtb.addr + (dtbLoad.size ?? dtb.size);
    const growEnd = dtb.addr + Math.max(dtb.sizeAfter, dtb.size) + dtb.bootPad;
    for (const l of known) {
      if (l === dtbLoad || !rangesOverlap(l.addr, l.addr + l.footprint, growStart, growEnd)) continue;
      findings.push(finding('INSPECT_LOAD_OVER_DTB', 'load-over-dtb',
        `${file} line ${l.line}: "${l.file}" at ${range(l.addr, l.addr + l.footprint)} is in the room the DTB grows into, ${range(growStart, growEnd)} (totalsize ${dtb.sizeAfter} after the edits + ${dtb.bootPad} bytes U-Boot pads at boot)`, l.line));
    }
  }

  // ---- /chosen: what Xen will read ----
  if (chosenNode) {
    const allAddrsKnown = loads.every((l) => l.addr !== undefined);
    for (const m of modules) {
      const isModule = m.compatible.includes('multiboot,module') || m.compatible.includes('xen,multiboot-module');
      if (!isModule) {
        findings.push(finding('INSPECT_MODULE_COMPATIBLE', 'module-compatible',
          `${m.path}: compatible is ${m.compatible.map((c) => `"${c}"`).join(' ')}, without "multiboot,module": Xen does not register this node, so its bootargs are never read`, lineOf(cmds, m.path, 'compatible')));
      }
      if (!m.reg || !allAddrsKnown) continue;
      const l = [...loads].reverse().find((x) => x.addr === m.reg!.addr);
      if (!l) {
        findings.push(finding('INSPECT_MODULE_NOT_LOADED', 'module-loaded', `${m.path}: reg starts at ${hexUpper(m.reg.addr)}, where the script loads no file`, lineOf(cmds, m.path, 'reg')));
        continue;
      }
      if (l.sizeFrom === 'file' || l.sizeFrom === 'fit') {
        if (m.reg.size < l.size!) {
          findings.push(finding('INSPECT_REG_SHORT', 'reg-size', `${m.path}: reg size ${hexUpper(m.reg.size)} (${humanSize(m.reg.size)}) is shorter than "${l.file}" (${hexUpper(l.size!)} bytes, ${humanSize(l.size!)}): Xen gives the domain a truncated image`,
            lineOf(cmds, m.path, 'reg'), `set the reg size to at least ${hexUpper(l.size!)}`));
        } else if (m.reg.size > l.footprint!) {
          findings.push(finding('INSPECT_REG_LONG', 'reg-size', `${m.path}: reg size ${hexUpper(m.reg.size)} is larger than "${l.file}" (footprint ${hexUpper(l.footprint!)}): Xen copies the memory after the file too`,
            lineOf(cmds, m.path, 'reg'), `set the reg size to ${hexUpper(l.footprint!)}`));
        }
      }
    }
    for (const d of chosenNode.children.filter((n) => compatibles(n).includes('xen,domain'))) {
      const at = `/chosen/${d.name}`;
      for (const prop of ['cpus', 'memory']) {
        if (!d.props.some((p) => p.name === prop)) {
          findings.push(finding('INSPECT_DOMAIN_PROPERTY', 'domain-properties', `${at} has no "${prop}" property: Xen panics with "Missing property '${prop}' for domain ${d.name}"`, lineOf(cmds, at, 'compatible'),
            prop === 'cpus' ? `give ${at} a cpus property (the vCPU count, e.g. <1>)` : `give ${at} a memory property (two cells, in KiB)`));
        }
      }
      if (!d.children.some((c) => compatibles(c).includes('multiboot,kernel'))) {
        findings.push(finding('INSPECT_DOMAIN_NO_KERNEL', 'domain-kernel', `${at} has no module node with "multiboot,kernel": Xen has no kernel to start it with`, lineOf(cmds, at, 'compatible')));
      }
    }
    const moduleCount = 2 + new Set(modules.filter((m) => m.reg).map((m) => m.reg!.addr)).size;
    if (moduleCount > XEN_MAX_MODULES) {
      findings.push(fromPlanCheck('module-count', `Xen registers at most ${XEN_MAX_MODULES} boot modules (Xen and the DTB included) but /chosen has ${moduleCount}: the last module nodes are ignored`));
    }
  }

  // ---- the boot command's targets ----
  let xenRun: MemoryRegion | undefined;
  if (!boot) {
    findings.push(finding('INSPECT_NO_BOOT', 'boot-command', `${file} ends without a boot command (booti, bootm, bootz, bootefi)`));
  } else {
    if (boot.image !== undefined && loads.every((l) => l.addr !== undefined) && !bootLoad) {
      findings.push(finding('INSPECT_BOOT_TARGET', 'boot-target', `${file} line ${boot.line}: \`${boot.command}\` boots ${hexUpper(boot.image)}, where the script loads no file`, boot.line));
    }
    if (boot.fdt !== undefined && dtb && fdtAddrCmd && hexArg(fdtAddrCmd.words[2]) !== undefined && boot.fdt !== dtb.addr) {
      findings.push(finding('INSPECT_BOOT_TARGET', 'boot-target', `${file} line ${boot.line}: \`${boot.command}\` passes the DTB at ${hexUpper(boot.fdt)}, but the script edited the one at ${hexUpper(dtb.addr)}`, boot.line));
    }
    const info = bootLoad ? infos.get(bootLoad) : undefined;
    const cmd = bootCmd!.argv[0]!;
    const want = cmd === 'booti' ? 'arm64-image' : cmd === 'bootz' ? 'zimage' : cmd === 'bootm' ? 'uimage' : undefined;
    if (info && want && info.format !== want && !(cmd === 'bootm' && info.format === 'arm64-image')) {
      findings.push(fromPlanCheck('xen-matches-boot-cmd', `${file} line ${boot.line}: \`${cmd}\` cannot boot "${bootLoad!.file}": it is ${describeWhatItIs(info)}`, boot.line,
        info.format === 'zimage' ? 'boot it with bootz' : info.format === 'arm64-image' ? 'boot it with booti' : 'boot the Xen binary'));
    }
    // booti moves the image to ALIGN(dst, 2 MiB) + text_offset before it runs (arch/arm/lib/image.c).
    if (cmd === 'booti' && info?.arm64 && bootLoad?.addr !== undefined && board.ram[0]) {
      const a = info.arm64;
      const dst = decodeArm64Flags(a.flags).placeAnywhere ? bootLoad.addr - a.textOffset : board.ram[0].start;
      const run = alignUp(Math.max(dst, 0), SZ_2M) + a.textOffset;
      xenRun = { start: run, end: run + a.imageSize, kind: 'xen-run', label: `"${bootLoad.file}" once ${cmd} runs it (image_size ${hexUpper(a.imageSize)})`, line: boot.line };
      const hit = known.find((l) => l !== bootLoad && rangesOverlap(l.addr, l.addr + l.footprint, run, run + a.imageSize));
      if (hit) {
        findings.push(fromPlanCheck('loads-clear-of-xen', `${file} line ${hit.line}: "${hit.file}" at ${range(hit.addr, hit.addr + hit.footprint)} overlaps "${bootLoad.file}" once ${cmd} runs it at ${range(run, run + a.imageSize)}`, hit.line));
      }
    }
  }

  // ---- memory map ----
  const memoryMap: MemoryRegion[] = [
    ...board.ram.map((b, i) => ({ start: b.start, end: b.end, kind: 'ram' as const, label: `RAM bank ${i}` })),
    { start: board.ubootReserved.start, end: board.ubootReserved.end, kind: 'uboot', label: 'U-Boot (relocated code, stack, heap)' },
    ...known.map((l) => ({ start: l.addr, end: l.addr + l.footprint, kind: 'load' as const, label: `${l.file}${l.role ? ` (${l.role})` : ''}`, line: l.line })),
  ];
  if (dtb?.from === 'file' && dtbLoad?.addr !== undefined) {
    const start = dtb.addr + (dtbLoad.size ?? dtb.size);
    const end = dtb.addr + Math.max(dtb.sizeAfter, dtb.size) + dtb.bootPad;
    if (end > start) memoryMap.push({ start, end, kind: 'dtb-growth', label: `DTB growth: totalsize ${dtb.sizeAfter} after the edits, + ${dtb.bootPad} boot pad` });
  }
  if (xenRun && !(bootLoad && xenRun.start === bootLoad.addr)) memoryMap.push(xenRun);
  const KIND_ORDER = ['ram', 'uboot', 'load', 'dtb-growth', 'xen-run'];
  memoryMap.sort((a, b) => a.start - b.start || KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));

  findings.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
  return {
    script: { ...section, text: { bytes: text.length, lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0), commands: cmds.length } },
    board: { name: board.name, ram: board.ram },
    loads,
    ...(dtb ? { dtb } : {}),
    ...(chosenNode ? { chosen: toChosen(chosenNode, '/chosen') } : {}),
    ...(boot ? { boot } : {}),
    memoryMap,
    findings,
  };
}

/** The line of the last `fdt set PATH PROP` (or `fdt mknod` of PATH), for findings about a node. */
function lineOf(cmds: readonly Cmd[], nodePath: string, prop: string): number | undefined {
  const set = [...cmds].reverse().find((c) => c.argv[0] === 'fdt' && c.argv[1]?.startsWith('se') && c.argv[2] === nodePath && c.argv[3] === prop);
  if (set) return set.line;
  const slash = nodePath.lastIndexOf('/');
  return cmds.find((c) => c.argv[0] === 'fdt' && c.argv[1]?.startsWith('mk') && c.argv[2] === nodePath.slice(0, slash) && c.argv[3] === nodePath.slice(slash + 1))?.line;
}
