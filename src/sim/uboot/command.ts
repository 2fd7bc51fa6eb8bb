// Models U-Boot include/command.h (struct cmd_tbl, enum command_ret_t) and common/command.c
// (find_cmd_tbl(), cmd_process(), cmd_usage()).
import type { Machine } from './machine.js';

export const CMD_RET = { SUCCESS: 0, FAILURE: 1, USAGE: -1 } as const;
export type CmdRet = number;
export const CMD_FLAG = { REPEAT: 0x1, BOOTD: 0x2, ENV: 0x4 } as const;
/** CONFIG_SYS_MAXARGS default. */
export const SYS_MAXARGS = 64;

export interface Command {
  /** Full name; lookup also accepts unique prefixes (and ignores a ".x" suffix). */
  readonly name: string;
  /** INCLUDING argv[0], as in U_BOOT_CMD. */
  readonly maxArgs: number;
  readonly repeatable: boolean;
  /** Short description printed by `help` and first in the usage text. */
  readonly usage: string;
  /** Long help (U_BOOT_LONGHELP), printed after "Usage:\n<name> ". */
  readonly help?: string;
  /** Provenance: the U-Boot source file modelled. */
  readonly source: string;
  run(m: Machine, argv: readonly string[], flag: number): CmdRet;
}

/** U_BOOT_CMD(name, maxargs, rep, do_fn, usage, help) → a frozen table entry. */
export const defineCommand = (c: Command): Command => Object.freeze(c);

/**
 * find_cmd_tbl(): compare up to the first '.', an exact match wins, else a unique prefix.
 * Returns undefined for an unknown or ambiguous name.
 */
export function findCommand(name: string, table: readonly Command[]): Command | undefined {
  const dot = name.indexOf('.');
  const len = dot >= 0 ? dot : name.length;
  const stem = name.slice(0, len);
  if (len === 0) return undefined;
  // One pass, no temporary arrays: scripts run hundreds of commands, mostly as interpreted code.
  let only: Command | undefined;
  let count = 0;
  for (const c of table) {
    if (!c.name.startsWith(stem)) continue;
    if (c.name.length === len) return c;
    only = c;
    count++;
  }
  return count === 1 ? only : undefined;
}

/** cmd_usage(): "%s - %s\n\nUsage:\n%s %s\n" (help text), returns 1. */
export function cmdUsage(m: Machine, cmd: Command): number {
  m.console.line(`${cmd.name} - ${cmd.usage}`);
  m.console.line('');
  m.console.puts(`Usage:\n${cmd.name} ${cmd.help ?? ''}`);
  if (!(cmd.help ?? '').endsWith('\n')) m.console.puts('\n');
  return 1;
}

/** cmd_process(): lookup, maxargs check, call, usage on CMD_RET.USAGE. */
export function cmdProcess(m: Machine, table: readonly Command[], argv: readonly string[], flag = 0): number {
  const name = argv[0] ?? '';
  const cmd = findCommand(name, table);
  if (!cmd) {
    m.console.line(`Unknown command '${name}' - try 'help'`);
    return 1;
  }
  let rc = argv.length > cmd.maxArgs ? CMD_RET.USAGE : cmd.run(m, argv, flag);
  if (rc === CMD_RET.USAGE) rc = cmdUsage(m, cmd);
  return rc;
}
