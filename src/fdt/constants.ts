// Models dtc libfdt/fdt.h (tokens, header layout) and libfdt.h (version limits), dtc v1.6.1 / v1.7.x.

/** Big-endian magic at offset 0 of every finished blob. */
export const FDT_MAGIC = 0xd00dfeed;
/** Magic of an unfinished sequential-write blob (fdt_sw.c), never seen by readers of finished blobs. */
export const FDT_SW_MAGIC = ~FDT_MAGIC >>> 0;

export const FDT_BEGIN_NODE = 0x1;
export const FDT_END_NODE = 0x2;
export const FDT_PROP = 0x3;
export const FDT_NOP = 0x4;
export const FDT_END = 0x9;

/** Every token and its payload is padded to this many bytes. */
export const FDT_TAGSIZE = 4;

/** Header sizes by version (fdt.h FDT_V1_SIZE … FDT_V17_SIZE). */
export const FDT_V1_SIZE = 7 * 4;
export const FDT_V2_SIZE = FDT_V1_SIZE + 4;
export const FDT_V3_SIZE = FDT_V2_SIZE + 4;
export const FDT_V16_SIZE = FDT_V3_SIZE;
export const FDT_V17_SIZE = FDT_V16_SIZE + 4;
/** sizeof(struct fdt_header). */
export const FDT_HEADER_SIZE = FDT_V17_SIZE;

/** One memory-reservation entry: be64 address + be64 size. */
export const FDT_RESERVE_ENTRY_SIZE = 16;
/** FDT_PROP tag + be32 len + be32 nameoff, before the value. */
export const FDT_PROP_HEADER_SIZE = 12;
/** FDT_BEGIN_NODE tag before the name. */
export const FDT_NODE_HEADER_SIZE = 4;

/** libfdt.h: oldest version read, newest last_comp_version understood. */
export const FDT_FIRST_SUPPORTED_VERSION = 0x02;
export const FDT_LAST_COMPATIBLE_VERSION = 0x10;
export const FDT_LAST_SUPPORTED_VERSION = 0x11;

/** Header field offsets (struct fdt_header). */
export const FDT_HDR = {
  magic: 0x00,
  totalsize: 0x04,
  offDtStruct: 0x08,
  offDtStrings: 0x0c,
  offMemRsvmap: 0x10,
  version: 0x14,
  lastCompVersion: 0x18,
  bootCpuidPhys: 0x1c,
  sizeDtStrings: 0x20,
  sizeDtStruct: 0x24,
} as const;

/** libfdt's checks use INT_MAX / INT32_MAX as the largest blob. */
export const FDT_INT_MAX = 0x7fffffff;

/** FDT_TAGALIGN(): round up to the 4-byte token alignment. */
export const fdtTagAlign = (n: number): number => (n + 3) - ((n + 3) % 4);
