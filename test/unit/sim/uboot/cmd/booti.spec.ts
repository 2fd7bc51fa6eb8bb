// booti texts and state checked against real U-Boot 2023.01 (Debian u-boot-qemu, QEMU virt 2 GiB) with the
// same files: xen = arm64 header (text_offset 0, image_size 0x1c0000, flags 0xa) in a 0x120000-byte file,
// virt.dtb = test/fixtures/scripts/virt.dtb (totalsize 0x4e3), initrd.cpio.gz = the scripts fixture (0xb098 bytes).
// Transcripts j/k of test/fixtures/transcripts show the same lines with the lab's real Xen and DTB.
import { expect } from 'chai';
import * as fs from 'node:fs';
import { createMachine, runCommands, type Machine } from '../../../../../src/sim/uboot/index.js';
import { totalsize } from '../../../../../src/fdt/header.js';
import { pathOffset, getprop } from '../../../../../src/fdt/ro.js';
import { writeUImage, IH_OS_LINUX, IH_ARCH_ARM64, IH_TYPE_RAMDISK, IH_COMP_NONE } from '../../../../../src/images/uimage.js';
import { expectConsole, makeServedFolder } from '../helpers.js';
import * as path from 'node:path';

const cells = (b: Uint8Array | number): number[] => {
  if (typeof b === 'number') return [b];
  const out: number[] = [];
  for (let i = 0; i + 4 <= b.length; i += 4) out.push(Buffer.from(b).readUInt32BE(i));
  return out;
};
const segs = (m: Machine, addr: number, len: number): [number, number, string, number][] =>
  m.ram.segments(addr, len).map((s) => [s.start, s.length, s.source.kind === 'file' ? s.source.name : s.source.label, s.source.offset]);

