// boot.source golden tests: ImageBuilder's layout and formatting, byte for byte,
// except the documented `fdt resize` difference.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generate } from '../../../src/api/generate.js';
import { arm64Image } from '../../helpers/samples.js';
import { fixturePath, REPO_ROOT } from '../../helpers/paths.js';
import { boardDtb, cpioFile, ramdiskFile, sparseFile, tempDir, writeConfig } from '../../helpers/images.js';

function hasTool(t: string): boolean {
  try { execFileSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' }); return true; } catch { return false; }
}

/** The Xen CI dom0less arm64 config (imagebuilder.md §12.1) with the worked example's sizes (§12.5). */
function xenCiWorkedExample(): { dir: string; config: string } {
  const dir = tempDir();
  const kernelHead = arm64Image({ fileSize: 4096, imageSize: 0x2c10000, textOffset: 0, flags: 0xa, code0: 0xfa405a4d, fill: 1 });
  sparseFile(path.join(dir, 'Image'), kernelHead, 0x2000000);
  // A second, different file for the domU so the layout matches ImageBuilder's (no sharing).
  sparseFile(path.join(dir, 'Image-domU'), arm64Image({ fileSize: 4096, imageSize: 0x2c10000, textOffset: 0, flags: 0xa, code0: 0xfa405a4d, fill: 2 }), 0x2000000);
  ramdiskFile(path.join(dir, 'dom0-rootfs.cpio.gz'), 0x320007b);
  cpioFile(path.join(dir, 'initrd'), 0x180000);
  sparseFile(path.join(dir, 'xen'), arm64Image({ fileSize: 4096, imageSize: 0x1000f0, textOffset: 0, flags: 0xa, code0: 0x91005a4d, fill: 3 }), 0x110000);
  fs.writeFileSync(path.join(dir, 'virt.dtb'), boardDtb({ totalsize: 0x100000 }));
  const config = writeConfig(dir, [
    'MEMORY_START="0x40000000"', 'MEMORY_END="0x50000000"', 'DEVICE_TREE="virt.dtb"', 'XEN="xen"',
    'DOM0_KERNEL="Image"', 'DOM0_RAMDISK="dom0-rootfs.cpio.gz"',
    'XEN_CMD="console=dtuart dom0_mem=512M console_timestamps=boot"',
    'NUM_DOMUS=1', 'DOMU_KERNEL[0]="Image-domU"', 'DOMU_RAMDISK[0]="initrd"', 'DOMU_MEM[0]="256"',
    'DOMU_KERNEL[1]="Image"', 'DOMU_MEM[1]="256"',
    'LOAD_CMD="tftpb"', 'UBOOT_SOURCE="boot.source"', 'UBOOT_SCRIPT="boot.scr"',
  ]);
  return { dir, config };
}

describe('emit → golden boot.source', () => {
  it('reproduces ImageBuilder\'s worked example (Xen CI dom0less arm64) line for line', () => {
    const { dir, config } = xenCiWorkedExample();
    const r = generate(config, { env: {} });
    const expected = fs.readFileSync(fixturePath('golden', 'xen-ci-arm64.source'), 'utf8').replace('@RESIZE@', `0x${r.plan.dtb.resizeExtra.toString(16).toUpperCase()}`);
    expect(fs.readFileSync(path.join(dir, 'boot.source'), 'utf8')).to.equal(expected);
    // The resize is exactly what the edits add, by libfdt's accounting (worked out by hand):
    // 5 nodes = 24 (dom0@40400000) + 32 (dom0-ramdisk@43200000) + 16 (domU0) + 24 + 24 (module@...) = 120;
    // 20 properties = 12 + align4(value) each, plus the new names xen,xen-bootargs (17), xen,dom0-bootargs (18),
    // memory (7), cpus (5), vpl011 (7), xen,enhanced (13) = 760; "bootargs" costs no string bytes because
    // libfdt finds it as the tail of "xen,xen-bootargs" (-9). 120 + 760 - 9 = 871.
    expect(r.plan.dtb.growth).to.equal(871);
    expect(r.plan.dtb.resizeExtra).to.equal(871);
    expect(r.outputs.source).to.contain('\nfdt resize 0x367\n');
  });

  it('the README sample with --no-share matches ImageBuilder\'s layout', () => {
    const out = tempDir();
    const r = generate(path.join(REPO_ROOT, 'config.example'), { env: {}, share: false, write: false, dir: REPO_ROOT });
    const expected = fs.readFileSync(fixturePath('golden', 'config.example.no-share.source'), 'utf8').replace('@RESIZE@', `0x${r.plan.dtb.resizeExtra.toString(16).toUpperCase()}`);
    expect(r.outputs.source).to.equal(expected);
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('the README sample by default loads the shared kernel and ramdisk once', () => {
    const r = generate(path.join(REPO_ROOT, 'config.example'), { env: {}, write: false, dir: REPO_ROOT });
    const expected = fs.readFileSync(fixturePath('golden', 'config.example.source'), 'utf8').replace('@RESIZE@', `0x${r.plan.dtb.resizeExtra.toString(16).toUpperCase()}`);
    expect(r.outputs.source).to.equal(expected);
    expect(r.plan.loads.map((l) => l.keys.join('+'))).to.deep.equal([
      'DOM0_KERNEL+DOMU_KERNEL[0]+DOMU_KERNEL[1]', 'DOM0_RAMDISK+DOMU_RAMDISK[0]+DOMU_RAMDISK[1]', 'XEN', 'DEVICE_TREE',
    ]);
  });

  it('is deterministic: two runs give byte-identical boot.source and boot.scr', () => {
    const a = generate(path.join(REPO_ROOT, 'config.example'), { env: {}, write: false, dir: REPO_ROOT });
    const b = generate(path.join(REPO_ROOT, 'config.example'), { env: {}, write: false, dir: REPO_ROOT });
    expect(a.outputs.source).to.equal(b.outputs.source);
    expect(Buffer.from(a.outputs.script).equals(Buffer.from(b.outputs.script))).to.equal(true);
  });

  it('boot.scr is byte-identical to mkimage\'s, and dumpimage accepts it', function () {
    if (!hasTool('mkimage') || !hasTool('dumpimage')) this.skip();
    const { dir, config } = xenCiWorkedExample();
    const r = generate(config, { env: { SOURCE_DATE_EPOCH: '1700000000' } });
    const ref = path.join(dir, 'ref.scr');
    execFileSync('mkimage', ['-A', 'arm64', '-T', 'script', '-C', 'none', '-a', '0x40200000', '-e', '0x40200000', '-d', path.join(dir, 'boot.source'), ref],
      { env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' }, stdio: 'ignore' });
    expect(Buffer.compare(fs.readFileSync(ref), fs.readFileSync(path.join(dir, 'boot.scr')))).to.equal(0);
    expect(r.timestamp).to.equal(1700000000);
    const listing = execFileSync('dumpimage', ['-l', path.join(dir, 'boot.scr')], { encoding: 'utf8' });
    expect(listing).to.contain('Image Type:   AArch64 Linux Script (uncompressed)');
    expect(listing).to.contain('Load Address: 40200000');
  });

  it('the timestamp defaults to 0 without SOURCE_DATE_EPOCH', () => {
    const r = generate(path.join(REPO_ROOT, 'config.example'), { env: {}, write: false, dir: REPO_ROOT });
    expect(Buffer.from(r.outputs.script.subarray(8, 12)).readUInt32BE(0)).to.equal(0);
  });
});

describe('emit → golden boot.source over the real lab binaries', () => {
  it('matches the independently written script of the real dom0 + domU boot (Debian Linux 6.1 Image, Xen 4.17, QEMU virt DTB)', async () => {
    const { materialise } = await import('../../corpus/materialise.js');
    const dir = tempDir();
    materialise(dir, [{ name: 'Image', from: 'kernel' }, { name: 'initramfs.cpio.gz', from: 'initramfs' }, { name: 'xen', from: 'xen' }, { name: 'virt.dtb', from: 'dtb' }]);
    fs.writeFileSync(path.join(dir, 'extra.cmds'), 'fdt set /pl061@9030000 status "disabled"\n');
    const config = writeConfig(dir, [
      'MEMORY_START=0x40000000', 'MEMORY_END=0xC0000000', 'DEVICE_TREE=virt.dtb', 'XEN=xen',
      'XEN_CMD="console=dtuart dtuart=/pl011@9000000 dom0_mem=512M"',
      'DOM0_KERNEL=Image', 'DOM0_RAMDISK=initramfs.cpio.gz', 'DOM0_CMD="console=hvc0 labtoken=d0"',
      'NUM_DOMUS=1', 'DOMU_KERNEL[0]=Image', 'DOMU_RAMDISK[0]=initramfs.cpio.gz', 'DOMU_CMD[0]="console=ttyAMA0 labtoken=u0"', 'DOMU_MEM[0]=256',
      'APPEND_EXTRA_CMDS=extra.cmds', 'LOAD_CMD=tftpb', 'UBOOT_SOURCE=boot.source',
    ]);
    const r = generate(config, { env: {}, share: false, write: false });
    // The lab script disables the PL061 right after the Xen command line; ImageBuilder's
    // APPEND_EXTRA_CMDS puts it after `setenv fdt_high`. Same commands, that one line moved.
    const lab = fs.readFileSync(fixturePath('transcripts', 'b-dom0-domu.source'), 'utf8').split('\n');
    const pl061 = lab.splice(lab.indexOf('fdt set /pl061@9030000 status "disabled"'), 1)[0]!;
    lab.splice(lab.indexOf('setenv fdt_high 0xffffffffffffffff') + 1, 0, pl061);
    // ImageBuilder appends " root=/dev/ram0" to a DOM0_CMD without root= (the hand-written lab script does not).
    const expected = lab.join('\n')
      .replace('fdt resize 1024', `fdt resize 0x${r.plan.dtb.resizeExtra.toString(16).toUpperCase()}`)
      .replace('xen,dom0-bootargs "console=hvc0 labtoken=d0"', 'xen,dom0-bootargs "console=hvc0 labtoken=d0 root=/dev/ram0"');
    expect(r.outputs.source).to.equal(expected);
  });
});
