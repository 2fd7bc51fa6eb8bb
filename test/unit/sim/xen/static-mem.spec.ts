// Static memory, static shared memory and static event channels on a Xen built with
// CONFIG_STATIC_MEMORY and CONFIG_STATIC_SHM (src/sim/xen/static-mem.ts). Messages are Xen's own
// (xen-project/xen RELEASE-4.17.0 domain_build.c / bootfdt.c, RELEASE-4.20.0 static-memory.c).
import { expect } from 'chai';
import { bootXen, type XenResult } from '../../../../src/sim/xen/index.js';
import { parseXenKconfig, resolveXenBuild, type XenBuild } from '../../../../src/xen-build/index.js';
import {
  domUNode, dtc, FDT_ADDR, handoff, KADDR, KREG, type Load, RADDR, suiteBinaries, type TestFile, virtDts, XEN_ADDR,
} from './helpers.js';

const BOOTARGS = 'xen,xen-bootargs = "console=dtuart dtuart=/pl011@9000000";';
const kconfig = (version: string): string => `#\n# Automatically generated file; DO NOT EDIT.\n# Xen/arm ${version} Configuration\n#\nCONFIG_STATIC_MEMORY=y\nCONFIG_STATIC_SHM=y\nCONFIG_STATIC_EVTCHN=y\nCONFIG_SCHED_CREDIT2=y\nCONFIG_SCHED_DEFAULT="credit2"\nCONFIG_SBSA_VUART_CONSOLE=y\n`;
const full = (version: string): XenBuild => resolveXenBuild({ configFile: { kconfig: parseXenKconfig(kconfig(version), 'full.config'), name: 'full.config' } });

