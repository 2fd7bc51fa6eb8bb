// Tokeniser for U-Boot's default ("old") hush, modelled on common/cli_hush.c parse_stream():
// words, `;`, `&&`, `||` and newlines. Quote and escape rules:
//  - `'…'` literal; `"…"` groups and allows `$` expansion (`\"`, `\\`, `\$` escape inside);
//  - outside quotes `\x` makes x literal and `\<newline>` puts a newline INTO the word
//    (it is not a line continuation in the old parser);
//  - `#` starts a comment only at the start of a word outside quotes;
//  - a lone `&` or `|` is a syntax error (no pipes or background jobs in U-Boot).
// In re-parse mode (FLAG_REPARSING, used after `$` substitution) `$`, `;`, `&`, `|` are ordinary
// and a newline only separates words.
// Checked on real U-Boot 2023.01: a `'` inside "…" still opens a literal section, and an unclosed
// `"` takes the rest of the input (with the newline parse_string_outer() adds) into its word.
// The modern hush (`modern`, common/cli_hush_upstream.c parse_stream()) differs where a script can
// tell: `\<newline>` is a line continuation (i_peek_and_eat_bkslash_nl()), `'` inside "…" is an
// ordinary character, an unclosed quote is a syntax error, and `(`, `)` start a subshell or group
// U-Boot cannot run (a syntax error). `<` and `>` stay ordinary (U-Boot's port drops redirections).
import { UbootGenError } from '../../../errors.js';

export type WordPart =
  | { kind: 'lit'; text: string }
  | { kind: 'var'; name: string; inDq: boolean };

export interface Word {
  parts: WordPart[];
  /** Any quote character took part in the word (make_string() re-quotes such words). */
  quoted: boolean;
  /** Unquoted and unescaped literal text (candidate reserved word / assignment). */
  plain: boolean;
}

export type Token =
  | { t: 'word'; word: Word; line: number; start: number; end: number }
  | { t: 'op'; op: ';' | '&&' | '||' | 'nl'; line: number; start: number; end: number }
  | { t: 'eof'; line: number; start: number; end: number };

/** What old hush reports as "syntax error"; the simulator keeps the detail and the line. */
export class HushSyntaxError extends UbootGenError {
  constructor(readonly line: number, detail: string) {
    super('SIM_BAD_INPUT', `syntax error (${detail}) at line ${line}`, { line, detail }, { line }, 'check the quotes, `if ... then ... fi` and `&&`/`||` of that line');
  }
}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

export class Lexer {
  #pos = 0;
  #line = 1;

  /**
   * `asUboot`: an unclosed `"` ends its word at the end of the input, as U-Boot runs it. Without it
   * (checking a generated script) the unclosed quote is a syntax error: U-Boot would run the rest of
   * the script as one word, which a generator never means.
   */
  constructor(readonly text: string, readonly reparsing = false, readonly asUboot = false, readonly modern = false) {}

