// The Xen model runs the build it is given: the release and Kconfig options read from the Xen
// bytes U-Boot started, and the behaviour of features whose option is off, per release.
// Messages are Xen's own (xen-project/xen at RELEASE-4.17.7 / 4.18.0 / 4.20.4).
import { expect } from 'chai';
import * as fs from 'node:fs';
import { fixturePath } from '../../../helpers/paths.js';
import { bootXen, type XenResult } from '../../../../src/sim/xen/index.js';
import { parseXenKconfig, resolveXenBuild, type XenBuild } from '../../../../src/xen-build/index.js';
import { DEBIAN_420_CONFIG, gzipN, syntheticXen } from '../../xen-build/fixtures.js';
import {
  domUNode, dtc, FDT_ADDR, handoff, KADDR, KREG, type Load, plainFile, RADDR, suiteBinaries, type TestFile, virtDts, XEN_ADDR,
} from './helpers.js';

const BOOTARGS = 'xen,xen-bootargs = "console=dtuart dtuart=/pl011@9000000 sched=null";';

const kconfig = (version: string, lines: string): string => `#\n# Automatically generated file; DO NOT EDIT.\n# Xen/arm ${version} Configuration\n#\n${lines}`;
const FULL = kconfig('4.20.4', 'CONFIG_STATIC_MEMORY=y\nCONFIG_STATIC_SHM=y\nCONFIG_BOOT_TIME_CPUPOOLS=y\nCONFIG_SCHED_NULL=y\nCONFIG_SCHED_CREDIT=y\nCONFIG_SCHED_CREDIT2=y\nCONFIG_SCHED_DEFAULT="credit2"\nCONFIG_SBSA_VUART_CONSOLE=y\n# CONFIG_DEBUG is not set\n');
const buildOf = (text: string, version?: string): XenBuild =>
  resolveXenBuild({ configFile: { kconfig: parseXenKconfig(text, 'test.config'), name: 'test.config' }, ...(version ? { versionOverride: version } : {}) });

