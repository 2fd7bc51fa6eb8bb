// create_domUs()'s reading of nr_spis and the grant limits, and domain_create()'s refusals, per
// release: values the config reader would refuse are written here through APPEND_EXTRA_CMDS, as a
// hand-edited script would carry them.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generate } from '../../../../src/api/generate.js';
import { verifyGenerated } from '../../../../src/api/verify.js';
import { arm64Header, ramdiskFile, sparseFile, tempDir } from '../../../helpers/images.js';
import { buildSamples } from '../../../helpers/samples.js';
import { DEBIAN_417_CONFIG, DEBIAN_420_CONFIG, syntheticXen } from '../../xen-build/fixtures.js';

const MiB = 1024 * 1024;

function boot(xenConfig: string, extraCmds: string) {
  const dir = tempDir('domcfg-');
  fs.writeFileSync(path.join(dir, 'xen'), syntheticXen(xenConfig, { memberOffset: 0x75ec0, size: 1015816 }).bytes);
  sparseFile(path.join(dir, 'Image'), arm64Header({ imageSize: 30 * MiB }), 20 * MiB);
  ramdiskFile(path.join(dir, 'initrd.cpio.gz'));
  fs.writeFileSync(path.join(dir, 'virt.dtb'), buildSamples()['virt.dtb']!);
  fs.writeFileSync(path.join(dir, 'extra.cmds'), extraCmds);
  fs.writeFileSync(path.join(dir, 'config'), `${[
    'MEMORY_START=0x40000000', 'MEMORY_END=0xC0000000', 'DEVICE_TREE=virt.dtb', 'XEN=xen', 'XEN_CMD="console=dtuart dtuart=/pl011@9000000"',
    'LOAD_CMD=tftpb', 'UBOOT_SOURCE=boot.source', 'UBOOT_SCRIPT=boot.scr', 'APPEND_EXTRA_CMDS=extra.cmds',
    'NUM_DOMUS=1', 'DOMU_KERNEL[0]=Image', 'DOMU_RAMDISK[0]=initrd.cpio.gz',
  ].join('\n')}\n`);
  const v = verifyGenerated(generate(path.join(dir, 'config'), { write: false, env: {} }));
  const d = v.domains.find((x) => x.name === 'domU0')!;
  return { panic: v.xen!.panic, verdict: d.verdict, reason: d.reason };
}

describe('sim → xen → domain creation config', () => {
  it('nr_spis above 960 (after rounding up to 32): "Error creating domain" on 4.17 (no rc) and 4.20', () => {
    expect(boot(DEBIAN_417_CONFIG, 'fdt set /chosen/domU0 nr_spis <961>\n').panic).to.equal('Error creating domain domU0');
    expect(boot(DEBIAN_420_CONFIG, 'fdt set /chosen/domU0 nr_spis <961>\n').panic).to.equal('Error creating domain domU0 (rc = -22)');
    // 960 is the last value that fits.
    expect(boot(DEBIAN_420_CONFIG, 'fdt set /chosen/domU0 nr_spis <960>\n')).to.deep.include({ panic: undefined, verdict: 'up' });
  });

  it('max_grant_frames above INT32_MAX panics on 4.20 before the domain is created; 4.17 does not read it', () => {
    expect(boot(DEBIAN_420_CONFIG, 'fdt set /chosen/domU0 max_grant_frames <0x80000000>\n').panic).to.equal('max_grant_frames (2147483648) overflow');
    expect(boot(DEBIAN_420_CONFIG, 'fdt set /chosen/domU0 max_maptrack_frames <0xffffffff>\n').panic).to.equal('max_maptrack_frames (4294967295) overflow');
    expect(boot(DEBIAN_417_CONFIG, 'fdt set /chosen/domU0 max_grant_frames <0x80000000>\n')).to.deep.include({ panic: undefined, verdict: 'up' });
  });

  it('max_grant_frames 0 and max_grant_version 0 fail grant_table_init() on 4.20', () => {
    const f = boot(DEBIAN_420_CONFIG, 'fdt set /chosen/domU0 max_grant_frames <0>\n');
    expect([f.panic, f.reason]).to.deep.equal(['Error creating domain domU0 (rc = -22)', 'Error creating domain domU0 (rc = -22) (max_grant_frames is 0: a grant table needs at least 1 frame)']);
    expect(boot(DEBIAN_420_CONFIG, 'fdt set /chosen/domU0 max_grant_version <0>\n').panic).to.equal('Error creating domain domU0 (rc = -22)');
  });
});
