// Evaluates the lexed statements in order, as bash would when ImageBuilder `source`s the
// config, but only ever as data: assignments update a variable store, expansions read it
// (then the caller-provided environment), `$((...))` goes through our own evaluator.
// Result: the raw, still untyped values with their positions (RawConfig).

import { ConfigError } from '../errors.js';
import { ArithError, evaluateArithmetic } from './arith.js';
import { describeWord, lexConfig, type ArrayLiteral, type AssignmentNode, type Word } from './lexer.js';
import { KEY_BY_NAME } from './keys.js';
import type { Diagnostic, SourcePos } from './types.js';

/** One value as assigned: the text after quote removal and expansion, and where it came from. */
export interface RawValue {
  /** `NAME` or `NAME[sub]` as it should be shown in messages (subscript normalised: `DOMU_KERNEL[1]`). */
  key: string;
  value: string;
  /** Position of the assignment (the first character of NAME). */
  where: SourcePos;
  /** Position of the first character of the value. */
  valueWhere: SourcePos;
}

export interface RawAssignment extends RawValue {
  name: string;
  /** Normalised subscript: decimal index for indexed arrays, the literal key for `declare -A` arrays. */
  subscript?: string;
  /** True when written as NAME[sub]=… or NAME=( … ). */
  indexed: boolean;
  exported: boolean;
}

export interface RawVariable {
  assoc: boolean;
  /** Subscript → value; a scalar lives at '0', as in bash. */
  elements: Map<string, RawValue>;
}

export interface RawConfig {
  file: string;
  /** Every assignment in file order (one per array-literal element). */
  assignments: RawAssignment[];
  /** Final state of the variables assigned by the config. */
  vars: Map<string, RawVariable>;
  /** Names read by an expansion (helper variables are not reported as unknown keys). */
  referenced: Set<string>;
  diagnostics: Diagnostic[];
}

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Longest value one expansion may produce. The longest real values are command lines (U-Boot
 * reads at most a few KiB per line); `a=$b$b; b=$c$c; ...` doubles per line and would reach
 * gigabytes in 30 lines.
 */
export const MAX_VALUE_CHARS = 256 * 1024;
/** All expansions of a config together produce at most this many characters. */
export const MAX_EXPANDED_CHARS = 16 * 1024 * 1024;

/** ImageBuilder runs `declare -A DOMU_VCPU_HARD_AFFINITY` before sourcing the config (ML23). */
const PREDECLARED_ASSOC = ['DOMU_VCPU_HARD_AFFINITY'];

export function parseConfigRaw(text: string, file: string, env: Env = {}): RawConfig {
  const statements = lexConfig(text, file);
  const ev = new Evaluator(file, env);
  for (const st of statements) {
    if (st.kind === 'declare') {
      for (const name of st.names) ev.declare(name, st.flags.includes('A'));
      for (const a of st.assignments) {
        if (st.flags.includes('A')) ev.declare(a.name, true);
        ev.assign(a, false);
      }
    } else {
      for (const a of st.assignments) ev.assign(a, st.exported);
      ev.checkSplit(st.assignments);
    }
  }
  return ev.result();
}

class Evaluator {
  readonly #file: string;
  readonly #env: Env;
  readonly #vars = new Map<string, RawVariable>();
  readonly #assignments: RawAssignment[] = [];
  readonly #referenced = new Set<string>();
  readonly #diagnostics: Diagnostic[] = [];
  readonly #warnedUnset = new Set<string>();
  #expanded = 0;

  constructor(file: string, env: Env) {
    this.#file = file;
    this.#env = env;
    for (const name of PREDECLARED_ASSOC) this.#vars.set(name, { assoc: true, elements: new Map() });
  }

