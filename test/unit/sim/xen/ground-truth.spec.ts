// Replays the lab's real-boot cases (test/fixtures/transcripts/*.source) into a hand-off —
// real QEMU virt DTB edited with our libfdt port, real 4 KiB heads of the Debian kernel and Xen
// with their real sizes — and compares the model's console with what real Xen 4.17.7 printed.
import { expect } from 'chai';
import * as fs from 'node:fs';
import { totalsize } from '../../../../src/fdt/header.js';
import { pathOffset } from '../../../../src/fdt/ro.js';
import { addSubnode, openInto, setprop, setpropCells, setpropString } from '../../../../src/fdt/rw.js';
import { bootXen, type XenResult } from '../../../../src/sim/xen/index.js';
import { fixturePath } from '../../../helpers/paths.js';
import { handoff, sparseFile, type Load } from './helpers.js';

const REAL = (f: string): string => fixturePath('real', f);
const TX = (f: string): string => fixturePath('transcripts', f);

function replay(source: string): ReturnType<typeof handoff> {
  const manifest = JSON.parse(fs.readFileSync(REAL('MANIFEST.json'), 'utf8'));
  const files: Record<string, () => ReturnType<typeof sparseFile>> = {
    Image: () => sparseFile('real-Image', manifest.kernel.size, fs.readFileSync(REAL(manifest.kernel.headerSlice.file))),
    xen: () => sparseFile('real-xen', manifest.xen.size, fs.readFileSync(REAL(manifest.xen.headerSlice.file))),
    'initramfs.cpio.gz': () => sparseFile('real-initramfs.cpio.gz', manifest.labInitramfs.size, new Uint8Array([0x1f, 0x8b, 0x08, 0x00])),
  };
  const real = fs.readFileSync(REAL(manifest.board.dtb.file));
  const fdt = new Uint8Array(real.length + 0x10000);
  expect(openInto(real, fdt, fdt.length)).to.equal(0);
  const loads: Load[] = [];
  let fdtAddr = 0;
  let xenAddr = 0;
  for (const line of source.split('\n')) {
    const t = line.match(/"[^"]*"|<[^>]*>|\S+/g) ?? [];
    if (t[0] === 'tftpb' && t[2] !== 'virt.dtb') loads.push({ addr: Number(t[1]), file: files[t[2]!]!() });
    if (t[0] === 'booti') { xenAddr = Number(t[1]); fdtAddr = Number(t[3]); }
    if (t[0] !== 'fdt') continue;
    if (t[1] === 'mknod') {
      expect(addSubnode(fdt, pathOffset(fdt, t[2]!) as number, t[3]!)).to.be.greaterThan(0);
    } else if (t[1] === 'set') {
      const node = pathOffset(fdt, t[2]!) as number;
      const name = t[3]!.replace(/^\\/, '');
      const vals = t.slice(4);
      if (vals.length === 0) setprop(fdt, node, name, new Uint8Array(0));
      else if (vals[0]!.startsWith('<')) setpropCells(fdt, node, name, vals[0]!.slice(1, -1).trim().split(/\s+/).map(Number));
      else setpropString(fdt, node, name, ...vals.map((v) => v.replace(/^"|"$/g, '')));
    }
  }
  const h = handoff(loads, fdt.subarray(0, totalsize(fdt)), fdtAddr, xenAddr, { xenImageSize: manifest.xen.arm64Header.imageSize });
  return h;
}

/** The real Xen lines from the first LOADING line on, without guest output. */
function realFromLoading(log: string): string[] {
  const lines = log.split('\n').filter((l) => l.startsWith('(XEN) ') && !/^\(XEN\) (DOM\d+:|d\d+v\d+:)/.test(l));
  const from = lines.findIndex((l) => l.includes('*** LOADING'));
  return lines.slice(from);
}
const ourFromLoading = (r: XenResult): string[] => r.console.slice(r.console.findIndex((l) => l.includes('*** LOADING')));

