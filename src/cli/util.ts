// Small CLI helpers: number options and the optional spinner.
import { UbootGenError } from '../errors.js';

/** Parse `0x...` or decimal, with an optional K/M/G suffix (binary units). */
export function parseNumberOption(s: string, flag: string): number {
  const m = /^(0x[0-9a-f]+|\d+)([kmg]?)$/i.exec(s.trim());
  if (!m) throw new UbootGenError('USAGE', `${flag} takes a number (decimal or 0x hex, optional K/M/G), got "${s}"`);
  const n = BigInt(m[1]!);
  const mult = { '': 1n, k: 1024n, m: 1024n ** 2n, g: 1024n ** 3n }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  const value = n * mult;
  // 2^52: arm64's largest physical address space; anything larger is a typo, never a size or address.
  if (value > 2n ** 52n) throw new UbootGenError('USAGE', `${flag} ${s} is out of range: sizes and addresses are below 2^52 (4 PiB)`);
  return Number(value);
}

/** A stream the spinner may draw on: stderr, or a test's stand-in. */
export interface SpinnerStream extends NodeJS.WritableStream { isTTY?: boolean; columns?: number }

/**
 * Whether a spinner may be drawn: an interactive terminal (not a pipe, not CI) that can move its
 * cursor (not TERM=dumb) and reports a width (a pty nobody sized, as `script` or `docker -t` can
 * make, reports 0, and ora's line clearing divides by the width).
 */
export function spinnerAllowed(stream: SpinnerStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && (stream.columns ?? 0) > 0 && !env['CI'] && env['TERM'] !== 'dumb';
}

/**
 * Run `work`, with an ora spinner on `stream` while it is asynchronous. A spinner only moves while
 * the event loop is free, so synchronous work (planning, the simulation) shows none and prints
 * nothing transient: the spinner starts only when `work` returns a promise. `update` changes the
 * spinner's text (the last console line of a real boot). No colour under NO_COLOR; nothing at all
 * when `spinnerAllowed` says no (ora would print its text as a line of its own instead).
 * ora is imported lazily: it costs start-up time.
 */
export async function withSpinner<T>(
  allowed: boolean, text: string, work: (update: (text: string) => void) => T | Promise<T>,
  stream: SpinnerStream = process.stderr, env: NodeJS.ProcessEnv = process.env,
): Promise<T> {
  // The spinner exists only once the work turned out asynchronous; `update` may come before.
  const shown: { text: string; spinner?: { text: string; stop(): unknown } } = { text };
  const update = (t: string): void => { shown.text = t; if (shown.spinner) shown.spinner.text = t; };
  const result = work(update);
  if (!(result instanceof Promise) || !allowed || !spinnerAllowed(stream, env)) return result;
  // Handled here too: a rejection while ora loads is not an unhandled one (the await below rethrows it).
  result.catch(() => undefined);
  const { default: ora } = await import('ora');
  const spinner = ora({
    text: shown.text, stream: stream as NodeJS.WriteStream, isEnabled: true,
    color: env['NO_COLOR'] ? false : 'cyan', discardStdin: false,
  }).start();
  shown.spinner = spinner;
  try {
    return await result;
  } finally {
    spinner.stop();
  }
}

/**
 * `text` word-wrapped to `width` columns: the first line starts with `lead`, the next ones with
 * `indent`. A word longer than a line is not broken.
 */
export function wrapText(text: string, width: number, lead: string, indent: string): string {
  const lines: string[] = [];
  let line = lead;
  let empty = true;
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else line = empty ? line + word : `${line} ${word}`;
    empty = false;
  }
  lines.push(line);
  return lines.join('\n');
}
