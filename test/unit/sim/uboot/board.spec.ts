// Board profiles read from a DTB: cell counts are bounded before `reg` is walked.
import { expect } from 'chai';
import * as fs from 'node:fs';
import { boardFromDtb } from '../../../../src/sim/uboot/index.js';
import { openInto, setpropU32 } from '../../../../src/fdt/rw.js';
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

  it('refuses #address-cells/#size-cells of 0 (which never advanced through reg) and above 4', () => {
    for (const [ac, sc] of [[0, 0], [2, 0], [5, 2], [0xffffffff, 1]] as const) {
      let err: unknown;
      try { boardFromDtb(dtbWithCells(ac, sc), 'b.dtb'); } catch (e) { err = e; }
      expect(err).to.be.instanceOf(UbootGenError);
      expect((err as UbootGenError).message).to.equal(`board DTB b.dtb: the root's #address-cells ${ac} / #size-cells ${sc} cannot describe memory banks (each must be 1..4)`);
    }
  });
});
