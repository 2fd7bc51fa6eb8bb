// Size a boot file from its header, reading only the first 64 KiB and the last
// 4 bytes (gzip ISIZE): kernels and ramdisks are never read whole. Footprint rules
// follow ImageBuilder uboot-script-gen add_size_from_file()/get_image_size():
// ML4 (arm64 image_size), ML7 (zImage end − start); everything else its file size.
import * as fs from 'node:fs';
import { InputFileProblem, openInputFile, readInputFile, readRangeFd } from '../util/file.js';
import { FdtError, ImageFormatError } from '../errors.js';
import { checkDtbForReading } from '../fdt/check.js';
import { boundBy } from '../util/bytes.js';
import { type Arm64ImageInfo, parseArm64Image } from './arm64-image.js';
import { type CpioVariant, cpioVariant, parseCpioEntry } from './cpio.js';
import { type DtbHeader, parseDtbHeader } from './dtb.js';
import type { ImageFormatId } from './format.js';
import { gzipIsize, parseGzipHeader, peekGunzip } from './gzip.js';
import { type CompressionId, detectCompression, detectFormat } from './registry.js';
import { type UImageHeader, UIMAGE_HEADER_SIZE, uimage } from './uimage.js';
import { type ZImageInfo, parseZImage } from './zimage.js';

// Every supported header fits in far less (uImage 64 B + payload head, arm64 Image 64 B, zImage
// 0x34 B, FDT 40 B, cpio 110 B, a gzip peek needs a few hundred compressed bytes): 8 KiB reads
// fast and leaves room for long gzip file names and cpio names.
/** Bytes read from the start of every file. */
export const HEAD_BYTES = 8 * 1024;
/** Decompressed bytes looked at to tell what a gzip file contains. */
export const PEEK_BYTES = 4096;

export interface ImageInfo {
  path: string;
  /** What the file is for, e.g. the config key `DOMU_KERNEL[0]`. */
  what: string;
  format: ImageFormatId;
  fileSize: number;
  /** Bytes loaded over the wire / from storage: the file size. */
  transferSize: number;
  /** Bytes the file occupies once booted (reg size, RAM plan). */
  footprint: number;
  /** gzip: format of the decompressed start; uimage: format of the payload (part 0 for multi/script). */
  inner?: ImageFormatId;
  /** Compressed container not parsed further ('zstd', 'bzip2', ...), or 'gzip'. */
  compression?: CompressionId;
  /** Set for files that are plain text (boot.source, policies). */
  text?: 'ascii' | 'utf8';
  arm64?: Arm64ImageInfo;
  zimage?: ZImageInfo;
  uimage?: UImageHeader & { parts?: number[] };
  gzip?: { isize: number; name?: string; innerCpio?: CpioVariant };
  dtb?: DtbHeader;
  cpio?: { variant: CpioVariant; firstName: string };
}

/** The file operations sizeImage() needs; tests pass a counting wrapper. */
export interface ImageFileIo {
  open(path: string): number;
  size(fd: number): number;
  read(fd: number, position: number, length: number): Uint8Array;
  close(fd: number): void;
}

/** Largest file sizeImage() looks at: 4 GiB − 1, the most a U-Boot load (32-bit filesize on arm32) or a uImage's ih_size can describe. */
export const MAX_IMAGE_FILE_BYTES = 0xffff_ffff;
/** Xen refuses a host device tree over 2 MiB (MAX_FDT_SIZE); no DTB role accepts more. */
export const MAX_DTB_BYTES = 2 * 1024 * 1024;

export const nodeFileIo: ImageFileIo = {
  open: (path) => openInputFile(path, MAX_IMAGE_FILE_BYTES).fd,
  size: (fd) => fs.fstatSync(fd).size,
  read: (fd, position, length) => readRangeFd(fd, position, length),
  close: (fd) => fs.closeSync(fd),
};

function openError(path: string, what: string, e: unknown): ImageFormatError {
  if (e instanceof InputFileProblem) {
    const p = e.problem;
    if (p.kind === 'not-regular') {
      return new ImageFormatError('IMAGE_NOT_REGULAR_FILE', `${what} = "${path}" is ${p.type}, not a regular file`, { path, type: p.type },
        { file: path, key: what }, `name a regular file (a copy of the image); uboot-gen never reads devices, FIFOs or directories`);
    }
    if (p.kind === 'too-large') {
      return new ImageFormatError('IMAGE_TOO_LARGE', `${what} = "${path}" is ${p.size} bytes, more than the ${p.max} bytes a boot file can have`,
        { path, size: p.size, max: p.max }, { file: path, key: what }, 'check the path: no kernel, ramdisk or device tree is this large');
    }
    if (p.kind === 'missing') return new ImageFormatError('IMAGE_NOT_FOUND', `${what} = "${path}" does not exist`, { path, errno: 'ENOENT' }, { file: path, key: what });
  }
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'does not exist'
    : code === 'EISDIR' ? 'is a directory, not a file'
    : code === 'EACCES' ? 'cannot be read (permission denied)'
    : `cannot be read (${(e as Error).message})`;
  return new ImageFormatError('IMAGE_NOT_FOUND', `${what} = "${path}" ${why}`, { path, errno: code }, { file: path, key: what });
}

const isPrintableAscii = (b: number): boolean => (b >= 0x20 && b <= 0x7e) || (b >= 0x07 && b <= 0x0d) || b === 0x1b;

