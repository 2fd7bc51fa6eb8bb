// The model against a real Xen 4.17.7 boot on QEMU virt (gic-version=3, 4 x cortex-a57, 2 GiB):
// test/fixtures/transcripts/a-dom0less-2domu.{source,log}, recorded by the lab.
import { expect } from 'chai';
import * as fs from 'node:fs';
import { bootXen, formatDomainTable } from '../../../../src/sim/xen/index.js';
import { fixturePath } from '../../../helpers/paths.js';
import { arm64Image, domUNode, dtc, handoff, hasTool, sparseFile, virtDts, XEN_IMAGE_SIZE } from './helpers.js';

describe('sim → xen → real transcript (Xen 4.17.7, dom0less, 2 domUs sharing kernel + ramdisk)', function () {
  const logPath = fixturePath('transcripts', 'a-dom0less-2domu.log');

  function labHandoff() {
    const image = arm64Image('Image', 32956352, 0x2010000);
    const initrd = sparseFile('initramfs.cpio.gz', 0xf791d, new Uint8Array([0x1f, 0x8b, 0x08, 0x00]));
    const xen = arm64Image('xen', 983048, XEN_IMAGE_SIZE);
    // `fdt mknod /chosen domU0` then `domU1`: the later node is inserted first.
    const chosen = `#address-cells = <0x2>; #size-cells = <0x2>;
      xen,xen-bootargs = "console=dtuart dtuart=/pl011@9000000";
      ${domUNode('domU1', { memKiB: 0x40000, cpus: 2, kernel: [0x40400000, 0x2010000], ramdisk: [0x42600000, 0xf791d], bootargs: 'console=ttyAMA0 labtoken=u1' })}
      ${domUNode('domU0', { memKiB: 0x40000, cpus: 1, kernel: [0x40400000, 0x2010000], ramdisk: [0x42600000, 0xf791d], bootargs: 'console=ttyAMA0 labtoken=u0' })}`;
    const dtb = dtc(virtDts(chosen));
    return handoff([{ addr: 0x40400000, file: image }, { addr: 0x42600000, file: initrd }, { addr: 0x42800000, file: xen }], dtb, 0x42a00000, 0x42800000);
  }

  before(function () {
    if (!hasTool('dtc')) this.skip();
    if (!fs.existsSync(logPath)) this.skip();
  });

  it('prints exactly the real lines from the first LOADING line to "Freed 348kB init memory."', function () {
    const r = bootXen(labHandoff());
    const real = fs.readFileSync(logPath, 'utf8').split('\n');
    const from = real.findIndex((l) => l.startsWith('(XEN) *** LOADING DOMU'));
    const to = real.findIndex((l) => l.startsWith('(XEN) Freed '));
    const ours = r.console.slice(r.console.findIndex((l) => l.startsWith('(XEN) *** LOADING DOMU')));
    expect(ours).to.deep.equal(real.slice(from, to + 1));
  });

  it('emits only lines that the real log has, in the same order', function () {
    const r = bootXen(labHandoff());
    const real = fs.readFileSync(logPath, 'utf8').split('\n').filter((l) => l.startsWith('(XEN) ') && !/^\(XEN\) (DOM\d|d\dv\d)/.test(l));
    let at = 0;
    for (const line of r.console) {
      const i = real.indexOf(line, at);
      expect(i, `"${line}" missing from the real log after line ${at}`).to.be.greaterThan(-1);
      at = i + 1;
    }
  });

  it('reports both domains up, domU1 as d1 (mknod reverses the order)', function () {
    const r = bootXen(labHandoff());
    expect(r.consoleVisible).to.equal(true);
    expect(r.panic).to.equal(undefined);
    expect(r.domains.map((d) => [d.name, d.domid, d.vcpus, d.memoryKiB, d.verdict])).to.deep.equal([
      ['domU1', 1, 2, 0x40000, 'up'], ['domU0', 2, 1, 0x40000, 'up'],
    ]);
    expect(formatDomainTable(r)).to.equal([
      'name   domid  kernel                            ramdisk             memory   vCPUs  verdict',
      'domU1  1      0x40400000+0x2010000 arm64-image  0x42600000+0xf791d  256 MiB  2      up',
      'domU0  2      0x40400000+0x2010000 arm64-image  0x42600000+0xf791d  256 MiB  1      up',
    ].join('\n'));
  });
});
