// The per-domain properties in boot.source: ImageBuilder's commands, in its order (nr_spis after
// vpl011; the grant limits, trap-unmapped-accesses, domid, passthrough and the P2M pool after
// xen,enhanced), and DBG_FDT_PRINT_CHOSEN's `fdt print /chosen` between fdt_high and the boot command.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generate } from '../../../src/api/generate.js';
import { verifyGenerated } from '../../../src/api/verify.js';
import { planSummary } from '../../../src/cli/report.js';
import { arm64Header, ramdiskFile, sparseFile, tempDir } from '../../helpers/images.js';
import { buildSamples } from '../../helpers/samples.js';
import { DEBIAN_417_CONFIG, DEBIAN_420_CONFIG, syntheticXen } from '../xen-build/fixtures.js';

const MiB = 1024 * 1024;

function folder(xenConfig: string, extra: string[]): string {
  const dir = tempDir('props-');
  fs.writeFileSync(path.join(dir, 'xen'), syntheticXen(xenConfig, { memberOffset: 0x75ec0, size: 1015816 }).bytes);
  sparseFile(path.join(dir, 'Image'), arm64Header({ imageSize: 30 * MiB }), 20 * MiB);
  ramdiskFile(path.join(dir, 'initrd.cpio.gz'));
  fs.writeFileSync(path.join(dir, 'virt.dtb'), buildSamples()['virt.dtb']!);
  fs.writeFileSync(path.join(dir, 'config'), `${[
    'MEMORY_START=0x40000000', 'MEMORY_END=0xC0000000', 'DEVICE_TREE=virt.dtb', 'XEN=xen', 'XEN_CMD="console=dtuart dtuart=/pl011@9000000"',
    'LOAD_CMD=tftpb', 'UBOOT_SOURCE=boot.source', 'UBOOT_SCRIPT=boot.scr',
    'NUM_DOMUS=2', 'DOMU_KERNEL[0]=Image', 'DOMU_RAMDISK[0]=initrd.cpio.gz', 'DOMU_KERNEL[1]=Image', 'DOMU_RAMDISK[1]=initrd.cpio.gz', ...extra,
  ].join('\n')}\n`);
  return path.join(dir, 'config');
}

const ALL = ['DOMU_NR_SPIS[0]=64', 'DOMU_GRANT_VER[0]=1', 'DOMU_GRANT_FRAMES[0]=16', 'DOMU_MAPTRACK_FRAMES[0]=0', 'DOMU_TRAP_UNMAP[0]=0',
  'DOMU_DOMID[0]=7', 'DOMU_PASSTHROUGH_PROP[0]=enabled', 'DOMU_P2M_MEM_MB[0]=16', 'DOMU_ENHANCED[0]=2', 'DBG_FDT_PRINT_CHOSEN=1'];

describe('emit → per-domain properties', () => {
  it('writes every property of domU0 in ImageBuilder\'s order, and none for domU1', () => {
    const g = generate(folder(DEBIAN_420_CONFIG, ALL), { write: false, env: {} });
    const lines = g.outputs.source.split('\n');
    const d0 = lines.filter((l) => l.startsWith('fdt set /chosen/domU0 '));
    expect(d0).to.deep.equal([
      'fdt set /chosen/domU0 compatible "xen,domain"',
      'fdt set /chosen/domU0 \\#address-cells <0x2>',
      'fdt set /chosen/domU0 \\#size-cells <0x2>',
      'fdt set /chosen/domU0 memory <0x0 0x80000 >',
      'fdt set /chosen/domU0 cpus <1>',
      'fdt set /chosen/domU0 vpl011',
      'fdt set /chosen/domU0 nr_spis <64>',
      'fdt set /chosen/domU0 xen,enhanced "no-xenstore"',
      'fdt set /chosen/domU0 max_grant_version <1>',
      'fdt set /chosen/domU0 max_grant_frames <16>',
      'fdt set /chosen/domU0 max_maptrack_frames <0>',
      'fdt set /chosen/domU0 trap-unmapped-accesses <0>',
      'fdt set /chosen/domU0 domid <7>',
      'fdt set /chosen/domU0 passthrough "enabled"',
      'fdt set /chosen/domU0 xen,domain-p2m-mem-mb <16>',
    ]);
    expect(lines.filter((l) => l.startsWith('fdt set /chosen/domU1 ')).map((l) => l.split(' ')[3])).to.deep.equal(['compatible', '\\#address-cells', '\\#size-cells', 'memory', 'cpus', 'vpl011']);
    const tail = lines.slice(lines.indexOf('setenv fdt_high 0xffffffffffffffff'));
    expect(tail).to.deep.equal(['setenv fdt_high 0xffffffffffffffff', 'fdt print /chosen', tail[2], '']);
    expect(tail[2]).to.match(/^booti 0x[0-9A-F]+ - 0x[0-9A-F]+$/);
  });

  it('the plan carries them per domU (what --json shows) and the summary prints them', () => {
    const g = generate(folder(DEBIAN_420_CONFIG, ALL), { write: false, env: {} });
    expect(g.plan.domains.map((d) => [d.name, d.props])).to.deep.equal([
      ['domU0', { nrSpis: 64, grantVersion: 1, grantFrames: 16, maptrackFrames: 0, trapUnmap: 0, domid: 7, passthrough: 'enabled', p2mMemMB: 16 }],
      ['domU1', undefined],
    ]);
    expect(planSummary(g.plan).filter((l) => l.startsWith('domU'))).to.deep.equal([
      'domU0: nr_spis 64, max_grant_version 1, max_grant_frames 16, max_maptrack_frames 0, trap-unmapped-accesses 0, domid 7, passthrough "enabled", P2M pool 16 MiB',
    ]);
  });

  it('the simulated boot on Xen 4.20 reads them and every domain comes up; the 16 MiB P2M pool is taken from the heap', () => {
    const g = generate(folder(DEBIAN_420_CONFIG, ALL), { write: false, env: {} });
    const v = verifyGenerated(g);
    expect(v.domains.map((d) => [d.name, d.domid, d.verdict])).to.deep.equal([['domU1', 1, 'up'], ['domU0', 2, 'up']]);
    // DBG_FDT_PRINT_CHOSEN: the printout shows the properties as U-Boot prints cells.
    const out = v.uboot.console.join('\n');
    expect(out).to.contain('\t\tnr_spis = <0x00000040>;\n');
    expect(out).to.contain('\t\tmax_grant_frames = <0x00000010>;\n');
    expect(out).to.contain('\t\tpassthrough = "enabled";\n');
  });

  it('grant table version 2: Xen 4.20 refuses to create the domain; Xen 4.17 never reads it', () => {
    const v20 = verifyGenerated(generate(folder(DEBIAN_420_CONFIG, ['DOMU_GRANT_VER[0]=2']), { write: false, env: {} }));
    expect(v20.xen!.panic).to.equal('Error creating domain domU0 (rc = -22)');
    expect(v20.domains.find((d) => d.name === 'domU0')!.reason).to.equal('Error creating domain domU0 (rc = -22) (max_grant_version = 2, but Xen on Arm supports grant table version 1 only)');
    const v17 = verifyGenerated(generate(folder(DEBIAN_417_CONFIG, ['DOMU_GRANT_VER[0]=2']), { write: false, env: {} }));
    expect(v17.xen!.panic).to.equal(undefined);
    expect(v17.domains.map((d) => d.verdict)).to.deep.equal(['up', 'up']);
  });
});
