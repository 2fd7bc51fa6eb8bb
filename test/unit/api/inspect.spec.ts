// inspect(): a script read without booting it. The script images are the real mkimage's
// (test/fixtures/inspect/make-fixtures.sh, test/fixtures/images/make-fixtures.sh); the corpus
// scripts are read over the real lab binaries (sparse copies of their headers).
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inspect } from '../../../src/api/inspect.js';
import { simulate } from '../../../src/api/simulate.js';
import { inspectExitCode, formatInspectReport } from '../../../src/cli/commands/inspect.js';
import { fixturePath, REPO_ROOT } from '../../helpers/paths.js';
import { tempDir } from '../../helpers/images.js';
import { materialise } from '../../corpus/materialise.js';

const plain = { bold: (s: string) => s, dim: (s: string) => s, red: (s: string) => s, green: (s: string) => s, yellow: (s: string) => s };
const LAB_FILES = [
  { name: 'Image', from: 'kernel' }, { name: 'initramfs.cpio.gz', from: 'initramfs' }, { name: 'xen', from: 'xen' }, { name: 'virt.dtb', from: 'dtb' },
] as const;

describe('api → inspect', () => {
  let lab: string;
  before(() => { lab = tempDir('uboot-gen-inspect-'); materialise(lab, LAB_FILES); });
  after(() => fs.rmSync(lab, { recursive: true, force: true }));

  it('reads the config.example boot.scr mkimage wrapped: header, CRCs, loads, DTB, /chosen, boot, no finding', () => {
    const r = inspect(fixturePath('inspect', 'config.example.scr'), { root: REPO_ROOT });
    const h = r.script.image!;
    expect(r.script.kind).to.equal('script-image');
    expect([h.magic, h.name, h.time, h.size, h.load, h.entry, h.os.name, h.arch.name, h.type.name, h.compression.name])
      .to.deep.equal([0x27051956, '', 0, 2514, 0, 0, 'Linux', 'AArch64', 'Script', 'uncompressed']);
    expect(h.headerCrc).to.deep.equal({ stored: 0x1e3d819f, computed: 0x1e3d819f, ok: true });
    expect(h.dataCrc).to.deep.equal({ stored: 0x964ffba5, computed: 0x964ffba5, ok: true });
    expect(h.parts).to.deep.equal([{ index: 0, offset: 8, length: 2506, runs: true }]);
    expect(r.script.text).to.deep.equal({ bytes: 2506, lines: 48, commands: 48 });
    expect(r.loads.map((l) => [l.line, l.command, l.addr, l.file, l.size, l.footprint, l.format, l.role])).to.deep.equal([
      [1, 'tftpb', 0x40400000, 'samples/Image', 262144, 0x2010000, 'arm64-image', 'module'],
      [2, 'tftpb', 0x42600000, 'samples/initrd.cpio.gz', 295, 0x127, 'gzip', 'module'],
      [3, 'tftpb', 0x42800000, 'samples/xen', 131072, 0x1360c8, 'arm64-image', 'boot-image'],
      [4, 'tftpb', 0x42a00000, 'samples/virt.dtb', 2081, 2081, 'dtb', 'dtb'],
    ]);
    // The README's figures for this config: the edits add 1279 bytes, fdt resize 0x4FF, totalsize 4096, +12288 pad.
    expect(r.dtb).to.deep.equal({ addr: 0x42a00000, from: 'file', file: 'samples/virt.dtb', size: 2081, resize: { line: 6, arg: '0x4FF', bytes: 0x4ff },
      growth: 1279, edits: 40, sizeAfter: 4096, bootPad: 12288 });
    expect(r.chosen!.children.map((c) => c.path)).to.deep.equal(['/chosen/domU1', '/chosen/domU0', '/chosen/dom0-ramdisk@42600000', '/chosen/dom0@40400000']);
    expect(r.chosen!.props.find((p) => p.name === 'xen,xen-bootargs')!.value).to.equal('"console=dtuart dtuart=/pl011@9000000 dom0_mem=512M bootscrub=0"');
    expect(r.chosen!.children[1]!.children[1]!.props).to.deep.equal([
      { name: 'bootargs', value: '"console=ttyAMA0 marker=domU0"' },
      { name: 'reg', value: '<0x00 0x40400000 0x00 0x2010000>' },
      { name: 'compatible', value: '"multiboot,kernel", "multiboot,module"' },
    ]);
    expect(r.boot).to.deep.equal({ line: 48, command: 'booti 0x42800000 - 0x42A00000', image: 0x42800000, ramdisk: '-', fdt: 0x42a00000 });
    expect(r.memoryMap.map((m) => `${m.start.toString(16)}-${m.end.toString(16)} ${m.kind}`)).to.deep.equal([
      '40000000-c0000000 ram', '40400000-42410000 load', '42600000-42600127 load', '42800000-429360c8 load',
      '42a00000-42a00821 load', '42a00821-42a04000 dtb-growth', 'bddb2000-c0000000 uboot',
    ]);
    expect(r.findings).to.deep.equal([]);
    expect(inspectExitCode(r)).to.equal(0);
    expect(formatInspectReport(r, plain).split('\n').slice(-2)).to.deep.equal(['Findings', '  ✓ none: nothing found that would stop this script']);
  });

  it('reports a corrupted data CRC and a corrupted header CRC (exit 4, IMAGE_BAD_CRC)', () => {
    const good = fs.readFileSync(fixturePath('inspect', 'config.example.scr'));
    const dir = tempDir();
    const data = Buffer.from(good); data.writeUInt8(data.readUInt8(good.length - 2) ^ 0xff, good.length - 2);
    fs.writeFileSync(path.join(dir, 'data.scr'), data);
    const head = Buffer.from(good); head.writeUInt8(head.readUInt8(8) ^ 0x01, 8); // ih_time: the header CRC no longer matches
    fs.writeFileSync(path.join(dir, 'head.scr'), head);
    const d = inspect(path.join(dir, 'data.scr'));
    expect(d.script.image!.headerCrc.ok).to.equal(true);
    expect(d.script.image!.dataCrc).to.deep.equal({ stored: 0x964ffba5, computed: d.script.image!.dataCrc.computed, ok: false });
    expect(d.findings.filter((f) => f.level === 'error').map((f) => f.code)).to.deep.equal(['IMAGE_BAD_CRC']);
    expect(d.findings[0]!.message).to.match(/^data\.scr: bad data CRC \(stored 0x964ffba5, computed 0x[0-9a-f]{8}\): U-Boot's `source` stops with "Bad data crc"$/);
    expect(inspectExitCode(d)).to.equal(4);
    const h = inspect(path.join(dir, 'head.scr'));
    expect([h.script.image!.headerCrc.ok, h.script.image!.dataCrc.ok, h.script.image!.time]).to.deep.equal([false, true, 0x01000000]);
    expect(h.findings.filter((f) => f.level === 'error').map((f) => f.code)).to.deep.equal(['IMAGE_BAD_CRC']);
    expect(h.findings[0]!.message).to.match(/^head\.scr: bad header CRC \(stored 0x1e3d819f, computed 0x[0-9a-f]{8}\): U-Boot's `source` stops with "Bad header crc"$/);
  });

  it('lists every part of a multi-part script image, part 0 being the script', () => {
    const r = inspect(fixturePath('images', 'script-3-parts.scr'));
    expect(r.script.image!.parts).to.deep.equal([
      { index: 0, offset: 16, length: 3, runs: true }, { index: 1, offset: 20, length: 5, runs: false }, { index: 2, offset: 28, length: 2, runs: false },
    ]);
    expect([r.script.image!.headerCrc.ok, r.script.image!.dataCrc.ok, r.script.image!.size]).to.deep.equal([true, true, 30]);
    expect(r.findings.map((f) => f.code)).to.deep.equal(['INSPECT_NO_BOOT']);
    expect(inspectExitCode(r)).to.equal(0);
  });

  const CORPUS: { name: string; root: boolean; findings: string[] }[] = [
    { name: 'ramdisk-overlaps-kernel', root: false, findings: ['2 INSPECT_LOADS_OVERLAP initramfs.cpio.gz 0x42000000..0x420F791D / Image 0x40400000..0x42410000'] },
    { name: 'domu-without-cpus', root: false, findings: ['25 INSPECT_DOMAIN_PROPERTY /chosen/domU1 cpus'] },
    { name: 'kernel-reg-shorter', root: true, findings: ['19 INSPECT_REG_SHORT /chosen/domU0/module@40400000', '33 INSPECT_REG_SHORT /chosen/domU1/module@40400000'] },
    { name: 'kernel-without-multiboot-module', root: false, findings: ['18 INSPECT_MODULE_COMPATIBLE /chosen/domU0/module@40400000'] },
  ];
  const summary = (f: { line?: number; code: string; message: string }): string => {
    const m = f.message;
    if (f.code === 'INSPECT_LOADS_OVERLAP') return `${f.line} ${f.code} ${/"(.*?)" at (\S+) overlaps "(.*?)" \(line \d+\) at (\S+)/.exec(m)!.slice(1).join(' ').replace(/^(\S+ \S+) /, '$1 / ')}`;
    if (f.code === 'INSPECT_DOMAIN_PROPERTY') return `${f.line} ${f.code} ${/^(\S+) has no "(\w+)"/.exec(m)!.slice(1).join(' ')}`;
    return `${f.line} ${f.code} ${m.split(':')[0]}`;
  };
  for (const c of CORPUS) {
    for (const withRoot of c.root ? [true] : [false, true]) {
      it(`finds the defect of corpus/${c.name}.source${withRoot ? ' with --root' : ' from the script alone'} (exit 6)`, () => {
        const r = inspect(fixturePath('corpus', `${c.name}.source`), withRoot ? { root: lab } : {});
        expect(r.script.kind).to.equal('text');
        expect(r.findings.map(summary)).to.deep.equal(c.findings);
        expect(inspectExitCode(r)).to.equal(6);
        expect(r.dtb!.from).to.equal(withRoot ? 'file' : 'empty-tree');
      });
    }
  }

  it('sizes the corpus loads from the real files under --root', () => {
    const r = inspect(fixturePath('corpus', 'domu-without-cpus.source'), { root: lab });
    expect(r.loads.map((l) => [l.file, l.size, l.footprint, l.description])).to.deep.equal([
      ['Image', 32956352, 0x2010000, 'arm64 Image, image_size 0x2010000, place anywhere'],
      ['initramfs.cpio.gz', 1014045, 1014045, 'gzip-compressed data containing a cpio archive'],
      ['xen', 983048, 0x1360c8, 'arm64 Image, image_size 0x1360C8, place anywhere'],
      ['virt.dtb', 1048576, 1048576, 'device tree, totalsize 1048576'],
    ]);
    expect(r.dtb).to.deep.equal({ addr: 0x42a00000, from: 'file', file: 'virt.dtb', size: 1048576, resize: { line: 6, arg: '1024', bytes: 0x1024 },
      growth: 824, edits: 30, sizeAfter: 12288, bootPad: 12288 });
  });

  it('finds a missing file, a missing fdt resize and a boot of an address nothing was loaded at', () => {
    const text = fs.readFileSync(fixturePath('inspect', 'config.example.source'), 'utf8')
      .replace('fdt resize 0x4FF\n', '').replace('samples/xen', 'samples/xen-missing').replace('booti 0x42800000', 'booti 0x44000000');
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'boot.source'), text);
    const r = inspect(path.join(dir, 'boot.source'), { root: REPO_ROOT });
    expect(r.findings.map((f) => `${f.line} ${f.level} ${f.code}`)).to.deep.equal([
      '3 error IMAGE_NOT_FOUND',
      '6 error INSPECT_FDT_RESIZE',
      '47 error INSPECT_BOOT_TARGET',
    ]);
    expect(r.findings[1]!.message).to.equal('boot.source line 6: `fdt set /chosen \\#address-cells <0x2>` fails with FDT_ERR_NOSPACE: the script has no `fdt resize`, so the DTB has only its own free space, but the script\'s fdt edits add 1279 bytes; 39 later fdt commands fail after it');
    expect(r.findings[1]!.fix).to.equal('write `fdt resize 0x4FF` (or more) before the first edit');
    expect(inspectExitCode(r)).to.equal(4);
  });

  it('refuses a file that is no script (IMAGE_WRONG_TYPE)', () => {
    expect(() => inspect(fixturePath('images', 'initrd-newc.cpio.gz'))).to.throw().with.property('code', 'IMAGE_WRONG_TYPE');
  });
});

