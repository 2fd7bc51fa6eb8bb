// What the Linux guest does with the bytes Xen handed it, where that decides the verdict.
// Xen copies modules without looking inside; the guest's own checks come from Linux
// init/initramfs.c (unpack_to_rootfs(), flush_buffer(), do_header()) and from real boots
// (test/fixtures/transcripts, the lab differential).
import { peekGunzip } from '../../images/gzip.js';
import type { SparseRam } from '../ram.js';

/** Bytes inspected at the start of an initramfs: the first cpio header after any compression. */
const INITRAMFS_PEEK = 4096;

/** decompress_method() magics Linux knows besides gzip (lib/decompress.c). */
const OTHER_COMPRESSORS: readonly [string, readonly number[]][] = [
  ['bzip2', [0x42, 0x5a, 0x68]], ['lzma', [0x5d, 0x00, 0x00]], ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['lzo', [0x89, 0x4c, 0x5a, 0x4f]], ['lz4', [0x02, 0x21, 0x4c, 0x18]], ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
];

const startsWith = (b: Uint8Array, magic: readonly number[]): boolean => magic.every((m, i) => b[i] === m);

/** do_header(): the cpio magic of the first member. */
function cpioHeaderFault(b: Uint8Array): string | undefined {
  const magic = Buffer.from(b.subarray(0, 6)).toString('latin1');
  if (magic === '070701' || magic === '070702') return undefined;
  if (magic === '070707') return 'incorrect cpio method used: use -H newc option';
  return 'no cpio magic';
}

/**
 * The message of "Initramfs unpacking failed: %s" Linux would print for this initramfs, or
 * undefined when its first member unpacks (or the compression is one this model does not open).
 * Leading zero bytes are skipped as padding, as unpack_to_rootfs() does.
 */
export function initramfsFault(ram: SparseRam, start: number, size: number): string | undefined {
  const head = ram.read(start, Math.min(size, INITRAMFS_PEEK));
  let i = 0;
  while (i < head.length && head[i] === 0) i++;
  if (i === head.length) return undefined;
  const b = head.subarray(i);
  if (b[0] === 0x30 /* '0' */ && i % 4 === 0) return cpioHeaderFault(b);
  if (b[0] === 0x1f && (b[1] === 0x8b || b[1] === 0x9e)) {
    let inner: Uint8Array;
    try {
      inner = peekGunzip(b, 512);
    } catch {
      // Linux would say "decompressor failed"; but a gzip header over bytes that are not deflate is
      // also what header-only stand-ins for real files look like, so the model does not judge it.
      return undefined;
    }
    // flush_buffer() feeds the inflated stream to the cpio state machine, which is in its Start
    // state: the first 110 bytes are taken as a header whatever they are.
    return inner.length >= 6 ? cpioHeaderFault(inner) : undefined;
  }
  if (OTHER_COMPRESSORS.some(([, m]) => startsWith(b, m))) return undefined;
  return 'invalid magic at start of compressed archive';
}

const BANNER = Buffer.from('Linux version ');
/** Bytes of an uncompressed kernel searched for its banner (linux_banner sits in .rodata, within the first ~20 MiB). */
const BANNER_SCAN_LIMIT = 48 * 1024 * 1024;
const CHUNK = 1024 * 1024;

/** "6.1.0-26-arm64" from the "Linux version ..." banner of an uncompressed arm64 Image, if found. */
export function linuxVersionOf(ram: SparseRam, start: number, size: number): string | undefined {
  const end = start + Math.min(size, BANNER_SCAN_LIMIT);
  // Only what was written can hold the banner: memory nothing was loaded into reads as zeros,
  // and a module's size (its footprint, BSS included) is often far larger than its file.
  for (const seg of ram.segments(start, end - start)) {
    const segEnd = seg.start + seg.length;
    for (let at = seg.start; at < segEnd; at += CHUNK) {
      // Overlap chunks by the banner length plus the version text, so a banner across a boundary is found.
      const buf = Buffer.from(ram.read(at, Math.min(CHUNK + 64, end - at)));
      const i = buf.indexOf(BANNER);
      if (i >= 0 && i < CHUNK) {
        const m = /^Linux version (\d+\.\d+[^\s(]*)/.exec(buf.subarray(i, i + 64).toString('latin1'));
        if (m) return m[1];
      }
    }
  }
  return undefined;
}

/**
 * What an arm64 Linux needs to reach its init besides its image, the initramfs (packed and unpacked)
 * and what it reserves at boot, measured on Debian's 6.1 arm64 kernel (image_size 0x2010000) with the
 * lab's initramfs (990 KiB gzip, 1805 KiB unpacked), 1 vCPU, Xen 4.17.7: a 52 MiB domU panics "System
 * is deadlocked on memory" ("Memory: 16956K/53248K available"), 54 MiB comes up ("Memory:
 * 19000K/55296K available"); 48, 50 and 52 MiB with 4 vCPUs fail, 56 to 88 MiB come up. Between those
 * two, 16.2 MiB beyond the unpacked initramfs: the kernel's boot-time allocations (slab, per-CPU
 * areas, workqueues, driver registration). Other kernels differ.
 */
export const LINUX_61_BOOT_WORKING_SET = 16_200 * 1024;
/** What Linux 6.1 reserves at boot besides its image and the initramfs ("Memory: …K/…K available" leaves 2.4 MiB more reserved, whatever the RAM size). */
const LINUX_BOOT_RESERVED_OTHER = 2_460 * 1024;

/**
 * The guest RAM a Linux arm64 Image needs to reach init: its image_size, the initramfs packed and
 * unpacked (gzip's ISIZE), what Linux reserves besides, and its boot working set.
 */
export function linuxGuestMemoryNeed(imageSize: number, initramfs: { packed: number; unpacked: number } | undefined): number {
  const rd = initramfs ? initramfs.packed + initramfs.unpacked : 0;
  return imageSize + rd + LINUX_BOOT_RESERVED_OTHER + LINUX_61_BOOT_WORKING_SET;
}

/** The figure is certain for the kernel it was measured on (Linux 6.1, by its banner); an estimate for others. */
export const memoryNeedMeasuredOn = (version: string | undefined): boolean => version !== undefined && /^6\.1(\.|$|-)/.test(version);

/** The size an initramfs unpacks to: gzip's ISIZE (the last 4 bytes, mod 2^32), a plain cpio's own size. */
export function initramfsUnpackedSize(ram: SparseRam, start: number, fileSize: number): number {
  if (fileSize < 18) return fileSize;
  const head = ram.read(start, 2);
  if (head[0] !== 0x1f || head[1] !== 0x8b) return fileSize;
  const t = ram.read(start + fileSize - 4, 4);
  return (t[0]! | (t[1]! << 8) | (t[2]! << 16)) + t[3]! * 2 ** 24;
}
