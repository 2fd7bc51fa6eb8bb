// Bounded, range-checked input files, end to end through generate(): each hostile file of
// issue 10 is refused at the reader with the config key, the line:col of its value, what the
// file is and the fix; nothing reaches the planner or the simulator.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { expect } from 'chai';
import { UbootGenError } from '../../../src/errors.js';
import { generate } from '../../../src/api/generate.js';
import { checkRole } from '../../../src/images/roles.js';
import { parseArm64Image } from '../../../src/images/arm64-image.js';
import { MAX_SCRIPT_IMAGE_BYTES, readBoardDtb, readWholeInput, sizeImage } from '../../../src/images/probe-file.js';
import { arm64Header, sampleCopy, sparseFile } from '../../helpers/images.js';
import { hasTool, runTool } from '../../helpers/tools.js';
import { deepDtb } from '../../fuzz/hostile-dtbs.js';

/** config.example has 27 lines: an extra line n is line 27 + n; a quoted value starts after KEY=". */
const EXTRA = 28;

function generateError(extra: string[], files: Record<string, Uint8Array | ((p: string) => void)> = {}): UbootGenError {
  const { dir, config } = sampleCopy(extra);
  for (const [name, content] of Object.entries(files)) {
    const p = path.join(dir, name);
    if (typeof content === 'function') content(p); else fs.writeFileSync(p, content);
  }
  try {
    generate(config, { write: false });
  } catch (e) {
    expect(e, String(e)).to.be.instanceOf(UbootGenError);
    return e as UbootGenError;
  }
  throw new Error('generate() succeeded');
}

