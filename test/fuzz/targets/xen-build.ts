// The Xen-build reader on edited Xen images: the real head of Debian's xen-4.17-arm64 with the
// real Debian .config as its embedded gzip member, bare, in a uImage and gzip'd. Scanning must
// return or refuse with a typed error, and whatever .config it finds must parse the same way.
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { UbootGenError } from '../../../src/errors.js';
import { IH_ARCH_ARM64, IH_COMP_NONE, IH_OS_LINUX, IH_TYPE_KERNEL, writeUImage } from '../../../src/images/uimage.js';
import { parseXenKconfig, resolveXenBuild, scanXenImage } from '../../../src/xen-build/index.js';
import { fixturePath } from '../../helpers/paths.js';
import { bytesCodec, mutatedBytes } from '../byte-mutations.js';
import type { FuzzTarget } from '../target.js';

function seeds(): Uint8Array[] {
  const head = new Uint8Array(fs.readFileSync(fixturePath('images', 'xen-4.17-arm64.head')));
  const config = zlib.gzipSync(fs.readFileSync(fixturePath('xen-build', 'debian-xen-4.17-arm64.config')));
  const image = new Uint8Array(head.length + config.length + 64);
  image.set(head, 0);
  image.set(config, head.length);
  const ub = writeUImage({ os: IH_OS_LINUX, arch: IH_ARCH_ARM64, type: IH_TYPE_KERNEL, comp: IH_COMP_NONE, load: 0x42800000, ep: 0x42800000, name: '', time: 0 }, image);
  return [image, ub, new Uint8Array(zlib.gzipSync(image))];
}

export const target: FuzzTarget<Uint8Array> = {
  name: 'xen-build',
  arbitrary: mutatedBytes(seeds()),
  run(bytes) {
    try {
      const scan = scanXenImage(bytes, 'fuzz');
      if (scan.config) parseXenKconfig(scan.config.text, 'fuzz');
      resolveXenBuild({ image: { bytes, name: 'fuzz' } });
    } catch (e) {
      if (!(e instanceof UbootGenError)) throw e;
    }
  },
  ...bytesCodec,
};