  result(): RawConfig {
    return { file: this.#file, assignments: this.#assignments, vars: this.#vars, referenced: this.#referenced, diagnostics: this.#diagnostics };
  }

  declare(name: string, assoc: boolean): void {
    const v = this.#vars.get(name);
    if (!v) { this.#vars.set(name, { assoc, elements: new Map() }); return; }
    if (assoc) v.assoc = true;
  }

  assign(a: AssignmentNode, exported: boolean): void {
    if (isArrayLiteral(a.value)) { this.#assignArray(a, a.value, exported); return; }
    let v = this.#vars.get(a.name);
    const subscript = a.subscript ? this.#subscript(a.name, a.subscript, v?.assoc ?? false) : undefined;
    let value = this.#expandWord(a.value, true);
    if (!v) { v = { assoc: false, elements: new Map() }; this.#vars.set(a.name, v); }
    const slot = subscript ?? '0';
    if (a.append) value = (v.elements.get(slot)?.value ?? this.#envFallback(a.name, slot) ?? '') + value;
    const key = subscript !== undefined ? `${a.name}[${subscript}]` : a.name;
    const raw: RawValue = { key, value, where: a.where, valueWhere: a.valueWhere };
    v.elements.set(slot, raw);
    this.#assignments.push({ ...raw, name: a.name, ...(subscript !== undefined ? { subscript } : {}), indexed: subscript !== undefined, exported });
  }

  /**
   * `DOMU_CMD[0]=console=ttyAMA0 root=/dev/ram0`: bash ends the value at the blank and takes
   * `root=/dev/ram0` as a second assignment, to a variable named root (what this reader did too),
   * so `root=` silently leaves the command line. Warned when a key's assignment is followed, in the
   * same command, by assignments to lower-case names: kernel and Xen parameters, never ImageBuilder keys.
   */
  checkSplit(nodes: readonly AssignmentNode[]): void {
    const first = nodes[0];
    if (!first || nodes.length < 2 || nodes.some((n) => isArrayLiteral(n.value))) return;
    if (!KEY_BY_NAME.has(first.name)) return;
    const assigned = this.#assignments.slice(-nodes.length);
    const head = assigned[0]!;
    const lost = assigned.slice(1).filter((a) => /[a-z]/.test(a.name));
    if (!lost.length) return;
    const words = lost.map((a) => `${a.key}=${a.value}`);
    const whole = [head.value, ...words].join(' ');
    this.#diagnostics.push({
      level: 'warning', code: 'CONFIG_SPLIT_VALUE', key: head.key, where: lost[0]!.where,
      message: `${words.join(' ')} ${lost.length > 1 ? 'are assignments of their own, to variables named' : 'is an assignment of its own, to a variable named'} ${lost.map((a) => a.name).join(', ')}, not part of ${head.key} (an unquoted value ends at the first blank, as in bash, so ${head.key} is ${JSON.stringify(head.value)}); write ${head.key}=${JSON.stringify(whole)}`,
      hint: `quote the whole value: ${head.key}=${JSON.stringify(whole)}`,
    });
  }

  #assignArray(a: AssignmentNode, lit: ArrayLiteral, exported: boolean): void {
    let v = this.#vars.get(a.name);
    if (!v) { v = { assoc: false, elements: new Map() }; this.#vars.set(a.name, v); }
    if (!a.append) v.elements.clear();
    let next = 0;
    if (a.append && !v.assoc) for (const k of v.elements.keys()) next = Math.max(next, Number(k) + 1);
    for (const el of lit.elements) {
      let subscript: string;
      if (el.subscript) {
        subscript = this.#subscript(a.name, el.subscript, v.assoc);
        if (!v.assoc) next = Number(subscript) + 1;
      } else {
        if (v.assoc) {
          throw new ConfigError('CONFIG_SYNTAX', `${a.name} is an associative array: every element needs a [key]=value form`, {}, el.where,
            `write ${a.name}=([key]=value ...)`);
        }
        subscript = String(next++);
      }
      const value = this.#expandWord(el.value, true);
      const key = `${a.name}[${subscript}]`;
      const raw: RawValue = { key, value, where: el.where, valueWhere: el.value.where };
      v.elements.set(subscript, raw);
      this.#assignments.push({ ...raw, name: a.name, subscript, indexed: true, exported });
    }
  }

  /** Indexed arrays: the subscript is arithmetic; `declare -A` arrays: it is a literal key. */
  #subscript(name: string, w: Word, assoc: boolean): string {
    const text = this.#expandWord(w, false);
    if (assoc) {
      if (text === '') throw new ConfigError('CONFIG_SYNTAX', `${name}[] has an empty key`, {}, w.where, `write the key inside the brackets, e.g. ${name}[0,0]=...`);
      return text;
    }
    if (text.trim() === '') throw new ConfigError('CONFIG_SYNTAX', `${name}[] has an empty index`, {}, w.where, `write the index inside the brackets, e.g. ${name}[0]=...`);
    if (/^\s*\d+\s*,\s*\d+\s*$/.test(text)) {
      throw new ConfigError('CONFIG_SYNTAX',
        `${name}[${text}] uses a "dom,vcpu" key, but ${name} is not an associative array (only DOMU_VCPU_HARD_AFFINITY takes [n,m])`,
        {}, w.where, `use one index, e.g. ${name}[0]=..., or declare -A ${name} first`);
    }
    const n = this.#arith(text, w.where, `${name}[${text}]`);
    if (n < 0n) {
      throw new ConfigError('CONFIG_BAD_VALUE', `${name}[${text}]: index ${n} is negative`, {}, w.where, `array indexes start at 0, e.g. ${name}[0]=...`);
    }
    return n.toString();
  }

  #arith(text: string, where: SourcePos, what: string): bigint {
    try {
      return evaluateArithmetic(text, (name, sub) => {
        this.#referenced.add(name);
        return this.#lookup(name, sub);
      });
    } catch (e) {
      if (e instanceof ArithError) {
        const code = e.kind === 'range' ? 'CONFIG_OUT_OF_RANGE' : e.kind === 'complex' ? 'CONFIG_TOO_COMPLEX' : 'CONFIG_BAD_VALUE';
        throw new ConfigError(code, `${what}: ${e.message}`, { expression: text.length > 200 ? `${text.slice(0, 200)}…` : text }, where,
          e.kind === 'range' ? 'write a number that fits in 64 bits' : e.kind === 'complex' ? 'simplify the expression' : undefined);
      }
      throw e;
    }
  }

  #lookup(name: string, sub: string | undefined): string | undefined {
    const v = this.#vars.get(name);
    if (v) {
      if (sub === '@' || sub === '*') {
        if (v.elements.size === 0) return undefined;
        const keys = [...v.elements.keys()];
        if (!v.assoc) keys.sort((x, y) => Number(x) - Number(y));
        return keys.map((k) => v.elements.get(k)?.value ?? '').join(' ');
      }
      return v.elements.get(sub ?? '0')?.value;
    }
    return this.#envFallback(name, sub ?? '0');
  }