describe('api → simulate → a .source text', () => {
  it('runs boot.source as mkimage would have wrapped it, with the same verdicts as the image', () => {
    const lab = tempDir('uboot-gen-inspect-');
    materialise(lab, LAB_FILES);
    const r = simulate(fixturePath('corpus', 'domu-without-cpus.source'), { root: lab, scriptAddr: 0x40200000, xenVersion: '4.17' });
    expect(r.wrappedText).to.equal(true);
    expect(r.ok).to.equal(false);
    expect(r.domains.map((d) => `${d.name}:${d.verdict}`)).to.deep.equal(['domU1:xen panic', 'domU0:not started']);
    const scr = simulate(fixturePath('inspect', 'config.example.scr'), { root: REPO_ROOT, scriptAddr: 0x40200000 });
    const src = simulate(fixturePath('inspect', 'config.example.source'), { root: REPO_ROOT, scriptAddr: 0x40200000 });
    expect([scr.wrappedText, src.wrappedText]).to.deep.equal([undefined, true]);
    expect(src.domains.map((d) => `${d.name}:${d.verdict}`)).to.deep.equal(['dom0:up', 'domU1:up', 'domU0:up']);
    expect(src.domains.map((d) => d.verdict)).to.deep.equal(scr.domains.map((d) => d.verdict));
    fs.rmSync(lab, { recursive: true, force: true });
  });
});
