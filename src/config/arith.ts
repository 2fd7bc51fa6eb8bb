// A tiny, side-effect-free evaluator for bash arithmetic as used in configs: `$((...))`,
// array subscripts and the numeric keys ImageBuilder feeds to `$(( ))` (MEMORY_START/END).
// Semantics follow the bash manual, "ARITHMETIC EVALUATION": signed 64-bit integers,
// 0x hex, leading-0 octal, names evaluate to their value (recursively, empty/unset = 0).
// Assignment operators (`=`, `+=`, `++` …), comparisons and `base#n` are rejected.

export class ArithError extends Error {}

/** Looks a variable (optionally an array element) up; undefined = unset. */
export type ArithLookup = (name: string, subscript: string | undefined) => string | undefined;

const MAX_DEPTH = 32; // bash caps recursive name evaluation too ("expression recursion level exceeded")

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

/** Integer constant: decimal, 0x hex, leading-0 octal (bash rules). */
function parseNumber(text: string): bigint {
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) return BigInt.asIntN(64, BigInt(text.toLowerCase()));
  if (/^0[0-7]*$/.test(text)) return BigInt.asIntN(64, BigInt(`0o${text.slice(1) || '0'}`));
  if (/^[1-9][0-9]*$/.test(text)) return BigInt.asIntN(64, BigInt(text));
  if (text.includes('#')) throw new ArithError(`"${text}": base#number constants are not supported`);
  throw new ArithError(`"${text}" is not a valid number (decimal, 0x hex or 0 octal)`);
}

class Parser {
  #pos = 0;
  constructor(private readonly toks: Tok[], private readonly lookup: ArithLookup, private readonly depth: number) {}

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
    const base = this.#unary();
    const t = this.toks[this.#pos];
    if (t && t.t === 'op' && t.op === '**') {
      this.#pos++;
      const exp = this.#power();
      if (exp < 0n) throw new ArithError('exponent less than 0');
      return BigInt.asIntN(64, base ** exp);
    }
    return base;
  }

  #unary(): bigint {
    const t = this.toks[this.#pos];
    if (!t) throw new ArithError('expression ends where an operand was expected');
    if (t.t === 'op' && (t.op === '-' || t.op === '+' || t.op === '~')) {
      this.#pos++;
      const v = this.#unary();
      return t.op === '-' ? BigInt.asIntN(64, -v) : t.op === '~' ? BigInt.asIntN(64, ~v) : v;
    }
    return this.#primary();
  }

  #primary(): bigint {
    const t = this.toks[this.#pos++];
    if (!t) throw new ArithError('expression ends where an operand was expected');
    if (t.t === 'num') return t.v;
    if (t.t === 'name') return this.#variable(t.name, t.sub);
    if (t.op === '(') {
      const v = this.#binary(0);
      const close = this.toks[this.#pos++];
      if (!close || close.t !== 'op' || close.op !== ')') throw new ArithError('missing ")"');
      return v;
    }
    throw new ArithError(`unexpected ${describe(t)}`);
  }

  #variable(name: string, sub: string | undefined): bigint {
    let key = sub;
    if (sub !== undefined && !/^\s*\d+\s*,\s*\d+\s*$/.test(sub)) {
      key = String(evaluateArithmetic(sub, this.lookup, this.depth + 1));
    }
    const raw = this.lookup(name, key);
    if (raw === undefined || raw.trim() === '') return 0n;
    // bash evaluates a variable's value as an expression in turn.
    return evaluateArithmetic(raw, this.lookup, this.depth + 1);
  }
}

function apply(op: string, a: bigint, b: bigint): bigint {
  switch (op) {
    case '+': return BigInt.asIntN(64, a + b);
    case '-': return BigInt.asIntN(64, a - b);
    case '*': return BigInt.asIntN(64, a * b);
    case '/': if (b === 0n) throw new ArithError('division by 0'); return BigInt.asIntN(64, a / b);
    case '%': if (b === 0n) throw new ArithError('division by 0'); return BigInt.asIntN(64, a % b);
    case '<<': return BigInt.asIntN(64, a << (b & 63n));
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
export function evaluateArithmetic(src: string, lookup: ArithLookup, depth = 0): bigint {
  if (depth > MAX_DEPTH) throw new ArithError('expression recursion level exceeded (a variable refers to itself?)');
  return new Parser(tokenize(src), lookup, depth).parse();
}
