import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ImageFormatError } from '../../../src/errors.js';
import { HEAD_BYTES, type ImageFileIo, nodeFileIo, sizeImage, textKind } from '../../../src/images/probe-file.js';
import { IH_TYPE_KERNEL, IH_TYPE_RAMDISK } from '../../../src/images/uimage.js';
import { catchError, fixtureBytes, imagesFixture, sparseFromSlice, tempDir } from './fixtures.js';

/** nodeFileIo that records every read, so tests can prove what was (not) read. */
function countingIo(): { io: ImageFileIo; reads: [number, number][] } {
  const reads: [number, number][] = [];
  return {
    reads,
    io: { ...nodeFileIo, read(fd, pos, len) { reads.push([pos, len]); return nodeFileIo.read(fd, pos, len); } },
  };
}

describe('images → probe-file → sizeImage', () => {
  it('sizes the real Xen 4.17 arm64 binary by its image_size (ML4: max(file, image_size))', () => {
    const { path: p, realSize } = sparseFromSlice('xen-4.17-arm64.head');
    const info = sizeImage(p, 'XEN');
    expect([info.format, info.fileSize, info.transferSize, info.footprint]).to.deep.equal(['arm64-image', realSize, 983048, 0x1360c8]);
    expect(info.arm64).to.deep.equal({ textOffset: 0, imageSize: 0x1360c8, flags: 0xa, sizeWasGuessed: false, peOffset: 0x40 });
  });

  it('sizes the real Debian arm64 kernel (27 MB file, 0x1aa0000 with BSS)', () => {
    const { path: p } = sparseFromSlice('Image-6.1.0-50-cloud-arm64.head');
    const info = sizeImage(p, 'DOM0_KERNEL');
    expect([info.fileSize, info.footprint]).to.deep.equal([27236288, 0x1aa0000]);
  });

  it('sizes the real armhf Xen zImage by end − start (ML7), the kernel zImage by its file size', () => {
    const xen = sizeImage(sparseFromSlice('xen-4.17-armhf.head').path, 'XEN');
    expect([xen.format, xen.fileSize, xen.footprint]).to.deep.equal(['zimage', 884744, 0x116290]);
    const linux = sizeImage(sparseFromSlice('zImage-6.1.0-50-armmp.head').path, 'DOM0_KERNEL');
    expect([linux.format, linux.fileSize, linux.footprint, linux.zimage?.size]).to.deep.equal(['zimage', 5448192, 5448192, 5448192]);
  });

  it('sizes a gzip kernel by its compressed size and names what is inside (real kernel, gzip -n)', () => {
    const { path: p } = sparseFromSlice('Image-6.1.0-50-cloud-arm64.gz.head');
    const info = sizeImage(p, 'DOMU_KERNEL[0]');
    expect(info).to.deep.include({ format: 'gzip', fileSize: 9887400, footprint: 9887400, inner: 'arm64-image', compression: 'gzip' });
    expect(info.gzip).to.deep.equal({ isize: 27236288 });
  });

  it('sizes a gzip cpio (ISIZE from the trailer, inner cpio newc)', () => {
    const info = sizeImage(imagesFixture('initrd-newc.cpio.gz'), 'DOM0_RAMDISK');
    expect(info).to.deep.include({ format: 'gzip', fileSize: 183, footprint: 183, inner: 'cpio' });
    expect(info.gzip).to.deep.equal({ isize: 1024, innerCpio: 'newc' });
  });

  it('sizes uImages by file size and reports the payload format', () => {
    const xen = sizeImage(imagesFixture('xen-head.ub'), 'XEN');
    expect(xen).to.deep.include({ format: 'uimage', fileSize: 4160, footprint: 4160, inner: 'arm64-image' });
    expect([xen.uimage?.type, xen.uimage?.load]).to.deep.equal([IH_TYPE_KERNEL, 0x40400000]);
    const rd = sizeImage(imagesFixture('initrd.uimg'), 'RAMDISK');
    expect([rd.uimage?.type, rd.inner]).to.deep.equal([IH_TYPE_RAMDISK, 'gzip']);
    const scr = sizeImage(imagesFixture('boot.scr'), 'boot.scr');
    expect([scr.uimage?.parts, scr.inner]).to.deep.equal([[478], undefined]);
  });

  it('sizes cpio, dtb, text and zstd files by their file size', () => {
    const cases: [string, Record<string, unknown>][] = [
      ['initrd-odc.cpio', { format: 'cpio', fileSize: 512, footprint: 512, cpio: { variant: 'odc', firstName: 'init' } }],
      ['tiny.dtb', { format: 'dtb', fileSize: 456, footprint: 456 }],
      ['boot.source', { format: 'unknown', fileSize: 478, footprint: 478, text: 'ascii' }],
      ['initrd-newc.cpio.zst', { format: 'unknown', fileSize: 172, footprint: 172, compression: 'zstd' }],
    ];
    for (const [name, want] of cases) expect(sizeImage(imagesFixture(name), name), name).to.deep.include(want);
    expect(sizeImage(imagesFixture('tiny.dtb'), 'DTB').dtb?.totalsize).to.equal(456);
  });

  it('reads only the head and the last 4 bytes of a 100 MiB sparse file', () => {
    // The real gzip kernel's first 4 KiB, ISIZE bytes at the end, 100 MiB of holes between.
    const p = path.join(tempDir(), 'big.gz');
    const size = 100 * 1024 * 1024;
    fs.writeFileSync(p, fixtureBytes('Image-6.1.0-50-cloud-arm64.gz.head'));
    fs.truncateSync(p, size);
    const fd = fs.openSync(p, 'r+');
    fs.writeSync(fd, Uint8Array.from([0x78, 0x56, 0x34, 0x12]), 0, 4, size - 4);
    fs.closeSync(fd);
    const { io, reads } = countingIo();
    const info = sizeImage(p, 'DOMU_KERNEL[0]', io);
    expect(reads).to.deep.equal([[0, HEAD_BYTES], [size - 4, 4]]);
    expect(info).to.deep.include({ format: 'gzip', fileSize: size, transferSize: size, footprint: size, inner: 'arm64-image' });
    expect(info.gzip?.isize).to.equal(0x12345678);
  });

  it('reads a small file once (the tail comes from the head)', () => {
    const { io, reads } = countingIo();
    sizeImage(imagesFixture('tiny.dtb'), 'DTB', io);
    expect(reads).to.deep.equal([[0, 456]]);
  });

  it('reports a missing file as IMAGE_NOT_FOUND naming the key and the path', () => {
    const missing = path.join(tempDir(), 'nope.dtb');
    const err = catchError(() => sizeImage(missing, 'DOMU_DTB[0]'));
    expect(err).to.be.instanceOf(ImageFormatError);
    expect(err.code).to.equal('IMAGE_NOT_FOUND');
    expect(err.message).to.equal(`DOMU_DTB[0] = "${missing}" does not exist`);
    expect(catchError(() => sizeImage(tempDir(), 'DTB')).code).to.equal('IMAGE_NOT_REGULAR_FILE');
  });

  it('reports a uImage shorter than ih_size as IMAGE_TRUNCATED (real fixture cut)', () => {
    const p = path.join(tempDir(), 'cut.ub');
    fs.writeFileSync(p, fixtureBytes('xen-head.ub').subarray(0, 3000));
    expect(catchError(() => sizeImage(p, 'XEN')).code).to.equal('IMAGE_TRUNCATED');
  });

  it('reports a flipped uImage header byte as IMAGE_BAD_CRC', () => {
    const p = path.join(tempDir(), 'bad.ub');
    const b = fixtureBytes('xen-head.ub').slice();
    b[0x1c] = 3; // ih_os
    fs.writeFileSync(p, b);
    expect(catchError(() => sizeImage(p, 'XEN')).code).to.equal('IMAGE_BAD_CRC');
  });

  it('reports a dtb cut below its totalsize as IMAGE_TRUNCATED', () => {
    const p = path.join(tempDir(), 'cut.dtb');
    fs.writeFileSync(p, fixtureBytes('tiny.dtb').subarray(0, 400));
    expect(catchError(() => sizeImage(p, 'DTB')).code).to.equal('IMAGE_TRUNCATED');
  });

  it('uses the file size for a pre-3.17 arm64 Image with image_size 0 (as ImageBuilder) but flags the guess', () => {
    const b = fixtureBytes('Image-6.1.0-50-cloud-arm64.head').slice();
    b.fill(0, 16, 24);
    const p = path.join(tempDir(), 'old-Image');
    fs.writeFileSync(p, b);
    const info = sizeImage(p, 'DOM0_KERNEL');
    expect([info.footprint, info.arm64?.sizeWasGuessed, info.arm64?.imageSize]).to.deep.equal([4096, true, 0x1000000]);
  });
});

describe('images → probe-file → textKind', () => {
  it('tells ASCII, UTF-8 and binary apart', () => {
    expect(textKind(Buffer.from('setenv a b\n'))).to.equal('ascii');
    expect(textKind(Buffer.from('echo "héllo"\n'))).to.equal('utf8');
    expect(textKind(Uint8Array.from([0xff, 0x41, 0x0a]))).to.equal(undefined); // 0xff never occurs in UTF-8
    expect(textKind(Buffer.from('ab\u00e9').subarray(0, 3))).to.equal('utf8'); // head cut inside "é"
    expect(textKind(fixtureBytes('tiny.dtb'))).to.equal(undefined);
    expect(textKind(new Uint8Array(0))).to.equal(undefined);
  });
});
