// The Linux model of Linux-only boots: the hand-off U-Boot's booti leaves (kernel at KADDR, DTB with
// /chosen bootargs and linux,initrd-start/-end as ImageBuilder's linux_device_tree_editing() sets them).
import { expect } from 'chai';
import { bootLinux, NO_ROOT_PANIC } from '../../../../src/sim/linux/boot.js';
import { arm64Image, cpioGz, dtc, FDT_ADDR, handoff, hasTool, KADDR, KREG, plainFile, RADDR, virtDts, type TestFile } from '../xen/helpers.js';

describe('sim → linux → bootLinux', () => {
  let image: TestFile;
  let ramdisk: TestFile;
  before(function () {
    if (!hasTool('dtc') || !hasTool('cpio')) this.skip();
    image = arm64Image('Image', 0x40000, KREG);
    ramdisk = cpioGz('initrd.cpio.gz');
  });
  const boot = (chosen: string, loads: Array<{ addr: number; file: TestFile }>) =>
    bootLinux(handoff([{ addr: KADDR, file: image }, ...loads], dtc(virtDts(chosen)), FDT_ADDR, KADDR, { xenImageSize: KREG }));
  const initrd = (start: number, end: number): string => `linux,initrd-start = <${start}>; linux,initrd-end = <${end}>;`;

  it('runs /init from an initramfs that unpacks, with the kernel and ramdisk where U-Boot left them', () => {
    const r = boot(`bootargs = "console=ttyAMA0 root=/dev/ram0"; ${initrd(RADDR, RADDR + ramdisk.size)}`, [{ addr: RADDR, file: ramdisk }]);
    expect(r.panic).to.equal(undefined);
    expect(r.bootargs).to.equal('console=ttyAMA0 root=/dev/ram0');
    expect(r.version).to.equal('Linux (no version banner in the Image)');
    expect(r.console).to.deep.equal(['Kernel command line: console=ttyAMA0 root=/dev/ram0', 'Trying to unpack rootfs image as initramfs...', 'Run /init as init process']);
    expect(r.domains).to.deep.equal([{
      name: 'linux', kind: 'linux', verdict: 'up', reason: 'runs /init from the initramfs at 0x42600000',
      kernel: { start: KADDR, size: KREG, format: 'arm64-image' }, ramdisk: { start: RADDR, size: ramdisk.size },
    }]);
  });

  it('reads the Linux version from the Image\'s banner', () => {
    const withBanner = plainFile('Image-banner', new Uint8Array([...new Uint8Array(arm64ImageHead()), ...new TextEncoder().encode('Linux version 6.1.0-57-arm64 (debian-kernel@lists.debian.org)\0')]));
    const r = bootLinux(handoff([{ addr: KADDR, file: withBanner }], dtc(virtDts('bootargs = "console=ttyAMA0";')), FDT_ADDR, KADDR, { xenImageSize: KREG }));
    expect(r.version).to.equal('Linux 6.1.0-57-arm64');
    expect(r.console[0]).to.equal('Linux version 6.1.0-57-arm64');
  });

  it('panics with no initramfs and root=/dev/ram0: "VFS: Unable to mount root fs on unknown-block(0,0)"', () => {
    const r = boot('bootargs = "console=ttyAMA0 root=/dev/ram0";', []);
    expect(r.panic).to.equal(NO_ROOT_PANIC);
    expect(r.console.at(-1)).to.equal('Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)');
    expect(r.domains[0]).to.deep.include({
      verdict: 'guest fails', message: NO_ROOT_PANIC, fault: { kind: 'no-initramfs', moduleMissing: true },
      reason: 'no initramfs (no linux,initrd-start/-end in /chosen), and root=/dev/ram0 names no device to mount',
    });
  });

  it('reports an initramfs that is not a cpio archive as Linux does, then the panic', () => {
    const junk = plainFile('junk.bin', new TextEncoder().encode('this is not an archive'));
    const r = boot(`bootargs = "root=/dev/ram0"; ${initrd(RADDR, RADDR + junk.size)}`, [{ addr: RADDR, file: junk }]);
    expect(r.console).to.include('Initramfs unpacking failed: invalid magic at start of compressed archive');
    expect(r.panic).to.equal(NO_ROOT_PANIC);
    expect(r.domains[0]?.fault).to.deep.equal({ kind: 'no-initramfs', moduleMissing: false });
  });

  it('treats an initramfs inside the kernel\'s image_size (ImageBuilder\'s layout) as cleared by the BSS', () => {
    const at = KADDR + 0x200000;
    const r = boot(`bootargs = "root=/dev/ram0"; ${initrd(at, at + ramdisk.size)}`, [{ addr: at, file: ramdisk }]);
    expect(r.findings).to.deep.equal([`the initramfs 0x40600000..0x${(at + ramdisk.size).toString(16)} overlaps the kernel's image_size 0x40400000..0x42410000 (BSS included): Linux clears it before unpacking`]);
    expect(r.domains[0]?.verdict).to.equal('guest fails');
  });

  it('leaves a disk root to the disk: up, with the assumption said', () => {
    const r = boot('bootargs = "console=ttyAMA0 root=/dev/mmcblk0p2";', []);
    expect(r.panic).to.equal(undefined);
    expect(r.domains[0]?.reason).to.equal('mounts root=/dev/mmcblk0p2 (the disk itself is not modelled)');
    expect(r.findings).to.deep.equal(['root=/dev/mmcblk0p2: whether that disk exists and holds a root filesystem is not modelled']);
  });
});

/** The 64-byte arm64 Image header of the suite's kernel. */
function arm64ImageHead(): Uint8Array {
  const h = new Uint8Array(64);
  const v = new DataView(h.buffer);
  v.setBigUint64(16, BigInt(KREG), true);
  v.setBigUint64(24, 0xan, true);
  v.setUint32(56, 0x644d5241, true);
  return h;
}
