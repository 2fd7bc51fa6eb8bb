// The one JSON envelope every command prints with --json, and the sections shared by commands.
// Its shape is a contract, written down in schema/uboot-gen.schema.json (shipped in the package)
// and in the README's "JSON output": `schemaVersion` changes when a field is removed, renamed or
// changes meaning; adding a field or a section does not change it.
// Numbers: every address and size is a JSON number of bytes (all below 2^52, so exact); the
// addresses a reader compares with the script (loads, the script's, the FIT's) also come as a
// `...Hex` string: 0x and upper-case digits.
import type { Diagnostic } from '../config/types.js';
import type { BootPlan, PlannedLoad, Region } from '../plan/types.js';
import { InternalError, UbootGenError, codeInfo, exitCodeFor } from '../errors.js';
import { hexUpper } from '../util/hex.js';
import { cpuJson, hasCpuKeys } from './cpu-report.js';

export const JSON_SCHEMA_VERSION = 1;

/** Where the schema lives in the package. */
export const JSON_SCHEMA_FILE = 'schema/uboot-gen.schema.json';

export const JSON_COMMANDS = ['generate', 'simulate', 'qemu', 'serve', 'check', 'inspect', 'keys'] as const;
export type CommandName = (typeof JSON_COMMANDS)[number];

/** A finding in JSON: stable code, severity, position, the config key behind it and its fix. */
export interface JsonDiagnostic {
  code: string;
  level: 'error' | 'warning' | 'info';
  message: string;
  key?: string;
  /** A config position (file, line, col) or a place in a binary file (file, offset). */
  where?: { file: string; line?: number; col?: number; offset?: number };
  hint?: string;
  /** What to do about it, from the codes table. */
  fix?: string;
  /** Machine-readable details of an error; their fields depend on the code. */
  data?: Record<string, unknown>;
}

export interface JsonEnvelope {
  schemaVersion: typeof JSON_SCHEMA_VERSION;
  command: CommandName;
  ok: boolean;
  exitCode: number;
  diagnostics: JsonDiagnostic[];
  /** Command-specific sections: plan, outputs, verification, lab, results, … */
  [section: string]: unknown;
}

/** A position in JSON: lines and columns count from 1; a value from the command line has none (line 0 inside). */
function whereJson(w: { file: string; line?: number | undefined; col?: number | undefined; offset?: number | undefined }): NonNullable<JsonDiagnostic['where']> {
  return {
    file: w.file,
    ...(w.line !== undefined && w.line > 0 ? { line: w.line } : {}), ...(w.col !== undefined && w.col > 0 ? { col: w.col } : {}),
    ...(w.offset !== undefined ? { offset: w.offset } : {}),
  };
}

export function diagnosticToJson(d: Diagnostic): JsonDiagnostic {
  return {
    code: d.code, level: d.level, message: d.message,
    ...(d.key !== undefined ? { key: d.key } : {}),
    ...(d.where ? { where: whereJson(d.where) } : {}),
    ...(d.hint !== undefined ? { hint: d.hint } : {}),
    fix: codeInfo(d.code).fix,
  };
}

/** An error that stopped the run, as a diagnostic of level "error". Anything not ours is INTERNAL (with its stack). */
export function errorToJson(err: unknown): JsonDiagnostic {
  const e = err instanceof UbootGenError ? err
    : new InternalError(err instanceof Error ? err.message : String(err), err instanceof Error && err.stack ? { stack: err.stack } : {});
  const w = e.where;
  // A code outside the table (a libfdt number our port does not name) has no fix to give.
  const fix = (codeInfo(e.code) as ReturnType<typeof codeInfo> | undefined)?.fix;
  return {
    code: e.code, level: 'error', message: e.message,
    ...(w?.key !== undefined ? { key: w.key } : {}),
    ...(w?.file !== undefined ? { where: whereJson({ ...w, file: w.file }) } : {}),
    ...(e.hint !== undefined ? { hint: e.hint } : {}),
    ...(fix !== undefined ? { fix } : {}),
    ...(Object.keys(e.data).length ? { data: e.data } : {}),
  };
}

export function envelope(command: CommandName, exitCode: number, diagnostics: JsonDiagnostic[], sections: Record<string, unknown> = {}): JsonEnvelope {
  return { schemaVersion: JSON_SCHEMA_VERSION, command, ok: exitCode === 0, exitCode, diagnostics, ...sections };
}

/** The envelope of a run stopped by an error. */
export function errorEnvelope(command: CommandName, err: unknown): JsonEnvelope {
  return envelope(command, exitCodeFor(err), [errorToJson(err)]);
}

/** An envelope as the last line of a JSON-lines command (serve): `event: "summary"` after `command`. */
export function summaryLine(e: JsonEnvelope): Record<string, unknown> {
  const { schemaVersion, command, ...rest } = e;
  return { schemaVersion, command, event: 'summary', ...rest };
}

