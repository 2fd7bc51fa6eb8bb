// U-Boot's control DTB: a board given by its DTB holds that blob where U-Boot 2023.01 keeps it on
// QEMU virt, and `${fdtcontroladdr}` points at it, as the real one does (printenv: bedb6db0).
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { pathOffset as fdtPathOffset } from '../../../../src/fdt/ro.js';
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

describe('sim → uboot → fdt addr -c (gd->fdt_blob moved)', () => {
  it('prints the control DTB\'s address, and after `fdt addr -c ADDR` reads U-Boot\'s own DT (its /signature keys) from ADDR', () => {
    const root = tempDir();
    // QEMU's DTB with a required key node, as `mkimage -K u-boot.dtb -r` leaves it (made with fdtput).
    const keyed = path.join(root, 'u-boot.dtb');
    fs.copyFileSync(fixturePath('dtb', 'qemu-virt-gicv3-2g.dtb'), keyed);
    execFileSync('fdtput', ['-p', '-c', keyed, '/signature/key-dev']);
    execFileSync('fdtput', ['-t', 's', keyed, '/signature/key-dev', 'required', 'image']);
    const m = createMachine({ root, board: boardFromDtb(QEMU_DTB, 'virt') });
    expect(runCommands(m, 'fdt addr -c')).to.equal(0);
    expect(m.console.lines.at(-1)).to.equal('Control fdt: bedb6db0');
    expect(fdtPathOffset(m.controlFdt!, '/signature')).to.be.below(0);
    expect(runCommands(m, 'tftpb b0000000 u-boot.dtb\nfdt addr -c b0000000\nfdt addr -c')).to.equal(0);
    expect(m.console.lines.at(-1)).to.equal('Control fdt: b0000000');
    expect(fdtPathOffset(m.controlFdt!, '/signature/key-dev')).to.be.above(0);
    // The working FDT is another thing: `fdt addr -c` leaves it unset.
    expect(m.workingFdt).to.equal(undefined);
  });

  it('refuses an address that holds no device tree, and keeps the old one', () => {
    const m = createMachine({ root: tempDir(), board: boardFromDtb(QEMU_DTB, 'virt') });
    expect(runCommands(m, 'fdt addr -c b0000000')).to.equal(1);
    expect(m.console.lines.at(-1)).to.equal('libfdt fdt_check_header(): FDT_ERR_BADMAGIC');
    expect(m.controlFdtAddr).to.equal(undefined);
  });
});
