// The serial-log parser against real logs captured on real U-Boot + Xen 4.17 in QEMU
// (test/fixtures/transcripts, see its README). No QEMU needed.
import { expect } from 'chai';
import * as fs from 'node:fs';
import { fixturePath } from '../../helpers/paths.js';
import {
  findMarkers, findUbootErrors, findXenPanic, guestConsoles, kernelStartMark, parseXenConsole, splitAtKernelStart, stripXenTimestamps, xenLines,
  type ExpectedDomain,
} from '../../../src/lab/xen-console.js';

const transcript = (name: string): string => fs.readFileSync(fixturePath('transcripts', `${name}.log`), 'utf8');
/** The two-domU cases: `fdt mknod` put domU1 first in /chosen, so it is d1. */
const TWO_DOMUS: ExpectedDomain[] = [{ name: 'domU1', token: 'u1', domid: 1 }, { name: 'domU0', token: 'u0', domid: 2 }];
const DOM0_DOMU: ExpectedDomain[] = [{ name: 'dom0', token: 'd0', domid: 0 }, { name: 'domU0', token: 'u0', domid: 1 }];

describe('lab/xen-console: parseXenConsole on real transcripts', () => {
  it('(a) true dom0less: both domUs up, built in /chosen order (reverse mknod) with the exact module addresses', () => {
    const r = parseXenConsole(transcript('a-dom0less-2domu'), { domains: TWO_DOMUS });
    expect(r.stage).to.equal('xen');
    expect(r.xenVersion).to.equal('4.17.7');
    expect(r.xenBootComplete).to.equal(true);
    expect(r.panic).to.equal(undefined);
    expect(r.domains).to.deep.equal([
      { name: 'domU1', domid: 1, verdict: 'up' },
      { name: 'domU0', domid: 2, verdict: 'up' },
    ]);
    // 4.17 prints the domU memory in hex without 0x: "memory=40000KB" is 256 MiB.
    expect(r.builds).to.deep.equal([
      { kind: 'domU', cpus: 2, memKb: 0x40000, domid: 1, kernelModule: 0x40400000, ramdiskModule: 0x42600000, complete: true },
      { kind: 'domU', cpus: 1, memKb: 0x40000, domid: 2, kernelModule: 0x40400000, ramdiskModule: 0x42600000, complete: true },
    ]);
    expect(r.markers).to.deep.equal([
      { token: 'u1', domid: 1, cpus: 2, memKb: 230436 },
      { token: 'u0', domid: 2, cpus: 1, memKb: 230560 },
    ]);
    expect(r.ubootErrors).to.deep.equal([]);
    expect(r.xenErrors).to.deep.equal([]);
  });

  it('arm32 with console_timestamps=boot (Xen CI\'s XEN_CMD): the timestamps are read past, dom0 and domU0 up', () => {
    const log = fs.readFileSync(fixturePath('transcripts', 'arm32', 'xen-ci-dom0-domu.log'), 'utf8');
    expect(stripXenTimestamps('(XEN) [    7.217780] *** LOADING DOMU cpus=1 memory=80000KB ***\n')).to.equal('(XEN) *** LOADING DOMU cpus=1 memory=80000KB ***\n');
    expect(findMarkers(log)).to.deep.equal([
      { token: 'dom0', domid: 0, cpus: 4, memKb: 500392 }, { token: 'domu0', domid: 1, cpus: 1, memKb: 500644 },
    ]);
    const r = parseXenConsole(log, { domains: [{ name: 'dom0', token: 'dom0', domid: 0 }, { name: 'domU0', token: 'domu0', domid: 1 }] });
    expect(r.xenBootComplete).to.equal(true);
    expect(r.builds.map((b) => [b.kind, b.domid, b.kernelModule])).to.deep.equal([['dom0', 0, 0x40400000], ['domU', 1, 0x40400000]]);
    expect(r.domains.map((d) => [d.name, d.domid, d.verdict])).to.deep.equal([['dom0', 0, 'up'], ['domU0', 1, 'up']]);
    expect(xenLines(log)[0]).to.match(/^Xen version 4\.17\.7 \(Debian 4\.17\.7\+13-g2445b30a44-0\+deb12u1\)/);
  });

  it('Xen 4.20 (Debian trixie, U-Boot 2025.01): the console-focus domU has no DOMn tag and other lines cut into its lines', () => {
    const log = fs.readFileSync(fixturePath('transcripts', 'trixie', 'gen-dom0less-2domus.log'), 'utf8');
    // The real line: domU1's "[   16.551151] workingset..." is cut by a whole DOM2 line.
    expect(log).to.include('(XEN) [   (XEN) DOM2: UBOOTGEN-LAB-UP token=u0 cpus=1 memkb=230560\n16.551151] workingset:');
    const r = parseXenConsole(log, { domains: TWO_DOMUS });
    expect(r.xenVersion).to.equal('4.20.5-pre');
    expect(r.domains).to.deep.equal([
      { name: 'domU1', domid: 1, verdict: 'up' },
      { name: 'domU0', domid: 2, verdict: 'up' },
    ]);
    expect(r.markers).to.deep.equal([
      { token: 'u0', domid: 2, cpus: 1, memKb: 230560 },
      { token: 'u1', domid: 1, cpus: 2, memKb: 230436 },
    ].sort((a, b) => a.domid - b.domid));
    const d1 = guestConsoles(log).find((g) => g.domid === 1)!;
    expect(d1.text).to.include('[   16.531280] Key type blacklist registered\n[   16.551151] workingset: timestamp_bits=42');
    // No dom0 console is made up from the focus domain's continuation lines.
    expect(guestConsoles(log).map((g) => g.domid)).to.deep.equal([1, 2]);
  });

  it('Xen 4.20 + U-Boot 2025.01: dom0 and domU0 given one shared kernel module → "dom0less mode", then the Xenstore panic', () => {
    const log = fs.readFileSync(fixturePath('transcripts', 'trixie', 'gen-dom0-domu-shared-kernel.log'), 'utf8');
    const r = parseXenConsole(log, { domains: DOM0_DOMU });
    expect(xenLines(log)).to.include('Xen dom0less mode detected');
    expect(r.panic?.message).to.equal('At the moment, Xenstore support requires dom0 to be present');
    expect(r.domains.map((d) => [d.name, d.verdict, d.message])).to.deep.equal([
      ['dom0', 'xen panic', 'At the moment, Xenstore support requires dom0 to be present'],
      ['domU0', 'xen panic', 'At the moment, Xenstore support requires dom0 to be present'],
    ]);
  });

  it('bootefi: no "Starting kernel ...", Xen\'s EFI loader line marks the hand-over; both domUs up', () => {
    const log = transcript('gen-bootefi');
    const mark = kernelStartMark(log)!;
    expect(log.slice(mark.at, mark.at + mark.length)).to.equal('Xen 4.17.7 (c/s ) EFI loader');
    expect(splitAtKernelStart(log).uboot.trimEnd().split('\n').slice(-2)).to.deep.equal(['Booting /xen', 'Using modules provided by bootloader in FDT']);
    // "No EFI system partition" follows the terminal query's escape sequences on its line: not taken for an error.
    expect(findUbootErrors(log)).to.deep.equal([]);
    expect(parseXenConsole(log, { domains: TWO_DOMUS }).domains.map((d) => [d.name, d.verdict])).to.deep.equal([['domU1', 'up'], ['domU0', 'up']]);
    expect(kernelStartMark('Booting /xen\nLoading image failed\n')).to.equal(undefined);
  });

  it('bootefi with U-Boot 2025.01 + Xen 4.20: the page_alloc.c BUG after both domUs are built', () => {
    const log = fs.readFileSync(fixturePath('transcripts', 'trixie', 'gen-bootefi.log'), 'utf8');
    expect(kernelStartMark(log)).to.not.equal(undefined);
    expect(parseXenConsole(log, { domains: TWO_DOMUS }).domains.map((d) => [d.name, d.verdict, d.message])).to.deep.equal([
      ['domU1', 'xen panic', 'Xen BUG at common/page_alloc.c:1486'], ['domU0', 'xen panic', 'Xen BUG at common/page_alloc.c:1486'],
    ]);
  });

  it('U-Boot 2025.01: bootm of a raw Image says "Wrong Image Type" and "ERROR -91:" (no "E" after the errno)', () => {
    const log = fs.readFileSync(fixturePath('transcripts', 'trixie', 'c-bootm-raw-image.log'), 'utf8');
    expect(findUbootErrors(log).slice(-2)).to.deep.equal(['Wrong Image Type for bootm command', "ERROR -91: can't get kernel image!"]);
    expect(parseXenConsole(log, { domains: TWO_DOMUS }).domains.map((d) => [d.verdict, d.message])).to.deep.equal([
      ['not started', "ERROR -91: can't get kernel image!"], ['not started', "ERROR -91: can't get kernel image!"],
    ]);
  });

  it('Xen 4.20: a console-focus domU that printed nothing is not credited with Xen\'s own late lines', () => {
    const log = fs.readFileSync(fixturePath('transcripts', 'trixie', 'corpus-kernel-reg-shorter.log'), 'utf8');
    expect(xenLines(log)).to.include('Freed 368kB init memory.');
    expect(guestConsoles(log)).to.deep.equal([]);
    expect(parseXenConsole(log, { domains: TWO_DOMUS }).domains).to.deep.equal([
      { name: 'domU1', domid: 1, verdict: 'guest fails', message: 'built by Xen but printed nothing' },
      { name: 'domU0', domid: 2, verdict: 'guest fails', message: 'built by Xen but printed nothing' },
    ]);
  });

  it('Xen 4.17.5 built from source: modules sharing pages end in the page_alloc.c BUG at line 1423', () => {
    const log = fs.readFileSync(fixturePath('transcripts', 'full', 'corpus-ramdisk-overlaps-kernel.log'), 'utf8');
    expect(parseXenConsole(log, { domains: TWO_DOMUS }).domains.map((d) => [d.verdict, d.message])).to.deep.equal([
      ['xen panic', 'Xen BUG at common/page_alloc.c:1423'], ['xen panic', 'Xen BUG at common/page_alloc.c:1423'],
    ]);
  });

  it('(a) joins a guest line Xen flushed in 126-character pieces', () => {
    const d1 = guestConsoles(transcript('a-dom0less-2domu')).find((g) => g.domid === 1)!;
    expect(d1.token).to.equal('u1');
    expect(d1.text).to.include('12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP Debian 6.1.192-2 (2026-11-16)\n');
    expect(d1.text).to.include('Kernel command line: console=ttyAMA0 labtoken=u1\n');
  });

  it('(b) dom0 + domU: dom0 text interrupted mid-line by (XEN) DOM1 lines is reassembled', () => {
    const log = transcript('b-dom0-domu');
    const r = parseXenConsole(log, { domains: DOM0_DOMU });
    expect(r.domains).to.deep.equal([
      { name: 'dom0', domid: 0, verdict: 'up' },
      { name: 'domU0', domid: 1, verdict: 'up' },
    ]);
    expect(r.builds.map((b) => [b.kind, b.domid, b.kernelModule, b.ramdiskModule, b.complete])).to.deep.equal([
      ['dom0', 0, 0x40400000, 0x42600000, true],
      ['domU', 1, 0x42800000, 0x44a00000, true],
    ]);
    const dom0 = guestConsoles(log).find((g) => g.domid === 0)!;
    expect(dom0.text).to.not.include('(XEN)');
    expect(dom0.text).to.match(/\n\[ {4}3\.348048\] clocksource: jiff/);
    expect(findMarkers(log)).to.deep.equal([
      { token: 'd0', domid: 0, cpus: 4, memKb: 487304 },
      { token: 'u0', domid: 1, cpus: 1, memKb: 230560 },
    ]);
  });

  it('(c) bootm of a raw Image: U-Boot 2023.01 wording, nothing started', () => {
    const r = parseXenConsole(transcript('c-bootm-raw-image'), { domains: TWO_DOMUS });
    expect(r.stage).to.equal('uboot');
    expect(r.ubootErrors).to.deep.equal(['Wrong Image Format for bootm command', "ERROR: can't get kernel image!"]);
    expect(r.domains).to.deep.equal([
      { name: 'domU1', domid: 1, verdict: 'not started', message: "ERROR: can't get kernel image!" },
      { name: 'domU0', domid: 2, verdict: 'not started', message: "ERROR: can't get kernel image!" },
    ]);
  });

  it('(d) Xen as a uImage booted with bootm comes up', () => {
    const log = transcript('d-bootm-xen-uimage');
    expect(log).to.include('   Image Type:   AArch64 Linux Kernel Image (uncompressed)\n');
    expect(log).to.include('   Loading Kernel Image\n');
    expect(parseXenConsole(log, { domains: TWO_DOMUS }).domains.map((d) => d.verdict)).to.deep.equal(['up', 'up']);
  });

  it('(e) one-cell memory: Xen error line, then the 4.17 panic text without rc', () => {
    const log = transcript('e-domu-memory-one-cell');
    const r = parseXenConsole(log, { domains: TWO_DOMUS });
    expect(r.panic).to.deep.equal({ cpu: 0, message: 'Could not set up domain domU0', complete: true });
    expect(r.xenErrors).to.deep.equal(['Error building DomU: cannot read "memory" property']);
    expect(r.builds.map((b) => [b.domid, b.complete])).to.deep.equal([[1, true]]);
    expect(r.domains).to.deep.equal([
      { name: 'domU1', domid: 1, verdict: 'xen panic', message: 'Could not set up domain domU0' },
      { name: 'domU0', domid: 2, verdict: 'xen panic', message: 'Could not set up domain domU0' },
    ]);
  });

  it('(f) xen,enhanced without dom0 panics right after the first LOADING DOMU line', () => {
    const r = parseXenConsole(transcript('f-enhanced-without-dom0'), { domains: TWO_DOMUS });
    expect(r.panic?.message).to.equal('At the moment, Xenstore support requires dom0 to be present');
    expect(r.builds).to.deep.equal([{ kind: 'domU', cpus: 2, memKb: 0x40000, complete: false }]);
    expect(r.domains.map((d) => d.verdict)).to.deep.equal(['xen panic', 'xen panic']);
  });

  it('(g) stale ${filesize} ramdisk: that guest panics, the other comes up', () => {
    const log = transcript('g-tftp-missing-stale-filesize');
    const r = parseXenConsole(log, { domains: TWO_DOMUS });
    expect(r.ubootErrors).to.deep.equal(["TFTP error: 'File not found' (1)"]);
    // The stale value is the previous load's size (virt.dtb, 0x100000).
    expect(log).to.include('Loading d1 initrd from 0000000042800000 to 0x0000000048200000-0x0000000048300000');
    expect(r.domains).to.deep.equal([
      { name: 'domU1', domid: 1, verdict: 'guest fails', message: 'Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)' },
      { name: 'domU0', domid: 2, verdict: 'up' },
    ]);
  });

  it('(h) FDT_ERR_NOSPACE: every edit fails, Xen finds no domU and panics building dom0', () => {
    const r = parseXenConsole(transcript('h-fdt-nospace'), { domains: TWO_DOMUS });
    expect(r.ubootErrors.slice(0, 5)).to.deep.equal([
      'libfdt fdt_setprop(): FDT_ERR_NOSPACE', 'libfdt fdt_setprop(): FDT_ERR_NOSPACE', 'libfdt fdt_setprop(): FDT_ERR_NOSPACE',
      'libfdt fdt_add_subnode(): FDT_ERR_NOSPACE', 'libfdt fdt_path_offset() returned FDT_ERR_NOTFOUND',
    ]);
    expect(r.ubootErrors.filter((l) => l.includes('NOSPACE'))).to.have.length(5);
    expect(r.ubootErrors).to.have.length(31);
    expect(r.xenErrors).to.deep.equal(['Missing kernel boot module?']);
    expect(r.builds).to.deep.equal([{ kind: 'dom0', domid: 0, complete: false }]);
    expect(r.domains.map((d) => [d.verdict, d.message])).to.deep.equal([
      ['xen panic', 'Could not set up DOM0 guest OS'], ['xen panic', 'Could not set up DOM0 guest OS'],
    ]);
  });

  it('(i) dtuart=serial0: Xen prints nothing at all', () => {
    const r = parseXenConsole(transcript('i-dtuart-serial0'), { domains: TWO_DOMUS });
    expect(r.stage).to.equal('xen-silent');
    expect(r.domains.map((d) => d.verdict)).to.deep.equal(['silent hang', 'silent hang']);
    expect(r.domains[0]!.message).to.equal('no output after "Starting kernel ..."');
  });

  it('(k) unaligned Xen: booti moves it onto the DTB, then finds no device tree', () => {
    const log = transcript('k-xen-unaligned-booti');
    expect(log).to.include('Moving Image from 0x42900000 to 0x42a00000, end=42b360c8\n');
    expect(findUbootErrors(log)).to.deep.equal(['ERROR: Did not find a cmdline Flattened Device Tree', 'Could not find a valid device tree']);
  });

  it('(m) memory too big: the allocation panic message', () => {
    expect(findXenPanic(transcript('m-domu-memory-too-big'))).to.deep.equal({
      cpu: 0, complete: true, message: 'Failed to allocate requested domain memory. 2097152KB unallocated. Fix the VMs configurations.',
    });
  });

  it('upPattern judges guests that have no lab marker (domains given without tokens)', () => {
    const log = transcript('b-dom0-domu');
    const r = parseXenConsole(log, { domains: [{ name: 'dom0' }, { name: 'domU0' }], upPattern: /Run \/init as init process/ });
    expect(r.domains).to.deep.equal([{ name: 'dom0', domid: 0, verdict: 'up' }, { name: 'domU0', domid: 1, verdict: 'up' }]);
    const none = parseXenConsole(log, { domains: [{ name: 'dom0' }, { name: 'domU0' }], upPattern: /login:/ });
    expect(none.domains.map((d) => d.verdict)).to.deep.equal(['up', 'up']); // the markers still count (matched by domid)
    const g = parseXenConsole(transcript('g-tftp-missing-stale-filesize'), { domains: [{ name: 'a' }], upPattern: /Run \/init as init process/ });
    expect(g.domains).to.deep.equal([
      { name: 'a', domid: 1, verdict: 'guest fails', message: 'Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)' },
    ]);
  });

  it('without expected domains it names domains by id from what Xen and the guests printed', () => {
    const r = parseXenConsole(transcript('g-tftp-missing-stale-filesize'));
    expect(r.domains).to.deep.equal([
      { name: 'd1', domid: 1, verdict: 'guest fails', message: 'Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)' },
      { name: 'd2', domid: 2, verdict: 'up' },
    ]);
  });
});

