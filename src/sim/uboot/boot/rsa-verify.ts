// Models U-Boot lib/rsa/rsa-verify.c rsa_verify_hash() for FIT signatures checked against U-Boot's own DTB:
// the key node /signature/key-<hint> first, then every other key; a key is used only when its `algo`
// equals the signature's, and the signature must be exactly num-bits/8 long. The RSA itself is
// s^e mod n compared with the PKCS#1 v1.5 encoding of the digest (EMSA-PKCS1-v1_5, RFC 8017 §9.2).
import * as crypto from 'node:crypto';
import { getprop, subnodeOffset, subnodes } from '../../../fdt/ro.js';
import { modPow } from '../../../util/modpow.js';

/** DER DigestInfo prefixes of RFC 8017 §9.2 note 1. */
const DIGEST_INFO: Record<string, string> = {
  sha1: '3021300906052b0e03021a05000414',
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
};
const RSA_KEY_BYTES: Record<string, number> = { rsa2048: 256, rsa3072: 384, rsa4096: 512 };

export type RsaVerdict = 'ok' | 'bad' | 'unknown-algo';

const big = (b: Uint8Array): bigint => (b.length === 0 ? 0n : BigInt(`0x${Buffer.from(b).toString('hex')}`));

function verifyWithKeyNode(blob: Uint8Array, node: number, algo: string, hash: string, digest: Uint8Array, sig: Uint8Array): boolean {
  if (node < 0) return false;
  const keyAlgo = getprop(blob, node, 'algo');
  if (typeof keyAlgo === 'number' || Buffer.from(keyAlgo).toString('latin1').replace(/\0.*$/s, '') !== algo) return false;
  const bitsProp = getprop(blob, node, 'rsa,num-bits');
  const modulus = getprop(blob, node, 'rsa,modulus');
  const rr = getprop(blob, node, 'rsa,r-squared');
  if (typeof bitsProp === 'number' || bitsProp.length !== 4 || typeof modulus === 'number' || typeof rr === 'number') return false;
  const bits = new DataView(bitsProp.buffer, bitsProp.byteOffset).getUint32(0);
  if (bits === 0 || sig.length !== bits / 8) return false;
  const expProp = getprop(blob, node, 'rsa,exponent');
  const e = typeof expProp === 'number' || expProp.length < 8 ? 65537n : big(expProp.subarray(0, 8));
  const n = big(modulus);
  if (n === 0n) return false;
  const m = modPow(big(sig), e, n).toString(16).padStart(sig.length * 2, '0');
  const t = DIGEST_INFO[hash]! + Buffer.from(digest).toString('hex');
  const expected = `0001${'ff'.repeat(sig.length - 3 - t.length / 2)}00${t}`;
  return m === expected;
}

/** Verify `sig` over `data` with the keys of U-Boot's DTB `blob` (rsa_verify() with no required key node). */
export function rsaVerifyWithKeyBlob(blob: Uint8Array | undefined, algo: string, hint: string | undefined, data: Uint8Array, sig: Uint8Array): RsaVerdict {
  const [hash, cryptoName] = algo.split(',');
  if (hash === undefined || cryptoName === undefined || !(hash in DIGEST_INFO) || !(cryptoName in RSA_KEY_BYTES)) return 'unknown-algo';
  // rsa_verify() refuses a signature longer than the algorithm's key before looking at keys.
  if (sig.length > RSA_KEY_BYTES[cryptoName]!) return 'bad';
  if (!blob) return 'bad';
  const sigNode = subnodeOffset(blob, 0, 'signature');
  if (sigNode < 0) return 'bad';
  const digest = new Uint8Array(crypto.createHash(hash).update(data).digest());
  const hinted = subnodeOffset(blob, sigNode, `key-${hint ?? '(null)'}`);
  if (verifyWithKeyNode(blob, hinted, algo, hash, digest, sig)) return 'ok';
  for (const key of subnodes(blob, sigNode)) {
    if (key !== hinted && verifyWithKeyNode(blob, key, algo, hash, digest, sig)) return 'ok';
  }
  return 'bad';
}
