// sizeImage() as the planner calls it (head, tail, the whole blob for a DTB), over an in-memory
// file, then every role check: each binary format in src/images and the DTB check on real
// fixtures with byte edits.
import { checkRole, describeWhatItIs, type ImageRole } from '../../../src/images/roles.js';
import { sizeImage, type ImageFileIo } from '../../../src/images/probe-file.js';
import { UbootGenError } from '../../../src/errors.js';
import { bytesCodec, mutatedBytes, seedFiles, seedFolder } from '../byte-mutations.js';
import { hostileDtbs } from '../hostile-dtbs.js';
import type { FuzzTarget } from '../target.js';

const HEAD = 16 * 1024;
export const imageSeeds = [
  ...seedFolder('test/fixtures/images', (n) => !/\.(sh|json|dts|source)$/.test(n)),
  ...seedFolder('test/fixtures/dtb', (n) => n.endsWith('.dtb') && n !== 'qemu-virt-gicv3-2g.dtb'),
  ...seedFiles('samples/virt.dtb', 'samples/initrd.cpio.gz'),
  ...hostileDtbs(),
  // Large binaries: their headers are what the parsers read.
  ...seedFiles('samples/xen', 'samples/Image').map((b) => b.subarray(0, HEAD)),
];

/** A file held in memory, read through the same interface as a real one. */
export function memoryIo(bytes: Uint8Array): ImageFileIo {
  return {
    open: () => 3,
    size: () => bytes.length,
    read: (_fd, position, length) => bytes.subarray(position, position + length),
    close: () => undefined,
  };
}

const ROLES: ImageRole[] = ['xen', 'kernel', 'ramdisk', 'dtb', 'passthrough-dtb', 'script-text'];

export const target: FuzzTarget<Uint8Array> = {
  name: 'images-probe',
  arbitrary: mutatedBytes(imageSeeds),
  run(bytes) {
    const info = sizeImage('fuzz.bin', 'FUZZ', memoryIo(bytes));
    describeWhatItIs(info);
    for (const role of ROLES) {
      try {
        checkRole(info, role, 'FUZZ');
      } catch (e) {
        if (!(e instanceof UbootGenError)) throw e;
      }
    }
  },
  ...bytesCodec,
};
