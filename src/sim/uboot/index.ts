// Library entry of the U-Boot simulator: run a boot.scr against the files a TFTP server would serve,
// exactly as a board would (the script is first loaded with `tftpb ADDR boot.scr`, then `source ADDR`),
// and return the console transcript, every failed command, and the hand-off to the next stage.
import type { BoardProfile, BootHandoff } from '../handoff.js';
import { hexBare } from '../../util/hex.js';
import { commandTable } from './cmd/index.js';
import { Machine, type CommandFailure, type MachineOptions, type StopReason } from './machine.js';
import { runHush } from './hush/run.js';
import { tftpLoadServed } from './cmd/net.js';
import type { UbootBuildOptions } from './board.js';

export { Machine } from './machine.js';
export type { CommandFailure, MachineOptions, StopReason } from './machine.js';
export { qemuVirtBoard, qemuVirtArm32Board, boardFromDtb, boardFromRange, boardFromBanks, DEFAULT_UBOOT_VERSION, QEMU_VIRT_DEFAULT_ENV, QEMU_VIRT_BUILD } from './board.js';
export type { UbootBuildOptions } from './board.js';
export { checkUbootVersion, modelledRelease, SUPPORTED_UBOOT_VERSIONS, UBOOT_RELEASES, type UbootRelease } from './version.js';

/** Commands Debian's qemu_arm64 build does not include (its `help` lists neither). */
export const QEMU_ARM64_EXCLUDED_COMMANDS: readonly string[] = ['bootz', 'fpga'];
/** Commands Debian's qemu_arm (32-bit) build does not include: booti is arm64-only (CMD_BOOTI). */
export const QEMU_ARM_EXCLUDED_COMMANDS: readonly string[] = ['booti', 'fpga'];

export interface CreateMachineOptions extends Omit<MachineOptions, 'commands'> {
  /** Commands to leave out of the table (default: QEMU_ARM64_EXCLUDED_COMMANDS). */
  excludeCommands?: readonly string[];
}

export function createMachine(opts: CreateMachineOptions): Machine {
  // A board with an FPGA manager runs a U-Boot built with the fpga command (CONFIG_CMD_FPGA).
  const base = opts.board?.arch === 'arm32' ? QEMU_ARM_EXCLUDED_COMMANDS : QEMU_ARM64_EXCLUDED_COMMANDS;
  const excluded = opts.board?.fpgaDevices ? base.filter((c) => c !== 'fpga') : base;
  return new Machine({ ...opts, commands: commandTable(opts.excludeCommands ?? excluded) });
}

export interface SimulateUbootOptions {
  /** boot.scr bytes. */
  script: Uint8Array;
  /** Folder served over TFTP (and as the boot partition for `load`). */
  root: string;
  /** The `-p PREFIX` the script was generated with: `PREFIX/file` is served from `root`. */
  prependPath?: string;
  /** Outputs not yet under their final names: real path → staged file (see FileServer). */
  staged?: ReadonlyMap<string, string>;
  board?: BoardProfile;
  build?: Partial<UbootBuildOptions>;
  /** Where the script is loaded before `source` (default 0x40200000, the board's scriptaddr). */
  scriptAddr?: number;
  /** Files placed in RAM before the script runs (as if loaded by an earlier step). */
  preload?: { addr: number; file: string }[];
  /** Extra/overriding environment variables. */
  env?: Record<string, string>;
  /**
   * Typed at the prompt once the script ends without booting, as a user would
   * (`booti ${host_kernel_addr} - ${host_fdt_addr}` after a BOOT_CMD=none script).
   */
  then?: string;
  ubootVersion?: string;
  /** Name the script image is served under (default boot.scr; a FIT: boot.fit). */
  scriptName?: string;
  /** The script is image NAME of a FIT: run as `source ADDR:NAME` (ImageBuilder's FIT mode uses boot_scr). */
  fitScript?: string;
  /** U-Boot's own DTB, whose /signature keys check FIT signatures. */
  controlFdt?: Uint8Array;
}

