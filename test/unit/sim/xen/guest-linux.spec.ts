// Guest-side verdicts: what Linux does with the modules Xen copied (init/initramfs.c), and the
// QEMU virt PL061 hazard of a Linux 6.1 dom0 (real lab boots: amba_read_periphid panic).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { expect } from 'chai';
import { bootXen, type XenResult } from '../../../../src/sim/xen/index.js';
import { linuxGuestMemoryNeed, memoryNeedMeasuredOn } from '../../../../src/sim/xen/guest-linux.js';
import { fixturePath } from '../../../helpers/paths.js';
import { arm64Header } from '../../../helpers/images.js';
import { arm64Image, domUNode, dtc, handoff, hasTool, plainFile, sparseFile, tmpDir, virtDts, XEN_IMAGE_SIZE, type Load, type TestFile } from './helpers.js';

const KADDR = 0x40400000;
const KREG = 0x2010000;
const RADDR = 0x42600000;
const XEN_ADDR = 0x42800000;
const FDT_ADDR = 0x42a00000;
const BOOTARGS = 'xen,xen-bootargs = "console=dtuart dtuart=/pl011@9000000 dom0_mem=512M";';
const PL061 = 'pl061@9030000 { compatible = "arm,pl061", "arm,primecell"; reg = <0x0 0x9030000 0x0 0x1000>; #gpio-cells = <2>; gpio-controller; };';

/** An initramfs made by the real cpio tool in the given format (-H newc | odc | bin). */
function cpioArchive(format: string, gzip: boolean): TestFile {
  const dir = fs.mkdtempSync(path.join(tmpDir(), `root-${format}-`));
  fs.writeFileSync(path.join(dir, 'init'), '#!/bin/sh\necho hello\n', { mode: 0o755 });
  const raw = execFileSync('sh', ['-c', `find . | cpio -o -H ${format} --quiet`], { cwd: dir });
  return plainFile(`initrd-${format}${gzip ? '.gz' : ''}`, gzip ? zlib.gzipSync(raw) : raw);
}

