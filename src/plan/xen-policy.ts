// XEN_POLICY: the XSM (FLASK) policy Xen loads as a boot module. ImageBuilder loads it right after
// XEN and describes it under /chosen as `xen-policy@<addr>` with compatible "xen,xsm-policy"
// "xen,multiboot-module" "multiboot,module" (imagebuilder.md §5.2, §9.2); Xen registers it as an
// XSM module (bootfdt.c) and reads it when FLASK is the active XSM module.
import type { FileRef } from '../config/types.js';
import { ImageFormatError } from '../errors.js';
import type { ImageInfo } from '../images/probe-file.js';
import { readRange } from '../util/file.js';
import { resolveFile, sizeConfigFile } from './files.js';

/** A FLASK policy binary starts with this magic, little-endian (POLICYDB_MAGIC, Xen's has_xsm_magic()). */
export const XSM_POLICY_MAGIC = 0xf97cff8c;

export interface CollectedPolicy { ref: FileRef; abs: string; info: ImageInfo }

/** Size XEN_POLICY and check it is a FLASK policy (ImageBuilder asks `file` for "SE Linux policy"). */
export function collectXenPolicy(ref: FileRef | undefined, dir: string): CollectedPolicy | undefined {
  if (!ref) return undefined;
  const info = sizeConfigFile(dir, ref, 'xsm-policy');
  const abs = resolveFile(dir, ref);
  const head = readRange(abs, 0, 4);
  if (head.length < 4 || head.readUInt32LE(0) !== XSM_POLICY_MAGIC) {
    throw new ImageFormatError('IMAGE_WRONG_TYPE',
      `${ref.key} = "${ref.value}" does not start with the FLASK policy magic 0x${XSM_POLICY_MAGIC.toString(16)}, so it is not an XSM policy`,
      { key: ref.key, path: abs }, { ...ref.where, key: ref.key },
      'give the binary policy Xen\'s tools build (xen/tools/flask/policy: make, e.g. xenpolicy-4.20.0)');
  }
  return { ref, abs, info };
}
