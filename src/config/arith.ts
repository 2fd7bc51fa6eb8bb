// A tiny, side-effect-free evaluator for bash arithmetic as used in configs: `$((...))`,
// array subscripts and the numeric keys ImageBuilder feeds to `$(( ))` (MEMORY_START/END).
// Semantics follow the bash manual, "ARITHMETIC EVALUATION": signed 64-bit integers,
// 0x hex, leading-0 octal, names evaluate to their value (recursively, empty/unset = 0).
// Assignment operators (`=`, `+=`, `++` …), comparisons and `base#n` are rejected.

export class ArithError extends Error {
  /** 'range': a number beyond 64 bits; 'complex': nesting or work beyond the bounds; 'syntax': anything else. */
  constructor(message: string, readonly kind: 'syntax' | 'range' | 'complex' = 'syntax') {
    super(message);
  }
}

/** Looks a variable (optionally an array element) up; undefined = unset. */
export type ArithLookup = (name: string, subscript: string | undefined) => string | undefined;

const MAX_DEPTH = 32; // bash caps recursive name evaluation too ("expression recursion level exceeded")
/** Parentheses, unary operators and `**` chains nest at most this deep (the parser recurses per level). */
export const MAX_ARITH_NESTING = 64;
/**
 * Tokens evaluated per top-level expression, variables' values included. `a=b+b; b=c+c; ...`
 * doubles the work per name: 32 levels would be 2^32 evaluations.
 */
export const MAX_ARITH_WORK = 100_000;

/** Longest expression text evaluated (an address or an index is a few dozen characters). */
export const MAX_ARITH_SOURCE = 64 * 1024;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Shared by a top-level evaluation and every variable it evaluates in turn. */
interface Budget { work: number }

type Tok =
  | { t: 'num'; v: bigint; text: string }
  | { t: 'name'; name: string; sub?: string }
  | { t: 'op'; op: string };

// Longest operators first.
const OPS = ['**', '<<', '>>', '+', '-', '*', '/', '%', '&', '|', '^', '~', '(', ')'];
const REJECTED_OPS = ['<<=', '>>=', '&&', '||', '==', '!=', '<=', '>=', '++', '--', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '=', '<', '>', '?', ':', ',', '!'];

function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) { i++; continue; }
    if (/[0-9]/.test(c)) {
      const m = src.slice(i).match(/^[0-9A-Za-z_#@]+/) as RegExpMatchArray;
      toks.push({ t: 'num', v: parseNumber(m[0]), text: m[0] });
      i += m[0].length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = src.slice(i).match(/^[A-Za-z_][A-Za-z0-9_]*/) as RegExpMatchArray;
      i += m[0].length;
      if (src[i] === '[') {
        const end = src.indexOf(']', i);
        if (end < 0) throw new ArithError(`missing "]" after "${m[0]}["`);
        toks.push({ t: 'name', name: m[0], sub: src.slice(i + 1, end) });
        i = end + 1;
      } else {
        toks.push({ t: 'name', name: m[0] });
      }
      continue;
    }
    const bad = REJECTED_OPS.find((op) => src.startsWith(op, i));
    const ok = OPS.find((op) => src.startsWith(op, i));
    if (bad && (!ok || bad.length > ok.length)) {
      throw new ArithError(`operator "${bad}" is not supported (only + - * / % ** << >> & | ^ ~ and parentheses)`);
    }
    if (!ok) throw new ArithError(`unexpected character "${c}"`);
    toks.push({ t: 'op', op: ok });
    i += ok.length;
  }
  return toks;
}

/** A result outside signed 64 bits: bash would wrap it silently to another number; we refuse it. */
function checked(v: bigint, what: string): bigint {
  if (v < INT64_MIN || v > INT64_MAX) {
    throw new ArithError(`${what} overflows bash's 64-bit integers (largest 9223372036854775807); bash would silently wrap it to ${BigInt.asIntN(64, v)}`, 'range');
  }
  return v;
}

/** Integer constant: decimal, 0x hex, leading-0 octal (bash rules), at most 2^63-1. */
function parseNumber(text: string): bigint {
  // Long digit strings are refused before BigInt() parses them (a 1 MiB number is no address).
  if (text.length > 66) throw new ArithError(`"${text.slice(0, 24)}…" (${text.length} characters) is too long to be a 64-bit number`, 'range');
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) return checked(BigInt(text.toLowerCase()), `"${text}"`);
  if (/^0[0-7]*$/.test(text)) return checked(BigInt(`0o${text.slice(1) || '0'}`), `"${text}"`);
  if (/^[1-9][0-9]*$/.test(text)) return checked(BigInt(text), `"${text}"`);
  if (text.includes('#')) throw new ArithError(`"${text}": base#number constants are not supported`);
  throw new ArithError(`"${text}" is not a valid number (decimal, 0x hex or 0 octal)`);
}

class Parser {
  #pos = 0;
  #nesting = 0;
  constructor(private readonly toks: Tok[], private readonly lookup: ArithLookup, private readonly depth: number, private readonly budget: Budget) {}

  /** Every recursive step goes through here: bounded nesting, bounded total work. */
  #enter(): void {
    if (++this.#nesting > MAX_ARITH_NESTING) throw new ArithError(`expression nests more than ${MAX_ARITH_NESTING} levels deep`, 'complex');
    if (++this.budget.work > MAX_ARITH_WORK) {
      throw new ArithError(`expression takes more than ${MAX_ARITH_WORK} steps to evaluate (variables that refer to each other several times grow exponentially)`, 'complex');
    }
  }

