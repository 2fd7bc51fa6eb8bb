// The memory keys rendered through templates/partials/domu-static-mem.hbs, domu-shared-mem.hbs,
// domu-evtchns.hbs and static-heap.hbs: the fdt commands of ImageBuilder (imagebuilder.md §9.4–9.7;
// xen,static-mem as Xilinx/imagebuilder xlnx_rel_v2023.2 add_device_tree_static_mem() writes it).
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generate } from '../../../src/api/generate.js';
import { REPO_ROOT } from '../../helpers/paths.js';
import { tempDir } from '../../helpers/images.js';

describe('emit → static-mem', () => {
  it('writes static memory, direct-map, shared memory, event channels and the static heap where ImageBuilder does', () => {
    const dir = tempDir();
    fs.cpSync(path.join(REPO_ROOT, 'samples'), path.join(dir, 'samples'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'config'), [
      'MEMORY_START=0x40000000', 'MEMORY_END=0xC0000000', 'DEVICE_TREE=samples/virt.dtb', 'XEN=samples/xen', 'XEN_CMD="console=dtuart"',
      'LOAD_CMD=tftpb', 'UBOOT_SOURCE=boot.source', 'XEN_STATIC_HEAP="0x60000000 0x20000000"', 'NUM_DOMUS=2',
      'DOMU_KERNEL[0]=samples/Image', 'DOMU_STATIC_MEM[0]="0x50000000 0x10000000"',
      'DOMU_SHARED_MEM[0]="my-shared-mem-0 0x80000000 0x4000000 0x1000000"', 'DOMU_STATIC_EVTCHNS[0]="10 1 11"',
      'DOMU_KERNEL[1]=samples/Image', 'DOMU_MEM[1]=128', 'DOMU_SHARED_MEM[1]="my-shared-mem-0 0x80000000 0x4000000 0x1000000"', 'DOMU_STATIC_EVTCHNS[1]="11 0 10"',
      '',
    ].join('\n'));
    const r = generate(path.join(dir, 'config'), { env: {}, write: false, dir });
    const lines = r.outputs.source.split('\n');
    const from = lines.indexOf('fdt mknod /chosen domU0');
    expect(lines.slice(from, from + 20)).to.deep.equal([
      'fdt mknod /chosen domU0',
      'fdt set /chosen/domU0 compatible "xen,domain"',
      'fdt set /chosen/domU0 \\#address-cells <0x2>',
      'fdt set /chosen/domU0 \\#size-cells <0x2>',
      'fdt set /chosen/domU0 memory <0x0 0x40000 >',
      'fdt set /chosen/domU0 cpus <1>',
      'fdt set /chosen/domU0 xen,static-mem <0x0 0x50000000 0x0 0x10000000>',
      'fdt set /chosen/domU0 direct-map',
      'fdt set /chosen/domU0 vpl011',
      'fdt mknod /chosen/domU0 shared-mem@0x80000000',
      'fdt set /chosen/domU0/shared-mem@0x80000000 compatible "xen,domain-shared-memory-v1"',
      'fdt set /chosen/domU0/shared-mem@0x80000000 xen,shm-id "my-shared-mem-0"',
      'fdt set /chosen/domU0/shared-mem@0x80000000 xen,shared-mem <0x0 0x80000000  0x0 0x4000000  0x0 0x1000000 >',
      'fdt mknod /chosen/domU0 evtchn@10',
      'fdt set /chosen/domU0/evtchn@10 phandle <0xfffffffe>',
      'fdt set /chosen/domU0/evtchn@10 compatible "xen,evtchn-v1"',
      'fdt set /chosen/domU0/evtchn@10 xen,evtchn <10 0xfffffffd>',
      'fdt mknod /chosen/domU0 module@40400000',
      'fdt set /chosen/domU0/module@40400000 compatible  "multiboot,kernel" "multiboot,module"',
      'fdt set /chosen/domU0/module@40400000 reg <0x0 0x40400000 0x0 0x2010000 >',
    ]);
    expect(lines).to.include('fdt set /chosen/domU1/evtchn@11 xen,evtchn <11 0xfffffffe>');
    const heap = lines.indexOf('fdt set /chosen xen,static-heap <0x0 0x60000000  0x0 0x20000000 >');
    expect(heap).to.be.greaterThan(lines.lastIndexOf('fdt mknod /chosen domU1'));
    expect(lines[heap + 1]).to.equal('setenv fdt_high 0xffffffffffffffff');
  });
});
