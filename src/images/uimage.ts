// Legacy U-Boot image ("uImage"): 64-byte big-endian header + payload.
// Layout and codes from U-Boot include/image.h (struct legacy_img_hdr, IH_* enums);
// CRC rules from boot/image.c image_check_hcrc()/image_check_dcrc(); writer behaviour
// (multi-file length table, padding, name truncation) checked against mkimage 2023.01
// tools/mkimage.c + tools/default_image.c, byte for byte (test/unit/images/uimage.spec.ts).
import { ConfigError, ImageFormatError } from '../errors.js';
import { ByteReader, ByteWriter, boundBy } from '../util/bytes.js';
import { crc32 } from '../util/crc32.js';
import { hexPad } from '../util/hex.js';
import type { ImageFormat } from './format.js';
import { viewOf } from './format.js';

export const IH_MAGIC = 0x27051956;
export const UIMAGE_HEADER_SIZE = 64;
/** ih_name length; a 32-character name is stored without a terminating NUL. */
export const IH_NMLEN = 32;

export const IH_OS_INVALID = 0;
export const IH_OS_LINUX = 5;
export const IH_OS_U_BOOT = 17;

export const IH_ARCH_INVALID = 0;
export const IH_ARCH_ARM = 2;
export const IH_ARCH_PPC = 7;
export const IH_ARCH_ARM64 = 22;

export const IH_TYPE_INVALID = 0;
export const IH_TYPE_STANDALONE = 1;
export const IH_TYPE_KERNEL = 2;
export const IH_TYPE_RAMDISK = 3;
export const IH_TYPE_MULTI = 4;
export const IH_TYPE_FIRMWARE = 5;
export const IH_TYPE_SCRIPT = 6;
export const IH_TYPE_FILESYSTEM = 7;
export const IH_TYPE_FLATDT = 8;
export const IH_TYPE_KERNEL_NOLOAD = 14;

export const IH_COMP_NONE = 0;
export const IH_COMP_GZIP = 1;
export const IH_COMP_BZIP2 = 2;
export const IH_COMP_LZMA = 3;
export const IH_COMP_LZO = 4;
export const IH_COMP_LZ4 = 5;
export const IH_COMP_ZSTD = 6;

/** [code, mkimage short name, long name printed by image_print_contents()]. */
export type UImageNameRow = readonly [id: number, short: string, long: string];

// Rows as U-Boot's boot/image.c tables uimage_os[] / uimage_arch[] / uimage_type[] /
// uimage_comp[]; codes verified by building one image per name with mkimage 2023.01.
export const UIMAGE_OS: readonly UImageNameRow[] = [
  [0, 'invalid', 'Invalid OS'],
  [1, 'openbsd', 'OpenBSD'],
  [2, 'netbsd', 'NetBSD'],
  [3, 'freebsd', 'FreeBSD'],
  [4, '4_4bsd', '4_4BSD'],
  [5, 'linux', 'Linux'],
  [6, 'svr4', 'SVR4'],
  [7, 'esix', 'Esix'],
  [8, 'solaris', 'Solaris'],
  [9, 'irix', 'Irix'],
  [10, 'sco', 'SCO'],
  [11, 'dell', 'Dell'],
  [12, 'ncr', 'NCR'],
  [14, 'vxworks', 'VxWorks'],
  [15, 'psos', 'pSOS'],
  [16, 'qnx', 'QNX'],
  [17, 'u-boot', 'U-Boot'],
  [18, 'rtems', 'RTEMS'],
  [21, 'integrity', 'INTEGRITY'],
  [22, 'ose', 'Enea OSE'],
  [23, 'plan9', 'Plan 9'],
  [24, 'openrtos', 'OpenRTOS'],
  [25, 'arm-trusted-firmware', 'ARM Trusted Firmware'],
  [26, 'tee', 'Trusted Execution Environment'],
  [27, 'opensbi', 'RISC-V OpenSBI'],
  [28, 'efi', 'EFI Firmware'],
];

