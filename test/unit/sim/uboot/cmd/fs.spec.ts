// load / fatload / ext4load: argument parsing and messages checked against real U-Boot 2023.01 (Debian
// u-boot-qemu, QEMU virt) reading a FAT partition (virtio 0:1) that holds the same files. The served folder plays
// the partition. Real runs print "N bytes read in T ms (rate)"; the simulator prints a fixed "0 ms" (deterministic).
import { expect } from 'chai';
import * as fs from 'node:fs';
import { createMachine, runCommands, type Machine } from '../../../../../src/sim/uboot/index.js';
import { expectConsole, makeServedFolder } from '../helpers.js';

const USAGE_HEAD = ['load - load binary file from a filesystem', '', 'Usage:'];

describe('sim → uboot → cmd → fs (load, fatload, ext4load)', () => {
  let root: string;
  let m: Machine;
  before(() => { root = makeServedFolder(); });
  after(() => { fs.rmSync(root, { recursive: true, force: true }); });
  beforeEach(() => { m = createMachine({ root }); });

  it('loads a file and sets filesize/fileaddr (hex, no 0x)', () => {
    expect(runCommands(m, 'load virtio 0:1 0x44000000 virt.dtb')).to.equal(0);
    expectConsole(m).nextLine('1251 bytes read in 0 ms').end();
    expect([m.env.get('filesize'), m.env.get('fileaddr')]).to.deep.equal(['4e3', '44000000']);
    const seg = m.ram.segments(0x44000000, 0x1000);
    expect(seg.map((s) => [s.start, s.length, s.source.kind === 'file' ? s.source.name : ''])).to.deep.equal([[0x44000000, 0x4e3, 'virt.dtb']]);
  });

  it('fatload and ext4load share the parser; the address needs no 0x', () => {
    expect(runCommands(m, 'fatload virtio 0:1 44100000 initrd.cpio.gz\next4load virtio 0:1 0x45000000 virt.dtb')).to.equal(0);
    expectConsole(m).nextLine('45208 bytes read in 0 ms').nextLine('1251 bytes read in 0 ms').end();
    expect([m.env.get('filesize'), m.env.get('fileaddr')]).to.deep.equal(['4e3', '45000000']);
  });

  it('takes bytes and pos in hex', () => {
    runCommands(m, 'load virtio 0:1 0x44000000 virt.dtb 10 4');
    expectConsole(m).nextLine('16 bytes read in 0 ms').end();
    expect(m.env.get('filesize')).to.equal('10');
    expect(Array.from(m.ram.read(0x44000000, 4))).to.deep.equal([0x00, 0x00, 0x04, 0xe3]); // virt.dtb bytes 4..7: totalsize
  });

  for (const addr of ['44x00000', '-']) {
    it(`prints the usage when the address is not pure hex (${addr})`, () => {
      expect(runCommands(m, `load virtio 0:1 ${addr} virt.dtb`)).to.equal(1);
      expect(m.console.transcript().slice(0, 3)).to.deep.equal(USAGE_HEAD);
      expect(m.env.get('filesize')).to.equal(undefined);
    });
  }

  it('prints the usage without an interface', () => {
    expect(runCommands(m, 'load')).to.equal(1);
    expect(m.console.transcript().slice(0, 3)).to.deep.equal(USAGE_HEAD);
  });

  it('refuses U-Boot\'s reserved area and keeps filesize', () => {
    runCommands(m, 'load virtio 0:1 0x44000000 virt.dtb 10');
    expect(runCommands(m, 'load virtio 0:1 0xbe000000 virt.dtb')).to.equal(1);
    expectConsole(m).nextLine('16 bytes read in 0 ms').nextLine('** Reading file would overwrite reserved memory **')
      .nextLine("Failed to load 'virt.dtb'").end();
    expect(m.env.get('filesize')).to.equal('10');
  });

  it('defaults the file to $bootfile and the address to $loadaddr', () => {
    expect(runCommands(m, 'setenv loadaddr 0x45000000\nload virtio 0:1')).to.equal(1);
    expect(runCommands(m, 'setenv bootfile virt.dtb\nload virtio 0:1')).to.equal(0);
    expectConsole(m).nextLine('** No boot file defined **').nextLine('1251 bytes read in 0 ms').end();
    expect([m.env.get('fileaddr'), m.env.get('filesize')]).to.deep.equal(['45000000', '4e3']);
  });

  it('fails on a missing file and keeps filesize from the previous load', () => {
    runCommands(m, 'fatload virtio 0:1 44100000 virt.dtb');
    expect(runCommands(m, 'load virtio 0:1 0x44200000 nosuch')).to.equal(1);
    expect(m.console.transcript().at(-1)).to.equal("Failed to load 'nosuch'");
    expect(m.env.get('filesize')).to.equal('4e3');
    expect(m.ram.segments(0x44200000, 0x1000)).to.deep.equal([]);
  });

  // On a FAT partition real 2023.01
  // prints only "Failed to load 'nosuch'" (the FAT driver is silent about a missing file).
  it('a missing file on FAT prints only "Failed to load"', () => {
    runCommands(m, 'load virtio 0:1 0x44200000 nosuch');
    expectConsole(m).nextLine("Failed to load 'nosuch'").end();
  });

  // Real 2023.01 fs_set_blk_dev() failures end
  // with "Can't set block device"; `load virtio` (no dev) prints "** No device specified **" /
  // "Couldn't find partition virtio <NULL>" / "Can't set block device".
  it('bad or missing device specifications print three lines', () => {
    runCommands(m, 'load nosuchif 0 0x44000000 virt.dtb\nload virtio');
    expectConsole(m).nextLine('** Bad device specification nosuchif 0 **').nextLine("Couldn't find partition nosuchif 0")
      .nextLine("Can't set block device").nextLine('** No device specified **')
      .nextLine("Couldn't find partition virtio <NULL>").nextLine("Can't set block device").end();
  });
});
