import { expect } from 'chai';
import { ImageFormatError } from '../../../src/errors.js';
import {
  ARM64_GUESSED_IMAGE_SIZE, ARM64_GUESSED_TEXT_OFFSET, LINUX_ARM64_IMAGE_MAGIC, arm64Image, decodeArm64Flags,
  describeArm64Image, parseArm64Image, probeArm64Image, probeArm64ImageXen,
} from '../../../src/images/arm64-image.js';
import { ByteWriter } from '../../../src/util/bytes.js';
import { fixtureBytes } from './fixtures.js';

/**
 * A header laid out by hand from Linux Documentation/arch/arm64/booting.rst §4:
 * code0, code1, text_offset, image_size, flags, res2..res4, magic, res5 (PE offset).
 */
function handHeader(o: { code0?: number; textOffset: number; imageSize: number; flags: number; magic?: number; pe?: number }): Uint8Array {
  return new ByteWriter()
    .u32le(o.code0 ?? 0x91005a4d) // "MZ" + add x13, x18, #0x16 (EFI stub)
    .u32le(0x14000000)            // code1: b stext
    .u64le(o.textOffset).u64le(o.imageSize).u64le(o.flags)
    .u64le(0).u64le(0).u64le(0)
    .u32le(o.magic ?? LINUX_ARM64_IMAGE_MAGIC)
    .u32le(o.pe ?? 0x40)
    .finish();
}

describe('images → arm64-image', () => {
  it('reads a hand-built header (booting.rst layout)', () => {
    const h = handHeader({ textOffset: 0x80000, imageSize: 0x2a40000, flags: 0x2 });
    expect(h.length).to.equal(64);
    expect(Buffer.from(h.subarray(56, 60)).toString('latin1')).to.equal('ARM\x64');
    expect(probeArm64Image(h)).to.equal(true);
    expect(parseArm64Image(h, 'Image')).to.deep.equal({ textOffset: 0x80000, imageSize: 0x2a40000, flags: 2, sizeWasGuessed: false, peOffset: 0x40 });
  });

  it('reads the real Xen 4.17 arm64 header (Debian xen-hypervisor-4.17-arm64)', () => {
    const info = parseArm64Image(fixtureBytes('xen-4.17-arm64.head'), 'xen-4.17-arm64');
    // __HEAD_FLAGS = LE | 4K pages | PHYS_BASE anywhere = 0xa; image_size = _end - start
    expect(info).to.deep.equal({ textOffset: 0, imageSize: 0x1360c8, flags: 0xa, sizeWasGuessed: false, peOffset: 0x40 });
    expect(decodeArm64Flags(info.flags)).to.deep.equal({ bigEndian: false, pageSize: 4096, placeAnywhere: true });
  });

  it('reads the real Debian 6.1 arm64 kernel header (image_size includes BSS, larger than the file)', () => {
    const info = parseArm64Image(fixtureBytes('Image-6.1.0-50-cloud-arm64.head'), 'vmlinuz');
    expect(info).to.deep.equal({ textOffset: 0, imageSize: 0x1aa0000, flags: 0xa, sizeWasGuessed: false, peOffset: 0x40 });
    expect(info.imageSize).to.be.greaterThan(27236288); // real file size from MANIFEST.json
  });

  it('assumes 16 MiB at 0x80000 when image_size is 0, as U-Boot booti_setup()', () => {
    const info = parseArm64Image(handHeader({ textOffset: 0x1234, imageSize: 0, flags: 0 }), 'old-Image');
    expect(info).to.deep.equal({
      textOffset: ARM64_GUESSED_TEXT_OFFSET, imageSize: ARM64_GUESSED_IMAGE_SIZE, flags: 0, sizeWasGuessed: true, peOffset: 0x40,
    });
    expect(ARM64_GUESSED_IMAGE_SIZE).to.equal(0x1000000);
  });

  it('rejects a zeroed magic with IMAGE_BAD_MAGIC (derived from the real Xen header)', () => {
    const bad = fixtureBytes('xen-4.17-arm64.head').slice(0, 64);
    bad.fill(0, 56, 60);
    expect(probeArm64Image(bad)).to.equal(false);
    expect(() => parseArm64Image(bad, 'xen')).to.throw(ImageFormatError).with.property('code', 'IMAGE_BAD_MAGIC');
  });

  it('reports a header cut before the magic as IMAGE_TRUNCATED and never probes it', () => {
    const cut = fixtureBytes('xen-4.17-arm64.head').subarray(0, 58);
    expect(probeArm64Image(cut)).to.equal(false);
    expect(() => parseArm64Image(cut, 'xen')).to.throw(ImageFormatError).with.property('code', 'IMAGE_TRUNCATED');
  });

  it('accepts the legacy code0 branch only under Xen\'s rule', () => {
    const legacy = handHeader({ code0: 0x14000008, textOffset: 0x80000, imageSize: 0, flags: 0, magic: 0 });
    expect(probeArm64Image(legacy)).to.equal(false);
    expect(probeArm64ImageXen(legacy)).to.equal(true);
    expect(probeArm64ImageXen(fixtureBytes('xen-4.17-arm64.head'))).to.equal(true);
    expect(probeArm64ImageXen(fixtureBytes('zImage-6.1.0-50-armmp.head'))).to.equal(false);
  });

  it('decodes page size, endianness and placement flags', () => {
    expect(decodeArm64Flags(0)).to.deep.equal({ bigEndian: false, pageSize: undefined, placeAnywhere: false });
    expect(decodeArm64Flags(0b0111)).to.deep.equal({ bigEndian: true, pageSize: 65536, placeAnywhere: false });
    expect(decodeArm64Flags(0b1100)).to.deep.equal({ bigEndian: false, pageSize: 16384, placeAnywhere: true });
  });

  it('describes the header', () => {
    expect(describeArm64Image(parseArm64Image(fixtureBytes('xen-4.17-arm64.head'), 'xen'))).to.deep.equal([
      'Text Offset:  0x0',
      'Image Size:   0x1360c8',
      'Flags:        0xa (little-endian, 4K pages, placed anywhere)',
      'PE/COFF:      header at 0x40 (EFI stub)',
    ]);
    expect(arm64Image.describe(parseArm64Image(handHeader({ textOffset: 0, imageSize: 0, flags: 0, pe: 0 }), 'x'))[1])
      .to.equal('Image Size:   0x1000000 (assumed 16 MiB, header has no image_size)');
  });
});
