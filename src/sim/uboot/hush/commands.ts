// A script's simple commands as hush's lexer sees them: the words of each, where each starts, and
// where the first syntax error is. For readers that look at a script without running it (the
// generator measuring its own fdt edits, `inspect`); the parser in parser.ts runs it.
import { HushSyntaxError, Lexer, wordText, type Word } from './lexer.js';

/** Hush reserved words that may precede a command (`if fdt set ...; then`). */
export const RESERVED_WORDS: ReadonlySet<string> = new Set(['if', 'then', 'elif', 'else', 'fi', 'while', 'until', 'do', 'done', 'for', '!']);

export interface ScriptCommand {
  words: Word[];
  /** 1-based line of the first word. */
  line: number;
  /** Offset of the first word in the text. */
  offset: number;
}

export interface ScriptSyntaxError {
  /** Where the bad word starts: after the last good token and the blanks after it. */
  offset: number;
  line: number;
  /** The lexer's message without its own " at line N". */
  message: string;
}

/**
 * Split `text` into commands, stopping at the first syntax error. With `skipReserved`, reserved
 * words in command position are dropped, so `if fdt set …; then` gives the command `fdt set …`.
 */
export function scriptCommands(text: string, opts: { skipReserved?: boolean; blanks?: RegExp } = {}): { commands: ScriptCommand[]; syntax?: ScriptSyntaxError } {
  const lexer = new Lexer(text);
  const blanks = opts.blanks ?? /[ \t]/;
  const commands: ScriptCommand[] = [];
  let cur: ScriptCommand | undefined;
  let lastEnd = 0;
  for (;;) {
    let tok;
    try {
      tok = lexer.next();
    } catch (e) {
      if (!(e instanceof HushSyntaxError)) throw e;
      let start = lastEnd;
      while (start < text.length && blanks.test(text[start]!)) start++;
      return { commands, syntax: { offset: start, line: text.slice(0, start).split('\n').length, message: e.message.replace(/ at line \d+$/, '') } };
    }
    lastEnd = tok.end;
    if (tok.t === 'word') {
      if (!cur) {
        if (opts.skipReserved && tok.word.plain && RESERVED_WORDS.has(wordText(tok.word))) continue;
        cur = { words: [], line: tok.line, offset: tok.start };
        commands.push(cur);
      }
      cur.words.push(tok.word);
    } else {
      cur = undefined;
      if (tok.t === 'eof') return { commands };
    }
  }
}