  /** The environment holds only scalars, which bash treats as element 0. */
  #envFallback(name: string, slot: string): string | undefined {
    if (slot !== '0' && slot !== '@' && slot !== '*') return undefined;
    return Object.prototype.hasOwnProperty.call(this.#env, name) ? this.#env[name] : undefined;
  }

  /** Quote removal + expansion. Assignments never word-split or glob (bash manual, "Parameters"). */
  #expandWord(w: Word, tilde: boolean): string {
    let out = '';
    const grow = (text: string, where: SourcePos): void => {
      this.#expanded += text.length;
      if (out.length + text.length > MAX_VALUE_CHARS || this.#expanded > MAX_EXPANDED_CHARS) {
        const single = out.length + text.length > MAX_VALUE_CHARS;
        throw new ConfigError('CONFIG_TOO_COMPLEX',
          single
            ? `this value expands to more than ${MAX_VALUE_CHARS} characters (variables that repeat each other grow exponentially)`
            : `the config's expansions produce more than ${MAX_EXPANDED_CHARS} characters in total`,
          { limit: single ? MAX_VALUE_CHARS : MAX_EXPANDED_CHARS }, where, 'write the value literally, or with fewer repeated variables');
      }
      out += text;
    };
    w.parts.forEach((p, i) => {
      if (p.kind === 'lit') {
        let text = p.text;
        // Tilde expansion at the start of an assignment value: only `~` and `~/…` (no ~user).
        if (tilde && i === 0 && !p.quoted && /^~(\/|$)/.test(text)) {
          const single = text === '~' ? w.parts.length === 1 || (w.parts[1]?.kind === 'lit' && (w.parts[1] as { text: string }).text.startsWith('/')) : true;
          const home = this.#env['HOME'];
          if (single && home !== undefined) text = home + text.slice(1);
        }
        grow(text, p.where);
        return;
      }
      if (p.kind === 'arith') {
        const body = this.#expandWord(p.body, false);
        const shown = describeWord(p.body);
        grow(this.#arith(body, p.where, `$((${shown.length > 40 ? `${shown.slice(0, 40)}…` : shown}))`).toString(), p.where);
        return;
      }
      this.#referenced.add(p.name);
      let sub: string | undefined;
      if (p.subscript) {
        const subText = this.#expandWord(p.subscript, false);
        const v = this.#vars.get(p.name);
        sub = subText === '@' || subText === '*' || v?.assoc ? subText : this.#subscript(p.name, p.subscript, false);
      }
      const value = this.#lookup(p.name, sub);
      const shown = sub !== undefined ? `${p.name}[${sub}]` : p.name;
      switch (p.op) {
        case ':-': grow(value === undefined || value === '' ? this.#expandWord(p.arg as Word, false) : value, p.where); return;
        case '-': grow(value === undefined ? this.#expandWord(p.arg as Word, false) : value, p.where); return;
        case ':+': grow(value === undefined || value === '' ? '' : this.#expandWord(p.arg as Word, false), p.where); return;
        case '+': grow(value === undefined ? '' : this.#expandWord(p.arg as Word, false), p.where); return;
        default:
          if (value === undefined) {
            const id = `${shown}@${p.where.line}:${p.where.col}`;
            if (!this.#warnedUnset.has(id)) {
              this.#warnedUnset.add(id);
              this.#diagnostics.push({
                level: 'warning', code: 'CONFIG_UNSET_VARIABLE',
                message: `$${sub !== undefined ? `{${shown}}` : shown} is not set by the config (above this line) or the environment, so it expands to an empty string`,
                where: p.where,
              });
            }
          }
          grow(value ?? '', p.where);
      }
    });
    return out;
  }
}

function isArrayLiteral(v: Word | ArrayLiteral): v is ArrayLiteral {
  return (v as ArrayLiteral).kind === 'array';
}
