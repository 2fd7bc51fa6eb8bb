import { expect } from 'chai';
import {
  E, addressCells, decodeReg, encodeCells, encodeReg, firstPropertyOffset, firstSubnode, getAlias, getMemRsv,
  getName, getPath, getPhandle, getStringList, getprop, getpropByOffset, getpropString, getpropU32,
  nextPropertyOffset, nextSubnode, nodeCheckCompatible, nodeDepth, nodeOffsetByCompatible, nodeOffsetByPhandle,
  numMemRsv, parentOffset, pathOffset, readCells, sizeCells, stringlistContains, stringlistCount,
  subnodeOffset, subnodes, walkNodes, getStringList as gsl, setMagic,
} from '../../../src/fdt/index.js';
import { loadDtb } from './fdt-helpers.js';

const tree1 = loadDtb('tree1.dtb');
const hex = (v: Uint8Array | number): string => (typeof v === 'number' ? `err ${v}` : Buffer.from(v).toString('hex'));
const pathOf = (fdt: Uint8Array, o: number): string | number => getPath(fdt, o);

describe('fdt → ro → pathOffset', () => {
  it('finds nodes by full path, "/" being the root at offset 0', () => {
    expect(pathOffset(tree1, '/')).to.equal(0);
    expect(pathOf(tree1, pathOffset(tree1, '/chosen/domU1/module@4a000000'))).to.equal('/chosen/domU1/module@4a000000');
    expect(pathOf(tree1, pathOffset(tree1, '/soc/bus@10000000/leaf@30'))).to.equal('/soc/bus@10000000/leaf@30');
  });

  it('matches a component without @unit against name@unit (first in order), but not the reverse', () => {
    expect(pathOf(tree1, pathOffset(tree1, '/chosen/module'))).to.equal('/chosen/module@48000000');
    expect(pathOf(tree1, pathOffset(tree1, '/soc/bus/leaf'))).to.equal('/soc/bus@10000000/leaf@20');
    expect(pathOf(tree1, pathOffset(tree1, '/memory'))).to.equal('/memory@40000000');
    expect(pathOffset(tree1, '/chosen@0')).to.equal(E.NOTFOUND);
    expect(pathOffset(tree1, '/memory@4')).to.equal(E.NOTFOUND);
  });

  it('skips repeated and trailing slashes like libfdt', () => {
    expect(pathOffset(tree1, '//chosen//domU1/')).to.equal(pathOffset(tree1, '/chosen/domU1'));
  });

  it('resolves a first component without "/" through /aliases, with a sub-path after it', () => {
    expect(pathOf(tree1, pathOffset(tree1, 'serial0'))).to.equal('/pl011@9000000');
    expect(pathOf(tree1, pathOffset(tree1, 'deep'))).to.equal('/soc/bus@10000000/leaf@20');
    expect(pathOf(tree1, pathOffset(tree1, 'gic'))).to.equal('/intc@8000000');
    expect(getAlias(tree1, 'serial0')).to.equal('/pl011@9000000');
  });

  it('returns -FDT_ERR_BADPATH for an unknown alias, an alias not starting with "/", or an empty path', () => {
    expect(pathOffset(tree1, 'serial9')).to.equal(E.BADPATH);
    expect(pathOffset(tree1, 'bad-noslash')).to.equal(E.BADPATH);
    expect(pathOffset(tree1, '')).to.equal(E.BADPATH);
  });

  it('returns -FDT_ERR_NOTFOUND for a missing node, also below an alias', () => {
    expect(pathOffset(tree1, '/nope')).to.equal(E.NOTFOUND);
    expect(pathOffset(tree1, '/chosen/domU2')).to.equal(E.NOTFOUND);
    expect(pathOffset(tree1, 'deep/x')).to.equal(E.NOTFOUND);
  });

  it('returns the probe error for a bad blob', () => {
    const b = loadDtb('tree1.dtb'); setMagic(b, 0);
    expect(pathOffset(b, '/chosen')).to.equal(E.BADMAGIC);
    expect(getprop(b, 0, 'model')).to.equal(E.BADMAGIC);
  });
});

