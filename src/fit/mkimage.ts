// `mkimage -f ITS [-r -k KEY_DIR] [-K U-BOOT_DTB] FIT`, reproduced step by step so the bytes are mkimage's
// (tools/fit_image.c fit_handle_file(), tools/image-host.c):
//  1. dtc compiles the .its (padding 500), then fit_import_data() packs it: the padding is dropped;
//  2. rounds with 0, 1024, 2048, ... extra bytes: the packed blob is grown by that much (fdt_open_into) and
//     gets the root timestamp, every image's hash value or signature (each new property goes first in its
//     node); a round that runs out of room starts again from the packed blob with 1 KiB more;
//  3. with -K, U-Boot's DTB is grown by the same amount in every round (cumulatively: mkimage extends the
//     file in place) and gets /signature/key-<hint>; it is not restored between rounds.
import * as crypto from 'node:crypto';
import { UbootGenError } from '../errors.js';
import {
  E, addSubnode, firstSubnode, getName, getprop, nextSubnode, openInto, pathOffset, serializeTree, setprop,
  setpropString, setpropU32, setpropU64, subnodeOffset, type FdtErrno,
} from '../fdt/index.js';
import { type RsaKeyPair, rsaPublicParams, rsaSign } from './rsa.js';
import { fitSourceTree } from './tree.js';
import { FIT_UNSIGNED_HASH, type FitSpec } from './types.js';

/** mkimage's PLAIN_VERSION, written as `signer-version` (Debian bookworm's u-boot-tools). */
export const MKIMAGE_VERSION = '2023.01';
/** mkimage gives up after this many bytes of growth. */
const MAX_GROWTH = 64 * 1024;

export interface MkimageOptions {
  /** SOURCE_DATE_EPOCH: the root `timestamp` and every signature's. */
  timestamp: number;
  /** Required with spec.signing. */
  key?: RsaKeyPair;
  /** U-Boot's DTB (-K): the public key is added to a copy, returned as `ubootDtb`. */
  ubootDtb?: Uint8Array;
  /** `signer-version` (mkimage's own version). */
  signerVersion?: string;
}

export interface MkimageResult {
  fit: Uint8Array;
  ubootDtb?: Uint8Array;
}

class NoSpace extends Error {}

function check(ret: number | FdtErrno, what: string): number {
  if (ret === E.NOSPACE) throw new NoSpace(what);
  if (ret < 0) throw new UbootGenError('INTERNAL', `writing the FIT failed at ${what} (libfdt error ${ret})`);
  return ret;
}

const u32 = (v: number): Uint8Array => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, v >>> 0); return b; };

function grow(blob: Uint8Array, extra: number): Uint8Array {
  const out = new Uint8Array(blob.length + extra);
  out.set(blob);
  if (extra > 0) check(openInto(out, out, out.length), 'growing the blob');
  return out;
}

/** rsa_add_verify_data(): create or overwrite /signature/key-<hint>. */
function addPublicKey(dtb: Uint8Array, key: RsaKeyPair, algo: string): void {
  const p = rsaPublicParams(key.publicKey);
  let parent = subnodeOffset(dtb, 0, 'signature');
  if (parent === E.NOTFOUND) parent = check(addSubnode(dtb, 0, 'signature'), 'adding /signature');
  check(parent, '/signature');
  const name = `key-${key.hint}`;
  let node = subnodeOffset(dtb, parent, name);
  if (node === E.NOTFOUND) node = check(addSubnode(dtb, parent, name), `adding /signature/${name}`);
  check(node, `/signature/${name}`);
  check(setpropString(dtb, node, 'key-name-hint', key.hint), 'key-name-hint');
  check(setpropU32(dtb, node, 'rsa,num-bits', p.bits), 'rsa,num-bits');
  check(setpropU32(dtb, node, 'rsa,n0-inverse', p.n0Inverse), 'rsa,n0-inverse');
  check(setpropU64(dtb, node, 'rsa,exponent', Number(p.exponent)), 'rsa,exponent');
  check(setprop(dtb, node, 'rsa,modulus', p.modulus), 'rsa,modulus');
  check(setprop(dtb, node, 'rsa,r-squared', p.rSquared), 'rsa,r-squared');
  check(setpropString(dtb, node, 'algo', algo), 'algo');
  // ImageBuilder always passes -r: the key must verify every image.
  check(setpropString(dtb, node, 'required', 'image'), 'required');
}

function oneRound(packed: Uint8Array, growth: number, spec: FitSpec, o: MkimageOptions, dest: { dtb?: Uint8Array }): Uint8Array {
  const fit = grow(packed, growth);
  if (dest.dtb && growth > 0) dest.dtb = grow(dest.dtb, growth);
  check(setprop(fit, 0, 'timestamp', u32(o.timestamp)), 'the root timestamp');
  const images = check(pathOffset(fit, '/images'), '/images');
  for (let img = firstSubnode(fit, images); img >= 0; img = nextSubnode(fit, img)) {
    for (let sub = firstSubnode(fit, img); sub >= 0; sub = nextSubnode(fit, sub)) {
      const subName = String(getName(fit, sub));
      const data = getprop(fit, img, 'data');
      if (typeof data === 'number') throw new UbootGenError('INTERNAL', `FIT image ${String(getName(fit, img))} has no data`);
      if (subName.startsWith('hash')) {
        const algo = getprop(fit, sub, 'algo');
        if (typeof algo === 'number') throw new UbootGenError('INTERNAL', 'hash node without algo');
        const digest = crypto.createHash(spec.hashAlgo ?? FIT_UNSIGNED_HASH).update(data).digest();
        check(setprop(fit, sub, 'value', new Uint8Array(digest)), 'a hash value');
      } else if (subName.startsWith('signature') && spec.signing && o.key) {
        const value = rsaSign(o.key.privateKey, 'sha1', data.slice());
        check(setprop(fit, sub, 'value', value), 'a signature');
        check(setpropString(fit, sub, 'signer-name', 'mkimage'), 'signer-name');
        check(setpropString(fit, sub, 'signer-version', o.signerVersion ?? MKIMAGE_VERSION), 'signer-version');
        check(setprop(fit, sub, 'timestamp', u32(o.timestamp)), 'a signature timestamp');
        if (dest.dtb) addPublicKey(dest.dtb, o.key, spec.signing.algo);
      }
    }
  }
  return fit;
}

/** The FIT image (and, with -K, U-Boot's DTB holding the public key) exactly as mkimage writes them. */
export function mkimageFit(spec: FitSpec, o: MkimageOptions): MkimageResult {
  if (spec.signing && !o.key) throw new UbootGenError('INTERNAL', 'a signed FIT needs its key');
  const packed = serializeTree(fitSourceTree(spec));
  const dest: { dtb?: Uint8Array } = { dtb: o.ubootDtb?.slice() };
  for (let growth = 0; growth < MAX_GROWTH; growth += 1024) {
    try {
      const fit = oneRound(packed, growth, spec, o, dest);
      return dest.dtb ? { fit, ubootDtb: dest.dtb } : { fit };
    } catch (e) {
      if (!(e instanceof NoSpace)) throw e;
    }
  }
  throw new UbootGenError('IMAGE_TOO_LARGE', `the FIT's hashes and signatures need more than ${MAX_GROWTH} bytes, mkimage's limit`);
}
