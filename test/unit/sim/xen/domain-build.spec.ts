// What Xen 4.21 and 4.22 decide differently when they build dom0 and the dom0less domUs
// (src/sim/xen/domain-build.ts). Messages are Xen's own, at RELEASE-4.21.2 and RELEASE-4.22.0:
// xen/common/device-tree/dom0less-bindings.c (capabilities, hardware domain),
// xen/common/device-tree/dom0less-build.c (xen,enhanced, xenstore, DOMU_DTB_SIZE),
// xen/arch/arm/dom0less-build.c (xen,sci_type, v8r_el1_msa, trap-unmapped-accesses),
// xen/arch/arm/domain_build.c (dom0's panic and 1:1 allocation lines).
import { expect } from 'chai';
import { bootXen, type XenResult } from '../../../../src/sim/xen/index.js';
import { parseXenKconfig, resolveXenBuild, type XenBuild } from '../../../../src/xen-build/index.js';
import {
  domUNode, dtc, FDT_ADDR, handoff, KADDR, KREG, type Load, RADDR, suiteBinaries, type TestFile, virtDts, XEN_ADDR,
} from './helpers.js';

const BOOTARGS = 'xen,xen-bootargs = "console=dtuart dtuart=/pl011@9000000";';
const kconfig = (version: string): string => `#\n# Automatically generated file; DO NOT EDIT.\n# Xen/arm ${version} Configuration\n#\n`
  + 'CONFIG_SCHED_CREDIT=y\nCONFIG_SCHED_CREDIT2=y\nCONFIG_SCHED_DEFAULT="credit2"\nCONFIG_SBSA_VUART_CONSOLE=y\nCONFIG_GRANT_TABLE=y\nCONFIG_SCMI_SMC=y\n# CONFIG_DEBUG is not set\n';
const buildOf = (version: string): XenBuild => resolveXenBuild({ configFile: { kconfig: parseXenKconfig(kconfig(version), 'test.config'), name: 'test.config' } });
const RULE = '****************************************';

