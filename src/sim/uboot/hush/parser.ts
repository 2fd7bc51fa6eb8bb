// Parser for the old hush subset U-Boot scripts use (common/cli_hush.c parse_stream() and its
// reserved-word table): simple commands joined by `&&` / `||`, separated by `;` or newlines, and
// `if … then … [elif … then …]* [else …] fi`. Loops (for/while/until) are not modelled: they are
// reported as unsupported rather than silently misread.
import { HushSyntaxError, Lexer, type Token, type Word, wordText } from './lexer.js';
import { DEFAULT_BUDGETS, SimBudgetExceeded } from '../../budget.js';

export interface SimpleCommand {
  kind: 'cmd';
  words: Word[];
  /** 1-based line of the first word. */
  line: number;
  /** The command as written (source slice). */
  text: string;
}

export interface IfCommand {
  kind: 'if';
  clauses: { cond: Statement[]; body: Statement[] }[];
  elseBody?: Statement[];
  line: number;
  text: string;
}

export type Pipe = SimpleCommand | IfCommand;

/** An and-or list: first pipe, then pipes each guarded by `&&` or `||`. */
export interface Statement {
  items: { op: 'first' | '&&' | '||'; pipe: Pipe }[];
}

const RESERVED = new Set(['if', 'then', 'elif', 'else', 'fi', 'for', 'while', 'until', 'do', 'done', 'in']);

export class Parser {
  readonly #lx: Lexer;
  #tok: Token;
  /** `if` blocks open while parsing: the parser recurses per level, so the depth is bounded. */
  #depth = 0;

  constructor(readonly text: string, reparsing = false, readonly maxNesting = DEFAULT_BUDGETS.nesting, modern = false) {
    this.#lx = new Lexer(text, reparsing, true, modern);
    this.#tok = this.#lx.next();
  }

  /** The next top-level line: the statements up to a newline at depth 0 (undefined at EOF). */
  nextLine(): Statement[] | undefined {
    while (this.#isOp('nl') || this.#isOp(';')) this.#advance();
    if (this.#tok.t === 'eof') return undefined;
    const out: Statement[] = [];
    for (;;) {
      out.push(this.#statement());
      if (this.#isOp(';')) { this.#advance(); if (this.#isOp('nl') || this.#atEof()) break; continue; }
      if (this.#isOp('nl')) { this.#advance(); break; }
      if (this.#atEof()) break;
      throw new HushSyntaxError(this.#tok.line, 'unexpected token');
    }
    return out;
  }

  #advance(): void { this.#tok = this.#lx.next(); }
  #atEof(): boolean { return this.#tok.t === 'eof'; }
  #isOp(op: string): boolean { return this.#tok.t === 'op' && this.#tok.op === op; }
  #isReserved(name: string): boolean {
    return this.#tok.t === 'word' && this.#tok.word.plain && wordText(this.#tok.word) === name;
  }

  #statement(): Statement {
    const items: Statement['items'] = [{ op: 'first', pipe: this.#pipe() }];
    while (this.#isOp('&&') || this.#isOp('||')) {
      const op = (this.#tok as { op: '&&' | '||' }).op;
      this.#advance();
      while (this.#isOp('nl')) this.#advance();
      items.push({ op, pipe: this.#pipe() });
    }
    return { items };
  }

  #pipe(): Pipe {
    const tok = this.#tok;
    if (tok.t !== 'word') throw new HushSyntaxError(tok.line, 'expected a command');
    if (tok.word.plain) {
      const w = wordText(tok.word);
      if (w === 'if') return this.#if();
      if (RESERVED.has(w)) throw new HushSyntaxError(tok.line, w === 'for' || w === 'while' || w === 'until' ? `'${w}' loops are not supported by the simulator` : `unexpected '${w}'`);
    }
    const words: Word[] = [];
    const start = tok.start;
    let end = tok.end;
    while (this.#tok.t === 'word') {
      words.push(this.#tok.word);
      end = this.#tok.end;
      this.#advance();
    }
    return { kind: 'cmd', words, line: tok.line, text: this.text.slice(start, end) };
  }

  /** Statements until one of `stops` (a reserved word at command position). */
  #list(stops: string[]): Statement[] {
    const out: Statement[] = [];
    for (;;) {
      while (this.#isOp('nl') || this.#isOp(';')) this.#advance();
      if (this.#tok.t === 'eof') throw new HushSyntaxError(this.#tok.line, `missing '${stops.join("' or '")}'`);
      if (stops.some((s) => this.#isReserved(s))) return out;
      out.push(this.#statement());
      if (!(this.#isOp('nl') || this.#isOp(';'))) {
        if (stops.some((s) => this.#isReserved(s))) return out;
        throw new HushSyntaxError(this.#tok.line, 'unexpected token');
      }
    }
  }

  #if(): IfCommand {
    const first = this.#tok;
    if (this.#depth >= this.maxNesting) {
      throw new SimBudgetExceeded('nesting', `script nests \`if\` deeper than ${this.maxNesting} levels at line ${first.line}, more than the simulator follows (real U-Boot 2023.01 runs it: 20,000 levels were checked)`,
        'no boot script needs this many nested if blocks: flatten the conditions', { line: first.line, nesting: this.maxNesting });
    }
    this.#depth++;
    try {
      return this.#ifBody(first);
    } finally {
      this.#depth--;
    }
  }

  #ifBody(first: Token): IfCommand {
    this.#advance(); // if
    const clauses: IfCommand['clauses'] = [];
    let elseBody: Statement[] | undefined;
    for (;;) {
      const cond = this.#list(['then']);
      if (cond.length === 0) throw new HushSyntaxError(this.#tok.line, 'empty condition');
      this.#advance(); // then
      const body = this.#list(['elif', 'else', 'fi']);
      clauses.push({ cond, body });
      if (this.#isReserved('elif')) { this.#advance(); continue; }
      if (this.#isReserved('else')) {
        this.#advance();
        elseBody = this.#list(['fi']);
      }
      break;
    }
    const end = this.#tok.end;
    this.#advance(); // fi
    return { kind: 'if', clauses, elseBody, line: first.line, text: this.text.slice(first.start, end) };
  }
}