export interface UbootResult {
  /** Console transcript, starting with the prompt lines of the `tftpb` + `source` that start the script. */
  console: string[];
  failures: CommandFailure[];
  handoff?: BootHandoff;
  bootAttempted: boolean;
  env: Record<string, string>;
  stoppedReason: StopReason;
  /** Why the simulation stopped early, in a sentence: a crossed budget, or a U-Boot hang. */
  verdict?: string;
  ubootVersion: string;
  /** The hush parser that ran the script (CONFIG_HUSH_OLD_PARSER or CONFIG_HUSH_MODERN_PARSER). */
  hush: 'old' | 'modern';
  /** Bitstreams `fpga load` programmed, in order. */
  fpgaLoads: { device: number; addr: number; size: number }[];
}

const PROMPT = '=> ';

/** Run hush text on a machine (tests, REPL-like use). Failures are recorded. Returns `$?`. */
export function runCommands(m: Machine, text: string): number {
  return runHush(m, text, { recordFailures: true });
}

/** Type a line at the prompt: echo it like the console does, then run it. */
export function typeLine(m: Machine, line: string): number {
  m.console.line(`${PROMPT}${line}`);
  return runHush(m, line);
}

export function simulateUboot(opts: SimulateUbootOptions): UbootResult {
  const m = createMachine({
    root: opts.root, ...(opts.prependPath !== undefined ? { prependPath: opts.prependPath } : {}), ...(opts.staged ? { staged: opts.staged } : {}),
    board: opts.board, build: opts.build, env: opts.env, ubootVersion: opts.ubootVersion, controlFdt: opts.controlFdt,
  });
  for (const p of opts.preload ?? []) {
    const f = m.files.resolve(p.file);
    if (f) m.ram.writeFile(p.addr, f);
  }
  const scriptAddr = opts.scriptAddr ?? 0x40200000;
  // The script is served as boot.scr (or the FIT) straight from memory.
  const addr = hexBare(scriptAddr);
  const scriptName = opts.scriptName ?? 'boot.scr';
  m.console.line(`${PROMPT}tftpb ${addr} ${scriptName}`);
  if (m.canLoad(scriptAddr, opts.script.length)) {
    // The same lines tftpboot prints for a successful transfer.
    m.console.line(`Using ${m.build.ethDevice} device`);
    m.console.line(`TFTP from server ${m.build.serverIp}; our IP address is ${m.build.ipAddr}`);
    m.console.line(`Filename '${scriptName}'.`);
    m.console.line(`Load address: 0x${addr}`);
    tftpLoadServed(m, scriptAddr, { name: scriptName, size: opts.script.length, bytes: opts.script });
    typeLine(m, opts.fitScript !== undefined ? `source ${addr}:${opts.fitScript}` : `source ${addr}`);
    if (opts.then !== undefined && m.stopped === undefined) typeLine(m, opts.then);
  } else {
    m.console.line('TFTP error: trying to overwrite reserved memory...');
  }
  return {
    console: m.console.transcript(),
    failures: m.failures,
    ...(m.handoff ? { handoff: m.handoff } : {}),
    bootAttempted: m.bootAttempted,
    env: m.env.toObject(),
    stoppedReason: m.stopped ?? 'end-of-script',
    ...(m.verdict ? { verdict: m.verdict } : {}),
    ubootVersion: m.ubootVersion,
    hush: m.build.hush === 'modern' ? 'modern' : 'old',
    fpgaLoads: [...m.fpgaLoads],
  };
}

/** Human-readable transcript for the CLI: console lines, then a summary of failures and the hand-off. */
export function formatTranscript(r: UbootResult): string {
  const out = [...r.console];
  out.push('', `-- U-Boot ${r.ubootVersion} simulation: ${r.stoppedReason}${r.bootAttempted ? '' : ' (no boot command ran)'}${r.verdict ? `: ${r.verdict}` : ''}`);
  for (const f of r.failures) out.push(`-- line ${f.line}: \`${f.command}\` failed (rc ${f.rc})${f.message.length ? `: ${f.message.join(' | ')}` : ''}`);
  if (r.handoff) {
    const h = r.handoff;
    out.push(`-- ${h.command}: entry 0x${hexBare(h.entry)} (loaded at 0x${hexBare(h.loadAddr)}), FDT at 0x${hexBare(h.fdtAddr)} (${h.fdt.length} bytes)`);
  }
  return `${out.join('\n')}\n`;
}