  get line(): number { return this.#line; }
  get pos(): number { return this.#pos; }

  next(): Token {
    const s = this.text;
    // skip blanks and comments
    for (;;) {
      const c = s[this.#pos];
      if (c === ' ' || c === '\t') { this.#pos++; continue; }
      if (this.modern && c === '\\' && s[this.#pos + 1] === '\n') { this.#pos += 2; this.#line++; continue; }
      if (c === '#' ) {
        while (this.#pos < s.length && s[this.#pos] !== '\n') this.#pos++;
        continue;
      }
      break;
    }
    const start = this.#pos;
    const line = this.#line;
    if (this.#pos >= s.length) return { t: 'eof', line, start, end: start };
    const c = s[this.#pos]!;
    if (c === '\n') {
      this.#pos++; this.#line++;
      // Re-parsing a command after `$` substitution, a newline from a value only separates words:
      // with v="a<newline>echo b", `echo $v` prints "a echo b" on real 2023.01.
      if (this.reparsing) return this.next();
      return { t: 'op', op: 'nl', line, start, end: this.#pos };
    }
    if (!this.reparsing) {
      if (c === ';') { this.#pos++; return { t: 'op', op: ';', line, start, end: this.#pos }; }
      if (c === '&' || c === '|') {
        if (s[this.#pos + 1] === c) { this.#pos += 2; return { t: 'op', op: c === '&' ? '&&' : '||', line, start, end: this.#pos }; }
        throw new HushSyntaxError(line, `lone '${c}'`);
      }
      // parse_group(): `(` opens a subshell that never closes in a U-Boot script; a stray `)` is unexpected.
      if (this.modern && (c === '(' || c === ')')) throw new HushSyntaxError(line, c === '(' ? 'unterminated (' : 'unexpected )');
    }
    return this.#word(start, line);
  }

  #word(start: number, line: number): Token {
    const s = this.text;
    const parts: WordPart[] = [];
    let lit = '';
    let quoted = false;
    let escaped = false;
    const flush = (): void => { if (lit !== '') { parts.push({ kind: 'lit', text: lit }); lit = ''; } };
    for (;;) {
      const c = s[this.#pos];
      if (c === undefined) break;
      if (c === ' ' || c === '\t' || c === '\n') break;
      if (!this.reparsing && (c === ';' || c === '&' || c === '|')) break;
      if (this.modern && (c === '(' || c === ')')) break;
      if (c === '\\') {
        const n = s[this.#pos + 1];
        if (this.modern && n === '\n') { this.#pos += 2; this.#line++; continue; }
        if (n === undefined) throw new HushSyntaxError(this.#line, 'backslash at the end of the input');
        if (n === '\n') this.#line++;
        lit += n; escaped = true; this.#pos += 2; continue;
      }
      if (c === "'") {
        quoted = true;
        const close = s.indexOf("'", this.#pos + 1);
        if (close < 0) throw new HushSyntaxError(this.#line, this.modern ? "unterminated '" : 'unterminated quote');
        const body = s.slice(this.#pos + 1, close);
        this.#line += countNl(body);
        lit += body; this.#pos = close + 1; continue;
      }
      if (c === '"') {
        quoted = true;
        this.#pos++;
        for (;;) {
          const d = s[this.#pos];
          // Old hush has no "unterminated quote" check: the word simply runs to the end of the
          // input (newlines included) and the command runs (seen on real 2023.01).
          if (d === undefined) {
            if (this.asUboot && !this.modern) break;
            throw new HushSyntaxError(this.#line, this.modern ? 'unterminated "' : 'unterminated quote');
          }
          if (d === '"') { this.#pos++; break; }
          if (d === '\\') {
            const n = s[this.#pos + 1];
            if (this.modern && n === '\n') { this.#pos += 2; this.#line++; continue; }
            if (n === '"' || n === '\\' || n === '$' || n === '`') { lit += n; this.#pos += 2; continue; }
            lit += d; this.#pos++; continue;
          }
          if (d === "'" && !this.modern) {
            // parse_stream() handles `'` before looking at the double-quote state, so inside "…" it
            // still starts a literal section: "a'b c'd" is `ab cd`, and "it's" runs to the next `'`.
            const close = s.indexOf("'", this.#pos + 1);
            if (close < 0) throw new HushSyntaxError(this.#line, 'unterminated quote');
            const body = s.slice(this.#pos + 1, close);
            this.#line += countNl(body);
            lit += body; this.#pos = close + 1; continue;
          }
          if (d === '$' && !this.reparsing) {
            const v = this.#dollar(true);
            if (v) { flush(); parts.push(v); continue; }
          }
          if (d === '\n') this.#line++;
          // A long value (a variable re-read after expansion) is copied run by run, not char by char.
          const e = runEnd(DQ_PLAIN_RUN, s, this.#pos + 1);
          lit += s.slice(this.#pos, e); this.#pos = e;
        }
        continue;
      }
      if (c === '$' && !this.reparsing) {
        const v = this.#dollar(false);
        if (v) { flush(); parts.push(v); continue; }
      }
      // In a reparse `;`, `&` and `|` are ordinary characters, so the run stops at them and they are taken one by one.
      const e = runEnd(PLAIN_RUN, s, this.#pos + 1);
      lit += s.slice(this.#pos, e); this.#pos = e;
    }
    flush();
    const plain = !quoted && !escaped && parts.every((p) => p.kind === 'lit');
    return { t: 'word', word: { parts, quoted, plain }, line, start, end: this.#pos };
  }

  /** handle_dollar(): `$name`, `${…}`, `$?`; anything else leaves `$` literal (returns undefined). */
  #dollar(inDq: boolean): WordPart | undefined {
    const s = this.text;
    const n = s[this.#pos + 1];
    if (n === undefined) return undefined;
    if (n === '{') {
      const close = s.indexOf('}', this.#pos + 2);
      if (close < 0) throw new HushSyntaxError(this.#line, 'unterminated ${');
      const name = s.slice(this.#pos + 2, close);
      this.#pos = close + 1;
      return { kind: 'var', name, inDq };
    }
    if (n === '?') { this.#pos += 2; return { kind: 'var', name: '?', inDq }; }
    // The modern hush reads `$1`… as a positional parameter, which a U-Boot script never has: empty.
    if (this.modern && n >= '0' && n <= '9') { this.#pos += 2; return { kind: 'var', name: n, inDq }; }
    if (NAME_START.test(n)) {
      let e = this.#pos + 2;
      while (e < s.length && NAME_CHAR.test(s[e]!)) e++;
      const name = s.slice(this.#pos + 1, e);
      this.#pos = e;
      return { kind: 'var', name, inDq };
    }
    return undefined;
  }
}

function countNl(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** Runs of characters that mean nothing special to the word scanner, outside and inside "…". */
const PLAIN_RUN = /[^ \t\n;&|\\'"$()]+/y;
const DQ_PLAIN_RUN = /[^"\\'$\n]+/y;

/** The end of the plain run at `pos` (== pos when there is none): whole runs are copied at once. */
function runEnd(re: RegExp, s: string, pos: number): number {
  re.lastIndex = pos;
  return re.test(s) ? re.lastIndex : pos;
}

/**
 * The text hush parses for `text` (parse_string_outer()): a newline is added unless the only
 * newline is the last character, so the last command always ends with one.
 */
export function hushInput(text: string): string {
  const nl = text.indexOf('\n');
  return nl < 0 || nl < text.length - 1 ? `${text}\n` : text;
}

/** The literal text of a word without substitutions (quotes and escapes already removed). */
export function wordText(w: Word): string {
  return w.parts.map((p) => (p.kind === 'lit' ? p.text : '')).join('');
}

export const wordHasVar = (w: Word): boolean => w.parts.some((p) => p.kind === 'var');
