// fdt/overlay against dtc's fdtoverlay (1.6.1, from before overlays kept the base's phandles):
// the fixtures' .dts are compiled with `dtc -@`, and each expected blob is fdtoverlay's output.
import * as fs from 'node:fs';
import { expect } from 'chai';
import { E, fdtStrerror } from '../../../src/fdt/errors.js';
import { fdtMagic, totalsize } from '../../../src/fdt/header.js';
import { applyOverlay, maxPhandle } from '../../../src/fdt/overlay.js';
import { getPhandle, getprop, getpropString, pathOffset } from '../../../src/fdt/ro.js';
import { openInto, pack } from '../../../src/fdt/rw.js';
import { fixturePath } from '../../helpers/paths.js';

const read = (name: string): Uint8Array => new Uint8Array(fs.readFileSync(fixturePath('dtb', 'overlay', name)));

/** What fdtoverlay does: the base opened into a buffer big enough for every overlay, each applied in turn, then packed. */
function fdtoverlay(baseName: string, overlayNames: string[], opts = { keepBasePhandles: false }): { blob: Uint8Array; err: number } {
  const base = read(baseName);
  const overlays = overlayNames.map(read);
  const size = base.length + overlays.reduce((n, o) => n + o.length, 0);
  const buf = new Uint8Array(size);
  expect(openInto(base, buf, size)).to.equal(0);
  for (const o of overlays) {
    const err = applyOverlay(buf, o, opts);
    if (err < 0) return { blob: buf, err };
  }
  expect(pack(buf)).to.equal(0);
  return { blob: buf.subarray(0, totalsize(buf)), err: 0 };
}

