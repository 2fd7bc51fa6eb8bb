// cpio archive headers, the initramfs format (Linux Documentation/driver-api/
// early-userspace/buffer-format.rst; GNU cpio's newc/crc/odc layouts):
//   newc "070701" / crc "070702": 110-byte header of 8-digit hex fields, name and
//     data each padded to 4 bytes;
//   odc "070707": 76-byte header of octal fields, no padding.
// Linux's initramfs unpacker only accepts newc/crc; odc is recognised so we can say so.
import { ImageFormatError } from '../errors.js';
import { ByteReader, boundBy } from '../util/bytes.js';
import type { ImageFormat } from './format.js';

export type CpioVariant = 'newc' | 'crc' | 'odc';

const MAGICS: Record<string, CpioVariant> = { '070701': 'newc', '070702': 'crc', '070707': 'odc' };
export const CPIO_NEWC_HEADER_SIZE = 110;
export const CPIO_ODC_HEADER_SIZE = 76;
export const CPIO_TRAILER = 'TRAILER!!!';

export interface CpioEntry {
  variant: CpioVariant;
  name: string;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  mtime: number;
  fileSize: number;
  /** Offset of this header in the archive. */
  offset: number;
  /** Offset of the file data. */
  dataOffset: number;
  /** Offset of the next header. */
  nextOffset: number;
}

export function cpioVariant(head: Uint8Array): CpioVariant | undefined {
  if (head.length < 6) return undefined;
  return MAGICS[Buffer.from(head.subarray(0, 6)).toString('latin1')];
}

export const probeCpio = (head: Uint8Array): boolean => cpioVariant(head) !== undefined;

function numberField(r: ByteReader, width: number, radix: 8 | 16, field: string): number {
  const at = r.pos;
  const text = Buffer.from(r.take(width, field)).toString('latin1');
  const digits = radix === 16 ? /^[0-9a-fA-F]+$/ : /^[0-7]+$/;
  if (!digits.test(text)) {
    throw new ImageFormatError('IMAGE_BAD_MAGIC',
      `${r.what}: cpio ${field} "${text}" at offset 0x${at.toString(16)} is not a ${radix === 16 ? 'hex' : 'octal'} number`,
      { field, text }, { file: r.what, offset: at });
  }
  return parseInt(text, radix);
}

const align4 = (n: number): number => Math.ceil(n / 4) * 4;

/** The entry whose header starts at `offset`. Names and sizes are bounded by the bytes present. */
export function parseCpioEntry(bytes: Uint8Array, what: string, offset = 0): CpioEntry {
  const r = new ByteReader(bytes, what).seek(offset);
  const magicText = Buffer.from(r.take(6, 'c_magic')).toString('latin1');
  const variant = MAGICS[magicText];
  if (!variant) {
    throw new ImageFormatError('IMAGE_BAD_MAGIC', `${what}: no cpio header at offset 0x${offset.toString(16)} (magic "${magicText}")`,
      { magic: magicText }, { file: what, offset });
  }
  let e: Omit<CpioEntry, 'name' | 'dataOffset' | 'nextOffset'>;
  let nameSize: number;
  if (variant === 'odc') {
    numberField(r, 6, 8, 'c_dev');
    numberField(r, 6, 8, 'c_ino');
    const mode = numberField(r, 6, 8, 'c_mode');
    const uid = numberField(r, 6, 8, 'c_uid');
    const gid = numberField(r, 6, 8, 'c_gid');
    const nlink = numberField(r, 6, 8, 'c_nlink');
    numberField(r, 6, 8, 'c_rdev');
    const mtime = numberField(r, 11, 8, 'c_mtime');
    nameSize = numberField(r, 6, 8, 'c_namesize');
    const fileSize = numberField(r, 11, 8, 'c_filesize');
    e = { variant, mode, uid, gid, nlink, mtime, fileSize, offset };
  } else {
    numberField(r, 8, 16, 'c_ino');
    const mode = numberField(r, 8, 16, 'c_mode');
    const uid = numberField(r, 8, 16, 'c_uid');
    const gid = numberField(r, 8, 16, 'c_gid');
    const nlink = numberField(r, 8, 16, 'c_nlink');
    const mtime = numberField(r, 8, 16, 'c_mtime');
    const fileSize = numberField(r, 8, 16, 'c_filesize');
    for (const f of ['c_devmajor', 'c_devminor', 'c_rdevmajor', 'c_rdevminor']) numberField(r, 8, 16, f);
    nameSize = numberField(r, 8, 16, 'c_namesize');
    numberField(r, 8, 16, 'c_check');
    e = { variant, mode, uid, gid, nlink, mtime, fileSize, offset };
  }
  if (nameSize === 0) {
    throw new ImageFormatError('IMAGE_BAD_MAGIC', `${what}: cpio entry at offset 0x${offset.toString(16)} has an empty name`,
      {}, { file: what, offset });
  }
  boundBy(nameSize, bytes.length - r.pos, 'c_namesize', what);
  const nameBytes = r.take(nameSize, 'name');
  const name = Buffer.from(nameBytes.subarray(0, nameBytes[nameSize - 1] === 0 ? nameSize - 1 : nameSize)).toString('utf8');
  const dataOffset = variant === 'odc' ? r.pos : align4(r.pos);
  const nextOffset = variant === 'odc' ? dataOffset + e.fileSize : align4(dataOffset + e.fileSize);
  return { ...e, name, dataOffset, nextOffset };
}

export interface CpioWalk {
  entries: CpioEntry[];
  /** TRAILER!!! was reached inside the bytes given. */
  complete: boolean;
}

/**
 * Entries in order until TRAILER!!!, `limit` entries, or the end of the bytes
 * (a head slice ends mid-archive: complete=false, no error).
 */
export function walkCpio(bytes: Uint8Array, what: string, limit = 10_000): CpioWalk {
  const entries: CpioEntry[] = [];
  let offset = 0;
  while (entries.length < limit && offset < bytes.length) {
    let e: CpioEntry;
    try {
      e = parseCpioEntry(bytes, what, offset);
    } catch (err) {
      if (err instanceof ImageFormatError && err.code === 'IMAGE_TRUNCATED' && entries.length > 0) break;
      throw err;
    }
    if (e.name === CPIO_TRAILER) return { entries, complete: true };
    entries.push(e);
    offset = e.nextOffset;
  }
  return { entries, complete: false };
}

export interface CpioInfo { first: CpioEntry }

export const cpio: ImageFormat<CpioInfo> = {
  id: 'cpio',
  name: 'cpio archive',
  probeBytes: 6,
  probe: probeCpio,
  parse: (bytes, what) => ({ first: parseCpioEntry(bytes, what) }),
  describe: (info) => [
    `Archive:      cpio (${info.first.variant}${info.first.variant === 'odc' ? ', not usable as a Linux initramfs' : ''})`,
    `First Entry:  ${info.first.name} (${info.first.fileSize} bytes, mode ${info.first.mode.toString(8)})`,
  ],
};
