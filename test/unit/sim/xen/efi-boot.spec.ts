// Xen's EFI stub started by bootefi, against the real logs of the lab's gen-bootefi case
// (test/fixtures/transcripts/gen-bootefi.log: U-Boot 2023.01 + Xen 4.17.7, every domain up;
// trixie/gen-bootefi.log: U-Boot 2025.01 + Xen 4.20, "Xen BUG at common/page_alloc.c:1486").
import { expect } from 'chai';
import * as fs from 'node:fs';
import { bootXen } from '../../../../src/sim/xen/index.js';
import { efiLoaderBanner, efiStub, modulesWithHeapTail } from '../../../../src/sim/xen/efi-boot.js';
import { unflattenDeviceTree } from '../../../../src/sim/xen/device-tree.js';
import { fixturePath } from '../../../helpers/paths.js';
import { arm64Image, domUNode, dtc, handoff, hasTool, sparseFile, virtDts, XEN_IMAGE_SIZE } from './helpers.js';

const realLines = (log: string): string[] => fs.readFileSync(fixturePath('transcripts', ...log.split('/')), 'utf8').split('\n');
/** The firmware-console lines between "Booting /xen" and Xen's first "(XEN)" line. */
const stubLines = (log: string): string[] => {
  const l = realLines(log);
  const from = l.indexOf('Booting /xen');
  return l.slice(from + 1, l.findIndex((x, i) => i > from && x.startsWith('(XEN) ')));
};

