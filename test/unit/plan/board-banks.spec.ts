// Planning on a known board's real memory map: ZCU102's two banks (2 GiB below 4 GiB, 2 GiB at
// 0x800000000) with U-Boot at the top of the first, and each shipped board booted to "up".
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generate } from '../../../src/api/generate.js';
import { verifyGenerated } from '../../../src/api/verify.js';
import { BOARDS } from '../../../src/boards/index.js';
import { shippedBoardDtb } from '../../../src/plan/board.js';
import { verifySummary } from '../../../src/cli/verify-report.js';
import { REPO_ROOT } from '../../helpers/paths.js';
import { ramdiskFile, tempDir, writeConfig } from '../../helpers/images.js';

const MiB = 0x100000;

/** -s, no DEVICE_TREE: the script edits the board's own control DTB. */
function onBoard(lines: string[]): string {
  const dir = tempDir();
  fs.cpSync(path.join(REPO_ROOT, 'samples'), path.join(dir, 'samples'), { recursive: true });
  return writeConfig(dir, [
    'XEN="samples/xen"', 'DOM0_KERNEL="samples/Image"', 'DOM0_CMD="console=hvc0"', 'NUM_DOMUS=1', 'DOMU_KERNEL[0]="samples/Image"',
    'DOMU_CMD[0]="console=hvc0"', 'LOAD_CMD="tftpb"', 'UBOOT_SOURCE="boot.source"', ...lines,
  ]);
}

/** The config on a shipped board DTB (copied in as DEVICE_TREE `dtbName`), with dom0's and the domU's ramdisks of the sizes given, generated. */
function generateOnBoard(shipped: string, dtbName: string, lines: string[], ramdiskMiB: { dom0: number; domU: number }): ReturnType<typeof generate> {
  const config = onBoard([...lines, 'DOM0_RAMDISK="dom0.cpio.gz"', 'DOMU_RAMDISK[0]="domu.cpio.gz"', `DEVICE_TREE="${dtbName}"`]);
  fs.copyFileSync(shippedBoardDtb(shipped), path.join(path.dirname(config), dtbName));
  ramdiskFile(path.join(path.dirname(config), 'dom0.cpio.gz'), ramdiskMiB.dom0 * MiB);
  ramdiskFile(path.join(path.dirname(config), 'domu.cpio.gz'), ramdiskMiB.domU * MiB);
  return generate(config, { env: {}, write: false });
}

