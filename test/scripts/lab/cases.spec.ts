// The lab case scripts are reproducible from the real asset sizes recorded in
// test/fixtures/real/MANIFEST.json: regenerating them gives exactly the committed
// <case>.source files that produced the ground-truth transcripts.
import { expect } from 'chai';
import * as fs from 'node:fs';
import { fixturePath } from '../../helpers/paths.js';
import { labCases, type LabCaseInputs } from '../../../scripts/lab/cases.js';

const manifest = JSON.parse(fs.readFileSync(fixturePath('real', 'MANIFEST.json'), 'utf8')) as { caseInputs: LabCaseInputs };

describe('lab/cases', () => {
  const cases = labCases(manifest.caseInputs);

  it('regenerates every committed <case>.source byte for byte', () => {
    for (const c of cases) {
      expect(c.source, c.name).to.equal(fs.readFileSync(fixturePath('transcripts', `${c.name}.source`), 'utf8'));
    }
    expect(cases.map((c) => c.name)).to.deep.equal([
      'a-dom0less-2domu', 'b-dom0-domu', 'c-bootm-raw-image', 'd-bootm-xen-uimage', 'e-domu-memory-one-cell',
      'f-enhanced-without-dom0', 'g-tftp-missing-stale-filesize', 'h-fdt-nospace', 'i-dtuart-serial0',
      'j-fdt-high-unset', 'k-xen-unaligned-booti', 'l-tftp-into-uboot-reserved', 'm-domu-memory-too-big',
      'n-domu-kernel-reg-not-module-start', 'o-domu-8-vcpus',
    ]);
  });

  it('plans like ImageBuilder: 2 MiB steps from 0x40400000, kernel sized by its header image_size', () => {
    const a = cases[0]!;
    expect(a.source.split('\n').filter((l) => l.startsWith('tftpb') || l.startsWith('booti'))).to.deep.equal([
      'tftpb 0x40400000 Image', 'tftpb 0x42600000 initramfs.cpio.gz', 'tftpb 0x42800000 xen', 'tftpb 0x42A00000 virt.dtb',
      'booti 0x42800000 - 0x42A00000',
    ]);
    expect(a.source).to.include('fdt set /chosen/domU0/module@40400000 reg <0x0 0x40400000 0x0 0x2010000 >\n');
    expect(a.domains).to.deep.equal([{ name: 'domU1', token: 'u1', domid: 1 }, { name: 'domU0', token: 'u0', domid: 2 }]);
  });

  it('the uImage case wraps Xen for the address it is loaded at, and the missing-file case does not stage that file', () => {
    const d = cases.find((c) => c.name === 'd-bootm-xen-uimage')!;
    expect(d.files).to.deep.include({ name: 'xen.ub', from: 'xen-uimage', loadAddr: 0x42800000 });
    expect(d.source).to.include('bootm 0x42800000 - 0x42A00000\n');
    const g = cases.find((c) => c.name === 'g-tftp-missing-stale-filesize')!;
    expect(g.files.map((f) => f.name)).to.deep.equal(['Image', 'initramfs.cpio.gz', 'xen', 'virt.dtb']);
    expect(g.source).to.include('reg <0x0 0x42800000 0x0 0x${filesize} >\n');
  });
});
