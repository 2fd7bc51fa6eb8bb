// Boot-time cpupools, capabilities, LLC colours and vCPU hard affinity in the Xen model
// (src/sim/xen/cpupools.ts). Messages are Xen's own (xen/common/sched/boot-cpupool.c, the same
// in RELEASE-4.17.0 … 4.22.0; dom0less-build.c of 4.20–4.22); the Pool/"Logical CPU" lines and
// the null scheduler's banner are those of the lab's real Xen 4.17.5 full-featured build.
import { expect } from 'chai';
import { bootXen, type XenResult } from '../../../../src/sim/xen/index.js';
import { parseXenKconfig, resolveXenBuild, type XenBuild } from '../../../../src/xen-build/index.js';
import { XenConsole, XenPanicSignal } from '../../../../src/sim/xen/console.js';
import { domainCaps, setupCpupools, vcpuAffinity, type CpupoolCtx } from '../../../../src/sim/xen/cpupools.js';
import { unflattenDeviceTree } from '../../../../src/sim/xen/device-tree.js';
import {
  domUNode, dtc, FDT_ADDR, handoff, KADDR, KREG, type Load, RADDR, suiteBinaries, type TestFile, virtDts, XEN_ADDR,
} from './helpers.js';


const kconfig = (version: string, lines: string): string => `#\n# Automatically generated file; DO NOT EDIT.\n# Xen/arm ${version} Configuration\n#\n${lines}`;
const OPTS = 'CONFIG_SCHED_NULL=y\nCONFIG_SCHED_CREDIT=y\nCONFIG_SCHED_CREDIT2=y\nCONFIG_SCHED_DEFAULT="credit2"\nCONFIG_SBSA_VUART_CONSOLE=y\n# CONFIG_DEBUG is not set\n';
const buildOf = (version: string, lines: string): XenBuild =>
  resolveXenBuild({ configFile: { kconfig: parseXenKconfig(kconfig(version, `${OPTS}${lines}`), 'test.config'), name: 'test.config' } });
const FULL_417 = (): XenBuild => buildOf('4.17.5', 'CONFIG_BOOT_TIME_CPUPOOLS=y\n');
const NO_POOLS_417 = (): XenBuild => buildOf('4.17.5', '# CONFIG_BOOT_TIME_CPUPOOLS is not set\n');
const FULL_420 = (llc = false): XenBuild => buildOf('4.20.0', `CONFIG_BOOT_TIME_CPUPOOLS=y\n${llc ? 'CONFIG_LLC_COLORING=y\n' : ''}`);

const POOL = (i: number, cpus: number[], sched?: string): string =>
  `cpupool_${i} { phandle = <${0xfffffffe - i}>; compatible = "xen,cpupool"; cpupool-cpus = <${cpus.map((c) => `&{/cpus/cpu@${c}}`).join(' ')}>; ${sched ? `cpupool-sched = "${sched}";` : ''} };`;
const IN_POOL = (i: number): string => `domain-cpupool = <${0xfffffffe - i}>;`;

