import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { FdtError } from '../../../src/errors.js';
import { checkDtbForReading, FDT_MAX_CHECKED_DEPTH } from '../../../src/fdt/check.js';
import { parseTree } from '../../../src/fdt/tree.js';
import { fixturePath } from '../../helpers/paths.js';
import { deepDtb, hostileDtbs } from '../../fuzz/hostile-dtbs.js';

function fdtError(fn: () => unknown): FdtError {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(FdtError);
    return e as FdtError;
  }
  throw new Error('expected an FdtError');
}

describe('fdt/check: the whole-blob check every reader relies on', () => {
  it('accepts every real blob of the fixtures (dtc, QEMU, the samples)', () => {
    const dir = fixturePath('dtb');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.dtb')).map((f) => path.join(dir, f));
    files.push('samples/virt.dtb', fixturePath('images', 'tiny.dtb'));
    expect(files).to.have.length(10);
    for (const f of files) checkDtbForReading(new Uint8Array(fs.readFileSync(f)), f);
  });

  it('bounds the nesting at 64 levels (no reader recurses or loops on a deeper one)', () => {
    checkDtbForReading(deepDtb(FDT_MAX_CHECKED_DEPTH - 1), 'ok.dtb');
    const e = fdtError(() => checkDtbForReading(deepDtb(FDT_MAX_CHECKED_DEPTH), 'd.dtb'));
    expect(e.code).to.equal('FDT_ERR_BADSTRUCTURE');
    expect(e.message).to.equal('d.dtb is not a usable device tree: its structure block is corrupt (an unknown tag, or nodes that do not nest properly); nodes nest more than 64 levels deep at structure offset 512 (FDT_ERR_BADSTRUCTURE)');
    expect(e.where).to.deep.equal({ file: 'd.dtb' });
  });

  it('refuses the hostile blobs: zero cells, reservations and memory beyond 52 bits, impossible cell counts', () => {
    const [, cells0, rsv, mem, cells4] = hostileDtbs();
    let e = fdtError(() => checkDtbForReading(cells0 as Uint8Array, 'b'));
    expect([e.code, e.message]).to.deep.equal(['FDT_ERR_BADNCELLS', 'b is not a usable device tree: #address-cells or #size-cells is malformed or out of range; / has #address-cells = <0>, but it must be one cell from 1 to 4 (FDT_ERR_BADNCELLS)']);
    e = fdtError(() => checkDtbForReading(rsv as Uint8Array, 'b'));
    expect([e.code, e.message]).to.deep.equal(['FDT_ERR_BADVALUE', 'b: /memreserve/ entry 0 ends at 0x20000000000000, above the 52-bit arm64 physical address space (0x10000000000000)']);
    e = fdtError(() => checkDtbForReading(mem as Uint8Array, 'b'));
    expect([e.code, e.message]).to.deep.equal(['FDT_ERR_BADVALUE', 'b: /memory@40000000 reg entry 0 ends at 0x20000000001000, above the 52-bit arm64 physical address space (0x10000000000000)']);
    e = fdtError(() => checkDtbForReading(cells4 as Uint8Array, 'b'));
    expect(e.code).to.equal('FDT_ERR_BADVALUE');
    expect(e.message).to.match(/^b: \/memory@40000000 reg entry 0 ends at /);
  });

  it('parseTree names the blob and the fault instead of "parseTree: FDT_ERR_..."', () => {
    const bad = new Uint8Array(fs.readFileSync('samples/virt.dtb'));
    const view = new DataView(bad.buffer);
    view.setUint32(view.getUint32(8), 7);
    const e = fdtError(() => parseTree(bad, 'DEVICE_TREE "virt.dtb"'));
    expect(e.code).to.equal('FDT_ERR_BADSTRUCTURE');
    expect(e.message).to.equal('DEVICE_TREE "virt.dtb" is not a usable device tree: its structure block is corrupt (an unknown tag, or nodes that do not nest properly); tag at structure offset 0 (FDT_ERR_BADSTRUCTURE)');
    expect(e.hint).to.equal('regenerate the blob with dtc (dtc -I dts -O dtb -o board.dtb board.dts) or dump it again from the board or QEMU');
  });
});
