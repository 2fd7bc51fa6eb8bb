// Verdicts and exact Xen messages for the ways a dom0less hand-off goes wrong.
import { expect } from 'chai';
import * as fs from 'node:fs';
import { bootXen } from '../../../../src/sim/xen/index.js';
import type { XenResult } from '../../../../src/sim/xen/index.js';
import {
  arm64Image, domUNode, dtc, FDT_ADDR, gzipImage, handoff, KADDR, KREG, type Load, plainFile, RADDR, sparseFile, suiteBinaries, type TestFile, virtDts, XEN_ADDR,
} from './helpers.js';


describe('sim → xen → scenarios', function () {
  let image: TestFile;
  let ramdisk: TestFile;
  let xen: TestFile;
  before(function () { ({ image, ramdisk, xen } = suiteBinaries(this)); });

  const std = (): Load[] => [{ addr: KADDR, file: image }, { addr: RADDR, file: ramdisk }, { addr: XEN_ADDR, file: xen }];
  const domU = (name: string, extra: Partial<Parameters<typeof domUNode>[1]> = {}): string =>
    domUNode(name, { memKiB: 0x40000, cpus: 1, kernel: [KADDR, KREG], ramdisk: [RADDR, ramdisk.size], bootargs: 'console=ttyAMA0', ...extra });
  const boot = (chosen: string, o: { loads?: Load[]; version?: string; fdtAddr?: number; dtcArgs?: string[]; extraRoot?: string } = {}): XenResult => {
    const dtb = dtc(virtDts(`#address-cells = <0x2>; #size-cells = <0x2>; ${chosen}`, o.extraRoot ? { extraRoot: o.extraRoot } : {}), o.dtcArgs ?? []);
    return bootXen(handoff(o.loads ?? std(), dtb, o.fdtAddr ?? FDT_ADDR, XEN_ADDR), o.version ? { xenVersion: o.version } : {});
  };
  const BOOTARGS = 'xen,xen-bootargs = "console=dtuart dtuart=/pl011@9000000";';
  const verdicts = (r: XenResult): unknown[] => r.domains.map((d) => [d.name, d.verdict]);
  const after = (r: XenResult, first: string): string[] => r.console.slice(r.console.findIndex((l) => l.startsWith(first)));

  it('good dom0 + 2 domUs: dom0 1:1, domids 0,1,2, all up', function () {
    const dom0k = arm64Image('dom0-Image', 0x1000000, 0x1200000);
    const r = boot(`xen,xen-bootargs = "console=dtuart dtuart=/pl011@9000000 dom0_mem=1G";
      module@44000000 { compatible = "multiboot,kernel", "multiboot,module"; reg = <0x0 0x44000000 0x0 0x1200000>; bootargs = "console=hvc0 root=/dev/vda rw"; };
      ${domU('domU1')} ${domU('domU0', { cpus: 2 })}`, { loads: [...std(), { addr: 0x44000000, file: dom0k }] });
    expect(verdicts(r)).to.deep.equal([['dom0', 'up'], ['domU1', 'up'], ['domU0', 'up']]);
    expect(r.domains.map((d) => d.domid)).to.deep.equal([0, 1, 2]);
    expect(r.domains[0]!.memoryKiB).to.equal(1024 * 1024);
    expect(r.console).to.include.members([
      '(XEN) *** LOADING DOMAIN 0 ***',
      '(XEN) Loading d0 kernel from boot module @ 0000000044000000',
      '(XEN) Allocating 1:1 mappings totalling 1024MB for dom0:',
      '(XEN) *** LOADING DOMU cpus=1 memory=40000KB ***',
      '(XEN) Loading d1 kernel from boot module @ 0000000040400000',
      '(XEN) *** LOADING DOMU cpus=2 memory=40000KB ***',
      '(XEN) Freed 348kB init memory.',
    ]);
    expect(r.console.some((l) => l.includes('PLEASE SPECIFY dom0_mem'))).to.equal(false);
  });

  it('dom0 without dom0_mem: 512M and the warning box before the serial-input line', function () {
    const dom0k = arm64Image('dom0-Image', 0x1000000, 0x1200000);
    const r = boot(`${BOOTARGS} module@44000000 { compatible = "multiboot,kernel", "multiboot,module"; reg = <0x0 0x44000000 0x0 0x1200000>; bootargs = "console=hvc0 root=/dev/vda"; };`,
      { loads: [...std(), { addr: 0x44000000, file: dom0k }] });
    expect(verdicts(r)).to.deep.equal([['dom0', 'up']]);
    expect(after(r, '(XEN) Guest Loglevel')).to.deep.equal([
      '(XEN) Guest Loglevel: Nothing (Rate-limited: Errors and warnings)',
      '(XEN) ***************************************************',
      '(XEN) PLEASE SPECIFY dom0_mem PARAMETER - USING 512M FOR NOW',
      '(XEN) ***************************************************',
      '(XEN) 3... 2... 1... ',
      "(XEN) *** Serial input to DOM0 (type 'CTRL-a' three times to switch input)",
      '(XEN) Freed 348kB init memory.',
    ]);
  });

  it('true dom0less on 4.18: 0x-prefixed memory, INFO lines, shared kernel re-registration dropped yet found', function () {
    const r = boot(`${BOOTARGS} ${domU('domU1')} ${domU('domU0')}`, { version: '4.18' });
    expect(verdicts(r)).to.deep.equal([['domU1', 'up'], ['domU0', 'up']]);
    expect(after(r, '(XEN) *** LOADING DOMU').slice(0, 7)).to.deep.equal([
      '(XEN) *** LOADING DOMU cpus=1 memory=0x40000KB ***',
      '(XEN) Loading d1 kernel from boot module @ 0000000040400000',
      '(XEN) Loading ramdisk from boot module @ 0000000042600000',
      '(XEN) Allocating mappings totalling 256MB for d1:',
      '(XEN) d1 BANK[0] 0x00000040000000-0x00000050000000 (256MB)',
      '(XEN) Loading zImage from 0000000040400000 to 0000000040000000-0000000042010000',
      `(XEN) Loading d1 initrd from 0000000042600000 to 0x0000000048200000-0x${(0x48200000 + ramdisk.size).toString(16).padStart(16, '0')}`,
    ]);
    expect(r.console).to.include('(XEN) Std. Loglevel: Errors, warnings and info');
    expect(r.earlyLog).to.include('(XEN) Region: [0x00000040400000, 0x00000042410000) overlapping with mod[2]: [0x00000040400000, 0x00000042410000)');
  });

  it('memory as one cell: "cannot read memory" then the 4.17 panic; the other domain is not started', function () {
    const r = boot(`${BOOTARGS} ${domU('domU1', { memKiB: '<0x40000>' })} ${domU('domU0')}`);
    expect(after(r, '(XEN) Error building')).to.deep.equal([
      '(XEN) Error building DomU: cannot read "memory" property',
      '(XEN) ',
      '(XEN) ****************************************',
      '(XEN) Panic on CPU 0:',
      '(XEN) Could not set up domain domU1',
      '(XEN) ****************************************',
      '(XEN) ',
      '(XEN) Reboot in five seconds...',
    ]);
    expect(r.panic).to.equal('Could not set up domain domU1');
    expect(r.domains.map((d) => [d.name, d.verdict, d.message])).to.deep.equal([
      ['domU1', 'xen panic', 'Could not set up domain domU1'], ['domU0', 'not started', undefined],
    ]);
    expect(r.domains[1]!.reason).to.equal('Xen panicked while building domU1');
  });

  it('memory as one cell on 4.18: the panic carries (rc = -22)', function () {
    const r = boot(`${BOOTARGS} ${domU('domU1', { memKiB: '<0x40000>' })}`, { version: '4.18' });
    expect(r.panic).to.equal('Could not set up domain domU1 (rc = -22)');
  });

  it('kernel reg shorter than the file: Xen starts the domain, the guest gets a truncated kernel', function () {
    const r = boot(`${BOOTARGS} ${domU('domU1', { kernel: [KADDR, 0x1000000] })}`);
    expect(r.domains[0]).to.include({ verdict: 'guest fails', reason: 'kernel truncated: reg covers 0x1000000 of the 0x1f6dfc0 bytes of Image' });
    expect(r.console).to.include('(XEN) Loading zImage from 0000000040400000 to 0000000040000000-0000000041000000');
  });

  it('ramdisk node without multiboot,module: not registered, skipped silently, guest has no initramfs', function () {
    const chosen = `${BOOTARGS} domU1 { compatible = "xen,domain"; #address-cells = <2>; #size-cells = <2>; memory = <0 0x40000>; cpus = <1>;
      module@40400000 { compatible = "multiboot,kernel", "multiboot,module"; reg = <0 ${KADDR} 0 ${KREG}>; bootargs = "console=ttyAMA0"; };
      module@42600000 { compatible = "multiboot,ramdisk"; reg = <0 ${RADDR} 0 ${ramdisk.size}>; }; };`;
    const r = boot(chosen);
    expect(r.domains[0]).to.include({ verdict: 'guest fails', reason: 'no initramfs: the ramdisk module was not found (Xen skips it silently)' });
    expect(r.console.some((l) => l.includes('ramdisk') || l.includes('initrd'))).to.equal(false);
    expect(r.findings).to.include('/chosen/domU1/module@42600000: compatible lacks "multiboot,module", so Xen does not register it as a boot module');
  });

  it('missing ramdisk with root= on a disk: up, with a finding', function () {
    const chosen = `${BOOTARGS} ${domU('domU1', { bootargs: 'console=ttyAMA0 root=/dev/vda', ramdisk: [0x43000000, 0x1000] })}`;
    const r = boot(chosen.replace('"multiboot,ramdisk", "multiboot,module"', '"multiboot,ramdisk"'));
    expect(r.domains[0]!.verdict).to.equal('up');
    expect(r.findings).to.include('domU1: the ramdisk module was not found (Xen skips it silently); the guest boots from its root= device');
  });

  describe('a load overlapping another module (ramdisk loaded into the kernel range)', function () {
    const loads = (): Load[] => [{ addr: KADDR, file: image }, { addr: 0x41400000, file: ramdisk }, { addr: XEN_ADDR, file: xen }];
    const chosen = (): string => `${BOOTARGS} ${domU('domU1', { ramdisk: [0x41400000, ramdisk.size] })}`;

    // Real Debian Xen 4.17.7 (lab differential, corpus-ramdisk-overlaps-kernel): both modules are
    // registered, the domain is built, then discard_initial_modules() frees the shared pages twice.
    it('4.17 accepts both, builds the domain, then BUGs freeing the shared pages', function () {
      const res = boot(chosen(), { loads: loads() });
      expect(res.panic).to.equal('Xen BUG at common/page_alloc.c:1429');
      expect(res.domains[0]).to.include({ verdict: 'xen panic', message: 'Xen BUG at common/page_alloc.c:1429' });
      expect(after(res, '(XEN) *** LOADING').some((l) => l.startsWith('(XEN) Loading d1 DTB to '))).to.equal(true);
      expect(res.findings).to.include(`module /chosen/domU1/module@41400000 [0x41400000, ${'0x' + (0x41400000 + ramdisk.size).toString(16)}) overlaps module /chosen/domU1/module@40400000 [0x40400000, 0x42410000); Xen 4.17 accepts it silently`);
      expect(res.findings.some((f) => f.includes('share pages, which discard_initial_modules() frees twice'))).to.equal(true);
    });

    it('4.18 drops the ramdisk with the Region message', function () {
      const res = boot(chosen(), { loads: loads(), version: '4.18' });
      expect(res.earlyLog).to.include(`(XEN) Region: [0x00000041400000, 0x${(0x41400000 + ramdisk.size).toString(16).padStart(14, '0')}) overlapping with mod[2]: [0x00000040400000, 0x00000042410000)`);
      expect(res.domains[0]!.verdict).to.equal('guest fails');
      expect(res.domains[0]!.reason).to.equal('kernel damaged: 0x41400000 was overwritten by initrd.cpio.gz (its byte 0x0); no initramfs: the ramdisk module was not found (Xen skips it silently)');
    });
  });

  it('xen,enhanced without dom0: panic after the LOADING line', function () {
    const r = boot(`${BOOTARGS} ${domU('domU1', { extra: 'xen,enhanced = "enabled";' })}`);
    expect(after(r, '(XEN) *** LOADING').slice(0, 5)).to.deep.equal([
      '(XEN) *** LOADING DOMU cpus=1 memory=40000KB ***', '(XEN) ', '(XEN) ****************************************',
      '(XEN) Panic on CPU 0:', '(XEN) At the moment, Xenstore support requires dom0 to be present',
    ]);
    expect(r.domains[0]).to.include({ verdict: 'xen panic', message: 'At the moment, Xenstore support requires dom0 to be present' });
  });

  it('4 GiB domU on a 2 GiB board: domain memory allocation panic with the whole size unallocated', function () {
    const r = boot(`${BOOTARGS} ${domU('domU1', { memKiB: 0x400000 })}`);
    expect(r.panic).to.equal('Failed to allocate requested domain memory. 4194304KB unallocated. Fix the VMs configurations.');
    expect(r.console).to.include('(XEN) Loading d1 kernel from boot module @ 0000000040400000');
    expect(r.domains[0]!.verdict).to.equal('xen panic');
  });

  it('DTB not 8-byte aligned: silent hang for every domain', function () {
    const r = boot(`${BOOTARGS} ${domU('domU1')}`, { fdtAddr: FDT_ADDR + 4 });
    expect(r.consoleVisible).to.equal(false);
    expect(r.console).to.deep.equal([]);
    expect(r.silentHang).to.match(/^Invalid device tree blob at physical address 0x42a00004: it is not 8-byte aligned\./);
    expect(verdicts(r)).to.deep.equal([['domU1', 'silent hang']]);
  });

  it('DTB larger than 2 MiB: silent hang', function () {
    const r = boot(`${BOOTARGS} ${domU('domU1')}`, { dtcArgs: ['-S', String(0x201000)] });
    expect(r.silentHang).to.match(/its totalsize 0x201000 exceeds 2 MiB/);
    expect(verdicts(r)).to.deep.equal([['domU1', 'silent hang']]);
  });

  it('dtuart=serial0 on QEMU virt (no /aliases): no console, boot still succeeds', function () {
    const r = boot(`xen,xen-bootargs = "console=dtuart dtuart=serial0 dom0_mem=1G"; ${domU('domU1')}`);
    expect(r.consoleVisible).to.equal(false);
    expect(r.findings).to.include('Xen has no console: dtuart=serial0: the DTB has no /aliases node, so the alias "serial0" does not resolve. The boot may still succeed, but nothing is visible after "Starting kernel ...".');
    expect(r.earlyLog.slice(-2)).to.deep.equal(['(XEN) Looking for dtuart at "serial0", options ""', '(XEN) Unable to find device "serial0"']);
    expect(verdicts(r)).to.deep.equal([['domU1', 'up']]);
  });

  it('gzip kernel shared by two domUs: the second lookup misses the decompressed module', function () {
    const gz = gzipImage('Image.gz', 0x400000);
    const loads = [{ addr: KADDR, file: gz }, { addr: RADDR, file: ramdisk }, { addr: XEN_ADDR, file: xen }];
    const r = boot(`${BOOTARGS} ${domU('domU1', { kernel: [KADDR, gz.size] })} ${domU('domU0', { kernel: [KADDR, gz.size] })}`, { loads });
    expect(after(r, '(XEN) *** LOADING DOMU').slice(0, 8)).to.deep.equal([
      '(XEN) *** LOADING DOMU cpus=1 memory=40000KB ***',
      '(XEN) Loading d1 kernel from boot module @ 0000000040400000',
      '(XEN) Loading ramdisk from boot module @ 0000000042600000',
      r.console.find((l) => l.startsWith('(XEN) Loading zImage'))!,
      `(XEN) Loading d1 initrd from 0000000042600000 to 0x0000000048200000-0x${(0x48200000 + ramdisk.size).toString(16).padStart(16, '0')}`,
      '(XEN) Loading d1 DTB to 0x0000000048000000-0x00000000480004a1',
      '(XEN) *** LOADING DOMU cpus=1 memory=40000KB ***',
      '(XEN) Missing kernel boot module?',
    ]);
    expect(r.console.find((l) => l.startsWith('(XEN) Loading zImage'))).to.match(/ to 0000000040000000-0000000040400000$/);
    expect(r.domains.map((d) => [d.name, d.verdict, d.kernel?.format])).to.deep.equal([
      ['domU1', 'not started', 'gzip+arm64-image'], ['domU0', 'xen panic', undefined],
    ]);
    expect(r.panic).to.equal('Could not set up domain domU0');
  });

  it('gzip kernel with a reg shorter than the file: "ran out of input data"', function () {
    const gz = gzipImage('Image2.gz', 0x400000);
    const loads = [{ addr: KADDR, file: gz }, { addr: RADDR, file: ramdisk }, { addr: XEN_ADDR, file: xen }];
    // Xen first sizes its output buffer from the 4 bytes at the end of the (short) range: compressed data.
    const isize = new DataView(fs.readFileSync(gz.path).buffer).getUint32(gz.size - 20, true);
    const r = boot(`${BOOTARGS} ${domU('domU1', { kernel: [KADDR, gz.size - 16] })}`, { loads });
    const expected = isize < 0x40000000 ? 'ran out of input data' : 'Could not set up domain domU1';
    expect(r.panic).to.equal(expected);
    expect(r.domains[0]).to.include({ verdict: 'xen panic', message: expected });
  });

  it('gzip kernel with a reg longer than the file: ISIZE read from zeroes, nothing to probe', function () {
    const gz = gzipImage('Image3.gz', 0x400000);
    const loads = [{ addr: KADDR, file: gz }, { addr: RADDR, file: ramdisk }, { addr: XEN_ADDR, file: xen }];
    const r = boot(`${BOOTARGS} ${domU('domU1', { kernel: [KADDR, gz.size + 0x1000] })}`, { loads });
    expect(r.panic).to.equal('Could not set up domain domU1');
    expect(r.domains[0]!.verdict).to.equal('xen panic');
  });

  describe('passthrough device whose xen,path is not in the host DTB', function () {
    const partial = (): ReturnType<typeof plainFile> => plainFile('passthrough.dtb', dtc(`/dts-v1/; / { #address-cells = <2>; #size-cells = <1>;
      passthrough { compatible = "simple-bus"; ranges; #address-cells = <2>; #size-cells = <2>;
        uart@9100000 { compatible = "arm,pl011"; reg = <0 0x9100000 0 0x1000>; xen,reg = <0 0x9100000 0 0x1000 0 0x9100000>; xen,path = "/pl011@9100000"; xen,force-assign-without-iommu; }; }; };`));
    const chosen = (size: number): string => `${BOOTARGS} ${domU('domU1', { extra: `module@43000000 { compatible = "multiboot,device-tree", "multiboot,module"; reg = <0 0x43000000 0 ${size}>; };` })}`;

    // Real 4.17.7 (issue 11, ImageBuilder corpus booted in the lab): the errors are printed and the domains boot.
    it('4.17: the error is printed and ignored; the guest boots without the device', function () {
      const p = partial();
      const r = boot(chosen(p.size), { loads: [...std(), { addr: 0x43000000, file: p }] });
      expect(r.console).to.include.members(["(XEN) Couldn't find node /pl011@9100000 in host_dt!", '(XEN) Failed to assign device to d1']);
      expect(r.domains[0]!.verdict).to.equal('up');
      expect(r.findings).to.include('domU1: passthrough node /passthrough/uart@9100000 failed (rc -22); Xen 4.17 ignores the error, so the guest boots without that device');
    });

    // scan_pfdt_node() checks its children's rc from 4.18.0 (commit f51c92383b, not in any 4.17.x).
    for (const v of ['4.18', '4.19']) {
      it(`${v}: the error propagates to the "Could not set up domain" panic`, function () {
        const p = partial();
        const r = boot(chosen(p.size), { loads: [...std(), { addr: 0x43000000, file: p }], version: v });
        expect(r.panic).to.equal('Could not set up domain domU1 (rc = -22)');
      });
    }
  });

  it('33 modules: the 33rd registration is ignored ("too many")', function () {
    const xsm = Array.from({ length: 29 }, (_, i) => `xsm${i} { compatible = "xen,xsm-policy", "multiboot,module"; reg = <0 ${0x50000000 + i * 0x1000} 0 0x1000>; };`).join('\n');
    const r = boot(`${BOOTARGS} ${xsm} ${domU('domU1')}`);
    expect(r.earlyLog).to.include(`(XEN) Ignoring Ramdisk boot module at 0000000042600000-${(RADDR + ramdisk.size).toString(16).padStart(16, '0')} (too many)`);
    expect(r.domains[0]).to.include({ verdict: 'guest fails', reason: 'no initramfs: the ramdisk module was not found (Xen skips it silently)' });
  });

  it('the only kernel node lacks multiboot,module: no kernel module at all, so Xen builds dom0 and panics', function () {
    const r = boot(`${BOOTARGS} ${domU('domU1', { kernelCompat: '"multiboot,kernel"' })}`);
    expect(after(r, '(XEN) *** LOADING').slice(0, 6)).to.deep.equal([
      '(XEN) *** LOADING DOMAIN 0 ***', '(XEN) Missing kernel boot module?', '(XEN) ', '(XEN) ****************************************',
      '(XEN) Panic on CPU 0:', '(XEN) Could not set up DOM0 guest OS',
    ]);
    expect(verdicts(r)).to.deep.equal([['dom0', 'xen panic'], ['domU1', 'not started']]);
  });

  // Real 4.17.7 (lab differential, corpus-kernel-without-multiboot-module): the domain is built from the
  // kernel the other domain registered, but without its bootargs, and its guest prints nothing.
  it('a kernel node lacking multiboot,module still finds a kernel another domain registered, but loses its bootargs', function () {
    const r = boot(`${BOOTARGS} ${domU('domU1', { kernelCompat: '"multiboot,kernel"' })} ${domU('domU0')}`);
    expect(verdicts(r)).to.deep.equal([['domU1', 'guest fails'], ['domU0', 'up']]);
    expect(r.domains[0]!.reason).to.contain('no command line: Xen takes bootargs only from a kernel node compatible with "multiboot,module"');
  });

  it('one domU kernel node lacks multiboot,module: dom0less holds, that domU misses its kernel', function () {
    const other = arm64Image('Image-b', 0x1000000, 0x1200000);
    const r = boot(`${BOOTARGS} ${domU('domU1', { kernelCompat: '"multiboot,kernel"' })} ${domU('domU0', { kernel: [0x44000000, 0x1200000] })}`,
      { loads: [...std(), { addr: 0x44000000, file: other }] });
    expect(after(r, '(XEN) *** LOADING').slice(0, 2)).to.deep.equal(['(XEN) *** LOADING DOMU cpus=1 memory=40000KB ***', '(XEN) Missing kernel boot module?']);
    expect(r.domains.map((d) => [d.name, d.verdict, d.message])).to.deep.equal([
      ['domU1', 'xen panic', 'Could not set up domain domU1'], ['domU0', 'not started', undefined],
    ]);
    expect(r.findings).to.include('/chosen/domU1/module@40400000: compatible lacks "multiboot,module", so Xen does not register it as a boot module');
  });

  it('domain without cpus: panic before any LOADING line', function () {
    const r = boot(`${BOOTARGS} ${domU('domU1', { cpus: undefined })}`);
    expect(r.panic).to.equal("Missing property 'cpus' for domain domU1");
    expect(r.console.some((l) => l.includes('LOADING'))).to.equal(false);
  });

  it('missing reg on a module node: early panic before the console, i.e. a silent hang', function () {
    const r = boot(`${BOOTARGS} ${domU('domU1')} bad { compatible = "multiboot,module"; };`);
    expect(r.panic).to.equal("node bad missing `reg' property");
    expect(r.consoleVisible).to.equal(false);
    expect(verdicts(r)).to.deep.equal([['domU1', 'silent hang']]);
  });

  it('9 vCPUs on a GICv2 host would fail, on GICv3 they are fine (no pCPU check)', function () {
    const r = boot(`${BOOTARGS} ${domU('domU1', { cpus: 9 })}`);
    expect(r.domains[0]!.verdict).to.equal('up');
    const zero = boot(`${BOOTARGS} ${domU('domU1', { cpus: 0 })}`);
    expect(zero.panic).to.equal('Error creating domain domU1');
  });

  it('unrecognised kernel format: -EINVAL panic', function () {
    const junk = sparseFile('junk.bin', 0x100000, new Uint8Array([1, 2, 3, 4]));
    const r = boot(`${BOOTARGS} ${domU('domU1', { kernel: [KADDR, 0x100000] })}`, { loads: [{ addr: KADDR, file: junk }, { addr: RADDR, file: ramdisk }, { addr: XEN_ADDR, file: xen }] });
    expect(r.panic).to.equal('Could not set up domain domU1');
    expect(r.domains[0]!.reason).to.match(/neither an arm64 Image, a uImage nor an arm32 zImage/);
  });
});