  parse(): bigint {
    if (this.toks.length === 0) return 0n; // bash: $(( )) is 0
    const v = this.#binary(0);
    const extra = this.toks[this.#pos];
    if (extra) throw new ArithError(`unexpected ${describe(extra)}`);
    return v;
  }

  // Precedence climbing, lowest first (bash manual order): | ^ & << >> + - * / % **.
  static readonly LEVELS: string[][] = [['|'], ['^'], ['&'], ['<<', '>>'], ['+', '-'], ['*', '/', '%']];

  #binary(level: number): bigint {
    if (level >= Parser.LEVELS.length) return this.#power();
    let left = this.#binary(level + 1);
    for (;;) {
      const t = this.toks[this.#pos];
      if (!t || t.t !== 'op' || !(Parser.LEVELS[level] as string[]).includes(t.op)) return left;
      this.#pos++;
      const right = this.#binary(level + 1);
      left = apply(t.op, left, right);
    }
  }

  /** `**` is right-associative and binds tighter than * / %. */
  #power(): bigint {
    this.#enter();
    try {
      const base = this.#unary();
      const t = this.toks[this.#pos];
      if (t && t.t === 'op' && t.op === '**') {
        this.#pos++;
        const exp = this.#power();
        if (exp < 0n) throw new ArithError('exponent less than 0');
        return power(base, exp);
      }
      return base;
    } finally {
      this.#nesting--;
    }
  }

  #unary(): bigint {
    // Prefix operators are collected, not recursed into: `- - - … 1` is a loop.
    const ops: string[] = [];
    for (;;) {
      const t = this.toks[this.#pos];
      if (!t) throw new ArithError('expression ends where an operand was expected');
      if (t.t === 'op' && (t.op === '-' || t.op === '+' || t.op === '~')) { ops.push(t.op); this.#pos++; continue; }
      break;
    }
    let v = this.#primary();
    for (let i = ops.length - 1; i >= 0; i--) {
      const op = ops[i];
      v = op === '-' ? checked(-v, `-(${v})`) : op === '~' ? ~v : v;
    }
    return v;
  }

  #primary(): bigint {
    const t = this.toks[this.#pos++];
    if (!t) throw new ArithError('expression ends where an operand was expected');
    if (t.t === 'num') return t.v;
    if (t.t === 'name') return this.#variable(t.name, t.sub);
    if (t.op === '(') {
      this.#enter();
      const v = this.#binary(0);
      this.#nesting--;
      const close = this.toks[this.#pos++];
      if (!close || close.t !== 'op' || close.op !== ')') throw new ArithError('missing ")"');
      return v;
    }
    throw new ArithError(`unexpected ${describe(t)}`);
  }

  #variable(name: string, sub: string | undefined): bigint {
    let key = sub;
    if (sub !== undefined && !/^\s*\d+\s*,\s*\d+\s*$/.test(sub)) {
      key = String(evaluate(sub, this.lookup, this.depth + 1, this.budget));
    }
    const raw = this.lookup(name, key);
    if (raw === undefined || raw.trim() === '') return 0n;
    // bash evaluates a variable's value as an expression in turn.
    return evaluate(raw, this.lookup, this.depth + 1, this.budget);
  }
}

/** `base ** exp` without ever building a number wider than 64 bits (3**600000000 is refused at once). */
function power(base: bigint, exp: bigint): bigint {
  if (base === 0n) return exp === 0n ? 1n : 0n;
  if (base === 1n) return 1n;
  if (base === -1n) return exp % 2n === 0n ? 1n : -1n;
  if (exp > 63n) throw new ArithError(`${base} ** ${exp} overflows bash's 64-bit integers`, 'range');
  return checked(base ** exp, `${base} ** ${exp}`);
}

function apply(op: string, a: bigint, b: bigint): bigint {
  switch (op) {
    case '+': return checked(a + b, `${a} + ${b}`);
    case '-': return checked(a - b, `${a} - ${b}`);
    case '*': return checked(a * b, `${a} * ${b}`);
    case '/': if (b === 0n) throw new ArithError('division by 0'); return checked(a / b, `${a} / ${b}`);
    case '%': if (b === 0n) throw new ArithError('division by 0'); return BigInt.asIntN(64, a % b);
    case '<<': return checked(a << (b & 63n), `${a} << ${b}`);
    case '>>': return a >> (b & 63n); // arithmetic shift on a signed value, as bash on int64
    case '&': return a & b;
    case '|': return a | b;
    case '^': return a ^ b;
    default: throw new ArithError(`operator "${op}" is not supported`);
  }
}

function describe(t: Tok): string {
  if (t.t === 'num') return `number "${t.text}"`;
  if (t.t === 'name') return `name "${t.name}"`;
  return `"${t.op}"`;
}

/**
 * Evaluates `src` as a bash arithmetic expression; throws ArithError with a reason.
 * Never executes anything: the only inputs are the text and `lookup`.
 */
export function evaluateArithmetic(src: string, lookup: ArithLookup): bigint {
  return evaluate(src, lookup, 0, { work: 0 });
}

function evaluate(src: string, lookup: ArithLookup, depth: number, budget: Budget): bigint {
  if (depth > MAX_DEPTH) throw new ArithError('expression recursion level exceeded (a variable refers to itself?)', 'complex');
  if (src.length > MAX_ARITH_SOURCE) throw new ArithError(`expression is ${src.length} characters long; at most ${MAX_ARITH_SOURCE} are read`, 'complex');
  budget.work += Math.ceil(src.length / 64);
  return new Parser(tokenize(src), lookup, depth, budget).parse();
}
