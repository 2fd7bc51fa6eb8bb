// The CPU commands of boot.source: cpupools (against ImageBuilder's own output), capabilities,
// colours in ImageBuilder's and in upstream Xen 4.20's form, and vCPU hard-affinity nodes.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generate } from '../../../src/api/generate.js';
import { boardDtb } from '../../helpers/samples.js';
import { fixturePath, REPO_ROOT } from '../../helpers/paths.js';
import { tempDir } from '../../helpers/temp.js';

const CPU_LINE = /cpupool|\/cpus\/|(?<!xen-bootargs.*)colors|capabilities|vcpu\d/;

/** samples/ (plus the board without CPU phandles) and a config in a fresh folder. */
function folder(lines: string[], name = 'config'): { dir: string; config: string } {
  const dir = tempDir();
  fs.cpSync(path.join(REPO_ROOT, 'samples'), path.join(dir, 'samples'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'samples', 'virt-nophandle.dtb'), boardDtb({ cpus: 4 }));
  const config = path.join(dir, name);
  fs.writeFileSync(config, `${lines.join('\n')}\n`);
  return { dir, config };
}
const cpuLines = (text: string): string[] => text.split('\n').filter((l) => CPU_LINE.test(l));
const common = (): string[] => fs.readFileSync(fixturePath('imagebuilder-cpupools', 'common.config'), 'utf8').trimEnd().split('\n');
const source = (lines: string[], opts: Parameters<typeof generate>[1] = {}): string => {
  const { dir, config } = folder(lines);
  return generate(config, { env: {}, write: false, dir, ...opts }).outputs.source;
};

describe('emit → cpupools, colours, capabilities, vCPU nodes', () => {
  it('writes ImageBuilder\'s cpupool and colour commands, command for command (CPUs without phandles)', () => {
    const ib = cpuLines(fs.readFileSync(fixturePath('imagebuilder-cpupools', 'cpupools-nophandle.source'), 'utf8'));
    expect(ib).to.have.length(16);
    expect(cpuLines(source([...common(), 'DEVICE_TREE="samples/virt-nophandle.dtb"']))).to.deep.equal(ib);
  });

  it('keeps a CPU\'s own phandle as 0x<hex> (ImageBuilder 2023.2 wrote <8011>, fixed upstream in 2024)', () => {
    const ib = cpuLines(fs.readFileSync(fixturePath('imagebuilder-cpupools', 'cpupools-phandles.source'), 'utf8'));
    // The listed deviation, applied to ImageBuilder's commands: no `fdt set /cpus/...` for a CPU that
    // has a phandle, and its phandle written with 0x.
    const fixed = ib.filter((l) => !/^fdt set \/cpus\/cpu@\d phandle <\d+>$/.test(l)).map((l) => l.replace(/cpupool-cpus <((?: \d+)+)>/, (_m, ids: string) => `cpupool-cpus <${ids.replace(/ (\d+)/g, ' 0x$1')}>`));
    const ours = cpuLines(source([...common(), 'DEVICE_TREE="samples/virt.dtb"']));
    expect(ours).to.deep.equal(fixed);
    expect(ours.filter((l) => /cpupool-cpus/.test(l))).to.deep.equal(['fdt set /chosen/cpupool_0 cpupool-cpus < 0x8011 0x8012>', 'fdt set /chosen/cpupool_1 cpupool-cpus < 0x8013>']);
  });

  it('writes capabilities after xen,enhanced, then colours and the xen,vcpu nodes before the kernel module', () => {
    const text = source([...common().filter((l) => !/CPUPOOL|DOMU_COLORS/.test(l)), 'DEVICE_TREE="samples/virt.dtb"', 'DOMU_CAPS[0]="control|xenstore"',
      'DOMU_VCPU_HARD_AFFINITY[0,1]="3"', 'DOMU_VCPU_HARD_AFFINITY[0,0]="0-2"', 'DOMU_COLORS[0]="0-3,8"']);
    const block = text.split('\n').filter((l) => l.startsWith('fdt set /chosen/domU0 ') || l.startsWith('fdt mknod /chosen/domU0 ') || l.startsWith('fdt set /chosen/domU0/vcpu'));
    expect(block.slice(5, 17)).to.deep.equal([
      'fdt set /chosen/domU0 vpl011',
      'fdt set /chosen/domU0 capabilities <5>',
      'fdt set /chosen/domU0 colors <0x10f>',
      'fdt mknod /chosen/domU0 vcpu0',
      'fdt set /chosen/domU0/vcpu0 compatible  "xen,vcpu"',
      'fdt set /chosen/domU0/vcpu0 id <0>',
      'fdt set /chosen/domU0/vcpu0 hard-affinity "0-2"',
      'fdt mknod /chosen/domU0 vcpu1',
      'fdt set /chosen/domU0/vcpu1 compatible  "xen,vcpu"',
      'fdt set /chosen/domU0/vcpu1 id <1>',
      'fdt set /chosen/domU0/vcpu1 hard-affinity "3"',
      'fdt mknod /chosen/domU0 module@40400000',
    ]);
  });

  it('writes upstream LLC colouring for a Xen 4.20 build: llc-colors, and llc-coloring=on in the default XEN_CMD', () => {
    const dir = tempDir();
    const cfg = path.join(dir, 'llc.config');
    fs.writeFileSync(cfg, '#\n# Automatically generated file; DO NOT EDIT.\n# Xen/arm 4.20.0 Configuration\n#\nCONFIG_LLC_COLORING=y\nCONFIG_SCHED_NULL=y\nCONFIG_SCHED_CREDIT2=y\nCONFIG_SCHED_DEFAULT="credit2"\n');
    const lines = [...common().filter((l) => !/CPUPOOL|XEN_CMD/.test(l)), 'DEVICE_TREE="samples/virt.dtb"', 'DOM0_KERNEL="samples/Image"', 'XEN_COLORS="0-1"', 'DOM0_COLORS="2-3"', 'DOMU_COLORS[0]="4-7,9"'];
    const text = source(lines, { xenConfig: cfg });
    expect(text).to.contain('fdt set /chosen xen,xen-bootargs "console=dtuart dtuart=serial0 dom0_mem=1024M dom0_max_vcpus=1 bootscrub=0 vwfi=native sched=null llc-coloring=on xen-llc-colors=0-1 dom0-llc-colors=2-3"\n');
    expect(cpuLines(text)).to.deep.equal(['fdt set /chosen/domU0 llc-colors "4-7,9"', 'fdt set /chosen/domU1 llc-colors "0-3"']);
    // The same config for Xen 4.17: ImageBuilder's Xilinx form.
    const old = source(lines);
    expect(old).to.contain('sched=null xen_colors=0-1 dom0_colors=2-3"\n');
    expect(cpuLines(old)).to.deep.equal(['fdt set /chosen/domU0 colors <0x2f0>', 'fdt set /chosen/domU1 colors <0xf>']);
  });

  it('names no pool for a domU that is not booted (ImageBuilder would set domain-cpupool on a node it never made)', () => {
    const text = source([...common(), 'DEVICE_TREE="samples/virt.dtb"', 'DOMU_NOBOOT[1]=1']);
    expect(text.split('\n').filter((l) => /domain-cpupool/.test(l))).to.deep.equal(['fdt set /chosen/domU0 domain-cpupool <0xfffffffe>']);
  });
});
