// U-Boot's environment (env/common.c): a flat name → string map. `printenv` lists it sorted
// by name, as the hash table export does. Numbers are written as env_set_hex() does: "%lx".
import { hexBare } from '../../util/hex.js';

export class Env {
  readonly #vars = new Map<string, string>();
  #bytes = 0;

  constructor(initial: Record<string, string> = {}) {
    for (const [k, v] of Object.entries(initial)) this.set(k, v);
  }

  /** `name=value\0` bytes of every variable, as the exported environment counts them. */
  get bytes(): number { return this.#bytes; }

  get(name: string): string | undefined { return this.#vars.get(name); }
  has(name: string): boolean { return this.#vars.has(name); }
  set(name: string, value: string): void {
    this.delete(name);
    this.#vars.set(name, value);
    this.#bytes += name.length + value.length + 2;
  }
  delete(name: string): boolean {
    const old = this.#vars.get(name);
    if (old === undefined) return false;
    this.#bytes -= name.length + old.length + 2;
    return this.#vars.delete(name);
  }

  /** env_set_hex(): lower-case hex without 0x. */
  setHex(name: string, value: number): void { this.set(name, hexBare(value)); }

  /** env_get_yesno(): 1 for y/Y/t/T/1, 0 for anything else set, -1 when unset. */
  yesNo(name: string): -1 | 0 | 1 {
    const v = this.#vars.get(name);
    if (v === undefined) return -1;
    return /^[yYtT1]/.test(v) ? 1 : 0;
  }

  /** Sorted entries, as `printenv` prints them. */
  entries(): [string, string][] {
    return [...this.#vars.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  toObject(): Record<string, string> { return Object.fromEntries(this.entries()); }
}

/**
 * hextoul() / simple_strtoul(s, NULL, 16): hex digits with an optional 0x, stopping at the first
 * non-hex character. `whole` is true when every character was consumed (U-Boot's `*end == '\0'` checks).
 * `big` is the exact 64-bit value (ulong on arm64, wrapping like the C accumulation); `value` is the same as a
 * JS number, exact only below 2^53 (addresses and sizes). setexpr needs `big`: on real 2023.01
 * `setexpr r ffffffffffffffff + 2` gives 1, which a double cannot represent.
 */
export function hexToUl(s: string): { value: number; big: bigint; whole: boolean; digits: number } {
  let i = 0;
  if (/^0[xX]/.test(s) && /[0-9a-fA-F]/.test(s[2] ?? '')) i = 2;
  const start = i;
  while (i < s.length && /[0-9a-fA-F]/.test(s[i]!)) i++;
  const digits = i - start;
  const big = digits > 0 ? BigInt.asUintN(64, BigInt(`0x${s.slice(start, i)}`)) : 0n;
  return { value: Number(big), big, whole: i === s.length && s.length > 0, digits };
}

/**
 * simple_strtoul(s, &end, 0): base 0 = 0x hex, leading 0 octal, else decimal. `rest` is what follows the number.
 */
export function strtoulBase0(s: string): { value: number; big: bigint; rest: string; digits: number } {
  let base = 10;
  let i = 0;
  if (s[0] === '0') {
    if ((s[1] === 'x' || s[1] === 'X') && /[0-9a-fA-F]/.test(s[2] ?? '')) { base = 16; i = 2; } else base = 8;
  }
  const digitRe = base === 16 ? /[0-9a-fA-F]/ : base === 8 ? /[0-7]/ : /[0-9]/;
  const start = i;
  while (i < s.length && digitRe.test(s[i]!)) i++;
  let digits = i - start;
  const prefix = base === 16 ? '0x' : base === 8 ? '0o' : '';
  const big = digits > 0 ? BigInt.asUintN(64, BigInt(prefix + s.slice(start, i))) : 0n;
  if (base === 8 && digits === 0) digits = 1; // the leading "0" itself
  return { value: Number(big), big, rest: s.slice(i), digits };
}
