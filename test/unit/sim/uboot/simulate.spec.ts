import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { simulateUboot, formatTranscript } from '../../../../src/sim/uboot/index.js';
import { pathOffset, getprop, subnodes, getName } from '../../../../src/fdt/ro.js';
import { totalsize } from '../../../../src/fdt/header.js';
import { writeScriptImage, IH_ARCH_ARM64 } from '../../../../src/images/uimage.js';
import { crc32 } from '../../../../src/util/crc32.js';
import { makeServedFolder, scriptFixture } from './helpers.js';

const cells = (b: Uint8Array): number[] => { const out: number[] = []; for (let i = 0; i + 4 <= b.length; i += 4) out.push(Buffer.from(b).readUInt32BE(i)); return out; };
const strs = (b: Uint8Array): string[] => Buffer.from(b).toString('latin1').split('\0').slice(0, -1);

describe('sim → uboot → simulateUboot', () => {
  let root: string;
  before(() => { root = makeServedFolder(); });
  after(() => { fs.rmSync(root, { recursive: true, force: true }); });

  it('boots the hand-written QEMU virt dom0less script (issue acceptance)', () => {
    const r = simulateUboot({ script: scriptFixture('qemu-virt-domu.scr'), root });
    expect(r.failures).to.deep.equal([]);
    expect(r.stoppedReason).to.equal('booted');
    const h = r.handoff!;
    expect(h.command).to.equal('booti');
    expect(h.entry).to.equal(0x44800000);
    expect(h.fdtAddr).to.equal(0x44A00000);
    expect(h.kernel).to.deep.equal({ format: 'arm64-image', imageSize: 0x1c0000, textOffset: 0, flags: 0xa });
    // image_setup_libfdt() shrinks to the 4 KiB end: data 0x6c7 + u-boot,version → 0x1000.
    expect(totalsize(h.fdt)).to.equal(0x1000);
    const fdt = h.fdt;
    const chosen = pathOffset(fdt, '/chosen');
    expect(strs(getprop(fdt, chosen, 'xen,xen-bootargs') as Uint8Array)).to.deep.equal(['console=dtuart dtuart=/pl011@9000000 bootscrub=0']);
    expect(strs(getprop(fdt, chosen, 'u-boot,version') as Uint8Array)).to.deep.equal(['2023.01+dfsg-2+deb12u3']);
    const dom = pathOffset(fdt, '/chosen/domU0');
    expect(strs(getprop(fdt, dom, 'compatible') as Uint8Array)).to.deep.equal(['xen,domain']);
    expect(cells(getprop(fdt, dom, 'memory') as Uint8Array)).to.deep.equal([0, 196608]);
    expect(cells(getprop(fdt, dom, 'cpus') as Uint8Array)).to.deep.equal([1]);
    // mknod inserts before existing siblings: the ramdisk module (created second) comes first.
    expect([...subnodes(fdt, dom)].map((o) => getName(fdt, o))).to.deep.equal(['module@42400000', 'module@40400000']);
    const k = pathOffset(fdt, '/chosen/domU0/module@40400000');
    expect(cells(getprop(fdt, k, 'reg') as Uint8Array)).to.deep.equal([0, 0x40400000, 0, 0x1f6dfc0]);
    expect(strs(getprop(fdt, k, 'compatible') as Uint8Array)).to.deep.equal(['multiboot,kernel', 'multiboot,module']);
    expect(strs(getprop(fdt, k, 'bootargs') as Uint8Array)).to.deep.equal(['console=ttyAMA0']);
    const rd = pathOffset(fdt, '/chosen/domU0/module@42400000');
    expect(cells(getprop(fdt, rd, 'reg') as Uint8Array)).to.deep.equal([0, 0x42400000, 0, 0xf0cc5]);
    const mem = pathOffset(fdt, '/memory');
    expect(cells(getprop(fdt, mem, 'reg') as Uint8Array)).to.deep.equal([0, 0x40000000, 0, 0x80000000]);
    // The handed-off bytes are what RAM holds at fdtAddr.
    expect(Buffer.from(h.ram.read(0x44A00000, 0x1000)).equals(Buffer.from(fdt))).to.equal(true);
    // Console tail, as the real 2023.01 run prints it.
    const tail = r.console.slice(-9);
    expect(tail).to.deep.equal([
      'Working FDT set to 44a00000',
      '## Flattened Device Tree blob at 44a00000',
      '   Booting using the fdt blob at 0x44a00000',
      'Working FDT set to 44a00000',
      '   Using Device Tree in place at 0000000044a00000, end 0000000044a04fff',
      'Working FDT set to 44a00000',
      '',
      'Starting kernel ...',
      '',
    ]);
    expect(r.env['filesize']).to.equal('4e3');
    expect(formatTranscript(r)).to.contain('-- booti: entry 0x44800000');
  });

  it('reports "Bad header crc" for a corrupted header', () => {
    const scr = Buffer.from(scriptFixture('qemu-virt-domu.scr'));
    scr[4]! ^= 0xff;
    const r = simulateUboot({ script: scr, root });
    expect(r.console.slice(-2)).to.deep.equal(['## Executing script at 40200000', 'Bad header crc']);
    expect(r.stoppedReason).to.equal('end-of-script');
    expect(r.bootAttempted).to.equal(false);
  });

  it('reports "Bad data crc", and runs the damaged text with verify=n', () => {
    const scr = Buffer.from(scriptFixture('qemu-virt-domu.scr'));
    scr[0x50]! ^= 0x01; // "0x40400000" → "0x50400000" in the first line
    expect(simulateUboot({ script: scr, root }).console.slice(-1)).to.deep.equal(['Bad data crc']);
    const r = simulateUboot({ script: scr, root, env: { verify: 'n' } });
    expect(r.console).to.include('Load address: 0x50400000');
    expect(r.stoppedReason).to.equal('booted');
  });

  it('reports "Bad image type" for a kernel-type image', () => {
    const r = simulateUboot({ script: scriptFixture('wrong-type.scr'), root });
    expect(r.console.slice(-1)).to.deep.equal(['Bad image type']);
  });

  it('reports "Empty Script" when the first length is 0', () => {
    const payload = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0]);
    const img = Buffer.from(scriptFixture('qemu-virt-domu.scr').subarray(0, 64));
    img.writeUInt32BE(payload.length, 12);
    img.writeUInt32BE(zlibCrc(payload), 24);
    img.writeUInt32BE(0, 4);
    img.writeUInt32BE(zlibCrc(img), 4);
    const r = simulateUboot({ script: Buffer.concat([img, payload]), root });
    expect(r.console.slice(-1)).to.deep.equal(['Empty Script']);
  });

  it('keeps a stale filesize after a missing file and records the failure', () => {
    const r = simulateUboot({ script: scriptFixture('missing-file.scr'), root });
    expect(r.failures).to.have.length(1);
    expect(r.failures[0]).to.deep.include({ line: 2, command: 'tftpb 0x42400000 missing.cpio.gz', rc: 1 });
    expect(r.failures[0]!.message.slice(-2)).to.deep.equal(["TFTP error: 'File not found' (1)", 'Not retrying...']);
    const fdt = r.handoff!.fdt;
    const rd = pathOffset(fdt, '/chosen/domU0/module@42400000');
    // 0x${filesize} is stale: it holds the size of the last successful load (virt.dtb, 0x4e3), not the initrd's.
    expect(cells(getprop(fdt, rd, 'reg') as Uint8Array)).to.deep.equal([0, 0x42400000, 0, 0x4e3]);
  });

  it('reports FDT_ERR_NOSPACE when the DTB has no room and the node is missing afterwards', () => {
    const r = simulateUboot({ script: scriptFixture('no-resize.scr'), root });
    expect(r.failures.length).to.be.greaterThan(0);
    expect(r.failures[0]!.message).to.deep.equal(['libfdt fdt_setprop(): FDT_ERR_NOSPACE']);
    expect(r.failures[0]!.command).to.equal('fdt set /chosen \\#address-cells <0x2>');
    const mk = r.failures.find((f) => f.command === 'fdt mknod /chosen domU0')!;
    expect(mk.message).to.deep.equal(['libfdt fdt_add_subnode(): FDT_ERR_NOSPACE']);
    const later = r.failures.find((f) => f.command.startsWith('fdt set /chosen/domU0 compatible'))!;
    expect(later.message).to.deep.equal(['libfdt fdt_path_offset() returned FDT_ERR_NOTFOUND']);
    // booti still runs (fdt_high = ~0 pads 0x3000 in place) and the hand-off has no domU0.
    expect(pathOffset(r.handoff!.fdt, '/chosen/domU0')).to.be.lessThan(0);
  });

  it('rejects bootm of a raw arm64 Image with the 2023.01 text (and the 2024.04 text on request)', () => {
    const r = simulateUboot({ script: scriptFixture('bootm-raw.scr'), root });
    expect(r.console.slice(-2)).to.deep.equal(['Wrong Image Format for bootm command', "ERROR: can't get kernel image!"]);
    expect(r.bootAttempted).to.equal(true);
    expect(r.handoff).to.equal(undefined);
    const r2 = simulateUboot({ script: scriptFixture('bootm-raw.scr'), root, ubootVersion: '2024.04' });
    expect(r2.console.slice(-2)).to.deep.equal(['Wrong Image Type for bootm command', "ERROR -91: can't get kernel image!"]);
  });

  it('keeps 128 loads of 32 MiB as file-backed segments, never as dense RAM', function () {
    this.timeout(20000);
    const dir = fs.mkdtempSync(path.join(root, 'many-'));
    const lines = ['tftpb 0x44800000 xen', 'tftpb 0x44A00000 virt.dtb', 'fdt addr 0x44A00000', 'fdt resize 20000'];
    for (let i = 0; i < 128; i++) {
      const addr = 0x48000000 + i * 0x2000000;
      fs.writeFileSync(path.join(dir, `k${i}`), '');
      fs.truncateSync(path.join(dir, `k${i}`), 32 * 1024 * 1024);
      lines.push(`tftpb ${addr.toString(16)} k${i}`);
    }
    fs.copyFileSync(path.join(root, 'xen'), path.join(dir, 'xen'));
    fs.copyFileSync(path.join(root, 'virt.dtb'), path.join(dir, 'virt.dtb'));
    for (let i = 0; i < 128; i++) {
      lines.push(`fdt mknod /chosen domU${i}`, `fdt set /chosen/domU${i} compatible "xen,domain"`, `fdt set /chosen/domU${i} memory <0 0x8000>`);
    }
    lines.push('setenv fdt_high 0xffffffffffffffff', 'booti 0x44800000 - 0x44A00000');
    const script = writeScriptImage(lines.join('\n') + '\n', { time: 0, arch: IH_ARCH_ARM64 });
    // Speed and peak RSS are measured by `npm run bench`; here: what RAM holds, and how.
    const r = simulateUboot({ script, root: dir });
    // 128 x 32 MiB does not fit below U-Boot's window in 2 GiB: the loads above it fail, as on the board.
    expect(r.handoff).to.not.equal(undefined);
    const segs = r.handoff!.ram.segments(0x48000000, 0x80000000);
    const kernels = segs.filter((s) => s.source.kind === 'file' && /^k\d+$/.test(s.source.name));
    // k0..k57 end below U-Boot's window at 0xBDDB2000 and load whole; k58 (0xBC000000) runs into it and
    // stops part-way, leaving the blocks written before the window; k59..k127 start inside it or above RAM.
    const failedLoads = r.failures.filter((f) => f.command.startsWith('tftpb k') || /^tftpb [0-9a-f]+ k\d+$/.test(f.command));
    expect(failedLoads.length).to.equal(70);
    expect(kernels.filter((k) => k.length === 32 * 1024 * 1024).length).to.equal(58);
    expect(kernels.length).to.equal(59);
    expect(kernels.every((k) => k.source.kind === 'file' && k.source.offset === 0)).to.equal(true);
    expect(r.handoff!.ram.segmentCount).to.be.lessThan(400);
  });
});

const zlibCrc = (b: Uint8Array): number => crc32(b);
