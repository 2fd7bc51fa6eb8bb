import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ImageFormatError } from '../../../src/errors.js';
import { sizeImage, type ImageInfo } from '../../../src/images/probe-file.js';
import { type ImageRole, checkRole, describeWhatItIs } from '../../../src/images/roles.js';
import { IH_ARCH_ARM64, IH_COMP_LZ4, IH_COMP_NONE, IH_OS_LINUX, IH_TYPE_KERNEL, IH_TYPE_SCRIPT, writeUImage } from '../../../src/images/uimage.js';
import { catchError, fixtureBytes, imagesFixture, sparseFromSlice, tempDir } from './fixtures.js';

const info = (name: string): ImageInfo =>
  name.endsWith('.head') ? sizeImage(sparseFromSlice(name).path, name) : sizeImage(imagesFixture(name), name);

function withBytes(name: string, bytes: Uint8Array): ImageInfo {
  const p = path.join(tempDir(), name);
  fs.writeFileSync(p, bytes);
  return sizeImage(p, name);
}

const ACCEPTED: Record<ImageRole, string[]> = {
  xen: ['xen-4.17-arm64.head', 'xen-4.17-armhf.head'],
  linux: ['Image-6.1.0-50-cloud-arm64.head'],
  kernel: ['Image-6.1.0-50-cloud-arm64.head', 'zImage-6.1.0-50-armmp.head', 'Image-6.1.0-50-cloud-arm64.gz.head', 'xen-head.ub'],
  ramdisk: ['initrd-newc.cpio', 'initrd-crc.cpio', 'initrd-newc.cpio.gz', 'initrd-newc.cpio.zst'],
  dtb: ['tiny.dtb'],
  'passthrough-dtb': ['tiny.dtb'],
  'dt-overlay': ['tiny.dtb'],
  'script-text': ['boot.source', 'tiny.source'],
  bitstream: ['part-2.bin'],
  'xsm-policy': ['part-2.bin'],
};

