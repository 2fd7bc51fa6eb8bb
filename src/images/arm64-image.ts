// Linux arm64 "Image" header (64 bytes, little-endian): Linux
// Documentation/arch/arm64/booting.rst and arch/arm64/include/asm/image.h.
// Old-kernel behaviour (image_size == 0) as U-Boot arch/arm/lib/image.c booti_setup();
// Xen's acceptance rule as xen/arch/arm/kernel.c kernel_zimage64_probe().
import { ImageFormatError } from '../errors.js';
import { ByteReader } from '../util/bytes.js';
import { hex, hexPad } from '../util/hex.js';
import type { ImageFormat } from './format.js';
import { viewOf } from './format.js';

/** "ARM\x64" read as a little-endian u32 at offset 56. */
export const LINUX_ARM64_IMAGE_MAGIC = 0x644d5241;
/** Offset of the magic field. */
export const ARM64_IMAGE_MAGIC_OFFSET = 56;
/** code0 of pre-3.12 headers ("b #32"); Xen still accepts it instead of the magic. */
export const ARM64_IMAGE_LEGACY_CODE0 = 0x14000008;
export const ARM64_IMAGE_HEADER_SIZE = 64;

/** booti_setup()'s assumptions for kernels that leave image_size at 0 (before Linux 3.17). */
export const ARM64_GUESSED_IMAGE_SIZE = 16 * 1024 * 1024;
export const ARM64_GUESSED_TEXT_OFFSET = 0x80000;
/** text_offset is an offset from a 2 MiB-aligned base (booting.rst), so it is below 2 MiB. */
export const ARM64_MAX_TEXT_OFFSET = 0x200000 - 1;
/** Larger than any kernel or Xen with its BSS (Linux: tens of MiB); what a 32-bit size can say. */
export const ARM64_MAX_IMAGE_SIZE = 0xffff_ffff;

/** flags bit 0: kernel is big-endian. */
export const ARM64_FLAG_BE = 1;
/** flags bit 3: may be placed anywhere (2 MiB aligned) rather than near the base of RAM. */
export const ARM64_FLAG_PHYS_BASE = 8;

export interface Arm64ImageInfo {
  /** Offset from a 2 MiB-aligned base at which the image must sit. */
  textOffset: number;
  /** Bytes the image occupies once running, including BSS (or the 16 MiB guess). */
  imageSize: number;
  flags: number;
  /** image_size was 0: imageSize/textOffset are U-Boot's guesses, not header values. */
  sizeWasGuessed: boolean;
  /** Offset of the PE/COFF header (EFI stub: kernels and Xen), 0 when absent. */
  peOffset: number;
}

export interface Arm64ImageFlags {
  bigEndian: boolean;
  /** Kernel page size in bytes, or undefined when the field says "unspecified". */
  pageSize: 4096 | 16384 | 65536 | undefined;
  /** Bit 3: U-Boot relocates to ALIGN_UP(load − text_offset, 2 MiB) + text_offset instead of RAM base. */
  placeAnywhere: boolean;
}

export function decodeArm64Flags(flags: number): Arm64ImageFlags {
  // flags are small (bits 0..3 defined); Math instead of bitwise keeps large values honest.
  const bit = (n: number): boolean => Math.floor(flags / 2 ** n) % 2 === 1;
  const pageField = Math.floor(flags / 2) % 4;
  const pageSize = ([undefined, 4096, 16384, 65536] as const)[pageField];
  return { bigEndian: bit(0), pageSize, placeAnywhere: bit(3) };
}

/** U-Boot's (booti) rule: the "ARM\x64" magic at offset 56. Never throws. */
export function probeArm64Image(head: Uint8Array): boolean {
  return head.length >= ARM64_IMAGE_HEADER_SIZE
    && viewOf(head).getUint32(ARM64_IMAGE_MAGIC_OFFSET, true) === LINUX_ARM64_IMAGE_MAGIC;
}

/** Xen's (kernel_zimage64_probe) rule: the magic OR the legacy code0 branch. */
export function probeArm64ImageXen(head: Uint8Array): boolean {
  if (head.length < ARM64_IMAGE_HEADER_SIZE) return false;
  const v = viewOf(head);
  return v.getUint32(0, true) === ARM64_IMAGE_LEGACY_CODE0 || v.getUint32(ARM64_IMAGE_MAGIC_OFFSET, true) === LINUX_ARM64_IMAGE_MAGIC;
}

