// Run-time expansion, modelled on old hush's handling of a command with `$` substitutions
// (cli_hush.c run_pipe_real() → make_string() → parse_string_outer(…, FLAG_REPARSING)):
// the words are glued back into one string — a word that contained quotes is wrapped in single
// quotes, others are not — with variable values inserted, and that string is parsed again with
// `$ ; & |` disabled. Consequences reproduced here: unquoted values are word-split, and an
// escaped `\#word` in such a line loses its escape and starts a comment.
import type { Machine } from '../machine.js';
import { HushSyntaxError, hushInput, type Word, wordHasVar, wordText } from './lexer.js';
import { Parser, type SimpleCommand } from './parser.js';

/** Value of a `${…}` / `$name` reference: env first, then hush locals; `${v:-d}`, `${v:=d}`, `${v:+a}`. */
export function varValue(m: Machine, spec: string): string {
  if (spec === '?') return String(m.lastRc);
  const op = /^([^:]*):([-=+])(.*)$/s.exec(spec);
  if (op) {
    const [, name, kind, arg] = op as unknown as [string, string, string, string];
    const v = m.lookupVar(name);
    const set = v !== undefined && v !== '';
    if (kind === '-') return set ? v : arg;
    if (kind === '+') return set ? arg : '';
    if (!set) { m.locals.set(name, arg); return arg; }
    return v;
  }
  return m.lookupVar(spec) ?? '';
}

/** insert_var_value(): the word's text with every substitution replaced by its value. */
function insertVarValue(m: Machine, w: Word): string {
  return w.parts.map((p) => (p.kind === 'lit' ? p.text : varValue(m, p.name))).join('');
}

/** make_string(): the re-parse input for a command with substitutions. */
export function makeString(m: Machine, words: readonly Word[]): string {
  return words.map((w) => {
    const s = insertVarValue(m, w);
    return w.quoted ? `'${s}'` : s;
  }).join(' ');
}

/** Bytes make_string() would allocate, computed without building the string. */
function makeStringLength(m: Machine, words: readonly Word[]): number {
  let n = 0;
  for (const w of words) {
    for (const p of w.parts) n += p.kind === 'lit' ? p.text.length : (p.name === '?' || /:[-=+]/.test(p.name) ? varValue(m, p.name) : m.lookupVar(p.name) ?? '').length;
    n += w.quoted ? 3 : 1;
  }
  return n;
}

/** What a simple command runs: argv vectors, and whether the re-parse ended in a syntax error. */
export interface Expansion { argvs: string[][]; syntaxError: boolean }

/**
 * The argv a simple command runs with. Without substitutions the words are used as they are;
 * with any, the command is rebuilt and re-parsed (possibly into several commands when a value
 * holds a newline), so a list of argv vectors is returned. A value holding an unbalanced quote
 * makes the re-parse fail: hush prints "syntax error" and runs nothing from the failed part.
 * Undefined when U-Boot's heap cannot hold the rebuilt command (the machine then hangs).
 */
export function expandCommand(m: Machine, cmd: SimpleCommand): Expansion | undefined {
  if (!cmd.words.some(wordHasVar)) return { argvs: [cmd.words.map(wordText)], syntaxError: false };
  if (m.build.hush === 'modern') return { argvs: [expandWordsModern(m, cmd.words)], syntaxError: false };
  // insert_var_value()/make_string() grow their result with xrealloc(), which hangs when the
  // heap is exhausted: a variable doubled over and over ends there on a board.
  const need = 3 * makeStringLength(m, cmd.words);
  if (need > m.heapFree()) {
    m.hang('ERROR : xrealloc failed', `expanding the variables of this command needs ${need} bytes (3 copies), more than the ${Math.max(0, m.heapFree())} left in U-Boot's ${m.build.mallocLen}-byte heap (CONFIG_SYS_MALLOC_LEN): hush prints "ERROR : xrealloc failed" and hangs${m.where()}`);
    return undefined;
  }
  m.commandHeap = need;
  const str = makeString(m, cmd.words);
  const p = new Parser(hushInput(str), true, m.budgets.nesting);
  const argvs: string[][] = [];
  try {
    for (let line = p.nextLine(); line; line = p.nextLine()) {
      for (const st of line) {
        for (const it of st.items) {
          if (it.pipe.kind === 'cmd') argvs.push(it.pipe.words.map(wordText));
        }
      }
    }
  } catch (e) {
    if (!(e instanceof HushSyntaxError)) throw e;
    return { argvs, syntaxError: true };
  }
  return { argvs, syntaxError: false };
}

/** IFS of U-Boot's modern hush (cli_hush_modern.c defifsvar): blank, tab, newline. */
const IFS_RUN = /[ \t\n]+/;

/**
 * The modern hush's expansion (cli_hush_upstream.c expand_variables()): nothing is parsed again.
 * A value inside "…" is inserted as it is; an unquoted one is split into fields at blanks, tabs
 * and newlines (quotes, `;` or `#` in a value stay ordinary characters), and an unquoted word
 * that expands to nothing is dropped from the command.
 */
export function expandWordsModern(m: Machine, words: readonly Word[]): string[] {
  const out: string[] = [];
  for (const w of words) {
    let cur = '';
    let have = w.quoted;
    const finish = (): void => { if (have) out.push(cur); cur = ''; have = false; };
    for (const p of w.parts) {
      if (p.kind === 'lit') { cur += p.text; have ||= p.text !== ''; continue; }
      const v = varValue(m, p.name);
      if (p.inDq) { cur += v; have = true; continue; }
      if (v === '') continue;
      const fields = v.split(IFS_RUN);
      fields.forEach((f, i) => {
        if (i > 0) finish();
        if (f !== '') { cur += f; have = true; }
      });
    }
    finish();
  }
  return out;
}
