// arm32 Linux zImage header: magic 0x016f2818 at 0x24, load start/end at 0x28/0x2c,
// endianness marker at 0x30 (Linux arch/arm/boot/compressed/head.S). U-Boot
// arch/arm/lib/zimage.c bootz_setup() and Xen xen/arch/arm/kernel.c
// kernel_zimage32_probe() read the same three words. Xen's arm32 binary carries this header.
import { ImageFormatError } from '../errors.js';
import { ByteReader } from '../util/bytes.js';
import { hex, hexPad } from '../util/hex.js';
import type { ImageFormat } from './format.js';
import { viewOf } from './format.js';

export const ZIMAGE_MAGIC = 0x016f2818;
export const ZIMAGE_MAGIC_OFFSET = 0x24;
/** Bytes up to and including the endianness word. */
export const ZIMAGE_HEADER_SIZE = 0x34;
/** 0x30: 0x04030201 read little-endian = little-endian kernel. */
const ZIMAGE_ENDIAN_LE = 0x04030201;
const ZIMAGE_ENDIAN_BE = 0x01020304;

export interface ZImageInfo {
  /** Load address the image was linked for (0 = position independent). */
  start: number;
  /** End address including the appended data the decompressor needs. */
  end: number;
  /** end − start: the bytes bootz reserves and ImageBuilder sizes with (ML7). */
  size: number;
  /** From the 0x30 marker; undefined on very old kernels without it. */
  endianness: 'little' | 'big' | undefined;
}

export function probeZImage(head: Uint8Array): boolean {
  return head.length >= ZIMAGE_MAGIC_OFFSET + 12 && viewOf(head).getUint32(ZIMAGE_MAGIC_OFFSET, true) === ZIMAGE_MAGIC;
}

export function parseZImage(head: Uint8Array, what: string): ZImageInfo {
  const r = new ByteReader(head, what);
  r.seek(ZIMAGE_MAGIC_OFFSET);
  const magic = r.u32le('zimage magic');
  if (magic !== ZIMAGE_MAGIC) {
    throw new ImageFormatError('IMAGE_BAD_MAGIC',
      `${what}: not an arm32 zImage (magic at 0x24 is 0x${hexPad(magic, 8)}, expected 0x${hexPad(ZIMAGE_MAGIC, 8)})`,
      { magic }, { file: what, offset: ZIMAGE_MAGIC_OFFSET });
  }
  const start = r.u32le('zimage start');
  const end = r.u32le('zimage end');
  if (end < start) {
    throw new ImageFormatError('IMAGE_UNSUPPORTED',
      `${what}: zImage end ${hex(end)} lies before its start ${hex(start)}`, { start, end }, { file: what, offset: 0x28 });
  }
  let endianness: ZImageInfo['endianness'];
  if (head.length >= ZIMAGE_HEADER_SIZE) {
    const marker = r.u32le('zimage endianness');
    endianness = marker === ZIMAGE_ENDIAN_LE ? 'little' : marker === ZIMAGE_ENDIAN_BE ? 'big' : undefined;
  }
  return { start, end, size: end - start, endianness };
}

export function describeZImage(info: ZImageInfo): string[] {
  return [
    `Load Range:   ${hex(info.start)} - ${hex(info.end)} (${hex(info.size)} bytes)`,
    `Endianness:   ${info.endianness ?? 'not recorded'}`,
  ];
}

export const zimage: ImageFormat<ZImageInfo> = {
  id: 'zimage',
  name: 'Linux arm32 zImage',
  probeBytes: ZIMAGE_MAGIC_OFFSET + 12,
  probe: probeZImage,
  parse: parseZImage,
  describe: describeZImage,
};