/** 'ascii' / 'utf8' when the bytes look like text (as file(1) decides), else undefined. */
export function textKind(head: Uint8Array): 'ascii' | 'utf8' | undefined {
  if (head.length === 0) return undefined;
  if (head.every(isPrintableAscii)) return 'ascii';
  if (head.some((b) => b < 0x80 && !isPrintableAscii(b))) return undefined;
  // A head slice may end inside a multi-byte sequence: ignore an incomplete tail.
  let end = head.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const b = head[end - back] ?? 0;
    if (b >= 0xc0) { end -= back; break; }
    if (b < 0x80) break;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, end));
    return 'utf8';
  } catch {
    return undefined;
  }
}

/**
 * Identify and size one file. Reads at most HEAD_BYTES from the start and the
 * last 4 bytes. Throws ImageFormatError: IMAGE_NOT_FOUND, or the parse error of
 * the detected format (IMAGE_TRUNCATED, IMAGE_BAD_CRC, ...).
 */
export function sizeImage(path: string, what: string, io: ImageFileIo = nodeFileIo): ImageInfo {
  let fd: number;
  try {
    fd = io.open(path);
  } catch (e) {
    throw openError(path, what, e);
  }
  try {
    let fileSize: number;
    let head: Uint8Array;
    let tail: Uint8Array;
    try {
      fileSize = io.size(fd);
      head = io.read(fd, 0, Math.min(HEAD_BYTES, fileSize));
      tail = fileSize <= head.length ? head.subarray(Math.max(0, head.length - 4)) : io.read(fd, fileSize - 4, 4);
    } catch (e) {
      throw openError(path, what, e);
    }
    const info = identify(path, what, fileSize, head, tail);
    if (info.format === 'dtb' && fileSize <= MAX_DTB_BYTES) {
      // A blob is small: check all of it now, so no later reader meets a corrupt structure.
      const whole = fileSize <= head.length ? head : io.read(fd, 0, fileSize);
      checkDtbWhole(whole.subarray(0, info.dtb?.totalsize ?? whole.length), path, what);
    }
    return info;
  } finally {
    io.close(fd);
  }
}

/** A boot script image (`simulate SCRIPT`): generated ones are a few KiB; 4 MiB leaves room for multi-part scripts. */
export const MAX_SCRIPT_IMAGE_BYTES = 4 * 1024 * 1024;

/**
 * The whole of a small input named on the command line (a script image, a board DTB), after the
 * same type and size checks as every other input. Throws ImageFormatError naming `what`.
 */
export function readWholeInput(path: string, what: string, maxBytes: number): Uint8Array {
  try {
    return new Uint8Array(readInputFile(path, maxBytes));
  } catch (e) {
    throw openError(path, what, e);
  }
}

/** A board DTB read whole and checked (structure, nesting, cells, memory numbers) before a reader walks it. */
export function readBoardDtb(path: string, what: string): Uint8Array {
  const bytes = readWholeInput(path, what, MAX_DTB_BYTES);
  checkDtbWhole(bytes, path, what);
  return bytes;
}

function checkDtbWhole(blob: Uint8Array, path: string, what: string): void {
  // libfdt reads 32-bit fields in place; a copy gives the blob its own 8-byte aligned buffer.
  try {
    checkDtbForReading(blob.byteOffset % 8 === 0 ? blob : blob.slice(), `${what} ("${path}")`);
  } catch (e) {
    if (!(e instanceof FdtError)) throw e;
    throw new ImageFormatError(e.code, e.message, e.data, { file: path, key: what }, e.hint);
  }
}

function identify(path: string, what: string, fileSize: number, head: Uint8Array, tail: Uint8Array): ImageInfo {
  const label = what === path ? path : `${what} ("${path}")`;
  const format = detectFormat(head);
  const base: ImageInfo = { path, what, format, fileSize, transferSize: fileSize, footprint: fileSize };
  switch (format) {
    case 'arm64-image': {
      const arm64 = parseArm64Image(head, label);
      // ImageBuilder reads image_size as is: a pre-3.17 kernel's 0 leaves the file
      // size (U-Boot would assume 16 MiB; arm64.sizeWasGuessed tells the planner).
      const headerSize = arm64.sizeWasGuessed ? 0 : arm64.imageSize;
      return { ...base, arm64, footprint: Math.max(fileSize, headerSize) };
    }
    case 'zimage': {
      const z = parseZImage(head, label);
      return { ...base, zimage: z, footprint: Math.max(fileSize, z.size) };
    }
    case 'uimage': {
      const info = uimage.parse(head, label);
      boundBy(info.header.size, fileSize - UIMAGE_HEADER_SIZE, 'ih_size', label);
      const inner = detectFormat(info.payloadHead);
      return {
        ...base,
        uimage: { ...info.header, ...(info.parts ? { parts: info.parts } : {}) },
        ...(inner !== 'unknown' ? { inner } : {}),
      };
    }
    case 'gzip': {
      const header = parseGzipHeader(head, label);
      const isize = gzipIsize(tail);
      const peek = peekGunzip(head, PEEK_BYTES);
      const inner = detectFormat(peek);
      const innerCpio = inner === 'cpio' ? cpioVariant(peek) : undefined;
      return {
        ...base, compression: 'gzip',
        gzip: { isize, ...(header.name !== undefined ? { name: header.name } : {}), ...(innerCpio ? { innerCpio } : {}) },
        ...(inner !== 'unknown' ? { inner } : {}),
      };
    }
    case 'cpio': {
      const first = parseCpioEntry(head, label);
      return { ...base, cpio: { variant: first.variant, firstName: first.name } };
    }
    case 'dtb': {
      const h = parseDtbHeader(head, label);
      boundBy(h.totalsize, fileSize, 'totalsize', label);
      return { ...base, dtb: h };
    }
    case 'unknown': {
      const text = textKind(head);
      if (text) return { ...base, text };
      const compression = detectCompression(head);
      return compression ? { ...base, compression } : base;
    }
  }
}
