// Fuzz target: `source ADDR:boot_scr` of mutated FIT images (unsigned md5/sha256 and signed sha1,rsa2048,
// written by src/fit like mkimage), with the signing key required in U-Boot's DTB: the FIT reader, the hash
// and RSA checks and imxtract must refuse a damaged FIT with U-Boot's messages, never crash.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FdtWriter } from '../../../src/fdt/index.js';
import { mkimageFit, type FitImage, type FitSpec } from '../../../src/fit/index.js';
import { verifyScript } from '../../../src/api/verify.js';
import { REPO_ROOT } from '../../helpers/paths.js';
import type { FuzzTarget } from '../target.js';
import { SCRIPT_TOKENS, bytesCodec, mutatedBytes, sampleBoard, servedFolder } from '../sim-inputs.js';

const FIT_ADDR = 0x48000000;
const sample = (f: string): Uint8Array => new Uint8Array(fs.readFileSync(path.join(REPO_ROOT, 'samples', f)));
const script = 'fit_addr=$fileaddr\nimxtract $fit_addr host_kernel 0x42800000\nimxtract $fit_addr host_fdt 0x42A00000\nfdt addr 0x42A00000\nbooti 0x42800000 - 0x42A00000\n';
const images: FitImage[] = [
  { name: 'host_fdt', description: 'xen fdt', path: 'virt.dtb', data: sample('virt.dtb'), type: 'flat_dt', arch: 'arm64', load: 0x42A00000 },
  { name: 'host_kernel', description: 'xen kernel', path: 'xen', data: sample('xen').subarray(0, 4096), type: 'kernel', arch: 'arm64', os: 'linux', load: 0x42800000, entry: 0x42800000 },
  { name: 'boot_scr', description: "imagebuilder's boot script", path: 'boot.source', data: new TextEncoder().encode(script), type: 'script', load: 0x40200000, entry: 0x40200000 },
];
const spec: FitSpec = { images, configuration: { description: 'Imagebuilder xen', kernel: 'host_kernel', fdt: ['host_fdt'] } };
const keys = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const key = { hint: 'dev', privateKey: keys.privateKey, publicKey: keys.publicKey };
const ubootDtb = new FdtWriter().beginNode('').propertyString('model', 'board').endNode().finish();
const signed = mkimageFit({ ...spec, signing: { keyHint: 'dev', algo: 'sha1,rsa2048' } }, { timestamp: 0, key, ubootDtb });
const seeds = [mkimageFit(spec, { timestamp: 0 }).fit, mkimageFit({ ...spec, hashAlgo: 'sha256' }, { timestamp: 0 }).fit, signed.fit];

export const target: FuzzTarget<Uint8Array> = {
  name: path.basename(new URL(import.meta.url).pathname).replace(/\.[jt]s$/, ''),
  arbitrary: mutatedBytes(seeds, SCRIPT_TOKENS, 8),
  run(input) {
    verifyScript(input, servedFolder(), sampleBoard(), { scriptAddr: FIT_ADDR, scriptName: 'boot.fit', fitScript: 'boot_scr', controlFdt: signed.ubootDtb! });
  },
  ...bytesCodec,
};