export const UIMAGE_ARCH: readonly UImageNameRow[] = [
  [0, 'invalid', 'Invalid ARCH'],
  [1, 'alpha', 'Alpha'],
  [2, 'arm', 'ARM'],
  [3, 'x86', 'Intel x86'],
  [4, 'ia64', 'IA64'],
  [5, 'mips', 'MIPS'],
  [6, 'mips64', 'MIPS 64 Bit'],
  [7, 'powerpc', 'PowerPC'],
  [7, 'ppc', 'PowerPC'],
  [8, 's390', 'IBM S390'],
  [9, 'sh', 'SuperH'],
  [10, 'sparc', 'SPARC'],
  [11, 'sparc64', 'SPARC 64 Bit'],
  [12, 'm68k', 'M68K'],
  [14, 'microblaze', 'MicroBlaze'],
  [15, 'nios2', 'NIOS II'],
  [16, 'blackfin', 'Blackfin'],
  [17, 'avr32', 'AVR32'],
  [19, 'sandbox', 'Sandbox'],
  [20, 'nds32', 'NDS32'],
  [21, 'or1k', 'OpenRISC 1000'],
  [22, 'arm64', 'AArch64'],
  [23, 'arc', 'ARC'],
  [24, 'x86_64', 'AMD x86_64'],
  [25, 'xtensa', 'Xtensa'],
  [26, 'riscv', 'RISC-V'],
];

/** Only the types that carry a legacy header (the others are SoC boot-ROM formats). */
export const UIMAGE_TYPE: readonly UImageNameRow[] = [
  [0, 'invalid', 'Invalid Image'],
  [1, 'standalone', 'Standalone Program'],
  [2, 'kernel', 'Kernel Image'],
  [3, 'ramdisk', 'RAMDisk Image'],
  [4, 'multi', 'Multi-File Image'],
  [5, 'firmware', 'Firmware'],
  [6, 'script', 'Script'],
  [7, 'filesystem', 'Filesystem Image'],
  [8, 'flat_dt', 'Flat Device Tree'],
  [14, 'kernel_noload', 'Kernel Image (no loading done)'],
  [32, 'firmware_ivt', 'Firmware with HABv4 IVT'],
];

export const UIMAGE_COMP: readonly UImageNameRow[] = [
  [0, 'none', 'uncompressed'],
  [1, 'gzip', 'gzip compressed'],
  [2, 'bzip2', 'bzip2 compressed'],
  [3, 'lzma', 'lzma compressed'],
  [4, 'lzo', 'lzo compressed'],
  [5, 'lz4', 'lz4 compressed'],
  [6, 'zstd', 'zstd compressed'],
];

/** Leading magic of each compressed payload, as U-Boot's image_comp[] / booti's check. */
export const COMPRESSION_MAGIC: readonly { comp: number; name: string; magic: readonly number[] }[] = [
  { comp: IH_COMP_GZIP, name: 'gzip', magic: [0x1f, 0x8b] },
  { comp: IH_COMP_BZIP2, name: 'bzip2', magic: [0x42, 0x5a] },
  { comp: IH_COMP_LZMA, name: 'lzma', magic: [0x5d, 0x00] },
  { comp: IH_COMP_LZO, name: 'lzo', magic: [0x89, 0x4c] },
  { comp: IH_COMP_LZ4, name: 'lz4', magic: [0x04, 0x22] },
  { comp: IH_COMP_ZSTD, name: 'zstd', magic: [0x28, 0xb5] },
];

// Fallback names of boot/image.c genimg_get_*_name().
const UNKNOWN_NAME = { os: 'Unknown OS', arch: 'Unknown Architecture', type: 'Unknown Image', comp: 'Unknown Compression' } as const;

const rowFor = (table: readonly UImageNameRow[], id: number): UImageNameRow | undefined => table.find((r) => r[0] === id);

export const uimageOsName = (os: number): string => rowFor(UIMAGE_OS, os)?.[2] ?? UNKNOWN_NAME.os;
export const uimageArchName = (arch: number): string => rowFor(UIMAGE_ARCH, arch)?.[2] ?? UNKNOWN_NAME.arch;
export const uimageTypeName = (type: number): string => rowFor(UIMAGE_TYPE, type)?.[2] ?? UNKNOWN_NAME.type;
export const uimageCompName = (comp: number): string => rowFor(UIMAGE_COMP, comp)?.[2] ?? UNKNOWN_NAME.comp;

