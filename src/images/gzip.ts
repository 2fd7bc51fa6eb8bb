// gzip member header and trailer (RFC 1952). Xen decompresses gzip kernels with an
// output size taken from the trailer's ISIZE (xen/common/device-tree/kernel.c
// kernel_decompress()); ImageBuilder gunzips only to run `file` on the content.
// We inflate just the first bytes to learn what is inside without reading the file.
import * as zlib from 'node:zlib';
import { ImageFormatError } from '../errors.js';
import { ByteReader } from '../util/bytes.js';
import { hex } from '../util/hex.js';
import type { ImageFormat } from './format.js';
import { viewOf } from './format.js';

export const GZIP_MAGIC = [0x1f, 0x8b] as const;
export const GZIP_METHOD_DEFLATE = 8;

// FLG bits (RFC 1952 §2.3.1)
const FTEXT = 0x01;
const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const FRESERVED = 0xe0;

export interface GzipHeader {
  method: number;
  flags: number;
  /** MTIME (0 when `gzip -n`). */
  mtime: number;
  xfl: number;
  os: number;
  /** FNAME, the original file name (absent with `gzip -n`). */
  name?: string;
  comment?: string;
  textHint: boolean;
  /** Bytes before the deflate stream. */
  headerSize: number;
}

export function probeGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
}

/** NUL-terminated latin-1 string (FNAME, FCOMMENT), bounded by the bytes present. */
function zeroTerminated(r: ByteReader, field: string): string {
  const start = r.pos;
  const rest = r.bytes.subarray(start);
  const nul = rest.indexOf(0);
  if (nul < 0) r.skip(rest.length + 1, field); // throws IMAGE_TRUNCATED naming the field
  const s = Buffer.from(rest.subarray(0, nul)).toString('latin1');
  r.skip(nul + 1, field);
  return s;
}

export function parseGzipHeader(bytes: Uint8Array, what: string): GzipHeader {
  const r = new ByteReader(bytes, what);
  const id1 = r.u8('ID1');
  const id2 = r.u8('ID2');
  if (id1 !== GZIP_MAGIC[0] || id2 !== GZIP_MAGIC[1]) {
    throw new ImageFormatError('IMAGE_BAD_MAGIC', `${what}: not gzip data (starts ${hex(id1)} ${hex(id2)}, expected 0x1f 0x8b)`,
      { id1, id2 }, { file: what, offset: 0 });
  }
  const method = r.u8('CM');
  if (method !== GZIP_METHOD_DEFLATE) {
    throw new ImageFormatError('IMAGE_UNSUPPORTED', `${what}: gzip compression method ${method} is not deflate (8)`,
      { method }, { file: what, offset: 2 });
  }
  const flags = r.u8('FLG');
  if (flags & FRESERVED) {
    throw new ImageFormatError('IMAGE_UNSUPPORTED', `${what}: gzip header has reserved flag bits set (FLG ${hex(flags)})`,
      { flags }, { file: what, offset: 3 });
  }
  const mtime = r.u32le('MTIME');
  const xfl = r.u8('XFL');
  const os = r.u8('OS');
  if (flags & FEXTRA) r.skip(r.u16le('XLEN'), 'FEXTRA');
  const name = flags & FNAME ? zeroTerminated(r, 'FNAME') : undefined;
  const comment = flags & FCOMMENT ? zeroTerminated(r, 'FCOMMENT') : undefined;
  if (flags & FHCRC) r.u16le('FHCRC');
  return {
    method, flags, mtime, xfl, os, textHint: (flags & FTEXT) !== 0, headerSize: r.pos,
    ...(name !== undefined ? { name } : {}), ...(comment !== undefined ? { comment } : {}),
  };
}

/** ISIZE: uncompressed size modulo 2^32, little-endian in the last 4 bytes of the file. */
export function gzipIsize(tail4: Uint8Array): number {
  if (tail4.length < 4) {
    throw new ImageFormatError('IMAGE_TRUNCATED', `gzip trailer needs 4 bytes, got ${tail4.length}`, { size: tail4.length });
  }
  return viewOf(tail4).getUint32(tail4.length - 4, true);
}

// Deflate expands at most ~1032:1. Inflating a growing prefix of the input (instead
// of all of it) keeps a 64 KiB head of zeros from producing 64 MiB; the output
// guard catches the pathological rest.
const FIRST_PREFIX = 256;
const OUTPUT_GUARD = 16 * 1024 * 1024;

function inflatePrefix(head: Uint8Array, n: number): Buffer | 'too-large' {
  try {
    // Z_SYNC_FLUSH as the final flush: a cut stream yields what it has instead of
    // "unexpected end of file".
    return zlib.gunzipSync(head.subarray(0, n), { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: OUTPUT_GUARD });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_BUFFER_TOO_LARGE') return 'too-large';
    throw new ImageFormatError('IMAGE_UNSUPPORTED', `corrupt gzip data: ${err.message}`, { zlibCode: err.code });
  }
}

/**
 * The first `max` bytes (or fewer, if the input ends first) of what `head` — the
 * start of a gzip file — decompresses to. Throws IMAGE_UNSUPPORTED on corrupt data.
 */
export function peekGunzip(head: Uint8Array, max: number): Uint8Array {
  if (!probeGzip(head)) parseGzipHeader(head, 'gzip data'); // throws the precise error
  let good = 0; // largest prefix known to inflate below the guard
  let n = Math.min(head.length, FIRST_PREFIX);
  for (;;) {
    const out = inflatePrefix(head, n);
    if (out === 'too-large') {
      // Pathological ratio: bisect towards a prefix that inflates below the guard.
      const next = Math.floor((good + n) / 2);
      if (next <= good) throw new ImageFormatError('IMAGE_UNSUPPORTED', 'gzip data expands beyond 16 MiB within a few bytes', {});
      n = next;
      continue;
    }
    if (out.length >= max || n >= head.length) return new Uint8Array(out.subarray(0, Math.min(max, out.length)));
    good = n;
    n = Math.min(head.length, n * 2);
  }
}

export interface GzipInfo {
  header: GzipHeader;
  /** ISIZE from the trailer when the bytes given end with it (whole file); else undefined. */
  isize?: number;
}

export function describeGzip(info: GzipInfo): string[] {
  const lines = [`Compression:  gzip (deflate), header ${info.header.headerSize} bytes`];
  if (info.header.name !== undefined) lines.push(`Original:     ${info.header.name}`);
  if (info.isize !== undefined) lines.push(`Uncompressed: ${info.isize} bytes (ISIZE)`);
  return lines;
}

export const gzip: ImageFormat<GzipInfo> = {
  id: 'gzip',
  name: 'gzip compressed data',
  probeBytes: 2,
  probe: probeGzip,
  parse: (bytes, what) => ({ header: parseGzipHeader(bytes, what) }),
  describe: describeGzip,
};
