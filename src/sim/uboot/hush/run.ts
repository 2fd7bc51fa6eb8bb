// Executes hush text on a Machine: one top-level line is parsed, then run, then the next
// (parse_stream_outer()), so a syntax error only stops what follows it. A failing command
// does not stop the script; its line, text, status and console output are recorded.
import { cmdProcess } from '../command.js';
import type { Machine } from '../machine.js';
import { HushSyntaxError, hushInput } from './lexer.js';
import { expandCommand } from './expand.js';
import { Parser, type IfCommand, type Pipe, type SimpleCommand, type Statement } from './parser.js';
import { SimBudgetExceeded } from '../../budget.js';

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/s;

export interface RunOptions {
  /** Record failures of commands at this nesting level (the script being simulated). */
  recordFailures?: boolean;
  /** What opens this level (`source`, `run NAME`), named when nesting runs too deep. */
  what?: string;
}

/**
 * Run hush text (a script body, `run` variable, or test input). Returns `$?` afterwards.
 * The outermost call also turns a crossed budget (budget.ts) into the simulation's verdict.
 */
export function runHush(m: Machine, text: string, opts: RunOptions = {}): number {
  if (m.hushActive) return runLevel(m, text, opts);
  m.hushActive = true;
  try {
    return runLevel(m, text, opts);
  } catch (e) {
    if (!(e instanceof SimBudgetExceeded)) throw e;
    stopOnBudget(m, e);
    return 1;
  } finally {
    m.hushActive = false;
  }
}

/** The verdict of a crossed budget: console note, a failure at the script line, stop. */
function stopOnBudget(m: Machine, e: SimBudgetExceeded): void {
  const located = typeof e.data['line'] === 'number';
  const verdict = located ? e.message : `${e.message}${m.where()}`;
  m.console.note(`## uboot-gen simulator: ${verdict}`);
  m.lastRc = 1;
  m.stopped = 'budget';
  m.verdict = verdict;
  const line = located ? e.data['line'] as number : m.scriptPos?.line;
  if (line !== undefined) m.failures.push({ line, command: located ? '' : m.scriptPos?.command ?? '', rc: 1, message: [verdict, ...(e.hint ? [`hint: ${e.hint}`] : [])] });
}

/**
 * The modern hush (cli_hush_upstream.c parse_and_run_stream() with end trigger '\0') parses the
 * whole text before running any of it: a syntax error anywhere runs nothing, and U-Boot prints
 * "syntax error: DETAIL" with no newline (bb_error_msg() is a bare printf in cli_hush_modern.c).
 */
function runLevelModern(m: Machine, text: string, opts: RunOptions): number {
  const parser = new Parser(hushInput(text), false, m.budgets.nesting, true);
  const lines: Statement[][] = [];
  try {
    for (let line = parser.nextLine(); line; line = parser.nextLine()) lines.push(line);
  } catch (e) {
    if (!(e instanceof HushSyntaxError)) throw e;
    const printed = `syntax error: ${modernSyntaxDetail(String(e.data['detail']))}`;
    m.console.puts(printed);
    return syntaxError(m, opts, e, printed);
  }
  let next = 0;
  return runLines(m, opts, () => lines[next++]);
}

/** A syntax error ends the script with status 1; `printed` is what U-Boot showed for it. */
function syntaxError(m: Machine, opts: RunOptions, e: HushSyntaxError, printed: string): number {
  m.lastRc = 1;
  if (opts.recordFailures) m.failures.push({ line: e.line, command: '', rc: 1, message: [printed, e.message] });
  m.stopped ??= 'syntax-error';
  return 1;
}

/** Runs each line `nextLine` gives (undefined: the end) at a new script level; returns `$?`. */
function runLines(m: Machine, opts: RunOptions, nextLine: () => Statement[] | undefined): number {
  m.enter(opts.what ?? 'hush');
  m.depth++;
  try {
    for (let line = nextLine(); line; line = nextLine()) {
      for (const st of line) {
        runStatement(m, st, opts, false);
        if (m.stopped) return m.lastRc;
      }
    }
    return m.lastRc;
  } finally {
    m.depth--;
    m.leave();
  }
}

/** The modern parser's words for a syntax error the shared parser found (syntax_error_unterm_str()). */
function modernSyntaxDetail(detail: string): string {
  // An `if` without its `fi` (or `then`) reaches the end of the input inside the compound command.
  if (detail.startsWith('missing ') || detail === 'empty condition') return 'unterminated compound statement';
  return detail;
}

function runLevel(m: Machine, text: string, opts: RunOptions): number {
  if (m.build.hush === 'modern') return runLevelModern(m, text, opts);
  // Old hush parses and runs one line at a time: the lines before a syntax error have run.
  const parser = new Parser(hushInput(text), false, m.budgets.nesting);
  let failed: number | undefined;
  const rc = runLines(m, opts, () => {
    try {
      return parser.nextLine();
    } catch (e) {
      if (!(e instanceof HushSyntaxError)) throw e;
      m.console.line('syntax error');
      failed = syntaxError(m, opts, e, 'syntax error');
      return undefined;
    }
  });
  return failed ?? rc;
}

