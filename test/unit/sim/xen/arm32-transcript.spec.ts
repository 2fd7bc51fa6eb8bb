// The simulators against a real arm32 boot: Debian bookworm's qemu_arm U-Boot 2023.01 runs `bootz` on
// Debian's xen-hypervisor-4.17-armhf (a zImage), which builds dom0 and one domU from Debian's
// armmp-lpae zImage (test/fixtures/transcripts/arm32/, see its README). The served files are the
// real 4 KiB heads of Xen and the kernel at their real sizes, the lab initramfs's size, and the
// board DTB QEMU dumped; the script is the committed boot.source packed as boot.scr.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packScript } from '../../../../src/emit/outputs.js';
import { boardFromDtb, simulateUboot, type UbootResult } from '../../../../src/sim/uboot/index.js';
import { bootXen, formatDomainTable } from '../../../../src/sim/xen/index.js';
import { sparseFile, tempDir } from '../../../helpers/images.js';
import { fixturePath } from '../../../helpers/paths.js';

const ARM32 = (f: string): string => fixturePath('transcripts', 'arm32', f);

describe('sim → real arm32 transcript (qemu_arm U-Boot 2023.01 bootz → Xen 4.17.7 armhf, dom0 + 1 domU)', function () {
  let root: string;
  let real: string[];
  let uboot: UbootResult;

  before(function () {
    root = tempDir('arm32-transcript-');
    sparseFile(path.join(root, 'xen'), fs.readFileSync(ARM32('xen-4.17-armhf.head4k.bin')), 917512);
    sparseFile(path.join(root, 'vmlinuz'), fs.readFileSync(ARM32('vmlinuz-6.1.0-57-armmp-lpae.head4k.bin')), 5546496);
    sparseFile(path.join(root, 'initrd.gz'), new Uint8Array([0x1f, 0x8b, 0x08, 0x00]), 907187);
    fs.copyFileSync(ARM32('qemu-virt-arm32-2g.dtb'), path.join(root, 'virt.dtb'));
    real = fs.readFileSync(ARM32('xen-ci-dom0-domu.log'), 'utf8').split('\n');
    const source = fs.readFileSync(ARM32('xen-ci-dom0-domu.source'), 'utf8');
    const board = boardFromDtb(new Uint8Array(fs.readFileSync(ARM32('qemu-virt-arm32-2g.dtb'))), 'virt.dtb');
    uboot = simulateUboot({ script: packScript(source, 0x40200000, 0), root, board });
  });
  after(() => { fs.rmSync(root, { recursive: true, force: true }); });

  it('reads the dumped board as the arm32 profile of the real bdinfo', () => {
    const board = boardFromDtb(new Uint8Array(fs.readFileSync(ARM32('qemu-virt-arm32-2g.dtb'))), 'virt.dtb');
    expect(board.arch).to.equal('arm32');
    expect(board.dram).to.deep.equal([{ start: 0x40000000, size: 0x80000000 }]);
    // bdinfo: lmb reserved[0] [0xbddf3000-0xbfffffff]
    expect(board.ubootReserved).to.deep.equal({ start: 0xbddf3000, size: 0xc0000000 - 0xbddf3000 });
    expect(board.pcpus).to.equal(4);
  });

  it('prints the real U-Boot lines from the DTB load to "Starting kernel ..." (8-digit pointers, DTB in place)', () => {
    const from = (lines: string[]): string[] => {
      const start = lines.indexOf("Filename 'virt.dtb'.");
      return lines.slice(lines.indexOf('Bytes transferred = 1048576 (100000 hex)', start), lines.indexOf('Starting kernel ...') + 1);
    };
    const ours = from(uboot.console);
    expect(ours).to.deep.equal(from(real));
    expect(ours).to.include('Kernel image @ 0x40c00000 [ 0x000000 - 0x11e290 ]');
    expect(ours).to.include('   Using Device Tree in place at 40e00000, end 40e05fff');
    expect(uboot.failures).to.deep.equal([]);
    expect(uboot.env['cpu']).to.equal('armv7');
  });

  it('loads every file with the real "Bytes transferred" line, in order', () => {
    const transferred = (lines: string[]): string[] => lines.filter((l) => l.startsWith('Bytes transferred = '));
    expect(transferred(uboot.console)).to.deep.equal(transferred(real));
  });

  it('hands a zImage Xen over with bootz', () => {
    const h = uboot.handoff!;
    expect([h.command, h.loadAddr, h.entry, h.fdtAddr]).to.deep.equal(['bootz', 0x40c00000, 0x40c00000, 0x40e00000]);
    expect(h.kernel).to.deep.equal({ format: 'zimage', imageSize: 0x11e290, textOffset: 0, flags: 0 });
  });

  it('prints exactly the real Xen lines from "*** LOADING DOMU" to "Freed 352kB init memory."', () => {
    const r = bootXen(uboot.handoff!);
    const realXen = real.filter((l) => l.startsWith('(XEN) ')).map((l) => l.replace(/^\(XEN\) \[ *[0-9.]+\] /, '(XEN) '))
      .filter((l) => !/^\(XEN\) (DOM\d|d\dv\d)/.test(l));
    const cut = (lines: string[]): string[] => lines.slice(lines.findIndex((l) => l.startsWith('(XEN) *** LOADING DOMU')), lines.findIndex((l) => l.startsWith('(XEN) Freed ')) + 1);
    expect(cut(r.console)).to.deep.equal(cut(realXen));
    expect(cut(r.console)).to.include('(XEN) d1: extended regions not supported for 32-bit guests');
    expect(cut(r.console)).to.include('(XEN) Loading d1 DTB to 0x0000000048000000-0x0000000048000517');
  });

  it('places dom0\'s zImage, initrd and DTB where real Xen did', () => {
    const r = bootXen(uboot.handoff!);
    for (const l of [
      '(XEN) Loading zImage from 0000000040400000 to 0000000067a00000-0000000067f4a200',
      '(XEN) Loading d0 initrd from 0000000040a00000 to 0x0000000068200000-0x00000000682dd7b3',
      '(XEN) BANK[0] 0x00000060000000-0x00000080000000 (512MB)',
    ]) {
      expect(r.console).to.include(l);
      expect(real.map((x) => x.replace(/^\(XEN\) \[ *[0-9.]+\] /, '(XEN) '))).to.include(l);
    }
  });

  it('reports both domains up, as the real markers show (dom0 4 vCPUs, domU0 1 vCPU)', () => {
    const r = bootXen(uboot.handoff!);
    expect(r.findings.filter((f) => /pl061/i.test(f))).to.deep.equal([]);
    expect(formatDomainTable(r)).to.equal([
      'name   domid  kernel                      ramdisk             memory   vCPUs  verdict',
      'dom0   0      0x40400000+0x54a200 zimage  0x40a00000+0xdd7b3  512 MiB  4      up',
      'domU0  1      0x40400000+0x54a200 zimage  0x40a00000+0xdd7b3  512 MiB  1      up',
    ].join('\n'));
    expect(real).to.include('(XEN) [  283.883543] DOM1: UBOOTGEN-LAB-UP token=domu0 cpus=1 memkb=500644');
    expect(real).to.include('UBOOTGEN-LAB-UP token=dom0 cpus=4 memkb=500392');
  });

  it('has no booti on the arm32 build (Debian\'s qemu_arm `help` lists bootz, not booti)', () => {
    const board = boardFromDtb(new Uint8Array(fs.readFileSync(ARM32('qemu-virt-arm32-2g.dtb'))), 'virt.dtb');
    const r = simulateUboot({ script: packScript('booti 0x40c00000 - 0x40e00000\n', 0x40200000, 0), root, board });
    expect(r.console).to.include("Unknown command 'booti' - try 'help'");
    const help = fs.readFileSync(ARM32('uboot-bdinfo.log'), 'utf8');
    expect(help).to.match(/^bootz +- boot Linux zImage image from memory$/m);
    expect(help).not.to.match(/^booti /m);
  });
});
