import { expect } from 'chai';
import { FdtError } from '../../../src/errors.js';
import {
  E, FDT_ERR, FDT_MAGIC, FDT_V17_SIZE, checkHeader, fdtOk, fdtStrerror, fdtVersion, lastCompVersion, nextTag,
  offDtStrings, offDtStruct, offMemRsvmap, offsetPtr, setLastCompVersion, setMagic, setOffDtStrings,
  setSizeDtStrings, setTotalsize, setVersion, sizeDtStrings, sizeDtStruct, totalsize, bootCpuidPhys, fdtMagic,
  FDT_BEGIN_NODE, FDT_PROP, FDT_END,
} from '../../../src/fdt/index.js';
import { loadDtb } from './fdt-helpers.js';

describe('fdt → errors', () => {
  it('numbers the codes as libfdt.h does', () => {
    expect(Object.entries(FDT_ERR).map(([k, v]) => `${k}=${v.n}`)).to.deep.equal([
      'NOTFOUND=1', 'EXISTS=2', 'NOSPACE=3', 'BADOFFSET=4', 'BADPATH=5', 'BADPHANDLE=6', 'BADSTATE=7',
      'TRUNCATED=8', 'BADMAGIC=9', 'BADVERSION=10', 'BADSTRUCTURE=11', 'BADLAYOUT=12', 'INTERNAL=13',
      'BADNCELLS=14', 'BADVALUE=15', 'BADOVERLAY=16', 'NOPHANDLES=17', 'BADFLAGS=18', 'ALIGNMENT=19',
    ]);
  });

  it('fdtStrerror prints the macro name like fdt_strerror()', () => {
    expect(fdtStrerror(-3)).to.equal('FDT_ERR_NOSPACE');
    expect(fdtStrerror(-19)).to.equal('FDT_ERR_ALIGNMENT');
    expect(fdtStrerror(0)).to.equal('<no error>');
    expect(fdtStrerror(12)).to.equal('<valid offset/length>');
    expect(fdtStrerror(-20)).to.equal('<unknown error>');
  });

  it('fdtOk passes values through and throws FdtError with the code otherwise', () => {
    expect(fdtOk(8, 'fdt_path_offset', '/chosen')).to.equal(8);
    expect(() => fdtOk(E.NOTFOUND, 'fdt_path_offset', '/chosen'))
      .to.throw(FdtError, 'libfdt fdt_path_offset(): FDT_ERR_NOTFOUND (/chosen)')
      .with.property('code', 'FDT_ERR_NOTFOUND');
  });
});

