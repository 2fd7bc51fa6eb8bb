// Bash-subset lexer for ImageBuilder configs. ImageBuilder `source`s the config in bash;
// we read it as DATA: only assignments (plus `export` / `declare -A|-a`) are accepted, and
// anything bash would execute (command substitution, pipelines, lists, redirections,
// control flow, function definitions, `source`, bare commands) is rejected with
// CONFIG_UNSAFE before a single value is evaluated. Positions are 1-based line/col.
//
// The grammar follows the bash manual (QUOTING, PARAMETER EXPANSION, Arithmetic Expansion)
// for the subset accepted; nothing is taken from bash's sources.

import { ConfigError } from '../errors.js';
import type { SourcePos } from './types.js';

/** One piece of a word. `quoted` parts are never tilde-expanded and keep their text verbatim. */
export type WordPart =
  | { kind: 'lit'; text: string; quoted: boolean; where: SourcePos }
  | ParamPart
  | { kind: 'arith'; body: Word; where: SourcePos };

/** `$NAME`, `${NAME}`, `${NAME[sub]}`, `${NAME:-word}` and friends. */
export interface ParamPart {
  kind: 'param';
  name: string;
  /** Raw subscript of `${NAME[sub]}` (itself a word: it may contain `$i`). */
  subscript?: Word;
  /** `${NAME:-w}` (use w if unset or empty), `-` (if unset), `:+` / `+` (alternative). */
  op?: ':-' | '-' | ':+' | '+';
  arg?: Word;
  where: SourcePos;
}

export interface Word {
  parts: WordPart[];
  where: SourcePos;
}

export interface AssignmentNode {
  name: string;
  where: SourcePos;
  subscript?: Word;
  /** `NAME+=value` */
  append: boolean;
  /** A scalar value, or the elements of `NAME=(a b [5]=c)`. */
  value: Word | ArrayLiteral;
  valueWhere: SourcePos;
}

export interface ArrayLiteral {
  kind: 'array';
  elements: Array<{ subscript?: Word; value: Word; where: SourcePos }>;
}

export type Statement =
  | { kind: 'assign'; assignments: AssignmentNode[]; exported: boolean; where: SourcePos }
  | { kind: 'declare'; flags: string; names: string[]; assignments: AssignmentNode[]; where: SourcePos };

/** Reserved words that start compound commands or function definitions (bash manual, "Reserved Words"). */
const RESERVED = new Set([
  'if', 'then', 'else', 'elif', 'fi', 'for', 'while', 'until', 'do', 'done', 'case', 'esac', 'select',
  'function', 'time', 'coproc', '{', '}', '[[', ']]', '!',
]);

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*/;

/**
 * Deepest nesting of `${...}` and `$((...))` inside one another. Real configs nest two or three
 * levels (`${DOMU_KERNEL[$((i+1))]:-${DEFAULT}}`); the reader recurses once per level, so a bound
 * turns a hostile 10,000-level value into an error instead of a stack overflow.
 */
export const MAX_EXPANSION_NESTING = 32;

/**
 * A line inside a quoted string that looks like the next KEY=value line (upper-case name, not the
 * continuation of a backslash-newline): the quote was almost surely never closed. Lower-case
 * `name=value` lines are kernel arguments of a command line that runs over lines, and stay.
 */
const ASSIGNMENT_LINE_RE = /(?:^|[^\\])\n[ \t]*(?:export[ \t]+)?[A-Z_][A-Z0-9_]*(?:\[[^\]\n]*\])?\+?=/;

/** What ends the word currently being read. */
type WordContext = 'plain' | 'array-element' | 'brace-arg' | 'subscript' | 'arith';

export function lexConfig(text: string, file: string): Statement[] {
  return new Lexer(text, file).statements();
}

class Lexer {
  readonly #src: string;
  readonly #file: string;
  #i = 0;
  #line = 1;
  #col = 1;
  #nesting = 0;

  constructor(src: string, file: string) {
    this.#src = src;
    this.#file = file;
  }