describe('plan on a board profile', () => {
  it('ZCU102: a ramdisk that does not fit below U-Boot in the first bank goes to the second, at 0x800000000', () => {
    const gen = generateOnBoard('zynqmp-zcu102-rev1.0.dtb', 'zcu102.dtb', [
      'MEMORY_START="0x0"', 'MEMORY_END="0x880000000"', 'XEN_CMD="console=dtuart dtuart=serial0 dom0_mem=1200M bootscrub=0"', 'DOMU_MEM[0]=900',
    ], { dom0: 1100, domU: 850 });
    expect(gen.plan.ram.map((r) => [r.start, r.end])).to.deep.equal([[0, 0x80000000], [0x800000000, 0x880000000]]);
    const at = Object.fromEntries(gen.plan.loads.map((l) => [l.id, l.addr]));
    // The Image is shared by dom0 and the domU; 0x3000000 + 1100 MiB leaves no room for 850 MiB below U-Boot.
    expect(at).to.deep.equal({ dom0_linux: 0xe00000, dom0_ramdisk: 0x3000000, domU0_ramdisk: 0x800000000, host_kernel: 0x835200000, host_fdt: 0x835400000 });
    expect(gen.plan.loads.find((l) => l.id === 'domU0_ramdisk')!.note)
      .to.equal('moved past U-Boot 2025.01 on zcu102 (relocated code, heap, stack), no RAM (0x80000000..0x800000000, between banks)');

    // U-Boot loads into both banks and hands over; (Xen then lacks the memory for domains this size.)
    const report = verifyGenerated(gen);
    expect(report.uboot.failures).to.deep.equal([]);
    expect(report.uboot.handoff?.fdtAddr).to.equal(0x835400000);
    expect(report.board).to.equal('zcu102');
    expect(report.uboot.ubootVersion).to.equal('2025.01');
  });

  it('Salvator-XS H3: a domU ramdisk that does not fit below U-Boot in the 896 MiB bank goes to the first bank above 4 GiB, and every domain comes up', () => {
    const gen = generateOnBoard('r8a77951-salvator-xs.dtb', 'h3.dtb', [
      'MEMORY_START="0x48000000"', 'MEMORY_END="0x740000000"', 'XEN_CMD="console=dtuart dtuart=serial0 dom0_mem=512M bootscrub=0"', 'DOMU_MEM[0]=1024',
    ], { dom0: 64, domU: 800 });
    expect(gen.plan.ram.map((r) => [r.start, r.end])).to.deep.equal([
      [0x48000000, 0x80000000], [0x500000000, 0x540000000], [0x600000000, 0x640000000], [0x700000000, 0x740000000],
    ]);
    const at = Object.fromEntries(gen.plan.loads.map((l) => [l.id, l.addr]));
    // 0x4a600000 + 64 MiB leaves 0x2c400000 (708 MiB) below U-Boot's window at 0x7ac00000: not 800 MiB.
    expect(at).to.deep.equal({ dom0_linux: 0x48400000, dom0_ramdisk: 0x4a600000, domU0_ramdisk: 0x500000000, host_kernel: 0x532000000, host_fdt: 0x532200000 });
    expect(gen.plan.loads.find((l) => l.id === 'domU0_ramdisk')!.note)
      .to.equal('moved past U-Boot 2025.01 on salvator-xs-h3 (relocated code, heap, stack), no RAM (0x80000000..0x500000000, between banks)');

    const report = verifyGenerated(gen);
    expect(report.uboot.failures).to.deep.equal([]);
    expect(report.board).to.equal('salvator-xs-h3');
    expect(report.uboot.ubootVersion).to.equal('2025.01');
    expect(report.uboot.handoff?.fdtAddr).to.equal(0x532200000);
    expect(report.domains.map((d) => `${d.name}:${d.verdict}`)).to.deep.equal(['dom0:up', 'domU0:up']);
    expect(report.ok, verifySummary(report)).to.equal(true);
  });

  for (const b of BOARDS) {
    const [first] = b.banks;
    it(`${b.name}: the sample dom0 + domU, generated for the board, comes up (U-Boot ${b.ubootVersion})`, () => {
      const config = onBoard([
        `MEMORY_START="0x${first!.start.toString(16)}"`, `MEMORY_END="0x${(first!.start + first!.size).toString(16)}"`,
        `XEN_CMD="console=dtuart dtuart=${b.uart} dom0_mem=512M bootscrub=0"`, 'DOMU_MEM[0]=256', 'DOM0_RAMDISK="samples/initrd.cpio.gz"', 'DOMU_RAMDISK[0]="samples/initrd.cpio.gz"',
      ]);
      const gen = generate(config, { env: {}, runtimeSizing: true, board: shippedBoardDtb(b.dtb), write: false });
      const report = verifyGenerated(gen);
      expect(report.board).to.equal(b.recognise ? b.name : b.dtb);
      expect(report.uboot.ubootVersion).to.equal(b.recognise ? b.ubootVersion : '2023.01');
      expect(report.domains.map((d) => `${d.name}:${d.verdict}`)).to.deep.equal(['dom0:up', 'domU0:up']);
      expect(report.xen?.domains.length).to.equal(2);
      if (b.name === 'imx8mp-evk') {
        // Xen's driver for the i.MX 8M's UART (imx-uart.c) is in no release up to 4.20: no console.
        expect(report.ok).to.equal(false);
        expect(report.xen?.consoleVisible).to.equal(false);
      } else {
        expect(report.ok, verifySummary(report)).to.equal(true);
      }
    });
  }
});
