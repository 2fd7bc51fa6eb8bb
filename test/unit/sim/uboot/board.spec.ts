// Board profiles read from a DTB: cell counts are bounded before `reg` is walked.
import { expect } from 'chai';
import * as fs from 'node:fs';
import { boardFromDtb, createMachine, qemuVirtArm32Board, qemuVirtBoard, runCommands } from '../../../../src/sim/uboot/index.js';
import { openInto, setpropString, setpropU32 } from '../../../../src/fdt/rw.js';
import { UbootGenError } from '../../../../src/errors.js';
import { fixturePath } from '../../../helpers/paths.js';

function dtbWithCells(ac: number, sc: number): Uint8Array {
  const src = new Uint8Array(fs.readFileSync(fixturePath('scripts', 'virt.dtb')));
  const buf = new Uint8Array(src.length + 256);
  expect(openInto(src, buf, buf.length)).to.equal(0);
  expect(setpropU32(buf, 0, '#address-cells', ac)).to.equal(0);
  expect(setpropU32(buf, 0, '#size-cells', sc)).to.equal(0);
  return buf;
}

describe('sim → uboot → board', () => {
  it('reads the QEMU virt DTB: one 2 GiB bank at 0x40000000', () => {
    const b = boardFromDtb(new Uint8Array(fs.readFileSync(fixturePath('scripts', 'virt.dtb'))), 'virt.dtb');
    expect(b.dram).to.deep.equal([{ start: 0x40000000, size: 0x80000000 }]);
  });

  it('tells the arm32 board (Cortex-A15) from the arm64 one by the first CPU\'s compatible', () => {
    const arm64 = boardFromDtb(new Uint8Array(fs.readFileSync(fixturePath('real', 'qemu-virt-gicv3-2g.dtb'))), 'virt.dtb');
    expect(arm64.arch).to.equal(undefined);
    expect(arm64.ubootReserved).to.deep.equal(qemuVirtBoard().ubootReserved);
    const arm32 = boardFromDtb(new Uint8Array(fs.readFileSync(fixturePath('transcripts', 'arm32', 'qemu-virt-arm32-2g.dtb'))), 'virt.dtb');
    const profile = qemuVirtArm32Board();
    expect([arm32.arch, arm32.dram, arm32.ubootReserved, arm32.pcpus]).to.deep.equal([profile.arch, profile.dram, profile.ubootReserved, profile.pcpus]);
    expect(profile).to.include({ arch: 'arm32', name: 'qemu-virt-arm32 (2048 MiB)' });
  });

  it('runs the arm32 build\'s U-Boot: bootz, no booti, cpu=armv7, the control DTB at fdtcontroladdr=bedf7eb0', () => {
    const dtb = new Uint8Array(fs.readFileSync(fixturePath('transcripts', 'arm32', 'qemu-virt-arm32-2g.dtb')));
    const m = createMachine({ root: '.', board: boardFromDtb(dtb, 'virt.dtb') });
    expect(m.env.get('cpu')).to.equal('armv7');
    expect(m.env.get('fdtcontroladdr')).to.equal('bedf7eb0');
    expect(m.ram.read(0xbedf7eb0, 4)).to.deep.equal(dtb.subarray(0, 4));
    expect(runCommands(m, 'booti 0x40c00000 - 0x40e00000')).to.equal(1);
    expect(m.console.transcript()).to.deep.equal(["Unknown command 'booti' - try 'help'"]);
    expect(runCommands(m, 'bootz 0x40c00000 - 0x40e00000')).to.equal(1);
    expect(m.console.transcript()[1]).to.equal('zimage: Bad magic!');
  });

  it('knows which U-Boot families have fdt apply (CONFIG_OF_LIBFDT_OVERLAY) from the root compatible', () => {
    const withCompatible = (compatible: string): Uint8Array => {
      const src = new Uint8Array(fs.readFileSync(fixturePath('scripts', 'virt.dtb')));
      const buf = new Uint8Array(src.length + 256);
      expect(openInto(src, buf, buf.length)).to.equal(0);
      expect(setpropString(buf, 0, 'compatible', ...compatible.split(' '))).to.equal(0);
      return buf;
    };
    expect(boardFromDtb(withCompatible('xlnx,zynqmp-zcu102-rev1.0 xlnx,zynqmp-zcu102 xlnx,zynqmp'), 'z.dtb').fdtOverlay).to.equal(true);
    expect(boardFromDtb(withCompatible('raspberrypi,4-model-b brcm,bcm2711'), 'r.dtb').fdtOverlay).to.equal(true);
    expect(boardFromDtb(withCompatible('fsl,imx8mm-evk fsl,imx8mm'), 'i.dtb').fdtOverlay).to.equal(false);
    expect(boardFromDtb(withCompatible('renesas,h3ulcb renesas,r8a7795'), 'h.dtb').fdtOverlay).to.equal(true);
    expect(boardFromDtb(withCompatible('linux,dummy-virt'), 'v.dtb').fdtOverlay).to.equal(undefined);
  });

  it('refuses #address-cells/#size-cells of 0 (which never advanced through reg) and above 4', () => {
    for (const [ac, sc] of [[0, 0], [2, 0], [5, 2], [0xffffffff, 1]] as const) {
      let err: unknown;
      try { boardFromDtb(dtbWithCells(ac, sc), 'b.dtb'); } catch (e) { err = e; }
      expect(err).to.be.instanceOf(UbootGenError);
      expect((err as UbootGenError).message).to.equal(`board DTB b.dtb: the root's #address-cells ${ac} / #size-cells ${sc} cannot describe memory banks (each must be 1..4)`);
    }
  });
});