  statements(): Statement[] {
    const out: Statement[] = [];
    for (;;) {
      this.#skipBlanks();
      if (this.#eof()) return out;
      const c = this.#peek();
      if (c === '\n') { this.#advance(); continue; }
      if (c === '#') { this.#skipComment(); continue; }
      out.push(this.#statement());
    }
  }

  // ---- statements ----

  #statement(): Statement {
    const where = this.#pos();
    const head = this.#src.slice(this.#i).match(/^[^\s;&|<>()'"`$\\#=[]+/)?.[0] ?? '';
    const afterHead = this.#src[this.#i + head.length];
    const isAssign = this.#assignmentAhead() !== undefined;

    if (!isAssign && head !== '') {
      const endsWord = afterHead === undefined || /[\s;&|<>()]/.test(afterHead);
      if (endsWord && RESERVED.has(head)) {
        this.#unsafe(where, `"${head}" starts a shell compound command or function; the config is read as data, so only KEY=value assignments are allowed`);
      }
      if (endsWord && (head === 'source' || head === '.')) {
        this.#unsafe(where, `"${head}" would read and run another file; inline its assignments instead`);
      }
      const rest = this.#src.slice(this.#i + head.length);
      if (/^[ \t]*\(\s*\)/.test(rest)) {
        this.#unsafe(where, `"${head}()" defines a shell function; the config is read as data, so only KEY=value assignments are allowed`);
      }
      if (endsWord && head === 'export') { this.#take(head.length); return this.#exportStatement(where); }
      if (endsWord && (head === 'declare' || head === 'typeset')) { this.#take(head.length); return this.#declareStatement(where, head); }
    }

    const assignments: AssignmentNode[] = [];
    for (;;) {
      this.#skipBlanks();
      if (this.#atStatementEnd()) break;
      const a = this.#tryAssignment();
      if (a) { assignments.push(a); continue; }
      // Not an assignment: read the word fully first, so that `$(...)`, `;`, `|` inside it are
      // reported with their own reason, then reject it as a command.
      const wordWhere = this.#pos();
      const w = this.#readWord('plain');
      const shown = describeWord(w);
      // Read the rest of the command first so `&&`, `|`, `;`, `$(...)` get their own reason.
      for (;;) {
        this.#skipBlanks();
        if (this.#atStatementEnd()) break;
        this.#readWord('plain');
      }
      this.#unsafe(wordWhere, assignments.length > 0
        ? `"${shown}" would run as a command (with the assignments before it as its environment); only KEY=value assignments are allowed`
        : `"${shown}" is a command, not an assignment; the config is read as data, so only KEY=value assignments are allowed`);
    }
    return { kind: 'assign', assignments, exported: false, where };
  }

  #exportStatement(where: SourcePos): Statement {
    const assignments: AssignmentNode[] = [];
    for (;;) {
      this.#skipBlanks();
      if (this.#atStatementEnd()) break;
      const a = this.#tryAssignment();
      if (a) { assignments.push(a); continue; }
      const nameWhere = this.#pos();
      const m = this.#src.slice(this.#i).match(/^[A-Za-z_][A-Za-z0-9_]*(?=[ \t\n#]|$)/);
      if (m) { this.#take(m[0].length); continue; } // `export NAME`: marks for export, no value change
      if (this.#src.startsWith('-', this.#i)) {
        this.#syntax(nameWhere, `export options are not supported; write "export KEY=value"`);
      }
      const w = this.#readWord('plain');
      this.#syntax(nameWhere, `"export ${describeWord(w)}" is not a KEY=value assignment`);
    }
    return { kind: 'assign', assignments, exported: true, where };
  }

  #declareStatement(where: SourcePos, verb: string): Statement {
    let flags = '';
    const names: string[] = [];
    const assignments: AssignmentNode[] = [];
    for (;;) {
      this.#skipBlanks();
      if (this.#atStatementEnd()) break;
      const optWhere = this.#pos();
      const opt = this.#src.slice(this.#i).match(/^[-+][A-Za-z]+(?=[ \t\n#]|$)/);
      if (opt) {
        const letters = opt[0].slice(1);
        if (opt[0][0] !== '-' || /[^aAgx]/.test(letters)) {
          this.#syntax(optWhere, `"${verb} ${opt[0]}" is not supported; only "${verb} -A NAME" and "${verb} -a NAME" are accepted`);
        }
        flags += letters;
        this.#take(opt[0].length);
        continue;
      }
      const a = this.#tryAssignment();
      if (a) { assignments.push(a); continue; }
      const m = this.#src.slice(this.#i).match(/^[A-Za-z_][A-Za-z0-9_]*(?=[ \t\n#]|$)/);
      if (m) { names.push(m[0]); this.#take(m[0].length); continue; }
      const w = this.#readWord('plain');
      this.#syntax(optWhere, `"${verb} ${describeWord(w)}" is not a variable name`);
    }
    return { kind: 'declare', flags, names, assignments, where };
  }

  /** `NAME=`, `NAME+=`, `NAME[sub]=` at the cursor (bash: an assignment word's prefix). */
  #assignmentAhead(): { name: string; subEnd?: number } | undefined {
    const rest = this.#src.slice(this.#i);
    const m = rest.match(NAME_RE);
    if (!m) return undefined;
    let j = m[0].length;
    let subEnd: number | undefined;
    if (rest[j] === '[') {
      // Find the matching `]` on the same line (subscripts may hold `$i` or `${x}`).
      let depth = 0;
      let k = j;
      for (; k < rest.length; k++) {
        const ch = rest[k];
        if (ch === '\n') return undefined;
        if (ch === '[') depth++;
        else if (ch === ']') { depth--; if (depth === 0) break; }
      }
      if (k >= rest.length) return undefined;
      subEnd = k;
      j = k + 1;
    }
    if (rest[j] === '+' && rest[j + 1] === '=') return { name: m[0], ...(subEnd !== undefined ? { subEnd } : {}) };
    if (rest[j] === '=') return { name: m[0], ...(subEnd !== undefined ? { subEnd } : {}) };
    return undefined;
  }

  #tryAssignment(): AssignmentNode | undefined {
    const ahead = this.#assignmentAhead();
    if (!ahead) return undefined;
    const where = this.#pos();
    this.#take(ahead.name.length);
    let subscript: Word | undefined;
    if (this.#peek() === '[') {
      this.#advance();
      subscript = this.#readWord('subscript');
      if (this.#peek() !== ']') this.#syntax(this.#pos(), `expected "]" to close the subscript of ${ahead.name}`);
      this.#advance();
    }
    let append = false;
    if (this.#peek() === '+') { append = true; this.#advance(); }
    this.#advance(); // '='
    const valueWhere = this.#pos();
    let value: Word | ArrayLiteral;
    if (this.#peek() === '(') {
      if (subscript) this.#syntax(valueWhere, `${ahead.name}[...]=( ... ) is not valid: an array element cannot hold an array`);
      value = this.#arrayLiteral();
    } else {
      value = this.#readWord('plain');
    }
    return { name: ahead.name, where, ...(subscript ? { subscript } : {}), append, value, valueWhere };
  }

  /** `( word [sub]=word ... )`, newlines and comments allowed inside (bash compound array assignment). */
  #arrayLiteral(): ArrayLiteral {
    const open = this.#pos();
    this.#advance(); // '('
    const elements: ArrayLiteral['elements'] = [];
    for (;;) {
      this.#skipBlanks();
      if (this.#eof()) this.#syntax(open, 'unterminated array assignment: "(" is never closed by ")"');
      const c = this.#peek();
      if (c === '\n') { this.#advance(); continue; }
      if (c === '#') { this.#skipComment(); continue; }
      if (c === ')') { this.#advance(); break; }
      const where = this.#pos();
      let subscript: Word | undefined;
      if (c === '[') {
        this.#advance();
        subscript = this.#readWord('subscript');
        if (this.#peek() !== ']' || this.#src[this.#i + 1] !== '=') {
          this.#syntax(where, 'expected "[index]=value" inside the array assignment');
        }
        this.#take(2);
      }
      const value = this.#readWord('array-element');
      elements.push({ ...(subscript ? { subscript } : {}), value, where });
    }
    const after = this.#peek();
    if (after !== undefined && !/[ \t\n#]/.test(after)) {
      this.#readWord('plain'); // reports `;`, `|` ... with their reason
      this.#syntax(this.#pos(), 'unexpected text right after ")" of an array assignment');
    }
    return { kind: 'array', elements };
  }

  // ---- words ----

  /**
   * Reads one word (possibly empty) made of unquoted text, '…', "…", $… expansions, glued together.
   * Stops before a blank/newline (plain, array-element), `)` (array-element), `}` (brace-arg),
   * `]` (subscript) or `))` (arith).
   */
  #readWord(ctx: WordContext, openWhere?: SourcePos): Word {
    const where = this.#pos();
    const open = openWhere ?? where;
    const parts: WordPart[] = [];
    let lit = '';
    let litWhere = where;
    const flush = (): void => {
      if (lit !== '') parts.push({ kind: 'lit', text: lit, quoted: false, where: litWhere });
      lit = '';
    };
    const startLit = (): void => { if (lit === '') litWhere = this.#pos(); };
    let parenDepth = 0;

    for (;;) {
      if (this.#eof()) {
        if (ctx === 'brace-arg') this.#syntax(open, 'unterminated "${": missing "}"');
        if (ctx === 'arith') this.#syntax(open, 'unterminated "$((": missing "))"');
        if (ctx === 'subscript') this.#syntax(where, 'unterminated subscript: missing "]"');
        break;
      }
      const c = this.#peek() as string;

      // terminators
      if (ctx === 'plain' || ctx === 'array-element') {
        if (c === ' ' || c === '\t' || c === '\n') break;
        if (ctx === 'array-element' && c === ')') break;
      } else if (ctx === 'brace-arg') {
        if (c === '}') break;
      } else if (ctx === 'subscript') {
        if (c === ']') break;
        if (c === '\n') this.#syntax(where, 'unterminated subscript: missing "]"');
      } else if (ctx === 'arith') {
        if (c === '(') { parenDepth++; startLit(); lit += c; this.#advance(); continue; }
        if (c === ')') {
          if (parenDepth === 0) break;
          parenDepth--; startLit(); lit += c; this.#advance(); continue;
        }
      }

      if (c === '`') this.#unsafe(this.#pos(), 'backticks `...` are command substitution and would run a command');

      if (ctx === 'plain' || ctx === 'array-element') {
        if (c === ';') this.#unsafe(this.#pos(), '";" separates shell commands; only one KEY=value per statement, as data, is allowed');
        if (c === '&') {
          this.#unsafe(this.#pos(), this.#src[this.#i + 1] === '&'
            ? '"&&" chains shell commands; the config is read as data'
            : '"&" runs a command in the background; the config is read as data');
        }
        if (c === '|') {
          this.#unsafe(this.#pos(), this.#src[this.#i + 1] === '|'
            ? '"||" chains shell commands; the config is read as data'
            : '"|" is a pipeline; the config is read as data');
        }
        if (c === '<' || c === '>') {
          this.#unsafe(this.#pos(), `"${c}" is a redirection (or process substitution) and would touch files; quote it if it is part of a value`);
        }
        if (c === '(' || c === ')') {
          this.#unsafe(this.#pos(), `"${c}" starts a subshell or function definition; quote it if it is part of a value`);
        }
      }

      if (c === "'" && ctx !== 'arith') {
        flush();
        const qWhere = this.#pos();
        this.#advance();
        const end = this.#src.indexOf("'", this.#i);
        if (end < 0) this.#unclosedQuote(qWhere, "'", this.#src.length);
        const text = this.#src.slice(this.#i, end);
        if (ASSIGNMENT_LINE_RE.test(text)) this.#unclosedQuote(qWhere, "'", end);
        this.#take(end - this.#i + 1);
        parts.push({ kind: 'lit', text, quoted: true, where: qWhere });
        continue;
      }
      if (c === '"' && ctx !== 'arith') {
        flush();
        this.#doubleQuoted(parts);
        continue;
      }
      if (c === '\\') {
        const next = this.#src[this.#i + 1];
        if (next === '\n') { this.#take(2); continue; } // line continuation: removed entirely
        if (next === undefined) { this.#advance(); startLit(); lit += '\\'; continue; }
        // Unquoted backslash quotes the next character (bash: "Escape Character").
        flush();
        const w = this.#pos();
        this.#take(2);
        parts.push({ kind: 'lit', text: next, quoted: true, where: w });
        continue;
      }
      if (c === '$' && this.#src[this.#i + 1] === '"' && ctx !== 'arith') {
        // $"..." is locale translation; with no message catalogue it equals "...".
        this.#advance();
        continue;
      }
      if (c === '$') {
        const part = this.#dollar(false);
        if (part) { flush(); parts.push(part); continue; }
        startLit(); lit += '$'; this.#advance(); continue;
      }
      if (ctx === 'arith' && (c === "'" || c === '"')) {
        this.#syntax(this.#pos(), `quotes are not allowed inside $((...))`);
      }
      startLit();
      lit += c;
      this.#advance();
    }
    flush();
    return { parts, where };
  }

  /** Double quotes: `$…` expansions and the escapes \$ \` \" \\ \<newline>; may span lines. */
  #doubleQuoted(parts: WordPart[]): void {
    const open = this.#pos();
    this.#advance();
    let lit = '';
    let litWhere = this.#pos();
    const flush = (): void => {
      if (lit !== '') parts.push({ kind: 'lit', text: lit, quoted: true, where: litWhere });
      lit = '';
    };
    // An empty "" still produces an (empty) word part, so X="" is distinguishable from nothing.
    let produced = false;
    const startIndex = this.#i;
    for (;;) {
      if (this.#eof()) this.#unclosedQuote(open, '"', this.#src.length);
      const c = this.#peek() as string;
      if (c === '"') {
        if (ASSIGNMENT_LINE_RE.test(this.#src.slice(startIndex, this.#i))) this.#unclosedQuote(open, '"', this.#i);
        this.#advance();
        break;
      }
      if (c === '`') this.#unsafe(this.#pos(), 'backticks `...` are command substitution and would run a command');
      if (c === '\\') {
        const next = this.#src[this.#i + 1];
        if (next === '\n') { this.#take(2); continue; }
        if (next === '$' || next === '`' || next === '"' || next === '\\') {
          if (lit === '') litWhere = this.#pos();
          lit += next; this.#take(2); continue;
        }
        if (lit === '') litWhere = this.#pos();
        lit += '\\'; this.#advance(); continue;
      }
      if (c === '$') {
        const part = this.#dollar(true);
        if (part) { flush(); parts.push(part); produced = true; litWhere = this.#pos(); continue; }
      }
      if (lit === '') litWhere = this.#pos();
      lit += c;
      this.#advance();
    }
    if (lit !== '' || !produced) parts.push({ kind: 'lit', text: lit, quoted: true, where: lit !== '' ? litWhere : open });
  }

  /** At a `$`: returns the expansion part, or undefined when the `$` is literal. */
  #dollar(inDoubleQuotes: boolean): WordPart | undefined {
    const where = this.#pos();
    const n1 = this.#src[this.#i + 1];
    const n2 = this.#src[this.#i + 2];
    if ((n1 === '(' && n2 === '(') || n1 === '{') this.#enterExpansion(where);
    try {
      return this.#dollarBody(where, n1, n2, inDoubleQuotes);
    } finally {
      if ((n1 === '(' && n2 === '(') || n1 === '{') this.#nesting--;
    }
  }

  #enterExpansion(where: SourcePos): void {
    if (++this.#nesting > MAX_EXPANSION_NESTING) {
      throw new ConfigError('CONFIG_TOO_COMPLEX',
        `expansions nest more than ${MAX_EXPANSION_NESTING} levels deep here ("\${...}" or "$((...))" inside one another)`,
        { limit: MAX_EXPANSION_NESTING }, where, 'write the value with fewer nested expansions (one intermediate variable per level)');
    }
  }

  /**
   * A quote opened at `open` runs to `end` over lines that look like assignments, or never
   * closes: report the opening quote (where the fix goes), not the line where parsing gave up.
   */
  #unclosedQuote(open: SourcePos, quote: string, end: number): never {
    const text = this.#src.slice(0, end);
    const lastLine = text.split('\n').length;
    const spans = lastLine > open.line ? ` (the string runs on to ${end >= this.#src.length ? 'the end of the file' : `line ${lastLine}`})` : '';
    throw new ConfigError('CONFIG_SYNTAX', `missing closing ${quote} for the string opened at line ${open.line}, column ${open.col}${spans}`,
      { quote }, open, `close the quote on line ${open.line}`);
  }

  #dollarBody(where: SourcePos, n1: string | undefined, n2: string | undefined, inDoubleQuotes: boolean): WordPart | undefined {
    if (n1 === '(' && n2 === '(') {
      this.#take(3);
      const body = this.#readWord('arith', where);
      if (this.#src[this.#i] !== ')' || this.#src[this.#i + 1] !== ')') {
        this.#syntax(where, 'unterminated "$((": missing "))"');
      }
      this.#take(2);
      return { kind: 'arith', body, where };
    }
    if (n1 === '(') this.#unsafe(where, '"$(...)" is command substitution and would run a command');
    if (n1 === '[') this.#unsafe(where, '"$[...]" is obsolete arithmetic; write $((...))');
    if (n1 === '{') return this.#braceParam(where);
    if (n1 !== undefined && /[A-Za-z_]/.test(n1)) {
      this.#advance();
      const name = (this.#src.slice(this.#i).match(NAME_RE) as RegExpMatchArray)[0];
      this.#take(name.length);
      return { kind: 'param', name, where };
    }
    if (n1 !== undefined && /[0-9@*#?$!-]/.test(n1)) {
      this.#syntax(where, `special parameter "$${n1}" is not supported in a config (it has no meaning when ImageBuilder sources the file)`);
    }
    if (!inDoubleQuotes && n1 === "'") {
      this.#syntax(where, `$'...' (ANSI-C quoting) is not supported; use '...' or "..." instead`);
    }
    return undefined;
  }

  /** `${NAME}`, `${NAME[sub]}`, `${NAME:-w}`, `${NAME-w}`, `${NAME:+w}`, `${NAME+w}`. */
  #braceParam(where: SourcePos): ParamPart {
    this.#take(2);
    const rest = this.#src.slice(this.#i);
    const m = rest.match(NAME_RE);
    if (!m) {
      const shown = rest.slice(0, Math.max(0, rest.indexOf('}'))) || rest.slice(0, 10);
      this.#syntax(where, `"\${${shown}}" is not a supported parameter expansion; use \${NAME}, \${NAME[n]} or \${NAME:-default}`);
    }
    const name = m[0];
    this.#take(name.length);
    let subscript: Word | undefined;
    if (this.#peek() === '[') {
      this.#advance();
      subscript = this.#readWord('subscript');
      if (this.#peek() !== ']') this.#syntax(where, `unterminated subscript in "\${${name}[": missing "]"`);
      this.#advance();
    }
    if (this.#peek() === '}') {
      this.#advance();
      return { kind: 'param', name, ...(subscript ? { subscript } : {}), where };
    }
    const opMatch = this.#src.slice(this.#i).match(/^(:-|:\+|-|\+)/);
    if (!opMatch) {
      const end = this.#src.indexOf('}', this.#i);
      const shown = end < 0 ? this.#src.slice(this.#i, this.#i + 10) : this.#src.slice(this.#i, end);
      if (end < 0) this.#syntax(where, 'unterminated "${": missing "}"');
      this.#syntax(where, `"\${${name}${subscript ? '[…]' : ''}${shown}}" is not a supported parameter expansion; use \${NAME}, \${NAME[n]}, \${NAME:-default}, \${NAME-default}, \${NAME:+alt} or \${NAME+alt}`);
    }
    const op = opMatch[0] as ParamPart['op'] & string;
    this.#take(op.length);
    const arg = this.#readWord('brace-arg', where);
    this.#advance(); // '}'
    return { kind: 'param', name, ...(subscript ? { subscript } : {}), op, arg, where };
  }

  // ---- low level ----

  #atStatementEnd(): boolean {
    if (this.#eof()) return true;
    const c = this.#peek();
    if (c === '\n') return true;
    if (c === '#') { this.#skipComment(); return true; }
    return false;
  }

  #skipBlanks(): void {
    for (;;) {
      const c = this.#peek();
      if (c === ' ' || c === '\t') { this.#advance(); continue; }
      if (c === '\\' && this.#src[this.#i + 1] === '\n') { this.#take(2); continue; }
      return;
    }
  }

  #skipComment(): void {
    while (!this.#eof() && this.#peek() !== '\n') this.#advance();
  }

  #eof(): boolean { return this.#i >= this.#src.length; }
  #peek(): string | undefined { return this.#src[this.#i]; }
  #pos(): SourcePos { return { file: this.#file, line: this.#line, col: this.#col }; }

  #advance(): void {
    if (this.#src[this.#i] === '\n') { this.#line++; this.#col = 1; } else { this.#col++; }
    this.#i++;
  }

  #take(n: number): void { for (let k = 0; k < n; k++) this.#advance(); }

  #unsafe(where: SourcePos, reason: string): never {
    throw new ConfigError('CONFIG_UNSAFE', reason, { reason }, where,
      'uboot-gen reads the config as data and never runs it; compute the value outside and write it literally');
  }

  #syntax(where: SourcePos, reason: string): never {
    throw new ConfigError('CONFIG_SYNTAX', reason, {}, where,
      'the config is read as bash assignments (KEY=value, KEY[n]=value, KEY=(a b)); correct the text at this position');
  }
}

/** A short rendering of a word for messages (expansions shown as written). */
export function describeWord(w: Word): string {
  return w.parts.map((p) => {
    if (p.kind === 'lit') return p.text;
    if (p.kind === 'arith') return `$((${describeWord(p.body)}))`;
    return p.subscript || p.op ? `\${${p.name}${p.subscript ? `[${describeWord(p.subscript)}]` : ''}${p.op ?? ''}${p.arg ? describeWord(p.arg) : ''}}` : `$${p.name}`;
  }).join('');
}
