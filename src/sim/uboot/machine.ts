// The simulated board: RAM, environment, console, the served files, the working FDT and the
// hush shell state. Every command gets the Machine and mutates it, as U-Boot's commands mutate gd.
import { SparseRam } from '../ram.js';
import type { BoardProfile, BootHandoff } from '../handoff.js';
import { rangesOverlap } from '../../util/align.js';
import { totalsize } from '../../fdt/header.js';
import { FDT_V17_SIZE } from '../../fdt/constants.js';
import { Console } from './console.js';
import { Env } from './env.js';
import { FileServer } from './files.js';
import {
  DEFAULT_UBOOT_VERSION, QEMU_VIRT_BUILD, QEMU_VIRT_DEFAULT_ENV, qemuVirtBoard, type UbootBuildOptions,
} from './board.js';
import { parseUbootVersion } from './version.js';
import type { Command } from './command.js';

/** One command that returned non-zero while a script ran. */
export interface CommandFailure {
  /** 1-based line in the script text where the command starts. */
  line: number;
  /** The command as written in the script. */
  command: string;
  rc: number;
  /** Console lines the command printed. */
  message: string[];
}

export type StopReason =
  | 'end-of-script'   // every statement ran, no boot
  | 'booted'          // a boot command jumped to the kernel
  | 'reset'           // U-Boot reset the board (panic, failed bootm state)
  | 'hang'            // U-Boot hung ("FDT creation failed! hanging...")
  | 'syntax-error'    // hush gave up on the rest of the input
  | 'exit';           // `exit` (U-Boot >= 2023.04)

export interface MachineOptions {
  root: string;
  board?: BoardProfile;
  build?: Partial<UbootBuildOptions>;
  /** Replaces the board's default environment entirely when given with `replaceEnv`. */
  env?: Record<string, string>;
  replaceEnv?: boolean;
  ubootVersion?: string;
  /** The command table (cmd/index.ts COMMANDS filtered by the build). */
  commands: readonly Command[];
}

export class Machine {
  readonly board: BoardProfile;
  readonly build: UbootBuildOptions;
  readonly ram: SparseRam;
  readonly env: Env;
  readonly console = new Console();
  readonly files: FileServer;
  readonly ubootVersion: string;
  readonly commands: readonly Command[];
  /** Parsed version, e.g. 202301. */
  readonly version: number;
  /** working_fdt address (cmd/fdt.c), undefined until `fdt addr` or a boot command sets it. */
  workingFdt: number | undefined;
  /** Hush-local variables (`x=1`), looked up after the environment. */
  readonly locals = new Map<string, string>();
  /** `$?` */
  lastRc = 0;
  readonly failures: CommandFailure[] = [];
  handoff: BootHandoff | undefined;
  bootAttempted = false;
  /** Set when execution must stop (boot, reset, exit, syntax error). */
  stopped: StopReason | undefined;
  /** Nesting of `source`/`run` (for failure attribution: only the outermost script records failures). */
  depth = 0;

  constructor(opts: MachineOptions) {
    this.board = opts.board ?? qemuVirtBoard();
    this.build = { ...QEMU_VIRT_BUILD, ...opts.build };
    this.ram = new SparseRam(this.board.dram);
    this.env = new Env(opts.replaceEnv ? opts.env ?? {} : { ...QEMU_VIRT_DEFAULT_ENV, ...opts.env });
    this.files = new FileServer(opts.root);
    this.ubootVersion = opts.ubootVersion ?? DEFAULT_UBOOT_VERSION;
    this.commands = opts.commands;
    this.version = parseUbootVersion(this.ubootVersion);
  }

  /** [addr, addr+len) is RAM and outside U-Boot's protected window (the lmb check of loaders). */
  canLoad(addr: number, len: number): boolean {
    if (!this.ram.inRam(addr, Math.max(len, 1))) return false;
    const r = this.board.ubootReserved;
    return !rangesOverlap(addr, addr + Math.max(len, 1), r.start, r.start + r.size);
  }

  /** The FDT at `addr` as a mutable copy of [addr, addr+totalsize), or undefined when no magic is there. */
  readFdt(addr: number): Uint8Array | undefined {
    const head = this.ram.read(addr, FDT_V17_SIZE);
    if (head[0] !== 0xd0 || head[1] !== 0x0d || head[2] !== 0xfe || head[3] !== 0xed) return undefined;
    const size = totalsize(head);
    if (size < FDT_V17_SIZE || size > 0x7fffffff || !this.ram.inRam(addr, size)) return head;
    return this.ram.read(addr, size);
  }

  /** Store an edited FDT back into RAM (last writer wins). */
  writeFdt(addr: number, blob: Uint8Array): void {
    this.ram.write(addr, blob, 'fdt');
  }

  /** Hush variable lookup: environment first, then hush locals (cli_hush.c lookup_param()). */
  lookupVar(name: string): string | undefined {
    return this.env.get(name) ?? this.locals.get(name);
  }
}
