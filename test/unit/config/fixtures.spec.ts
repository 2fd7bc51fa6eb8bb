import { expect } from 'chai';
import { loadConfig } from '../../../src/config/index.js';
import type { Config } from '../../../src/config/types.js';
import { fixturePath } from '../../helpers/paths.js';
import { expectConfigError } from './helpers.js';

const cfg = (name: string): string => fixturePath('configs', name);
/** The fields the planner consumes, without positions, for compact exact comparisons. */
function summary(c: Config): unknown {
  return {
    memoryStart: c.memoryStart, memoryEnd: c.memoryEnd, deviceTree: c.deviceTree?.value, xen: c.xen.value,
    xenCmd: c.xenCmd, xenCmdDefaulted: c.xenCmdDefaulted,
    dom0: c.dom0 && { kernel: c.dom0.kernel.value, ramdisk: c.dom0.ramdisk?.value, cmd: c.dom0.cmd, load: c.dom0.load },
    domUs: c.domUs.map((d) => ({
      index: d.index, kernel: d.kernel.value, ramdisk: d.ramdisk?.value, dtb: d.passthroughDtb?.value, paths: d.passthroughPaths,
      cmd: d.cmd, memMB: d.memMB, vcpus: d.vcpus, vpl011: d.vpl011, enhanced: d.enhanced, boot: d.boot, load: d.load,
    })),
    loadCmd: c.loadCmd, xenLoad: c.xenLoad, bootCmd: c.bootCmd, ubootSource: c.ubootSource.value, ubootScript: c.ubootScript.value,
  };
}

