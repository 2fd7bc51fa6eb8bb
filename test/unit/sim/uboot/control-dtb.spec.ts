// U-Boot's control DTB: a board given by its DTB holds that blob where U-Boot 2023.01 keeps it on
// QEMU virt, and `${fdtcontroladdr}` points at it, as the real one does (printenv: bedb6db0).
import { expect } from 'chai';
import * as fs from 'node:fs';
import { boardFromDtb, createMachine, qemuVirtBoard, runCommands } from '../../../../src/sim/uboot/index.js';
import { totalsize } from '../../../../src/fdt/header.js';
import { fixturePath } from '../../../helpers/paths.js';
import { tempDir } from '../../../helpers/images.js';

const QEMU_DTB = new Uint8Array(fs.readFileSync(fixturePath('dtb', 'qemu-virt-gicv3-2g.dtb')));

describe('sim → uboot → control DTB (${fdtcontroladdr})', () => {
  it('puts QEMU\'s own DTB at 0xbedb6db0 on a 2 GiB virt board and edits it in place', () => {
    const m = createMachine({ root: tempDir(), board: boardFromDtb(QEMU_DTB, 'virt') });
    expect(m.env.get('fdtcontroladdr')).to.equal('bedb6db0');
    expect(runCommands(m, 'fdt addr ${fdtcontroladdr}\nfdt resize 0x100\nfdt set /chosen xen,xen-bootargs "console=dtuart"')).to.equal(0);
    expect(m.workingFdt).to.equal(0xbedb6db0);
    expect(m.failures).to.deep.equal([]);
    // fdt resize shrinks QEMU's 1 MiB blob to what it uses plus the room asked for, in place.
    expect(totalsize(m.ram.read(0xbedb6db0, 0x40))).to.be.below(0x100000);
  });

  it('follows the end of RAM on another board, and keeps the default value without a DTB', () => {
    const dtbOf1G = boardFromDtb(QEMU_DTB, 'virt');
    const m = createMachine({ root: tempDir(), board: { ...dtbOf1G, dram: [{ start: 0x40000000, size: 0x40000000 }] } });
    expect(m.env.get('fdtcontroladdr')).to.equal('7edb6db0');
    const bare = createMachine({ root: tempDir(), board: qemuVirtBoard() });
    expect(bare.env.get('fdtcontroladdr')).to.equal('bedb6db0');
    expect(runCommands(bare, 'fdt addr ${fdtcontroladdr}')).to.equal(1);
  });
});
