// FDTEDIT: the board DTB as the script leaves it, written at generation time, byte for byte what
// the simulated board holds in RAM (and, apart from booti's own fix-ups, what it hands to Xen).
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generate } from '../../../src/api/generate.js';
import { ConfigError } from '../../../src/errors.js';
import { totalsize } from '../../../src/fdt/header.js';
import { boardFromDtb, createMachine, runCommands } from '../../../src/sim/uboot/index.js';
import { verifyGenerated } from '../../../src/api/verify.js';
import { sampleCopy } from '../../helpers/images.js';
import { hasTool } from '../../helpers/tools.js';

describe('emit → FDTEDIT', () => {
  it('is the blob the script leaves in the board\'s RAM, byte for byte (BOOT_CMD=none: nothing touches it after)', () => {
    const { dir, config } = sampleCopy(['FDTEDIT=edited.dtb', 'BOOT_CMD=none']);
    const gen = generate(config, { env: {} });
    const edited = new Uint8Array(fs.readFileSync(path.join(dir, 'edited.dtb')));
    expect(gen.written).to.include(path.join(dir, 'edited.dtb'));
    // The script run on the simulated board, to its end.
    const m = createMachine({ root: dir, board: boardFromDtb(new Uint8Array(fs.readFileSync(path.join(dir, 'samples/virt.dtb'))), 'virt') });
    expect(runCommands(m, gen.outputs.source)).to.equal(0);
    expect(m.failures).to.deep.equal([]);
    const addr = gen.plan.dtb.load.addr;
    const inRam = m.ram.read(addr, totalsize(m.ram.read(addr, 0x28)));
    expect(Buffer.from(edited).equals(Buffer.from(inRam))).to.equal(true);
    // fdt resize 0x4FF at 0x42A00000: the blob ends on the next 4 KiB page.
    expect(edited.length).to.equal(0x1000);
  });

  it('differs from the booti hand-off only by booti\'s fix-ups', function () {
    if (!hasTool('dtc')) this.skip();
    const { dir, config } = sampleCopy(['FDTEDIT=edited.dtb']);
    const gen = generate(config, { env: {} });
    const handoff = verifyGenerated(gen).uboot.handoff!;
    const dts = (bytes: Uint8Array) => execFileSync('dtc', ['-q', '-I', 'dtb', '-O', 'dts', '-'], { input: bytes, encoding: 'utf8' });
    const ours = dts(new Uint8Array(fs.readFileSync(path.join(dir, 'edited.dtb'))));
    const board = dts(handoff.fdt).split('\n').filter((l) => !l.includes('u-boot,version')).join('\n');
    expect(ours).to.equal(board);
    expect(handoff.fdt.length).to.equal(fs.statSync(path.join(dir, 'edited.dtb')).size);
  });

  it('is refused with -s, where the addresses exist only at boot', () => {
    const { config } = sampleCopy(['FDTEDIT=edited.dtb']);
    let caught: unknown;
    try { generate(config, { env: {}, runtimeSizing: true, write: false }); } catch (e) { caught = e; }
    expect(caught).to.be.instanceOf(ConfigError);
    expect((caught as ConfigError).message).to.equal('FDTEDIT cannot be written with -s: the edited DTB holds every module\'s address and size, which U-Boot only computes at boot');
  });
});