describe('sim → xen → ground truth (real Xen 4.17.7 boots on QEMU virt)', function () {
  before(function () {
    if (!fs.existsSync(REAL('MANIFEST.json')) || !fs.existsSync(TX('a-dom0less-2domu.source'))) this.skip();
  });

  for (const [cas, panic] of [
    ['a-dom0less-2domu', undefined],
    ['e-domu-memory-one-cell', 'Could not set up domain domU0'],
    ['f-enhanced-without-dom0', 'At the moment, Xenstore support requires dom0 to be present'],
    ['m-domu-memory-too-big', 'Failed to allocate requested domain memory. 2097152KB unallocated. Fix the VMs configurations.'],
    ['n-domu-kernel-reg-not-module-start', 'Could not set up domain domU0'],
  ] as const) {
    it(`${cas}: console identical from the first LOADING line to the end`, function () {
      const r = bootXen(replay(fs.readFileSync(TX(`${cas}.source`), 'utf8')));
      const real = realFromLoading(fs.readFileSync(TX(`${cas}.log`), 'utf8'));
      const ours = ourFromLoading(r);
      expect(ours).to.deep.equal(real.slice(0, ours.length));
      expect(r.panic).to.equal(panic);
      if (panic) expect(ours[ours.length - 1]).to.equal('(XEN) Reboot in five seconds...');
    });
  }

  it('n: the reg 2 MiB inside the Image is probed as a kernel and matches no format', function () {
    const r = bootXen(replay(fs.readFileSync(TX('n-domu-kernel-reg-not-module-start.source'), 'utf8')));
    expect(r.domains.map((d) => [d.name, d.verdict])).to.deep.equal([['domU1', 'not started'], ['domU0', 'xen panic']]);
    expect(r.domains[1]!.reason).to.match(/neither an arm64 Image, a uImage nor an arm32 zImage/);
  });

  it('i-dtuart-serial0: no console at all (the real log ends at "Starting kernel ...")', function () {
    const r = bootXen(replay(fs.readFileSync(TX('i-dtuart-serial0.source'), 'utf8')));
    const log = fs.readFileSync(TX('i-dtuart-serial0.log'), 'utf8');
    expect(log.includes('(XEN)')).to.equal(false);
    expect(r.consoleVisible).to.equal(false);
    expect(r.domains.map((d) => d.verdict)).to.deep.equal(['up', 'up']);
  });

  it('b-dom0-domu: dom0 bank and kernel/initrd placement as real; only lines we can model, in order', function () {
    const r = bootXen(replay(fs.readFileSync(TX('b-dom0-domu.source'), 'utf8')));
    const real = realFromLoading(fs.readFileSync(TX('b-dom0-domu.log'), 'utf8'));
    let at = 0;
    const missing: string[] = [];
    for (const line of ourFromLoading(r)) {
      const i = real.indexOf(line, at);
      if (i < 0) missing.push(line); else at = i + 1;
    }
    // The dom0 DTB size is an estimate (declared in r.estimates); every other line is real.
    expect(missing).to.deep.equal([r.console.find((l) => l.startsWith('(XEN) Loading d0 DTB'))]);
    expect(r.console).to.include.members([
      '(XEN) BANK[0] 0x00000060000000-0x00000080000000 (512MB)',
      '(XEN) Loading zImage from 0000000040400000 to 0000000060000000-0000000062010000',
      '(XEN) Loading d0 initrd from 0000000042600000 to 0x0000000068200000-0x00000000682f791d',
    ]);
    // The domU part (xen,enhanced with dom0: extended regions + hypervisor node) is exact.
    const ours = r.console.slice(r.console.indexOf('(XEN) *** LOADING DOMU cpus=1 memory=40000KB ***'));
    const from = real.indexOf('(XEN) *** LOADING DOMU cpus=1 memory=40000KB ***');
    expect(ours).to.deep.equal(real.slice(from, from + ours.length));
    expect(r.domains.map((d) => [d.name, d.domid, d.verdict])).to.deep.equal([['dom0', 0, 'up'], ['domU0', 1, 'up']]);
  });
});
