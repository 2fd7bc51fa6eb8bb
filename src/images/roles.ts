// Is this file the right kind of thing for its config key? ImageBuilder asks
// `file -L` and greps (uboot-script-gen check_file_type / check_compressed_file_type);
// we decide from the parsed headers, with the acceptance rules of the code that
// will consume the file: Xen's kernel_probe() for kernels, U-Boot booti/bootz for
// Xen itself, Linux's initramfs unpacker for ramdisks.
import { ImageFormatError } from '../errors.js';
import type { ImageFormatId } from './format.js';
import type { ImageInfo } from './probe-file.js';
import {
  IH_ARCH_ARM, IH_ARCH_ARM64, IH_COMP_GZIP, IH_COMP_NONE, IH_TYPE_KERNEL, IH_TYPE_KERNEL_NOLOAD, uimageArchName, uimageCompName, uimageOsName, uimageTypeName,
} from './uimage.js';

export type ImageRole = 'xen' | 'linux' | 'kernel' | 'ramdisk' | 'dtb' | 'passthrough-dtb' | 'dt-overlay' | 'script-text' | 'bitstream' | 'xsm-policy';

export const ROLE_EXPECTS: Record<ImageRole, string> = {
  xen: 'the Xen hypervisor is expected (arm64 Image or arm32 zImage)',
  linux: 'a Linux kernel that booti can start is expected (an uncompressed arm64 Image)',
  kernel: 'a kernel is expected (arm64 Image, zImage, uImage or gzip-compressed kernel)',
  ramdisk: 'a ramdisk is expected (cpio archive, or gzip- or zstd-compressed cpio)',
  dtb: 'a device tree blob is expected',
  'passthrough-dtb': 'a partial device tree blob (passthrough DTB) is expected',
  'dt-overlay': 'a device tree overlay blob is expected',
  'script-text': 'a text file is expected',
  bitstream: 'an FPGA bitstream is expected',
  'xsm-policy': 'an XSM (FLASK) policy binary is expected',
};

/**
 * Largest file each role accepts, checked before anything reads a file whole. Xen refuses a
 * device tree over 2 MiB (MAX_FDT_SIZE); a Xen binary is a few MiB (64 MiB leaves ample room);
 * an APPEND_EXTRA_CMDS file is a few U-Boot commands; kernels and ramdisks are only ever read
 * in ranges, up to what a 32-bit U-Boot `filesize` can count.
 */
export const ROLE_MAX_BYTES: Record<ImageRole, number> = {
  xen: 64 * 1024 * 1024,
  linux: 0xffff_ffff,
  kernel: 0xffff_ffff,
  ramdisk: 0xffff_ffff,
  dtb: 2 * 1024 * 1024,
  'passthrough-dtb': 2 * 1024 * 1024,
  'dt-overlay': 2 * 1024 * 1024,
  'script-text': 1024 * 1024,
  // The largest FPGA images (Versal Premium) are a few hundred MiB; `fpga load` takes a 32-bit size.
  bitstream: 0xffff_ffff,
  // Xen's own policy is tens of KiB; a policy is read whole into Xen's heap.
  'xsm-policy': 64 * 1024 * 1024,
};

const FORMAT_PHRASE: Record<ImageFormatId, string> = {
  // The arm64 boot-image format is Linux's, but Xen uses it too: the phrase names the format, not the OS.
  'arm64-image': 'an arm64 Image',
  zimage: 'an arm32 zImage',
  uimage: 'a legacy U-Boot image',
  gzip: 'gzip-compressed data',
  cpio: 'a cpio archive',
  dtb: 'a device tree blob',
  unknown: 'an unrecognised binary file',
};

/** "a device tree blob", "gzip-compressed data containing a cpio archive", ... */
export function describeWhatItIs(info: ImageInfo): string {
  if (info.format === 'uimage' && info.uimage) {
    const u = info.uimage;
    return `a legacy U-Boot image (${uimageArchName(u.arch)} ${uimageOsName(u.os)} ${uimageTypeName(u.type)}, ${uimageCompName(u.comp)})`;
  }
  if (info.format === 'gzip') {
    return info.inner ? `gzip-compressed data containing ${FORMAT_PHRASE[info.inner]}` : 'gzip-compressed data of unknown content';
  }
  if (info.format === 'cpio' && info.cpio) return `a cpio archive (${info.cpio.variant} format)`;
  if (info.format === 'unknown') {
    if (info.fileSize === 0) return 'an empty file';
    if (info.text) return info.text === 'ascii' ? 'an ASCII text file' : 'a UTF-8 text file';
    if (info.compression) return `${info.compression}-compressed data`;
  }
  return FORMAT_PHRASE[info.format];
}

function wrongType(info: ImageInfo, role: ImageRole, label: string, hint?: string): ImageFormatError {
  return new ImageFormatError('IMAGE_WRONG_TYPE',
    `${label} = "${info.path}" is ${describeWhatItIs(info)}, but ${ROLE_EXPECTS[role]}`,
    { key: label, path: info.path, role, format: info.format, ...(info.inner ? { inner: info.inner } : {}) },
    { file: info.path, key: label }, hint);
}

const isKernelFormat = (f: ImageFormatId | undefined): boolean => f === 'arm64-image' || f === 'zimage';

/**
 * Throw IMAGE_WRONG_TYPE unless `info` (from sizeImage()) can serve as `role`.
 * `label` is the config key, e.g. `DOMU_KERNEL[0]`, and appears in the message.
 */