function runList(m: Machine, list: Statement[], opts: RunOptions, inCondition: boolean): void {
  for (const st of list) {
    runStatement(m, st, opts, inCondition);
    if (m.stopped) return;
  }
}

/**
 * One && / || chain. Models old hush (common/hush.c run_list_real(), used by 2023.01): when a pipe decides the
 * chain (it fails before `&&`, or succeeds before `||`), every later pipe up to the end of the statement is
 * skipped, whatever operator joins it, and `$?` keeps the deciding status. So, unlike POSIX sh,
 * `test a = b && echo and2 || echo or2` prints nothing (seen on real 2023.01).
 */
function runStatement(m: Machine, st: Statement, opts: RunOptions, inCondition: boolean): void {
  if (m.build.hush === 'modern') { runStatementModern(m, st, opts, inCondition); return; }
  for (let i = 0; i < st.items.length; i++) {
    if (m.stopped) return;
    const it = st.items[i]!;
    // The left side of && / || is a condition: its failure is control flow, not an error.
    const isCondition = inCondition || i < st.items.length - 1;
    runPipe(m, it.pipe, opts, isCondition);
    const next = st.items[i + 1]?.op;
    if ((next === '&&' && m.lastRc !== 0) || (next === '||' && m.lastRc === 0)) return;
  }
}

/**
 * One && / || chain in the modern hush (cli_hush_upstream.c run_list()): as in POSIX sh, a pipe
 * skipped by its operator passes the status on, so `test a = b && echo and2 || echo or2` prints
 * "or2".
 */
function runStatementModern(m: Machine, st: Statement, opts: RunOptions, inCondition: boolean): void {
  for (let i = 0; i < st.items.length; i++) {
    if (m.stopped) return;
    const it = st.items[i]!;
    if ((it.op === '&&' && m.lastRc !== 0) || (it.op === '||' && m.lastRc === 0)) continue;
    runPipe(m, it.pipe, opts, inCondition || i < st.items.length - 1);
  }
}

function runPipe(m: Machine, pipe: Pipe, opts: RunOptions, inCondition: boolean): void {
  if (pipe.kind === 'cmd') { runSimple(m, pipe, opts, inCondition); return; }
  if (opts.recordFailures) m.scriptPos = { line: pipe.line, command: firstLine(pipe.text) };
  m.enter('if');
  try {
    runIf(m, pipe, opts, inCondition);
  } finally {
    m.leave();
  }
}

const firstLine = (text: string): string => {
  const nl = text.indexOf('\n');
  return nl < 0 ? text : `${text.slice(0, nl)} ...`;
};

function runIf(m: Machine, pipe: IfCommand, opts: RunOptions, inCondition: boolean): void {
  for (const clause of pipe.clauses) {
    runList(m, clause.cond, opts, true);
    if (m.stopped) return;
    if (m.lastRc === 0) { runList(m, clause.body, opts, inCondition); return; }
  }
  if (pipe.elseBody) runList(m, pipe.elseBody, opts, inCondition);
  // No branch taken: the modern hush sets $? to 0 (run_list(), "if <false> THEN cmd"); the old one
  // keeps the failed condition's status (sandbox v2026.04: `if false; then …; fi; echo $?` prints 1 / 0).
  else if (m.build.hush === 'modern') m.lastRc = 0;
}

function runSimple(m: Machine, cmd: SimpleCommand, opts: RunOptions, inCondition: boolean): void {
  const mark = m.console.mark();
  if (opts.recordFailures) m.scriptPos = { line: cmd.line, command: firstLine(cmd.text) };
  m.commandHeap = 0;
  const expansion = expandCommand(m, cmd);
  if (!expansion) return; // the heap ran out: the machine hangs
  let rc = expansion.argvs.length ? 0 : m.lastRc;
  if (m.commandHeap === 0) m.commandHeap = expansion.argvs.reduce((n, a) => n + a.reduce((k, w) => k + w.length + 1, 0), 0);
  try {
    for (const argv of expansion.argvs) {
      rc = runArgv(m, argv);
      if (m.stopped) break;
    }
  } finally {
    m.commandHeap = 0;
  }
  // A failed re-parse runs nothing more and leaves $? as it was (run_pipe_real() returns last_return_code).
  if (expansion.syntaxError && !m.stopped) m.console.line('syntax error');
  m.lastRc = rc;
  if (rc !== 0 && opts.recordFailures && !inCondition) {
    m.failures.push({ line: cmd.line, command: cmd.text, rc, message: m.console.since(mark) });
  }
}

/** One argv: hush-local assignments, or a command through cmd_process(). */
export function runArgv(m: Machine, argv: string[]): number {
  if (argv.length === 0) return 0;
  m.step();
  if (argv.every((a) => ASSIGNMENT.test(a))) {
    for (const a of argv) {
      const eq = a.indexOf('=');
      m.locals.set(a.slice(0, eq), a.slice(eq + 1));
    }
    return 0;
  }
  return cmdProcess(m, m.commands, argv);
}
