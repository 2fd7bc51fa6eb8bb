// Models U-Boot cmd/test.c do_test(), do_true(), do_false(). Expressions combine primaries with
// `!`, `-a` (binds tighter) and `-o`. Integer comparisons use simple_strtol(…, 0) (0x hex, 0 octal).
import { CMD_RET, SYS_MAXARGS, defineCommand } from '../command.js';
import type { Machine } from '../machine.js';
import { strtoulBase0 } from '../env.js';

const UNARY = new Set(['-n', '-z', '-e']);
const BINARY = new Set(['=', '==', '!=', '<', '>', '-eq', '-ne', '-lt', '-gt', '-le', '-ge']);

function toLong(s: string): number {
  const neg = s.startsWith('-');
  const r = strtoulBase0(neg ? s.slice(1) : s);
  return neg ? -r.value : r.value;
}

/** Evaluate; undefined means malformed (U-Boot then returns false). */
function evaluate(m: Machine, args: string[]): boolean | undefined {
  let pos = 0;
  const primary = (): boolean | undefined => {
    if (args[pos] === '!') { pos++; const v = primary(); return v === undefined ? undefined : !v; }
    const a = args[pos];
    if (a === undefined) return undefined;
    if (UNARY.has(a)) {
      const v = args[pos + 1];
      if (v === undefined) return undefined;
      pos += 2;
      if (a === '-n') return v.length > 0;
      if (a === '-z') return v.length === 0;
      // -e <interface> <dev[:part]> <path>: file exists on the served folder
      const file = args[pos + 1];
      if (file === undefined) return undefined;
      pos += 2;
      return m.files.resolve(file) !== undefined;
    }
    const op = args[pos + 1];
    if (op !== undefined && BINARY.has(op)) {
      const b = args[pos + 2];
      if (b === undefined) return undefined;
      pos += 3;
      switch (op) {
        case '=': case '==': return a === b;
        case '!=': return a !== b;
        case '<': return a < b;
        case '>': return a > b;
        case '-eq': return toLong(a) === toLong(b);
        case '-ne': return toLong(a) !== toLong(b);
        case '-lt': return toLong(a) < toLong(b);
        case '-gt': return toLong(a) > toLong(b);
        case '-le': return toLong(a) <= toLong(b);
        default: return toLong(a) >= toLong(b);
      }
    }
    pos++;
    return a.length > 0;
  };
  const and = (): boolean | undefined => {
    let v = primary();
    while (v !== undefined && args[pos] === '-a') { pos++; const w = primary(); v = w === undefined ? undefined : v && w; }
    return v;
  };
  let v = and();
  while (v !== undefined && args[pos] === '-o') { pos++; const w = and(); v = w === undefined ? undefined : v || w; }
  if (pos !== args.length) return undefined;
  return v;
}

export const test = defineCommand({
  name: 'test', maxArgs: SYS_MAXARGS, repeatable: true, source: 'cmd/test.c',
  usage: 'minimal test like /bin/sh',
  help: '[args..]\n    - evaluate a test expression; status 0 when true',
  run(m, argv) {
    if (argv.length < 2) return CMD_RET.FAILURE;
    return evaluate(m, argv.slice(1)) ? CMD_RET.SUCCESS : CMD_RET.FAILURE;
  },
});

export const trueCmd = defineCommand({
  name: 'true', maxArgs: SYS_MAXARGS, repeatable: true, source: 'cmd/test.c',
  usage: 'do nothing, successfully', help: '\n    - status 0',
  run() { return CMD_RET.SUCCESS; },
});

export const falseCmd = defineCommand({
  name: 'false', maxArgs: SYS_MAXARGS, repeatable: true, source: 'cmd/test.c',
  usage: 'do nothing, unsuccessfully', help: '\n    - status 1',
  run() { return CMD_RET.FAILURE; },
});