describe('sim → xen → the Linux guest', function () {
  let image: TestFile;
  let xen: TestFile;
  before(function () {
    if (!hasTool('dtc') || !hasTool('cpio')) this.skip();
    image = arm64Image('Image', 32956352, KREG);
    xen = arm64Image('xen', 983048, XEN_IMAGE_SIZE);
  });
  const boot = (chosen: string, loads: Load[], root = ''): XenResult => {
    const dtb = dtc(virtDts(`#address-cells = <0x2>; #size-cells = <0x2>; ${BOOTARGS} ${chosen}`, { extraRoot: root }));
    return bootXen(handoff(loads, dtb, FDT_ADDR, XEN_ADDR));
  };
  const domUWith = (rd: TestFile, bootargs: string): XenResult => boot(
    domUNode('domU0', { memKiB: 0x40000, cpus: 1, kernel: [KADDR, KREG], ramdisk: [RADDR, rd.size], bootargs }),
    [{ addr: KADDR, file: image }, { addr: RADDR, file: rd }, { addr: XEN_ADDR, file: xen }]);

  describe('initramfs formats (unpack_to_rootfs)', () => {
    it('gzip\'d newc unpacks', () => {
      expect(domUWith(cpioArchive('newc', true), 'console=ttyAMA0').domains[0]!.verdict).to.equal('up');
    });

    it('gzip\'d "bin" cpio: "Initramfs unpacking failed: no cpio magic" (real guest in the lab), no init', () => {
      const r = domUWith(cpioArchive('bin', true), 'console=ttyAMA0');
      expect(r.domains[0]).to.include({ verdict: 'guest fails', reason: 'initramfs initrd-bin.gz cannot be unpacked: the guest prints "Initramfs unpacking failed: no cpio magic" and has no init to run' });
    });

    it('odc cpio: "incorrect cpio method used: use -H newc option"', () => {
      expect(domUWith(cpioArchive('odc', false), 'console=ttyAMA0').domains[0]!.reason).to.equal(
        'initramfs initrd-odc cannot be unpacked: the guest prints "Initramfs unpacking failed: incorrect cpio method used: use -H newc option" and has no init to run');
    });

    it('uncompressed "bin" cpio: "invalid magic at start of compressed archive"', () => {
      expect(domUWith(cpioArchive('bin', false), 'console=ttyAMA0').domains[0]!.reason).to.match(/Initramfs unpacking failed: invalid magic at start of compressed archive/);
    });

    it('with a root= device the guest goes on: a finding, not a failure', () => {
      const r = domUWith(cpioArchive('bin', true), 'console=ttyAMA0 root=/dev/vda');
      expect(r.domains[0]!.verdict).to.equal('up');
      expect(r.findings).to.include('domU0: the guest prints "Initramfs unpacking failed: no cpio magic"; it goes on with its root= device');
    });
  });

  describe('guest RAM below what Linux needs to reach init (real: test/fixtures/transcripts/guest-memory)', () => {
    const MIB = 1024 * 1024;
    const LAB_INITRAMFS = { packed: 1014045, unpacked: 1848320 };
    it('Debian\'s 6.1 with the lab initramfs: 52 MiB falls short, 54 MiB is enough, as the real boots show', () => {
      const real = (name: string): string => fs.readFileSync(fixturePath('transcripts', 'guest-memory', name), 'latin1');
      expect(real('domu-52m.log')).to.contain('Memory: 16956K/53248K available').and.to.contain('Kernel panic - not syncing: System is deadlocked on memory');
      expect(real('domu-54m.log')).to.contain('Memory: 19000K/55296K available').and.to.contain('UBOOTGEN-LAB-UP token=u0');
      expect(memoryNeedMeasuredOn('6.1.0-57-arm64')).to.equal(true);
      expect(linuxGuestMemoryNeed(0x2010000, LAB_INITRAMFS)).to.be.greaterThan(52 * MIB).and.at.most(54 * MIB);
      expect(memoryNeedMeasuredOn('6.6.3')).to.equal(false);
    });

    const withBanner61 = (): TestFile => {
      const f = sparseFile('Image-6.1-mem', 0x1f6dfc0, arm64Header({ imageSize: 0x2010000 }));
      const banner = 'Linux version 6.1.0-57-arm64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0) #1 SMP Debian 6.1.192-3';
      const fd = fs.openSync(f.path, 'r+');
      fs.writeSync(fd, Buffer.from(`${banner}\0`), 0, banner.length + 1, 0xa00010);
      fs.closeSync(fd);
      return f;
    };
    const smallDomU = (k: TestFile, memMiB: number): XenResult => {
      const rd = cpioArchive('newc', true);
      return boot(domUNode('domU0', { memKiB: memMiB * 1024, cpus: 1, kernel: [KADDR, k.size], ramdisk: [RADDR, rd.size], bootargs: 'console=ttyAMA0' }),
        [{ addr: KADDR, file: k }, { addr: RADDR, file: rd }, { addr: XEN_ADDR, file: xen }]);
    };

    it('Linux 6.1 in too small a domU: guest fails with the panic real 6.1 prints; enough RAM: up', () => {
      const k = withBanner61();
      const small = smallDomU(k, 50);
      expect(small.domains[0]!.verdict).to.equal('guest fails');
      expect(small.domains[0]!.reason).to.equal('its 50 MiB are less than Linux 6.1.0-57-arm64 needs to reach init (about 51 MiB: the 33 MiB kernel image, the initramfs packed and unpacked and its boot-time allocations): the guest runs out of memory and panics "Kernel panic - not syncing: System is deadlocked on memory"');
      expect(smallDomU(k, 52).domains[0]!.verdict).to.equal('up');
    });

    it('another (or unknown) kernel: only a warning, since the figure was measured on 6.1', () => {
      const r = smallDomU(image, 40);
      expect(r.domains[0]!.verdict).to.equal('up');
      expect(r.findings.some((f) => /^domU0: its 40 MiB are less than Linux needs to reach init .*as measured on Linux 6\.1: it may run out of memory while booting$/.test(f))).to.equal(true);
    });
  });

  describe('a domU whose only console is hvc0 (real: test/fixtures/transcripts/guest-console)', () => {
    const twoDomUs = (cmd0: string): XenResult => {
      const rd = cpioArchive('newc', true);
      const domU = (name: string, bootargs: string): string => domUNode(name, { memKiB: 0x40000, cpus: 1, kernel: [KADDR, KREG], ramdisk: [RADDR, rd.size], bootargs });
      return boot(`${domU('domU1', 'console=ttyAMA0')} ${domU('domU0', cmd0)}`, [{ addr: KADDR, file: image }, { addr: RADDR, file: rd }, { addr: XEN_ADDR, file: xen }]);
    };
    it('is built by Xen and never seen: guest fails, as the real domU0 that never printed', () => {
      const real = fs.readFileSync(fixturePath('transcripts', 'guest-console', 'domu-hvc0.log'), 'latin1');
      expect(real).to.contain('(XEN) Loading d2 kernel from boot module @ 0000000040400000').and.to.contain('UBOOTGEN-LAB-UP token=u1');
      expect(real).to.not.match(/\(XEN\) DOM2: /);
      const r = twoDomUs('console=hvc0 root=/dev/ram0');
      expect(r.domains.map((d) => [d.name, d.verdict])).to.deep.equal([['domU1', 'up'], ['domU0', 'guest fails']]);
      expect(r.domains[1]!.reason).to.equal('console=hvc0 only: a domU\'s hvc console is the PV console a dom0 daemon serves over xenstore, and this domain has no xen,enhanced or no dom0, so nothing of this guest is ever seen; use console=ttyAMA0 (its vpl011)');
    });
    it('with xen,enhanced and a dom0 the PV console has its daemon: up, and a finding says where it is seen', () => {
      const rd = cpioArchive('newc', true);
      const dom0 = `module@44000000 { compatible = "multiboot,kernel", "multiboot,module"; reg = <0x0 0x44000000 0x0 ${KREG}>; bootargs = "console=hvc0 root=/dev/ram0"; };
        module@46200000 { compatible = "multiboot,ramdisk", "multiboot,module"; reg = <0x0 0x46200000 0x0 ${rd.size}>; };`;
      const domU = domUNode('domU0', { memKiB: 0x40000, cpus: 1, kernel: [KADDR, KREG], ramdisk: [RADDR, rd.size], bootargs: 'console=hvc0 root=/dev/ram0', extra: 'xen,enhanced = "enabled";' });
      const r = boot(`${dom0} ${domU}`, [{ addr: KADDR, file: image }, { addr: RADDR, file: rd }, { addr: 0x44000000, file: image }, { addr: 0x46200000, file: rd }, { addr: XEN_ADDR, file: xen }]);
      expect(r.domains.map((d) => [d.name, d.verdict])).to.deep.equal([['dom0', 'up'], ['domU0', 'up']]);
      expect(r.findings).to.include('domU0: its console is hvc0, the PV console: it is seen from dom0 (xl console domU0), not on Xen\'s serial line');
    });

    it('hvc0 beside ttyAMA0 is fine (the vpl011 shows the guest)', () => {
      expect(twoDomUs('console=hvc0 console=ttyAMA0').domains.map((d) => d.verdict)).to.deep.equal(['up', 'up']);
    });
  });

  describe('dom0 on QEMU virt with the PL061 enabled', () => {
    const dom0 = (k: TestFile): string => `module@44000000 { compatible = "multiboot,kernel", "multiboot,module"; reg = <0x0 0x44000000 0x0 ${k.size}>; bootargs = "console=hvc0 root=/dev/vda"; };`;
    const withBanner = (name: string, banner: string): TestFile => {
      const f = sparseFile(name, 0x1000000, arm64Header({ imageSize: 0x1200000 }));
      const fd = fs.openSync(f.path, 'r+');
      fs.writeSync(fd, Buffer.from(`${banner}\0`), 0, banner.length + 1, 0xa00010);
      fs.closeSync(fd);
      return f;
    };

    it('Linux 6.1 (banner read from the Image): guest fails in amba_read_periphid', () => {
      const k = withBanner('Image-6.1', 'Linux version 6.1.0-26-arm64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0) #1 SMP Debian 6.1.112-1');
      const r = boot(dom0(k), [{ addr: 0x44000000, file: k }, { addr: XEN_ADDR, file: xen }], PL061);
      expect(r.domains[0]).to.include({ name: 'dom0', verdict: 'guest fails',
        reason: 'Linux 6.1.0-26-arm64 as dom0 panics in amba_read_periphid() probing the PL061 at /pl061@9030000 on QEMU virt; disable it: fdt set /pl061@9030000 status "disabled" (in APPEND_EXTRA_CMDS)' });
    });

    it('disabled PL061: up; an unknown kernel: a warning only', () => {
      const k = withBanner('Image-6.1b', 'Linux version 6.1.0-26-arm64 (x)');
      const off = boot(dom0(k), [{ addr: 0x44000000, file: k }, { addr: XEN_ADDR, file: xen }], PL061.replace('gpio-controller;', 'gpio-controller; status = "disabled";'));
      expect(off.domains[0]!.verdict).to.equal('up');
      const unknown = arm64Image('Image-nobanner', 0x1000000, 0x1200000);
      const r = boot(dom0(unknown), [{ addr: 0x44000000, file: unknown }, { addr: XEN_ADDR, file: xen }], PL061);
      expect(r.domains[0]!.verdict).to.equal('up');
      expect(r.findings).to.include('dom0: /pl061@9030000 (PL061) is enabled; Linux 6.1 as dom0 on QEMU virt panics probing it (amba_read_periphid); disable it: fdt set /pl061@9030000 status "disabled" (in APPEND_EXTRA_CMDS)');
    });
  });
});
