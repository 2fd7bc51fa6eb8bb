// bootm texts checked against real U-Boot 2023.01 (Debian u-boot-qemu, QEMU virt 2 GiB): the raw-Image rejection is
// real log c, the Xen uImage at its own load address (ImageBuilder's xen.ub layout) is real log d. The uImages here
// are written by src/images/uimage.ts writeUImage() (byte-identical to `mkimage -A arm64 -O linux -T kernel -C none`).
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createMachine, runCommands, type Machine } from '../../../../../src/sim/uboot/index.js';
import {
  writeUImage, writeScriptImage, IH_OS_LINUX, IH_ARCH_ARM64, IH_ARCH_PPC, IH_TYPE_KERNEL, IH_COMP_NONE,
} from '../../../../../src/images/uimage.js';
import { expectConsole, makeServedFolder } from '../helpers.js';

const XEN_UB_HEADER = [
  '## Booting kernel from Legacy Image at 42800000 ...',
  '   Image Name:   ',
  '   Created:      1970-01-01   0:00:00 UTC',
  '   Image Type:   AArch64 Linux Kernel Image (uncompressed)',
  '   Data Size:    1179648 Bytes = 1.1 MiB',
  '   Load Address: 42800000',
  '   Entry Point:  42800000',
];

describe('sim → uboot → cmd → bootm', () => {
  let root: string;
  let m: Machine;
  const place = (addr: number, name: string): void => { m.ram.writeFile(addr, m.files.resolve(name)!); };
  const lines = (ls: readonly string[]): ReturnType<typeof expectConsole> => {
    let c = expectConsole(m);
    for (const l of ls) c = c.nextLine(l);
    return c;
  };
  before(() => {
    root = makeServedFolder();
    const xen = fs.readFileSync(path.join(root, 'xen'));
    const ub = (arch: number, name: string): Uint8Array =>
      writeUImage({ os: IH_OS_LINUX, arch, type: IH_TYPE_KERNEL, comp: IH_COMP_NONE, load: 0x42800000, ep: 0x42800000, name, time: 0 }, xen);
    fs.writeFileSync(path.join(root, 'xen.ub'), ub(IH_ARCH_ARM64, ''));
    fs.writeFileSync(path.join(root, 'xen-ppc.ub'), ub(IH_ARCH_PPC, 'ppc'));
    const badHeader = Buffer.from(ub(IH_ARCH_ARM64, '')); badHeader[8]! ^= 1;
    fs.writeFileSync(path.join(root, 'xen-badhdr.ub'), badHeader);
    const badData = Buffer.from(ub(IH_ARCH_ARM64, '')); badData[0x2000]! ^= 1;
    fs.writeFileSync(path.join(root, 'xen-baddata.ub'), badData);
    fs.writeFileSync(path.join(root, 'hello.scr'), writeScriptImage('echo hello from script\nsetenv fromscript yes\n', { time: 0 }));
  });
  after(() => { fs.rmSync(root, { recursive: true, force: true }); });
  beforeEach(() => { m = createMachine({ root }); place(0x42a00000, 'virt.dtb'); });

  it('rejects a raw arm64 Image (real log c)', () => {
    place(0x42800000, 'xen');
    expect(runCommands(m, 'bootm 0x42800000 - 0x42A00000')).to.equal(1);
    expectConsole(m).nextLine('Wrong Image Format for bootm command').nextLine("ERROR: can't get kernel image!").end();
    expect(m.bootAttempted).to.equal(true);
    expect(m.handoff).to.equal(undefined);
  });

  it('boots Xen as a uImage loaded at its own load address: data moved down 64 bytes (real log d)', () => {
    place(0x42800000, 'xen.ub');
    expect(runCommands(m, 'fdt addr 0x42A00000\nfdt resize 1024\nsetenv fdt_high 0xffffffffffffffff\nbootm 0x42800000 - 0x42A00000')).to.equal(0);
    lines(['Working FDT set to 42a00000', ...XEN_UB_HEADER])
      .nextLine('   Verifying Checksum ... OK')
      .nextLine('## Flattened Device Tree blob at 42a00000')
      .nextLine('   Booting using the fdt blob at 0x42a00000')
      .nextLine('Working FDT set to 42a00000')
      .nextLine('   Loading Kernel Image')
      .nextLine('   Using Device Tree in place at 0000000042a00000, end 0000000042a04fff')
      .nextLine('Working FDT set to 42a00000')
      .nextLine('').nextLine('Starting kernel ...').nextLine('').end();
    const h = m.handoff!;
    expect([h.command, h.loadAddr, h.entry, h.fdtAddr]).to.deep.equal(['bootm', 0x42800000, 0x42800000, 0x42a00000]);
    expect(h.kernel).to.deep.equal({ format: 'uimage', imageSize: 0x120000, textOffset: 0, flags: 0 });
    // memmove(load, data, len): the Xen bytes now start at the load address (file offset 64 of xen.ub).
    const seg = m.ram.segments(0x42800000, 0x120000);
    expect(seg.map((s) => [s.start, s.length, s.source.kind === 'file' ? s.source.name : '', s.source.offset]))
      .to.deep.equal([[0x42800000, 0x120000, 'xen.ub', 64]]);
    expect(Array.from(m.ram.read(0x42800000 + 56, 4))).to.deep.equal([0x41, 0x52, 0x4d, 0x64]); // "ARM\x64"
  });

  it('stops at "Bad Header Checksum" before printing the header', () => {
    place(0x42800000, 'xen-badhdr.ub');
    expect(runCommands(m, 'bootm 0x42800000 - 0x42A00000')).to.equal(1);
    expectConsole(m).nextLine('## Booting kernel from Legacy Image at 42800000 ...').nextLine('Bad Header Checksum')
      .nextLine("ERROR: can't get kernel image!").end();
  });

  it('prints the header, then "Bad Data CRC" on the same line as "Verifying Checksum ..."', () => {
    place(0x42800000, 'xen-baddata.ub');
    expect(runCommands(m, 'bootm 0x42800000 - 0x42A00000')).to.equal(1);
    lines(XEN_UB_HEADER).nextLine('   Verifying Checksum ... Bad Data CRC').nextLine("ERROR: can't get kernel image!").end();
    expect(m.handoff).to.equal(undefined);
  });

  it('skips the data CRC with verify=n and boots the damaged image (FDT relocated: fdt_high default)', () => {
    place(0x42800000, 'xen-baddata.ub');
    expect(runCommands(m, 'setenv verify n\nbootm 0x42800000 - 0x42A00000')).to.equal(0);
    lines(XEN_UB_HEADER)
      .nextLine('## Flattened Device Tree blob at 42a00000')
      .nextLine('   Booting using the fdt blob at 0x42a00000')
      .nextLine('Working FDT set to 42a00000')
      .nextLine('   Loading Kernel Image')
      .nextLine('   Loading Device Tree to 00000000bddae000, end 00000000bddb14e2 ... OK')
      .nextLine('Working FDT set to bddae000')
      .nextLine('').nextLine('Starting kernel ...').nextLine('').end();
    expect(m.handoff!.fdtAddr).to.equal(0xbddae000);
  });

  it('rejects another architecture after the checksum: "Unsupported Architecture 0x7"', () => {
    place(0x42800000, 'xen-ppc.ub');
    expect(runCommands(m, 'bootm 0x42800000 - 0x42A00000')).to.equal(1);
    expectConsole(m).nextLine('## Booting kernel from Legacy Image at 42800000 ...')
      .nextLine('   Image Name:   ppc')
      .nextLine('   Created:      1970-01-01   0:00:00 UTC')
      .nextLine('   Image Type:   PowerPC Linux Kernel Image (uncompressed)')
      .nextLine('   Data Size:    1179648 Bytes = 1.1 MiB')
      .nextLine('   Load Address: 42800000')
      .nextLine('   Entry Point:  42800000')
      .nextLine('   Verifying Checksum ... OK')
      .nextLine('Unsupported Architecture 0x7')
      .nextLine("ERROR: can't get kernel image!").end();
  });

  // Real 2023.01 image_print_contents()
  // lists the parts of script/multi images ("   Contents:" / "      Image 0: 45 Bytes = 45 Bytes") before
  // "Verifying Checksum", then rejects the type.
  it('rejects a script uImage with "Wrong Image Type for bootm command" (real: Contents lines printed)', () => {
    place(0x42800000, 'hello.scr');
    expect(runCommands(m, 'bootm 0x42800000 - 0x42A00000')).to.equal(1);
    expectConsole(m).nextLine('## Booting kernel from Legacy Image at 42800000 ...')
      .nextLine('   Image Name:   ')
      .nextLine('   Created:      1970-01-01   0:00:00 UTC')
      .nextLine('   Image Type:   AArch64 Linux Script (uncompressed)')
      .nextLine('   Data Size:    53 Bytes = 53 Bytes')
      .nextLine('   Load Address: 00000000')
      .nextLine('   Entry Point:  00000000')
      .nextLine('   Contents:')
      .nextLine('      Image 0: 45 Bytes = 45 Bytes')
      .nextLine('   Verifying Checksum ... OK')
      .nextLine('Wrong Image Type for bootm command')
      .nextLine("ERROR: can't get kernel image!").end();
  });

  it('uses the 2024.04 texts for a raw Image when asked for that version', () => {
    m = createMachine({ root, ubootVersion: '2024.04' });
    place(0x42800000, 'xen');
    expect(runCommands(m, 'bootm 0x42800000')).to.equal(1);
    expectConsole(m).nextLine('Wrong Image Type for bootm command').nextLine("ERROR -91: can't get kernel image!").end();
  });
});