describe('sim → xen → the build it runs', function () {
  let image: TestFile;
  let ramdisk: TestFile;
  let xen: TestFile;
  before(function () { ({ image, ramdisk, xen } = suiteBinaries(this)); });
  const std = (x = xen): Load[] => [{ addr: KADDR, file: image }, { addr: RADDR, file: ramdisk }, { addr: XEN_ADDR, file: x }];
  const domU = (name: string, extra: Partial<Parameters<typeof domUNode>[1]> = {}): string =>
    domUNode(name, { memKiB: 0x40000, cpus: 1, kernel: [KADDR, KREG], ramdisk: [RADDR, ramdisk.size], bootargs: 'console=ttyAMA0', ...extra });
  const boot = (chosen: string, o: { loads?: Load[]; version?: string; build?: XenBuild; root?: string; cpus?: string } = {}): XenResult => {
    const dtb = dtc(virtDts(`#address-cells = <0x2>; #size-cells = <0x2>; ${chosen}`, { ...(o.root ? { extraRoot: o.root } : {}), ...(o.cpus ? { cpus: o.cpus } : {}) }));
    return bootXen(handoff(o.loads ?? std(), dtb, FDT_ADDR, XEN_ADDR), { ...(o.version ? { xenVersion: o.version } : {}), ...(o.build ? { build: o.build } : {}) });
  };
  const verdicts = (r: XenResult): unknown[] => r.domains.map((d) => [d.name, d.verdict]);
  const panicBox = (text: string): string[] => ['(XEN) ', '(XEN) ****************************************', '(XEN) Panic on CPU 0:', `(XEN) ${text}`, '(XEN) ****************************************'];

  describe('selection from the Xen bytes', () => {
    it('reads Debian 4.20\'s embedded .config from the image U-Boot moved, and says what it modelled', () => {
      const x = plainFile('xen-4.20', syntheticXen(DEBIAN_420_CONFIG, { memberOffset: 0x75ec0, size: 1015816, compatible: 'xen,xen-4.20' }).bytes);
      const r = boot(`${BOOTARGS} ${domU('domU0')}`, { loads: std(x) });
      expect(r.version).to.equal('4.20.5-pre');
      expect(r.build).to.equal('Xen 4.20.5-pre (build: STATIC_MEMORY n, SCHED_NULL n, DEBUG n)');
      // (Debian's gzip made 1121 deflate bytes of it; Node's zlib makes its own stream.)
      expect(r.buildSources).to.equal(`version from embedded .config; options from embedded .config; .config embedded at 0x75ec0 (${gzipN(DEBIAN_420_CONFIG).length - 18} → 3041 bytes)`);
      // 4.18+ behaviour: memory printed with 0x, the INFO lines visible in a release build.
      expect(r.console).to.include('(XEN) *** LOADING DOMU cpus=1 memory=0x40000KB ***');
      expect(r.console).to.include('(XEN) Std. Loglevel: Errors, warnings and info');
      expect(verdicts(r)).to.deep.equal([['domU0', 'up']]);
    });

    it('--xen-version overrides the release, the embedded options stay', () => {
      const x = plainFile('xen-4.20b', syntheticXen(DEBIAN_420_CONFIG, { memberOffset: 0x75ec0 }).bytes);
      const r = boot(`${BOOTARGS} ${domU('domU0')}`, { loads: std(x), version: '4.17' });
      expect(r.build).to.equal('Xen 4.17 (build: STATIC_MEMORY n, SCHED_NULL n, DEBUG n)');
      expect(r.console).to.include('(XEN) *** LOADING DOMU cpus=1 memory=40000KB ***');
    });

    it('a header-only Xen: 4.17 with the release defaults, said to be assumed', () => {
      const r = boot(`${BOOTARGS} ${domU('domU0')}`);
      expect(r.build).to.equal('Xen 4.17 (build assumed: STATIC_MEMORY n, SCHED_NULL n, DEBUG n)');
    });

    it('a Xen 4.22 image is modelled as 4.22 (its embedded .config names it)', () => {
      const x = plainFile('xen-4.22', syntheticXen(kconfig('4.22.0', 'CONFIG_DEBUG=n\n')).bytes);
      const r = boot(`${BOOTARGS} ${domU('domU0')}`, { loads: std(x) });
      expect([r.version, r.build]).to.deep.equal(['4.22.0', 'Xen 4.22.0 (build: STATIC_MEMORY n, SCHED_NULL n, DEBUG n)']);
    });

    it('a Xen 4.23 image is refused with the nearest modelled release as the fix', () => {
      const x = plainFile('xen-4.23', syntheticXen(kconfig('4.23.0', 'CONFIG_DEBUG=n\n')).bytes);
      expect(() => boot(`${BOOTARGS} ${domU('domU0')}`, { loads: std(x) })).to.throw(/Xen version "4.23.0" is not modelled/)
        .with.property('hint', 'the model covers Xen 4.17, 4.18, 4.19, 4.20, 4.21, 4.22; --xen-version 4.22 models the nearest one');
    });
  });

  describe('sched= and the schedulers the build has', () => {
    it('sched=null on a release build: "Could not find scheduler: null", then credit2 (real Debian 4.17/4.20 have no SCHED_NULL)', () => {
      const r = boot(`${BOOTARGS} ${domU('domU0')}`);
      const i = r.console.indexOf('(XEN) Could not find scheduler: null');
      expect(r.console.slice(i, i + 3)).to.deep.equal([
        '(XEN) Could not find scheduler: null',
        "(XEN) Using 'SMP Credit Scheduler rev2' (credit2)",
        '(XEN) Using scheduler: SMP Credit Scheduler rev2 (credit2)',
      ]);
      expect(r.findings).to.include('sched=null: this Xen build has no null scheduler (CONFIG_SCHED_NULL is off), so Xen runs credit2');
      expect(verdicts(r)).to.deep.equal([['domU0', 'up']]);
    });

    it('sched=null on a build with SCHED_NULL: the null scheduler, no fallback', () => {
      const r = boot(`${BOOTARGS} ${domU('domU0')}`, { build: buildOf(FULL) });
      expect(r.console).to.include('(XEN) Using scheduler: null Scheduler (null)');
      expect(r.console.some((l) => l.includes('Could not find scheduler'))).to.equal(false);
    });

    it('no sched=: CONFIG_SCHED_DEFAULT silently', () => {
      const r = boot(`xen,xen-bootargs = "console=dtuart dtuart=/pl011@9000000"; ${domU('domU0')}`);
      expect(r.console.filter((l) => l.includes('cheduler'))).to.deep.equal(['(XEN) Using scheduler: SMP Credit Scheduler rev2 (credit2)']);
    });
  });

  describe('guest device tree size (DOMU_DTB_SIZE)', () => {
    it('4.17: 31 vCPUs fit in 4 KiB (4065 bytes), 32 (4161) and 33 do not: "Device tree generation failed (-3)." then the set-up panic', () => {
      const ok = boot(`${BOOTARGS} ${domU('domU0', { cpus: 31 })}`);
      expect(verdicts(ok)).to.deep.equal([['domU0', 'up']]);
      expect(ok.console).to.include('(XEN) Loading d1 DTB to 0x0000000048000000-0x0000000048000fe1');
      expect(boot(`${BOOTARGS} ${domU('domU0', { cpus: 32 })}`).domains[0]!.reason).to.match(/^Could not set up domain domU0 \(its device tree needs 4161 bytes but Xen 4\.17 writes it into a 4096-byte buffer/);
      const r = boot(`${BOOTARGS} ${domU('domU0', { cpus: 33 })}`);
      expect(verdicts(r)).to.deep.equal([['domU0', 'xen panic']]);
      expect(r.panic).to.equal('Could not set up domain domU0');
      const i = r.console.indexOf('(XEN) Device tree generation failed (-3).');
      expect(i).to.be.greaterThan(0);
      expect(r.console[i - 1]).to.equal('(XEN) Loading ramdisk from boot module @ 0000000042600000');
      expect(r.console.slice(i + 1, i + 6)).to.deep.equal(panicBox('Could not set up domain domU0'));
      expect(r.domains[0]!.reason).to.match(/^Could not set up domain domU0 \(its device tree needs \d+ bytes but Xen 4\.17 writes it into a 4096-byte buffer \(DOMU_DTB_SIZE\) \(33 vCPU nodes\)/);
    });

    it('4.20: the same domain panics with the rc', () => {
      const r = boot(`${BOOTARGS} ${domU('domU0', { cpus: 33 })}`, { version: '4.20' });
      expect(r.panic).to.equal('Could not set up domain domU0 (rc = -22)');
      expect(r.console).to.include('(XEN) Device tree generation failed (-3).');
    });
  });

  describe('early device-tree parse errors', () => {
    const BAD_INITRD = 'linux,initrd-start = [00 01]; linux,initrd-end = <0x0 0x1000>;';
    it('4.17 and 4.18: the scan stops at the failing node and the boot goes on without the rest', () => {
      for (const v of ['4.17', '4.18']) {
        const r = boot(`${BOOTARGS} ${BAD_INITRD} ${domU('domU0')}`, { version: v });
        expect(r.earlyLog).to.include.members(['(XEN) linux,initrd-start property has invalid length 2', "(XEN) fdt: node `chosen': parsing failed"]);
        expect(r.findings).to.include(`/chosen: parsing failed (-22); Xen ${v} stops its early device-tree scan there and boots with the nodes read before it (4.19 and later panic instead)`);
        // The domU's modules were never registered: no domU kernel, so Xen builds dom0 and finds no kernel.
        expect(r.console).to.include('(XEN) Missing kernel boot module?');
        expect(r.panic).to.equal(v === '4.17' ? 'Could not set up DOM0 guest OS' : 'Could not set up DOM0 guest OS (rc = -2)');
      }
    });

    it('4.19 and 4.20: "Early FDT parsing failed", before the console is up', () => {
      const r = boot(`${BOOTARGS} ${BAD_INITRD} ${domU('domU0')}`, { version: '4.19' });
      expect(r.panic).to.equal('Early FDT parsing failed (-22)');
      expect(r.consoleVisible).to.equal(false);
    });

    it('a static shared memory node on a build without STATIC_SHM stops the 4.17 scan before the domain\'s modules', () => {
      const shm = 'shm@50000000 { compatible = "xen,domain-shared-memory-v1"; role = "owner"; xen,shm-id = "my-shm"; xen,shared-mem = <0x0 0x50000000 0x0 0x10000000 0x0 0x1000000>; };';
      const r = boot(`${BOOTARGS} ${domU('domU0', { extra: shm })}`);
      expect(r.earlyLog).to.include.members(['(XEN) CONFIG_STATIC_SHM must be enabled for parsing static shared memory nodes', "(XEN) fdt: node `shm@50000000': parsing failed"]);
      expect(r.console).to.include('(XEN) Missing kernel boot module?');
      expect(r.panic).to.equal('Could not set up DOM0 guest OS');
    });
  });

  describe('static memory and heap', () => {
    const STATIC = 'xen,static-mem = <0x0 0x60000000 0x0 0x10000000>;';
    it('direct-map + xen,static-mem on a build without STATIC_MEMORY: the real 4.17 panic', () => {
      const r = boot(`${BOOTARGS} ${domU('domU0', { extra: `${STATIC} direct-map;`, memKiB: 0x40000 })}`);
      expect(r.panic).to.equal('direct-map is not valid for domain domU0 without static allocation.');
      expect(r.domains[0]!.reason).to.equal('direct-map is not valid for domain domU0 without static allocation. (this Xen build has no CONFIG_STATIC_MEMORY, so xen,static-mem is not static allocation)');
    });

    it('xen,static-mem alone, release build without STATIC_MEMORY: no RAM bank, the memory node cannot be written', () => {
      const r = boot(`${BOOTARGS} ${domU('domU0', { extra: STATIC })}`, { version: '4.20' });
      expect(r.console).to.include('(XEN) Device tree generation failed (-2).');
      expect(r.panic).to.equal('Could not set up domain domU0 (rc = -22)');
      expect(r.domains[0]!.reason).to.match(/xen,static-mem on a Xen built without CONFIG_STATIC_MEMORY: the domain gets no memory/);
    });

    // Real debug builds: Debian's 4.17.5 source and RELEASE-4.22.0, each with CONFIG_DEBUG=y (test/fixtures/transcripts/debug).
    for (const real of [
      { release: '4.17.5', log: 'gen-broken-static-over-module.log', site: 'arch/arm/domain_build.c:1032', where: 'in domain_build.c' },
      { release: '4.22.0', log: 'xen-4.22.0-static-mem.log', site: './include/xen/static-memory.h:36', where: 'inline in a header, named as an in-tree build names it' },
    ]) {
      it(`xen,static-mem alone, debug ${real.release} without STATIC_MEMORY: the assertion the real build fails (the stub ${real.where})`, () => {
        const realLog = fs.readFileSync(fixturePath('transcripts', 'debug', real.log), 'latin1');
        const realPanic = /\(XEN\) Panic on CPU 0:\n\(XEN\) (.*)\n/.exec(realLog)?.[1];
        expect(realPanic).to.equal(`Assertion 'unreachable' failed at ${real.site}`);
        const r = boot(`${BOOTARGS} ${domU('domU0', { extra: STATIC })}`, { build: buildOf(kconfig(real.release, 'CONFIG_DEBUG=y\n# CONFIG_STATIC_MEMORY is not set\n')) });
        expect(r.panic).to.equal(realPanic);
        // printk() first, then the CPU state, then panic() with the same text.
        expect(r.console).to.include(`(XEN) ${realPanic}`);
        expect(realLog.split('\n').filter((l) => l === `(XEN) ${realPanic}`)).to.have.length(2);
      });
    }

    it('the assertion names the stub where each release has it (xen-project/xen RELEASE-4.17.0 … 4.22.0)', () => {
      const debugOf = (v: string): XenBuild => buildOf(kconfig(v, 'CONFIG_DEBUG=y\n# CONFIG_STATIC_MEMORY is not set\n'));
      const panicOn = (v: string): string | undefined => boot(`${BOOTARGS} ${domU('domU0', { extra: STATIC })}`, { build: debugOf(v) }).panic;
      expect(['4.17.0', '4.18.6', '4.19.2', '4.20.4', '4.21.2', '4.22.0'].map(panicOn)).to.deep.equal([
        "Assertion 'unreachable' failed at arch/arm/domain_build.c:1032",
        "Assertion 'unreachable' failed at arch/arm/domain_build.c:1055",
        "Assertion 'unreachable' failed at ./arch/arm/include/asm/static-memory.h:35",
        "Assertion 'unreachable' failed at ./arch/arm/include/asm/static-memory.h:35",
        "Assertion 'unreachable' failed at ./include/xen/static-memory.h:36",
        "Assertion 'unreachable' failed at ./include/xen/static-memory.h:36",
      ]);
    });

    it('xen,static-mem on a STATIC_MEMORY build is accepted', () => {
      const r = boot(`${BOOTARGS} ${domU('domU0', { extra: STATIC })}`, { build: buildOf(FULL) });
      expect(verdicts(r)).to.deep.equal([['domU0', 'up']]);
    });

    it('xen,static-heap: the heap is only those banks, so a domain larger than them cannot be allocated', () => {
      const heap = 'xen,static-heap = <0x0 0x70000000 0x0 0x8000000>;';
      const small = boot(`${BOOTARGS} ${heap} ${domU('domU0', { memKiB: 0x10000 })}`);
      expect(verdicts(small)).to.deep.equal([['domU0', 'up']]);
      expect(small.console.some((l) => l.startsWith('(XEN) Freed '))).to.equal(false);
      const big = boot(`${BOOTARGS} ${heap} ${domU('domU0', { memKiB: 0x40000 })}`);
      expect(big.panic).to.equal('Failed to allocate requested domain memory. 262144KB unallocated. Fix the VMs configurations.');
    });
  });

  // xen/arch/arm/smpboot.c start_secondary(): a CPU whose MIDR differs from the boot CPU's is parked
  // unless hmp-unsafe is given (docs/misc/arm/big.LITTLE.txt). R-Car H3 and RZ/G2M are such boards.
  describe('big.LITTLE: CPUs of another kind than the boot CPU', () => {
    const cpu = (reg: number, core: string): string => `cpu@${reg.toString(16)} { device_type = "cpu"; compatible = "arm,${core}"; reg = <${reg}>; enable-method = "psci"; };`;
    const H3_LIKE = [cpu(0, 'cortex-a57'), cpu(1, 'cortex-a57'), cpu(0x100, 'cortex-a53'), cpu(0x101, 'cortex-a53'), cpu(0x102, 'cortex-a53'), cpu(0x103, 'cortex-a53')].join(' ');
    const dom0 = (args: string): string => `xen,xen-bootargs = "console=dtuart dtuart=/pl011@9000000${args}";
      xen,dom0-bootargs = "console=hvc0 root=/dev/ram0";
      dom0@40400000 { compatible = "xen,linux-zimage", "xen,multiboot-module", "multiboot,module"; reg = <0x0 ${KADDR} 0x0 ${KREG}>; };
      dom0-ramdisk@42600000 { compatible = "xen,linux-initrd", "xen,multiboot-module", "multiboot,module"; reg = <0x0 ${RADDR} 0x0 ${ramdisk.size}>; };`;

    it('parks the other kind: only the boot CPU\'s kind is brought up, and dom0 gets one vCPU per online CPU', () => {
      const r = boot(dom0(' dom0_mem=512M'), { cpus: H3_LIKE });
      expect(r.console).to.include('(XEN) Brought up 2 CPUs');
      expect(r.domains.map((d) => [d.name, d.verdict, d.vcpus])).to.deep.equal([['dom0', 'up', 2]]);
      expect(r.findings).to.include('CPU2, CPU3, CPU4, CPU5 (arm,cortex-a53) are not the boot CPU\'s kind (arm,cortex-a57): Xen parks them ("does not match boot CPU MIDR … disable cpu"), so only 2 of 6 CPUs run domains; add hmp-unsafe=true to XEN_CMD to keep them (Xen is then tainted)');
    });

    it('hmp-unsafe keeps them on (and says Xen is tainted); no-hmp-unsafe and an all-one-kind board park nothing more', () => {
      const r = boot(dom0(' dom0_mem=512M hmp-unsafe=true'), { cpus: H3_LIKE });
      expect(r.console).to.include('(XEN) Brought up 6 CPUs');
      expect(r.domains[0]!.vcpus).to.equal(6);
      expect(r.findings.some((f) => f.includes('hmp-unsafe keeps them on and taints Xen'))).to.equal(true);
      expect(boot(dom0(' dom0_mem=512M hmp-unsafe no-hmp-unsafe'), { cpus: H3_LIKE }).console).to.include('(XEN) Brought up 2 CPUs');
      const plain = boot(dom0(' dom0_mem=512M'));
      expect(plain.console).to.include('(XEN) Brought up 4 CPUs');
      expect(plain.findings.some((f) => f.includes('boot CPU'))).to.equal(false);
    });

    it('maxcpus= counts first: dom0 gets the CPUs brought up, not those the DT lists', () => {
      const r = boot(dom0(' dom0_mem=512M maxcpus=3'));
      expect(r.console).to.include('(XEN) Brought up 3 CPUs');
      expect(r.domains[0]!.vcpus).to.equal(3);
    });
  });

  // Real Debian trixie Xen 4.20.5-pre + U-Boot 2025.01 (lab differential, gen-dom0-domu-shared-kernel):
  // "Xen dom0less mode detected", "*** LOADING DOMU cpus=1 memory=0x40000KB ***", then this panic.
  describe('dom0 and a domU given one copy of the kernel and ramdisk (mknod puts the domU first in /chosen)', () => {
    const shared = (): string => `${'xen,xen-bootargs = "console=dtuart dtuart=/pl011@9000000 dom0_mem=512M";'}
      xen,dom0-bootargs = "console=hvc0 root=/dev/ram0";
      ${domU('domU0', { extra: 'xen,enhanced = "enabled";' })}
      dom0-ramdisk@42600000 { compatible = "xen,linux-initrd", "xen,multiboot-module", "multiboot,module"; reg = <0x0 ${RADDR} 0x0 0x127>; };
      dom0@40400000 { compatible = "xen,linux-zimage", "xen,multiboot-module", "multiboot,module"; reg = <0x0 ${KADDR} 0x0 ${KREG}>; };`;
    it('4.20: dom0\'s nodes overlap the domU\'s and are dropped, no dom0, the xenstore panic', () => {
      const r = boot(shared(), { version: '4.20' });
      expect(r.earlyLog).to.include.members([
        `(XEN) Region: [0x00000042600000, 0x${(RADDR + 0x127).toString(16).padStart(14, '0')}) overlapping with mod[3]: [0x00000042600000, 0x${(RADDR + ramdisk.size).toString(16).padStart(14, '0')})`,
      ]);
      const i = r.console.indexOf('(XEN) Xen dom0less mode detected');
      expect(r.console.slice(i, i + 6)).to.deep.equal(['(XEN) Xen dom0less mode detected', '(XEN) *** LOADING DOMU cpus=1 memory=0x40000KB ***',
        ...panicBox('At the moment, Xenstore support requires dom0 to be present').slice(0, 4)]);
      expect(verdicts(r)).to.deep.equal([['domU0', 'xen panic']]);
    });
    // Real trixie Xen 4.20.5-pre (lab differential, gen-dom0less-2domus): two domUs naming one kernel and
    // ramdisk copy both print "Loading dN kernel from boot module @ 0000000040400000" and come up.
    it('4.20: two domUs given one copy both come up; the duplicate nodes are dropped and found by address', () => {
      const r = boot(`xen,xen-bootargs = "console=dtuart dtuart=/pl011@9000000"; ${domU('domU1', { cpus: 2 })} ${domU('domU0')}`, { version: '4.20' });
      expect(verdicts(r)).to.deep.equal([['domU1', 'up'], ['domU0', 'up']]);
      expect(r.console.filter((l) => l.includes('kernel from boot module'))).to.deep.equal([
        '(XEN) Loading d1 kernel from boot module @ 0000000040400000', '(XEN) Loading d2 kernel from boot module @ 0000000040400000']);
      expect(r.findings[0]).to.match(/^module \/chosen\/domU0\/module@40400000 names the copy already registered at 0x40400000: Xen 4\.20 drops the duplicate node \(Region: .*\), and the domain finds the copy by address$/);
    });

    it('4.17: the dom0 nodes merge into the registered modules and clear their domU flag: both up', () => {
      const r = boot(shared());
      expect(verdicts(r)).to.deep.equal([['dom0', 'up'], ['domU0', 'up']]);
    });
  });

  it('xen,domain-p2m-mem-mb is read by 4.17 too: a pool larger than RAM fails before the LOADING line', () => {
    const r = boot(`${BOOTARGS} ${domU('domU0', { extra: 'xen,domain-p2m-mem-mb = <4096>;' })}`);
    expect(r.panic).to.equal('Could not set up domain domU0');
    expect(r.console.some((l) => l.includes('LOADING DOMU'))).to.equal(false);
    expect(r.domains[0]!.reason).to.equal('Could not set up domain domU0 (not enough free memory for the 4096 MiB P2M pool)');
  });
});
