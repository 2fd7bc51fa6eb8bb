// setexpr results checked against real U-Boot 2023.01 (Debian u-boot-qemu, QEMU virt, 64-bit ulong): operands are
// hex (0x optional, parsing stops at the first non-hex character), results are stored lower-case without 0x.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createMachine, runCommands, type Machine } from '../../../../../src/sim/uboot/index.js';
import { expectConsole } from '../helpers.js';

describe('sim → uboot → cmd → setexpr', () => {
  let root: string;
  let m: Machine;
  before(() => { root = fs.mkdtempSync(path.join(os.tmpdir(), 'setexpr-')); });
  after(() => { fs.rmSync(root, { recursive: true, force: true }); });
  beforeEach(() => { m = createMachine({ root }); });

  /** Value of r after `setexpr r <expr>` for each expression. */
  const results = (exprs: string[]): (string | undefined)[] => exprs.map((e) => {
    m.env.delete('r');
    expect(runCommands(m, `setexpr r ${e}`), e).to.equal(0);
    return m.env.get('r');
  });

  it('computes + - * / % ^ in hex, wrapping at 64 bits', () => {
    expect(results(['0x10 + 0x20', '0xA - 0x1', '3 - 5', '0xff \\* 0x10', '0x64 / 7', '0x64 % 7', '0xff ^ 0x0f', '1 - 1']))
      .to.deep.equal(['30', '9', 'fffffffffffffffe', 'ff0', 'e', '2', 'f0', '0']);
  });

  it('computes & and | when hush does not see them (escaped or quoted)', () => {
    expect(results(['0xf0 \\& 0x3c', '0xf0 \\| 0x0f', "0xf0 '&' 0x3c"])).to.deep.equal(['30', 'ff', '30']);
  });

  it('an unescaped & is a hush syntax error: the line does not run', () => {
    runCommands(m, 'setexpr r 0xf0 & 0x3c; echo $r');
    expectConsole(m).nextLine('syntax error').end();
    expect(m.env.get('r')).to.equal(undefined);
  });

  it('stores a single value as lower-case hex; non-hex stops the parse (zz → 0, 12abc is hex)', () => {
    expect(results(['0xABCDEF', '7', 'zz + 1', '0x + 1', '12abc + 1'])).to.deep.equal(['abcdef', '7', '1', '1', '12abd']);
  });

  it('divides by zero as AArch64 UDIV does: x / 0 = 0, x % 0 = x', () => {
    expect(results(['10 / 0', '10 % 0'])).to.deep.equal(['0', '10']);
  });

  it('advances an address by ${filesize} as ImageBuilder -s scripts do (setexpr memaddr ${memaddr} \\+ ${filesize})', () => {
    runCommands(m, [
      'setenv memaddr 0x42000000', 'setenv filesize 4e3',
      'setexpr memaddr ${memaddr} \\+ ${filesize}', 'setexpr memaddr ${memaddr} \\+ 0x200000',
      'setexpr r 0x40400000 + 1f6dfc0',
    ].join('\n'));
    expect([m.env.get('memaddr'), m.env.get('r')]).to.deep.equal(['422004e3', '4236dfc0']);
    expectConsole(m).end();
  });

  it('prints the usage (rc 1) for a wrong argument count and keeps the old value', () => {
    runCommands(m, 'setexpr r abc');
    for (const bad of ['setexpr r 1 +', 'setexpr r', 'setexpr r 1 + 2 3']) {
      const mark = m.console.mark();
      expect(runCommands(m, bad), bad).to.equal(1);
      expect(m.console.since(mark).slice(0, 3), bad).to.deep.equal(['setexpr - set environment variable as the result of eval expression', '', 'Usage:']);
    }
    expect(m.env.get('r')).to.equal('abc');
  });

  // Real 2023.01 prints the usage only when the
  // operator is longer than one character (`==`); an unknown single character (`?`, `<`) prints "invalid op" and
  // returns 1.
  it('an unknown one-character operator prints "invalid op"', () => {
    expect(runCommands(m, 'setexpr r 1 ? 2')).to.equal(1);
    expectConsole(m).nextLine('invalid op').end();
  });

  it('prints the usage (rc 1) for an operator longer than one character and keeps the old value', () => {
    runCommands(m, 'setenv r keep');
    expect(runCommands(m, 'setexpr r 1 == 2')).to.equal(1);
    expect(m.console.transcript().slice(0, 3)).to.deep.equal(['setexpr - set environment variable as the result of eval expression', '', 'Usage:']);
    expect(m.env.get('r')).to.equal('keep');
  });

  // Operands above 2^53 must stay exact (a JS number would turn ffffffffffffffff into 2^64 ≡ 0 and `+ 2` into 2).
  // Real 2023.01 (64-bit ulong) gives 1.
  it('keeps 64-bit operands exact (ffffffffffffffff + 2 = 1)', () => {
    expect(results(['ffffffffffffffff + 2', 'fffffffffffffff0 + 1'])).to.deep.equal(['1', 'fffffffffffffff1']);
  });
});
