// The board's serial console as a list of lines. U-Boot prints with puts()/printf() that
// may end mid-line (e.g. `echo -n`, `Loading: ###`), so partial output is kept until a
// newline arrives. Commands never throw for errors: they print, as on the board.

export class Console {
  readonly lines: string[] = [];
  #partial = '';

  /** U-Boot puts(): text may hold any number of newlines. */
  puts(text: string): void {
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
