// --dialect xilinx against ImageBuilder itself: Xilinx/imagebuilder branch xlnx_rel_v2023.2 (commit
// 297a48f8635713a14469a92d49f7e292554dedc9), scripts/uboot-script-gen run as
// `SOURCE_DATE_EPOCH=0 bash scripts/uboot-script-gen -c xilinx-keys.config -d .` over samples/{Image,initrd.cpio.gz,xen,virt.dtb}.
// Its boot.source is test/fixtures/imagebuilder/xlnx_rel_v2023.2-xilinx-keys.source.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generate } from '../../../src/api/generate.js';
import { verifyGenerated } from '../../../src/api/verify.js';
import { ConfigError } from '../../../src/errors.js';
import { REPO_ROOT } from '../../helpers/paths.js';
import { tempDir } from '../../helpers/images.js';

const FIX = path.join(REPO_ROOT, 'test', 'fixtures', 'imagebuilder');

function folder(config: string): string {
  const dir = tempDir();
  for (const f of ['Image', 'initrd.cpio.gz', 'xen', 'virt.dtb']) fs.copyFileSync(path.join(REPO_ROOT, 'samples', f), path.join(dir, f));
  fs.writeFileSync(path.join(dir, 'config'), config);
  return dir;
}

describe('emit → against ImageBuilder xlnx_rel_v2023.2: --dialect xilinx (DOM0_VIOMMU, DOMU_VIOMMU, DOMU_VUART_PL011)', () => {
  const config = fs.readFileSync(path.join(FIX, 'xilinx-keys.config'), 'utf8');

  it('writes the lines Xilinx\'s ImageBuilder writes for the three keys', () => {
    const dir = folder(config);
    const r = generate(path.join(dir, 'config'), { env: {}, write: false, dir, dialect: 'xilinx' });
    const theirs = fs.readFileSync(path.join(FIX, 'xlnx_rel_v2023.2-xilinx-keys.source'), 'utf8');
    // The one other difference: Xilinx's branch defaults DOM0_MEM to 1500, upstream (and uboot-gen) to 1024.
    const lines = (s: string) => s.split('\n').filter((l) => / (viommu|vpl011)\b|xen,xen-bootargs/.test(l)).map((l) => l.replace('dom0_mem=1500M', 'dom0_mem=1024M'));
    expect(lines(r.outputs.source)).to.deep.equal(lines(theirs));
    expect(lines(r.outputs.source)).to.deep.equal([
      'fdt set /chosen xen,xen-bootargs "console=dtuart dtuart=serial0 dom0_mem=1024M dom0_max_vcpus=1 bootscrub=0 vwfi=native sched=null   dom0_viommu=1"',
      'fdt set /chosen/domU0 vpl011 "pl011"', 'fdt set /chosen/domU0 viommu', 'fdt set /chosen/domU1 vpl011 "pl011"',
    ]);
    expect(r.diagnostics.filter((d) => d.code === 'CONFIG_XILINX_DIALECT').map((d) => d.key)).to.deep.equal(['DOM0_VIOMMU', 'DOMU_VIOMMU[0]', 'DOMU_VUART_PL011']);
  });

  it('refuses the keys without the opt-in, the fix naming --dialect xilinx', () => {
    const dir = folder(config);
    let caught: unknown;
    try { generate(path.join(dir, 'config'), { env: {}, write: false, dir }); } catch (e) { caught = e; }
    expect(caught).to.be.instanceOf(ConfigError);
    const e = caught as ConfigError;
    expect([e.code, e.where?.line]).to.deep.equal(['CONFIG_UNSUPPORTED', 7]);
    expect(e.hint?.match(/--dialect xilinx/g)).to.have.length(3);
  });

  it('boots in the models as upstream Xen does: viommu ignored, vpl011 "pl011" read as the flag', () => {
    const dir = folder(['MEMORY_START="0x40000000"', 'MEMORY_END="0xC0000000"', 'DEVICE_TREE="virt.dtb"', 'XEN="xen"', 'XEN_CMD="console=dtuart dtuart=/pl011@9000000"',
      'NUM_DOMUS=2', 'DOMU_KERNEL[0]="Image"', 'DOMU_RAMDISK[0]="initrd.cpio.gz"', 'DOMU_MEM[0]=256', 'DOMU_VIOMMU[0]=1',
      'DOMU_KERNEL[1]="Image"', 'DOMU_RAMDISK[1]="initrd.cpio.gz"', 'DOMU_MEM[1]=256', 'DOMU_VPL011[1]=0', 'DOMU_CMD[1]="console=hvc0"', 'DOMU_VUART_PL011=1',
      'LOAD_CMD="tftpb"', 'UBOOT_SOURCE="boot.source"', ''].join('\n'));
    const gen = generate(path.join(dir, 'config'), { env: {}, write: true, dir, dialect: 'xilinx' });
    // DOMU_VPL011[1]=0 keeps domU1 without a virtual PL011: DOMU_VUART_PL011 changes the value, not whether there is one.
    expect(gen.outputs.source.split('\n').filter((l) => / (viommu|vpl011)\b/.test(l))).to.deep.equal(['fdt set /chosen/domU0 vpl011 "pl011"', 'fdt set /chosen/domU0 viommu']);
    const v = verifyGenerated(gen);
    // domU0 boots with viommu ignored. domU1 has neither a vpl011 nor a PV console backend (no dom0,
    // no xen,enhanced): its console=hvc0 leads nowhere, so nothing of it is ever seen.
    expect(v.domains.map((d) => [d.name, d.verdict])).to.deep.equal([['domU1', 'guest fails'], ['domU0', 'up']]);
    expect(v.domains[0]!.reason).to.match(/^console=hvc0 only: a domU's hvc console is the PV console/);
  });
});
