// The DTB stage: the slot and sizes for a measured growth, every term of the footprint by name.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generate } from '../../../src/api/generate.js';
import { DEFAULT_FDT_PAD, dtbFootprint, FDT_RESIZE_ROUND_UP_BUDGET, FDT_RESIZE_RSV_ROOM, fdtUsedBytes } from '../../../src/plan/dtb.js';
import { REPO_ROOT } from '../../helpers/paths.js';

describe('plan → dtb', () => {
  it('names the terms of the DTB slot: memreserve room, page round-up, booti pad', () => {
    expect([FDT_RESIZE_RSV_ROOM, FDT_RESIZE_ROUND_UP_BUDGET, DEFAULT_FDT_PAD]).to.deep.equal([80, 4096, 0x3000]);
    // used + 80 + growth + 4096, plus the pad; never less than the file.
    expect(dtbFootprint(2081, 2000, 1279, 0x3000)).to.equal(2000 + 80 + 1279 + 4096 + 0x3000);
    expect(dtbFootprint(0x100000, 2000, 1279, 0x3000)).to.equal(0x100000);
  });

  it('plans the README sample\'s DTB: growth, resize, totalsize after `fdt resize`, slot', () => {
    const r = generate(path.join(REPO_ROOT, 'config.example'), { env: {}, write: false, dir: REPO_ROOT });
    const used = fdtUsedBytes(new Uint8Array(fs.readFileSync(path.join(REPO_ROOT, 'samples', 'virt.dtb'))));
    const d = r.plan.dtb;
    expect([d.originalSize, d.growth, d.resizeExtra, d.bootPad, d.hasChosen]).to.deep.equal([2081, 1279, 1279, 0x3000, true]);
    // fdt_shrink_to_minimum(): used + 80 + 1279 rounded up to the next 4 KiB boundary of a page-aligned blob.
    expect(used + 80 + 1279).to.be.within(1, 4096);
    expect(d.resizedSize).to.equal(4096);
    expect([d.load.addr, d.load.footprint]).to.deep.equal([0x42a00000, used + 80 + 1279 + 4096 + 0x3000]);
  });
});
