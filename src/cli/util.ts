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

/**
 * Run `work` with an ora spinner on stderr when stderr is an interactive terminal
 * (never in JSON mode, CI or pipes). ora is imported lazily: it costs start-up time.
 * A terminal that reports no width (a pty nobody sized, as `script` or `docker -t` can
 * make) gets none either: ora's line clearing divides by the width and never ends.
 */
export async function withSpinner<T>(allowed: boolean, text: string, work: () => T): Promise<T> {
  const stderr = process.stderr;
  if (!allowed || !stderr.isTTY || !(stderr.columns > 0) || process.env['CI']) return work();
  const { default: ora } = await import('ora');
  const spinner = ora({ text, stream: stderr }).start();
  try {
    const r = work();
    spinner.stop();
    return r;
  } catch (e) {
    spinner.stop();
    throw e;
  }
}
