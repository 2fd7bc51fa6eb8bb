// Against ImageBuilder itself (Xilinx imagebuilder, branch xlnx_rel_v2023.2, scripts/uboot-script-gen run with
// SOURCE_DATE_EPOCH=0 on test/fixtures/fit/imagebuilder-2023.2-xen.config and the samples): the .its it wrote,
// unsigned and with -k keys/dev -u u-boot.dtb, and the sha256 of the FIT its mkimage call made. The DTB in it
// is ImageBuilder's fdtput-edited copy (virt-fit.dtb), kept as a fixture with the script it wrote.
import { expect } from 'chai';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mkimageFit, renderIts, type FitImage, type FitSpec } from '../../../src/fit/index.js';

const fixture = (name: string): Buffer => fs.readFileSync(path.join('test', 'fixtures', 'fit', name));
const sample = (name: string): Uint8Array => new Uint8Array(fs.readFileSync(path.join('samples', name)));

/** ImageBuilder's images for the fixture config: its addresses (file-size planning), its names and paths. */
function imageBuilderSpec(signed: boolean): FitSpec {
  const k = (name: string, description: string, file: string, data: Uint8Array, type: FitImage['type'], load: number, extra: Partial<FitImage> = {}): FitImage =>
    ({ name, description, path: file, data, type, arch: 'arm64', load, ...extra });
  return {
    images: [
      k('host_fdt', 'xen fdt', 'virt-fit.dtb', new Uint8Array(fixture('imagebuilder-2023.2-virt-fit.dtb')), 'flat_dt', 0x40E00000),
      k('host_kernel', 'xen kernel', 'xen', sample('xen'), 'kernel', 0x40C00000, { os: 'linux', entry: 0x40C00000 }),
      k('dom0_ramdisk', 'dom0 ramdisk', 'initrd.cpio.gz', sample('initrd.cpio.gz'), 'ramdisk', 0x40600000, { os: 'linux' }),
      k('dom0_linux', 'dom0 linux kernel binary', 'Image', sample('Image'), 'kernel', 0x40400000, { os: 'linux' }),
      k('domU0_kernel', 'domU0 kernel binary', 'Image', sample('Image'), 'kernel', 0x40800000, { os: 'linux' }),
      k('domU0_ramdisk', 'domU0 ramdisk', 'initrd.cpio.gz', sample('initrd.cpio.gz'), 'ramdisk', 0x40A00000, { os: 'linux' }),
      k('boot_scr', "imagebuilder's boot script", 'boot.source', new Uint8Array(fixture('imagebuilder-2023.2-xen.source')), 'script', 0x40200000, { arch: undefined, entry: 0x40200000 }),
    ],
    configuration: { description: 'Imagebuilder xen', kernel: 'host_kernel', fdt: ['host_fdt'], loadables: ['dom0_linux', 'dom0_ramdisk', 'domU0_kernel', 'domU0_ramdisk'] },
    ...(signed ? { signing: { keyHint: 'dev', algo: 'sha1,rsa2048' as const } } : {}),
  };
}

describe('fit: against ImageBuilder 2023.2', () => {
  it('the .its is ImageBuilder\'s, character for character (unsigned and signed)', () => {
    expect(renderIts(imageBuilderSpec(false))).to.equal(fixture('imagebuilder-2023.2-xen.its').toString('utf8'));
    expect(renderIts(imageBuilderSpec(true))).to.equal(fixture('imagebuilder-2023.2-xen-signed.its').toString('utf8'));
  });

  it('the FIT is the one ImageBuilder\'s mkimage call wrote (same sha256)', () => {
    const fit = mkimageFit(imageBuilderSpec(false), { timestamp: 0 }).fit;
    expect(crypto.createHash('sha256').update(fit).digest('hex')).to.equal(fixture('imagebuilder-2023.2-xen.fit.sha256').toString('utf8').trim());
  });
});
