// RSA as mkimage uses it for FIT signatures: PKCS#1 v1.5 over one region (the image's data), and the public
// key written into U-Boot's device tree as the numbers U-Boot's verifier needs (lib/rsa/rsa-sign.c
// rsa_get_params(): n0-inverse = -1/n mod 2^32, r-squared = 2^(2*bits) mod n, big-endian 32-bit words).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ImageFormatError, UbootGenError } from '../errors.js';
import { modPow } from '../util/modpow.js';

export interface RsaKeyPair {
  hint: string;
  privateKey: crypto.KeyObject;
  /** From KEY_DIR/<hint>.crt, as mkimage reads it (not derived from the private key). */
  publicKey: crypto.KeyObject;
}

/** The numbers U-Boot's `/signature/key-<hint>` node carries. */
export interface RsaPublicParams {
  bits: number;
  exponent: bigint;
  n0Inverse: number;
  modulus: Uint8Array;
  rSquared: Uint8Array;
}

function readKeyFile(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UbootGenError('IMAGE_NOT_FOUND', `cannot read the signing ${what} ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      { file }, { file, key: 'FIT_ENC_KEY_DIR' },
      'FIT_ENC_KEY_DIR (-k) is KEY_DIR/HINT: KEY_DIR must hold HINT.key (the private key) and HINT.crt (a certificate of it), as mkimage -k expects');
  }
}

/** KEY_DIR/<hint>.key and KEY_DIR/<hint>.crt, the two files `mkimage -k KEY_DIR` reads. */
export function readKeyPair(keyDir: string, hint: string): RsaKeyPair {
  const keyFile = path.join(keyDir, `${hint}.key`);
  const crtFile = path.join(keyDir, `${hint}.crt`);
  let privateKey: crypto.KeyObject;
  let publicKey: crypto.KeyObject;
  try {
    privateKey = crypto.createPrivateKey(readKeyFile(keyFile, 'key'));
  } catch (e) {
    if (e instanceof UbootGenError) throw e;
    throw new ImageFormatError('IMAGE_WRONG_TYPE', `${keyFile} is not a PEM private key (${(e as Error).message})`,
      { file: keyFile }, { file: keyFile }, 'make one with: openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out HINT.key');
  }
  try {
    publicKey = new crypto.X509Certificate(readKeyFile(crtFile, 'certificate')).publicKey;
  } catch (e) {
    if (e instanceof UbootGenError) throw e;
    throw new ImageFormatError('IMAGE_WRONG_TYPE', `${crtFile} is not a PEM certificate (${(e as Error).message})`,
      { file: crtFile }, { file: crtFile }, 'make one with: openssl req -batch -new -x509 -key HINT.key -out HINT.crt');
  }
  for (const [k, file] of [[privateKey, keyFile], [publicKey, crtFile]] as const) {
    if (k.asymmetricKeyType !== 'rsa') {
      throw new UbootGenError('IMAGE_UNSUPPORTED', `${file} holds a ${k.asymmetricKeyType ?? 'non-RSA'} key; ImageBuilder signs with sha1,rsa2048`,
        { file }, { file }, 'use an RSA 2048-bit key');
    }
  }
  return { hint, privateKey, publicKey };
}

/** PKCS#1 v1.5 signature of `data` with the digest `hash` (deterministic, as mkimage's RSA_sign). */
export function rsaSign(key: crypto.KeyObject, hash: 'sha1' | 'sha256', data: Uint8Array): Uint8Array {
  return new Uint8Array(crypto.sign(hash, data, { key, padding: crypto.constants.RSA_PKCS1_PADDING }));
}

const fromB64url = (s: string): bigint => BigInt(`0x${Buffer.from(s, 'base64url').toString('hex') || '0'}`);

function bigToBytes(n: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len);
  let rest = n;
  for (let i = len - 1; i >= 0; i--) { out[i] = Number(rest & 0xffn); rest >>= 8n; }
  return out;
}

/** Inverse of odd `n` modulo 2^32 (Newton's iteration doubles the correct low bits each step). */
function inverseMod2p32(n: bigint): bigint {
  const m = 1n << 32n;
  let x = 1n;
  for (let i = 0; i < 5; i++) x = (x * (2n - ((n * x) % m) + m)) % m;
  return x;
}

/** The verifier's numbers for a public key. */
export function rsaPublicParams(key: crypto.KeyObject): RsaPublicParams {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.n === undefined || jwk.e === undefined) throw new UbootGenError('IMAGE_UNSUPPORTED', 'the signing key is not an RSA public key');
  const n = fromB64url(jwk.n);
  const e = fromB64url(jwk.e);
  const bits = n.toString(2).length;
  const words = Math.floor(bits / 32);
  const n0 = (1n << 32n) - inverseMod2p32(n % (1n << 32n));
  return {
    bits,
    exponent: e,
    n0Inverse: Number(n0 % (1n << 32n)),
    modulus: bigToBytes(n, words * 4),
    rSquared: bigToBytes(modPow(2n, 2n * BigInt(bits), n), words * 4),
  };
}
