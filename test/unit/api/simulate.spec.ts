// simulate() as a library call: typed results and typed refusals, no printing.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { simulate } from '../../../src/api/simulate.js';
import { generate } from '../../../src/api/generate.js';
import { writeScriptImage } from '../../../src/images/uimage.js';
import { sampleCopy, tempDir } from '../../helpers/images.js';

function thrown(f: () => unknown): { code: string; message: string } {
  try { f(); } catch (e) { return e as { code: string; message: string }; }
  throw new Error('expected a throw');
}

describe('api → simulate', () => {
  it('boots a generated boot.scr from its folder and returns the verdict as data', () => {
    const { dir, config } = sampleCopy();
    generate(config, { env: {} });
    const r = simulate(path.join(dir, 'boot.scr'), { root: dir, scriptAddr: 0x40200000, boardDtb: path.join(dir, 'samples', 'virt.dtb') });
    expect(r.ok).to.equal(true);
    expect(r.domains.map((d) => `${d.name}:${d.verdict}`)).to.deep.equal(['dom0:up', 'domU1:up', 'domU0:up']);
    expect(r.xen?.version).to.equal('4.17');
    // Presentation is the CLI's: the report carries no text summary and no JSON shape.
    expect(Object.keys(r).sort()).to.deep.equal(['board', 'domains', 'ok', 'uboot', 'xen']);
  });

  it('returns a script that never boots as not ok, without a Xen result', () => {
    const dir = tempDir();
    const scr = path.join(dir, 'echo.scr');
    fs.writeFileSync(scr, writeScriptImage('echo hello\n', { time: 0 }));
    const r = simulate(scr, { root: dir });
    expect(r.ok).to.equal(false);
    expect(r.xen).to.equal(undefined);
    expect(r.uboot.bootAttempted).to.equal(false);
    expect(r.uboot.console).to.include('hello');
  });

  it('refuses a missing script, a root that is not a folder, a missing board and a board that is no DTB, with their codes', () => {
    const dir = tempDir();
    const scr = path.join(dir, 'echo.scr');
    fs.writeFileSync(scr, writeScriptImage('echo hello\n', { time: 0 }));
    const missing = thrown(() => simulate(path.join(dir, 'nope.scr'), { root: dir }));
    expect([missing.code, missing.message]).to.deep.equal(['IMAGE_NOT_FOUND', `SCRIPT = "${path.join(dir, 'nope.scr')}" does not exist`]);
    const root = thrown(() => simulate(scr, { root: scr }));
    expect([root.code, root.message]).to.deep.equal(['USAGE', `--root ${scr} is not a folder`]);
    const board = thrown(() => simulate(scr, { root: dir, boardDtb: path.join(dir, 'no.dtb') }));
    expect([board.code, board.message]).to.deep.equal(['IMAGE_NOT_FOUND', `--board = "${path.join(dir, 'no.dtb')}" does not exist`]);
    // The board DTB is checked whole, as every DTB input is, before the simulator reads it.
    const notDtb = thrown(() => simulate(scr, { root: dir, boardDtb: scr }));
    expect([notDtb.code, notDtb.message]).to.deep.equal(['FDT_ERR_BADMAGIC',
      `--board ("${scr}") is not a usable device tree: it does not start with the device tree magic 0xd00dfeed; the header is inconsistent (FDT_ERR_BADMAGIC)`]);
  });
});
