// Models U-Boot boot/image-fit.c as `source ADDR:NAME` and `imxtract` use it (2023.01): fit_check_format(),
// fit_image_get_node(), fit_image_get_data(), and fit_image_verify() with its console output: each hash
// node prints its algorithm then "+ ", each signature node "<algo>:<key hint>" then "+ " or "- ", and a
// failure " error!" followed by "<reason> for '<node>' hash node in '<image>' image node".
// What a build can check is a build option: its hash algorithms (a build may lack md5) and
// whether FIT signatures are compiled in (then keys marked required in U-Boot's own DTB must verify).
import * as crypto from 'node:crypto';
import { checkHeader } from '../../../fdt/header.js';
import { getName, getprop, pathOffset, subnodeOffset, subnodes } from '../../../fdt/ro.js';
import { bytesToStr } from '../../../fdt/strings.js';
import { crc32 } from '../../../util/crc32.js';
import type { Machine } from '../machine.js';
import { rsaVerifyWithKeyBlob } from './rsa-verify.js';

/** A FIT read from RAM: the blob and where it sits. */
export interface FitInRam { addr: number; blob: Uint8Array }

const str = (fit: Uint8Array, node: number, prop: string): string | undefined => {
  const v = getprop(fit, node, prop);
  if (typeof v === 'number' || v.length === 0) return undefined;
  const nul = v.indexOf(0);
  return bytesToStr(v, 0, nul >= 0 ? nul : v.length);
};
const nameOf = (fit: Uint8Array, node: number): string => {
  const n = getName(fit, node);
  return typeof n === 'string' ? n : '';
};

/**
 * fit_check_format(): an FDT with a root `description`, a root `timestamp` and an /images node.
 * Returns the blob, or undefined (U-Boot's callers then print "Bad FIT image format").
 */
export function readFit(m: Machine, addr: number): FitInRam | undefined {
  const blob = m.readFdt(addr);
  if (!blob || checkHeader(blob) !== 0) return undefined;
  if (typeof getprop(blob, 0, 'description') === 'number') return undefined;
  if (typeof getprop(blob, 0, 'timestamp') === 'number') return undefined;
  if (pathOffset(blob, '/images') < 0) return undefined;
  return { addr, blob };
}

/** fit_image_get_node(): /images/<name>, or a negative libfdt error. */
export function fitImageNode(fit: FitInRam, name: string): number {
  const images = pathOffset(fit.blob, '/images');
  return images < 0 ? images : subnodeOffset(fit.blob, images, name);
}

/** fit_image_get_data(): the embedded `data` (its RAM address and length), or undefined. */
export function fitImageData(fit: FitInRam, node: number): { addr: number; len: number; bytes: Uint8Array } | undefined {
  const v = getprop(fit.blob, node, 'data');
  if (typeof v === 'number') return undefined;
  return { addr: fit.addr + v.byteOffset - fit.blob.byteOffset, len: v.length, bytes: v };
}

/** The image's `type` string (`script`, `kernel`, ...). */
export const fitImageType = (fit: FitInRam, node: number): string | undefined => str(fit.blob, node, 'type');
/** The image's `comp` (fit_image_get_comp()): `compression`, default none. */
export const fitImageCompression = (fit: FitInRam, node: number): string => str(fit.blob, node, 'compression') ?? 'none';

/** Digest of `data` with a U-Boot hash algorithm name, or undefined when the build lacks it. */
function calculateHash(m: Machine, algo: string, data: Uint8Array): Uint8Array | undefined {
  if (!m.build.fitHashAlgos.includes(algo)) return undefined;
  if (algo === 'crc32') {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, crc32(data));
    return b;
  }
  return new Uint8Array(crypto.createHash(algo).update(data).digest());
}

/** fit_image_check_hash(): prints the algorithm; the failure reason, or undefined when the hash is good. */
function checkHash(m: Machine, fit: FitInRam, node: number, data: Uint8Array): string | undefined {
  const algo = str(fit.blob, node, 'algo');
  if (algo === undefined) return "Can't get hash algo property";
  m.console.puts(algo);
  const ignore = getprop(fit.blob, node, 'uboot-ignore');
  if (typeof ignore !== 'number' && ignore.length === 4 && new DataView(ignore.buffer, ignore.byteOffset).getUint32(0) !== 0) {
    m.console.puts('-skipped ');
    return undefined;
  }
  const stored = getprop(fit.blob, node, 'value');
  if (typeof stored === 'number') return "Can't get hash value property";
  const value = calculateHash(m, algo, data);
  if (value === undefined) return 'Unsupported hash algorithm';
  if (value.length !== stored.length) return 'Bad hash value len';
  if (!value.every((b, i) => b === stored[i])) return 'Bad hash value';
  return undefined;
}