describe('sim → xen → cpupools, capabilities, colours, hard affinity', function () {
  let image: TestFile;
  let ramdisk: TestFile;
  let xen: TestFile;
  before(function () { ({ image, ramdisk, xen } = suiteBinaries(this)); });
  const std = (): Load[] => [{ addr: KADDR, file: image }, { addr: RADDR, file: ramdisk }, { addr: XEN_ADDR, file: xen }];
  const domU = (name: string, cpus: number, extra = ''): string =>
    domUNode(name, { memKiB: 0x40000, cpus, kernel: [KADDR, KREG], ramdisk: [RADDR, ramdisk.size], bootargs: 'console=ttyAMA0', extra });
  const boot = (cmdline: string, chosen: string, build: XenBuild): XenResult => {
    const dtb = dtc(virtDts(`#address-cells = <0x2>; #size-cells = <0x2>; xen,xen-bootargs = "console=dtuart dtuart=/pl011@9000000 ${cmdline}"; ${chosen}`));
    return bootXen(handoff(std(), dtb, FDT_ADDR, XEN_ADDR), { build });
  };
  const verdicts = (r: XenResult): unknown[] => r.domains.map((d) => [d.name, d.verdict, d.message ?? '']);
  const from = (r: XenResult, first: RegExp, n: number): string[] => { const i = r.console.findIndex((l) => first.test(l)); return i < 0 ? [] : r.console.slice(i, i + n); };

  describe('boot-time cpupools (CONFIG_BOOT_TIME_CPUPOOLS=y)', () => {
    it('Xen CI\'s boot-cpupools: cpu@1 in a null pool becomes Pool-1 (the boot CPU\'s pool is swapped to Pool-0), as the real 4.17.5 prints', () => {
      const r = boot('loglvl=all', `${domU('domU1', 2)} ${domU('domU0', 1, IN_POOL(0))} ${POOL(0, [1], 'null')}`, FULL_417());
      expect(from(r, /^\(XEN\) Brought up/, 1)).to.deep.equal(['(XEN) Brought up 4 CPUs']);
      expect(from(r, /Initializing null scheduler/, 7)).to.deep.equal([
        '(XEN) Initializing null scheduler', '(XEN) WARNING: This is experimental software in development.', '(XEN) Use at your own risk.',
        '(XEN) Logical CPU 0 in Pool-0 (Scheduler id: -1).', '(XEN) Logical CPU 1 in Pool-1 (Scheduler id: 9).',
        '(XEN) Logical CPU 2 in Pool-0 (Scheduler id: -1).', '(XEN) Logical CPU 3 in Pool-0 (Scheduler id: -1).',
      ]);
      expect(verdicts(r)).to.deep.equal([['domU1', 'up', ''], ['domU0', 'up', '']]);
      expect(r.findings.filter((f) => /null scheduler/.test(f))).to.deep.equal([]);
    });

    it('two pools: ids follow /chosen order (the newer cpupool_1 node first), the extra pool of the boot CPU swaps with Pool-0 (real 4.17.5)', () => {
      const r = boot('loglvl=all', `${domU('domU1', 1, IN_POOL(1))} ${domU('domU0', 2, IN_POOL(0))} ${POOL(1, [3], 'null')} ${POOL(0, [1, 2], 'credit2')}`, FULL_417());
      expect(r.console.filter((l) => /Logical CPU/.test(l))).to.deep.equal([
        '(XEN) Logical CPU 0 in Pool-0 (Scheduler id: -1).', '(XEN) Logical CPU 1 in Pool-1 (Scheduler id: 6).',
        '(XEN) Logical CPU 2 in Pool-1 (Scheduler id: 6).', '(XEN) Logical CPU 3 in Pool-2 (Scheduler id: 9).',
      ]);
      expect(verdicts(r)).to.deep.equal([['domU1', 'up', ''], ['domU0', 'up', '']]);
    });

    it('prints the Logical CPU lines only at loglvl=all on a 4.17 release build (XENLOG_INFO)', () => {
      const r = boot('', `${domU('domU0', 1, IN_POOL(0))} ${POOL(0, [1], 'null')}`, FULL_417());
      expect(r.console.filter((l) => /Logical CPU/.test(l))).to.deep.equal([]);
      expect(r.console.filter((l) => /null scheduler/.test(l))).to.deep.equal(['(XEN) Initializing null scheduler']);
    });

    it('a domain with more vCPUs than its null pool has CPUs boots, the extra vCPU never runs (real: "CPU1: failed to come online")', () => {
      const r = boot('', `${domU('domU0', 2, IN_POOL(0))} ${POOL(0, [1], 'null')}`, FULL_417());
      expect(verdicts(r)).to.deep.equal([['domU0', 'up', '']]);
      expect(r.findings.filter((f) => /null scheduler/.test(f))).to.deep.equal([
        'domU0: Pool-1 runs the null scheduler and has no free CPU for vCPU 1: the guest finds those CPUs never come online',
      ]);
    });

    it('two 1-vCPU domains in a 1-CPU null pool: the one built second never runs (guest fails, no Xen message in a release build)', () => {
      const r = boot('', `${domU('domU1', 1, IN_POOL(0))} ${domU('domU0', 1, IN_POOL(0))} ${POOL(0, [1], 'null')}`, FULL_417());
      expect(r.domains.map((d) => [d.name, d.verdict, d.reason ?? ''])).to.deep.equal([
        ['domU1', 'up', ''], ['domU0', 'guest fails', 'its null-scheduler cpupool has no free CPU for vCPU 0, so the domain never runs'],
      ]);
      expect(r.console.filter((l) => /not assigned/.test(l))).to.deep.equal([]);
    });

    it('panics on a pool CPU Xen did not bring up (maxcpus=1): "Error retrieving logical cpu from node cpupool_0 (-2)"', () => {
      const r = boot('maxcpus=1', `${domU('domU0', 1, IN_POOL(0))} ${POOL(0, [1], 'null')}`, FULL_417());
      expect(from(r, /^\(XEN\) Brought up/, 1)).to.deep.equal(['(XEN) Brought up 1 CPUs']);
      expect(r.panic).to.equal('Error retrieving logical cpu from node cpupool_0 (-2)');
      expect(verdicts(r)).to.deep.equal([['domU0', 'xen panic', 'Error retrieving logical cpu from node cpupool_0 (-2)']]);
    });

    it('panics on a scheduler the build lacks, a CPU in two pools, and an empty cpupool-cpus', () => {
      expect(boot('', `${domU('domU0', 1, IN_POOL(0))} ${POOL(0, [1], 'rtds')}`, FULL_417()).panic).to.equal('Scheduler rtds does not exists!');
      // fdt mknod puts the newer node first: cpupool_1 is parsed first, so cpupool_0's cpu@2 is the repeat.
      expect(boot('', `${domU('domU0', 1)} ${POOL(1, [2])} ${POOL(0, [1, 2])}`, FULL_417()).panic).to.equal('Logical cpu 2 already added to a cpupool!');
      expect(boot('', `${domU('domU0', 1)} cpupool_0 { compatible = "xen,cpupool"; cpupool-cpus = <0x1234>; };`, FULL_417()).panic).to.equal('Missing or empty cpupool-cpus property!');
    });

    it('panics when domain-cpupool names a node that is not a cpupool: "Error getting cpupool id from domain-cpupool (-3)"', () => {
      const r = boot('', `${domU('domU0', 1, 'domain-cpupool = <&{/cpus/cpu@1}>;')}`, FULL_417());
      expect(r.panic).to.equal('Error getting cpupool id from domain-cpupool (-3)');
    });
  });

  it('without CONFIG_BOOT_TIME_CPUPOOLS the pools are ignored without a word: a bad scheduler or CPU changes nothing', () => {
    const r = boot('loglvl=all maxcpus=1', `${domU('domU0', 2, IN_POOL(0))} ${POOL(0, [1], 'rtds')}`, NO_POOLS_417());
    expect(r.panic).to.equal(undefined);
    expect(r.console.filter((l) => /Pool|null scheduler|cpupool/.test(l))).to.deep.equal([]);
    expect(verdicts(r)).to.deep.equal([['domU0', 'up', '']]);
    expect(r.findings).to.include('/chosen/domU0: domain-cpupool is ignored, this Xen build has no CONFIG_BOOT_TIME_CPUPOOLS: the domain runs in Pool-0');
  });

  // Xen 4.21 and 4.22 are not booted by the model yet (src/sim/xen/version.ts): their rules run here
  // on their own, over the same device-tree nodes a boot would give them.
  describe('capabilities and vCPU hard affinity (Xen 4.21+, rules on their own)', () => {
    const ctxFor = (minor: number, chosen: string) => {
      const root = unflattenDeviceTree(dtc(virtDts(`#address-cells = <0x2>; #size-cells = <0x2>; ${chosen}`)));
      const console = new XenConsole('debug');
      const ctx: CpupoolCtx = { console, root, build: FULL_417(), minor, cpuHwids: [0, 1, 2, 3], bootScheduler: 'credit2', findings: [] };
      return { ctx, root, state: setupCpupools(ctx), node: (name: string) => root.children.find((c) => c.name === 'chosen')!.children.find((c) => c.name === name)! };
    };
    const panicOf = (fn: () => unknown): string | undefined => { try { fn(); } catch (e) { if (e instanceof XenPanicSignal) return e.text; throw e; } return undefined; };
    const vcpu = (id: number, aff: string): string => `vcpu${id} { compatible = "xen,vcpu"; id = <${id}>; hard-affinity = "${aff}"; };`;

    it('capabilities: "Invalid capabilities (9)" on an undefined bit, a second hardware domain, and nothing read before 4.21', () => {
      const t = ctxFor(21, `${domU('domU0', 1, 'capabilities = <9>;')} ${domU('domU1', 1, 'capabilities = <2>;')}`);
      expect(panicOf(() => domainCaps(t.ctx, t.node('domU0'), {}))).to.equal('Invalid capabilities (9)');
      expect(panicOf(() => domainCaps(t.ctx, t.node('domU1'), { name: 'd0' }))).to.equal('Only 1 hardware domain can be specified! (d0)');
      expect(domainCaps(t.ctx, t.node('domU1'), {})).to.equal(2);
      const old = ctxFor(20, domU('domU0', 1, 'capabilities = <9>;'));
      expect(domainCaps(old.ctx, old.node('domU0'), {})).to.equal(0);
      expect(old.ctx.findings).to.deep.equal(['/chosen/domU0: capabilities = 9 is not read by Xen 4.20 (4.21+): the domain is a plain domU']);
    });

    it('hard affinity: pCPUs of the pool pass; a pCPU past nr_cpu_ids, an id past the vCPUs, a mask outside the pool panic', () => {
      const t = ctxFor(21, `${domU('domU0', 2, `${IN_POOL(0)} ${vcpu(0, '1')} ${vcpu(1, '1-2')}`)} ${domU('domU1', 1, vcpu(0, '0-5'))} ${domU('domU2', 1, vcpu(1, '0'))} ${domU('domU3', 1, `${IN_POOL(0)} ${vcpu(0, '3')}`)} ${POOL(0, [1, 2])}`);
      expect(panicOf(() => vcpuAffinity(t.ctx, t.state, t.node('domU0'), 1, 2))).to.equal(undefined);
      expect(panicOf(() => vcpuAffinity(t.ctx, t.state, t.node('domU1'), 0, 1))).to.equal('Invalid pCPU 5 for domain domU1');
      expect(panicOf(() => vcpuAffinity(t.ctx, t.state, t.node('domU2'), 0, 1))).to.equal('Invalid vcpu_id 1 for domain domU2, max_vcpus=1');
      expect(panicOf(() => vcpuAffinity(t.ctx, t.state, t.node('domU3'), 1, 1))).to.equal('vcpu0: failed (rc=-22) to set hard affinity for domain domU3');
    });

    it('hard affinity is ignored before 4.21 (a booted 4.17)', () => {
      const r = boot('', domU('domU0', 1, vcpu(0, '0-5')), FULL_417());
      expect(r.panic).to.equal(undefined);
      expect(r.findings).to.include('/chosen/domU0/vcpu0: xen,vcpu nodes are read from Xen 4.21; Xen 4.17 ignores the hard affinity');
    });
  });

  describe('LLC colours (Xen 4.20+)', () => {
    it('panics on llc-colors when colouring is off (no CONFIG_LLC_COLORING, or no llc-coloring=on)', () => {
      expect(boot('', domU('domU0', 1, 'llc-colors = "0-3";'), FULL_420()).panic).to.equal("'llc-colors' found, but LLC coloring is disabled");
      expect(boot('', domU('domU0', 1, 'llc-colors = "0-3";'), FULL_420(true)).panic).to.equal("'llc-colors' found, but LLC coloring is disabled");
      expect(boot('llc-coloring=on', domU('domU0', 1, 'llc-colors = "0-3";'), FULL_420(true)).panic).to.equal(undefined);
    });
    it('4.17 ignores llc-colors; upstream Xen ignores the Xilinx colors bitmask', () => {
      expect(boot('', domU('domU0', 1, 'llc-colors = "0-3";'), FULL_417()).panic).to.equal(undefined);
      const r = boot('', domU('domU0', 1, 'colors = <0xf>;'), FULL_417());
      expect(r.panic).to.equal(undefined);
      expect(r.findings).to.include('/chosen/domU0: colors is the Xilinx Xen fork\'s property; upstream Xen 4.17 ignores it, so the domain is not coloured');
    });
  });
});