const virtDts = (): string => runTool('dtc', ['-q', '-I', 'dtb', '-O', 'dts', path.resolve('samples/virt.dtb')]);
const dtc = (dts: string): Uint8Array => new Uint8Array(execFileSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-o', '-', '-'], { input: dts }));

describe('images: bounded input files (end to end)', () => {
  it('DEVICE_TREE=/dev/zero, XEN=/dev/urandom, a FIFO ramdisk: refused by type before any read', () => {
    let e = generateError(['DEVICE_TREE="/dev/zero"']);
    expect(e.code).to.equal('IMAGE_NOT_REGULAR_FILE');
    expect(e.message).to.equal('DEVICE_TREE = "/dev/zero" is a character device, not a regular file');
    expect(e.where).to.deep.include({ line: EXTRA, col: 13, key: 'DEVICE_TREE' });
    expect(e.hint).to.equal('name a regular file (a copy of the image); uboot-gen never reads devices, FIFOs or directories');
    e = generateError(['XEN="/dev/urandom"']);
    expect(e.code).to.equal('IMAGE_NOT_REGULAR_FILE');
    expect(e.where).to.deep.include({ line: EXTRA, col: 5, key: 'XEN' });
    e = generateError(['DOMU_RAMDISK[0]="pipe"'], { pipe: (p) => execFileSync('mkfifo', [p]) });
    expect(e.code).to.equal('IMAGE_NOT_REGULAR_FILE');
    expect(e.message).to.equal(`DOMU_RAMDISK[0] = "${e.data['path'] as string}" is a FIFO (named pipe), not a regular file`);
    expect(e.where).to.deep.include({ line: EXTRA, col: 17, key: 'DOMU_RAMDISK[0]' });
  });

  it('a DTB over 2 GiB (sparse, real header) is refused by its size; no byte past the head is read', () => {
    const e = generateError(['DEVICE_TREE="huge.dtb"'], {
      'huge.dtb': (p) => sparseFile(p, new Uint8Array(fs.readFileSync('samples/virt.dtb')), 2 ** 31 + 4096),
    });
    expect(e.code).to.equal('IMAGE_TOO_LARGE');
    expect(e.message).to.equal(`DEVICE_TREE = "${e.data['path'] as string}" is 2147487744 bytes, but a device tree blob may be at most 2097152 bytes`);
    expect(e.hint).to.equal('Xen refuses a device tree over 2 MiB: check the path, or remove unused nodes and recompile it with dtc');
    expect(e.where).to.deep.include({ line: EXTRA, col: 13 });
  });

  it('an arm64 image_size of 2^53-1 and a Xen text_offset of 0x80000000 are out of range', () => {
    let e = generateError(['DOMU_KERNEL[0]="big"'], { big: arm64Header({ imageSize: 2 ** 53 - 1 }) });
    expect(e.code).to.equal('IMAGE_OUT_OF_RANGE');
    expect(e.message).to.match(/^DOMU_KERNEL\[0\] \(".*\/big"\): arm64 Image header image_size 0x1fffffffffffff is over 4 GiB, larger than any kernel or Xen with its BSS$/);
    expect(e.hint).to.equal('the header is corrupt; rebuild the image or take it from the distribution package');
    expect(e.where).to.deep.include({ line: EXTRA, col: 16, key: 'DOMU_KERNEL[0]' });
    e = generateError(['XEN="xen-bad"'], { 'xen-bad': arm64Header({ imageSize: 0x1360c8, textOffset: 0x80000000 }) });
    expect(e.code).to.equal('IMAGE_OUT_OF_RANGE');
    expect(e.message).to.match(/^XEN \(".*\/xen-bad"\): arm64 Image header text_offset 0x80000000 is not below 2 MiB \(0x200000\), so it cannot be an offset from a 2 MiB-aligned base$/);
    expect(e.where).to.deep.include({ line: EXTRA, col: 5, key: 'XEN' });
  });

  (hasTool('dtc', '-v') ? it : it.skip)('dtc-built DTBs with /memreserve/ or /memory above 2^53, and #address-cells/#size-cells both 0', () => {
    const dts = virtDts();
    let e = generateError(['DEVICE_TREE="rsv.dtb"'], { 'rsv.dtb': dtc(dts.replace('/dts-v1/;', '/dts-v1/;\n/memreserve/ 0x0020000000000000 0x1000;')) });
    expect(e.code).to.equal('FDT_ERR_BADVALUE');
    expect(e.message).to.match(/^DEVICE_TREE \(".*\/rsv\.dtb"\): \/memreserve\/ entry 0 ends at 0x20000000001000, above the 52-bit arm64 physical address space \(0x10000000000000\)$/);
    expect(e.hint).to.equal('fix the address or size in the device tree source and recompile it with dtc');
    expect(e.where).to.deep.include({ line: EXTRA, col: 13, key: 'DEVICE_TREE' });
    e = generateError(['DEVICE_TREE="mem.dtb"'], { 'mem.dtb': dtc(dts.replace('reg = <0x00 0x40000000 0x00 0x80000000>;', 'reg = <0x00 0x40000000 0x00 0x80000000 0x200000 0x00 0x00 0x1000>;')) });
    expect(e.code).to.equal('FDT_ERR_BADVALUE');
    expect(e.message).to.match(/\): \/memory@40000000 reg entry 1 ends at 0x20000000001000, above the 52-bit arm64 physical address space \(0x10000000000000\)$/);
    e = generateError(['DEVICE_TREE="cells0.dtb"'], { 'cells0.dtb': dtc(dts.replace('#size-cells = <0x02>;', '#size-cells = <0x00>;').replace('#address-cells = <0x02>;', '#address-cells = <0x00>;')) });
    expect(e.code).to.equal('FDT_ERR_BADNCELLS');
    expect(e.message).to.match(/^DEVICE_TREE \(".*\/cells0\.dtb"\) is not a usable device tree: #address-cells or #size-cells is malformed or out of range; \/ has #address-cells = <0>, but it must be one cell from 1 to 4 \(FDT_ERR_BADNCELLS\)$/);
    expect(e.where).to.deep.include({ line: EXTRA, col: 13, key: 'DEVICE_TREE' });
  });

  it('a DTB nested 10,000 deep, and a cut structure block: a real message naming the file and the fix', () => {
    let e = generateError(['DEVICE_TREE="deep.dtb"'], { 'deep.dtb': deepDtb(10000) });
    expect(e.code).to.equal('FDT_ERR_BADSTRUCTURE');
    expect(e.message).to.match(/^DEVICE_TREE \(".*deep\.dtb"\) is not a usable device tree: its structure block is corrupt \(an unknown tag, or nodes that do not nest properly\); nodes nest more than 64 levels deep at structure offset 512 \(FDT_ERR_BADSTRUCTURE\)$/);
    expect(e.hint).to.equal('regenerate the blob with dtc (dtc -I dts -O dtb -o board.dtb board.dts) or dump it again from the board or QEMU (-machine virt,dumpdtb=board.dtb)');
    const good = new Uint8Array(fs.readFileSync('samples/virt.dtb'));
    const bad = good.slice();
    new DataView(bad.buffer).setUint32(new DataView(bad.buffer).getUint32(8), 0x00000007); // the root node's tag made unknown
    e = generateError(['DEVICE_TREE="bad.dtb"'], { 'bad.dtb': bad });
    expect(e.code).to.equal('FDT_ERR_BADSTRUCTURE');
    expect(e.message).not.to.include('parseTree');
    expect(e.message).to.match(/^DEVICE_TREE \(".*bad\.dtb"\) is not a usable device tree: its structure block is corrupt \(an unknown tag, or nodes that do not nest properly\); at structure offset 0 \(FDT_ERR_BADSTRUCTURE\)$/);
  });

  it('the role limits: DTB 2 MiB, Xen 64 MiB, an APPEND_EXTRA_CMDS file 1 MiB', () => {
    const dir = path.dirname(sampleCopy().config);
    const xen = path.join(dir, 'samples', 'xen');
    sparseFile(path.join(dir, 'xen-big'), new Uint8Array(fs.readFileSync(xen)), 64 * 1024 * 1024 + 1);
    const info = sizeImage(path.join(dir, 'xen-big'), 'XEN');
    let err: unknown;
    try { checkRole(info, 'xen', 'XEN'); } catch (e) { err = e; }
    expect((err as UbootGenError).code).to.equal('IMAGE_TOO_LARGE');
    expect((err as UbootGenError).message).to.equal(`XEN = "${path.join(dir, 'xen-big')}" is 67108865 bytes, but the Xen hypervisor may be at most 67108864 bytes`);
    checkRole(sizeImage(xen, 'XEN'), 'xen', 'XEN');
    const e = generateError(['APPEND_EXTRA_CMDS="extra.txt"'], { 'extra.txt': new Uint8Array(Buffer.from('echo hi\n'.repeat(140000))) });
    expect(e.code).to.equal('IMAGE_TOO_LARGE');
    expect(e.message).to.equal(`APPEND_EXTRA_CMDS = "${e.data['path'] as string}" is 1120000 bytes, but a text file may be at most 1048576 bytes`);
  });

  it('simulate\'s inputs: the script image and --board go through the same checks', () => {
    const catchIt = (fn: () => unknown): UbootGenError => { try { fn(); } catch (e) { return e as UbootGenError; } throw new Error('no error'); };
    let e = catchIt(() => readWholeInput('/dev/zero', 'SCRIPT', MAX_SCRIPT_IMAGE_BYTES));
    expect([e.code, e.message]).to.deep.equal(['IMAGE_NOT_REGULAR_FILE', 'SCRIPT = "/dev/zero" is a character device, not a regular file']);
    const dir = path.dirname(sampleCopy().config);
    const deep = path.join(dir, 'deep.dtb');
    fs.writeFileSync(deep, deepDtb(10000));
    e = catchIt(() => readBoardDtb(deep, '--board'));
    expect(e.code).to.equal('FDT_ERR_BADSTRUCTURE');
    expect(e.where).to.deep.equal({ file: deep, key: '--board' });
    expect(readBoardDtb(path.join(dir, 'samples', 'virt.dtb'), '--board').length).to.equal(fs.statSync(path.join(dir, 'samples', 'virt.dtb')).size);
  });

  it('64-bit header fields: 2^53 and above are refused exactly (never rounded to a float)', () => {
    const h = arm64Header({ imageSize: 0x1000 });
    const v = new DataView(h.buffer, h.byteOffset, h.byteLength);
    v.setBigUint64(16, 2n ** 53n, true);
    let e = (() => { try { parseArm64Image(h, 'K'); } catch (err) { return err as UbootGenError; } throw new Error('no error'); })();
    expect([e.code, e.message]).to.deep.equal(['IMAGE_OUT_OF_RANGE', 'K: image_size = 0x20000000000000 is too large (above 2^53, beyond any physical address or size)']);
    expect(e.where).to.deep.equal({ file: 'K', offset: 16 });
    v.setBigUint64(16, 0x1000n, true);
    v.setBigUint64(8, 0x200000n, true);
    e = (() => { try { parseArm64Image(h, 'K'); } catch (err) { return err as UbootGenError; } throw new Error('no error'); })();
    expect([e.code, e.data]).to.deep.equal(['IMAGE_OUT_OF_RANGE', { field: 'text_offset', value: 0x200000, max: 0x1fffff }]);
    v.setBigUint64(8, 0x1ff000n, true);
    expect(parseArm64Image(h, 'K').textOffset).to.equal(0x1ff000);
    // image_size 0 (before Linux 3.17): text_offset is not trusted, U-Boot's guesses are used
    v.setBigUint64(16, 0n, true);
    v.setBigUint64(8, 0x80000000n, true);
    expect(parseArm64Image(h, 'K')).to.deep.include({ textOffset: 0x80000, imageSize: 16 * 1024 * 1024, sizeWasGuessed: true });
  });
});
