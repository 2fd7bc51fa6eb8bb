// What a FIT image holds, as ImageBuilder's `create_its_file` describes it: the sub-images in order, the one
// configuration, and how every image is protected (an md5 hash, or an RSA signature when signing).

/** FIT image types ImageBuilder writes (mkimage names). */
export type FitImageType = 'kernel' | 'ramdisk' | 'flat_dt' | 'script' | 'fpga';

export interface FitImage {
  /** Node name under /images (`host_kernel`, `domU0_ramdisk`, `boot_scr`, ...). */
  name: string;
  description: string;
  /** The path written in the .its `/incbin/("...")`, relative to the .its folder. */
  path: string;
  /** The file's bytes (what dtc's /incbin/ reads). */
  data: Uint8Array;
  type: FitImageType;
  /** `arch = "arm64"`; ImageBuilder leaves it out of `boot_scr`. */
  arch?: 'arm64';
  /** `os = "linux"` on kernels and ramdisks. */
  os?: 'linux';
  /** `compatible` (the FPGA bitstream's `u-boot,fpga-legacy`). */
  compatible?: string;
  load: number;
  entry?: number;
}

export interface FitConfiguration {
  description: string;
  kernel: string;
  fdt: readonly string[];
  ramdisk?: string;
  fpga?: string;
  loadables?: readonly string[];
}

/** Signing as ImageBuilder asks mkimage for it: `-r -k KEY_DIR [-K U-BOOT_DTB]`. */
export interface FitSigning {
  /** The key's name: KEY_DIR/<hint>.key signs, KEY_DIR/<hint>.crt is the public half written with -K. */
  keyHint: string;
  /** ImageBuilder signs every image with this algorithm. */
  algo: 'sha1,rsa2048';
}

/** Hash algorithms mkimage and U-Boot both know (a U-Boot build may leave md5 out; Debian's qemu_arm64 has it). */
export type FitHashAlgo = 'md5' | 'sha1' | 'sha256';
export const FIT_HASH_ALGOS: readonly FitHashAlgo[] = ['md5', 'sha1', 'sha256'];

export interface FitSpec {
  images: readonly FitImage[];
  configuration: FitConfiguration;
  /** Hash of unsigned images: ImageBuilder writes md5. */
  hashAlgo?: FitHashAlgo;
  signing?: FitSigning;
}

/** Root `description` ImageBuilder writes. */
export const FIT_DESCRIPTION = 'Configuration from Imagebuilder to load Xen/Linux';
/** The hash every image gets when the FIT is not signed, as ImageBuilder writes it. */
export const FIT_UNSIGNED_HASH: FitHashAlgo = 'md5';
