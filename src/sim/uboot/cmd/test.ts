// Models U-Boot cmd/test.c do_test(), do_true(), do_false(). do_test() walks the words left to right: at each
// position it first looks for a binary operator in the second word, then for `!`, `-a`, `-o` or a unary test in
// the first; `-a` / `-o` combine with the value so far in strict left-to-right order (no precedence) and `!`
// toggles a pending negation. Behaviour seen on real 2023.01 (QEMU virt): fewer than two arguments is FALSE
// (`test abc`, `test ""` → 1); a word that matches nothing (`==`, `test a b c`) or an operator without enough words
// after it (`test 1 -eq`) ends the walk with the result TRUE; `1 -eq 1 -o 1 -eq 2 -a 1 -eq 2` is FALSE.
// Integer comparisons use simple_strtol(…, 0) (0x hex, 0 octal) on a 64-bit long.
import { CMD_RET, SYS_MAXARGS, defineCommand } from '../command.js';
import type { Machine } from '../machine.js';
import { strtoulBase0 } from '../env.js';

/** simple_strtol(s, NULL, 0) as a signed 64-bit long. */
function toLong(s: string): bigint {
  const neg = s.startsWith('-');
  const r = strtoulBase0(neg ? s.slice(1) : s).big;
  return BigInt.asIntN(64, neg ? -r : r);
}

type BinaryOp = '=' | '!=' | '<' | '>' | '-eq' | '-ne' | '-lt' | '-gt' | '-le' | '-ge';
const BINARY: ReadonlySet<string> = new Set<BinaryOp>(['=', '!=', '<', '>', '-eq', '-ne', '-lt', '-gt', '-le', '-ge']);
/** Words each first-word operator consumes, itself included. */
const FIRST_WORD_ADVANCE: ReadonlyMap<string, number> = new Map([['!', 1], ['-o', 1], ['-a', 1], ['-z', 2], ['-n', 2], ['-e', 4]]);

function compare(op: BinaryOp, a: string, b: string): boolean {
  switch (op) {
    case '=': return a === b;
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

/** The truth value do_test() computes for the words after `test` (argv[1..]). */
function evaluate(m: Machine, words: readonly string[]): boolean {
  let result = false;
  let negate = false;
  let pendingJoin: '-a' | '-o' | undefined;
  let joinLeft = false;
  let pos = 0;
  while (pos < words.length) {
    const left = words.length - pos;
    const first = words[pos]!;
    const second = words[pos + 1];
    let op: string;
    let advance: number;
    if (second !== undefined && BINARY.has(second)) { op = second; advance = 3; }
    else if (FIRST_WORD_ADVANCE.has(first)) { op = first; advance = FIRST_WORD_ADVANCE.get(first)!; }
    else return true; // unrecognised word: the walk stops with the result TRUE
    if (left < advance) return true; // operator without its operands: TRUE as well
    if (op === '-o' || op === '-a') { joinLeft = result; pendingJoin = op; }
    else if (op === '!') negate = !negate;
    else {
      let value: boolean;
      if (op === '-z') value = words[pos + 1]!.length === 0;
      else if (op === '-n') value = words[pos + 1]!.length > 0;
      // -e <interface> <dev[:part]> <path>: the served folder plays every partition.
      else if (op === '-e') value = m.files.resolve(words[pos + 3]!) !== undefined;
      else value = compare(op as BinaryOp, first, words[pos + 2]!);
      if (negate) { value = !value; negate = false; }
      if (pendingJoin === '-o') value = joinLeft || value;
      else if (pendingJoin === '-a') value = joinLeft && value;
      pendingJoin = undefined;
      result = value;
    }
    pos += advance;
  }
  return result;
}

export const test = defineCommand({
  name: 'test', maxArgs: SYS_MAXARGS, repeatable: true, source: 'cmd/test.c',
  usage: 'minimal test like /bin/sh',
  help: '[args..]\n    - evaluate a test expression; status 0 when true',
  run(m, argv) {
    if (argv.length < 3) return CMD_RET.FAILURE; // do_test(): argc < 3 → false, even `test abc`
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
