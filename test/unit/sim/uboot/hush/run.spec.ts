// Hush behaviours checked against real U-Boot 2023.01 (Debian u-boot-qemu) with test/fixtures/scripts/hush.source.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createMachine, runCommands, type Machine } from '../../../../../src/sim/uboot/index.js';
import { expectConsole } from '../helpers.js';

describe('sim → uboot → hush → run', () => {
  let root: string;
  let m: Machine;
  before(() => { root = fs.mkdtempSync(path.join(os.tmpdir(), 'hush-')); });
  after(() => { fs.rmSync(root, { recursive: true, force: true }); });
  beforeEach(() => { m = createMachine({ root }); });

  it('runs statements separated by ; and newlines', () => {
    runCommands(m, 'echo a;echo b\necho c');
    expectConsole(m).nextLine('a').nextLine('b').nextLine('c').end();
  });

  it('expands $x, ${x} and "$x" but not \'$x\'; locals come after env', () => {
    runCommands(m, "x=1\necho $x ${x} \"$x\" '$x'\nsetenv x 2\necho $x");
    expectConsole(m).nextLine('1 1 1 $x').nextLine('2').end();
  });

  it('word-splits unquoted expansions only', () => {
    runCommands(m, 'setenv y "a   b"\necho $y\necho "$y"\necho "${y}" ${y}');
    expectConsole(m).nextLine('a b').nextLine('a   b').nextLine('a   b a b').end();
  });

  it('treats # as a comment only at word start outside quotes', () => {
    runCommands(m, 'echo foo#bar #comment\necho \\#notcomment');
    expectConsole(m).nextLine('foo#bar').nextLine('#notcomment').end();
  });

  it('loses the \\# escape in a line with ${...} (re-parse quirk)', () => {
    runCommands(m, 'setenv p /chosen\necho ${p} \\#size-cells\necho ${p} "#size-cells"');
    expectConsole(m).nextLine('/chosen').nextLine('/chosen #size-cells').end();
  });

  // The next four were observed on real Debian u-boot-qemu 2023.01 (scripts run with `source`).
  it("treats ' inside \"...\" as a literal section: \"a'b c'd\" is ab cd; \"it's\" swallows the rest and fails", () => {
    runCommands(m, "setenv r \"a'b c'd\"\nprintenv r");
    expectConsole(m).nextLine('r=ab cd').end();
    m = createMachine({ root });
    runCommands(m, "echo one\nsetenv r \"it's\"\necho r=$r\necho x");
    expectConsole(m).nextLine('one').nextLine('syntax error').end();
  });

  it('runs a command whose " is never closed, with the rest of the script (and a newline) in its word', () => {
    runCommands(m, 'echo one\necho "unterminated\necho x\n');
    expectConsole(m).nextLine('one').nextLine('unterminated').nextLine('echo x').nextLine('').nextLine('').end();
    m = createMachine({ root });
    runCommands(m, 'echo two\necho a\\');
    expectConsole(m).nextLine('two').nextLine('a').nextLine('').end();
  });

  it('re-parses a value with a newline as one command: the newline only separates words', () => {
    runCommands(m, 'setenv v "a\necho b"\nprintenv v\necho $v\necho end');
    expectConsole(m).nextLine('v=a').nextLine('echo b').nextLine('a echo b').nextLine('end').end();
  });

  it('re-parses a value with a " into one word up to the end', () => {
    runCommands(m, "setenv s a\\\"b\necho $s\nsetenv t 'x\"y'\necho $t z\necho end");
    expectConsole(m).nextLine('ab').nextLine('').nextLine('xy z').nextLine('').nextLine('end').end();
  });

  it('puts a newline into the word for \\<newline> (no continuation)', () => {
    runCommands(m, 'echo a\\\nb');
    expectConsole(m).nextLine('a').nextLine('b').end();
  });

  it('runs if/elif/else and && / ||', () => {
    runCommands(m, [
      'if test 1 -eq 1; then echo yes; elif true; then echo no; else echo else; fi',
      'if test 1 -eq 2; then echo yes; elif true; then echo elif; else echo else; fi',
      'false || echo or', 'true && echo and', 'false && echo never',
    ].join('\n'));
    expectConsole(m).nextLine('yes').nextLine('elif').nextLine('or').nextLine('and').end();
    expect(m.failures).to.deep.equal([]);
  });

  it('matches unique prefixes, rejects ambiguous and unknown names, and continues after failures', () => {
    const rc = runCommands(m, 'ech hi\ne hi\nunknowncmd arg\necho after');
    expectConsole(m).nextLine('hi').nextLine("Unknown command 'e' - try 'help'")
      .nextLine("Unknown command 'unknowncmd' - try 'help'").nextLine('after').end();
    expect(rc).to.equal(0);
    expect(m.failures.map((f) => [f.line, f.command, f.rc])).to.deep.equal([[2, 'e hi', 1], [3, 'unknowncmd arg', 1]]);
  });

  it('prints usage when argc exceeds maxargs', () => {
    runCommands(m, 'tftpb 1 2 3 4');
    expectConsole(m).nextLine('tftpboot - load file via network using TFTP protocol').nextLine('')
      .nextLine('Usage:').nextLine('tftpboot [loadAddress] [[hostIPaddr:]bootfilename]').end();
  });

  it('sets $? and evaluates test expressions like 2023.01', () => {
    runCommands(m, 'false; echo $?\ntest -n "" ; echo $?\ntest -z "" ; echo $?\ntest -n ; echo $?\ntest 2 -gt 1 -a 3 -lt 4; echo $?\ntest ! 1 = 1; echo $?\ntest 0x10 -eq 16; echo $?');
    expectConsole(m).nextLine('1').nextLine('1').nextLine('0').nextLine('1').nextLine('0').nextLine('1').nextLine('0').end();
  });

  it('does not stop the script at exit in 2023.01 (it does from 2023.04)', () => {
    runCommands(m, 'exit\necho notreached');
    expectConsole(m).nextLine('notreached').end();
    const m2 = createMachine({ root, ubootVersion: '2023.04' });
    runCommands(m2, 'exit\necho notreached');
    expectConsole(m2).end();
    expect(m2.stopped).to.equal('exit');
  });

  it('prints "syntax error" and abandons the rest for a lone &', () => {
    runCommands(m, 'echo one\necho a & echo b\necho two');
    expectConsole(m).nextLine('one').nextLine('syntax error').end();
    expect(m.stopped).to.equal('syntax-error');
  });

  // Typed at the real U-Boot 2023.01 prompt (QEMU virt, Debian u-boot-qemu): old hush skips the rest
  // of an &&/|| chain once a link settles it, in both directions.
  it('settles && / || chains the way real 2023.01 does', () => {
    for (const l of ['true || echo A1 && echo B1; echo END1', 'false || echo A2 && echo B2; echo END2',
      'true && echo A3 || echo B3; echo END3', 'false && echo A4 || echo B4; echo END4']) runCommands(m, l);
    expect(m.console.transcript()).to.deep.equal(['END1', 'A2', 'B2', 'END2', 'A3', 'END3', 'END4']);
  });
});