describe('fdt → header', () => {
  it('reads every header field of a dtc blob', () => {
    const b = loadDtb('tree1.dtb');
    expect([fdtMagic(b), totalsize(b), offDtStruct(b), offDtStrings(b), offMemRsvmap(b), fdtVersion(b),
      lastCompVersion(b), bootCpuidPhys(b), sizeDtStrings(b), sizeDtStruct(b)])
      // values as fdtdump prints them for this file
      .to.deep.equal([FDT_MAGIC, 2382, 0x58, 0x824, 0x28, 17, 16, 1, 0x12a, 0x7cc]);
    expect(FDT_V17_SIZE).to.equal(40);
  });

  it('accepts valid blobs, also inside a larger buffer at an offset', () => {
    expect(checkHeader(loadDtb('tree1.dtb'))).to.equal(0);
    expect(checkHeader(loadDtb('qemu-virt-gicv3-2g.dtb'))).to.equal(0);
    const big = new Uint8Array(8192);
    big.set(loadDtb('tree1.dtb'), 256);
    expect(checkHeader(big.subarray(256))).to.equal(0);
  });

  it('returns -FDT_ERR_BADMAGIC for a wrong magic', () => {
    const b = loadDtb('tree1.dtb');
    setMagic(b, 0xd00dfeee);
    expect(checkHeader(b)).to.equal(E.BADMAGIC);
  });

  it('returns -FDT_ERR_BADVERSION for version < 2, last_comp_version > 17, or version < last_comp_version', () => {
    let b = loadDtb('tree1.dtb'); setVersion(b, 1);
    expect(checkHeader(b)).to.equal(E.BADVERSION);
    b = loadDtb('tree1.dtb'); setLastCompVersion(b, 18);
    expect(checkHeader(b)).to.equal(E.BADVERSION);
    b = loadDtb('tree1.dtb'); setVersion(b, 16); setLastCompVersion(b, 17);
    expect(checkHeader(b)).to.equal(E.BADVERSION);
  });

  it('returns -FDT_ERR_TRUNCATED when the buffer is shorter than totalsize', () => {
    const b = loadDtb('tree1.dtb');
    expect(checkHeader(b.subarray(0, b.length - 1))).to.equal(E.TRUNCATED);
    expect(checkHeader(b.subarray(0, 3))).to.equal(E.TRUNCATED);
  });

  it('returns -FDT_ERR_TRUNCATED for totalsize < header, > INT_MAX, or a block past totalsize (incl. overflow)', () => {
    let b = loadDtb('tree1.dtb'); setTotalsize(b, 39);
    expect(checkHeader(b)).to.equal(E.TRUNCATED);
    b = loadDtb('tree1.dtb'); setTotalsize(b, 0x80000000);
    expect(checkHeader(b)).to.equal(E.TRUNCATED);
    b = loadDtb('tree1.dtb'); setSizeDtStrings(b, sizeDtStrings(b) + 1);
    expect(checkHeader(b)).to.equal(E.TRUNCATED);
    b = loadDtb('tree1.dtb'); setOffDtStrings(b, 0xffffff00); setSizeDtStrings(b, 0x200);
    expect(checkHeader(b)).to.equal(E.TRUNCATED);
    b = loadDtb('tree1.dtb'); setOffDtStrings(b, 20);
    expect(checkHeader(b)).to.equal(E.TRUNCATED);
  });

  it('checks 8-byte alignment only when asked (libfdt >= 1.7.1 / U-Boot >= v2026.04)', () => {
    const b = loadDtb('tree1.dtb');
    expect(checkHeader(b, true, 0x44a00000)).to.equal(0);
    expect(checkHeader(b, true, 0x44a00004)).to.equal(E.ALIGNMENT);
    expect(checkHeader(b, false, 0x44a00004)).to.equal(0);
    const big = new Uint8Array(4096); big.set(b, 4);
    expect(checkHeader(big.subarray(4), true)).to.equal(E.ALIGNMENT);
  });

  it('nextTag walks tags and stops with an error past the structure block', () => {
    const b = loadDtb('empty.dtb');
    expect(nextTag(b, 0)).to.deep.equal({ tag: FDT_BEGIN_NODE, next: 8 });
    expect(nextTag(b, 8)).to.deep.equal({ tag: 2, next: 12 });
    expect(nextTag(b, 12)).to.deep.equal({ tag: FDT_END, next: 16 });
    expect(nextTag(b, 16)).to.deep.equal({ tag: FDT_END, next: E.TRUNCATED });
    const t = loadDtb('tree1.dtb');
    expect(nextTag(t, 8).tag).to.equal(FDT_PROP);
    expect(offsetPtr(t, 0, 4)).to.deep.equal(new Uint8Array([0, 0, 0, 1]));
    expect(offsetPtr(t, sizeDtStruct(t) - 3, 4)).to.equal(null);
  });

  it('nextTag reports -FDT_ERR_BADSTRUCTURE for an unknown tag or a value running past the block', () => {
    const b = loadDtb('tree1.dtb');
    b[offDtStruct(b) + 8 + 3] = 7; // first property tag → 7
    expect(nextTag(b, 8)).to.deep.equal({ tag: FDT_END, next: E.BADSTRUCTURE });
    const c = loadDtb('tree1.dtb');
    c[offDtStruct(c) + 8 + 4] = 0x10; // property length → huge
    expect(nextTag(c, 8)).to.deep.equal({ tag: FDT_END, next: E.BADSTRUCTURE });
  });
});
