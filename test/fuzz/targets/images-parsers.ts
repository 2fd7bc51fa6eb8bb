// Every header parser of src/images called directly on edited real files, whatever their
// magic says: each must return or refuse with a typed error, and `describe` must print what
// `parse` returned.
import { UbootGenError } from '../../../src/errors.js';
import { describeArm64Image, parseArm64Image } from '../../../src/images/arm64-image.js';
import { parseCpioEntry, walkCpio } from '../../../src/images/cpio.js';
import { describeDtb, parseDtbHeader } from '../../../src/images/dtb.js';
import { gzipIsize, parseGzipHeader, peekGunzip } from '../../../src/images/gzip.js';
import { detectCompression, detectFormat } from '../../../src/images/registry.js';
import { multiImageParts, parseMultiTable, uimage, verifyUImage } from '../../../src/images/uimage.js';
import { describeZImage, parseZImage } from '../../../src/images/zimage.js';
import { bytesCodec, mutatedBytes } from '../byte-mutations.js';
import type { FuzzTarget } from '../target.js';
import { imageSeeds } from './images-probe.js';

function typed(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof UbootGenError)) throw e;
  }
}

export const target: FuzzTarget<Uint8Array> = {
  name: 'images-parsers',
  arbitrary: mutatedBytes(imageSeeds),
  run(bytes) {
    detectFormat(bytes);
    detectCompression(bytes);
    typed(() => describeArm64Image(parseArm64Image(bytes, 'fuzz')));
    typed(() => describeZImage(parseZImage(bytes, 'fuzz')));
    typed(() => { const info = uimage.parse(bytes, 'fuzz'); uimage.describe(info); });
    typed(() => verifyUImage(bytes, 'fuzz', { checkData: true }));
    typed(() => parseMultiTable(bytes.subarray(64), 'fuzz'));
    typed(() => multiImageParts(bytes.subarray(64), 'fuzz'));
    typed(() => parseGzipHeader(bytes, 'fuzz'));
    typed(() => gzipIsize(bytes.subarray(Math.max(0, bytes.length - 4))));
    typed(() => peekGunzip(bytes, 4096));
    typed(() => parseCpioEntry(bytes, 'fuzz'));
    typed(() => walkCpio(bytes, 'fuzz'));
    typed(() => describeDtb(parseDtbHeader(bytes, 'fuzz')));
  },
  ...bytesCodec,
};
