import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  FdtWriter, addMemRsv, addSubnode, checkHeader, dtbsDiffOrdered, dtbsEqualOrdered, emptyTree, getPath,
  guessBootCpuid, openInto, pack, parseTree, pathOffset, serializeTree, setprop, toDts, totalsize, type FdtNode,
  type FdtTree, offDtStruct,
} from '../../../src/fdt/index.js';
import { FdtError } from '../../../src/errors.js';
import { bytesEqual, hasTool, loadDtb, run, tmpDir } from './fdt-helpers.js';

const loadDtbAbs = (p: string): Uint8Array => new Uint8Array(readFileSync(p));

const DTC_FIXTURES: Array<[file: string, pad: number]> = [
  ['tree1.dtb', 0], ['tree1-p1024.dtb', 1024], ['empty.dtb', 0], ['empty-p1024.dtb', 1024],
  ['xen-host.dtb', 0], ['xen-host-p1024.dtb', 1024],
];

/** Rebuild a tree through the FdtWriter calls a hand-written builder would make. */
function writeWithFdtWriter(tree: FdtTree): Uint8Array {
  const w = FdtWriter.create(tree.bootCpuidPhys);
  for (const r of tree.memRsv) w.addReservemapEntry(r.address, r.size);
  w.finishReservemap();
  const emit = (n: FdtNode): void => {
    w.beginNode(n.name);
    for (const p of n.props) w.property(p.name, p.value);
    n.children.forEach(emit);
    w.endNode();
  };
  emit(tree.root);
  return w.finish();
}

/**
 * Rebuild a tree with the read-write functions, starting from an empty tree. setprop() puts a new property
 * first and addSubnode() puts a new child first, so both are added in reverse order to end up in order.
 */
function writeWithRwOps(tree: FdtTree): Uint8Array {
  const start = serializeTree(emptyTree());
  const buf = new Uint8Array(0x10000);
  expect(openInto(start, buf, buf.length)).to.equal(0);
  for (const r of tree.memRsv) expect(addMemRsv(buf, r.address, r.size)).to.equal(0);
  const fill = (n: FdtNode, nodePath: string): void => {
    const off = pathOffset(buf, nodePath);
    for (const p of [...n.props].reverse()) expect(setprop(buf, off, p.name, p.value)).to.equal(0);
    for (const c of [...n.children].reverse()) expect(addSubnode(buf, pathOffset(buf, nodePath), c.name)).to.be.greaterThan(0);
    for (const c of n.children) fill(c, `${nodePath === '/' ? '' : nodePath}/${c.name}`);
  };
  fill(tree.root, '/');
  expect(pack(buf)).to.equal(0);
  return buf.slice(0, totalsize(buf));
}