/** Code for a mkimage short name (`arm64` → 22), or undefined. */
export function uimageCodeFor(table: readonly UImageNameRow[], short: string): number | undefined {
  return table.find((r) => r[1] === short.toLowerCase())?.[0];
}

export interface UImageHeader {
  magic: number;
  hcrc: number;
  time: number;
  /** ih_size: payload bytes after the 64-byte header. */
  size: number;
  load: number;
  ep: number;
  dcrc: number;
  os: number;
  arch: number;
  type: number;
  comp: number;
  name: string;
}

/** Parse the 64-byte header. Checks the magic only; CRCs are separate (U-Boot checks them separately too). */
export function parseUImageHeader(bytes: Uint8Array, what: string): UImageHeader {
  const r = new ByteReader(bytes, what);
  const magic = r.u32be('ih_magic');
  if (magic !== IH_MAGIC) {
    throw new ImageFormatError('IMAGE_BAD_MAGIC',
      `${what}: not a legacy U-Boot image (magic 0x${hexPad(magic, 8)}, expected 0x${hexPad(IH_MAGIC, 8)})`,
      { magic }, { file: what, offset: 0 });
  }
  const hcrc = r.u32be('ih_hcrc');
  const time = r.u32be('ih_time');
  const size = r.u32be('ih_size');
  const load = r.u32be('ih_load');
  const ep = r.u32be('ih_ep');
  const dcrc = r.u32be('ih_dcrc');
  const os = r.u8('ih_os');
  const arch = r.u8('ih_arch');
  const type = r.u8('ih_type');
  const comp = r.u8('ih_comp');
  const name = r.fixedString(IH_NMLEN, 'ih_name');
  return { magic, hcrc, time, size, load, ep, dcrc, os, arch, type, comp, name };
}

/** image_check_hcrc(): CRC-32 of the 64-byte header with ih_hcrc taken as 0. */
export function uimageHeaderCrcOk(headerBytes64: Uint8Array): boolean {
  if (headerBytes64.length < UIMAGE_HEADER_SIZE) return false;
  const stored = viewOf(headerBytes64).getUint32(4, false);
  return uimageHeaderCrc(headerBytes64) === stored;
}

/** The header CRC a correct image carries (ih_hcrc field zeroed for the computation). */
export function uimageHeaderCrc(headerBytes64: Uint8Array): number {
  const copy = headerBytes64.slice(0, UIMAGE_HEADER_SIZE);
  viewOf(copy).setUint32(4, 0, false);
  return crc32(copy);
}

/** image_check_dcrc(): CRC-32 of the ih_size payload bytes. */
export function uimageDataCrc(data: Uint8Array): number {
  return crc32(data);
}

/**
 * What U-Boot checks before using a legacy image (bootm/source/ramdisk paths),
 * in its order: magic, header CRC, length, data CRC. Throws the first failure.
 */
export function verifyUImage(bytes: Uint8Array, what: string, opts: { checkData?: boolean } = {}): UImageHeader {
  const h = parseUImageHeader(bytes, what);
  if (!uimageHeaderCrcOk(bytes)) {
    throw new ImageFormatError('IMAGE_BAD_CRC',
      `${what}: bad header CRC (stored 0x${hexPad(h.hcrc, 8)}, computed 0x${hexPad(uimageHeaderCrc(bytes), 8)})`,
      { field: 'ih_hcrc', stored: h.hcrc, computed: uimageHeaderCrc(bytes) }, { file: what, offset: 4 });
  }
  boundBy(h.size, bytes.length - UIMAGE_HEADER_SIZE, 'ih_size', what);
  if (opts.checkData ?? true) {
    const dcrc = uimageDataCrc(bytes.subarray(UIMAGE_HEADER_SIZE, UIMAGE_HEADER_SIZE + h.size));
    if (dcrc !== h.dcrc) {
      throw new ImageFormatError('IMAGE_BAD_CRC',
        `${what}: bad data CRC (stored 0x${hexPad(h.dcrc, 8)}, computed 0x${hexPad(dcrc, 8)})`,
        { field: 'ih_dcrc', stored: h.dcrc, computed: dcrc }, { file: what, offset: 0x18 });
    }
  }
  return h;
}

