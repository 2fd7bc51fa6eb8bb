// The memory keys in the plan (src/plan/static-mem.ts): reserved ranges no load lands on, and the
// checks of the CHECKS table that name them.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { planBoot } from '../../../src/api/generate.js';
import { parseConfigText } from '../../../src/config/index.js';
import { UbootGenError } from '../../../src/errors.js';
import { arm64Header, boardDtb, ramdiskFile, sparseFile, tempDir } from '../../helpers/images.js';
import { arm64Image } from '../../helpers/samples.js';

const MiB = 1024 * 1024;
function folder(): string {
  const dir = tempDir();
  sparseFile(path.join(dir, 'xen'), arm64Image({ fileSize: 4096, imageSize: 0x1360c8, textOffset: 0, flags: 0xa, code0: 0x91005a4d, fill: 9 }), 0x100000);
  sparseFile(path.join(dir, 'Image'), arm64Header({ imageSize: 30 * MiB }), 20 * MiB);
  ramdiskFile(path.join(dir, 'initrd.cpio.gz'));
  fs.writeFileSync(path.join(dir, 'virt.dtb'), boardDtb());
  return dir;
}
const BASE = ['MEMORY_START=0x40000000', 'MEMORY_END=0xC0000000', 'DEVICE_TREE=virt.dtb', 'XEN=xen', 'XEN_CMD="console=dtuart"', 'LOAD_CMD=tftpb', 'UBOOT_SOURCE=boot.source', 'NUM_DOMUS=1', 'DOMU_KERNEL[0]=Image'];
const plan = (lines: string[]) => {
  const dir = folder();
  return planBoot({ ...parseConfigText(`${[...BASE, ...lines].join('\n')}\n`, path.join(dir, 'config'), { env: {} }), dir });
};
function thrown(fn: () => unknown): UbootGenError {
  try { fn(); } catch (e) { if (e instanceof UbootGenError) return e; throw e; }
  throw new Error('expected an error');
}

describe('plan → static-mem', () => {
  it('moves loads past a static bank at the start of the planning window', () => {
    const p = plan(['DOMU_STATIC_MEM[0]="0x40400000 0x4000000"']);
    expect(p.staticRegions).to.deep.equal([{ kind: 'static-mem', key: 'DOMU_STATIC_MEM[0]', owner: 'domU0', start: 0x40400000, end: 0x44400000, label: 'domU0 static memory bank 0 (direct-mapped)', directMap: true }]);
    expect(p.loads.map((l) => [l.id, l.addr])).to.deep.equal([['domU0_kernel', 0x44400000], ['host_kernel', 0x46200000], ['host_fdt', 0x46400000]]);
    expect(p.loads[0]!.note).to.equal('moved past domU0 static memory bank 0 (direct-mapped)');
  });

  it('static-mem-build: warns that the assumed release build lacks STATIC_MEMORY and STATIC_SHM', () => {
    const p = plan(['DOMU_STATIC_MEM[0]="0x50000000 0x10000000"', 'DOMU_SHARED_MEM[0]="x 0x60000000 0x4000000 0x1000000"']);
    expect(p.diagnostics.filter((d) => d.code === 'PLAN_XEN_BUILD').map((d) => [d.key, d.message])).to.deep.equal([
      ['DOMU_STATIC_MEM[0]', 'DOMU_STATIC_MEM[0] needs a Xen built with CONFIG_STATIC_MEMORY, which this Xen 4.17 build lacks: with direct-map (DOMU_DIRECT_MAP[0], default 1) it panics "direct-map is not valid for domain domU0 without static allocation."'],
      ['DOMU_SHARED_MEM[0]', 'DOMU_SHARED_MEM[0] needs a Xen built with CONFIG_STATIC_SHM, which this Xen 4.17 build lacks: it prints "CONFIG_STATIC_SHM must be enabled for parsing static shared memory nodes" and stops reading the device tree there, so the nodes after it (later domains\' modules) are not registered'],
    ]);
  });

  it('static-mem-overlap: the heap over a domain\'s static bank is refused at the heap\'s line', () => {
    const e = thrown(() => plan(['DOMU_STATIC_MEM[0]="0x50000000 0x10000000"', 'XEN_STATIC_HEAP="0x58000000 0x10000000"']));
    expect(e.code).to.equal('PLAN_STATIC_CONFLICT');
    expect(e.message).to.equal('XEN_STATIC_HEAP: Xen static heap bank 0 0x58000000..0x68000000 overlaps domU0 static memory bank 0 (direct-mapped) 0x50000000..0x60000000 (DOMU_STATIC_MEM[0])');
    expect(e.where?.line).to.equal(11);
  });

  it('static-mem-in-ram: a bank past the board\'s RAM', () => {
    const e = thrown(() => plan(['DOMU_STATIC_MEM[0]="0x100000000 0x10000000"']));
    expect(e.code).to.equal('PLAN_STATIC_CONFLICT');
    expect(e.message).to.equal('DOMU_STATIC_MEM[0]: domU0 static memory bank 0 (direct-mapped) 0x100000000..0x110000000 is not inside the board\'s RAM (0x40000000..0xC0000000): Xen cannot acquire pages that do not exist and panics building the domain');
  });
});
