// bootefi against real serial logs (test/fixtures/transcripts/gen-bootefi.log: U-Boot 2023.01 + Xen 4.17.7;
// trixie/gen-bootefi.log: U-Boot 2025.01 + Xen 4.20): the same files, Debian's Xen (a PE/COFF arm64
// Image, whose first 4 KiB are test/fixtures/images/xen-4.17-arm64.head) and QEMU's 1 MiB virt DTB.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createMachine, qemuVirtBoard, runCommands, type Machine } from '../../../../../src/sim/uboot/index.js';
import { checkPe, efiBootdev, efiLoadedRanges } from '../../../../../src/sim/uboot/cmd/bootefi.js';
import { totalsize } from '../../../../../src/fdt/header.js';
import { getprop, pathOffset } from '../../../../../src/fdt/ro.js';
import { fixturePath } from '../../../../helpers/paths.js';
import { arm64Header, sparseFile, tempDir } from '../../../../helpers/images.js';

const XEN_HEAD = (): Buffer => fs.readFileSync(fixturePath('images', 'xen-4.17-arm64.head'));
const LOADS = 'tftpb 0x42800000 xen\ntftpb 0x42A00000 virt.dtb\nfdt addr 0x42A00000\n';

/** The lines U-Boot printed between `fdt addr` ("Working FDT set to 42a00000") and Xen's EFI stub. */
function realBootefiLines(log: string): string[] {
  const lines = fs.readFileSync(fixturePath('transcripts', ...log.split('/')), 'utf8').split('\n');
  const from = lines.lastIndexOf('Working FDT set to 42a00000');
  const to = lines.indexOf('Booting /xen', from);
  return lines.slice(from + 1, to + 1);
}

