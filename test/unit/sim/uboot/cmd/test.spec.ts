// `test`, `true`, `false` and their use in hush conditions, checked against real U-Boot 2023.01 (Debian u-boot-qemu,
// QEMU virt): each `test …; echo $?` below printed the same status there. Upstream cmd/test.c evaluates the
// arguments left to right with a table of operators; anything it does not recognise makes the result TRUE.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createMachine, runCommands, type Machine } from '../../../../../src/sim/uboot/index.js';
import { expectConsole } from '../helpers.js';

describe('sim → uboot → cmd → test', () => {
  let root: string;
  let m: Machine;
  before(() => { root = fs.mkdtempSync(path.join(os.tmpdir(), 'test-')); });
  after(() => { fs.rmSync(root, { recursive: true, force: true }); });
  beforeEach(() => { m = createMachine({ root }); });

  /** `test <expr>; echo $?` for each expression → the printed statuses. */
  const statuses = (exprs: string[]): string[] => {
    runCommands(m, exprs.map((e) => `test ${e}; echo $?`).join('\n'));
    return m.console.transcript();
  };

  it('compares integers with simple_strtol(…, 0): 0x hex, leading-0 octal, trailing junk ignored', () => {
    expect(statuses(['1 -eq 1', '1 -eq 2', '0x10 -eq 16', '010 -eq 8', '10 -gt 9', '-1 -lt 0', '1 -le 1', '2 -ne 1', '5 -ge 6', '12a -eq 12']))
      .to.deep.equal(['0', '1', '0', '0', '0', '0', '0', '0', '1', '0']);
  });

  it('compares strings with = != < > (strcmp order)', () => {
    expect(statuses(['abc = abc', 'abc = abd', 'abc != abd', 'abc \\< abd', 'b \\> a', '"" = ""']))
      .to.deep.equal(['0', '1', '0', '0', '0', '0']);
  });

  it('tests emptiness with -z / -n and negates with !', () => {
    expect(statuses(['-z ""', '-n ""', '-n "x"', '! -n "x"', '! ! -n x', '-z x -o -n x']))
      .to.deep.equal(['0', '1', '0', '1', '0', '0']);
  });

  it('combines with -a / -o and fails with fewer than two arguments', () => {
    expect(statuses(['1 -eq 1 -a 2 -eq 3', '1 -eq 1 -o 2 -eq 3', '', '-n'])).to.deep.equal(['1', '0', '1', '1']);
  });

  it('true and false set $? without printing', () => {
    runCommands(m, 'true; echo $?\nfalse; echo $?');
    expectConsole(m).nextLine('0').nextLine('1').end();
  });

  it('drives if/then/else and && / || by its status', () => {
    runCommands(m, [
      'if test 5 -ge 5; then echo yes; else echo no; fi',
      'if test 5 -lt 5; then echo yes; else echo no; fi',
      'setenv v 0x40000000; if test ${v} -eq 0x40000000; then echo same; fi',
      'test 0xff -eq 255 && echo and-ok || echo and-fail',
    ].join('\n'));
    expectConsole(m).nextLine('yes').nextLine('no').nextLine('same').nextLine('and-ok').end();
    // A failing test inside a condition is control flow, not a script failure.
    expect(m.failures).to.deep.equal([]);
  });

  // Real 2023.01 do_test() returns 1 for argc < 3,
  // so `test abc` is FALSE (status 1) and `test ""` too.
  it('a single argument is always false (argc < 3)', () => {
    expect(statuses(['abc', '""'])).to.deep.equal(['1', '1']);
  });

  // Real 2023.01 has no ==
  // operator and stops at the first word it does not recognise with the result TRUE: `test abc == abd`,
  // `test a b c` and `test 1 -eq` (too few words for -eq) all give status 0.
  it('unknown operators and incomplete expressions are TRUE', () => {
    expect(statuses(['abc == abd', 'a b c', '1 -eq'])).to.deep.equal(['0', '0', '0']);
  });

  // -a does not bind tighter than -o: real 2023.01 folds strictly left to right, so
  // `1 -eq 1 -o 1 -eq 2 -a 1 -eq 2` is ((1 || 0) && 0) = false → status 1.
  it('-a and -o have equal precedence, evaluated left to right', () => {
    expect(statuses(['1 -eq 1 -o 1 -eq 2 -a 1 -eq 2'])).to.deep.equal(['1']);
  });

  // Unlike POSIX sh, real 2023.01 hush skips the rest of the
  // && / || chain once a && fails: `test a = b && echo and2 || echo or2` prints nothing.
  it('a failed && skips the rest of the chain, || included (2023.01 hush)', () => {
    runCommands(m, 'test a = b && echo and2 || echo or2');
    expectConsole(m).end();
  });
});
