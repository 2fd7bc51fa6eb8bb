// The model templates see: plain numbers, names and lists, exactly.
import { expect } from 'chai';
import * as path from 'node:path';
import { generate } from '../../../src/api/generate.js';
import { buildHintModel, buildScriptModel } from '../../../src/emit/model.js';
import { REPO_ROOT } from '../../helpers/paths.js';

describe('emit → model', () => {
  it('holds the README sample as data, with no U-Boot syntax in it', () => {
    const r = generate(path.join(REPO_ROOT, 'config.example'), { env: {}, write: false, dir: REPO_ROOT });
    const m = buildScriptModel(r.plan);
    // Shared: every domain's module is the one load, dom0_linux / dom0_ramdisk.
    const kernel = { addr: 0x40400000, size: 0x2010000, id: 'dom0_linux' };
    const ramdisk = { addr: 0x42600000, size: 0x127, id: 'dom0_ramdisk' };
    const domU = (index: number, vcpus: number) => ({
      index, name: `domU${index}`, boot: true, passthroughPaths: [], memKiB: 256 * 1024, vcpus, vpl011: true, vpl011Value: null, viommu: false, enhanced: 'enabled',
      kernel, ramdisk, passthroughDtb: null, bootargs: `console=ttyAMA0 marker=domU${index}`,
      props: { nrSpis: null, grantVersion: null, grantFrames: null, maptrackFrames: null, trapUnmap: null, domid: null, passthrough: null, p2mMemMB: null },
      staticMem: null, sharedMem: null, evtchns: [],
      cpu: { caps: null, colorMask: null, llcColors: null, vcpus: [] },
    });
    expect(m).to.deep.equal({
      loads: [
        { cmd: 'tftpb', addr: 0x40400000, file: 'samples/Image', id: 'dom0_linux', role: 'dom0-kernel', keys: ['DOM0_KERNEL', 'DOMU_KERNEL[0]', 'DOMU_KERNEL[1]'], size: 0x40000 },
        { cmd: 'tftpb', addr: 0x42600000, file: 'samples/initrd.cpio.gz', id: 'dom0_ramdisk', role: 'dom0-ramdisk', keys: ['DOM0_RAMDISK', 'DOMU_RAMDISK[0]', 'DOMU_RAMDISK[1]'], size: 0x127 },
        { cmd: 'tftpb', addr: 0x42800000, file: 'samples/xen', id: 'host_kernel', role: 'xen', keys: ['XEN'], size: 0x20000 },
        { cmd: 'tftpb', addr: 0x42a00000, file: 'samples/virt.dtb', id: 'host_fdt', role: 'dtb', keys: ['DEVICE_TREE'], size: 2081 },
      ],
      dtb: { addr: 0x42a00000, resize: 1279, createChosen: false, control: false },
      overlays: [],
      xen: { addr: 0x42800000, bootargs: 'console=dtuart dtuart=/pl011@9000000 dom0_mem=512M bootscrub=0' },
      linux: null,
      xenPolicy: null,
      dom0: { kernel, ramdisk, bootargs: 'console=hvc0 earlycon=xenboot clk_ignore_unused root=/dev/ram0 marker=dom0' },
      domUs: [domU(0, 1), domU(1, 2)],
      bootCmd: 'booti',
      staticHeap: [],
      extraCmds: '',
      runtime: null,
      fit: false,
      printChosen: false,
      cpupools: [],
    });
    expect(buildHintModel(r.plan)).to.deep.equal({ loadCmd: 'tftpb', scriptAddr: 0x40200000, scriptFile: 'boot.scr', fit: null });
  });
});
