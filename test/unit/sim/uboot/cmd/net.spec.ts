// tftpboot texts from a real U-Boot 2023.01 run (QEMU user networking, virtio-net).
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { printSize } from '../../../../../src/sim/uboot/net-lwip.js';
import { createMachine, runCommands, type Machine } from '../../../../../src/sim/uboot/index.js';
import { expectConsole, makeServedFolder } from '../helpers.js';

describe('sim → uboot → cmd → net (tftpboot)', () => {
  let root: string;
  let m: Machine;
  before(() => { root = makeServedFolder(); });
  after(() => { fs.rmSync(root, { recursive: true, force: true }); });
  beforeEach(() => { m = createMachine({ root }); });

  const head = ['Using virtio-net#32 device', 'TFTP from server 10.0.2.2; our IP address is 10.0.2.15'];

  it('loads a file and sets filesize/fileaddr (lower-case hex, no 0x)', () => {
    expect(runCommands(m, 'tftpb 0x44A00000 virt.dtb')).to.equal(0);
    expectConsole(m).nextLine(head[0]!).nextLine(head[1]!).nextLine("Filename 'virt.dtb'.").nextLine('Load address: 0x44a00000')
      .nextLine('Loading: *#').nextLine('done').nextLine('Bytes transferred = 1251 (4e3 hex)').end();
    expect([m.env.get('filesize'), m.env.get('fileaddr')]).to.deep.equal(['4e3', '44a00000']);
    expect(m.ram.read(0x44a00000, 4)).to.deep.equal(Uint8Array.from([0xd0, 0x0d, 0xfe, 0xed]));
  });

  it('keeps filesize on a missing file', () => {
    runCommands(m, 'tftpb 0x44A00000 virt.dtb\ntftpb 0x45000000 nosuchfile');
    expectConsole(m).skipTo('Bytes transferred = 1251 (4e3 hex)').nextLine(head[0]!).nextLine(head[1]!)
      .nextLine("Filename 'nosuchfile'.").nextLine('Load address: 0x45000000').nextLine('Loading: *')
      .nextLine("TFTP error: 'File not found' (1)").nextLine('Not retrying...').end();
    expect(m.env.get('filesize')).to.equal('4e3');
  });

  for (const addr of ['0x30000000', '0xbddb2000', '0xbe000000', '0xc0000000', '0xbfffff00']) {
    it(`refuses ${addr} (outside RAM or U-Boot's window) before loading`, () => {
      expect(runCommands(m, `tftpb ${addr} virt.dtb`)).to.equal(1);
      expectConsole(m).nextLine(head[0]!).nextLine(head[1]!).nextLine("Filename 'virt.dtb'.").nextLine('')
        .nextLine('TFTP error: trying to overwrite reserved memory...').end();
    });
  }

  it('fails mid-transfer when the file runs into the window (0xbddb1c00), accepts 0xbddb1000', () => {
    expect(runCommands(m, 'tftpb 0xbddb1000 virt.dtb')).to.equal(0);
    m = createMachine({ root });
    expect(runCommands(m, 'tftpb 0xbddb1c00 virt.dtb')).to.equal(1);
    expectConsole(m).nextLine(head[0]!).nextLine(head[1]!).nextLine("Filename 'virt.dtb'.").nextLine('Load address: 0xbddb1c00')
      .nextLine('Loading: *#').nextLine('TFTP error: trying to overwrite reserved memory...').end();
  });

  // net/tftp.c v2025.01: tftp_init_load_addr() no longer checks the LMB; the first block's store does.
  it('2025.01 on: a load address in U-Boot\'s window is printed, then the first block fails', () => {
    m = createMachine({ root, ubootVersion: '2025.01' });
    expect(runCommands(m, 'tftpb 0xbe000000 virt.dtb')).to.equal(1);
    expectConsole(m).nextLine(head[0]!).nextLine(head[1]!).nextLine("Filename 'virt.dtb'.").nextLine('Load address: 0xbe000000')
      .nextLine('Loading: *#').nextLine('TFTP error: trying to overwrite reserved memory...').end();
    expect(m.env.get('filesize')).to.equal(undefined);
  });

  it('2025.01 on: every load stays reserved in the persistent LMB; 2023.01 keeps none', () => {
    m = createMachine({ root, ubootVersion: '2025.01' });
    runCommands(m, 'tftpb 0x44A00000 virt.dtb\ntftpb 0x44A00000 virt.dtb');
    expect(m.persistentLmb!.reserved.slice(1)).to.deep.equal([{ start: 0x44a00000, size: 1251 }, { start: 0x44a00000, size: 1251 }]);
    expect(createMachine({ root }).persistentLmb).to.equal(undefined);
  });

  describe('lwIP stack (build netStack lwip, net/lwip/tftp.c)', () => {
    const lwip = (version: string): Machine => createMachine({ root, ubootVersion: version, build: { netStack: 'lwip' } });

    it('2025.04: "Loading: " without the star, a # every 10 blocks; no reserved-memory check', () => {
      m = lwip('2025.04');
      // initrd.cpio.gz: 45208 bytes = 31 blocks of 1468 → 3 marks.
      expect(runCommands(m, 'tftpb 0x44000000 initrd.cpio.gz')).to.equal(0);
      expectConsole(m).nextLine(head[0]!).nextLine(head[1]!).nextLine("Filename 'initrd.cpio.gz'.").nextLine('Load address: 0x44000000')
        .nextLine('Loading: ###').nextLine('done').nextLine('Bytes transferred = 45208 (b098 hex)').end();
      expect([m.env.get('filesize'), m.env.get('fileaddr')]).to.deep.equal(['b098', '44000000']);
      m = lwip('2025.04');
      expect(runCommands(m, 'tftpb 0xbe000000 virt.dtb')).to.equal(0);
    });

    it('a missing file: "TFTP error: 256 (File not found)" (the code as the packet holds it, on a little-endian CPU), no retry line', () => {
      m = lwip('2025.04');
      expect(runCommands(m, 'tftpb 0x44000000 nosuchfile')).to.equal(1);
      expectConsole(m).skipTo('Load address: 0x44000000').nextLine('Loading: ').nextLine('TFTP error: 256 (File not found)').end();
    });

    it('2025.07 on: a store into U-Boot\'s window prints the legacy text, then the transfer closes as done with 0 bytes and tftpboot succeeds', () => {
      m = lwip('2025.10');
      expect(runCommands(m, 'tftpb 0xbe000000 virt.dtb')).to.equal(0);
      // tftp_close() starts its own line ("\n\t <rate>", then "\ndone"): a blank line after the error's.
      expectConsole(m).skipTo('Load address: 0xbe000000').nextLine('Loading: ').nextLine('TFTP error: trying to overwrite reserved memory...')
        .nextLine('').nextLine('done').nextLine('Bytes transferred = 0 (0 hex)').end();
      expect([m.env.get('filesize'), m.env.get('fileaddr')]).to.deep.equal(['0', 'be000000']);
    });

    it('2026.04: after the refused store, 49 marks and the size from tsize (real v2026.04 lwIP boot, uboot-2026.04-lwip/l-…)', () => {
      m = lwip('2026.04');
      expect(runCommands(m, 'tftpb 0xbe000000 virt.dtb')).to.equal(0);
      expectConsole(m).skipTo('Load address: 0xbe000000').nextLine('Loading: ').nextLine('TFTP error: trying to overwrite reserved memory...')
        .nextLine(`${'#'.repeat(49)}  ${printSize(fs.statSync(path.join(root, 'virt.dtb')).size)}`).nextLine('done').nextLine('Bytes transferred = 0 (0 hex)').end();
    });

    it('2026.04: 50 marks from the server\'s tsize, then the size (print_size)', () => {
      m = lwip('2026.04');
      runCommands(m, 'tftpb 0x44000000 initrd.cpio.gz');
      expectConsole(m).skipTo('Load address: 0x44000000').nextLine(`Loading: ${'#'.repeat(50)}  44.1 KiB`).nextLine('done');
    });
  });

  it('uses the default file name when only an address is given', () => {
    runCommands(m, 'tftpb 44A00000');
    expectConsole(m).nextLine("*** Warning: no boot file name; using '0A00020F.img'");
  });
});
