// Linux-only mode as ImageBuilder's linux_config() reads it (Xilinx imagebuilder xlnx_rel_v2023.2,
// scripts/uboot-script-gen: main's mode choice, linux_config(), find_root_dev()).
import { expect } from 'chai';
import { parseConfigText } from '../../../src/config/index.js';
import { expectConfigError } from './helpers.js';

const LINUX = [
  'MEMORY_START=0x40000000',
  'MEMORY_END=0x80000000',
  'DEVICE_TREE=virt.dtb',
  'LINUX=Image',
  'LOAD_CMD=tftpb',
  'UBOOT_SOURCE=boot.source',
].join('\n') + '\n';

const load = (text: string, opts: Parameters<typeof parseConfigText>[2] = {}) => parseConfigText(text, 'c.cfg', opts);

describe('config → resolve → Linux-only mode', () => {
  it('boots LINUX in Xen\'s place, with ImageBuilder\'s default LINUX_CMD and root=/dev/ram0', () => {
    const { config, diagnostics } = load(LINUX);
    expect(config.linux).to.deep.equal({
      kernel: { value: 'Image', key: 'LINUX', where: { file: 'c.cfg', line: 4, col: 7 } },
      cmd: 'earlycon console=ttyPS0,115200 root=/dev/ram0', cmdDefaulted: true,
    });
    expect(config.xen).to.deep.equal(config.linux?.kernel);
    expect(config.xenLoad).to.equal('tftpb');
    expect(config.dom0).to.equal(undefined);
    expect(config.domUs).to.deep.equal([]);
    expect(config.cpu).to.equal(undefined);
    expect(diagnostics).to.deep.equal([]);
  });

  it('keeps a LINUX_CMD with root= (a substring test: nfsroot= counts) and appends root=/dev/ram0 otherwise', () => {
    expect(load(`${LINUX}LINUX_CMD="console=ttyAMA0"\nLINUX_RAMDISK=initrd.cpio.gz\n`).config.linux).to.deep.equal({
      kernel: { value: 'Image', key: 'LINUX', where: { file: 'c.cfg', line: 4, col: 7 } },
      ramdisk: { value: 'initrd.cpio.gz', key: 'LINUX_RAMDISK', where: { file: 'c.cfg', line: 8, col: 15 } },
      cmd: 'console=ttyAMA0 root=/dev/ram0', cmdDefaulted: false,
    });
    expect(load(`${LINUX}LINUX_CMD="console=ttyAMA0 nfsroot=10.0.0.1:/srv"\n`).config.linux?.cmd).to.equal('console=ttyAMA0 nfsroot=10.0.0.1:/srv');
  });

  it('derives root= from LOAD_CMD when LINUX_ROOTFS is set (find_root_dev), and says which key to set when it cannot', () => {
    const mmc = load(`${LINUX}LINUX_ROOTFS=rootfs.ext4\n`, { loadCmdOverride: 'sd' }).config.linux;
    expect(mmc?.cmd).to.equal('earlycon console=ttyPS0,115200 root=/dev/mmcblk0p2');
    expect(mmc?.rootfs?.value).to.equal('rootfs.ext4');
    expect(load(`${LINUX}LINUX_ROOTFS=rootfs.ext4\n`, { loadCmdOverride: 'scsi' }).config.linux?.cmd).to.equal('earlycon console=ttyPS0,115200 root=/dev/sda2');
    const err = expectConfigError(() => load(`${LINUX}LINUX_ROOTFS=rootfs.ext4\n`), {
      code: 'CONFIG_BAD_VALUE', line: 7, col: 1,
      message: 'Could not parse device and partition. (LINUX_ROOTFS is set, so root= is derived from the load command "tftpb", which must look like "load mmc 0:1")',
    });
    expect(err.hint).to.equal('set root= in LINUX_CMD yourself to bypass the guess');
  });

  it('needs LOAD_CMD (linux_config() knows no XEN_LOAD)', () => {
    expectConfigError(() => load(LINUX.replace('LOAD_CMD=tftpb\n', '')), {
      code: 'CONFIG_MISSING', message: 'LOAD_CMD not set, either specify it in the config or set it with the -t option',
    });
  });

  it('refuses domains next to LINUX without XEN, naming each with its line', () => {
    expectConfigError(() => load(`${LINUX}DOM0_KERNEL=Image\nNUM_DOMUS=1\nDOMU_KERNEL[0]=Image\n`), {
      code: 'CONFIG_CONFLICT', line: 7, col: 13,
      message: 'LINUX is set (line 4) and XEN is not, so the script boots Linux alone and ImageBuilder ignores DOM0_KERNEL (line 7) and NUM_DOMUS (line 8): Xen domains need XEN',
    });
  });

  it('warns about Xen keys in Linux-only mode, and LINUX keys next to XEN (CONFIG_MODE_IGNORED)', () => {
    const { diagnostics } = load(`${LINUX}XEN_CMD="console=dtuart"\nNUM_DOMUS=0\n`);
    expect(diagnostics).to.deep.equal([{
      level: 'warning', code: 'CONFIG_MODE_IGNORED', key: 'XEN_CMD', where: { file: 'c.cfg', line: 7, col: 1 },
      message: 'XEN_CMD is ignored: LINUX without XEN boots Linux alone, and only Xen reads this key', hint: 'remove them, or set XEN to boot Xen',
    }]);
    const xen = load(`${LINUX}LINUX_CMD=quiet\nXEN=xen\nDOM0_KERNEL=Image\n`);
    expect(xen.config.linux).to.equal(undefined);
    expect(xen.config.xen.key).to.equal('XEN');
    expect(xen.diagnostics.filter((d) => d.code === 'CONFIG_MODE_IGNORED')).to.deep.equal([{
      level: 'warning', code: 'CONFIG_MODE_IGNORED', key: 'LINUX', where: { file: 'c.cfg', line: 4, col: 1 },
      message: 'LINUX, LINUX_CMD are ignored: XEN is set, so the script boots Xen, and the LINUX keys count only without XEN (Linux-only mode)',
      hint: 'remove the LINUX keys, or XEN to boot Linux alone',
    }]);
  });

  it('refuses boot commands and -s that no Linux-only ImageBuilder makes work', () => {
    expectConfigError(() => load(`${LINUX}BOOT_CMD=bootm\n`), {
      code: 'CONFIG_CONFLICT', line: 7, col: 10,
      message: 'BOOT_CMD=bootm cannot start LINUX in Linux-only mode: bootm needs a uImage, and ImageBuilder wraps only XEN in one (LINUX is loaded as the raw Image, which bootm rejects)',
    });
    expectConfigError(() => load(`${LINUX}BOOT_CMD=bootz\n`), { code: 'CONFIG_CONFLICT', message: /^BOOT_CMD=bootz cannot start LINUX in Linux-only mode: bootz starts an arm32 zImage/ });
    expectConfigError(() => load(LINUX, { runtimeSizing: true }), {
      code: 'CONFIG_CONFLICT', line: 4, col: 7,
      message: 'Linux-only mode cannot be combined with -s: no ImageBuilder has both (Linux-only mode is in the Xilinx branches, -s only upstream)',
    });
    expect(load(`${LINUX}BOOT_CMD=none\n`).config.bootCmd).to.equal('none');
  });
});
