import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { ImageFormatError } from '../../../src/errors.js';
import { cpioVariant, parseCpioEntry, probeCpio, walkCpio } from '../../../src/images/cpio.js';
import { FDT_MAGIC, parseDtbHeader, probeDtb } from '../../../src/images/dtb.js';
import { gzipIsize, parseGzipHeader, peekGunzip, probeGzip } from '../../../src/images/gzip.js';
import { FORMATS, detectCompression, detectFormat } from '../../../src/images/registry.js';
import { parseZImage, probeZImage } from '../../../src/images/zimage.js';
import { catchError, fixtureBytes, hasTool, runTool, tempDir } from './fixtures.js';

const flipped = (b: Uint8Array, offset: number, value: number): Uint8Array => { const c = b.slice(); c[offset] = value; return c; };

describe('images → zimage', () => {
  it('reads the real Debian armmp 6.1 zImage header (end = file size)', () => {
    const z = parseZImage(fixtureBytes('zImage-6.1.0-50-armmp.head'), 'vmlinuz');
    expect(z).to.deep.equal({ start: 0, end: 0x532200, size: 0x532200, endianness: 'little' });
    expect(z.size).to.equal(5448192); // = realSize in MANIFEST.json
  });

  it('reads the real Xen 4.17 armhf header (end − start beyond the file: BSS)', () => {
    const z = parseZImage(fixtureBytes('xen-4.17-armhf.head'), 'xen');
    expect(z).to.deep.equal({ start: 0, end: 0x116290, size: 0x116290, endianness: undefined });
    expect(z.size).to.be.greaterThan(884744);
  });

  it('rejects a broken magic and a truncated header', () => {
    const bad = flipped(fixtureBytes('zImage-6.1.0-50-armmp.head'), 0x24, 0);
    expect(probeZImage(bad)).to.equal(false);
    expect(() => parseZImage(bad, 'z')).to.throw(ImageFormatError).with.property('code', 'IMAGE_BAD_MAGIC');
    expect(() => parseZImage(fixtureBytes('zImage-6.1.0-50-armmp.head').subarray(0, 0x2e), 'z'))
      .to.throw(ImageFormatError).with.property('code', 'IMAGE_TRUNCATED');
  });

  it('rejects end before start', () => {
    const bad = fixtureBytes('zImage-6.1.0-50-armmp.head').slice();
    new DataView(bad.buffer).setUint32(0x28, 0x600000, true);
    expect(() => parseZImage(bad, 'z')).to.throw(ImageFormatError).with.property('code', 'IMAGE_UNSUPPORTED');
  });
});

describe('images → gzip', () => {
  it('parses a `gzip -n` header (no name, mtime 0) and the ISIZE trailer', () => {
    const gz = fixtureBytes('initrd-newc.cpio.gz');
    expect(probeGzip(gz)).to.equal(true);
    expect(parseGzipHeader(gz, 'initrd.gz')).to.deep.equal({ method: 8, flags: 0, mtime: 0, xfl: 2, os: 3, textHint: false, headerSize: 10 });
    expect(gzipIsize(gz.subarray(gz.length - 4))).to.equal(fixtureBytes('initrd-newc.cpio').length);
  });

  it('parses FNAME and MTIME of a `gzip -N` header', () => {
    const h = parseGzipHeader(fixtureBytes('tiny.dtb.gz'), 'tiny.dtb.gz');
    expect([h.flags, h.name, h.mtime, h.headerSize]).to.deep.equal([0x08, 'tiny.dtb', 0x6b024139, 19]);
  });

  it('reports an unterminated FNAME as IMAGE_TRUNCATED and reserved flags as IMAGE_UNSUPPORTED', () => {
    expect(() => parseGzipHeader(fixtureBytes('tiny.dtb.gz').subarray(0, 14), 'x')).to.throw(ImageFormatError).with.property('code', 'IMAGE_TRUNCATED');
    expect(() => parseGzipHeader(flipped(fixtureBytes('initrd-newc.cpio.gz'), 3, 0x20), 'x')).to.throw(ImageFormatError).with.property('code', 'IMAGE_UNSUPPORTED');
    expect(() => parseGzipHeader(flipped(fixtureBytes('initrd-newc.cpio.gz'), 2, 7), 'x')).to.throw(ImageFormatError).with.property('code', 'IMAGE_UNSUPPORTED');
  });

  it('peeks the start of a whole small gzip file', () => {
    const out = peekGunzip(fixtureBytes('initrd-newc.cpio.gz'), 6);
    expect(Buffer.from(out).toString('latin1')).to.equal('070701');
    expect(peekGunzip(fixtureBytes('initrd-newc.cpio.gz'), 1 << 20)).to.deep.equal(fixtureBytes('initrd-newc.cpio'));
  });

  it('peeks the arm64 Image inside the first 4 KiB of a gzip-compressed real kernel', () => {
    const out = peekGunzip(fixtureBytes('Image-6.1.0-50-cloud-arm64.gz.head'), 4096);
    expect(out.length).to.equal(4096);
    expect(Buffer.from(out).equals(Buffer.from(fixtureBytes('Image-6.1.0-50-cloud-arm64.head')))).to.equal(true);
    expect(detectFormat(out)).to.equal('arm64-image');
  });

  it('does not inflate a whole 64 KiB head of highly compressible data to peek 64 bytes', () => {
    const gz = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024)); // ~64 KiB of deflate → 64 MiB
    const before = process.memoryUsage().arrayBuffers;
    const out = peekGunzip(gz.subarray(0, 64 * 1024), 64);
    expect(out).to.deep.equal(new Uint8Array(64));
    expect(process.memoryUsage().arrayBuffers - before).to.be.lessThan(32 * 1024 * 1024);
  });

  it('reports corrupt deflate data as IMAGE_UNSUPPORTED', () => {
    const gz = fixtureBytes('initrd-newc.cpio.gz').slice();
    gz[10] = 0xff; // first deflate block header: BTYPE=11 is reserved
    expect(() => peekGunzip(gz, 64)).to.throw(ImageFormatError).with.property('code', 'IMAGE_UNSUPPORTED');
  });

  it('gives ISIZE of the last 4 bytes only', () => {
    expect(gzipIsize(Uint8Array.from([0xaa, 0xc0, 0x97, 0x9f, 0x01]))).to.equal(0x019f97c0);
    expect(() => gzipIsize(new Uint8Array(3))).to.throw(ImageFormatError).with.property('code', 'IMAGE_TRUNCATED');
  });
});