describe('images → roles → checkRole', () => {
  for (const [role, names] of Object.entries(ACCEPTED) as [ImageRole, string[]][]) {
    for (const name of names) {
      it(`accepts ${name} as ${role}`, () => expect(() => checkRole(info(name), role, 'KEY')).to.not.throw());
    }
  }

  it('names the key, the file and what it is when a kernel is a DTB', () => {
    const dtb = info('tiny.dtb');
    const err = catchError(() => checkRole({ ...dtb, path: 'virt.dtb' }, 'kernel', 'DOMU_KERNEL[0]'));
    expect(err).to.be.instanceOf(ImageFormatError);
    expect(err.code).to.equal('IMAGE_WRONG_TYPE');
    expect(err.message).to.equal(
      'DOMU_KERNEL[0] = "virt.dtb" is a device tree blob, but a kernel is expected (arm64 Image, zImage, uImage or gzip-compressed kernel)');
    expect(err.where).to.deep.equal({ file: 'virt.dtb', key: 'DOMU_KERNEL[0]' });
  });

  const REJECTED: [string, ImageRole, string, RegExp?][] = [
    ['Image-6.1.0-50-cloud-arm64.gz.head', 'xen', 'gzip-compressed data containing an arm64 Image', /kernel_comp_addr_r/],
    ['xen-head.ub', 'xen', 'a legacy U-Boot image (AArch64 Linux Kernel Image, uncompressed)', /raw Xen binary/],
    ['Image-6.1.0-50-cloud-arm64.gz.head', 'linux', 'gzip-compressed data containing an arm64 Image', /kernel_comp_addr_r/],
    ['zImage-6.1.0-50-armmp.head', 'linux', 'an arm32 zImage'],
    ['xen-head.ub', 'linux', 'a legacy U-Boot image (AArch64 Linux Kernel Image, uncompressed)', /raw Image/],
    ['initrd-newc.cpio.gz', 'kernel', 'gzip-compressed data containing a cpio archive', /does not contain/],
    ['initrd-newc.cpio.zst', 'kernel', 'zstd-compressed data', /only decompresses gzip/],
    ['boot.scr', 'kernel', 'a legacy U-Boot image (AArch64 Linux Script, uncompressed)', /mkimage -T kernel/],
    ['initrd-odc.cpio', 'ramdisk', 'a cpio archive (odc format)', /newc/],
    ['initrd.uimg', 'ramdisk', 'a legacy U-Boot image (AArch64 Linux RAMDisk Image, gzip compressed)', /unchanged/],
    ['tiny.dtb.gz', 'ramdisk', 'gzip-compressed data containing a device tree blob'],
    ['xen-4.17-arm64.head', 'ramdisk', 'an arm64 Image'],
    ['tiny.dts', 'dtb', 'an ASCII text file', /dtc -I dts/],
    ['initrd-newc.cpio', 'passthrough-dtb', 'a cpio archive (newc format)'],
    ['tiny.dts', 'dt-overlay', 'an ASCII text file', /dtc -@ -I dts/],
    ['tiny.dtb', 'script-text', 'a device tree blob'],
    ['boot.scr', 'script-text', 'a legacy U-Boot image (AArch64 Linux Script, uncompressed)'],
  ];
  for (const [name, role, whatItIs, hint] of REJECTED) {
    it(`rejects ${name} as ${role}: "${whatItIs}"`, () => {
      const i = info(name);
      const err = catchError(() => checkRole(i, role, 'KEY'));
      expect(err.code).to.equal('IMAGE_WRONG_TYPE');
      expect(err.message).to.match(new RegExp(`^KEY = ".*" is ${whatItIs.replace(/[()]/g, '\\$&')}, but `));
      if (hint) expect(err.hint).to.match(hint);
      expect(err.data).to.deep.include({ key: 'KEY', role, format: i.format });
    });
  }

  it('rejects uImage kernels Xen cannot probe (lz4 compression, PowerPC arch)', () => {
    const base = { os: IH_OS_LINUX, arch: IH_ARCH_ARM64, type: IH_TYPE_KERNEL, comp: IH_COMP_NONE, load: 0x40400000, ep: 0x40400000, name: '', time: 0 };
    const payload = fixtureBytes('xen-4.17-arm64.head');
    const lz4 = catchError(() => checkRole(withBytes('lz4.ub', writeUImage({ ...base, comp: IH_COMP_LZ4 }, payload)), 'kernel', 'DOM0_KERNEL'));
    expect([lz4.code, lz4.hint]).to.deep.equal(['IMAGE_WRONG_TYPE', 'Xen only accepts uncompressed or gzip uImages ("Unsupported uImage compression type 5")']);
    const ppc = catchError(() => checkRole(withBytes('ppc.ub', writeUImage({ ...base, arch: 7 }, payload)), 'kernel', 'DOM0_KERNEL'));
    expect(ppc.hint).to.equal('Xen only accepts ARM or AArch64 uImages ("Unsupported uImage arch type 7")');
    expect(() => checkRole(withBytes('ok.ub', writeUImage(base, payload)), 'kernel', 'DOM0_KERNEL')).to.not.throw();
    expect(catchError(() => checkRole(withBytes('s.ub', writeUImage({ ...base, type: IH_TYPE_SCRIPT }, payload)), 'kernel', 'K')).code)
      .to.equal('IMAGE_WRONG_TYPE');
  });

  it('describes an empty file and unknown binaries', () => {
    expect(describeWhatItIs(withBytes('empty', new Uint8Array(0)))).to.equal('an empty file');
    expect(describeWhatItIs(withBytes('junk', Uint8Array.from([0, 1, 2, 0xff, 0xfe])))).to.equal('an unrecognised binary file');
    expect(catchError(() => checkRole(withBytes('empty', new Uint8Array(0)), 'script-text', 'APPEND')).code).to.equal('IMAGE_WRONG_TYPE');
  });
});
