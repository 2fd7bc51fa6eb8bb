// Run-time expansion, modelled on old hush's handling of a command with `$` substitutions
// (cli_hush.c run_pipe_real() → make_string() → parse_string_outer(…, FLAG_REPARSING)):
// the words are glued back into one string — a word that contained quotes is wrapped in single
// quotes, others are not — with variable values inserted, and that string is parsed again with
// `$ ; & |` disabled. Consequences reproduced here: unquoted values are word-split, and an
// escaped `\#word` in such a line loses its escape and starts a comment.
import type { Machine } from '../machine.js';
import { type Word, wordHasVar, wordText } from './lexer.js';
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

/**
 * The argv a simple command runs with. Without substitutions the words are used as they are;
 * with any, the command is rebuilt and re-parsed (possibly into several commands when a value
 * holds a newline), so a list of argv vectors is returned.
 */
export function expandCommand(m: Machine, cmd: SimpleCommand): string[][] {
  if (!cmd.words.some(wordHasVar)) return [cmd.words.map(wordText)];
  const str = makeString(m, cmd.words);
  const p = new Parser(str, true);
  const out: string[][] = [];
  for (let line = p.nextLine(); line; line = p.nextLine()) {
    for (const st of line) {
      for (const it of st.items) {
        if (it.pipe.kind === 'cmd') out.push(it.pipe.words.map(wordText));
      }
    }
  }
  return out;
}
