// -s (ImageBuilder's CALC mode) end to end: the script places every file with U-Boot's own
// arithmetic, computes every reg at boot, and the simulator runs that arithmetic on the real files.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generate } from '../../../src/api/generate.js';
import { getprop, pathOffset } from '../../../src/fdt/ro.js';
import { verifyGenerated } from '../../../src/api/verify.js';
import { REPO_ROOT } from '../../helpers/paths.js';
import { tempDir, writeConfig } from '../../helpers/images.js';
import { verifySummary } from '../../../src/cli/verify-report.js';

/** samples/ and a dom0-only config (dom0 kernel + ramdisk) in a fresh folder. */
function dom0Only(extra: string[] = []): string {
  const dir = tempDir();
  fs.cpSync(path.join(REPO_ROOT, 'samples'), path.join(dir, 'samples'), { recursive: true });
  return writeConfig(dir, [
    'MEMORY_START=0x40000000', 'MEMORY_END=0xC0000000', 'DEVICE_TREE=samples/virt.dtb', 'XEN=samples/xen',
    'XEN_CMD="console=dtuart dtuart=/pl011@9000000 dom0_mem=512M"',
    'DOM0_KERNEL=samples/Image', 'DOM0_RAMDISK=samples/initrd.cpio.gz', 'DOM0_CMD="console=hvc0"',
    'LOAD_CMD=tftpb', 'UBOOT_SOURCE=boot.source', ...extra,
  ]);
}

const load = (file: string, id: string) => [
  `tftpb \${memaddr} ${file}`,
  `setenv ${id}_addr \${memaddr}`,
  `setenv ${id}_size \${filesize}`,
  'setexpr memaddr ${memaddr} \\+ ${filesize}',
  'setexpr memaddr ${memaddr} \\+ 0x1FFFFF',
  'setexpr memaddr ${memaddr} \\& 0xFFFFFFFFFFE00000',
];
const reg = (node: string, id: string) => [
  `setexpr addr_hi \${${id}_addr} / 0x100000000`,
  `setexpr addr_lo \${${id}_addr} \\& 0xFFFFFFFF`,
  `setexpr size_hi \${${id}_size} / 0x100000000`,
  `setexpr size_lo \${${id}_size} \\& 0xFFFFFFFF`,
  `fdt set ${node} reg <0x\${addr_hi} 0x\${addr_lo} 0x\${size_hi} 0x\${size_lo}>`,
];

describe('emit → -s runtime sizing', () => {
  it('writes ImageBuilder\'s -s script: loads at ${memaddr}, reg computed at boot, boot line from the variables', () => {
    const gen = generate(dom0Only(), { env: {}, runtimeSizing: true, write: false });
    expect(gen.outputs.source).to.equal([
      'setenv memaddr 0x40400000',
      ...load('samples/Image', 'dom0_linux'),
      ...load('samples/initrd.cpio.gz', 'dom0_ramdisk'),
      ...load('samples/xen', 'host_kernel'),
      ...load('samples/virt.dtb', 'host_fdt'),
      'fdt addr ${host_fdt_addr}',
      'fdt resize 0x1A3',
      'fdt set /chosen \\#address-cells <0x2>',
      'fdt set /chosen \\#size-cells <0x2>',
      'fdt set /chosen xen,xen-bootargs "console=dtuart dtuart=/pl011@9000000 dom0_mem=512M"',
      'fdt mknod /chosen dom0@40400000',
      'fdt set /chosen/dom0@40400000 compatible  "xen,linux-zimage" "xen,multiboot-module" "multiboot,module"',
      ...reg('/chosen/dom0@40400000', 'dom0_linux'),
      'fdt set /chosen xen,dom0-bootargs "console=hvc0 root=/dev/ram0"',
      'fdt mknod /chosen dom0-ramdisk@40600000',
      'fdt set /chosen/dom0-ramdisk@40600000 compatible  "xen,linux-initrd" "xen,multiboot-module" "multiboot,module"',
      ...reg('/chosen/dom0-ramdisk@40600000', 'dom0_ramdisk'),
      'setenv fdt_high 0xffffffffffffffff',
      'booti ${host_kernel_addr} - ${host_fdt_addr}',
      '',
    ].join('\n'));
    // The exact resize is the one the same edits need without -s: a cell is 4 bytes whatever U-Boot computes.
    const fixed = generate(dom0Only(), { env: {}, write: false });
    expect(gen.plan.dtb.growth).to.equal(fixed.plan.dtb.growth);
    expect(gen.plan.dtb.growth).to.equal(0x1a3);
  });

  it('plans the addresses U-Boot will compute from the real file sizes, reg = ${filesize}', () => {
    const gen = generate(dom0Only(), { env: {}, runtimeSizing: true, write: false });
    expect(gen.plan.loads.map((l) => [l.id, l.addr, l.regSize, l.reservedEnd])).to.deep.equal([
      ['dom0_linux', 0x40400000, 0x40000, 0x40600000],
      ['dom0_ramdisk', 0x40600000, 0x127, 0x40800000],
      ['host_kernel', 0x40800000, 0x20000, 0x40a00000],
      ['host_fdt', 0x40a00000, 2081, 0x40c00000],
    ]);
  });

  it('boots in the simulator, which runs the setexpr arithmetic on the real files', () => {
    const gen = generate(dom0Only(), { env: {}, runtimeSizing: true, write: false });
    const report = verifyGenerated(gen);
    expect(report.ok, verifySummary(report)).to.equal(true);
    // The first address is the script's own `setenv memaddr 0x40400000`; the others are setexpr results (hex without 0x).
    const env = report.uboot.env;
    expect([env.dom0_linux_addr, env.dom0_linux_size, env.dom0_ramdisk_addr, env.dom0_ramdisk_size]).to.deep.equal(['0x40400000', '40000', '40600000', '127']);
    expect([env.host_kernel_addr, env.host_fdt_addr, env.memaddr]).to.deep.equal(['40800000', '40a00000', '40c00000']);
    const h = report.uboot.handoff!;
    expect([h.entry, h.fdtAddr]).to.deep.equal([0x40800000, 0x40a00000]);
    const cells = (p: string) => Buffer.from(getprop(h.fdt, pathOffset(h.fdt, p), 'reg') as Uint8Array).toString('hex');
    expect(cells('/chosen/dom0@40400000')).to.equal('00000000404000000000000000040000');
    expect(cells('/chosen/dom0-ramdisk@40600000')).to.equal('00000000406000000000000000000127');
    expect(report.domains.map((d) => `${d.name}:${d.verdict}`)).to.deep.equal(['dom0:up']);
  });
});