describe('lab/xen-console: rules on synthetic logs', () => {
  const head = 'U-Boot\n=> boot\nStarting kernel ...\n\n';
  it('a domain Xen never built while it finished booting is "dropped"', () => {
    const log = `${head}(XEN) *** LOADING DOMU cpus=1 memory=40000KB ***\n(XEN) Loading d1 kernel from boot module @ 0000000040400000\n` +
      '(XEN) Loading d1 DTB to 0x0000000048000000-0x000000004800050d\n(XEN) Freed 348kB init memory.\n(XEN) DOM1: UBOOTGEN-LAB-UP token=a cpus=1 memkb=5\n';
    const r = parseXenConsole(log, { domains: [{ name: 'domU1', token: 'a' }, { name: 'domU0', token: 'b' }] });
    expect(r.domains).to.deep.equal([
      { name: 'domU1', domid: 1, verdict: 'up' },
      { name: 'domU0', domid: 2, verdict: 'dropped', message: 'Xen finished booting without building this domain' },
    ]);
  });

  it('a built domain that printed nothing is a "silent hang"; one that stopped without a marker "guest fails"', () => {
    const log = `${head}(XEN) *** LOADING DOMU cpus=1 memory=40000KB ***\n(XEN) Loading d1 kernel from boot module @ 0000000040400000\n` +
      '(XEN) Loading d1 DTB to 0x0000000048000000-0x000000004800050d\n(XEN) *** LOADING DOMU cpus=1 memory=40000KB ***\n' +
      '(XEN) Loading d2 kernel from boot module @ 0000000040400000\n(XEN) Loading d2 DTB to 0x0000000048000000-0x000000004800050d\n' +
      '(XEN) Freed 348kB init memory.\n(XEN) DOM2: [    0.1] Booting Linux\n';
    const r = parseXenConsole(log, { domains: [{ name: 'x' }, { name: 'y' }] });
    expect(r.domains).to.deep.equal([
      { name: 'x', domid: 1, verdict: 'guest fails', message: 'built by Xen but printed nothing' },
      { name: 'y', domid: 2, verdict: 'guest fails', message: 'no userspace marker; last output: [    0.1] Booting Linux' },
    ]);
  });

  it('an unfinished panic box is reported as incomplete', () => {
    expect(findXenPanic('(XEN) Panic on CPU 2:\n(XEN) Oops\n')).to.deep.equal({ cpu: 2, message: 'Oops', complete: false });
  });

  it('splits at the hand-over and keeps Xen lines that start mid-line', () => {
    expect(splitAtKernelStart('a\nb')).to.deep.equal({ uboot: 'a\nb' });
    expect(xenLines('abc(XEN) one\n(XEN) two\nrest')).to.deep.equal(['one', 'two']);
  });
});
