// Find the build .config a Xen binary carries inside itself.
// xen/common/Makefile compresses .config with `gzip -n` into common/config.gz, and
// tools/binfile links it into .rodata as `xen_config_data` (CONFIG_HYPFS_CONFIG, default y
// since 4.14). It is therefore a plain gzip member somewhere in the image: at 0x75F80 in
// Debian's xen-4.17-arm64 (976 bytes → 2557), at 0x75EC0 in Debian's xen-4.20-arm64
// (1139 → 3041). The same bytes sit 64 bytes further in a `mkimage` uImage (xen.ub), and
// inside the deflate stream of a gzip'd Xen, which has to be inflated first.
// The Xen image also names its major.minor in the guest device tree's hypervisor node
// compatible ("xen,xen-4.17"), which survives builds without HYPFS_CONFIG.
import * as zlib from 'node:zlib';
import { ImageFormatError } from '../errors.js';
import { IH_COMP_GZIP, IH_COMP_NONE, IH_MAGIC, UIMAGE_HEADER_SIZE, parseUImageHeader } from '../images/uimage.js';
import { parseGzipHeader, probeGzip } from '../images/gzip.js';
import { hex } from '../util/hex.js';
import { KCONFIG_BANNER, looksLikeXenKconfig, MAX_KCONFIG_BYTES } from './kconfig.js';

/** A Xen image is 1–3 MiB (Debian arm64: 0.94 MiB 4.17, 0.97 MiB 4.20); anything past this is refused, never read. */
export const MAX_XEN_IMAGE_BYTES = 64 * 1024 * 1024;
/** Input bytes inflated to test a candidate member: enough for the banner and header lines. */
const PROBE_INPUT = 512;
/** Compressed size a .config can have (gzip makes it a third); the rest of the image is not fed to zlib. */
const MAX_MEMBER_INPUT = MAX_KCONFIG_BYTES;

export type XenContainer = 'xen-image' | 'uimage' | 'gzip' | 'uimage+gzip';

export interface EmbeddedConfig {
  /** Offset of the gzip member inside the (decompressed) Xen image. */
  readonly offset: number;
  /** Offset of the Xen image inside the file (64 for a uImage, 0 otherwise; gzip: inside the inflated bytes). */
  readonly imageOffset: number;
  readonly container: XenContainer;
  /** Deflate bytes consumed, header and trailer excluded. */
  readonly compressedSize: number;
  readonly text: string;
}

export interface XenImageScan {
  readonly container: XenContainer;
  readonly config?: EmbeddedConfig;
  /** "4.17" from the "xen,xen-4.17" hypervisor compatible, when present. */
  readonly compatibleVersion?: string;
  /**
   * The image holds "CONFIG_STATIC_MEMORY must be enabled for parsing xen,static-mem": it is built
   * from a tree with Xen commit e888192d13 (unstable 2026-08; Debian's trixie 4.20.4+63 has it as a
   * backport), so without STATIC_MEMORY it refuses xen,static-mem in its early device-tree scan.
   */
  readonly rejectsStaticMemAtParse: boolean;
}

/** The message of Xen commit e888192d13 (process_domain_node()). */
export const STATIC_MEM_PARSE_CHECK_TEXT = 'CONFIG_STATIC_MEMORY must be enabled for parsing xen,static-mem';

function inflateRawBounded(input: Uint8Array, maxOut: number): Buffer | undefined {
  try {
    // Z_SYNC_FLUSH: a cut-off probe yields what it decoded instead of throwing.
    return zlib.inflateRawSync(input, { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: maxOut });
  } catch {
    return undefined;
  }
}

