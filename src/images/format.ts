// The shape every binary format in src/images implements: U-Boot's
// U_BOOT_IMAGE_TYPE (verify / print) crossed with a file(1)-style magic probe.

export type ImageFormatId = 'arm64-image' | 'zimage' | 'uimage' | 'gzip' | 'cpio' | 'dtb' | 'unknown';

export interface ImageFormat<Info> {
  readonly id: Exclude<ImageFormatId, 'unknown'>;
  /** Human name shown by `inspect` and in error messages ("Legacy U-Boot image"). */
  readonly name: string;
  /** Leading bytes probe() needs; the registry orders formats by it. */
  readonly probeBytes: number;
  /** Magic check only. Never throws; false when `head` is too short. */
  probe(head: Uint8Array): boolean;
  /** Full header parse. Throws ImageFormatError (IMAGE_TRUNCATED, IMAGE_BAD_MAGIC, ...). */
  parse(bytes: Uint8Array, what: string): Info;
  /** `mkimage -l`-style summary lines for `inspect` and test snapshots. */
  describe(info: Info): string[];
}

/** DataView over exactly the bytes of `b` (a subarray keeps its own offset). */
export const viewOf = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);
