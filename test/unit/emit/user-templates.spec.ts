// --templates DIR: a user's templates add a prologue line and a comment per domain to the README
// sample; the output holds them, `fdt resize` is still the exact growth of the rendered script,
// and the simulator boots every domain from it.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generate } from '../../../src/api/generate.js';
import { packScript } from '../../../src/emit/outputs.js';
import { fdtUsedBytes } from '../../../src/plan/dtb.js';
import { boardForConfig, verifyGenerated, verifyScript } from '../../../src/api/verify.js';
import { fixturePath, REPO_ROOT } from '../../helpers/paths.js';
import { tempDir } from '../../helpers/images.js';

const shipped = (name: string): string => fs.readFileSync(path.join(REPO_ROOT, 'templates', name), 'utf8');

/** A user's folder: a network prologue in the main template, a comment before each domain's nodes. */
function userTemplates(): string {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'boot.source.hbs'), `setenv serverip 10.0.2.2\n${shipped('boot.source.hbs')}`);
  fs.writeFileSync(path.join(dir, 'dom0.hbs'), `# dom0: kernel at {{hex kernel.addr}}\n${shipped('partials/dom0.hbs')}`);
  fs.writeFileSync(path.join(dir, 'domu.hbs'), `# {{name}}: {{memKiB}} KiB, {{vcpus}} vCPU(s)\n${shipped('partials/domu.hbs')}`);
  return dir;
}

const sample = (templates?: string) => generate(path.join(REPO_ROOT, 'config.example'),
  { env: {}, write: false, dir: REPO_ROOT, ...(templates ? { templates } : {}) });

describe('emit → user templates (--templates DIR)', () => {
  it('renders the prologue and the per-domain comments around the default script, with the exact fdt resize', () => {
    const r = sample(userTemplates());
    const lines = fs.readFileSync(fixturePath('golden', 'config.example.source'), 'utf8').replace('@RESIZE@', '0x4FF').split('\n');
    lines.splice(lines.indexOf('fdt mknod /chosen dom0@40400000'), 0, '# dom0: kernel at 0x40400000');
    lines.splice(lines.indexOf('fdt mknod /chosen domU0'), 0, '# domU0: 262144 KiB, 1 vCPU(s)');
    lines.splice(lines.indexOf('fdt mknod /chosen domU1'), 0, '# domU1: 262144 KiB, 2 vCPU(s)');
    expect(r.outputs.source).to.equal(`setenv serverip 10.0.2.2\n${lines.join('\n')}`);
    // Comments and setenv do not touch the device tree: the growth is the default script's.
    expect([r.plan.dtb.growth, r.plan.dtb.resizeExtra]).to.deep.equal([1279, 1279]);
    expect(r.outputs.source).to.contain('\nfdt resize 0x4FF\n');
    expect(r.hint).to.equal('tftpb 0x40200000 boot.scr; source 0x40200000');
  });

  it('the simulator runs the user\'s script and every domain comes up', () => {
    const r = sample(userTemplates());
    const v = verifyGenerated(r);
    expect(v.uboot.failures).to.deep.equal([]);
    expect(v.domains.map((d) => [d.name, d.verdict])).to.deep.equal([['dom0', 'up'], ['domU1', 'up'], ['domU0', 'up']]);
    expect(v.ok).to.equal(true);
  });

  // `fdt resize N` always leaves slack on the board: fdt_shrink_to_minimum() adds 5 × 16 bytes of
  // memreserve room and rounds the end up to 4 KiB. `fdt addr ADDR SIZE` instead sets totalsize to
  // exactly SIZE, so it shows that the measured growth is the script's need to the byte.
  it('the growth has no slack: with exactly that much free space the script runs, with one byte less libfdt says FDT_ERR_NOSPACE', () => {
    const r = sample(userTemplates());
    const used = fdtUsedBytes(new Uint8Array(fs.readFileSync(path.join(REPO_ROOT, 'samples', 'virt.dtb'))));
    const run = (size: number) => {
      const src = r.outputs.source.replace('fdt addr 0x42A00000\nfdt resize 0x4FF\n', `fdt addr 0x42A00000 0x${size.toString(16)}\n`);
      expect(src).to.not.equal(r.outputs.source);
      return verifyScript(packScript(src, r.plan.scriptAddr, 0), REPO_ROOT, boardForConfig(r), { scriptAddr: r.plan.scriptAddr });
    };
    const exact = run(used + r.plan.dtb.growth);
    expect(exact.uboot.failures).to.deep.equal([]);
    expect(exact.ok).to.equal(true);
    const short = run(used + r.plan.dtb.growth - 1);
    expect(short.uboot.failures.map((f) => f.command)).to.deep.equal(['fdt set /chosen/domU1/module@42600000 reg <0x0 0x42600000 0x0 0x127 >']);
    expect(short.uboot.console).to.include('libfdt fdt_setprop(): FDT_ERR_NOSPACE');
  });

  it('sees an edit of a user template made between two runs in one process', () => {
    const dir = userTemplates();
    expect(sample(dir).outputs.source.startsWith('setenv serverip 10.0.2.2\n')).to.equal(true);
    fs.writeFileSync(path.join(dir, 'boot.source.hbs'), `setenv serverip 10.0.2.3\n${shipped('boot.source.hbs')}`);
    expect(sample(dir).outputs.source.startsWith('setenv serverip 10.0.2.3\n')).to.equal(true);
  });

  it('renders the same bytes from a full compile (edited templates) as from the precompiled copy', () => {
    const dir = tempDir();
    fs.cpSync(path.join(REPO_ROOT, 'templates'), dir, { recursive: true });
    fs.appendFileSync(path.join(dir, 'partials', 'loads.hbs'), '{{!-- a comment changes the hash, not the output --}}\n');
    expect(sample(dir).outputs.source).to.equal(sample().outputs.source);
  });
});
