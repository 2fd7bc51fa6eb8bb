// The simulated board: RAM, environment, console, the served files, the working FDT and the
// hush shell state. Every command gets the Machine and mutates it, as U-Boot's commands mutate gd.
import { SparseRam } from '../ram.js';
import type { BoardProfile, BootHandoff } from '../handoff.js';
import { rangesOverlap } from '../../util/align.js';
import { totalsize } from '../../fdt/header.js';
import { FDT_V17_SIZE } from '../../fdt/constants.js';
import { Console } from './console.js';
import { Env } from './env.js';
import { controlDtbAddr } from '../../util/control-dtb.js';
import { FileServer } from './files.js';
import {
  DEFAULT_UBOOT_VERSION, QEMU_VIRT_ARM32_CONTROL_DTB_BELOW_RAM_END, QEMU_VIRT_ARM32_ENV, QEMU_VIRT_BUILD, QEMU_VIRT_DEFAULT_ENV, qemuVirtBoard, type UbootBuildOptions,
} from './board.js';
import { atLeast, parseUbootVersion } from './version.js';
import { Lmb } from './boot/lmb.js';
import type { Command } from './command.js';
import { DEFAULT_BUDGETS, SimBudgetExceeded, formatBytes, type SimBudgets } from '../budget.js';

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
  | 'exit'            // `exit` (U-Boot >= 2023.04)
  | 'budget';         // the script crossed one of the simulator's limits (budget.ts); see `verdict`

export interface MachineOptions {
  root: string;
  /** The `-p PREFIX` the script was generated with: names under it are served from `root`. */
  prependPath?: string;
  /** Files served under another file's bytes (staged outputs): real path → file to read. */
  staged?: ReadonlyMap<string, string>;
  board?: BoardProfile;
  build?: Partial<UbootBuildOptions>;
  /** Replaces the board's default environment entirely when given with `replaceEnv`. */
  env?: Record<string, string>;
  replaceEnv?: boolean;
  ubootVersion?: string;
  /** U-Boot's own device tree (gd->fdt_blob): where FIT signature keys are looked up. */
  controlFdt?: Uint8Array;
  /** The command table (cmd/index.ts COMMANDS filtered by the build). */
  commands: readonly Command[];
  /** The simulator's limits (default DEFAULT_BUDGETS). */
  budgets?: Partial<SimBudgets>;
}

/** Where the script under simulation is: the statement of the outermost script being run. */
export interface ScriptPosition { line: number; command: string }

export class Machine {
  readonly board: BoardProfile;
  readonly build: UbootBuildOptions;
  readonly ram: SparseRam;
  readonly env: Env;
  readonly files: FileServer;
  readonly ubootVersion: string;
  readonly commands: readonly Command[];
  /** The device tree U-Boot started with (gd->fdt_blob), when known, until `fdt addr -c` moves it. */
  readonly #initialControlFdt: Uint8Array | undefined;
  /** Where `fdt addr -c ADDR` pointed gd->fdt_blob: from then on U-Boot reads its own DT from that RAM. */
  controlFdtAddr: number | undefined;
  /** Parsed version, e.g. 202301. */
  readonly version: number;
  /**
   * From v2025.01 the LMB is global and persistent (lib/lmb.c, "make LMB memory map persistent and
   * global"): U-Boot's own area is reserved once, every tftpboot/load reserves what it stores
   * (lmb_read_check() in net/tftp.c, lmb_alloc_addr() in fs/fs.c) and a boot's reservations stay.
   * Boot-time allocations (initrd_high, fdt_high relocations) then avoid every loaded file.
   * Undefined before v2025.01, where each boot command builds a fresh LMB (boot/lmb.ts).
   */
  readonly persistentLmb: Lmb | undefined;
  /** working_fdt address (cmd/fdt.c), undefined until `fdt addr` or a boot command sets it. */
  workingFdt: number | undefined;
  /** Hush-local variables (`x=1`), looked up after the environment. */
  readonly locals = new Map<string, string>();
  /** `$?` */
  lastRc = 0;
  readonly failures: CommandFailure[] = [];
  handoff: BootHandoff | undefined;
  /** Bitstreams `fpga load` accepted, in order. */
  readonly fpgaLoads: { device: number; addr: number; size: number }[] = [];
  bootAttempted = false;
  /** Set when execution must stop (boot, reset, exit, syntax error). */
  stopped: StopReason | undefined;
  /** Nesting of `source`/`run` (for failure attribution: only the outermost script records failures). */
  depth = 0;
  readonly budgets: SimBudgets;
  /** Commands run so far (budget `steps`). */
  steps = 0;
  /** A hush runner is active (the outermost one turns crossed budgets into verdicts). */
  hushActive = false;
  /** `if`/`run`/`source` levels open now (budget `nesting`). */
  nesting = 0;
  /** The outermost script's statement being run, for verdicts ("at line 3"). */
  scriptPos: ScriptPosition | undefined;
  /**
   * Heap bytes hush holds while the current command runs: its argv, and for a command with
   * substitutions also the rebuilt string and the re-parse buffer (3 copies). Fitted to real
   * 2023.01: doubling a 64-byte variable, the 16th `setenv a "${a}${a}"` (a = 2 MiB) fails with
   * "## Can't malloc 4194305 bytes" and the script goes on.
   */
  commandHeap = 0;
  /** Why the simulation stopped early, in a sentence (stopped 'budget' or 'hang'). */
  verdict: string | undefined;
  readonly console: Console;