export function parseArm64Image(head: Uint8Array, what: string): Arm64ImageInfo {
  const r = new ByteReader(head, what);
  r.seek(8);
  const headerTextOffset = r.u64le('text_offset');
  const headerImageSize = r.u64le('image_size');
  const flags = r.u64le('flags');
  r.seek(ARM64_IMAGE_MAGIC_OFFSET);
  const magic = r.u32le('magic');
  if (magic !== LINUX_ARM64_IMAGE_MAGIC) {
    throw new ImageFormatError('IMAGE_BAD_MAGIC',
      `${what}: not a Linux arm64 Image (magic at 0x38 is 0x${hexPad(magic, 8)}, expected 0x${hexPad(LINUX_ARM64_IMAGE_MAGIC, 8)} "ARM\\x64")`,
      { magic }, { file: what, offset: ARM64_IMAGE_MAGIC_OFFSET });
  }
  const peOffset = r.u32le('pe_offset');
  if (headerImageSize !== 0 && headerTextOffset > ARM64_MAX_TEXT_OFFSET) {
    throw new ImageFormatError('IMAGE_OUT_OF_RANGE',
      `${what}: arm64 Image header text_offset ${hex(headerTextOffset)} is not below 2 MiB (0x200000), so it cannot be an offset from a 2 MiB-aligned base`,
      { field: 'text_offset', value: headerTextOffset, max: ARM64_MAX_TEXT_OFFSET }, { file: what, offset: 8 },
      'the header is corrupt or this is not a kernel built for arm64; rebuild it or take the Image from the distribution package');
  }
  if (headerImageSize > ARM64_MAX_IMAGE_SIZE) {
    throw new ImageFormatError('IMAGE_OUT_OF_RANGE',
      `${what}: arm64 Image header image_size ${hex(headerImageSize)} is over 4 GiB, larger than any kernel or Xen with its BSS`,
      { field: 'image_size', value: headerImageSize, max: ARM64_MAX_IMAGE_SIZE }, { file: what, offset: 16 },
      'the header is corrupt; rebuild the image or take it from the distribution package');
  }
  // Kernels before Linux 3.17 (a2c1d73b94ed) leave image_size 0 and text_offset of
  // unknown endianness; booti_setup() then assumes 16 MiB at 0x80000.
  const sizeWasGuessed = headerImageSize === 0;
  return {
    textOffset: sizeWasGuessed ? ARM64_GUESSED_TEXT_OFFSET : headerTextOffset,
    imageSize: sizeWasGuessed ? ARM64_GUESSED_IMAGE_SIZE : headerImageSize,
    flags,
    sizeWasGuessed,
    peOffset,
  };
}

export function describeArm64Image(info: Arm64ImageInfo): string[] {
  const f = decodeArm64Flags(info.flags);
  const flagText = [
    f.bigEndian ? 'big-endian' : 'little-endian',
    f.pageSize ? `${f.pageSize / 1024}K pages` : 'page size unspecified',
    f.placeAnywhere ? 'placed anywhere' : 'placed near the base of RAM',
  ].join(', ');
  return [
    `Text Offset:  ${hex(info.textOffset)}${info.sizeWasGuessed ? ' (assumed, header has no image_size)' : ''}`,
    `Image Size:   ${hex(info.imageSize)}${info.sizeWasGuessed ? ' (assumed 16 MiB, header has no image_size)' : ''}`,
    `Flags:        ${hex(info.flags)} (${flagText})`,
    `PE/COFF:      ${info.peOffset ? `header at ${hex(info.peOffset)} (EFI stub)` : 'none'}`,
  ];
}

export const arm64Image: ImageFormat<Arm64ImageInfo> = {
  id: 'arm64-image',
  name: 'Linux arm64 Image',
  probeBytes: ARM64_IMAGE_HEADER_SIZE,
  probe: probeArm64Image,
  parse: parseArm64Image,
  describe: describeArm64Image,
};