describe('fdt/overlay: fdt_overlay_apply() as libfdt does it', () => {
  it('a target-path fragment on a base without symbols: byte-equal to fdtoverlay', () => {
    const r = fdtoverlay('base-plain.dtb', ['disable-gpio.dtbo']);
    expect(r.err).to.equal(0);
    expect(Buffer.from(r.blob).equals(read('base-plain+disable-gpio.dtb'))).to.equal(true);
    expect(getpropString(r.blob, pathOffset(r.blob, '/pl061@9030000'), 'status')).to.equal('disabled');
  });

  it('target phandles, local references, base references and symbols: byte-equal to fdtoverlay', () => {
    const r = fdtoverlay('base-symbols.dtb', ['add-device.dtbo']);
    expect(r.err).to.equal(0);
    expect(Buffer.from(r.blob).equals(read('base-symbols+add-device.dtb'))).to.equal(true);
    // The overlay's phandles were raised past the base's largest (4): its = 5, dma = 6.
    const dma = pathOffset(r.blob, '/dma-controller@9100000');
    expect(getPhandle(r.blob, dma)).to.equal(6);
    expect(Buffer.from(getprop(r.blob, dma, 'msi-parent') as Uint8Array).toString('hex')).to.equal('00000005');
    expect(Buffer.from(getprop(r.blob, dma, 'interrupt-parent') as Uint8Array).toString('hex')).to.equal('00000001');
    expect(Buffer.from(getprop(r.blob, dma, 'clocks') as Uint8Array).toString('hex')).to.equal('0000000200000002');
    const consumer = pathOffset(r.blob, '/consumer@9200000');
    expect(Buffer.from(getprop(r.blob, consumer, 'dmas') as Uint8Array).toString('hex')).to.equal('00000006000000010000000600000002');
    const symbols = pathOffset(r.blob, '/__symbols__');
    expect(getpropString(r.blob, symbols, 'its')).to.equal('/interrupt-controller@8000000/msi-controller@8080000');
    expect(getpropString(r.blob, symbols, 'dma')).to.equal('/dma-controller@9100000');
    expect(maxPhandle(r.blob)).to.equal(6);
  });

  it('two overlays in turn: byte-equal to fdtoverlay', () => {
    const r = fdtoverlay('base-symbols.dtb', ['disable-gpio.dtbo', 'add-device.dtbo']);
    expect(r.err).to.equal(0);
    expect(Buffer.from(r.blob).equals(read('base-symbols+disable-gpio+add-device.dtb'))).to.equal(true);
  });

  it('a 6 KiB property: byte-equal to fdtoverlay, and -FDT_ERR_NOSPACE in a blob with less room', () => {
    const r = fdtoverlay('base-symbols.dtb', ['big-property.dtbo']);
    expect(Buffer.from(r.blob).equals(read('base-symbols+big-property.dtb'))).to.equal(true);
    const base = read('base-symbols.dtb');
    const buf = new Uint8Array(base.length + 1024);
    expect(openInto(base, buf, buf.length)).to.equal(0);
    const overlay = read('big-property.dtbo');
    expect(fdtStrerror(applyOverlay(buf, overlay))).to.equal('FDT_ERR_NOSPACE');
    // Both blobs are left with their magic erased, as on the board.
    expect(fdtMagic(buf)).to.equal(0xffffffff);
    expect(fdtMagic(overlay)).to.equal(0xffffffff);
  });

  it('a reference to a base label on a base without /__symbols__ fails with FDT_ERR_NOTFOUND (fdtoverlay too)', () => {
    const r = fdtoverlay('base-plain.dtb', ['needs-symbols.dtbo']);
    expect(r.err).to.equal(E.NOTFOUND);
    const ok = fdtoverlay('base-symbols.dtb', ['needs-symbols.dtbo']);
    expect(Buffer.from(ok.blob).equals(read('base-symbols+needs-symbols.dtb'))).to.equal(true);
  });

  it('erases the overlay\'s magic after a successful apply (the overlay in RAM is spent)', () => {
    const base = read('base-plain.dtb');
    const buf = new Uint8Array(base.length + 512);
    openInto(base, buf, buf.length);
    const overlay = read('disable-gpio.dtbo');
    expect(applyOverlay(buf, overlay)).to.equal(0);
    expect(fdtMagic(overlay)).to.equal(0xffffffff);
    expect(fdtMagic(buf)).to.equal(0xd00dfeed);
  });

  it('keeps the base\'s phandle when an overlay node with a phandle lands on a base node with one (libfdt 1.7.1)', () => {
    // add-device's fragment@0 targets intc (phandle 1) and adds `its`; make its body carry a phandle too
    // by applying the same overlay twice: the second time msi-controller exists with phandle 5 and
    // the overlay's copy (phandle 1 in the .dtbo) arrives raised past the base's largest, 6: 7.
    const once = fdtoverlay('base-symbols.dtb', ['add-device.dtbo']).blob;
    const size = once.length + 4096;
    for (const keep of [false, true]) {
      const buf = new Uint8Array(size);
      openInto(once, buf, size);
      expect(applyOverlay(buf, read('add-device.dtbo'), { keepBasePhandles: keep })).to.equal(0);
      const its = pathOffset(buf, '/interrupt-controller@8000000/msi-controller@8080000');
      const dma = pathOffset(buf, '/dma-controller@9100000');
      expect(getPhandle(buf, its)).to.equal(keep ? 5 : 7);
      expect(Buffer.from(getprop(buf, dma, 'msi-parent') as Uint8Array).readUInt32BE(0)).to.equal(keep ? 5 : 7);
      expect(getPhandle(buf, dma)).to.equal(keep ? 6 : 8);
    }
  });

  it('rejects a fragment with neither target nor target-path (FDT_ERR_BADOVERLAY)', () => {
    const base = read('base-plain.dtb');
    const buf = new Uint8Array(base.length + 512);
    openInto(base, buf, buf.length);
    const overlay = read('disable-gpio.dtbo');
    // Rename "target-path" in the strings block: the fragment then has no target at all.
    const at = Buffer.from(overlay).indexOf('target-path');
    overlay.set(Buffer.from('xarget-path'), at);
    expect(applyOverlay(buf, overlay)).to.equal(E.BADOVERLAY);
  });
});
