// Planner, Linux-only mode: LINUX in Xen's slot (host_kernel), LINUX_RAMDISK after the kernel's
// footprint (BSS included), the DTB last; no Xen build, no domains.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { planBoot } from '../../../src/api/generate.js';
import { verifyGenerated } from '../../../src/api/verify.js';
import { generate } from '../../../src/api/generate.js';
import { parseConfigText } from '../../../src/config/index.js';
import { ImageFormatError } from '../../../src/errors.js';
import { REPO_ROOT } from '../../helpers/paths.js';
import { tempDir } from '../../helpers/images.js';

const LINUX = ['MEMORY_START=0x40000000', 'MEMORY_END=0xC0000000', 'DEVICE_TREE=virt.dtb', 'LINUX=Image', 'LOAD_CMD=tftpb', 'UBOOT_SOURCE=boot.source'];

function samples(): string {
  const dir = tempDir();
  for (const f of ['Image', 'initrd.cpio.gz', 'virt.dtb', 'xen']) fs.copyFileSync(path.join(REPO_ROOT, 'samples', f), path.join(dir, f));
  return dir;
}
function plan(dir: string, lines: string[]) {
  const { config, diagnostics } = parseConfigText(`${[...LINUX, ...lines].join('\n')}\n`, path.join(dir, 'config'), { env: {} });
  return planBoot({ config, dir, diagnostics });
}

describe('plan → Linux-only mode', () => {
  it('places the kernel at the first slot, the ramdisk past its image_size, then the DTB', () => {
    const p = plan(samples(), ['LINUX_RAMDISK=initrd.cpio.gz', 'LINUX_CMD="console=ttyAMA0"']);
    expect(p.loads.map((l) => [l.id, l.role, l.keys, l.addr, l.footprint, l.reservedEnd])).to.deep.equal([
      ['host_kernel', 'linux', ['LINUX'], 0x40400000, 0x2010000, 0x42600000],
      ['host_ramdisk', 'linux-ramdisk', ['LINUX_RAMDISK'], 0x42600000, 0x127, 0x42800000],
      ['host_fdt', 'dtb', ['DEVICE_TREE'], 0x42800000, p.dtb.load.footprint, 0x42a00000],
    ]);
    expect(p.linux?.kernel).to.equal(p.xen.load);
    expect(p.linux?.ramdisk).to.equal(p.loads[1]);
    expect(p.linux?.cmd).to.equal('console=ttyAMA0 root=/dev/ram0');
    expect(p.xen.runAddr).to.equal(0x40400000);
    expect(p.xen.imageSize).to.equal(0x2010000);
    expect(p.domains).to.deep.equal([]);
    expect(p.dtb.growth).to.equal(0x79);
  });

  it('refuses a LINUX that booti cannot start, at its value', () => {
    const dir = samples();
    let err: unknown;
    try { plan(dir, ['LINUX_RAMDISK=initrd.cpio.gz']); plan(dir, ['LINUX=virt.dtb']); } catch (e) { err = e; }
    expect(err).to.be.instanceOf(ImageFormatError);
    expect((err as ImageFormatError).code).to.equal('IMAGE_WRONG_TYPE');
    expect((err as ImageFormatError).message).to.equal(
      `LINUX = "${path.join(dir, 'virt.dtb')}" is a device tree blob, but a Linux kernel that booti can start is expected (an uncompressed arm64 Image)`);
    expect((err as ImageFormatError).where).to.deep.include({ line: 7, col: 7, key: 'LINUX' });
  });

  it('is verified in the Linux model: U-Boot → Linux, one domain "linux"; without LINUX_RAMDISK Linux panics', () => {
    const dir = samples();
    fs.writeFileSync(path.join(dir, 'config'), `${[...LINUX, 'LINUX_RAMDISK=initrd.cpio.gz', 'LINUX_CMD="console=ttyAMA0"'].join('\n')}\n`);
    const good = verifyGenerated(generate(path.join(dir, 'config'), { env: {}, write: false, dir }));
    expect(good.ok).to.equal(true);
    expect(good.xen).to.equal(undefined);
    expect(good.linux?.bootargs).to.equal('console=ttyAMA0 root=/dev/ram0');
    expect(good.domains.map((d) => [d.name, d.kind, d.verdict, d.ramdisk])).to.deep.equal([['linux', 'linux', 'up', { start: 0x42600000, size: 0x127 }]]);
    fs.writeFileSync(path.join(dir, 'config'), `${[...LINUX, 'LINUX_CMD="console=ttyAMA0"'].join('\n')}\n`);
    const bad = verifyGenerated(generate(path.join(dir, 'config'), { env: {}, write: false, dir }));
    expect(bad.ok).to.equal(false);
    expect(bad.linux?.panic).to.equal('VFS: Unable to mount root fs on unknown-block(0,0)');
    expect(bad.uboot.failures).to.deep.equal([]);
  });
});