export interface UImageWriteHeader {
  os: number;
  arch: number;
  type: number;
  comp: number;
  load: number;
  ep: number;
  name: string;
  /** ih_time (mkimage: SOURCE_DATE_EPOCH, see sourceDateEpoch()). */
  time: number;
}

function checkU32(v: number, field: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new ImageFormatError('IMAGE_UNSUPPORTED', `uImage ${field} ${v} does not fit the 32-bit header field`, { field, value: v });
  }
  return v;
}

function checkU8(v: number, field: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xff) {
    throw new ImageFormatError('IMAGE_UNSUPPORTED', `uImage ${field} ${v} does not fit the 8-bit header field`, { field, value: v });
  }
  return v;
}

/**
 * Header + payload exactly as mkimage writes it (tools/default_image.c
 * image_set_header()): dcrc over the payload, name truncated to 32 bytes and
 * NUL-padded, then hcrc over the header with ih_hcrc = 0.
 */
export function writeUImage(h: UImageWriteHeader, payload: Uint8Array): Uint8Array {
  const name = Buffer.from(h.name, 'utf8').subarray(0, IH_NMLEN);
  const w = new ByteWriter(UIMAGE_HEADER_SIZE + payload.length);
  w.u32be(IH_MAGIC)
    .u32be(0) // ih_hcrc, patched below
    .u32be(checkU32(h.time, 'time'))
    .u32be(checkU32(payload.length, 'size'))
    .u32be(checkU32(h.load, 'load address'))
    .u32be(checkU32(h.ep, 'entry point'))
    .u32be(uimageDataCrc(payload))
    .u8(checkU8(h.os, 'os')).u8(checkU8(h.arch, 'arch')).u8(checkU8(h.type, 'type')).u8(checkU8(h.comp, 'comp'))
    .bytes(name).zeros(IH_NMLEN - name.length)
    .bytes(payload);
  const out = w.finish();
  viewOf(out).setUint32(4, uimageHeaderCrc(out), false);
  return out;
}

/**
 * Payload of a multi-file / script image (mkimage -T multi|script -d a:b:c):
 * BE32 length per file, BE32 0, then the files, each but the last zero-padded
 * to a multiple of 4 (tools/mkimage.c copy_file(..., pad)).
 */
export function buildMultiPayload(files: readonly Uint8Array[]): Uint8Array {
  const w = new ByteWriter();
  for (const f of files) w.u32be(checkU32(f.length, 'file length'));
  w.u32be(0);
  files.forEach((f, i) => {
    w.bytes(f);
    if (i < files.length - 1) w.align(4);
  });
  return w.finish();
}

export interface ScriptImageOptions {
  time: number;
  load?: number;
  ep?: number;
  name?: string;
  arch?: number;
}

/** `mkimage -A arm64 -T script -C none [-a load -e ep] [-n name] -d boot.source boot.scr`. */
export function writeScriptImage(scriptText: string | Uint8Array, opts: ScriptImageOptions): Uint8Array {
  const data = typeof scriptText === 'string' ? Buffer.from(scriptText, 'utf8') : scriptText;
  if (data.length === 0) {
    // mkimage refuses too ("Input file ... is empty, bailing out"): U-Boot's source
    // command would reject the result as "Empty Script".
    throw new ImageFormatError('IMAGE_UNSUPPORTED', 'the boot script is empty; mkimage refuses to wrap an empty file', {});
  }
  return writeUImage({
    os: IH_OS_LINUX, // mkimage's default -O
    arch: opts.arch ?? IH_ARCH_ARM64,
    type: IH_TYPE_SCRIPT,
    comp: IH_COMP_NONE,
    load: opts.load ?? 0,
    ep: opts.ep ?? 0,
    name: opts.name ?? '',
    time: opts.time,
  }, buildMultiPayload([data]));
}

/** Lengths of a multi-file payload up to (not including) the 0 terminator. */
export function parseMultiTable(data: Uint8Array, what = 'multi-file image'): number[] {
  const r = new ByteReader(data, what);
  const lengths: number[] = [];
  // Each entry needs 4 bytes, so the table can't outgrow the payload: the reader's
  // bound check ends the loop with IMAGE_TRUNCATED when no terminator is present.
  for (;;) {
    const len = r.u32be(`length table entry ${lengths.length}`);
    if (len === 0) return lengths;
    lengths.push(len);
  }
}