  constructor(opts: MachineOptions) {
    this.board = opts.board ?? qemuVirtBoard();
    this.build = { ...QEMU_VIRT_BUILD, ...this.board.build, ...opts.build };
    this.budgets = { ...DEFAULT_BUDGETS, ...opts.budgets };
    this.console = new Console({ lines: this.budgets.consoleLines, bytes: this.budgets.consoleBytes });
    this.ram = new SparseRam(this.board.dram, { readBytes: this.budgets.ramReadBytes, heldBytes: this.budgets.ramHeldBytes });
    const control = this.#placeControlDtb();
    // QEMU hands firmware its DT at the start of RAM too, where ${fdt_addr} points (bootefi's default DT).
    if (this.board.controlDtb && !this.board.env && !opts.replaceEnv && this.ram.inRam(Number(QEMU_VIRT_DEFAULT_ENV.fdt_addr), this.board.controlDtb.length)) {
      this.ram.write(Number(QEMU_VIRT_DEFAULT_ENV.fdt_addr), this.board.controlDtb, 'board DTB');
    }
    const boardEnv = this.board.arch === 'arm32' ? QEMU_VIRT_ARM32_ENV : {};
    this.env = new Env(opts.replaceEnv ? opts.env ?? {} : { ...(this.board.env ?? QEMU_VIRT_DEFAULT_ENV), ...boardEnv, ...control, ...opts.env });
    this.files = new FileServer(opts.root, {
      ...(opts.prependPath !== undefined ? { prependPath: opts.prependPath } : {}), ...(opts.staged ? { staged: opts.staged } : {}),
    });
    this.ubootVersion = opts.ubootVersion ?? this.board.ubootVersion ?? DEFAULT_UBOOT_VERSION;
    this.commands = opts.commands;
    this.#initialControlFdt = opts.controlFdt;
    this.version = parseUbootVersion(this.ubootVersion);
    if (atLeast(this.version, '2025.01')) {
      this.persistentLmb = new Lmb(this.board.dram);
      this.persistentLmb.reserve(this.board.ubootReserved.start, this.board.ubootReserved.size);
    }
  }

  /** A load stored [addr, addr+len): from v2025.01 the persistent LMB keeps it reserved (LMB_NONE). */
  reserveLoaded(addr: number, len: number): void {
    this.persistentLmb?.reserve(addr, len);
  }

  /**
   * U-Boot's own device tree (gd->fdt_blob), when known: its /signature keys check FIT signatures.
   * Read when used, as U-Boot does: after `fdt addr -c ADDR` it is whatever RAM holds at ADDR then.
   */
  get controlFdt(): Uint8Array | undefined {
    if (this.controlFdtAddr !== undefined) return this.readFdt(this.controlFdtAddr);
    return this.#initialControlFdt ?? this.board.controlDtb;
  }