describe('sim → xen → efi-boot (Xen\'s EFI stub after bootefi)', function () {
  const CHOSEN = `#address-cells = <0x2>; #size-cells = <0x2>;
    xen,xen-bootargs = "console=dtuart dtuart=/pl011@9000000";
    ${domUNode('domU1', { memKiB: 0x40000, cpus: 1, kernel: [0x40400000, 0x2010000], ramdisk: [0x42600000, 0xf791d], bootargs: 'console=ttyAMA0 labtoken=u1' })}
    ${domUNode('domU0', { memKiB: 0x40000, cpus: 1, kernel: [0x40400000, 0x2010000], ramdisk: [0x42600000, 0xf791d], bootargs: 'console=ttyAMA0 labtoken=u0' })}`;
  /** The lab case's hand-off after bootefi; `loaded`: the EfiBootServicesData U-Boot 2025.01 reports. */
  function efiHandoff(loaded: { start: number; size: number }[]) {
    const image = arm64Image('Image', 32956352, 0x2010000);
    const initrd = sparseFile('initramfs.cpio.gz', 0xf791d, new Uint8Array([0x1f, 0x8b, 0x08, 0x00]));
    const xen = arm64Image('xen', 983048, XEN_IMAGE_SIZE);
    const h = handoff([{ addr: 0x40400000, file: image }, { addr: 0x42600000, file: initrd }, { addr: 0x42800000, file: xen }], dtc(virtDts(CHOSEN)), 0x47f00000, 0x42800000);
    return { ...h, command: 'bootefi' as const, efi: { bootServicesData: loaded, device: 'net' as const } };
  }

  before(function () { if (!hasTool('dtc')) this.skip(); });

  it('prints the real 4.17.7 and 4.20 stub lines for a DT that carries its modules', function () {
    const root = unflattenDeviceTree(dtc(virtDts(CHOSEN)));
    expect(efiStub(root, { text: '4.17.7', minor: 17, patch: 7 })).to.deep.equal({ lines: stubLines('gen-bootefi.log') });
    expect(efiStub(root, { text: '4.20.5-pre', minor: 20, patch: 5, extra: '-pre' })).to.deep.equal({ lines: stubLines('trixie/gen-bootefi.log') });
    expect(stubLines('gen-bootefi.log')).to.deep.equal(['Using modules provided by bootloader in FDT', 'Xen 4.17.7 (c/s ) EFI loader']);
  });

  it('stops where it would read xen.cfg or load files, and on a domain without #size-cells', function () {
    const rel = { text: '4.17.7', minor: 17, patch: 7 };
    const plain = unflattenDeviceTree(dtc(virtDts('')));
    expect(efiStub(plain, rel, 'block')).to.deep.equal({
      lines: [efiLoaderBanner(rel)],
      stops: 'Xen\'s EFI stub reads a configuration file (xen.cfg) beside xen.efi because the device tree has no multiboot,module node; booting from an EFI configuration file is not modelled',
    });
    // Loaded over the network: the real lines of ImageBuilder 2023.2's `bootefi XEN - DTB` (U-Boot's own DT installed).
    const real = realLines('ib-bootefi-dash.log');
    const at = real.indexOf('Booting /xen');
    expect(efiStub(plain, rel, 'net').lines).to.deep.equal(real.slice(at + 1, at + 3));
    expect(real[at + 3]).to.equal('=> ');
    const noSize = CHOSEN.replace(/(domU0 \{[^]*?)#size-cells = <0x2>;/, '$1');
    const r = efiStub(unflattenDeviceTree(dtc(virtDts(noSize))), rel);
    expect(r.lines.slice(2)).to.deep.equal(['#size-cells not found in domain node.', 'Error processing boot modules on DT.']);
    expect(r.stops).to.match(/^\/chosen\/domU0 has no #size-cells/);
  });

  it('finds the kernel whose reg reaches past its file\'s last page (U-Boot 2025.01\'s EFI memory map)', function () {
    const mods = [{ start: 0x40400000, size: 0x2010000 }, { start: 0x42600000, size: 0xf791d }];
    const loaded = [{ start: 0x40400000, size: 0x1f6e000 }, { start: 0x42600000, size: 0xf8000 }];
    expect(modulesWithHeapTail(mods, loaded)).to.deep.equal({ module: mods[0], tailStart: 0x4236e000, tailEnd: 0x42410000 });
    // Nothing loaded after 2023.01, or a reg no longer than the file: no tail.
    expect(modulesWithHeapTail(mods, [])).to.equal(undefined);
    expect(modulesWithHeapTail([{ start: 0x40400000, size: 0x1f6dfc0 }], loaded)).to.equal(undefined);
  });

  it('boots every domain after U-Boot 2023.01 (real: both up), with the stub lines first', function () {
    const r = bootXen(efiHandoff([]), { xenVersion: '4.17' });
    expect(r.console.slice(0, 2)).to.deep.equal(['Using modules provided by bootloader in FDT', 'Xen 4.17 (c/s ) EFI loader']);
    expect(r.domains.map((d) => [d.name, d.verdict])).to.deep.equal([['domU1', 'up'], ['domU0', 'up']]);
  });

  it('hits the BUG of the real 4.20 boot after U-Boot 2025.01, once both domains are built', function () {
    const r = bootXen(efiHandoff([{ start: 0x40400000, size: 0x1f6e000 }, { start: 0x42600000, size: 0xf8000 }, { start: 0x42800000, size: 0x300000 }]), { xenVersion: '4.20' });
    expect(r.panic).to.equal('Xen BUG at common/page_alloc.c:1486');
    expect(realLines('trixie/gen-bootefi.log')).to.include('(XEN) Xen BUG at common/page_alloc.c:1486');
    expect(r.domains.map((d) => [d.name, d.verdict, d.message])).to.deep.equal([
      ['domU1', 'xen panic', 'Xen BUG at common/page_alloc.c:1486'], ['domU0', 'xen panic', 'Xen BUG at common/page_alloc.c:1486'],
    ]);
    expect(r.findings.at(-1)).to.equal('boot module 0x40400000+0x2010000 reaches past the loaded file\'s last page 0x4236e000: U-Boot\'s EFI memory map (EfiBootServicesData up to there) starts a RAM bank inside the module, Xen puts [0x4236e000, 0x42410000) in its heap and discard_initial_modules() frees it twice');
    const lines = r.console.filter((l) => l.startsWith('(XEN) *** LOADING'));
    expect(lines).to.have.length(2);
  });
});
