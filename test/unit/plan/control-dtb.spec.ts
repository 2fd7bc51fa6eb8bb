// -s with no DEVICE_TREE (AMD/Yocto's meta-xilinx flow): the script edits U-Boot's control DTB,
// `setenv host_fdt_addr ${fdtcontroladdr}`, planned and verified against the board's DTB.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../../../src/errors.js';
import { generate } from '../../../src/api/generate.js';
import { getprop, pathOffset } from '../../../src/fdt/ro.js';
import { verifyGenerated } from '../../../src/api/verify.js';
import { REPO_ROOT, fixturePath } from '../../helpers/paths.js';
import { tempDir, writeConfig } from '../../helpers/images.js';
import { verifySummary } from '../../../src/cli/verify-report.js';

/** meta-xilinx's zynqmp template, on QEMU virt: no DEVICE_TREE, dom0 and one domU. */
function yoctoLike(): string {
  const dir = tempDir();
  fs.cpSync(path.join(REPO_ROOT, 'samples'), path.join(dir, 'samples'), { recursive: true });
  return writeConfig(dir, [
    'MEMORY_START="0x40000000"', 'MEMORY_END="0xC0000000"', 'XEN="samples/xen"', 'DOM0_KERNEL="samples/Image"',
    'DOM0_RAMDISK="samples/initrd.cpio.gz"', 'DOM0_CMD="console=hvc0 clk_ignore_unused"',
    'XEN_CMD="console=dtuart dtuart=/pl011@9000000 dom0_mem=512M dom0_max_vcpus=2 bootscrub=0 vwfi=native sched=null"',
    'NUM_DOMUS=1', 'DOMU_KERNEL[0]="samples/Image"', 'DOMU_RAMDISK[0]="samples/initrd.cpio.gz"', 'DOMU_MEM[0]="800"',
    'DOMU_CMD[0]="console=hvc0 init=/bin/sh root=/dev/ram0"', 'LOAD_CMD="tftpb"', 'UBOOT_SOURCE="xen_boot.source"',
  ]);
}

describe('plan → control DTB (-s, no DEVICE_TREE)', () => {
  it('starts from ${fdtcontroladdr}, loads no DTB, and boots on the default QEMU virt board', () => {
    const gen = generate(yoctoLike(), { env: {}, runtimeSizing: true, write: false });
    const lines = gen.outputs.source.split('\n');
    expect(lines.slice(0, 3)).to.deep.equal(['setenv host_fdt_addr ${fdtcontroladdr}', 'setenv memaddr 0x40400000', 'tftpb ${memaddr} samples/Image']);
    expect(lines.filter((l) => l.startsWith('tftpb '))).to.deep.equal([
      'tftpb ${memaddr} samples/Image', 'tftpb ${memaddr} samples/initrd.cpio.gz', 'tftpb ${memaddr} samples/Image',
      'tftpb ${memaddr} samples/initrd.cpio.gz', 'tftpb ${memaddr} samples/xen',
    ]);
    expect(lines.filter((l) => l.startsWith('fdt addr') || l.startsWith('fdt resize') || l.startsWith('booti'))).to.deep.equal([
      'fdt addr ${host_fdt_addr}', 'fdt resize 0x397', 'booti ${host_kernel_addr} - ${host_fdt_addr}',
    ]);
    expect(gen.plan.loads.map((l) => l.id)).to.deep.equal(['dom0_linux', 'dom0_ramdisk', 'domU0_kernel', 'domU0_ramdisk', 'host_kernel']);
    expect(gen.plan.dtb.load.addr).to.equal(0xbedb6db0);
    expect(gen.plan.dtb.control?.bytes.length).to.equal(0x100000);

    const report = verifyGenerated(gen);
    expect(report.ok, verifySummary(report)).to.equal(true);
    expect(report.uboot.env.host_fdt_addr).to.equal('bedb6db0');
    const h = report.uboot.handoff!;
    expect(h.fdtAddr).to.equal(0xbedb6db0);
    const bootargs = getprop(h.fdt, pathOffset(h.fdt, '/chosen'), 'xen,xen-bootargs') as Uint8Array;
    expect(Buffer.from(bootargs).toString()).to.equal('console=dtuart dtuart=/pl011@9000000 dom0_mem=512M dom0_max_vcpus=2 bootscrub=0 vwfi=native sched=null\0');
    expect(report.domains.map((d) => `${d.name}:${d.verdict}`)).to.deep.equal(['dom0:up', 'domU0:up']);
  });

  it('plans and verifies against --board FILE.dtb', () => {
    const board = fixturePath('dtb', 'qemu-virt-gicv3-2g.dtc-rewritten.dtb');
    const gen = generate(yoctoLike(), { env: {}, runtimeSizing: true, board, write: false });
    expect(gen.plan.dtb.control?.file).to.equal(board);
    expect(gen.plan.dtb.control?.bytes.length).to.equal(fs.statSync(board).size);
    const report = verifyGenerated(gen);
    expect(report.ok, verifySummary(report)).to.equal(true);
    expect(report.uboot.handoff!.fdtAddr).to.equal(0xbedb6db0);
  });

  it('still needs DEVICE_TREE without -s, and says -s is the way to use the control DTB', () => {
    let caught: unknown;
    try { generate(yoctoLike(), { env: {}, write: false }); } catch (e) { caught = e; }
    expect(caught).to.be.instanceOf(ConfigError);
    expect((caught as ConfigError).code).to.equal('CONFIG_MISSING');
    expect((caught as ConfigError).hint).to.equal('set DEVICE_TREE to the board DTB (QEMU: qemu-system-aarch64 -machine virt,dumpdtb=virt.dtb), or generate with -s to edit U-Boot\'s own control DTB (${fdtcontroladdr}) in place');
  });
});
