// Byte-string helpers shared by the fdt modules. Device-tree names and string values are byte strings;
// a JS string maps to bytes one char code per byte (latin1), so any blob round-trips unchanged.
// A string with a char code above 0xFF (not a byte string) is encoded as UTF-8 instead.

/** Bytes of a name or string value (no terminating NUL). */
export function strBytes(s: string): Uint8Array {
  let wide = false;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) { wide = true; break; }
  if (wide) return new TextEncoder().encode(s);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Bytes of `s` followed by a NUL. */
export function cstrBytes(s: string): Uint8Array {
  const b = strBytes(s);
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  return out;
}

/** Decode bytes [start, end) as a byte string. */
export function bytesToStr(b: Uint8Array, start = 0, end = b.length): string {
  let s = '';
  for (let i = start; i < end; i += 4096) {
    s += String.fromCharCode(...b.subarray(i, Math.min(end, i + 4096)));
  }
  return s;
}

/** True when b[at .. at+s.length) equals s. Caller guarantees the range is inside b. */
export function bytesEq(b: Uint8Array, at: number, s: Uint8Array): boolean {
  for (let i = 0; i < s.length; i++) if (b[at + i] !== s[i]) return false;
  return true;
}
