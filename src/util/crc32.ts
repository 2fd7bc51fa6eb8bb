// CRC-32/IEEE (zlib's), the checksum of U-Boot legacy images. Node 20.15+ ships
// zlib.crc32; U-Boot's crc32(0, buf, len) gives the same value.
import * as zlib from 'node:zlib';

const nativeCrc32 = (zlib as unknown as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
if (typeof nativeCrc32 !== 'function') throw new Error('uboot-gen needs Node.js >= 20.15 (zlib.crc32)');

export function crc32(data: Uint8Array, previous = 0): number {
  return nativeCrc32!(data, previous) >>> 0;
}