describe('fdt → ro → navigation', () => {
  it('walks every node in document order with its depth, and getPath/nodeDepth/parentOffset agree', () => {
    const seen: string[] = [];
    expect(walkNodes(tree1, (o, d) => {
      const p = getPath(tree1, o) as string;
      seen.push(`${d} ${p}`);
      expect(nodeDepth(tree1, o)).to.equal(d);
      if (d > 0) expect(getPath(tree1, parentOffset(tree1, o))).to.equal(p.slice(0, p.lastIndexOf('/')) || '/');
    })).to.equal(0);
    expect(seen).to.deep.equal([
      '0 /', '1 /aliases', '1 /chosen', '2 /chosen/module@48000000', '2 /chosen/domU1',
      '3 /chosen/domU1/module@4a000000', '1 /cpus', '2 /cpus/cpu@1', '2 /cpus/cpu@0', '1 /memory@40000000',
      '1 /memory@100000000', '1 /reserved-memory', '2 /reserved-memory/optee@4fd00000',
      '2 /reserved-memory/linux,cma', '1 /intc@8000000', '1 /pl011@9000000', '1 /soc', '2 /soc/bus@10000000',
      '3 /soc/bus@10000000/leaf@20', '3 /soc/bus@10000000/leaf@30',
    ]);
    expect(parentOffset(tree1, 0)).to.equal(E.NOTFOUND);
  });

  it('lists direct children with firstSubnode/nextSubnode and names them with getName', () => {
    const names = [...subnodes(tree1, pathOffset(tree1, '/chosen'))].map((o) => getName(tree1, o));
    expect(names).to.deep.equal(['module@48000000', 'domU1']);
    expect(getName(tree1, 0)).to.equal('');
    const leaf = pathOffset(tree1, '/soc/bus/leaf@30');
    expect(firstSubnode(tree1, leaf)).to.equal(E.NOTFOUND);
    expect(nextSubnode(tree1, leaf)).to.equal(E.NOTFOUND);
  });

  it('subnodeOffset finds only direct children', () => {
    expect(getName(tree1, subnodeOffset(tree1, 0, 'chosen') as number)).to.equal('chosen');
    expect(subnodeOffset(tree1, 0, 'domU1')).to.equal(E.NOTFOUND);
  });

  it('returns -FDT_ERR_BADOFFSET for an offset that is not a node', () => {
    expect(getName(tree1, 4)).to.equal(E.BADOFFSET);
    expect(getName(tree1, 8)).to.equal(E.BADOFFSET);
    expect(getprop(tree1, 8, 'model')).to.equal(E.BADOFFSET);
    expect(getPath(tree1, 1_000_000)).to.equal(E.BADOFFSET);
    expect(firstSubnode(tree1, 8)).to.equal(E.NOTFOUND); // libfdt masks BADOFFSET here
  });
});