describe('images → cpio', () => {
  it('parses the first newc entry made by `cpio -o -H newc`', () => {
    const e = parseCpioEntry(fixtureBytes('initrd-newc.cpio'), 'initrd');
    expect(e).to.deep.equal({
      variant: 'newc', name: 'init', mode: 0o100755, uid: 0, gid: 0, nlink: 1, mtime: 0, fileSize: 36,
      offset: 0, dataOffset: 116, nextOffset: 152,
    });
  });

  it('parses the first odc entry made by `cpio -o -H odc`', () => {
    const e = parseCpioEntry(fixtureBytes('initrd-odc.cpio'), 'initrd');
    expect(e).to.deep.equal({
      variant: 'odc', name: 'init', mode: 0o100755, uid: 0, gid: 0, nlink: 1, mtime: 0, fileSize: 36,
      offset: 0, dataOffset: 81, nextOffset: 117,
    });
  });

  it('recognises crc ("070702") archives as newc-layout', () => {
    expect(cpioVariant(fixtureBytes('initrd-crc.cpio'))).to.equal('crc');
    expect(parseCpioEntry(fixtureBytes('initrd-crc.cpio'), 'x').nextOffset).to.equal(152);
  });

  for (const name of ['initrd-newc.cpio', 'initrd-odc.cpio', 'initrd-crc.cpio']) {
    it(`walks every entry of ${name} up to TRAILER!!! (same list as cpio -t)`, () => {
      const w = walkCpio(fixtureBytes(name), name);
      expect(w.complete).to.equal(true);
      expect(w.entries.map((e) => [e.name, e.fileSize])).to.deep.equal([['init', 36], ['bin', 0], ['etc', 0], ['etc/passwd', 30]]);
      const passwd = w.entries[3]!;
      expect(Buffer.from(fixtureBytes(name).subarray(passwd.dataOffset, passwd.dataOffset + 4)).toString()).to.equal('root');
    });
  }

  it('stops without error when a head slice ends mid-archive', () => {
    const w = walkCpio(fixtureBytes('initrd-newc.cpio').subarray(0, 200), 'x');
    expect([w.complete, w.entries.map((e) => e.name)]).to.deep.equal([false, ['init']]);
  });

  it('rejects a non-hex field as IMAGE_BAD_MAGIC and a cut name as IMAGE_TRUNCATED', () => {
    const err = catchError(() => parseCpioEntry(flipped(fixtureBytes('initrd-newc.cpio'), 20, 0x47), 'x'));
    expect([err.code, err.data['field']]).to.deep.equal(['IMAGE_BAD_MAGIC', 'c_mode']);
    expect(() => parseCpioEntry(fixtureBytes('initrd-newc.cpio').subarray(0, 112), 'x')).to.throw(ImageFormatError).with.property('code', 'IMAGE_TRUNCATED');
    expect(probeCpio(fixtureBytes('initrd-newc.cpio').subarray(0, 5))).to.equal(false);
  });

  it('agrees with a live `cpio -t` on a fresh archive', function () {
    if (!hasTool('cpio')) this.skip(); // cpio not installed
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'root', 'a'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'root', 'a', 'file-with-odd-name.txt'), 'x'.repeat(1001));
    const archive = path.join(dir, 'out.cpio');
    runTool('sh', ['-c', `cd root && find . | LC_ALL=C sort | cpio --quiet -o -H newc > ${JSON.stringify(archive)}`], { cwd: dir });
    const listed = runTool('cpio', ['--quiet', '-it', '-F', archive]).trim().split('\n');
    const w = walkCpio(new Uint8Array(fs.readFileSync(archive)), 'out.cpio');
    expect(w.complete).to.equal(true);
    expect(w.entries.map((e) => e.name)).to.deep.equal(listed);
  });
});