describe('fdt → tree → parse / serialize', () => {
  for (const [file, pad] of DTC_FIXTURES) {
    it(`re-serialises ${file} byte-identical to dtc`, () => {
      const b = loadDtb(file);
      expect(bytesEqual(serializeTree(parseTree(b), pad ? { padSize: pad } : {}), b)).to.equal(true);
    });
  }

  it('parses structure, properties, reservations and boot cpu of tree1', () => {
    const t = parseTree(loadDtb('tree1.dtb'));
    expect(t.bootCpuidPhys).to.equal(1);
    expect(guessBootCpuid(t.root)).to.equal(1);
    expect(t.memRsv).to.deep.equal([{ address: 0xdeadbeef0000, size: 0x100000 }, { address: 0x44a00000, size: 0x2000 }]);
    expect(t.root.children.map((c) => c.name)).to.deep.equal([
      'aliases', 'chosen', 'cpus', 'memory@40000000', 'memory@100000000', 'reserved-memory', 'intc@8000000',
      'pl011@9000000', 'soc',
    ]);
    expect(t.root.props.map((p) => p.name)).to.deep.equal(['compatible', 'model', '#address-cells', '#size-cells', 'interrupt-parent']);
  });

  it('serialises the QEMU virt blob exactly as `dtc -I dtb -O dtb` rewrites it', () => {
    // QEMU's own blob is libfdt-built (1 MiB, map at 0x30, strings in call order), so it is not dtc output;
    // the dtc-rewritten fixture is the reference for our serialiser.
    const q = loadDtb('qemu-virt-gicv3-2g.dtb');
    const out = serializeTree(parseTree(q));
    expect(bytesEqual(out, loadDtb('qemu-virt-gicv3-2g.dtc-rewritten.dtb'))).to.equal(true);
    expect(dtbsDiffOrdered(out, q)).to.equal(null);
    expect(out.length).to.equal(8046);
  });

  it('keeps the QEMU blob byte-identical through openInto (same size) and rw-probe-only operations', () => {
    const q = loadDtb('qemu-virt-gicv3-2g.dtb');
    const copy = new Uint8Array(q.length);
    expect(openInto(q, copy, q.length)).to.equal(0);
    expect(bytesEqual(copy, q)).to.equal(true);
  });

  it('rejects broken blobs with the libfdt code', () => {
    const b = loadDtb('tree1.dtb');
    b[0] = 0;
    expect(() => parseTree(b)).to.throw(FdtError).with.property('code', 'FDT_ERR_BADMAGIC');
    const c = loadDtb('tree1.dtb');
    c[offDtStruct(c) + 3] = 2; // root BEGIN_NODE → END_NODE
    expect(() => parseTree(c)).to.throw(FdtError).with.property('code', 'FDT_ERR_BADSTRUCTURE');
  });

  it('dtbsEqualOrdered ignores padding and string layout but not order or values', () => {
    const a = loadDtb('tree1.dtb');
    expect(dtbsEqualOrdered(a, loadDtb('tree1-p1024.dtb'))).to.equal(true);
    expect(dtbsEqualOrdered(a, loadDtb('xen-host.dtb'))).to.equal(false);
    const t = parseTree(a);
    t.root.children.reverse();
    expect(dtbsDiffOrdered(serializeTree(t), a)).to.equal('node name "soc" != "aliases" under /');
    const u = parseTree(a);
    u.root.props[1]!.value[0] = 0x55;
    expect(dtbsDiffOrdered(serializeTree(u), a)).to.equal('/: value of "model" differs');
  });
});

describe('fdt → sw → FdtWriter', () => {
  for (const [file] of DTC_FIXTURES.filter(([, pad]) => pad === 0)) {
    it(`rebuilds ${file} with the sequential writer, equal to dtc's bytes`, () => {
      const b = loadDtb(file);
      const w = writeWithFdtWriter(parseTree(b));
      expect(dtbsEqualOrdered(w, b)).to.equal(true);
      expect(bytesEqual(w, b)).to.equal(true);
    });
  }

  it('writes a hand-built tree that dtc-compatible readers accept', () => {
    const w = new FdtWriter();
    w.addReservemapEntry(0x40000000, 0x1000).finishReservemap();
    w.beginNode('').propertyStrings('compatible', ['a,b', 'c']).propertyCells('#address-cells', [1]);
    w.beginNode('chosen').propertyString('bootargs', 'x').propertyU64('big', 0x1_0000_0002).propertyEmpty('flag').endNode();
    w.endNode();
    const blob = w.finish({ padSize: 100 });
    expect(checkHeader(blob)).to.equal(0);
    expect(getPath(blob, pathOffset(blob, '/chosen'))).to.equal('/chosen');
    expect(toDts(parseTree(blob))).to.equal([
      '/dts-v1/;', '', '/memreserve/ 0x0000000040000000 0x0000000000001000;', '', '/ {',
      '\tcompatible = "a,b", "c";', '\t#address-cells = <0x01>;', '', '\tchosen {', '\t\tbootargs = "x";',
      '\t\tbig = <0x01 0x02>;', '\t\tflag;', '\t};', '};', '',
    ].join('\n'));
  });

  it('throws FDT_ERR_BADSTATE for calls out of order', () => {
    expect(() => new FdtWriter().endNode()).to.throw(FdtError).with.property('code', 'FDT_ERR_BADSTATE');
    expect(() => new FdtWriter().beginNode('').finish()).to.throw(FdtError).with.property('code', 'FDT_ERR_BADSTATE');
    expect(() => new FdtWriter().beginNode('').endNode().beginNode('x')).to.throw(FdtError);
  });
});