describe('fdt → ro → getprop', () => {
  it('returns exact value bytes as a view into the blob', () => {
    expect(hex(getprop(tree1, pathOffset(tree1, '/chosen/domU1/module'), 'reg'))).to.equal('4a00000000800000');
    expect(hex(getprop(tree1, pathOffset(tree1, '/soc/bus/leaf@20'), 'mac-address'))).to.equal('02005e100001');
    expect(hex(getprop(tree1, pathOffset(tree1, '/soc/bus/leaf@20'), 'big'))).to.equal('123456789abcdef0');
    expect(hex(getprop(tree1, pathOffset(tree1, '/chosen/domU1'), 'vpl011'))).to.equal('');
    const v = getprop(tree1, 0, 'model') as Uint8Array;
    expect(v.buffer).to.equal(tree1.buffer);
  });

  it('returns -FDT_ERR_NOTFOUND for a missing property', () => {
    expect(getprop(tree1, 0, 'nope')).to.equal(E.NOTFOUND);
    expect(getprop(tree1, 0, 'cells')).to.equal(E.NOTFOUND); // the name exists only as a tail in the strings block
  });

  it('iterates properties by offset with their names', () => {
    const node = pathOffset(tree1, '/chosen/module');
    const names: string[] = [];
    for (let o = firstPropertyOffset(tree1, node); o >= 0; o = nextPropertyOffset(tree1, o)) {
      const r = getpropByOffset(tree1, o);
      if (typeof r === 'number') throw new Error(`getpropByOffset ${r}`);
      names.push(`${r.name}:${r.value.length}`);
    }
    expect(names).to.deep.equal(['compatible:34', 'reg:8']);
    expect(firstPropertyOffset(tree1, pathOffset(tree1, '/soc/bus/leaf@30'))).to.be.greaterThan(0);
    expect(nextPropertyOffset(tree1, 0)).to.equal(E.BADOFFSET);
  });

  it('decodes strings, string lists, u32 and phandles', () => {
    expect(getpropString(tree1, pathOffset(tree1, '/chosen'), 'bootargs')).to.equal('console=ttyAMA0 root=/dev/ram0');
    expect(getStringList(getprop(tree1, 0, 'compatible') as Uint8Array)).to.deep.equal(['uboot-gen,tree1', 'linux,dummy-virt']);
    expect(gsl(new Uint8Array([0x61, 0, 0x62]))).to.deep.equal(['a', 'b']);
    expect(stringlistCount(tree1, pathOffset(tree1, '/pl011'), 'clock-names')).to.equal(2);
    expect(stringlistCount(tree1, pathOffset(tree1, '/pl011'), 'interrupts')).to.equal(E.BADVALUE);
    expect(getpropU32(tree1, pathOffset(tree1, '/chosen/domU1'), 'cpus')).to.equal(1);
    expect(getpropU32(tree1, 0, 'model')).to.equal(E.BADVALUE);
    const ip = getpropU32(tree1, 0, 'interrupt-parent') as number;
    expect(getPhandle(tree1, pathOffset(tree1, '/intc@8000000'))).to.equal(ip);
    expect(getPath(tree1, nodeOffsetByPhandle(tree1, ip) as number)).to.equal('/intc@8000000');
    expect(nodeOffsetByPhandle(tree1, 0)).to.equal(E.BADPHANDLE);
    expect(nodeOffsetByPhandle(tree1, 77)).to.equal(E.NOTFOUND);
  });
});

describe('fdt → ro → compatible', () => {
  it('stringlistContains matches whole strings only', () => {
    const list = new Uint8Array([...Buffer.from('multiboot,kernel\0multiboot,module\0')]);
    expect(stringlistContains(list, 'multiboot,module')).to.equal(true);
    expect(stringlistContains(list, 'multiboot')).to.equal(false);
    expect(stringlistContains(list, 'kernel')).to.equal(false);
    expect(stringlistContains(new Uint8Array([0x61, 0x62]), 'ab')).to.equal(false); // no terminating NUL
  });

  it('finds nodes by compatible in document order, and checks one node', () => {
    const found: string[] = [];
    for (let o = nodeOffsetByCompatible(tree1, -1, 'multiboot,kernel'); o >= 0; o = nodeOffsetByCompatible(tree1, o, 'multiboot,kernel')) {
      found.push(getPath(tree1, o) as string);
    }
    expect(found).to.deep.equal(['/chosen/module@48000000', '/chosen/domU1/module@4a000000']);
    expect(nodeOffsetByCompatible(tree1, -1, 'uboot-gen,tree1')).to.equal(0);
    expect(nodeOffsetByCompatible(tree1, -1, 'nope')).to.equal(E.NOTFOUND);
    expect(nodeCheckCompatible(tree1, pathOffset(tree1, '/chosen/domU1'), 'xen,domain')).to.equal(0);
    expect(nodeCheckCompatible(tree1, pathOffset(tree1, '/chosen/domU1'), 'xen,dom')).to.equal(1);
    expect(nodeCheckCompatible(tree1, pathOffset(tree1, '/chosen'), 'xen,domain')).to.equal(E.NOTFOUND);
  });
});