describe('config: real-world configs (Xen CI, Yocto, hand-written)', () => {
  it('Xen CI qemu-smoke-dom0less-arm64 (run with -t tftp)', () => {
    const { config, diagnostics } = loadConfig(cfg('xen-ci-dom0less-arm64.config'), { loadCmdOverride: 'tftp' });
    expect(summary(config)).to.deep.equal({
      memoryStart: 0x40000000, memoryEnd: 0x50000000, deviceTree: 'virt.dtb', xen: 'xen',
      xenCmd: 'console=dtuart dom0_mem=512M console_timestamps=boot', xenCmdDefaulted: false,
      dom0: { kernel: 'Image', ramdisk: 'dom0-rootfs.cpio.gz', cmd: 'console=hvc0 earlycon=xenboot earlyprintk clk_ignore_unused root=/dev/ram0', load: 'tftpb' },
      domUs: [{ index: 0, kernel: 'Image', ramdisk: 'initrd', dtb: undefined, paths: [], cmd: 'console=ttyAMA0', memMB: 256, vcpus: 1, vpl011: true, enhanced: 'enabled', boot: true, load: 'tftpb' }],
      loadCmd: 'tftpb', xenLoad: 'tftpb', bootCmd: 'booti', ubootSource: 'boot.source', ubootScript: 'boot.scr',
    });
    // CI sets a [1] entry with NUM_DOMUS=1: ignored, one warning per key, at its line.
    expect(diagnostics.map((d) => `${d.where?.line}: ${d.message}`)).to.deep.equal([
      '14: DOMU_KERNEL[1] is set but NUM_DOMUS=1, so it is ignored',
      '15: DOMU_RAMDISK[1] is set but NUM_DOMUS=1, so it is ignored',
      '16: DOMU_MEM[1] is set but NUM_DOMUS=1, so it is ignored',
    ]);
    expect(config.domUs[0]?.kernel).to.deep.equal({ value: 'Image', key: 'DOMU_KERNEL[0]', where: { file: cfg('xen-ci-dom0less-arm64.config'), line: 11, col: 16 } });
  });

  it('Xen CI qemu-smoke-dom0less-arm32 (bootz, explicit DOM0_CMD with root=)', () => {
    const { config, diagnostics } = loadConfig(cfg('xen-ci-dom0less-arm32.config'), { loadCmdOverride: 'tftp' });
    expect(summary(config)).to.deep.include({
      memoryEnd: 0xC0000000, bootCmd: 'bootz', xenCmd: 'console=dtuart dom0_mem=512M bootscrub=0 console_timestamps=boot',
      dom0: { kernel: 'vmlinuz', ramdisk: 'initrd.gz', cmd: 'console=hvc0 earlyprintk clk_ignore_unused root=/dev/ram0 rdinit=/bin/sh', load: 'tftpb' },
    });
    expect(config.domUs.map((d) => [d.kernel.value, d.ramdisk?.value, d.memMB, d.enhanced])).to.deep.equal([['vmlinuz', 'initrd.gz', 512, 'enabled']]);
    expect(diagnostics).to.deep.equal([]);
  });

  it('Xen CI arm32 "without-dom0" variant: dom0 words stripped from XEN_CMD, no xen,enhanced', () => {
    const { config, diagnostics } = loadConfig(cfg('xen-ci-dom0less-arm32-without-dom0.config'), { loadCmdOverride: 'tftp' });
    expect(config.dom0).to.equal(undefined);
    expect(config.xenCmd).to.equal('console=dtuart  bootscrub=0 console_timestamps=boot');
    expect(config.domUs[0]?.enhanced).to.equal(undefined);
    expect(diagnostics.map((d) => d.code)).to.deep.equal(['CONFIG_TRUE_DOM0LESS']);
  });

  it('Xen CI XTF job: XEN_CMD from the environment, or the ${XEN_CMDLINE:-...} default', () => {
    const dflt = loadConfig(cfg('xen-ci-xtf-arm64.config'), { loadCmdOverride: 'tftp' }).config;
    expect(dflt.xenCmd).to.equal('loglvl=all noreboot console_timestamps=boot console=dtuart');
    const env = loadConfig(cfg('xen-ci-xtf-arm64.config'), { loadCmdOverride: 'tftp', env: { XEN_CMDLINE: 'console=dtuart loglvl=none' } }).config;
    expect(env.xenCmd).to.equal('console=dtuart loglvl=none');
    expect(summary(env)).to.deep.include({ deviceTree: 'virt-gicv2.dtb', memoryEnd: 0xC0000000, dom0: undefined });
    expect(env.domUs.map((d) => [d.kernel.value, d.memMB, d.cmd])).to.deep.equal([['xtf-test', 128, 'console=ttyAMA0']]);
  });

  it('Yocto zynqmp template: no DEVICE_TREE, -o overrides UBOOT_SOURCE', () => {
    const { config } = loadConfig(cfg('yocto-zynqmp-dom0less-template.config'), { outputNameOverride: 'deploy/xen_boot' });
    expect(summary(config)).to.deep.include({
      memoryStart: 0x20000000, memoryEnd: 0x70000000, deviceTree: undefined, loadCmd: 'ext4load mmc 0:1',
      ubootSource: 'deploy/xen_boot.source', ubootScript: 'deploy/xen_boot.scr',
      xenCmd: 'console=dtuart dom0_mem=1500M dom0_max_vcpus=2 bootscrub=0 vwfi=native sched=null',
    });
    expect(config.dom0?.cmd).to.equal('console=hvc0 clk_ignore_unused root=/dev/mmcblk0p3 ro rootwait');
    expect(config.domUs[0]?.cmd).to.equal('console=hvc0 init=/bin/sh root=/dev/ram0');
    // Without -o, UBOOT_SCRIPT derives from UBOOT_SOURCE.
    expect(loadConfig(cfg('yocto-zynqmp-dom0less-template.config')).config.ubootScript.value).to.equal('xen_boot.scr');
  });

  it('dom0 + 2 domUs with helpers, ${base[0]} expansions, arithmetic and a continuation line', () => {
    const { config, diagnostics } = loadConfig(cfg('dom0-2domus.config'));
    expect(summary(config)).to.deep.equal({
      memoryStart: 0x40000000, memoryEnd: 0xC0000000, deviceTree: 'qemu/virt.dtb', xen: 'qemu/xen',
      xenCmd: 'console=dtuart dtuart=serial0 dom0_mem=768M dom0_max_vcpus=2 bootscrub=0 vwfi=native sched=null  ', xenCmdDefaulted: true,
      dom0: { kernel: 'qemu/Image-6.6', ramdisk: 'qemu/initrd-6.6.cpio.gz', cmd: 'console=hvc0 earlycon=xenboot earlyprintk clk_ignore_unused root=/dev/ram0', load: 'load virtio 0:1' },
      domUs: [
        { index: 0, kernel: 'qemu/Image-6.6', ramdisk: 'qemu/initrd-6.6.cpio.gz', dtb: undefined, paths: [], cmd: 'console=ttyAMA0 root=/dev/ram0 rdinit=/sbin/init', memMB: 256, vcpus: 2, vpl011: true, enhanced: 'enabled', boot: true, load: 'load virtio 0:1' },
        { index: 1, kernel: 'qemu/zephyr.bin', ramdisk: undefined, dtb: 'passthrough/uart1.dtb', paths: ['/pl011@9040000', '/gpio@9050000'], cmd: '', memMB: 128, vcpus: 1, vpl011: false, enhanced: undefined, boot: true, load: 'load virtio 0:1' },
      ],
      loadCmd: 'load virtio 0:1', xenLoad: 'load virtio 0:1', bootCmd: 'booti', ubootSource: 'boot.source', ubootScript: 'boot.scr',
    });
    expect(diagnostics).to.deep.equal([]);
  });

  it('true dom0less: default XEN_CMD stripped of dom0 words, ENHANCED=2 gives no-xenstore', () => {
    const { config } = loadConfig(cfg('true-dom0less.config'));
    expect(config.xenCmd).to.equal('console=dtuart dtuart=serial0   bootscrub=0 vwfi=native sched=null');
    expect(config.domUs.map((d) => [d.enhanced, d.memMB, d.vcpus])).to.deep.equal([['no-xenstore', 512, 1], [undefined, 64, 33]]);
  });

  it('a missing config file is CONFIG_NOT_FOUND', () => {
    const p = cfg('does-not-exist.config');
    expectConfigError(() => loadConfig(p), { code: 'CONFIG_NOT_FOUND', message: `Config file ${p} does not exist`, file: p });
    expectConfigError(() => loadConfig(fixturePath('configs')), { code: 'CONFIG_NOT_REGULAR_FILE', message: `Config file ${fixturePath('configs')} is a directory, not a regular file` });
  });
});
