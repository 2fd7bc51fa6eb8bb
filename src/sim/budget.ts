// The simulator's own limits. A boot script is untrusted input: `run` can recurse, a `setenv`
// can double a variable, `fdt resize` can claim gigabytes. Real U-Boot would hang, reset or
// overflow its stack; the simulator must instead stop with a verdict that says which limit a
// script crossed, where, and what real U-Boot would most likely do.
//
// Every limit is far above what real boot scripts need. The largest script the project makes,
// the 128-domU bench config (`npm run bench`), is 1,930 lines / 98,702 bytes: it runs 1,930
// commands at nesting depth 2 (`source`, then the script), prints 5,416 console lines
// (331,129 bytes, the longest 75 characters), holds 451 bytes of environment, and reads at
// most 2 KiB of RAM at once (the board DTB; kernels stay file-backed in the sparse RAM).
//
// U-Boot's own limits are modelled where they apply, not here: its heap (CONFIG_SYS_MALLOC_LEN,
// 16 MiB on qemu_arm64) in the Machine, since a full heap changes what commands print.
// CONFIG_SYS_CBSIZE (512 on qemu_arm64 2023.01) bounds only lines typed at the console (hush's
// get_user_input()), never a sourced script, and ENV_SIZE (256 KiB) only `saveenv`; neither
// limits what a script can do.
import { UbootGenError } from '../errors.js';

export interface SimBudgets {
  /** Commands run (each argv handed to cmd_process, assignments included): 50× the 128-domU script. */
  readonly steps: number;
  /**
   * Levels of `if`, `run` and `source` open at once. Real scripts use at most a handful
   * (distro boot: bootcmd → distro_bootcmd → scan_dev_for_boot_part → scan_dev_for_boot →
   * boot_a_script → source, 6). Real U-Boot has no limit short of its heap: on Debian's 2023.01,
   * `setenv b 'echo x; run b'; run b` prints x 19,218 times, then "ERROR : xrealloc failed", and
   * hangs; 20,000 nested `if` blocks run fine there. The simulator recurses on the JS stack (about
   * 13 frames per `run` level: 150 levels of `run` inside `if` fit the default stack, 200 do not),
   * so it stops far earlier, and says what real U-Boot would do in its verdict.
   */
  readonly nesting: number;
  /** Console lines kept: 37× the 128-domU transcript. */
  readonly consoleLines: number;
  /** Console bytes kept (each line counts its newline): 50× the 128-domU transcript. */
  readonly consoleBytes: number;
  /**
   * Bytes of simulated RAM the simulator materialises at once (one read: an FDT of `totalsize`
   * bytes, a script image). Files loaded into RAM cost nothing: they stay file-backed. Xen and
   * Linux accept at most a 2 MiB DTB, so a working FDT this large can never boot anyway.
   */
  readonly ramReadBytes: number;
  /** Bytes of simulated RAM held as literal bytes (edited DTBs, scripts) at once. */
  readonly ramHeldBytes: number;
}

export const DEFAULT_BUDGETS: SimBudgets = Object.freeze({
  steps: 100_000,
  nesting: 64,
  consoleLines: 200_000,
  consoleBytes: 16 * 1024 * 1024,
  ramReadBytes: 64 * 1024 * 1024,
  ramHeldBytes: 256 * 1024 * 1024,
});

export type BudgetKind = 'steps' | 'nesting' | 'console' | 'ram';

/**
 * A script crossed one of the simulator's limits. Caught by the hush runner, which stops the
 * simulation with this message as its verdict (stopped reason `budget`); it only escapes when a
 * caller drives the RAM model directly.
 */
export class SimBudgetExceeded extends UbootGenError {
  constructor(readonly kind: BudgetKind, message: string, hint: string, data: Record<string, unknown> = {}) {
    super('SIM_BUDGET', message, { kind, ...data }, undefined, hint);
  }
}

/** `1.5 GiB`-style size for messages. */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return u === 0 ? `${n} bytes` : `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[u]}`;
}