describe('fdt → ro → memory reservations', () => {
  it('reads /memreserve/ entries in order', () => {
    expect(numMemRsv(tree1)).to.equal(2);
    expect(getMemRsv(tree1, 0)).to.deep.equal({ address: 0xdeadbeef0000, size: 0x100000 });
    expect(getMemRsv(tree1, 1)).to.deep.equal({ address: 0x44a00000, size: 0x2000 });
    expect(getMemRsv(tree1, 2)).to.deep.equal({ address: 0, size: 0 }); // the terminator
    expect(getMemRsv(tree1, 1_000)).to.equal(E.BADOFFSET);
    expect(numMemRsv(loadDtb('qemu-virt-gicv3-2g.dtb'))).to.equal(0);
  });
});

describe('fdt → cells', () => {
  it('reads #address-cells/#size-cells with libfdt defaults (2/1) and limits', () => {
    expect([addressCells(tree1, 0), sizeCells(tree1, 0)]).to.deep.equal([2, 2]);
    const cpus = pathOffset(tree1, '/cpus');
    expect([addressCells(tree1, cpus), sizeCells(tree1, cpus)]).to.deep.equal([1, 0]);
    const aliases = pathOffset(tree1, '/aliases');
    expect([addressCells(tree1, aliases), sizeCells(tree1, aliases)]).to.deep.equal([2, 1]);
    expect(addressCells(tree1, 8)).to.equal(E.BADOFFSET);
  });

  it('returns -FDT_ERR_BADNCELLS for 0 address cells, more than 4, or a value that is not one cell', () => {
    const b = loadDtb('tree1.dtb');
    const cpus = pathOffset(b, '/cpus');
    (getprop(b, cpus, '#address-cells') as Uint8Array)[3] = 0;
    expect(addressCells(b, cpus)).to.equal(E.BADNCELLS);
    (getprop(b, cpus, '#size-cells') as Uint8Array)[3] = 5;
    expect(sizeCells(b, cpus)).to.equal(E.BADNCELLS);
    expect(addressCells(b, pathOffset(b, '/reserved-memory/linux,cma'))).to.equal(2);
  });

  it('decodes reg with the parent cell counts', () => {
    const mem = getprop(tree1, pathOffset(tree1, '/memory@100000000'), 'reg') as Uint8Array;
    expect(decodeReg(mem, 2, 2)).to.deep.equal([{ address: 0x100000000, size: 0x40000000 }]);
    const gic = getprop(tree1, pathOffset(tree1, '/intc'), 'reg') as Uint8Array;
    expect(decodeReg(gic, 2, 2)).to.deep.equal([{ address: 0x08000000, size: 0x10000 }, { address: 0x080a0000, size: 0xf60000 }]);
    const leaf = getprop(tree1, pathOffset(tree1, '/soc/bus/leaf@20'), 'reg') as Uint8Array;
    expect(decodeReg(leaf, 1, 0)).to.deep.equal([{ address: 0x20, size: 0 }]);
    expect(readCells(mem, 2, 2)).to.equal(0x40000000);
    expect(() => readCells(mem, 2, 3)).to.throw(RangeError);
  });

  it('encodes cells and reg big-endian', () => {
    expect(hex(encodeCells([0x48000000, 0x1a00000], 1))).to.equal('4800000001a00000');
    expect(hex(encodeCells([0x1_4000_0000], 2))).to.equal('0000000140000000');
    expect(hex(encodeReg([{ address: 0x1_0000_0000, size: 0x2000 }], 2, 1))).to.equal('000000010000000000002000');
    expect(() => encodeCells([0x1_0000_0000], 1)).to.throw(RangeError);
  });
});
