// Flattened device tree header (40 bytes, big-endian): devicetree-specification
// §5.2 and dtc libfdt/fdt.h struct fdt_header; sanity rules like libfdt
// fdt_ro_probe_()/fdt_check_header(). Self-contained on purpose: the full FDT code
// lives in src/fdt, this is only what sizing and type checks need.
import { ImageFormatError } from '../errors.js';
import { ByteReader } from '../util/bytes.js';
import { hex, hexPad } from '../util/hex.js';
import type { ImageFormat } from './format.js';
import { viewOf } from './format.js';

export const FDT_MAGIC = 0xd00dfeed;
/** Header size of version 17 blobs (size_dt_struct is the last field). */
export const FDT_V17_HEADER_SIZE = 40;
/** libfdt: FDT_FIRST_SUPPORTED_VERSION / FDT_LAST_SUPPORTED_VERSION. */
export const FDT_FIRST_SUPPORTED_VERSION = 0x02;
export const FDT_LAST_SUPPORTED_VERSION = 0x11;

export interface DtbHeader {
  totalsize: number;
  offDtStruct: number;
  offDtStrings: number;
  offMemRsvmap: number;
  version: number;
  lastCompVersion: number;
  bootCpuidPhys: number;
  /** Version ≥ 3 only. */
  sizeDtStrings?: number;
  /** Version ≥ 17 only. */
  sizeDtStruct?: number;
}

export function probeDtb(head: Uint8Array): boolean {
  return head.length >= 4 && viewOf(head).getUint32(0, false) === FDT_MAGIC;
}

function outside(what: string, field: string, value: number, limit: number): ImageFormatError {
  return new ImageFormatError('IMAGE_TRUNCATED',
    `${what}: device tree ${field} ${hex(value)} lies beyond totalsize ${hex(limit)}`, { field, value, totalsize: limit }, { file: what });
}

/** Header fields with libfdt's consistency checks (block offsets inside totalsize). */
export function parseDtbHeader(bytes: Uint8Array, what: string): DtbHeader {
  const r = new ByteReader(bytes, what);
  const magic = r.u32be('magic');
  if (magic !== FDT_MAGIC) {
    throw new ImageFormatError('IMAGE_BAD_MAGIC', `${what}: not a device tree blob (magic 0x${hexPad(magic, 8)}, expected 0xd00dfeed)`,
      { magic }, { file: what, offset: 0 });
  }
  const totalsize = r.u32be('totalsize');
  const offDtStruct = r.u32be('off_dt_struct');
  const offDtStrings = r.u32be('off_dt_strings');
  const offMemRsvmap = r.u32be('off_mem_rsvmap');
  const version = r.u32be('version');
  const lastCompVersion = r.u32be('last_comp_version');
  if (version < FDT_FIRST_SUPPORTED_VERSION || lastCompVersion > FDT_LAST_SUPPORTED_VERSION) {
    throw new ImageFormatError('IMAGE_UNSUPPORTED',
      `${what}: device tree version ${version} (last compatible ${lastCompVersion}) is not supported (libfdt reads 2..17)`,
      { version, lastCompVersion }, { file: what, offset: 0x14 });
  }
  const bootCpuidPhys = r.u32be('boot_cpuid_phys');
  const h: DtbHeader = { totalsize, offDtStruct, offDtStrings, offMemRsvmap, version, lastCompVersion, bootCpuidPhys };
  if (version >= 3) h.sizeDtStrings = r.u32be('size_dt_strings');
  if (version >= 17) h.sizeDtStruct = r.u32be('size_dt_struct');
  const headerSize = r.pos;
  if (totalsize < headerSize) throw outside(what, 'header', headerSize, totalsize);
  if (offMemRsvmap < headerSize || offMemRsvmap > totalsize) throw outside(what, 'off_mem_rsvmap', offMemRsvmap, totalsize);
  if (offDtStruct < headerSize || offDtStruct > totalsize) throw outside(what, 'off_dt_struct', offDtStruct, totalsize);
  if (offDtStrings < headerSize || offDtStrings > totalsize) throw outside(what, 'off_dt_strings', offDtStrings, totalsize);
  if (h.sizeDtStruct !== undefined && offDtStruct + h.sizeDtStruct > totalsize) throw outside(what, 'struct block end', offDtStruct + h.sizeDtStruct, totalsize);
  if (h.sizeDtStrings !== undefined && offDtStrings + h.sizeDtStrings > totalsize) throw outside(what, 'strings block end', offDtStrings + h.sizeDtStrings, totalsize);
  return h;
}

export function describeDtb(h: DtbHeader): string[] {
  return [
    `Total Size:   ${h.totalsize} bytes`,
    `Version:      ${h.version} (last compatible ${h.lastCompVersion})`,
    `Blocks:       mem_rsvmap @${hex(h.offMemRsvmap)}, struct @${hex(h.offDtStruct)}, strings @${hex(h.offDtStrings)}`,
  ];
}

export const dtb: ImageFormat<DtbHeader> = {
  id: 'dtb',
  name: 'Device Tree Blob',
  probeBytes: 4,
  probe: probeDtb,
  parse: parseDtbHeader,
  describe: describeDtb,
};