export interface MultiImagePart { index: number; offset: number; length: number }

/**
 * Offsets of each part inside the payload, as image_multi_getimg(): parts follow
 * the table, each previous one rounded up to 4 bytes. Every part must lie inside
 * the payload.
 */
export function multiImageParts(data: Uint8Array, what = 'multi-file image'): MultiImagePart[] {
  const lengths = parseMultiTable(data, what);
  let offset = (lengths.length + 1) * 4;
  return lengths.map((length, index) => {
    boundBy(length, Math.max(0, data.length - offset), `image ${index} length`, what);
    const part = { index, offset, length };
    offset += Math.ceil(length / 4) * 4;
    return part;
  });
}

// ---------------------------------------------------------------------------
// Printing, as image_print_contents() (boot/image-legacy.c, boot/image.c).

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Host tools print ctime(3) ("Thu Jan  1 00:00:00 1970"); we always use UTC (= TZ=UTC). */
export function formatCtimeUtc(time: number): string {
  const d = new Date(time * 1000);
  return `${WEEKDAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} `
    + `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

/** U-Boot proper prints rtc_to_tm() as "%4d-%02d-%02d  %2d:%02d:%02d UTC". */
export function formatRtcUtc(time: number): string {
  const d = new Date(time * 1000);
  return `${String(d.getUTCFullYear()).padStart(4, ' ')}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}  `
    + `${String(d.getUTCHours()).padStart(2, ' ')}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} UTC`;
}

/** `n / 2^k` printed with %.2f: exact binary value, glibc rounds ties to even. */
function fixed2OfPow2Fraction(n: number, divisor: number): string {
  const scaled = BigInt(n) * 100n;
  const d = BigInt(divisor);
  let q = scaled / d;
  const twiceRem = (scaled % d) * 2n;
  if (twiceRem > d || (twiceRem === d && q % 2n === 1n)) q += 1n;
  const s = q.toString().padStart(3, '0');
  return `${s.slice(0, -2)}.${s.slice(-2)}`;
}

/** Host genimg_print_size(): "3000 Bytes = 2.93 KiB = 0.00 MiB". */
export function formatSizeHost(size: number): string {
  return `${size} Bytes = ${fixed2OfPow2Fraction(size, 1024)} KiB = ${fixed2OfPow2Fraction(size, 1048576)} MiB`;
}

/**
 * U-Boot's print_size() (lib/display_options.c): largest binary unit with a
 * non-zero integer part, one rounded decimal digit, omitted when it is 0.
 */
export function formatSizeUboot(size: number): string {
  const units = ['K', 'M', 'G', 'T', 'P', 'E'];
  let exp = 0;
  for (let i = units.length; i >= 1; i--) {
    if (size >= 2 ** (10 * i)) { exp = i; break; }
  }
  if (exp === 0) return `${size} Bytes`;
  const unit = 2 ** (10 * exp);
  let whole = Math.floor(size / unit);
  const frac = size - whole * unit;
  let tenth = 0;
  if (frac > 0) {
    tenth = Math.floor((10 * frac + unit / 2) / unit);
    if (tenth >= 10) { tenth -= 10; whole += 1; }
  }
  return `${whole}${tenth ? `.${tenth}` : ''} ${units[exp - 1]}iB`;
}

export interface DescribeUImageOptions {
  /** 'mkimage' = host `mkimage -l`/`dumpimage -l` (default); 'uboot' = U-Boot's console (iminfo, bootm, source). */
  style?: 'mkimage' | 'uboot';
  /** Part lengths of a multi/script payload (parseMultiTable()); without them "Contents:" is omitted. */
  parts?: readonly number[];
  /** Address of the image in memory, used for the "Offset =" of script parts after the first. */
  address?: number;
}

/** The summary lines image_print_contents() prints for this header. */
export function describeUImage(h: UImageHeader, opts: DescribeUImageOptions = {}): string[] {
  const uboot = opts.style === 'uboot';
  const p = uboot ? '   ' : '';
  const size = (n: number): string => `${n} Bytes = ${uboot ? formatSizeUboot(n) : formatSizeHost(n).replace(/^\d+ Bytes = /, '')}`;
  const lines = [
    `${p}Image Name:   ${h.name}`,
    `${p}Created:      ${uboot ? formatRtcUtc(h.time) : formatCtimeUtc(h.time)}`,
    `${p}Image Type:   ${uimageArchName(h.arch)} ${uimageOsName(h.os)} ${uimageTypeName(h.type)} (${uimageCompName(h.comp)})`,
    `${p}Data Size:    ${size(h.size)}`,
    `${p}Load Address: ${hexPad(h.load, 8)}`,
    `${p}Entry Point:  ${hexPad(h.ep, 8)}`,
  ];
  if ((h.type === IH_TYPE_MULTI || h.type === IH_TYPE_SCRIPT) && opts.parts) {
    lines.push(`${p}Contents:`);
    const base = (opts.address ?? 0) + UIMAGE_HEADER_SIZE;
    let offset = (opts.parts.length + 1) * 4;
    opts.parts.forEach((len, i) => {
      lines.push(`${p}   Image ${i}: ${size(len)}`);
      // Script parts after the first also show where they start (the host tool
      // prints a host pointer there; we print the address relative to `address`).
      if (h.type === IH_TYPE_SCRIPT && i > 0) lines.push(`${p}    Offset = 0x${hexPad(base + offset, 8)}`);
      offset += Math.ceil(len / 4) * 4;
    });
  }
  return lines;
}

// ---------------------------------------------------------------------------

/**
 * mkimage's ih_time: $SOURCE_DATE_EPOCH when set (tools/imagetool.c
 * imagetool_get_source_date()), else — unlike mkimage, which uses the output
 * file's mtime — 0, so our output is reproducible. We reject what strtol()
 * would silently turn into 0 or wrap, instead of writing a surprising time.
 */
export function sourceDateEpoch(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env['SOURCE_DATE_EPOCH'];
  if (raw === undefined || raw.trim() === '') return 0;
  const v = raw.trim();
  if (!/^\d+$/.test(v) || Number(v) > 0xffffffff) {
    throw new ConfigError('CONFIG_BAD_VALUE',
      `SOURCE_DATE_EPOCH="${raw}" is not a number of seconds between 0 and 4294967295 (a uImage stores a 32-bit time)`,
      { value: raw }, { key: 'SOURCE_DATE_EPOCH' });
  }
  return Number(v);
}

export interface UImageInfo {
  header: UImageHeader;
  /** Header CRC verified (the format parse throws otherwise). */
  headerCrcOk: true;
  /** Multi/script part lengths, when the table is inside the bytes given. */
  parts?: number[];
  /** First bytes of the payload (of part 0 for multi/script), for inner-format detection. */
  payloadHead: Uint8Array;
}

export const uimage: ImageFormat<UImageInfo> = {
  id: 'uimage',
  name: 'Legacy U-Boot image',
  probeBytes: 4,
  probe: (head) => head.length >= 4 && viewOf(head).getUint32(0, false) === IH_MAGIC,
  parse(bytes, what) {
    const header = parseUImageHeader(bytes, what);
    if (!uimageHeaderCrcOk(bytes)) {
      throw new ImageFormatError('IMAGE_BAD_CRC',
        `${what}: bad header CRC (stored 0x${hexPad(header.hcrc, 8)}, computed 0x${hexPad(uimageHeaderCrc(bytes), 8)})`,
        { field: 'ih_hcrc' }, { file: what, offset: 4 });
    }
    const payload = bytes.subarray(UIMAGE_HEADER_SIZE, UIMAGE_HEADER_SIZE + header.size);
    if (header.type === IH_TYPE_MULTI || header.type === IH_TYPE_SCRIPT) {
      try {
        const parts = parseMultiTable(payload, what);
        const start = (parts.length + 1) * 4;
        return { header, headerCrcOk: true, parts, payloadHead: payload.subarray(start) };
      } catch (e) {
        // Table beyond the bytes we were given (a head slice): report without parts.
        if (!(e instanceof ImageFormatError && e.code === 'IMAGE_TRUNCATED')) throw e;
      }
    }
    return { header, headerCrcOk: true, payloadHead: payload };
  },
  describe: (info) => describeUImage(info.header, info.parts ? { parts: info.parts } : {}),
};
