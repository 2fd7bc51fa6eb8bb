// Bounds-checked binary access. Every read names its field, so a truncated or
// corrupt file is reported as "<what>: <field> needs N byte(s) at offset X".
import { ImageFormatError } from '../errors.js';

export class ByteReader {
  readonly #view: DataView;
  #pos = 0;

  constructor(readonly bytes: Uint8Array, readonly what: string) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get pos(): number { return this.#pos; }
  get length(): number { return this.bytes.length; }

  seek(pos: number): this {
    if (!Number.isInteger(pos) || pos < 0 || pos > this.bytes.length) this.#fail('seek', pos, 0);
    this.#pos = pos;
    return this;
  }

  skip(n: number, field: string): this { this.#need(n, field); this.#pos += n; return this; }

  u8(field: string): number { this.#need(1, field); return this.#view.getUint8(this.#pos++); }
  u16le(field: string): number { this.#need(2, field); const v = this.#view.getUint16(this.#pos, true); this.#pos += 2; return v; }
  u16be(field: string): number { this.#need(2, field); const v = this.#view.getUint16(this.#pos, false); this.#pos += 2; return v; }
  u32be(field: string): number { this.#need(4, field); const v = this.#view.getUint32(this.#pos, false); this.#pos += 4; return v; }
  u32le(field: string): number { this.#need(4, field); const v = this.#view.getUint32(this.#pos, true); this.#pos += 4; return v; }
  /** 64-bit field as a safe JS number; values >= 2^53 are rejected (no physical address is that large). */
  u64le(field: string): number { return this.#u64(field, true); }
  u64be(field: string): number { return this.#u64(field, false); }

  take(n: number, field: string): Uint8Array {
    this.#need(n, field);
    const b = this.bytes.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return b;
  }

  /** ASCII bytes up to the first NUL (or `n` bytes), consuming exactly `n` bytes. */
  fixedString(n: number, field: string): string {
    const b = this.take(n, field);
    const end = b.indexOf(0);
    return Buffer.from(b.subarray(0, end < 0 ? n : end)).toString('latin1');
  }

  #u64(field: string, le: boolean): number {
    this.#need(8, field);
    const v = this.#view.getBigUint64(this.#pos, le);
    this.#pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new ImageFormatError('IMAGE_OUT_OF_RANGE', `${this.what}: ${field} = 0x${v.toString(16)} is too large (above 2^53, beyond any physical address or size)`,
        { field, offset: this.#pos - 8 }, { file: this.what, offset: this.#pos - 8 }, 'the header is corrupt; rebuild the file or take it from its original package');
    }
    return Number(v);
  }

  #need(n: number, field: string): void {
    if (!Number.isInteger(n) || n < 0 || this.#pos + n > this.bytes.length) this.#fail(field, this.#pos, n);
  }

  #fail(field: string, offset: number, need: number): never {
    throw new ImageFormatError(
      'IMAGE_TRUNCATED',
      `${this.what}: ${field} needs ${need} byte(s) at offset 0x${offset.toString(16)}, but only ${this.bytes.length} byte(s) are available`,
      { field, offset, need, size: this.bytes.length },
    );
  }
}

/** Throw IMAGE_TRUNCATED when a length read from a file exceeds what is there. */
export function boundBy(value: number, maximum: number, field: string, what: string): number {
  if (value > maximum) {
    throw new ImageFormatError('IMAGE_TRUNCATED', `${what}: ${field} says ${value} byte(s) but only ${maximum} are available`, { field, value, maximum });
  }
  return value;
}

/** Growable big/little-endian writer for building headers and blobs. */
export class ByteWriter {
  #buf: Uint8Array;
  #view: DataView;
  #len = 0;

  constructor(initial = 256) {
    this.#buf = new Uint8Array(initial);
    this.#view = new DataView(this.#buf.buffer);
  }

  get length(): number { return this.#len; }

  #ensure(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let cap = this.#buf.length * 2;
    while (cap < this.#len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  u8(v: number): this { this.#ensure(1); this.#view.setUint8(this.#len, v); this.#len += 1; return this; }
  u32be(v: number): this { this.#ensure(4); this.#view.setUint32(this.#len, v >>> 0, false); this.#len += 4; return this; }
  u32le(v: number): this { this.#ensure(4); this.#view.setUint32(this.#len, v >>> 0, true); this.#len += 4; return this; }
  u64be(v: number): this { this.#ensure(8); this.#view.setBigUint64(this.#len, BigInt(v), false); this.#len += 8; return this; }
  u64le(v: number): this { this.#ensure(8); this.#view.setBigUint64(this.#len, BigInt(v), true); this.#len += 8; return this; }
  bytes(b: Uint8Array): this { this.#ensure(b.length); this.#buf.set(b, this.#len); this.#len += b.length; return this; }
  zeros(n: number): this { this.#ensure(n); this.#buf.fill(0, this.#len, this.#len + n); this.#len += n; return this; }
  /** Pad with zeros up to a multiple of `a`. */
  align(a: number): this { const r = this.#len % a; return r === 0 ? this : this.zeros(a - r); }
  /** Overwrite a u32 already written (e.g. a size field known only at the end). */
  patchU32be(offset: number, v: number): this { this.#view.setUint32(offset, v >>> 0, false); return this; }

  finish(): Uint8Array { return this.#buf.slice(0, this.#len); }
}

export const readU32BE = (b: Uint8Array, off: number): number =>
  new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(off, false);
export const readU32LE = (b: Uint8Array, off: number): number =>
  new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(off, true);
export const writeU32BE = (b: Uint8Array, off: number, v: number): void =>
  new DataView(b.buffer, b.byteOffset, b.byteLength).setUint32(off, v >>> 0, false);
