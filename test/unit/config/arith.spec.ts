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

  it('works above 32 bits (no JS bitwise truncation) and refuses what bash would wrap', () => {
    expect(ev('0x100000000 | 1')).to.equal(0x100000001n);
    expect(ev('1 << 40')).to.equal(1n << 40n);
    expect(ev('0x7FFFFFFFFFFFFFFF')).to.equal((1n << 63n) - 1n);
    expect(ev('-0x7FFFFFFFFFFFFFFF - 1')).to.equal(-(1n << 63n));
    const overflow = (src: string, message: string): void => {
      const err = (() => { try { ev(src); } catch (e) { return e as ArithError; } throw new Error('no error'); })();
      expect(err).to.be.instanceOf(ArithError);
      expect(err.kind).to.equal('range');
      expect(err.message).to.equal(message);
    };
    overflow('0xFFFFFFFFFFFFFFFF', '"0xFFFFFFFFFFFFFFFF" overflows bash\'s 64-bit integers (largest 9223372036854775807); bash would silently wrap it to -1');
    overflow('18446744073709551617', '"18446744073709551617" overflows bash\'s 64-bit integers (largest 9223372036854775807); bash would silently wrap it to 1');
    overflow('0x7FFFFFFFFFFFFFFF + 1', '9223372036854775807 + 1 overflows bash\'s 64-bit integers (largest 9223372036854775807); bash would silently wrap it to -9223372036854775808');
    overflow('3**600000000', '3 ** 600000000 overflows bash\'s 64-bit integers');
    overflow('2**63', '2 ** 63 overflows bash\'s 64-bit integers (largest 9223372036854775807); bash would silently wrap it to -9223372036854775808');
    overflow('1 << 63', '1 << 63 overflows bash\'s 64-bit integers (largest 9223372036854775807); bash would silently wrap it to -9223372036854775808');
    expect(ev('2**62')).to.equal(1n << 62n);
    expect(ev('(-1)**600000001')).to.equal(-1n);
  });

  it('bounds nesting and total work instead of recursing or looping without end', () => {
    const complex = (src: string, message: string, lookup?: (n: string) => string | undefined): void => {
      let err: ArithError | undefined;
      try { evaluateArithmetic(src, lookup ?? (() => undefined)); } catch (e) { err = e as ArithError; }
      expect(err).to.be.instanceOf(ArithError);
      expect(err?.kind).to.equal('complex');
      expect(err?.message).to.equal(message);
    };
    complex(`${'('.repeat(10000)}1${')'.repeat(10000)}`, 'expression nests more than 64 levels deep');
    complex(`${'2**'.repeat(10000)}1`, 'expression nests more than 64 levels deep');
    expect(ev(`${'- '.repeat(10000)}5`)).to.equal(5n);
    // a=b+b, b=c+c, ... 30 levels: 2^30 evaluations unbounded.
    const chain = (name: string): string | undefined => {
      const i = Number(name.slice(1));
      return i >= 30 ? '1' : `v${i + 1} + v${i + 1}`;
    };
    complex('v0', 'expression takes more than 100000 steps to evaluate (variables that refer to each other several times grow exponentially)', chain);
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
