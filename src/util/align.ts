// Address arithmetic without JS bitwise operators: `&`, `|`, `~` are 32-bit and
// silently break above 4 GiB. Physical addresses stay below 2^53, so plain
// arithmetic on numbers is exact.

export const SZ_4K = 0x1000;
export const SZ_64K = 0x10000;
export const SZ_1M = 0x100000;
export const SZ_2M = 0x200000;
export const SZ_1G = 0x40000000;

function assertSafe(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative safe integer, got ${n}`);
}

export function alignUp(n: number, a: number): number {
  assertSafe(n, 'value'); assertSafe(a, 'alignment');
  const r = n % a;
  return r === 0 ? n : n + (a - r);
}

export function alignDown(n: number, a: number): number {
  assertSafe(n, 'value'); assertSafe(a, 'alignment');
  return n - (n % a);
}

export function isAligned(n: number, a: number): boolean {
  return n % a === 0;
}

/** Half-open ranges [aStart, aEnd) and [bStart, bEnd) share at least one byte. */
export function rangesOverlap(aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  return aStart < bEnd && bStart < aEnd;
}

/** High and low 32-bit halves of a 64-bit value (for two-cell device-tree values). */
export function splitU64(n: number): [hi: number, lo: number] {
  assertSafe(n, 'value');
  return [Math.floor(n / 0x1_0000_0000), n % 0x1_0000_0000];
}