describe('sim → xen → static-mem', function () {
  let image: TestFile;
  let ramdisk: TestFile;
  let xen: TestFile;
  before(function () { ({ image, ramdisk, xen } = suiteBinaries(this)); });
  const loads = (): Load[] => [{ addr: KADDR, file: image }, { addr: RADDR, file: ramdisk }, { addr: XEN_ADDR, file: xen }];
  const domU = (name: string, extra = '', memKiB = 0x40000): string =>
    domUNode(name, { memKiB, cpus: 1, kernel: [KADDR, KREG], ramdisk: [RADDR, ramdisk.size], bootargs: 'console=ttyAMA0', extra });
  const boot = (chosen: string, version = '4.20.0'): XenResult =>
    bootXen(handoff(loads(), dtc(virtDts(`#address-cells = <0x2>; #size-cells = <0x2>; ${BOOTARGS} ${chosen}`)), FDT_ADDR, XEN_ADDR), { build: full(version) });
  const verdicts = (r: XenResult): unknown[] => r.domains.map((d) => [d.name, d.verdict]);
  const STATIC = 'xen,static-mem = <0x0 0x60000000 0x0 0x10000000>;';

  describe('allocate_static_memory() (not direct-mapped)', () => {
    it('maps the host bank at GUEST_RAM0 and loads the kernel there', () => {
      const r = boot(domU('domU0', STATIC));
      expect(verdicts(r)).to.deep.equal([['domU0', 'up']]);
      expect(r.console).to.include('(XEN) d1: STATIC BANK[0] 0x00000060000000-0x00000070000000');
      expect(r.console).to.include('(XEN) Loading zImage from 0000000040400000 to 0000000040000000-0000000042010000');
      expect(r.console.some((l) => l.includes('Allocating mappings totalling'))).to.equal(false);
    });

    it('memory that differs from the banks\' sum: the error line and the panic', () => {
      const r = boot(domU('domU0', STATIC, 0x20000));
      expect(r.console).to.include('(XEN) Size of "memory" property doesn\'t match up with the sum-up of "xen,static-mem". Unsupported configuration.');
      expect(r.panic).to.equal('Failed to allocate requested static memory for domain d1.');
      expect(verdicts(r)).to.deep.equal([['domU0', 'xen panic']]);
    });

    it('two domains on one static bank: 4.17 registers both, the second cannot acquire its pages', () => {
      const r = boot(`${domU('domU1', STATIC)} ${domU('domU0', STATIC)}`, '4.17.7');
      expect(r.console).to.include('(XEN) d2: failed to acquire static memory: -2.');
      expect(r.panic).to.equal('Failed to allocate requested static memory for domain d2.');
      expect(verdicts(r)).to.deep.equal([['domU1', 'not started'], ['domU0', 'xen panic']]);
    });

    it('two domains on one static bank: 4.18+ refuses the second bank in the early scan', () => {
      const r = boot(`${domU('domU1', STATIC)} ${domU('domU0', STATIC)}`);
      expect(r.earlyLog).to.include.members(['(XEN) Region: [0x00000060000000, 0x00000070000000) overlapping with bank[0]: [0x00000060000000, 0x00000070000000)', "(XEN) fdt: node `domU0': parsing failed"]);
      expect(r.panic).to.equal('Early FDT parsing failed (-22)');
    });

    it('4.17 release build: the STATIC BANK lines are XENLOG_INFO, so they are not printed', () => {
      const r = boot(domU('domU0', 'xen,static-mem = <0x0 0x60000000 0x0 0x10000000>;', 0x40000), '4.17.7');
      expect(r.console.filter((l) => l.includes('STATIC BANK'))).to.deep.equal([]); // XENLOG_INFO: hidden in a 4.17 release build
      expect(verdicts(r)).to.deep.equal([['domU0', 'up']]);
    });
  });

  describe('a build without STATIC_MEMORY whose tree has Xen e888192d13 (Debian trixie 4.20.4+63)', () => {
    it('refuses xen,static-mem in the early scan: the real trixie boot is silent', () => {
      const noStatic = { ...resolveXenBuild({ configFile: { kconfig: parseXenKconfig(kconfig('4.20.4').replace('CONFIG_STATIC_MEMORY=y\n', ''), 'c'), name: 'c' } }), rejectsStaticMemAtParse: true };
      const r = bootXen(handoff(loads(), dtc(virtDts(`#address-cells = <0x2>; #size-cells = <0x2>; ${BOOTARGS} ${domU('domU0', `${STATIC} direct-map;`)}`)), FDT_ADDR, XEN_ADDR), { build: noStatic });
      expect(r.earlyLog).to.include.members(['(XEN) CONFIG_STATIC_MEMORY must be enabled for parsing xen,static-mem', "(XEN) fdt: node `domU0': parsing failed"]);
      expect(r.panic).to.equal('Early FDT parsing failed (-22)');
      expect(verdicts(r)).to.deep.equal([['domU0', 'silent hang']]);
    });
  });

  describe('assign_static_memory_11() (direct-map)', () => {
    it('the guest RAM is the host bank: the kernel is copied into it 1:1', () => {
      const r = boot(domU('domU0', `${STATIC} direct-map;`));
      expect(verdicts(r)).to.deep.equal([['domU0', 'up']]);
      expect(r.console).to.include('(XEN) Loading zImage from 0000000040400000 to 0000000060000000-0000000062010000');
    });

    it('memory that differs from the banks\' sum: Xen\'s direct-map texts', () => {
      const r = boot(domU('domU0', `${STATIC} direct-map;`, 0x80000));
      expect(r.console).to.include('(XEN) Size of "memory" property doesn\'t match up with the sum-up of "xen,static-mem".');
      expect(r.panic).to.equal('Failed to assign requested static memory for direct-map domain d1.');
    });
  });

  describe('static shared memory (CONFIG_STATIC_SHM)', () => {
    const shm = (id: string, host = 0x50000000): string =>
      `shared-mem@0x${host.toString(16)} { compatible = "xen,domain-shared-memory-v1"; xen,shm-id = "${id}"; xen,shared-mem = <${Math.floor(host / 2 ** 32)} ${host % 2 ** 32} 0x0 0x4000000 0x0 0x10000000>; };`;

    it('two domUs share a region: DOMID_IO owns it, both come up', () => {
      const r = boot(`${domU('domU1', shm('my-shared-mem-0'))} ${domU('domU0', shm('my-shared-mem-0'))}`);
      expect(verdicts(r)).to.deep.equal([['domU1', 'up'], ['domU0', 'up']]);
      expect(r.console.filter((l) => l.includes('static shared memory BANK'))).to.deep.equal(['(XEN) d[IO]: allocate static shared memory BANK 0x00000050000000-0x00000060000000.']);
    });

    it('the same region under two IDs is refused by the early scan (4.20: a panic before the console)', () => {
      const r = boot(`${domU('domU1', shm('a'))} ${domU('domU0', shm('b'))}`);
      expect(r.earlyLog).to.include('(XEN) fdt: xen,shm-id b does not match for all the nodes using the same region.');
      expect(r.panic).to.equal('Early FDT parsing failed (-22)');
    });

    it('4.17 needs the host address: without it the scan stops at the node', () => {
      const noHost = 'shm { compatible = "xen,domain-shared-memory-v1"; xen,shm-id = "x"; xen,shared-mem = <0x0 0x4000000 0x0 0x10000000>; };';
      const r = boot(domU('domU0', noHost), '4.17.7');
      expect(r.earlyLog).to.include.members(['(XEN) fdt: host physical address must be chosen by users at the moment.', '(XEN) fdt: invalid `xen,shared-mem` property.']);
    });

    it('a region outside RAM: "invalid physical address" and the domain is not set up', () => {
      const r = boot(domU('domU0', shm('far', 0x100000000)));
      expect(r.console).to.include('(XEN) d1: invalid physical address 0x100000');
      expect(r.panic).to.equal('Could not set up domain domU0 (rc = -22)');
    });
  });

  describe('alloc_static_evtchn()', () => {
    const ev = (port: number, ph: number, peer: number): string =>
      `evtchn@${port} { phandle = <${ph}>; compatible = "xen,evtchn-v1"; xen,evtchn = <${port} ${peer}>; };`;
    it('a channel defined on both sides binds, every domain comes up', () => {
      const r = boot(`${domU('domU1', ev(11, 0xfffffffd, 0xfffffffe))} ${domU('domU0', ev(10, 0xfffffffe, 0xfffffffd))}`);
      expect(verdicts(r)).to.deep.equal([['domU1', 'up'], ['domU0', 'up']]);
    });

    it('a peer phandle no node has: "could not find remote evtchn phandle" and the panic, once every domain is built', () => {
      const r = boot(`${domU('domU1', ev(11, 0xfffffffd, 0xfffffff0))} ${domU('domU0', ev(10, 0xfffffffe, 0xfffffffd))}`);
      expect(r.console).to.include('(XEN) evtchn: could not find remote evtchn phandle');
      expect(r.panic).to.equal('Could not set up domains evtchn');
      expect(verdicts(r)).to.deep.equal([['domU1', 'xen panic'], ['domU0', 'xen panic']]);
    });

    it('4.20 built without STATIC_EVTCHN ignores the nodes: a broken channel does not stop the boot', () => {
      const noEvtchn = resolveXenBuild({ configFile: { kconfig: parseXenKconfig(kconfig('4.20.0').replace('CONFIG_STATIC_EVTCHN=y', '# CONFIG_STATIC_EVTCHN is not set'), 'c'), name: 'c' } });
      const chosen = `${BOOTARGS} ${domU('domU1', ev(11, 0xfffffffd, 0xfffffff0))} ${domU('domU0', ev(10, 0xfffffffe, 0xfffffffd))}`;
      const r = bootXen(handoff(loads(), dtc(virtDts(`#address-cells = <0x2>; #size-cells = <0x2>; ${chosen}`)), FDT_ADDR, XEN_ADDR), { build: noEvtchn });
      expect(verdicts(r)).to.deep.equal([['domU1', 'up'], ['domU0', 'up']]);
    });

    it('a peer that points elsewhere: "xen,evtchn property is not setup correctly."', () => {
      const r = boot(`${domU('domU1', ev(11, 0xfffffffd, 0xfffffffc))} ${domU('domU0', `${ev(10, 0xfffffffe, 0xfffffffd)} ${ev(12, 0xfffffffc, 0xfffffffb)}`)}`);
      expect(r.console).to.include('(XEN) xen,evtchn property is not setup correctly.');
      expect(r.panic).to.equal('Could not set up domains evtchn');
    });
  });
});
