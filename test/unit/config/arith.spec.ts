import { expect } from 'chai';
import { ArithError, evaluateArithmetic } from '../../../src/config/arith.js';

const vars: Record<string, string> = { A: '0x10', B: '3', EXPR: 'A + B', SELF: 'SELF + 1', EMPTY: '' };
const lookup = (name: string, sub: string | undefined): string | undefined =>
  sub === undefined || sub === '0' ? vars[name] : name === 'ARR' && sub === '2' ? '7' : undefined;
const ev = (s: string): bigint => evaluateArithmetic(s, lookup);

describe('config/arith', () => {
  it('parses decimal, hex and leading-zero octal like bash', () => {
    expect(ev('42')).to.equal(42n);
    expect(ev('0x40000000')).to.equal(0x40000000n);
    expect(ev('0XFF')).to.equal(255n);
    expect(ev('010')).to.equal(8n);
    expect(ev('0')).to.equal(0n);
  });

  it('follows bash precedence for + - * / % ** << >> & ^ | and unary operators', () => {
    expect(ev('1 + 2 * 3')).to.equal(7n);
    expect(ev('(1 + 2) * 3')).to.equal(9n);
    expect(ev('1 << 4 + 1')).to.equal(32n); // + binds tighter than <<
    expect(ev('0xF0 | 0x0F & 0x3C')).to.equal(0xFCn); // & before |
    expect(ev('6 ^ 3')).to.equal(5n);
    expect(ev('2 ** 3 ** 2')).to.equal(512n); // right-associative
    expect(ev('-7 / 2')).to.equal(-3n); // truncates toward zero
    expect(ev('-7 % 3')).to.equal(-1n);
    expect(ev('~0')).to.equal(-1n);
    expect(ev('- -5')).to.equal(5n);
    expect(ev('0x40000000 + 0x20000000 >> 1')).to.equal(0x30000000n);
  });

  it('works above 32 bits (64-bit signed wrap, no JS bitwise truncation)', () => {
    expect(ev('0x100000000 | 1')).to.equal(0x100000001n);
    expect(ev('1 << 40')).to.equal(1n << 40n);
    expect(ev('0xFFFFFFFFFFFFFFFF')).to.equal(-1n);
    expect(ev('0x7FFFFFFFFFFFFFFF + 1')).to.equal(-(1n << 63n));
  });

  it('evaluates names recursively, unset and empty as 0, and array elements', () => {
    expect(ev('A + 1')).to.equal(17n);
    expect(ev('EXPR * 2')).to.equal(38n);
    expect(ev('NOPE + EMPTY + 5')).to.equal(5n);
    expect(ev('ARR[1 + 1] * 2')).to.equal(14n);
    expect(ev('')).to.equal(0n);
  });

  it('rejects what it does not support with a reason', () => {
    const reason = (s: string): string => {
      try { ev(s); } catch (e) { if (e instanceof ArithError) return e.message; throw e; }
      throw new Error('no error');
    };
    expect(reason('1 / 0')).to.equal('division by 0');
    expect(reason('5 % 0')).to.equal('division by 0');
    expect(reason('X = 5')).to.equal('operator "=" is not supported (only + - * / % ** << >> & | ^ ~ and parentheses)');
    expect(reason('X++')).to.equal('operator "++" is not supported (only + - * / % ** << >> & | ^ ~ and parentheses)');
    expect(reason('1 == 1')).to.equal('operator "==" is not supported (only + - * / % ** << >> & | ^ ~ and parentheses)');
    expect(reason('16#ff')).to.equal('"16#ff": base#number constants are not supported');
    expect(reason('0x')).to.equal('"0x" is not a valid number (decimal, 0x hex or 0 octal)');
    expect(reason('09')).to.equal('"09" is not a valid number (decimal, 0x hex or 0 octal)');
    expect(reason('(1 + 2')).to.equal('missing ")"');
    expect(reason('1 +')).to.equal('expression ends where an operand was expected');
    expect(reason('1 2')).to.equal('unexpected number "2"');
    expect(reason('SELF')).to.equal('expression recursion level exceeded (a variable refers to itself?)');
    expect(reason('2 ** -1')).to.equal('exponent less than 0');
  });
});