export function checkRole(info: ImageInfo, role: ImageRole, label: string): void {
  const max = ROLE_MAX_BYTES[role];
  if (info.fileSize > max) {
    throw new ImageFormatError('IMAGE_TOO_LARGE',
      `${label} = "${info.path}" is ${info.fileSize} bytes, but ${ROLE_EXPECTS[role].replace(/ is expected.*$/, '')} may be at most ${max} bytes`,
      { key: label, path: info.path, role, size: info.fileSize, max }, { file: info.path, key: label },
      role === 'dtb' || role === 'passthrough-dtb' || role === 'dt-overlay' ? 'Xen refuses a device tree over 2 MiB: check the path, or remove unused nodes and recompile it with dtc'
        : 'check the path: the file named is not the one this key needs');
  }
  switch (role) {
    case 'xen':
      if (isKernelFormat(info.format)) return;
      if (info.format === 'gzip' && isKernelFormat(info.inner)) {
        throw wrongType(info, role, label,
          'booti only boots a compressed image when kernel_comp_addr_r and kernel_comp_size are set, and the generated script '
          + 'does not set them; decompress Xen first (gunzip -k)');
      }
      if (info.format === 'uimage') {
        throw wrongType(info, role, label, 'give the raw Xen binary; the script boots it with booti (or wraps it itself for bootm)');
      }
      throw wrongType(info, role, label);

    case 'linux':
      // Linux-only mode boots LINUX itself with booti (arch/arm/lib/image.c booti_setup()).
      if (info.format === 'arm64-image') return;
      if (info.format === 'gzip' && info.inner === 'arm64-image') {
        throw wrongType(info, role, label,
          'booti only boots a compressed Image when kernel_comp_addr_r and kernel_comp_size are set, and the generated script '
          + 'does not set them; decompress it first (gunzip -k)');
      }
      if (info.format === 'uimage') throw wrongType(info, role, label, 'give the raw Image: the script boots it with booti');
      throw wrongType(info, role, label);

    case 'kernel':
      if (isKernelFormat(info.format)) return;
      if (info.format === 'gzip') {
        // Xen gunzips the module (kernel_decompress) and probes the result again.
        if (isKernelFormat(info.inner)) return;
        throw wrongType(info, role, label, 'Xen can decompress a gzip kernel, but this one does not contain an arm64 Image or zImage');
      }
      if (info.format === 'uimage' && info.uimage) {
        // Xen kernel_uimage_probe(): compression none or gzip, arch ARM or ARM64.
        const u = info.uimage;
        if (u.type !== IH_TYPE_KERNEL && u.type !== IH_TYPE_KERNEL_NOLOAD) {
          throw wrongType(info, role, label, 'Xen would load its payload as a kernel anyway; build it with mkimage -T kernel');
        }
        if (u.comp !== IH_COMP_NONE && u.comp !== IH_COMP_GZIP) {
          throw wrongType(info, role, label, `Xen only accepts uncompressed or gzip uImages ("Unsupported uImage compression type ${u.comp}")`);
        }
        if (u.arch !== IH_ARCH_ARM && u.arch !== IH_ARCH_ARM64) {
          throw wrongType(info, role, label, `Xen only accepts ARM or AArch64 uImages ("Unsupported uImage arch type ${u.arch}")`);
        }
        return;
      }
      if (info.compression && info.compression !== 'gzip') {
        throw wrongType(info, role, label, `Xen only decompresses gzip kernels; ${info.compression} is not supported`);
      }
      throw wrongType(info, role, label);

    case 'ramdisk':
      if (info.format === 'cpio' || (info.format === 'gzip' && info.inner === 'cpio')) {
        const variant = info.format === 'cpio' ? info.cpio?.variant : info.gzip?.innerCpio;
        if (variant === 'odc') {
          throw wrongType(info, role, label, 'Linux unpacks only newc/crc cpio archives ("no cpio magic"); rebuild it with cpio -H newc');
        }
        return;
      }
      // zstd: accepted without looking inside (we do not decompress zstd).
      if (info.format === 'unknown' && info.compression === 'zstd') return;
      if (info.format === 'uimage') {
        throw wrongType(info, role, label, 'Xen passes boot modules to the guest unchanged, so Linux would get the uImage header; use the raw cpio(.gz)');
      }
      throw wrongType(info, role, label);

    case 'dtb':
    case 'passthrough-dtb':
      if (info.format === 'dtb') return;
      if (info.text) throw wrongType(info, role, label, 'compile the source first: dtc -I dts -O dtb -o file.dtb file.dts');
      throw wrongType(info, role, label);

    case 'dt-overlay':
      if (info.format === 'dtb') return;
      if (info.text) throw wrongType(info, role, label, 'compile the overlay source first: dtc -@ -I dts -O dtb -o file.dtbo file.dts');
      throw wrongType(info, role, label);

    case 'script-text':
      if (info.format === 'unknown' && info.text) return;
      throw wrongType(info, role, label);

    case 'xsm-policy':
      // The policy magic is checked by the planner (src/plan/xen-policy.ts); any format recognised here is a mistake.
      if (info.format === 'unknown') return;
      throw wrongType(info, role, label);

    case 'bitstream':
      // Vendor formats (.bit with its header, raw .bin, .pdi) have no magic in common: the FPGA
      // driver checks them. Anything uboot-gen would recognise as another kind of file is a mistake.
      if (info.format === 'unknown') return;
      throw wrongType(info, role, label);
  }
}