/** One candidate member at `off`: its header parsed, its start inflated, the banner checked. */
function tryMember(image: Uint8Array, off: number): { text: string; compressedSize: number } | undefined {
  let headerSize: number;
  try {
    headerSize = parseGzipHeader(image.subarray(off, off + 64 * 1024), 'embedded gzip member').headerSize;
  } catch {
    return undefined;
  }
  const start = off + headerSize;
  const probe = inflateRawBounded(image.subarray(start, start + PROBE_INPUT), 4096);
  if (!probe || !probe.subarray(0, KCONFIG_BANNER.length).equals(Buffer.from(KCONFIG_BANNER))) return undefined;
  // The whole member: zlib stops at the end of the deflate stream and reports what it consumed.
  let inflater: { buffer: Buffer; engine: { bytesWritten: number } };
  try {
    inflater = zlib.inflateRawSync(image.subarray(start, start + MAX_MEMBER_INPUT), {
      finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: MAX_KCONFIG_BYTES, info: true,
    }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
  } catch {
    return undefined; // corrupt past the banner, or larger than any .config: not the member
  }
  const text = inflater.buffer.toString('latin1');
  if (!looksLikeXenKconfig(text)) return undefined;
  return { text, compressedSize: inflater.engine.bytesWritten };
}

/** Scan a Xen image (arm64 Image / EFI binary: the same file on arm64) for its embedded .config. */
export function findConfigMember(image: Uint8Array): { offset: number; text: string; compressedSize: number } | undefined {
  for (let off = image.indexOf(0x1f); off >= 0 && off + 18 <= image.length; off = image.indexOf(0x1f, off + 1)) {
    if (image[off + 1] !== 0x8b || image[off + 2] !== 8) continue;
    const m = tryMember(image, off);
    if (m) return { offset: off, ...m };
  }
  return undefined;
}

const COMPAT = Buffer.from('xen,xen-4.');

/** "4.NN" from the hypervisor node compatible string Xen writes into guest device trees. */
export function findCompatibleVersion(image: Uint8Array): string | undefined {
  const buf = Buffer.from(image.buffer, image.byteOffset, image.byteLength);
  for (let at = buf.indexOf(COMPAT); at >= 0; at = buf.indexOf(COMPAT, at + 1)) {
    const m = /^4\.(\d{1,2})\0/.exec(buf.subarray(at + 8, at + 8 + 5).toString('latin1'));
    if (m) return `4.${m[1]}`;
  }
  return undefined;
}

function inflateWhole(data: Uint8Array, what: string): Uint8Array {
  try {
    return zlib.gunzipSync(data, { maxOutputLength: MAX_XEN_IMAGE_BYTES });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ERR_BUFFER_TOO_LARGE' ? `it inflates beyond ${MAX_XEN_IMAGE_BYTES / 1024 / 1024} MiB` : err.message;
    throw new ImageFormatError('IMAGE_UNSUPPORTED', `${what}: the gzip'd Xen cannot be inflated: ${why}`, { zlibCode: err.code }, { file: what });
  }
}

/**
 * Look inside the bytes of a Xen file: an arm64 Image (= EFI binary), a legacy uImage
 * (`xen.ub`, payload none or gzip) or a gzip'd Image. `what` names it in errors.
 */
export function scanXenImage(bytes: Uint8Array, what: string): XenImageScan {
  if (bytes.length > MAX_XEN_IMAGE_BYTES) {
    throw new ImageFormatError('IMAGE_WRONG_TYPE', `${what} is ${bytes.length} bytes; a Xen image is a few MiB, so this is not one`,
      { size: bytes.length }, { file: what });
  }
  let container: XenContainer = 'xen-image';
  let image = bytes;
  let imageOffset = 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length >= UIMAGE_HEADER_SIZE && view.getUint32(0, false) === IH_MAGIC) {
    const h = parseUImageHeader(bytes.subarray(0, UIMAGE_HEADER_SIZE), what);
    const payload = bytes.subarray(UIMAGE_HEADER_SIZE, UIMAGE_HEADER_SIZE + h.size);
    if (h.comp === IH_COMP_GZIP) { container = 'uimage+gzip'; image = inflateWhole(payload, what); }
    else if (h.comp === IH_COMP_NONE) { container = 'uimage'; image = payload; imageOffset = UIMAGE_HEADER_SIZE; }
    else throw new ImageFormatError('IMAGE_UNSUPPORTED', `${what}: uImage compression ${h.comp} is not none or gzip, so the Xen inside cannot be read`, { comp: h.comp }, { file: what, offset: 31 });
  } else if (probeGzip(bytes)) {
    container = 'gzip';
    image = inflateWhole(bytes, what);
  }
  const member = findConfigMember(image);
  const compatibleVersion = findCompatibleVersion(image);
  return {
    container,
    ...(member ? { config: { offset: member.offset, imageOffset, container, compressedSize: member.compressedSize, text: member.text } } : {}),
    ...(compatibleVersion ? { compatibleVersion } : {}),
    rejectsStaticMemAtParse: Buffer.from(image.buffer, image.byteOffset, image.byteLength).includes(STATIC_MEM_PARSE_CHECK_TEXT, 0, 'latin1'),
  };
}

/** "config at 0x75f80 (976 → 2557 bytes)" for reports. */
export function describeEmbedded(c: EmbeddedConfig): string {
  return `.config embedded at ${hex(c.imageOffset + c.offset)}${c.container === 'xen-image' || c.container === 'uimage' ? '' : ' of the inflated image'} (${c.compressedSize} → ${c.text.length} bytes)`;
}