describe('fdt → rw → building a tree from empty', () => {
  for (const file of ['tree1.dtb', 'xen-host.dtb', 'qemu-virt-gicv3-2g.dtb']) {
    it(`rebuilds ${file} with setprop/addSubnode/addMemRsv on an empty tree (dtbsEqualOrdered)`, () => {
      const b = loadDtb(file);
      const rebuilt = writeWithRwOps(parseTree(b));
      expect(dtbsDiffOrdered(rebuilt, b)).to.equal(null);
      expect(checkHeader(rebuilt)).to.equal(0);
    });
  }
});

describe('fdt → tree → real tools read what we write', function () {
  it('fdtget reads values from blobs written by FdtWriter and by the rw functions', function () {
    if (!hasTool('fdtget', '-V')) this.skip();
    const dir = tmpDir();
    const t = parseTree(loadDtb('tree1.dtb'));
    const viaWriter = path.join(dir, 'w.dtb');
    const viaRw = path.join(dir, 'rw.dtb');
    writeFileSync(viaWriter, writeWithFdtWriter(t));
    writeFileSync(viaRw, writeWithRwOps(t));
    for (const f of [viaWriter, viaRw]) {
      expect(run('fdtget', ['-t', 'x', f, '/chosen/domU1/module@4a000000', 'reg'])).to.equal('4a000000 800000\n');
      expect(run('fdtget', [f, '/chosen', 'bootargs'])).to.equal('console=ttyAMA0 root=/dev/ram0\n');
      expect(run('fdtget', [f, '/soc/bus@10000000/leaf@20', 'del'])).to.equal('tail of model\n');
      expect(run('fdtget', ['-t', 'bx', f, '/soc/bus@10000000/leaf@20', 'mac-address'])).to.equal('2 0 5e 10 0 1\n');
      expect(run('fdtget', ['-l', f, '/chosen'])).to.equal('module@48000000\ndomU1\n');
    }
  });

  it('dtc compiles toDts() output back to the identical blob', function () {
    if (!hasTool('dtc')) this.skip();
    const dir = tmpDir();
    for (const file of ['tree1.dtb', 'xen-host.dtb', 'empty.dtb']) {
      const b = loadDtb(file);
      const src = path.join(dir, `${file}.dts`);
      writeFileSync(src, toDts(parseTree(b)));
      const out = path.join(dir, `${file}.out`);
      run('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-o', out, src]);
      expect(bytesEqual(loadDtbAbs(out), b), file).to.equal(true);
    }
  });

  it('dtc -I dtb -O dtb of a blob we built equals our own serialisation', function () {
    if (!hasTool('dtc')) this.skip();
    const dir = tmpDir();
    const t = parseTree(loadDtb('xen-host.dtb'));
    t.root.children.push({ name: 'extra@1', props: [{ name: 'size-cells', value: new Uint8Array([0, 0, 0, 1]) }], children: [] });
    const ours = serializeTree(t);
    const f = path.join(dir, 'x.dtb');
    writeFileSync(f, ours);
    const out = path.join(dir, 'y.dtb');
    run('dtc', ['-q', '-I', 'dtb', '-O', 'dtb', '-o', out, f]);
    expect(bytesEqual(loadDtbAbs(out), ours)).to.equal(true);
  });
});
