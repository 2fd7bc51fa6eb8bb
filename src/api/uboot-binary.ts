// The U-Boot release a real binary is (`--uboot FILE`): read from the version banner inside it,
// so the simulation models the U-Boot the board runs.
import { ImageFormatError } from '../errors.js';
import { readWholeInput } from '../images/probe-file.js';
import { ubootBanner, ubootNetStack } from '../images/uboot-bin.js';
import { modelledRelease, SUPPORTED_UBOOT_VERSIONS } from '../sim/uboot/version.js';

/** u-boot.bin for QEMU is about 1 MiB and u-boot.elf a few; a flash image holding one stays under this. */
export const MAX_UBOOT_BINARY_BYTES = 64 * 1024 * 1024;

export interface UbootBinaryVersion {
  /** What the binary says it is: "2025.01-3+deb13u1". */
  version: string;
  /** The banner as U-Boot prints it at start. */
  banner: string;
  /** The release the simulator models for it: the same release, or the newest modelled one before it. */
  modelled: string;
  /** The network stack it was built with (CONFIG_NET_LWIP or the legacy one): tftpboot's texts differ. */
  netStack: 'legacy' | 'lwip';
}

export function ubootBinaryVersion(file: string): UbootBinaryVersion {
  const bytes = readWholeInput(file, 'U-Boot binary', MAX_UBOOT_BINARY_BYTES);
  const b = ubootBanner(bytes);
  if (!b) {
    throw new ImageFormatError('IMAGE_UNSUPPORTED', `"${file}" holds no U-Boot version banner ("U-Boot YYYY.MM…"): not a U-Boot binary, or a compressed one`,
      { file }, { file, key: 'U-Boot binary' }, `give the uncompressed u-boot.bin (or u-boot.elf), or name the release with --uboot-version (${SUPPORTED_UBOOT_VERSIONS.join(', ')})`);
  }
  const modelled = modelledRelease(b.release);
  if (!modelled) {
    throw new ImageFormatError('IMAGE_UNSUPPORTED', `"${file}" is U-Boot ${b.version}, older than the oldest release modelled (${SUPPORTED_UBOOT_VERSIONS[0]})`,
      { file, version: b.version }, { file, key: 'U-Boot binary' }, `use U-Boot ${SUPPORTED_UBOOT_VERSIONS[0]} or later, or name a release with --uboot-version`);
  }
  return { version: b.version, banner: b.banner, modelled, netStack: ubootNetStack(bytes) };
}