  /**
   * The board's control DTB, copied where U-Boot keeps it (util/control-dtb.ts), and the
   * `fdtcontroladdr` that points at it; nothing when the board does not give one.
   */
  #placeControlDtb(): Record<string, string> {
    const dtb = this.board.controlDtb;
    if (!dtb) return {};
    // Below U-Boot's relocation top: the end of its window, which is the top of RAM on QEMU and
    // the top of the first bank on boards with RAM above 4 GiB.
    const r = this.board.ubootReserved;
    const end = Math.min(r.start + r.size, ...this.board.dram.map((b) => b.start + b.size));
    const addr = this.board.arch === 'arm32' ? end - QEMU_VIRT_ARM32_CONTROL_DTB_BELOW_RAM_END : controlDtbAddr(end);
    if (!this.ram.inRam(addr, dtb.length)) return {};
    this.ram.write(addr, dtb, 'control DTB');
    return { fdtcontroladdr: addr.toString(16) };
  }

  /** [addr, addr+len) is RAM and outside U-Boot's protected window (the lmb check of loaders). */
  canLoad(addr: number, len: number): boolean {
    if (!this.ram.inRam(addr, Math.max(len, 1))) return false;
    const r = this.board.ubootReserved;
    return !rangesOverlap(addr, addr + Math.max(len, 1), r.start, r.start + r.size);
  }

  /**
   * The FDT at `addr` as [addr, addr+totalsize), or undefined when no magic is there (just the
   * header when totalsize is not plausible). A copy, unless `inPlace` and RAM holds the blob as one
   * piece: then it is that RAM, and edits must be followed by commitFdt().
   */
  readFdt(addr: number, opts: { inPlace?: boolean } = {}): Uint8Array | undefined {
    const head = this.ram.read(addr, FDT_V17_SIZE);
    if (head[0] !== 0xd0 || head[1] !== 0x0d || head[2] !== 0xfe || head[3] !== 0xed) return undefined;
    const size = totalsize(head);
    if (size < FDT_V17_SIZE || size > 0x7fffffff || !this.ram.inRam(addr, size)) return head;
    if (size > this.budgets.ramReadBytes) {
      throw new SimBudgetExceeded('ram', `the device tree at ${addr.toString(16)} has a totalsize of ${formatBytes(size)}, more than the ${formatBytes(this.budgets.ramReadBytes)} the simulator edits (Xen and Linux accept at most 2 MiB)`,
        'check the sizes given to `fdt resize` and `fdt addr ADDR LEN` (hexadecimal)', { addr, size });
    }
    return (opts.inPlace ? this.ram.view(addr, size) : undefined) ?? this.ram.read(addr, size);
  }

  /** Store an edited FDT back into RAM (last writer wins). */
  writeFdt(addr: number, blob: Uint8Array): void {
    this.ram.write(addr, blob, 'fdt');
  }

  /** The working FDT `blob` (from readFdt(…, { inPlace: true })) was edited: it is now the RAM at `addr`. */
  commitFdt(addr: number, blob: Uint8Array): void {
    if (this.ram.view(addr, blob.length) === blob) this.ram.touch(addr);
    else this.ram.adopt(addr, blob, 'fdt');
  }

  /** ` at line L (`cmd`)` for messages, or '' outside a script. */
  where(): string {
    const p = this.scriptPos;
    return p ? ` at line ${p.line} (\`${p.command.length > 80 ? `${p.command.slice(0, 77)}...` : p.command}\`)` : '';
  }

  /** One more command run; past the `steps` budget the simulation stops. */
  step(): void {
    if (++this.steps <= this.budgets.steps) return;
    throw new SimBudgetExceeded('steps', `script exceeds ${this.budgets.steps} steps (commands run): probably a loop`,
      'look for `run` of a variable that runs itself again, or variables that run each other several times', { steps: this.budgets.steps });
  }

  /** Open one `if`/`run`/`source` level; past the `nesting` budget the simulation stops. Pair with leave(). */
  enter(what: string): void {
    if (++this.nesting <= this.budgets.nesting) return;
    this.nesting--;
    throw new SimBudgetExceeded('nesting', `script nests if/run/source more than ${this.budgets.nesting} levels deep (level ${this.budgets.nesting + 1}: \`${what}\`; real U-Boot 2023.01 recurses until hush's heap is gone, then prints "ERROR : xrealloc failed" and hangs): probably endless recursion`,
      'a variable run with `run`, or a script sourced, must not run or source itself again', { nesting: this.budgets.nesting });
  }

  leave(): void { this.nesting--; }

  /**
   * Bytes left in U-Boot's heap (CONFIG_SYS_MALLOC_LEN) after the environment and hush variables:
   * the environment hash table, every hush string and the copy `source` makes all come from it.
   */
  heapFree(): number {
    let used = this.env.bytes + this.commandHeap;
    for (const [k, v] of this.locals) used += k.length + v.length + 2;
    return this.build.mallocLen - used;
  }

  /** U-Boot ran out of heap inside hush: it prints `what` and spins forever (cli_hush.c xmalloc()). */
  hang(what: string, verdict: string): void {
    this.console.line(what);
    this.stopped = 'hang';
    this.verdict = verdict;
  }

  /** Hush variable lookup: environment first, then hush locals (cli_hush.c lookup_param()). */
  lookupVar(name: string): string | undefined {
    return this.env.get(name) ?? this.locals.get(name);
  }
}
