// The planner's linear growth computation against applying the same edits with the libfdt port.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { growthOfEdits, measureEdits } from '../../../src/plan/fdt-edits.js';
import type { FdtEdit } from '../../../src/plan/types.js';
import { generate } from '../../../src/generate.js';
import { fixturePath, REPO_ROOT } from '../../helpers/paths.js';
import { boardDtb } from '../../helpers/images.js';

const str = (value: string) => ({ kind: 'string' as const, value });
const cells = (...c: number[]) => ({ kind: 'cells' as const, cells: c, text: c.join(' ') });

describe('plan → fdt-edits → growthOfEdits', () => {
  it('equals libfdt\'s growth for the README sample', () => {
    const r = generate(path.join(REPO_ROOT, 'config.example'), { env: {}, write: false, dir: REPO_ROOT });
    const dtb = new Uint8Array(fs.readFileSync(path.join(REPO_ROOT, 'samples', 'virt.dtb')));
    expect(growthOfEdits(dtb, r.plan.edits, 'x')).to.equal(measureEdits(dtb, r.plan.edits, 'x').growth).and.to.equal(1279);
  });

  it('equals libfdt\'s growth on the real QEMU DTB with 64 domains, replaced properties and string tails', () => {
    const dtb = new Uint8Array(fs.readFileSync(fixturePath('real', 'qemu-virt-gicv3-2g.dtb')));
    const edits: FdtEdit[] = [
      { op: 'set', path: '/chosen', prop: 'bootargs', value: str('console=ttyAMA0') },   // exists in QEMU's /chosen? replaced or new
      { op: 'set', path: '/chosen', prop: 'stdout-path', value: str('/pl011@9000000,115200') }, // replaces a longer/shorter value
      { op: 'set', path: '/pl061@9030000', prop: 'status', value: str('disabled') },
      { op: 'set', path: '/chosen', prop: 'cells', value: cells(1) },                      // "cells" is a tail of "#size-cells": no string bytes
    ];
    for (let i = 0; i < 64; i++) {
      edits.push({ op: 'mknod', parent: '/chosen', name: `domU${i}` },
        { op: 'set', path: `/chosen/domU${i}`, prop: 'compatible', value: str('xen,domain') },
        { op: 'set', path: `/chosen/domU${i}`, prop: 'memory', value: cells(0, 0x40000) },
        { op: 'mknod', parent: `/chosen/domU${i}`, name: 'module@40400000' },
        { op: 'set', path: `/chosen/domU${i}/module@40400000`, prop: 'reg', value: cells(0, 0x40400000, 0, 0x2010000) },
        { op: 'set', path: `/chosen/domU${i}`, prop: 'memory', value: cells(0, 0x80000) });    // replaced, same size
    }
    expect(growthOfEdits(dtb, edits, 'x')).to.equal(measureEdits(dtb, edits, 'x').growth);
  });

  it('finds nodes by unit-less name as libfdt does, and refuses duplicates and missing paths alike', () => {
    const dtb = boardDtb();
    const ok: FdtEdit[] = [{ op: 'set', path: '/memory', prop: 'x', value: str('y') }];
    expect(growthOfEdits(dtb, ok, 'x')).to.equal(measureEdits(dtb, ok, 'x').growth).and.to.equal(12 + 4 + 2);
    const dup: FdtEdit[] = [{ op: 'mknod', parent: '/', name: 'chosen' }];
    expect(() => growthOfEdits(dtb, dup, 'b')).to.throw().with.property('code', 'FDT_ERR_EXISTS');
    expect(() => measureEdits(dtb, dup, 'b')).to.throw().with.property('code', 'FDT_ERR_EXISTS');
    const missing: FdtEdit[] = [{ op: 'set', path: '/soc/eth', prop: 'xen,passthrough', value: { kind: 'strings', values: [] } }];
    let a = ''; let b = '';
    try { growthOfEdits(dtb, missing, 'b'); } catch (e) { a = (e as Error).message; }
    try { measureEdits(dtb, missing, 'b'); } catch (e) { b = (e as Error).message; }
    expect(a).to.equal(b).and.to.contain('b has no node /soc/eth');
  });

  // `fdt set` resolves a path without a leading '/' through /aliases, as fdt_path_offset() does,
  // so a DOMU_PASSTHROUGH_PATHS entry may name an alias.
  it('resolves aliases like fdt_path_offset(), and reports a missing alias as FDT_ERR_BADPATH', () => {
    const dtb = new Uint8Array(fs.readFileSync(fixturePath('dtb', 'tree1.dtb')));
    const viaAlias: FdtEdit[] = [
      { op: 'set', path: 'serial0', prop: 'xen,passthrough', value: { kind: 'strings', values: [] } },
      { op: 'set', path: 'deep', prop: 'status', value: str('disabled') },
      { op: 'mknod', parent: 'deep', name: 'child' },
    ];
    expect(growthOfEdits(dtb, viaAlias, 'x')).to.equal(measureEdits(dtb, viaAlias, 'x').growth);
    const missing: FdtEdit[] = [{ op: 'set', path: 'ethernet0', prop: 'xen,passthrough', value: { kind: 'strings', values: [] } }];
    let a = ''; let b = '';
    try { growthOfEdits(dtb, missing, 'tree1'); } catch (e) { a = (e as Error).message; }
    try { measureEdits(dtb, missing, 'tree1'); } catch (e) { b = (e as Error).message; }
    expect(a).to.equal('tree1 has no node ethernet0, so `fdt set ethernet0 xen,passthrough` would fail on the board (FDT_ERR_BADPATH)');
    expect(b).to.equal(a);
  });
});