/** fit_image_check_sig(): prints "<algo>:<hint>"; the failure reason, or undefined when it verifies. */
function checkSig(m: Machine, fit: FitInRam, node: number, data: Uint8Array, keyBlob: Uint8Array | undefined): string | undefined {
  const algo = str(fit.blob, node, 'algo');
  if (algo === undefined) return "Can't get hash algo property";
  const hint = str(fit.blob, node, 'key-name-hint');
  m.console.puts(`${algo}:${hint ?? '(null)'}`);
  const value = getprop(fit.blob, node, 'value');
  if (typeof value === 'number') return "Can't get hash value property";
  const r = rsaVerifyWithKeyBlob(keyBlob, algo, hint, data, value);
  if (r === 'unknown-algo') return 'Unknown signature algorithm';
  return r === 'ok' ? undefined : 'Verification failed';
}

function failure(m: Machine, fit: FitInRam, reason: string, node: number, image: number): false {
  m.console.puts(` error!\n${reason} for '${nameOf(fit.blob, node)}' hash node in '${nameOf(fit.blob, image)}' image node\n`);
  return false;
}

/**
 * fit_image_verify(): every hash node must match; with FIT signatures built in, every key of U-Boot's DTB
 * marked `required = "image"` must verify a signature node of the image first. Prints what U-Boot prints.
 */
export function fitImageVerify(m: Machine, fit: FitInRam, image: number): boolean {
  const name = nameOf(fit.blob, image);
  if (m.build.fitSignature && name.includes('@')) {
    m.console.puts(`error!\nNode name contains @ in '${name}' image node\n`);
    return false;
  }
  const data = fitImageData(fit, image);
  if (!data) {
    m.console.puts(`error!\nCan't get image data/size in '${name}' image node\n`);
    return false;
  }
  const keyBlob = m.controlFdt;
  let verifyAll = true;
  if (m.build.fitSignature && keyBlob) {
    const sigParent = subnodeOffset(keyBlob, 0, 'signature');
    let verified = 0;
    if (sigParent >= 0) {
      for (const key of subnodes(keyBlob, sigParent)) {
        if (str(keyBlob, key, 'required') !== 'image') continue;
        if (!verifyRequiredKey(m, fit, image, data.bytes, keyBlob)) {
          m.console.line(`Failed to verify required signature '${nameOf(keyBlob, key)}'`);
          // U-Boot names the node it was looking at, which is still the root (""): its own quirk.
          m.console.puts(` error!\nUnable to verify required signature for '' hash node in '${name}' image node\n`);
          return false;
        }
        verified++;
      }
    }
    if (verified > 0) verifyAll = false;
  }
  for (const sub of subnodes(fit.blob, image)) {
    const subName = nameOf(fit.blob, sub);
    if (subName.startsWith('hash')) {
      const reason = checkHash(m, fit, sub, data.bytes);
      if (reason !== undefined) return failure(m, fit, reason, sub, image);
      m.console.puts('+ ');
    } else if (m.build.fitSignature && verifyAll && subName.startsWith('signature')) {
      // Not required by any key: shown, never fatal.
      m.console.puts(checkSig(m, fit, sub, data.bytes, keyBlob) === undefined ? '+ ' : '- ');
    }
  }
  return true;
}

/** fit_image_verify_sig() for one required key: the first signature node that verifies wins. */
function verifyRequiredKey(m: Machine, fit: FitInRam, image: number, data: Uint8Array, keyBlob: Uint8Array): boolean {
  for (const sub of subnodes(fit.blob, image)) {
    const subName = nameOf(fit.blob, sub);
    if (subName.includes('@')) return false;
    if (!subName.startsWith('signature')) continue;
    if (checkSig(m, fit, sub, data, keyBlob) === undefined) { m.console.puts('+ '); return true; }
    m.console.puts('- ');
  }
  return false;
}