describe('sim → uboot → cmd → booti', () => {
  let root: string;
  let m: Machine;
  const place = (addr: number, name: string): void => { m.ram.writeFile(addr, m.files.resolve(name)!); };
  before(() => {
    root = makeServedFolder();
    const rd = fs.readFileSync(path.join(root, 'initrd.cpio.gz'));
    fs.writeFileSync(path.join(root, 'rd.ub'), writeUImage({ os: IH_OS_LINUX, arch: IH_ARCH_ARM64, type: IH_TYPE_RAMDISK, comp: IH_COMP_NONE, load: 0, ep: 0, name: 'rd', time: 0 }, rd));
  });
  after(() => { fs.rmSync(root, { recursive: true, force: true }); });
  beforeEach(() => { m = createMachine({ root }); });

  it('boots with the DTB in place when fdt_high is all-ones (64-bit)', () => {
    place(0x42800000, 'xen');
    place(0x42a00000, 'virt.dtb');
    const rc = runCommands(m, 'fdt addr 0x42A00000\nfdt resize 1024\nsetenv fdt_high 0xffffffffffffffff\nbooti 0x42800000 - 0x42A00000');
    expect(rc).to.equal(0);
    expectConsole(m).nextLine('Working FDT set to 42a00000')
      .nextLine('## Flattened Device Tree blob at 42a00000')
      .nextLine('   Booting using the fdt blob at 0x42a00000')
      .nextLine('Working FDT set to 42a00000')
      // resize 1024 → totalsize 0x2000; + CONFIG_SYS_FDT_PAD 0x3000 → end = 0x42a04fff
      .nextLine('   Using Device Tree in place at 0000000042a00000, end 0000000042a04fff')
      .nextLine('Working FDT set to 42a00000')
      .nextLine('').nextLine('Starting kernel ...').nextLine('').end();
    expect(m.stopped).to.equal('booted');
    const h = m.handoff!;
    expect([h.command, h.loadAddr, h.entry, h.fdtAddr]).to.deep.equal(['booti', 0x42800000, 0x42800000, 0x42a00000]);
    expect(h.kernel).to.deep.equal({ format: 'arm64-image', imageSize: 0x1c0000, textOffset: 0, flags: 0xa });
    expect(h.initrd).to.equal(undefined);
    // image_setup_libfdt() shrinks the blob to its data (rounded to 4 KiB) after adding /chosen/u-boot,version.
    expect(totalsize(h.fdt)).to.equal(0x1000);
    expect(h.fdt.length).to.equal(0x1000);
    const mem = pathOffset(h.fdt, '/memory');
    expect(cells(getprop(h.fdt, mem, 'reg'))).to.deep.equal([0, 0x40000000, 0, 0x80000000]);
    expect(Buffer.from(m.ram.read(0x42a00000, 0x1000)).equals(Buffer.from(h.fdt))).to.equal(true);
    expect(m.env.get('fdtaddr')).to.equal('42a00000');
  });

  it('relocates the DTB below U-Boot\'s area when fdt_high is the default 0xffffffff', () => {
    place(0x42800000, 'xen');
    place(0x42a00000, 'virt.dtb');
    expect(runCommands(m, 'booti 0x42800000 - 0x42A00000')).to.equal(0);
    expectConsole(m).nextLine('## Flattened Device Tree blob at 42a00000')
      .nextLine('   Booting using the fdt blob at 0x42a00000')
      .nextLine('Working FDT set to 42a00000')
      // 0x4e3 + 0x3000 pad, highest 4 KiB-aligned block below 0xbddb2000 (real run: identical line)
      .nextLine('   Loading Device Tree to 00000000bddae000, end 00000000bddb14e2 ... OK')
      .nextLine('Working FDT set to bddae000')
      .nextLine('').nextLine('Starting kernel ...').nextLine('').end();
    expect(m.handoff!.fdtAddr).to.equal(0xbddae000);
    expect(m.env.get('fdtaddr')).to.equal('bddae000');
    // The original blob is untouched: still the served file.
    expect(segs(m, 0x42a00000, 0x4e3)).to.deep.equal([[0x42a00000, 0x4e3, 'virt.dtb', 0]]);
  });

  it('copies a raw ADDR:SIZE ramdisk below U-Boot (initrd_high 0xffffffff) and records it in /chosen', () => {
    place(0x42800000, 'xen');
    place(0x42a00000, 'virt.dtb');
    expect(runCommands(m, 'tftpb 0x44000000 initrd.cpio.gz\nbooti 0x42800000 0x44000000:${filesize} 0x42A00000')).to.equal(0);
    expectConsole(m).skipTo('Bytes transferred = 45208 (b098 hex)')
      .nextLine('## Flattened Device Tree blob at 42a00000')
      .nextLine('   Booting using the fdt blob at 0x42a00000')
      .nextLine('Working FDT set to 42a00000')
      .nextLine('   Loading Ramdisk to bdda6000, end bddb1098 ... OK')
      .nextLine('   Loading Device Tree to 00000000bdda2000, end 00000000bdda54e2 ... OK')
      .nextLine('Working FDT set to bdda2000')
      .nextLine('').nextLine('Starting kernel ...').nextLine('').end();
    const h = m.handoff!;
    expect(h.initrd).to.deep.equal({ start: 0xbdda6000, end: 0xbddb1098 });
    expect([m.env.get('initrd_start'), m.env.get('initrd_end')]).to.deep.equal(['bdda6000', 'bddb1098']);
    expect(segs(m, 0xbdda6000, 0xb098)).to.deep.equal([[0xbdda6000, 0xb098, 'initrd.cpio.gz', 0]]);
    const chosen = pathOffset(h.fdt, '/chosen');
    expect(cells(getprop(h.fdt, chosen, 'linux,initrd-start'))).to.deep.equal([0, 0xbdda6000]);
    expect(cells(getprop(h.fdt, chosen, 'linux,initrd-end'))).to.deep.equal([0, 0xbddb1098]);
  });

  it('keeps ramdisk and DTB in place when initrd_high and fdt_high are all-ones', () => {
    place(0x42800000, 'xen');
    place(0x42a00000, 'virt.dtb');
    place(0x44000000, 'initrd.cpio.gz');
    runCommands(m, 'fdt addr 0x42A00000\nfdt resize\nsetenv fdt_high 0xffffffffffffffff\nsetenv initrd_high 0xffffffffffffffff\nbooti 0x42800000 0x44000000:b098 0x42A00000');
    expectConsole(m).nextLine('Working FDT set to 42a00000')
      .nextLine('## Flattened Device Tree blob at 42a00000')
      .nextLine('   Booting using the fdt blob at 0x42a00000')
      .nextLine('Working FDT set to 42a00000')
      .nextLine('   Using Device Tree in place at 0000000042a00000, end 0000000042a03fff')
      .nextLine('Working FDT set to 42a00000')
      .nextLine('').nextLine('Starting kernel ...').nextLine('').end();
    expect(m.handoff!.initrd).to.deep.equal({ start: 0x44000000, end: 0x4400b098 });
    expect(m.env.get('initrd_start')).to.equal('44000000');
  });

  it('loads a legacy ramdisk uImage (header printout, then the copy)', () => {
    place(0x42800000, 'xen');
    place(0x42a00000, 'virt.dtb');
    place(0x44000000, 'rd.ub');
    expect(runCommands(m, 'booti 0x42800000 0x44000000 0x42A00000')).to.equal(0);
    expectConsole(m).nextLine('## Loading init Ramdisk from Legacy Image at 44000000 ...')
      .nextLine('   Image Name:   rd')
      .nextLine('   Created:      1970-01-01   0:00:00 UTC')
      .nextLine('   Image Type:   AArch64 Linux RAMDisk Image (uncompressed)')
      .nextLine('   Data Size:    45208 Bytes = 44.1 KiB')
      .nextLine('   Load Address: 00000000')
      .nextLine('   Entry Point:  00000000')
      .nextLine('   Verifying Checksum ... OK')
      .nextLine('## Flattened Device Tree blob at 42a00000')
      .nextLine('   Booting using the fdt blob at 0x42a00000')
      .nextLine('Working FDT set to 42a00000')
      .nextLine('   Loading Ramdisk to bdda6000, end bddb1098 ... OK')
      .nextLine('   Loading Device Tree to 00000000bdda2000, end 00000000bdda54e2 ... OK')
      .nextLine('Working FDT set to bdda2000')
      .nextLine('').nextLine('Starting kernel ...').nextLine('').end();
    // The ramdisk data (after the 64-byte header) was copied.
    expect(segs(m, 0xbdda6000, 0xb098)).to.deep.equal([[0xbdda6000, 0xb098, 'rd.ub', 64]]);
  });

  it('rejects a non-Image with "Bad Linux ARM64 Image magic!"', () => {
    place(0x44000000, 'virt.dtb');
    expect(runCommands(m, 'booti 0x44000000 - 0x44000000')).to.equal(1);
    expectConsole(m).nextLine('Bad Linux ARM64 Image magic!').end();
    expect(m.bootAttempted).to.equal(true);
    expect(m.handoff).to.equal(undefined);
  });

  it('moves an unaligned Xen up to 2 MiB BEFORE looking at the FDT, clobbering the DTB loaded there (log k)', () => {
    place(0x42900000, 'xen');
    place(0x42a00000, 'virt.dtb');
    expect(runCommands(m, 'booti 0x42900000 - 0x42A00000')).to.equal(1);
    expectConsole(m).nextLine('Moving Image from 0x42900000 to 0x42a00000, end=42bc0000')
      .nextLine('ERROR: Did not find a cmdline Flattened Device Tree')
      .nextLine('Could not find a valid device tree').end();
    // memmove of image_size (0x1c0000) bytes from 0x42900000: the destination now holds xen's first MiB, then
    // the DTB bytes that sat inside the source range, then xen's tail, then the (unwritten) BSS part.
    expect(segs(m, 0x42a00000, 0x1c0000)).to.deep.equal([
      [0x42a00000, 0x100000, 'xen', 0],
      [0x42b00000, 0x4e3, 'virt.dtb', 0],
      [0x42b004e3, 0x1fb1d, 'xen', 0x1004e3],
    ]);
    expect(Array.from(m.ram.read(0x42a00000, 4))).to.deep.equal([0x4d, 0x5a, 0x40, 0xfa]); // xen's first bytes: "MZ" of the EFI stub
    expect(m.handoff).to.equal(undefined);
  });

  it('prints the 2025.01 "end=0x..." form only for newer versions, and boots a moved Image with the FDT elsewhere', () => {
    m = createMachine({ root, ubootVersion: '2025.01' });
    place(0x42900000, 'xen');
    place(0x44000000, 'virt.dtb');
    runCommands(m, 'booti 0x42900000 - 0x44000000');
    expectConsole(m).nextLine('Moving Image from 0x42900000 to 0x42a00000, end=0x42bc0000')
      .nextLine('## Flattened Device Tree blob at 44000000');
    expect([m.handoff!.loadAddr, m.handoff!.entry]).to.deep.equal([0x42900000, 0x42a00000]);
  });

  it('refuses an FDT that starts inside the OS image', () => {
    place(0x42800000, 'xen');
    place(0x42900000, 'virt.dtb');
    expect(runCommands(m, 'booti 0x42800000 - 0x42900000')).to.equal(1);
    expectConsole(m).nextLine('## Flattened Device Tree blob at 42900000')
      .nextLine('   Booting using the fdt blob at 0x42900000')
      .nextLine('ERROR: FDT image overlaps OS image (OS=0x42800000..0x429c0000)').end();
    expect(m.handoff).to.equal(undefined);
  });

  // 2023.01 boot/bootm.c bootm_find_images() also rejects an FDT whose END (ft_addr + ft_len) lies in
  // [start, start + size): real U-Boot, DTB (0x4e3 bytes) at 0x427ffb1d ending exactly at the OS start, prints the
  // overlap error and returns.
  it('refuses an FDT that ends at/inside the OS image start (real: overlap error)', () => {
    place(0x42800000, 'xen');
    place(0x427ffb1d, 'virt.dtb');
    expect(runCommands(m, 'booti 0x42800000 - 0x427ffb1d')).to.equal(1);
    expectConsole(m).nextLine('## Flattened Device Tree blob at 427ffb1d')
      .nextLine('   Booting using the fdt blob at 0x427ffb1d')
      .nextLine('ERROR: FDT image overlaps OS image (OS=0x42800000..0x429c0000)').end();
  });

  // boot/bootm.c v2024.04 check_overlap(): the OS range loses its 0x, and the FDT's length is passed where
  // its end belongs, so a DTB that only ends at the OS start is no longer refused.
  it('2024.04 on: the overlap error prints the OS range without 0x', () => {
    m = createMachine({ root, ubootVersion: '2024.04' });
    place(0x42800000, 'xen');
    place(0x42900000, 'virt.dtb');
    expect(runCommands(m, 'booti 0x42800000 - 0x42900000')).to.equal(1);
    expectConsole(m).nextLine('## Flattened Device Tree blob at 42900000')
      .nextLine('   Booting using the fdt blob at 0x42900000')
      .nextLine('ERROR: FDT image overlaps OS image (OS=42800000..429c0000)').end();
    m = createMachine({ root, ubootVersion: '2026.04' });
    place(0x42800000, 'xen');
    expect(runCommands(m, 'booti 0x42800000 0x42900000:1000 -')).to.equal(1);
    expectConsole(m).nextLine('ERROR: RD image overlaps OS image (OS=42800000..429c0000)').end();
  });

  it('2024.04 on: an FDT that ends at the OS start passes the overlap check (2023.01 refuses it)', () => {
    m = createMachine({ root, ubootVersion: '2024.04' });
    place(0x42800000, 'xen');
    place(0x427ffb1d, 'virt.dtb');
    runCommands(m, 'setenv fdt_high 0xffffffffffffffff; booti 0x42800000 - 0x427ffb1d');
    expectConsole(m).nextLine('## Flattened Device Tree blob at 427ffb1d')
      .nextLine('   Booting using the fdt blob at 0x427ffb1d')
      .nextLine('Working FDT set to 427ffb1d');
    expect(m.console.transcript().join('\n')).to.not.include('overlaps');
  });

  it('2026.04: fdt_high=~0 prints the five-line WARNING before using the DTB in place', () => {
    m = createMachine({ root, ubootVersion: '2026.04' });
    place(0x42800000, 'xen');
    place(0x42a00000, 'virt.dtb');
    runCommands(m, 'setenv fdt_high 0xffffffffffffffff; booti 0x42800000 - 0x42a00000');
    expectConsole(m).nextLine('## Flattened Device Tree blob at 42a00000')
      .nextLine('   Booting using the fdt blob at 0x42a00000')
      .nextLine('Working FDT set to 42a00000')
      .nextLine('WARNING:')
      .nextLine("The 'fdt_high' environment variable is set to ~0. This is known to cause")
      .nextLine('boot failures due to placement of DT at non-8-byte-aligned addresses.')
      .nextLine("This system will likely fail to boot. Unset the 'fdt_high' environment")
      .nextLine('variable and submit a fix upstream.')
      .nextLine('   Using Device Tree in place at 0000000042a00000, end 0000000042a034e2');
    m = createMachine({ root, ubootVersion: '2026.01' });
    place(0x42800000, 'xen');
    place(0x42a00000, 'virt.dtb');
    runCommands(m, 'setenv fdt_high 0xffffffffffffffff; booti 0x42800000 - 0x42a00000');
    expect(m.console.transcript()).to.not.include('WARNING:');
  });

  it('2025.10: an Image moved into U-Boot\'s area fails "Failed to allocate memory for the image at 0x…"', () => {
    // Xen's image_size (0x1c0000) from 0xbdc00000 runs into U-Boot's window at 0xbddb2000: 2025.04 boots it
    // (lmb_reserve()'s result was ignored), 2025.10 refuses.
    for (const [version, rc] of [['2025.04', 0], ['2025.10', 1]] as const) {
      m = createMachine({ root, ubootVersion: version });
      place(0xbdc00000, 'xen');
      place(0x42a00000, 'virt.dtb');
      expect(runCommands(m, 'booti 0xbdc00000 - 0x42a00000')).to.equal(rc);
    }
    expectConsole(m).nextLine('Failed to allocate memory for the image at 0xbdc00000').end();
  });

  it('2025.10: fdt_high=~0 with the padded DTB reaching U-Boot\'s area fails "Failed to reserve memory for fdt at 0x…"', () => {
    m = createMachine({ root, ubootVersion: '2025.10' });
    place(0x42800000, 'xen');
    place(0xbddb0000, 'virt.dtb');
    runCommands(m, 'setenv fdt_high 0xffffffffffffffff; booti 0x42800000 - 0xbddb0000');
    expectConsole(m).skipTo('Working FDT set to bddb0000')
      .nextLine('Failed to reserve memory for fdt at 0xbddb0000');
    expect(m.handoff).to.equal(undefined);
  });

  it('2025.01: the persistent LMB keeps loaded files out of the DTB relocation (2023.01 places it over them)', () => {
    const relocatedTo = (version: string): string | undefined => {
      m = createMachine({ root, ubootVersion: version });
      runCommands(m, ['setenv ipaddr 10.0.2.15', 'setenv serverip 10.0.2.2', 'tftpb 0x42800000 xen', 'tftpb 0xbdd00000 virt.dtb',
        'tftpb 0xbdda6000 initrd.cpio.gz', 'booti 0x42800000 - 0xbdd00000'].join('\n'));
      return m.console.transcript().find((l) => l.startsWith('   Loading Device Tree to'));
    };
    // 2023.01: the LMB knows only U-Boot's window: the highest 4 KiB-aligned 0x34e3 bytes below 0xbddb2000,
    // over the initrd loaded at 0xbdda6000..0xbddb1098.
    expect(relocatedTo('2023.01')).to.equal('   Loading Device Tree to 00000000bddae000, end 00000000bddb14e2 ... OK');
    // 2025.01: the initrd's load is reserved too, so the DTB goes below it.
    expect(relocatedTo('2025.01')).to.equal('   Loading Device Tree to 00000000bdda2000, end 00000000bdda54e2 ... OK');
  });

  it('2025.10: an in-place ramdisk in U-Boot\'s area fails "in-place initrd alloc failed"; fdt_high below every free block names the relocation', () => {
    for (const version of ['2025.04', '2025.10']) {
      m = createMachine({ root, ubootVersion: version });
      place(0x42800000, 'xen');
      place(0x42a00000, 'virt.dtb');
      runCommands(m, 'setenv initrd_high 0xffffffffffffffff; booti 0x42800000 0xbddb1000:2000 0x42A00000');
    }
    expectConsole(m).skipTo('Working FDT set to 42a00000').nextLine('in-place initrd alloc failed');
    m = createMachine({ root, ubootVersion: '2025.10' });
    place(0x42800000, 'xen');
    place(0x42a00000, 'virt.dtb');
    runCommands(m, 'setenv fdt_high 0x1000; booti 0x42800000 - 0x42A00000');
    expectConsole(m).skipTo('Working FDT set to 42a00000').nextLine('Failed to allocate memory for Device Tree relocation');
  });

  for (const cmd of ['booti 0x42800000 -', 'booti 0x42800000']) {
    it(`without an FDT argument resets the board (\`${cmd}\`)`, () => {
      place(0x42800000, 'xen');
      expect(runCommands(m, cmd)).to.equal(1);
      expectConsole(m).nextLine('Working FDT set to 0').nextLine('FDT and ATAGS support not compiled in')
        .nextLine('').nextLine('resetting ...').end();
      expect(m.stopped).to.equal('reset');
      expect(m.handoff).to.equal(undefined);
    });
  }

  it('rejects a ramdisk address without size or header, and ramdisks overlapping the OS', () => {
    place(0x42800000, 'xen');
    place(0x42a00000, 'virt.dtb');
    const rc = runCommands(m, [
      'booti 0x42800000 0x44000000 0x42A00000',
      'booti 0x42800000 0x42900000:1000 0x42A00000',
      'booti 0x42800000 0x427ff000:1001 0x42A00000',
    ].join('\n'));
    expect(rc).to.equal(1);
    expectConsole(m).nextLine('Wrong Ramdisk Image Format').nextLine('Ramdisk image is corrupt or invalid')
      .nextLine('ERROR: RD image overlaps OS image (OS=0x42800000..0x429c0000)')
      .nextLine('ERROR: RD image overlaps OS image (OS=0x42800000..0x429c0000)').end();
    expect(m.failures.map((f) => f.rc)).to.deep.equal([1, 1, 1]);
    expect(m.handoff).to.equal(undefined);
  });
});
