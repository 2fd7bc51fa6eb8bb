// The board's serial console as a list of lines. U-Boot prints with puts()/printf() that
// may end mid-line (e.g. `echo -n`, `Loading: ###`), so partial output is kept until a
// newline arrives. Commands never throw for errors: they print, as on the board.
// What is kept is bounded (budget.ts): past the limit the simulation stops with a verdict.
import { DEFAULT_BUDGETS, SimBudgetExceeded, formatBytes } from '../budget.js';

export interface ConsoleLimits { lines: number; bytes: number }

export class Console {
  readonly lines: string[] = [];
  #partial = '';
  #bytes = 0;
  readonly limits: ConsoleLimits;

  constructor(limits: Partial<ConsoleLimits> = {}) {
    this.limits = { lines: DEFAULT_BUDGETS.consoleLines, bytes: DEFAULT_BUDGETS.consoleBytes, ...limits };
  }

  /** U-Boot puts(): text may hold any number of newlines. */
  puts(text: string): void {
    if (this.#bytes + text.length > this.limits.bytes) {
      throw new SimBudgetExceeded('console', `script prints more than ${formatBytes(this.limits.bytes)} on the console`,
        'no boot prints this much: look for a variable grown without bound, or output in a loop', { bytes: this.limits.bytes });
    }
    this.#bytes += text.length;
    this.#append(text);
    if (this.lines.length > this.limits.lines) {
      throw new SimBudgetExceeded('console', `script prints more than ${this.limits.lines} console lines`,
        'no boot prints this much: look for output in a loop', { lines: this.limits.lines });
    }
  }

  /** A line the simulator itself adds after a budget stopped the script: never limited. */
  note(text: string): void { this.#append(`${text}\n`); }

  #append(text: string): void {
    const parts = (this.#partial + text).split('\n');
    this.#partial = parts.pop() ?? '';
    for (const p of parts) this.lines.push(p);
  }

  /** One whole line (puts of text + "\n"). */
  line(text: string): void { this.puts(`${text}\n`); }

  /** Text printed after the last newline (not yet a line). */
  get partial(): string { return this.#partial; }

  /** Position marker for "what did this command print" (counts an open partial line as one). */
  mark(): number { return this.lines.length; }

  /** Lines printed since `mark` (plus the pending partial line, if any). */
  since(mark: number): string[] {
    const out = this.lines.slice(mark);
    if (this.#partial !== '') out.push(this.#partial);
    return out;
  }

  /** Every line, the pending partial line included. */
  transcript(): string[] { return this.since(0); }
}
