// Against ImageBuilder itself: Xilinx/imagebuilder branch xlnx_rel_v2023.2 (commit 297a48f8635713a14469a92d49f7e292554dedc9),
// scripts/uboot-script-gen run as `SOURCE_DATE_EPOCH=0 bash scripts/uboot-script-gen -c bootefi.config -d .` over
// samples/{Image,initrd.cpio.gz,xen,virt.dtb}: test/fixtures/imagebuilder/xlnx_rel_v2023.2-bootefi.source.
// That release writes `bootefi XEN - DTB`, the line broken since BOOT_CMD was added in 2022 and fixed upstream in
// July 2024 ("Make 'bootefi' work again": `bootefi XEN DTB`), which uboot-gen writes.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generate } from '../../../src/api/generate.js';
import { writeScriptImage } from '../../../src/images/uimage.js';
import { simulateUboot } from '../../../src/sim/uboot/index.js';
import { REPO_ROOT } from '../../helpers/paths.js';
import { tempDir } from '../../helpers/images.js';

const FIX = path.join(REPO_ROOT, 'test', 'fixtures', 'imagebuilder');
/** `bootefi` and the load addresses of xen and the DTB, from a script's own lines. */
function bootLine(source: string): { line: string; xen: string; dtb: string } {
  const lines = source.split('\n');
  const addrOf = (file: string): string => lines.find((l) => l.endsWith(` ${file}`) && l.startsWith('tftpb '))!.split(' ')[1]!;
  return { line: lines.filter((l) => l.startsWith('bootefi')).join('\n'), xen: addrOf('xen'), dtb: addrOf('virt.dtb') };
}

describe('emit → against ImageBuilder xlnx_rel_v2023.2: BOOT_CMD=bootefi', () => {
  let dir: string;
  before(() => {
    dir = tempDir();
    for (const f of ['Image', 'initrd.cpio.gz', 'xen', 'virt.dtb']) fs.copyFileSync(path.join(REPO_ROOT, 'samples', f), path.join(dir, f));
    fs.copyFileSync(path.join(FIX, 'bootefi.config'), path.join(dir, 'config'));
  });

  it('ends with the same bootefi line on its own addresses, without 2023.2\'s "-"', () => {
    const ours = generate(path.join(dir, 'config'), { env: {}, write: false, dir }).outputs.source;
    const theirs = fs.readFileSync(path.join(FIX, 'xlnx_rel_v2023.2-bootefi.source'), 'utf8');
    const t = bootLine(theirs);
    const o = bootLine(ours);
    expect(t.line).to.equal(`bootefi ${t.xen} - ${t.dtb}`);
    expect(o.line).to.equal(`bootefi ${o.xen} ${o.dtb}`);
    expect(ours.trimEnd().split('\n').at(-1)).to.equal(o.line);
    expect(theirs.trimEnd().split('\n').at(-1)).to.equal(t.line);
    // Both load xen after the kernel: bootefi finds it as the last PE/COFF file loaded.
    for (const s of [ours, theirs]) expect(s.indexOf(' xen\n')).to.be.greaterThan(s.indexOf(' Image\n'));
  });

  // "-" reads as DT address 0: U-Boot installs its own DT (${fdtcontroladdr}), here a board without one
  // in memory. On QEMU it is QEMU's DT, without modules (the lab's ib-bootefi-dash case, bootefi.spec.ts).
  it('2023.2\'s line does not install the generated DT: U-Boot 2023.01 looks at ${fdtcontroladdr} instead', () => {
    const source = fs.readFileSync(path.join(FIX, 'xlnx_rel_v2023.2-bootefi.source'), 'utf8');
    const r = simulateUboot({ script: writeScriptImage(source, { time: 0 }), root: dir });
    expect(r.stoppedReason).to.equal('end-of-script');
    expect(r.failures.map((f) => [f.command, f.rc, f.message.at(-1)])).to.deep.equal([['bootefi 0x40800000 - 0x40A00000', 1, 'ERROR: invalid device tree']]);
  });
});
