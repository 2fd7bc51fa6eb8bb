// One ordered list of the formats we recognise. Order: shortest signature first,
// ties keep insertion order (file-type's rule), so a cheap magic check decides
// before a longer header is looked at.
import { InternalError } from '../errors.js';
import { arm64Image } from './arm64-image.js';
import { cpio } from './cpio.js';
import { dtb } from './dtb.js';
import type { ImageFormat, ImageFormatId } from './format.js';
import { gzip } from './gzip.js';
import { COMPRESSION_MAGIC, uimage } from './uimage.js';
import { zimage } from './zimage.js';

const byProbeBytes = <T extends { probeBytes: number }>(list: readonly T[]): T[] =>
  list.map((f, i) => ({ f, i })).sort((a, b) => a.f.probeBytes - b.f.probeBytes || a.i - b.i).map(({ f }) => f);

export const FORMATS: readonly ImageFormat<unknown>[] = byProbeBytes<ImageFormat<unknown>>([
  gzip as ImageFormat<unknown>,
  uimage as ImageFormat<unknown>,
  dtb as ImageFormat<unknown>,
  cpio as ImageFormat<unknown>,
  zimage as ImageFormat<unknown>,
  arm64Image as ImageFormat<unknown>,
]);

/** The first format whose magic matches, or 'unknown'. Never throws. */
export function detectFormat(head: Uint8Array): ImageFormatId {
  for (const f of FORMATS) if (f.probe(head)) return f.id;
  return 'unknown';
}

export function formatById(id: Exclude<ImageFormatId, 'unknown'>): ImageFormat<unknown> {
  const f = FORMATS.find((x) => x.id === id);
  if (!f) throw new InternalError(`no image format "${id}"`, { id }); // unreachable: ids are a closed union
  return f;
}

export type CompressionId = 'gzip' | 'bzip2' | 'lzma' | 'lzo' | 'lz4' | 'zstd';

/** zstd frame magic 28 b5 2f fd (RFC 8878 §3.1.1); booti only compares the first two. */
export const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd] as const;

/**
 * Compression by leading magic, as U-Boot booti's check (uimage.ts COMPRESSION_MAGIC),
 * except zstd, which needs its full 4-byte frame magic here to avoid false hits.
 */
export function detectCompression(head: Uint8Array): CompressionId | undefined {
  if (ZSTD_MAGIC.every((b, i) => head[i] === b)) return 'zstd';
  for (const c of COMPRESSION_MAGIC) {
    if (c.name === 'zstd') continue;
    if (c.magic.every((b, i) => head[i] === b)) return c.name as CompressionId;
  }
  return undefined;
}