describe('images → dtb', () => {
  it('parses the header of a dtc-compiled blob', () => {
    const b = fixtureBytes('tiny.dtb');
    expect(probeDtb(b)).to.equal(true);
    expect(parseDtbHeader(b, 'tiny.dtb')).to.deep.equal({
      totalsize: 456, offDtStruct: 0x48, offDtStrings: 0x180, offMemRsvmap: 0x28, version: 17, lastCompVersion: 16,
      bootCpuidPhys: 0, sizeDtStrings: 0x48, sizeDtStruct: 0x138,
    });
    expect(FDT_MAGIC).to.equal(0xd00dfeed);
  });

  it('rejects a bad magic, an unsupported version and blocks beyond totalsize', () => {
    const b = fixtureBytes('tiny.dtb');
    expect(() => parseDtbHeader(flipped(b, 0, 0), 'x')).to.throw(ImageFormatError).with.property('code', 'IMAGE_BAD_MAGIC');
    expect(() => parseDtbHeader(flipped(b, 0x17, 1), 'x')).to.throw(ImageFormatError).with.property('code', 'IMAGE_UNSUPPORTED');
    expect(() => parseDtbHeader(flipped(b, 7, 0x40), 'x')).to.throw(ImageFormatError).with.property('code', 'IMAGE_TRUNCATED');
    expect(() => parseDtbHeader(b.subarray(0, 30), 'x')).to.throw(ImageFormatError).with.property('code', 'IMAGE_TRUNCATED');
  });

  it('parses a blob that the live dtc decompiles to the same content', function () {
    if (!hasTool('dtc')) this.skip(); // device-tree-compiler not installed
    const dts = runTool('dtc', ['-q', '-I', 'dtb', '-O', 'dts', path.join('test', 'fixtures', 'images', 'tiny.dtb')]);
    expect(dts).to.match(/\/memreserve\/\s+0x0*48000000\s+0x0*100000;/);
    expect(dts).to.contain('model = "uboot-gen tiny";');
  });
});

describe('images → registry', () => {
  const expected: [string, string][] = [
    ['boot.scr', 'uimage'], ['xen-head.ub', 'uimage'], ['initrd.uimg', 'uimage'],
    ['xen-4.17-arm64.head', 'arm64-image'], ['Image-6.1.0-50-cloud-arm64.head', 'arm64-image'],
    ['zImage-6.1.0-50-armmp.head', 'zimage'], ['xen-4.17-armhf.head', 'zimage'],
    ['initrd-newc.cpio.gz', 'gzip'], ['tiny.dtb.gz', 'gzip'], ['Image-6.1.0-50-cloud-arm64.gz.head', 'gzip'],
    ['initrd-newc.cpio', 'cpio'], ['initrd-odc.cpio', 'cpio'], ['initrd-crc.cpio', 'cpio'],
    ['tiny.dtb', 'dtb'],
    ['boot.source', 'unknown'], ['initrd-newc.cpio.zst', 'unknown'],
  ];
  for (const [name, id] of expected) {
    it(`detects ${name} as ${id}`, () => expect(detectFormat(fixtureBytes(name))).to.equal(id));
  }

  it('has a real fixture for every registered format', () => {
    const covered = new Set(expected.map(([, id]) => id));
    for (const f of FORMATS) expect(covered.has(f.id), f.id).to.equal(true);
  });

  it('orders formats by signature length, then registration order', () => {
    expect(FORMATS.map((f) => f.id)).to.deep.equal(['gzip', 'uimage', 'dtb', 'cpio', 'zimage', 'arm64-image']);
    for (let i = 1; i < FORMATS.length; i++) expect(FORMATS[i]!.probeBytes).to.be.at.least(FORMATS[i - 1]!.probeBytes);
  });

  it('never throws on short or empty input', () => {
    for (let n = 0; n < 70; n++) expect(() => detectFormat(fixtureBytes('xen-4.17-arm64.head').subarray(0, n))).to.not.throw();
    expect(detectFormat(new Uint8Array(0))).to.equal('unknown');
  });

  it('detects compression magics (zstd needs all four bytes)', () => {
    expect(detectCompression(fixtureBytes('initrd-newc.cpio.zst'))).to.equal('zstd');
    expect(detectCompression(Uint8Array.from([0x28, 0xb5, 0x00, 0x00]))).to.equal(undefined);
    expect(detectCompression(fixtureBytes('initrd-newc.cpio.gz'))).to.equal('gzip');
    expect(detectCompression(Buffer.from('BZh91AY&SY'))).to.equal('bzip2');
    expect(detectCompression(fixtureBytes('tiny.dtb'))).to.equal(undefined);
  });

  it('describes every format from its fixture', () => {
    for (const [name, id] of expected) {
      if (id === 'unknown') continue;
      const f = FORMATS.find((x) => x.id === id)!;
      const lines = f.describe(f.parse(fixtureBytes(name), name));
      expect(lines.length, name).to.be.greaterThan(0);
      for (const l of lines) expect(l, name).to.match(/\S/);
    }
  });
});
