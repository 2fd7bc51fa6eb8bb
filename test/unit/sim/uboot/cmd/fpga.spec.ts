// `fpga load DEV ADDR SIZE` as cmd/fpga.c and drivers/fpga/fpga.c check it.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createMachine, qemuVirtBoard, runCommands, type Machine } from '../../../../../src/sim/uboot/index.js';
import { tempDir } from '../../../../helpers/images.js';

describe('sim → uboot → cmd → fpga', () => {
  const root = tempDir();
  fs.writeFileSync(path.join(root, 'design.bit'), Buffer.alloc(0x3456, 0xa5));
  /** A ZynqMP-like board: one FPGA device, and a U-Boot built with the fpga command. */
  const board = (): Machine => createMachine({ root, board: { ...qemuVirtBoard(), fpgaDevices: 1 }, excludeCommands: [] });
  const last = (m: Machine) => m.console.transcript().at(-1);

  it('programs device 0 with a bitstream that was loaded whole', () => {
    const m = board();
    expect(runCommands(m, 'tftpb 0x40400000 design.bit; fpga load 0 0x40400000 0x3456')).to.equal(0);
    expect(m.fpgaLoads).to.deep.equal([{ device: 0, addr: 0x40400000, size: 0x3456 }]);
    expect(m.failures).to.deep.equal([]);
  });

  it('refuses a device the board lacks, a zero address or size, and a wrong parameter count, with U-Boot\'s messages', () => {
    for (const [cmd, msg] of [
      ['fpga load 1 0x40400000 0x3456', 'Invalid device number 1'],
      ['fpga load 0 0 0x3456', 'Zero fpga_data address'],
      ['fpga load 0 0x40400000 0', 'Zero size'],
      ['fpga load 0 0x40400000', 'Incorrect number of parameters passed'],
      ['fpga load 0 0x40400000 0x10 0x20', 'Too many parameters passed'],
      ['fpga frob', 'Non existing command'],
    ] as const) {
      const m = board();
      runCommands(m, `tftpb 0x40400000 design.bit; ${cmd}`);
      expect(last(m), cmd).to.equal(msg);
      expect(m.failures.map((f) => f.command), cmd).to.deep.equal([cmd]);
      expect(m.fpgaLoads, cmd).to.deep.equal([]);
    }
  });

  it('takes the device from the fpga variable when it is set', () => {
    const m = board();
    runCommands(m, 'setenv fpga 1; tftpb 0x40400000 design.bit; fpga load 0 0x40400000 0x3456');
    expect(last(m)).to.equal('Invalid device number 1');
  });

  it('refuses a size larger than what was loaded (the rest would be garbage)', () => {
    const m = board();
    runCommands(m, 'tftpb 0x40400000 design.bit; fpga load 0 0x40400000 0x4000');
    expect(last(m)).to.equal('## uboot-gen simulator: only 13398 of the 16384 bytes at 0x40400000 were loaded, so FPGA 0 would be programmed with garbage');
  });

  it('does not exist in Debian\'s qemu_arm64 U-Boot', () => {
    const m = createMachine({ root });
    runCommands(m, 'fpga load 0 0x40400000 0x3456');
    expect(last(m)).to.equal("Unknown command 'fpga' - try 'help'");
  });
});
