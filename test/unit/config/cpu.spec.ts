// The CPU keys: cpupools, DOMU_CPUPOOL, DOMU_CAPS, DOMU_COLORS / XEN_COLORS / DOM0_COLORS and
// DOMU_VCPU_HARD_AFFINITY, read as uboot-script-gen reads them (src/config/cpu.ts).
import { expect } from 'chai';
import { parseConfigText } from '../../../src/config/index.js';
import { BASE, expectConfigError } from './helpers.js';

const load = (text: string) => parseConfigText(text, 'c.cfg', {});
const two = `${BASE}NUM_DOMUS=2\nDOMU_KERNEL[1]=Image\n`;
// BASE is 6 lines long (the line of the first extra key is 7 in `${BASE}X`).
const L = BASE.split('\n').length;

describe('config/cpu', () => {
  describe('cpupools', () => {
    it('reads Xen CI\'s boot-cpupools variant: CPUPOOL[0]="cpu@1 null", DOMU_CPUPOOL[0]=0', () => {
      const { config } = load(`${BASE}CPUPOOL[0]="cpu@1 null"\nDOMU_CPUPOOL[0]=0\nNUM_CPUPOOLS=1\n`);
      expect(config.cpu?.cpupools).to.deep.equal([{ index: 0, cpus: ['cpu@1'], sched: 'null', where: { file: 'c.cfg', line: L, col: 12 } }]);
      expect(config.domUs[0]?.cpu).to.deep.equal({ cpupool: 0, affinity: [] });
    });

    it('takes a comma list of CPUs and no scheduler (Xen\'s default then)', () => {
      const { config } = load(`${BASE}NUM_CPUPOOLS=2\nCPUPOOL[0]="cpu@1,cpu@2"\nCPUPOOL[1]="cpu@3 credit2"\n`);
      expect(config.cpu?.cpupools.map((p) => [p.cpus, p.sched])).to.deep.equal([[['cpu@1', 'cpu@2'], undefined], [['cpu@3'], 'credit2']]);
    });

    it('NUM_CPUPOOLS=0 or unset: no pools, and a CPUPOOL past it is ignored with a warning', () => {
      const { config, diagnostics } = load(`${BASE}CPUPOOL[0]="cpu@1 null"\n`);
      expect(config.cpu?.cpupools).to.deep.equal([]);
      expect(diagnostics.filter((d) => d.code === 'CONFIG_IGNORED_INDEX').map((d) => d.message)).to.deep.equal(['CPUPOOL[0] is set but NUM_CPUPOOLS=0, so it is ignored']);
    });

    it('refuses a CPU in two pools, as ImageBuilder ("already assigned to another cpupool")', () => {
      expectConfigError(() => load(`${BASE}NUM_CPUPOOLS=2\nCPUPOOL[0]="cpu@1,cpu@2"\nCPUPOOL[1]="cpu@2 null"\n`), {
        code: 'CONFIG_BAD_VALUE', message: '/cpus/cpu@2 already assigned to another cpupool (CPUPOOL[0])', line: L + 2, col: 12,
      });
    });

    it('matches CPU names exactly (ImageBuilder\'s substring test refuses cpu@1 after cpu@10)', () => {
      const { config } = load(`${BASE}NUM_CPUPOOLS=2\nCPUPOOL[0]="cpu@10"\nCPUPOOL[1]="cpu@1"\n`);
      expect(config.cpu?.cpupools.map((p) => p.cpus)).to.deep.equal([['cpu@10'], ['cpu@1']]);
    });

    it('refuses a scheduler Xen does not have, a missing CPUPOOL, extra words and bad names', () => {
      expectConfigError(() => load(`${BASE}NUM_CPUPOOLS=1\nCPUPOOL[0]="cpu@1 fifo"\n`), {
        code: 'CONFIG_BAD_VALUE', message: 'CPUPOOL[0]: "fifo" is not a Xen scheduler (Xen would panic: "Scheduler fifo does not exists!")', line: L + 1,
      });
      expectConfigError(() => load(`${BASE}NUM_CPUPOOLS=2\nCPUPOOL[0]="cpu@1"\n`), { code: 'CONFIG_MISSING', message: 'NUM_CPUPOOLS=2 but CPUPOOL[1] is not set', line: L, col: 14 });
      expectConfigError(() => load(`${BASE}NUM_CPUPOOLS=1\nCPUPOOL[0]="cpu@1 cpu@2 null"\n`), { code: 'CONFIG_BAD_VALUE', message: 'CPUPOOL[0] must be "CPU,CPU,... [scheduler]", got 3 words' });
      expectConfigError(() => load(`${BASE}NUM_CPUPOOLS=1\nCPUPOOL[0]="/cpus/cpu@1"\n`), { code: 'CONFIG_BAD_VALUE', message: 'CPUPOOL[0]: "/cpus/cpu@1" is not a /cpus child node name' });
      expectConfigError(() => load(`${BASE}NUM_CPUPOOLS=x\n`), { code: 'CONFIG_BAD_VALUE', message: 'NUM_CPUPOOLS must be a whole number of cpupools from 0 to 128, got "x"' });
    });

    it('DOMU_CPUPOOL must name a pool that exists', () => {
      expectConfigError(() => load(`${BASE}NUM_CPUPOOLS=1\nCPUPOOL[0]="cpu@1"\nDOMU_CPUPOOL[0]=1\n`), {
        code: 'CONFIG_BAD_VALUE', message: 'DOMU_CPUPOOL[0]=1 names CPUPOOL[1], but NUM_CPUPOOLS=1', line: L + 2, col: 17,
      });
      expectConfigError(() => load(`${BASE}DOMU_CPUPOOL[0]=pool0\n`), { code: 'CONFIG_BAD_VALUE', message: 'DOMU_CPUPOOL[0] must be the index of a CPUPOOL, got "pool0"' });
    });
  });

  describe('DOMU_CAPS', () => {
    it('parses names case-insensitively, "|"-joined, and numbers (parse_domain_caps())', () => {
      const caps = (v: string) => load(`${BASE}DOMU_CAPS[0]="${v}"\n`).config.domUs[0]?.cpu?.caps?.value;
      expect(caps('control')).to.equal(1);
      expect(caps('Control|XENSTORE')).to.equal(5);
      expect(caps('hardware')).to.equal(2);
      expect(caps('dom0')).to.equal(7);
      expect(caps('domain0')).to.equal(7);
      expect(caps('none')).to.equal(0);
      expect(caps('4')).to.equal(4);
      expect(caps('0x3|xenstore')).to.equal(7);
      expect(caps('8')).to.equal(8);
    });

    it('refuses an unknown word with ImageBuilder\'s message', () => {
      expectConfigError(() => load(`${BASE}DOMU_CAPS[0]="control|admin"\n`), {
        code: 'CONFIG_BAD_VALUE', message: 'Invalid DOMU_CAPS[0] "control|admin": "admin" is not a capability', line: L, col: 14,
      });
    });
  });

  describe('colours', () => {
    it('puts XEN_COLORS and DOM0_COLORS into ImageBuilder\'s default XEN_CMD', () => {
      const { config } = load(`${BASE}DOM0_KERNEL=Image\nXEN_COLORS="0-3"\nDOM0_COLORS="4-7"\n`);
      expect(config.xenCmd).to.equal('console=dtuart dtuart=serial0 dom0_mem=1024M dom0_max_vcpus=1 bootscrub=0 vwfi=native sched=null xen_colors=0-3 dom0_colors=4-7');
      expect(config.cpu?.xenColours).to.deep.equal({ text: '0-3', values: [0, 1, 2, 3] });
      const onlyXen = load(`${BASE}DOM0_KERNEL=Image\nXEN_COLORS="0-1"\n`).config;
      expect(onlyXen.xenCmd).to.equal('console=dtuart dtuart=serial0 dom0_mem=1024M dom0_max_vcpus=1 bootscrub=0 vwfi=native sched=null xen_colors=0-1 ');
    });

    it('reads DOMU_COLORS as a list (upstream "0-3,8" or ImageBuilder\'s "start-end")', () => {
      expect(load(`${BASE}DOMU_COLORS[0]="0-3,8"\n`).config.domUs[0]?.cpu?.colours).to.deep.equal({ text: '0-3,8', values: [0, 1, 2, 3, 8] });
      expect(load(`${BASE}DOMU_COLORS[0]="5"\n`).config.domUs[0]?.cpu?.colours).to.deep.equal({ text: '5', values: [5] });
    });

    it('refuses DOM0_COLORS without dom0, ranges that run backwards and colours past 127', () => {
      expectConfigError(() => load(`${BASE}DOM0_COLORS="0-3"\n`), { code: 'CONFIG_CONFLICT', message: 'For dom0less configuration without dom0, no dom0 specific parameters should be specified, exiting.' });
      expectConfigError(() => load(`${BASE}DOMU_COLORS[0]="7-4"\n`), { code: 'CONFIG_BAD_VALUE', message: 'DOMU_COLORS[0]: the range 7-4 runs backwards' });
      expectConfigError(() => load(`${BASE}DOMU_COLORS[0]="0-200"\n`), { code: 'CONFIG_BAD_VALUE', message: 'DOMU_COLORS[0]: 200 is out of range, cache colours go from 0 to 127' });
      expectConfigError(() => load(`${BASE}DOMU_COLORS[0]="0..3"\n`), { code: 'CONFIG_BAD_VALUE', message: 'DOMU_COLORS[0] must be a list of cache colours such as "0-3", got "0..3"' });
    });
  });

  describe('DOMU_VCPU_HARD_AFFINITY', () => {
    it('keeps the entries of existing vCPUs in vCPU order and warns about the others', () => {
      const { config, diagnostics } = load(`${two}DOMU_VCPUS[0]=2\nDOMU_VCPU_HARD_AFFINITY[0,1]="3"\nDOMU_VCPU_HARD_AFFINITY[0,0]="0-2"\nDOMU_VCPU_HARD_AFFINITY[1,1]="1"\n`);
      expect(config.domUs[0]?.cpu?.affinity.map((a) => [a.vcpu, a.cpus])).to.deep.equal([[0, { text: '0-2', values: [0, 1, 2] }], [1, { text: '3', values: [3] }]]);
      expect(config.domUs[1]?.cpu?.affinity).to.deep.equal([]);
      expect(diagnostics.filter((d) => d.code === 'CONFIG_IGNORED_INDEX').map((d) => d.message))
        .to.deep.equal(['DOMU_VCPU_HARD_AFFINITY[1,1] is set but DOMU_VCPUS[1]=1, so vCPU 1 does not exist and it is ignored']);
    });

    it('refuses a malformed pCPU list', () => {
      expectConfigError(() => load(`${BASE}DOMU_VCPU_HARD_AFFINITY[0,0]="0-"\n`), { code: 'CONFIG_BAD_VALUE', message: 'DOMU_VCPU_HARD_AFFINITY[0,0] must be a list of pCPU numbers such as "0-2", got "0-"' });
    });
  });
});
