// bootz: Debian's qemu_arm64 U-Boot 2023.01 is built without it (real board: `bootz 0x42800000` →
// "Unknown command 'bootz' - try 'help'"). With the command compiled in (excludeCommands: []) the simulator models
// cmd/bootz.c + arch/arm/lib/zimage.c bootz_setup(): magic 0x016f2818 (LE) at 0x24, start/end at 0x28/0x2c.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createMachine, runCommands, type Machine } from '../../../../../src/sim/uboot/index.js';
import { expectConsole, makeServedFolder } from '../helpers.js';

describe('sim → uboot → cmd → bootz', () => {
  let root: string;
  let m: Machine;
  const place = (addr: number, name: string): void => { m.ram.writeFile(addr, m.files.resolve(name)!); };
  before(() => {
    root = makeServedFolder();
    const z = Buffer.alloc(0x1000);
    z.writeUInt32LE(0x016f2818, 0x24);
    z.writeUInt32LE(0, 0x28);
    z.writeUInt32LE(0x200000, 0x2c);
    fs.writeFileSync(path.join(root, 'zImage'), z);
  });
  after(() => { fs.rmSync(root, { recursive: true, force: true }); });

  it('is not a command of Debian\'s qemu_arm64 build', () => {
    m = createMachine({ root });
    place(0x42800000, 'zImage');
    expect(runCommands(m, 'bootz 0x42800000 - 0x42A00000')).to.equal(1);
    expectConsole(m).nextLine("Unknown command 'bootz' - try 'help'").end();
    expect(m.bootAttempted).to.equal(false);
    expect(m.failures).to.have.length(1);
  });

  it('boots a zImage in place when the command is compiled in', () => {
    m = createMachine({ root, excludeCommands: [] });
    place(0x42800000, 'zImage');
    place(0x42a00000, 'virt.dtb');
    expect(runCommands(m, 'setenv fdt_high 0xffffffffffffffff\nbootz 0x42800000 - 0x42A00000')).to.equal(0);
    expectConsole(m).nextLine('Kernel image @ 0x42800000 [ 0x000000 - 0x200000 ]')
      .nextLine('## Flattened Device Tree blob at 42a00000')
      .nextLine('   Booting using the fdt blob at 0x42a00000')
      .nextLine('Working FDT set to 42a00000')
      .nextLine('   Using Device Tree in place at 0000000042a00000, end 0000000042a034e2')
      .nextLine('Working FDT set to 42a00000')
      .nextLine('').nextLine('Starting kernel ...').nextLine('').end();
    const h = m.handoff!;
    expect([h.command, h.loadAddr, h.entry, h.fdtAddr]).to.deep.equal(['bootz', 0x42800000, 0x42800000, 0x42a00000]);
    expect(h.kernel).to.deep.equal({ format: 'zimage', imageSize: 0x200000, textOffset: 0, flags: 0 });
  });

  it('says "zimage: Bad magic!" for anything else (an arm64 Image here)', () => {
    m = createMachine({ root, excludeCommands: [] });
    place(0x42800000, 'xen');
    expect(runCommands(m, 'bootz 0x42800000 - 0x42A00000')).to.equal(1);
    expectConsole(m).nextLine('zimage: Bad magic!').end();
    expect(m.handoff).to.equal(undefined);
  });

  it('refuses an FDT inside the zImage range', () => {
    m = createMachine({ root, excludeCommands: [] });
    place(0x42800000, 'zImage');
    place(0x42900000, 'virt.dtb');
    expect(runCommands(m, 'bootz 0x42800000 - 0x42900000')).to.equal(1);
    expectConsole(m).nextLine('Kernel image @ 0x42800000 [ 0x000000 - 0x200000 ]')
      .nextLine('## Flattened Device Tree blob at 42900000')
      .nextLine('   Booting using the fdt blob at 0x42900000')
      .nextLine('ERROR: FDT image overlaps OS image (OS=0x42800000..0x42a00000)').end();
  });
});