describe('sim → uboot → cmd → bootefi', () => {
  let root: string;
  const machine = (ubootVersion = '2023.01'): Machine => createMachine({ root, ubootVersion });
  const after = (m: Machine, line: string): string[] => {
    const t = m.console.transcript();
    return t.slice(t.lastIndexOf(line) + 1);
  };
  before(() => {
    root = tempDir('bootefi-');
    sparseFile(path.join(root, 'xen'), XEN_HEAD(), 983048);
    sparseFile(path.join(root, 'Image'), arm64Header({ imageSize: 0x2010000 }), 0x1f6dfc0);
    fs.copyFileSync(fixturePath('dtb', 'qemu-virt-gicv3-2g.dtb'), path.join(root, 'virt.dtb'));
  });

  it('prints what real 2023.01 prints up to "Booting /xen", and hands the installed copy of the DT to Xen', () => {
    const m = machine();
    expect(runCommands(m, `${LOADS}bootefi 0x42800000 0x42A00000`)).to.equal(0);
    expect(after(m, 'Working FDT set to 42a00000')).to.deep.equal(realBootefiLines('gen-bootefi.log'));
    expect(realBootefiLines('gen-bootefi.log')).to.deep.equal([
      '\x1b7\x1b[r\x1b[999;999H\x1b[6n\x1b8No EFI system partition', 'Unable to find TPMv2 device',
      'Missing RNG device for EFI_RNG_PROTOCOL', 'Booting /xen',
    ]);
    expect(m.stopped).to.equal('booted');
    const h = m.handoff!;
    // copy_fdt(): 127 MiB above 0x40000000; image_setup_libfdt() shrinks the copy to its data (rounded to 4 KiB).
    expect([h.command, h.loadAddr, h.entry, h.fdtAddr, totalsize(h.fdt)]).to.deep.equal(['bootefi', 0x42800000, 0x42800000, 0x47f00000, 0x2000]);
    expect(Buffer.from(getprop(h.fdt, pathOffset(h.fdt, '/chosen'), 'u-boot,version') as Uint8Array).toString()).to.equal('2023.01+dfsg-2+deb12u3\0');
    // 2023.01 does not pass loads on to the EFI memory map; the working FDT stays where `fdt addr` put it.
    expect(h.efi).to.deep.equal({ bootServicesData: [], device: 'net' });
    expect(m.env.get('fdtaddr')).to.equal('42a00000');
  });

  it('prints what real 2025.01 prints, and marks every loaded file\'s pages as EfiBootServicesData', () => {
    const m = machine('2025.01');
    expect(runCommands(m, `tftpb 0x40400000 Image\n${LOADS}bootefi 0x42800000 0x42A00000`)).to.equal(0);
    expect(after(m, 'Working FDT set to 42a00000')).to.deep.equal(realBootefiLines('trixie/gen-bootefi.log'));
    expect(realBootefiLines('trixie/gen-bootefi.log').slice(0, 2)).to.deep.equal([
      '\x1b7\x1b[r\x1b[999;999H\x1b[6n\x1b8Cannot persist EFI variables without system partition', 'Missing TPMv2 device for EFI_TCG_PROTOCOL',
    ]);
    // Image ends at 0x4236dfc0 → its pages end at 0x4236e000; xen's (0xf0008 bytes) at 0x428f1000.
    expect(m.handoff!.efi).to.deep.equal({ bootServicesData: [
      { start: 0x40400000, size: 0x1f6e000 }, { start: 0x42800000, size: 0xf1000 }, { start: 0x42a00000, size: 0x100000 },
    ], device: 'net' });
    expect(efiLoadedRanges(m)).to.deep.equal(m.handoff!.efi!.bootServicesData);
  });

  it('copies the DT to 127 MiB over a file loaded there (2023.01); 2025.01 steps below the file', () => {
    const old = machine();
    expect(runCommands(old, `tftpb 0x47E00000 Image\n${LOADS}bootefi 0x42800000 0x42A00000`)).to.equal(0);
    expect(old.handoff!.fdtAddr).to.equal(0x47f00000);
    expect(old.ram.segments(0x47f00000, 0x10).map((x) => x.source.kind)).to.not.include('file');
    const n = machine('2025.01');
    expect(runCommands(n, `tftpb 0x47E00000 Image\n${LOADS}bootefi 0x42800000 0x42A00000`)).to.equal(0);
    // The copy is 1 MiB (totalsize) + 12 KiB, in pages, ending where Image's pages start.
    expect(n.handoff!.fdtAddr).to.equal(0x47e00000 - 0x103000);
  });

  it('remembers only the last PE/COFF file loaded: a later PE load replaces it, a plain file does not', () => {
    const m = machine();
    runCommands(m, 'tftpb 0x42800000 xen\ntftpb 0x40400000 Image');
    expect(efiBootdev(m)).to.deep.equal({ addr: 0x42800000, size: 983048, path: 'xen', device: 'net' });
    expect(runCommands(m, 'tftpb 0x42A00000 virt.dtb\nbootefi 0x40400000 0x42A00000')).to.equal(1);
    expect(after(m, 'Bytes transferred = 1048576 (100000 hex)').slice(-1)).to.deep.equal(['No UEFI binary known at 0x40400000']);
    // A load over the remembered image forgets it.
    runCommands(m, 'tftpb 0x42800000 virt.dtb');
    expect(efiBootdev(m)).to.equal(undefined);
  });

  it('2025.01 looks for the image before it starts the UEFI sub-system', () => {
    const m = machine('2025.01');
    expect(runCommands(m, `${LOADS}bootefi 0x40000000 0x42A00000`)).to.equal(1);
    expect(after(m, 'Working FDT set to 42a00000')).to.deep.equal(['No UEFI binary known at 0x40000000']);
  });

  it('ImageBuilder 2023.2\'s `bootefi XEN - DTB`: "-" reads as DT address 0, so U-Boot installs its own DT', () => {
    // With U-Boot's own DT at ${fdtcontroladdr} (QEMU's), as on the real board: it boots, with that DT.
    const board = { ...qemuVirtBoard(), controlDtb: new Uint8Array(fs.readFileSync(path.join(root, 'virt.dtb'))) };
    const m = createMachine({ root, board });
    expect(runCommands(m, `${LOADS}bootefi 0x42800000 - 0x42A00000`)).to.equal(0);
    expect(after(m, 'Working FDT set to 42a00000')).to.deep.equal(realBootefiLines('ib-bootefi-dash.log'));
    expect(pathOffset(m.handoff!.fdt, '/chosen/domU0')).to.be.lessThan(0);
    // No DT at ${fdtcontroladdr}, or no such variable.
    const n = machine('2025.01');
    expect(runCommands(n, `${LOADS}bootefi 0x42800000 - 0x42A00000`)).to.equal(1);
    expect(after(n, 'Missing RNG device for EFI_RNG_PROTOCOL')).to.deep.equal(['invalid device tree']);
    expect(n.stopped).to.equal(undefined);
    const o = createMachine({ root, env: { fdtcontroladdr: '' }, replaceEnv: true });
    expect(runCommands(o, `${LOADS}bootefi 0x42800000`)).to.equal(1);
    expect(after(o, 'Missing RNG device for EFI_RNG_PROTOCOL')).to.deep.equal(['ERROR: invalid $fdt_addr or $fdtcontroladdr']);
  });

  it('names an image given with its size by its memory range, and checks its PE/COFF header', () => {
    const m = machine();
    expect(runCommands(m, `${LOADS}bootefi 0x42800000:f0008 0x42A00000`)).to.equal(0);
    expect(after(m, 'Missing RNG device for EFI_RNG_PROTOCOL')).to.deep.equal(['Booting /MemoryMapped(0x0,0x42800000,0xf0008)']);
    const n = machine();
    expect(runCommands(n, `${LOADS}bootefi 0x42A00000:100000 0x42A00000`)).to.equal(1);
    expect(after(n, 'Missing RNG device for EFI_RNG_PROTOCOL')).to.deep.equal(['Booting /MemoryMapped(0x0,0x42a00000,0x100000)', 'Not a PE-COFF file', 'Loading image failed']);
  });

  it('prints its usage for no image, address 0 or size 0 (2023.01 after starting the UEFI sub-system)', () => {
    const usage = ['bootefi - Boots an EFI payload from memory', '', 'Usage:', 'bootefi <image address>[:<image size>] [<fdt address>]'];
    const init = realBootefiLines('gen-bootefi.log').slice(0, 3);
    for (const [cmd, version, lines] of [['bootefi', '2023.01', usage], ['bootefi 0 0x42A00000', '2023.01', [...init, ...usage]],
      ['bootefi 0x42800000:0 0x42A00000', '2025.01', usage]] as const) {
      const m = machine(version);
      expect(runCommands(m, `${LOADS}${cmd}`), cmd).to.equal(1);
      expect(after(m, 'Working FDT set to 42a00000').slice(0, lines.length), cmd).to.deep.equal(lines);
    }
  });

  describe('checkPe()', () => {
    const head = new Uint8Array(XEN_HEAD());
    it('accepts Debian\'s Xen (NT headers at 0x40, machine arm64)', () => {
      expect(checkPe(head, 983048)).to.deep.equal({ ok: true, machine: 0xaa64 });
    });
    it('refuses short files, a missing "MZ", NT headers past the end and a missing "PE" signature, reading nothing out of bounds', () => {
      expect(checkPe(head.subarray(0, 63))).to.deep.equal({ ok: false, why: 'shorter than a DOS header' });
      expect(checkPe(head, 0x40 + 247)).to.deep.equal({ ok: false, why: 'the NT headers at e_lfanew 40 lie past the end' });
      const noMz = head.slice(); noMz[0] = 0;
      expect(checkPe(noMz)).to.deep.equal({ ok: false, why: 'no "MZ" DOS signature' });
      const far = head.slice(); far.set([0xf0, 0xff, 0xff, 0x7f], 60);
      expect(checkPe(far, 0x7fffffff + 248)).to.deep.equal({ ok: false, why: 'no "PE\\0\\0" signature at e_lfanew' });
      expect(checkPe(new Uint8Array(arm64Header({ imageSize: 0x1000 })), 0x1000)).to.deep.equal({ ok: false, why: 'no "PE\\0\\0" signature at e_lfanew' });
    });
  });
});
