// `-p PREPEND_PATH` end to end: every load and the hint ask for PREFIX/file, and the simulator,
// told the prefix, serves those names from the -d folder.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generate } from '../../../src/api/generate.js';
import { verifyGenerated, verifyScript } from '../../../src/api/verify.js';
import { sampleCopy } from '../../helpers/images.js';
import { verifySummary } from '../../../src/cli/verify-report.js';

describe('emit → -p PREPEND_PATH', () => {
  it('prefixes every load and the final hint, and changes nothing else', () => {
    const { dir, config } = sampleCopy();
    const plain = generate(config, { env: {}, write: false });
    const gen = generate(config, { env: {}, prependPath: '/srv/tftp/', write: false });
    const loads = gen.outputs.source.split('\n').filter((l) => l.startsWith('tftpb '));
    expect(loads).to.deep.equal([
      'tftpb 0x40400000 /srv/tftp/samples/Image',
      'tftpb 0x42600000 /srv/tftp/samples/initrd.cpio.gz',
      'tftpb 0x42800000 /srv/tftp/samples/xen',
      'tftpb 0x42A00000 /srv/tftp/samples/virt.dtb',
    ]);
    expect(gen.hint).to.equal('tftpb 0x40200000 /srv/tftp/boot.scr; source 0x40200000');
    // Only the names change: the same addresses and the same fdt resize (names are not in the DTB).
    expect(gen.outputs.source.replaceAll('/srv/tftp/', '')).to.equal(plain.outputs.source);
    expect(gen.plan.dtb.resizeExtra).to.equal(plain.plan.dtb.resizeExtra);
    expect(fs.existsSync(path.join(dir, 'srv'))).to.equal(false);
  });

  it('boots in the simulator with the prefix mapped onto the root, and fails without the mapping', () => {
    const { config } = sampleCopy();
    const gen = generate(config, { env: {}, prependPath: 'board7', write: false });
    const report = verifyGenerated(gen);
    expect(report.ok, verifySummary(report)).to.equal(true);
    expect(report.uboot.console).to.include("Filename 'board7/samples/xen'.");
    // The same script served from the root with no prefix mapping: the first load is not found.
    const unmapped = verifyScript(gen.outputs.script, gen.plan.dir, undefined, { scriptAddr: gen.plan.scriptAddr });
    expect(unmapped.ok).to.equal(false);
    expect(unmapped.uboot.failures[0]?.command).to.equal('tftpb 0x40400000 board7/samples/Image');
  });
});