describe('sim → xen → domain build, Xen 4.21 and 4.22', function () {
  let image: TestFile;
  let ramdisk: TestFile;
  let xen: TestFile;
  before(function () { ({ image, ramdisk, xen } = suiteBinaries(this)); });
  const std = (): Load[] => [{ addr: KADDR, file: image }, { addr: RADDR, file: ramdisk }, { addr: XEN_ADDR, file: xen }];
  const domU = (name: string, extra = '', cpus = 1): string =>
    domUNode(name, { memKiB: 0x40000, cpus, kernel: [KADDR, KREG], ramdisk: [RADDR, ramdisk.size], bootargs: 'console=ttyAMA0', extra });
  const boot = (version: string, chosen: string): XenResult => {
    const dtb = dtc(virtDts(`#address-cells = <0x2>; #size-cells = <0x2>; ${BOOTARGS} ${chosen}`));
    return bootXen(handoff(std(), dtb, FDT_ADDR, XEN_ADDR), { build: buildOf(version) });
  };
  const verdicts = (r: XenResult): unknown[] => r.domains.map((d) => [d.name, d.domid, d.verdict, d.message ?? '']);
  const loading = (r: XenResult): string[] => r.console.filter((l) => l.startsWith('(XEN) *** LOADING'));

  describe('xen,enhanced and the xenstore domain', () => {
    it('4.20: an enhanced domU without dom0 panics at once, before the next domU is built', () => {
      const r = boot('4.20.4', `${domU('domU1')} ${domU('domU0', 'xen,enhanced = "enabled";')}`);
      expect(r.panic).to.equal('At the moment, Xenstore support requires dom0 to be present');
      expect(loading(r)).to.have.length(2);
    });

    it('4.21 and 4.22: every domU is built, then "xenstore requested, but xenstore domain not present" stops them all', () => {
      for (const v of ['4.21.2', '4.22.0']) {
        const r = boot(v, `${domU('domU1', 'xen,enhanced = "enabled";')} ${domU('domU0')}`);
        expect(loading(r)).to.deep.equal(['(XEN) *** LOADING DOMU cpus=1 memory=0x40000KB ***', '(XEN) *** LOADING DOMU cpus=1 memory=0x40000KB ***']);
        expect(r.console.slice(-7)).to.deep.equal([
          '(XEN) ', `(XEN) ${RULE}`, '(XEN) Panic on CPU 0:', '(XEN) xenstore requested, but xenstore domain not present', `(XEN) ${RULE}`, '(XEN) ', '(XEN) Reboot in five seconds...',
        ]);
        const msg = 'xenstore requested, but xenstore domain not present';
        expect(verdicts(r)).to.deep.equal([['domU1', 1, 'xen panic', msg], ['domU0', 2, 'xen panic', msg]]);
      }
    });

    it('4.21: "legacy" wants xenstore too (older releases take it as an unknown value and give no PV interfaces)', () => {
      expect(boot('4.21.2', domU('domU0', 'xen,enhanced = "legacy";')).panic).to.equal('xenstore requested, but xenstore domain not present');
      const old = boot('4.20.4', domU('domU0', 'xen,enhanced = "legacy";'));
      expect(old.panic).to.equal(undefined);
      expect(old.findings).to.include('/chosen/domU0: xen,enhanced "legacy" is read from Xen 4.21; Xen 4.20.4 takes it as an unknown value and gives the domain no PV interfaces (no hypervisor node, no xenstore)');
    });

    it('4.21: a domU with the xenstore capability serves the enhanced domUs; "no-xenstore" wants none', () => {
      const r = boot('4.21.2', `${domU('domU1', 'xen,enhanced = "enabled";')} ${domU('domU0', 'capabilities = <4>;')}`);
      expect(r.panic).to.equal(undefined);
      expect(verdicts(r)).to.deep.equal([['domU1', 1, 'up', ''], ['domU0', 2, 'up', '']]);
      expect(boot('4.21.2', domU('domU0', 'xen,enhanced = "no-xenstore";')).panic).to.equal(undefined);
    });

    it('4.21: a second xenstore domain panics; the message has no newline, so it runs into the closing rule', () => {
      const r = boot('4.21.2', `${domU('domU1', 'capabilities = <4>;')} ${domU('domU0', 'capabilities = <4>;')}`);
      expect(r.panic).to.equal('Only 1 xenstore domain can be specified! (1)');
      expect(r.console.slice(-4)).to.deep.equal(['(XEN) Panic on CPU 0:', `(XEN) Only 1 xenstore domain can be specified! (1)${RULE}`, '(XEN) ', '(XEN) Reboot in five seconds...']);
    });
  });

  describe('capabilities: a hardware domain from a domU node', () => {
    it('4.21: refused on a board without an IOMMU unless direct-mapped, and with passthrough', () => {
      expect(boot('4.21.2', domU('domU0', 'capabilities = <2>;')).panic).to.equal('non-direct mapped hardware domain requires iommu');
      expect(boot('4.21.2', domU('domU0', 'capabilities = <2>; passthrough = "enabled";')).panic).to.equal("Don't specify passthrough for hardware domain");
      const r = boot('4.21.2', domU('domU0', 'capabilities = <2>;'));
      expect(r.domains[0]!.reason).to.equal('non-direct mapped hardware domain requires iommu (a hardware domain that is not direct-mapped needs an IOMMU, and the board has none)');
    });

    it('4.20 does not read capabilities: the same node is a plain domU', () => {
      const r = boot('4.20.4', domU('domU0', 'capabilities = <2>;'));
      expect(r.panic).to.equal(undefined);
      expect(r.findings).to.include('/chosen/domU0: capabilities = 2 is not read by Xen 4.20 (4.21+): the domain is a plain domU');
    });
  });

  describe('properties the arch code reads from 4.21 (and 4.22)', () => {
    it('trap-unmapped-accesses: 0 and 1 pass, 2 panics with the message run into the rule; 4.20 ignores it', () => {
      expect(boot('4.21.2', domU('domU0', 'trap-unmapped-accesses = <0>;')).panic).to.equal(undefined);
      const r = boot('4.21.2', domU('domU0', 'trap-unmapped-accesses = <2>;'));
      expect(r.panic).to.equal('trap-unmapped-accesses: supported values are 0 or 1');
      expect(r.console).to.include(`(XEN) trap-unmapped-accesses: supported values are 0 or 1${RULE}`);
      expect(boot('4.20.4', domU('domU0', 'trap-unmapped-accesses = <2>;')).panic).to.equal(undefined);
    });

    it('xen,sci_type: "none" and "scmi_smc" (CONFIG_SCMI_SMC) pass; any other value is refused', () => {
      expect(boot('4.21.2', domU('domU0', 'xen,sci_type = "scmi_smc";')).panic).to.equal(undefined);
      const r = boot('4.21.2', domU('domU0', 'xen,sci_type = "scmi";'));
      expect(r.console.slice(-8, -6)).to.deep.equal(['(XEN) xen,sci_type in not valid (scmi) for domain domU0', '(XEN) ']);
      expect(r.panic).to.equal('Error getting SCI configuration');
      expect(boot('4.20.4', domU('domU0', 'xen,sci_type = "scmi";')).panic).to.equal(undefined);
    });

    it('v8r_el1_msa: 4.22 refuses it on an Armv8-A build whatever its value; 4.21 does not read it', () => {
      const r = boot('4.22.0', domU('domU0', 'v8r_el1_msa = "mmu";'));
      expect(r.console).to.include('(XEN) v8r_el1_msa not supported on this build for domain /chosen/domU0');
      expect(r.panic).to.equal('Error getting v8r_el1_msa configuration');
      expect(boot('4.21.2', domU('domU0', 'v8r_el1_msa = "mmu";')).panic).to.equal(undefined);
    });

    it('sve on a build without CONFIG_ARM64_SVE panics from 4.18', () => {
      expect(boot('4.21.2', domU('domU0', 'sve;')).panic).to.equal("'sve' property found, but CONFIG_ARM64_SVE not selected");
      expect(boot('4.17.7', domU('domU0', 'sve;')).panic).to.equal(undefined);
    });
  });

  describe('guest device tree size (DOMU_DTB_SIZE)', () => {
    it('33 vCPUs: 4.21 overflows its 4 KiB buffer in the psci node, written last (so -EINVAL), 4.22 (2048 + 128 x 128 bytes) builds the domain', () => {
      const r21 = boot('4.21.2', domU('domU0', '', 33));
      expect(r21.console).to.include('(XEN) Device tree generation failed (-22).');
      expect(boot('4.20.4', domU('domU0', '', 33)).console).to.include('(XEN) Device tree generation failed (-3).');
      expect(r21.panic).to.equal('Could not set up domain domU0 (rc = -22)');
      const r22 = boot('4.22.0', domU('domU0', '', 33));
      expect(r22.panic).to.equal(undefined);
      expect(verdicts(r22)).to.deep.equal([['domU0', 1, 'up', '']]);
    });
  });

  describe('dom0', () => {
    it('4.21 names dom0 "d0" in its set-up panic; 4.22 also in the 1:1 allocation line', () => {
      const noKernel = 'module@50000000 { compatible = "multiboot,ramdisk", "multiboot,module"; reg = <0x0 0x42600000 0x0 0x1000>; };';
      const dom0Mem = 'xen,xen-bootargs = "console=dtuart dtuart=/pl011@9000000 dom0_mem=256M";';
      const at = (version: string, chosen: string): XenResult => bootXen(handoff(std(), dtc(virtDts(`#address-cells = <0x2>; #size-cells = <0x2>; ${chosen}`)), FDT_ADDR, XEN_ADDR), { build: buildOf(version) });
      expect(at('4.21.2', `${dom0Mem} ${noKernel}`).panic).to.equal('Could not set up d0 guest OS (rc = -2)');
      expect(at('4.20.4', `${dom0Mem} ${noKernel}`).panic).to.equal('Could not set up DOM0 guest OS (rc = -2)');
      const dom0 = `${dom0Mem} module@40400000 { compatible = "multiboot,kernel", "multiboot,module"; reg = <0x0 ${KADDR} 0x0 ${KREG}>; };`;
      expect(at('4.22.0', dom0).console).to.include('(XEN) Allocating 1:1 mappings totalling 256MB for d0:');
      expect(at('4.21.2', dom0).console).to.include('(XEN) Allocating 1:1 mappings totalling 256MB for dom0:');
    });
  });
});