/** One document, indented (`line`: on one line, for commands that print JSON lines). */
export function writeJson(e: object, opts: { line?: boolean } = {}): void {
  process.stdout.write(`${opts.line ? JSON.stringify(e) : JSON.stringify(e, null, 2)}\n`);
}

// --- the plan section ---

export interface JsonLoad {
  id: string;
  role: PlannedLoad['role'];
  /** Domains whose boot uses this file (more than one when shared; none for Xen, the DTB, a bitstream). */
  domains: string[];
  keys: string[];
  file: string;
  loadCmd: string;
  addr: number;
  addrHex: string;
  /** Bytes on the wire. */
  size: number;
  /** Bytes occupied once booted. */
  footprint: number;
  /** Size in the module node's `reg`. */
  regSize: number;
  /** [addr, end) is kept free for this load. */
  end: number;
  format: string;
  inner?: string;
  note?: string;
}

const region = (r: Region) => ({ start: r.start, end: r.end, label: r.label });

/** The `plan` section: where every file goes and what each domain boots; loads are named by `id` elsewhere. */
export function planJson(plan: BootPlan) {
  const domainsOf = new Map<string, string[]>();
  for (const d of plan.domains) {
    for (const l of [d.kernel, d.ramdisk, d.passthroughDtb]) if (l) domainsOf.set(l.id, [...(domainsOf.get(l.id) ?? []), d.name]);
  }
  const loads: JsonLoad[] = plan.loads.map((l) => ({
    id: l.id, role: l.role, domains: domainsOf.get(l.id) ?? [], keys: [...l.keys], file: l.file, loadCmd: l.loadCmd,
    addr: l.addr, addrHex: hexUpper(l.addr), size: l.transferSize, footprint: l.footprint, regSize: l.regSize, end: l.reservedEnd,
    format: l.format, ...(l.inner !== undefined ? { inner: l.inner } : {}), ...(l.note !== undefined ? { note: l.note } : {}),
  }));
  const { xen, dtb } = plan;
  return {
    dir: plan.dir,
    bootCmd: plan.bootCmd,
    scriptAddr: plan.scriptAddr,
    scriptAddrHex: hexUpper(plan.scriptAddr),
    memory: { start: plan.memoryStart, end: plan.memoryEnd },
    ram: plan.ram.map(region),
    avoided: plan.avoided.map(region),
    board: { name: plan.board.profile ?? null, uart: plan.board.uart ?? null, ubootWindow: plan.board.ubootWindow ? region(plan.board.ubootWindow) : null },
    // DOMU_STATIC_MEM banks, XEN_STATIC_HEAP banks and DOMU_SHARED_MEM regions (src/plan/static-mem.ts).
    staticRegions: plan.staticRegions.map((r) => ({
      kind: r.kind, key: r.key, owner: r.owner, start: r.start, end: r.end, label: r.label,
      ...(r.directMap !== undefined ? { directMap: r.directMap } : {}), ...(r.shmId !== undefined ? { shmId: r.shmId } : {}),
      ...(r.guestAddr !== undefined ? { guestAddr: r.guestAddr } : {}),
    })),
    highWater: plan.highWater,
    loads,
    xen: { load: xen.load.id, runAddr: xen.runAddr, imageSize: xen.imageSize, ...(xen.uimage ? { uimage: { file: xen.uimage.file, size: xen.uimage.bytes.length } } : {}) },
    dtb: {
      // With -s and no DEVICE_TREE the script edits U-Boot's control DTB, which is not loaded.
      ...(dtb.control ? { control: { file: dtb.control.file, size: dtb.control.bytes.length } } : { load: dtb.load.id }),
      originalSize: dtb.originalSize, growth: dtb.growth, resizeExtra: dtb.resizeExtra, resizedSize: dtb.resizedSize, bootPad: dtb.bootPad, hasChosen: dtb.hasChosen,
    },
    domains: plan.domains.map((d) => ({
      name: d.name, kind: d.kind, ...(d.index !== undefined ? { index: d.index } : {}),
      kernel: d.kernel.id, ...(d.ramdisk ? { ramdisk: d.ramdisk.id } : {}), ...(d.passthroughDtb ? { passthroughDtb: d.passthroughDtb.id } : {}),
      ...(d.memMB !== undefined ? { memMB: d.memMB } : {}), ...(d.vcpus !== undefined ? { vcpus: d.vcpus } : {}), cmd: d.cmd,
      ...(d.props && Object.keys(d.props).length ? { props: { ...d.props } } : {}),
    })),
    ...(plan.extraCmds !== undefined ? { extraCmds: plan.extraCmds } : {}),
    ...(hasCpuKeys(plan) ? { cpu: cpuJson(plan) } : {}),
  };
}
