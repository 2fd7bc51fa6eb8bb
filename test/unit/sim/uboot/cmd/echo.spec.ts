// echo texts checked against real U-Boot 2023.01 (Debian u-boot-qemu, QEMU virt), typed at the prompt.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createMachine, runCommands, type Machine } from '../../../../../src/sim/uboot/index.js';
import { expectConsole } from '../helpers.js';

describe('sim → uboot → cmd → echo', () => {
  let root: string;
  let m: Machine;
  before(() => { root = fs.mkdtempSync(path.join(os.tmpdir(), 'echo-')); });
  after(() => { fs.rmSync(root, { recursive: true, force: true }); });
  beforeEach(() => { m = createMachine({ root }); });

  it('joins arguments with one space; quoted spaces survive; a later -n is a word', () => {
    expect(runCommands(m, 'echo a  b   "c  d" -n')).to.equal(0);
    expectConsole(m).nextLine('a b c  d -n').end();
  });

  it('-n first suppresses the newline (the next output continues the line)', () => {
    runCommands(m, 'echo -n x; echo y');
    expectConsole(m).nextLine('xy').end();
  });

  it('bare echo prints an empty line; echo -n prints nothing', () => {
    runCommands(m, 'echo -n\necho');
    expectConsole(m).nextLine('').end();
    expect(m.console.partial).to.equal('');
  });

  it('only an exact -n is an option (-e and -nn are printed)', () => {
    runCommands(m, 'echo -e a\necho -nn q');
    expectConsole(m).nextLine('-e a').nextLine('-nn q').end();
  });

  it('expands variables except in single quotes; unset ones are empty', () => {
    runCommands(m, 'setenv ipaddr 10.0.2.15\necho "$nosuch"x\necho \\$notvar \'$single\' "dq $ipaddr"');
    expectConsole(m).nextLine('x').nextLine('$notvar $single dq 10.0.2.15').end();
  });

  it('always succeeds', () => {
    expect(runCommands(m, 'false; echo $?; echo')).to.equal(0);
    expectConsole(m).nextLine('1').nextLine('').end();
    expect(m.failures.map((f) => f.command)).to.deep.equal(['false']);
  });
});
