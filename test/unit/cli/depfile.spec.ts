// generate --depfile: the make rule, its escaping, and real GNU make driving uboot-gen with it.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generate } from '../../../src/api/generate.js';
import { depfileInputs, depfileOutputs, depfileText, makeEscape } from '../../../src/cli/depfile.js';
import { sampleCopy, tempDir } from '../../helpers/images.js';
import { REPO_ROOT, fixturePath } from '../../helpers/paths.js';

const BIN = path.join(REPO_ROOT, 'bin', 'uboot-gen');
const hasMake = spawnSync('make', ['--version'], { encoding: 'utf8' }).status === 0;

describe('cli → depfile', function () {
  this.timeout(120000);

  it('escapes $, #, spaces and tabs as make reads them, and refuses a line break', () => {
    expect(makeEscape('a b/c#d$e\tf')).to.equal('a\\ b/c\\#d$$e\\\tf');
    expect(makeEscape('plain/Image-6.6.gz')).to.equal('plain/Image-6.6.gz');
    expect(() => makeEscape('a\nb')).to.throw('the path "a\\nb" holds a line break, which a make rule cannot name');
  });

  it('writes the outputs, then every input continued over lines, then one empty rule per input', () => {
    const cwd = '/w';
    expect(depfileText(['/w/boot.source', '/w/boot.scr'], ['/w/config', '/w/my images/Image', '/elsewhere/xen'], cwd)).to.equal([
      'boot.source boot.scr: \\', '  config \\', '  my\\ images/Image \\', '  /elsewhere/xen', '',
      'config:', '', 'my\\ images/Image:', '', '/elsewhere/xen:', '',
    ].join('\n'));
  });

  it('names the config, every file it names, APPEND_EXTRA_CMDS and the --templates files in use; xen.ub beside boot.scr', () => {
    const { dir, config } = sampleCopy(['BOOT_CMD="bootm"', 'APPEND_EXTRA_CMDS="extra.cmds"', 'DOMU_ROOTFS[2]="never-read.img"']);
    fs.writeFileSync(path.join(dir, 'extra.cmds'), 'echo extra\n');
    const templates = path.join(dir, 'tpl');
    fs.mkdirSync(templates);
    fs.copyFileSync(path.join(REPO_ROOT, 'templates', 'hint.hbs'), path.join(templates, 'hint.hbs'));
    const gen = generate(config, { dir, write: false, templates });
    expect(depfileOutputs(gen)).to.deep.equal(['boot.source', 'boot.scr', 'xen.ub'].map((f) => path.join(dir, f)));
    expect(depfileInputs(gen, { templates })).to.deep.equal([
      config, 'samples/virt.dtb', 'samples/xen', 'samples/Image', 'samples/initrd.cpio.gz', 'extra.cmds', 'tpl/hint.hbs',
    ].map((f) => path.resolve(dir, f)));
  });

  it('names each DT_OVERLAY', () => {
    const { dir, config } = sampleCopy(['NUM_DT_OVERLAY=1', 'DT_OVERLAY[0]="samples/disable-gpio.dtbo"']);
    fs.copyFileSync(fixturePath('dtb', 'overlay', 'disable-gpio.dtbo'), path.join(dir, 'samples', 'disable-gpio.dtbo'));
    const gen = generate(config, { dir, write: false });
    expect(depfileInputs(gen)).to.include(path.join(dir, 'samples', 'disable-gpio.dtbo'));
  });

  it('makes the FIT and its .its the outputs in FIT mode', () => {
    const { dir, config } = sampleCopy();
    const gen = generate(config, { dir, write: false, fit: true });
    expect(depfileOutputs(gen)).to.deep.equal(['boot.source', 'boot.fit', 'boot.its'].map((f) => path.join(dir, f)));
    expect(depfileInputs(gen)[0]).to.equal(config);
  });

  (hasMake ? describe : describe.skip)('with GNU make', () => {
    const MAKEFILE = [
      'UBOOT_GEN ?= uboot-gen',
      'boot.scr boot.source &: config',
      '\t$(UBOOT_GEN) -q --depfile boot.d config',
      '-include boot.d',
      '',
    ].join('\n');

    function make(dir: string) {
      const r = spawnSync('make', [`UBOOT_GEN=${BIN}`], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CI: '1' } });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    }
    const mtime = (f: string): number => fs.statSync(f).mtimeMs;
    /** Every file of the folder an hour old, so the first build's outputs are plainly newer. */
    const age = (dir: string): void => {
      const old = new Date(Date.now() - 3600 * 1000);
      for (const f of fs.readdirSync(dir, { recursive: true }) as string[]) fs.utimesSync(path.join(dir, f), old, old);
    };
    const touch = (f: string): void => { const now = new Date(); fs.utimesSync(f, now, now); };

    it('builds once, then does nothing, then rebuilds when any named file changes, and stops with the missing file named', () => {
      const { dir } = sampleCopy(['APPEND_EXTRA_CMDS="extra.cmds"']);
      fs.writeFileSync(path.join(dir, 'extra.cmds'), 'echo extra\n');
      fs.writeFileSync(path.join(dir, 'Makefile'), MAKEFILE);
      age(dir);
      const first = make(dir);
      expect(first.status, first.stderr).to.equal(0);
      expect(first.stdout).to.contain('-q --depfile boot.d config\n');
      expect(fs.readFileSync(path.join(dir, 'boot.d'), 'utf8')).to.equal([
        'boot.source boot.scr: \\', '  config \\', '  samples/virt.dtb \\', '  samples/xen \\', '  samples/Image \\', '  samples/initrd.cpio.gz \\', '  extra.cmds', '',
        'config:', '', 'samples/virt.dtb:', '', 'samples/xen:', '', 'samples/Image:', '', 'samples/initrd.cpio.gz:', '', 'extra.cmds:', '',
      ].join('\n'));
      const second = make(dir);
      expect(second.status).to.equal(0);
      expect(second.stdout).to.equal("make: 'boot.scr' is up to date.\n");
      for (const f of ['samples/Image', 'config', 'extra.cmds']) {
        const built = mtime(path.join(dir, 'boot.scr'));
        touch(path.join(dir, f));
        const r = make(dir);
        expect(r.status, `${f}: ${r.stderr}`).to.equal(0);
        expect(r.stdout, f).to.contain('--depfile boot.d config\n');
        expect(mtime(path.join(dir, 'boot.scr')), f).to.be.greaterThan(built);
        expect(make(dir).stdout, f).to.equal("make: 'boot.scr' is up to date.\n");
      }
      fs.rmSync(path.join(dir, 'extra.cmds'));
      const gone = make(dir);
      expect(gone.status).to.equal(2);
      expect(gone.stderr).to.contain('config:28:19: error: APPEND_EXTRA_CMDS = "extra.cmds": no such file in');
      expect(gone.stderr).to.contain('make: *** [Makefile:3: boot.scr] Error 4');
    });

    it('writes no depfile when the boot fails (nothing was written, so make runs again)', () => {
      const dir = sampleCopy(['DOMU_MEM[1]=4096']).dir;
      fs.writeFileSync(path.join(dir, 'Makefile'), MAKEFILE);
      const r = make(dir);
      expect(r.status).to.equal(2);
      expect(fs.existsSync(path.join(dir, 'boot.d'))).to.equal(false);
      expect(fs.existsSync(path.join(dir, 'boot.scr'))).to.equal(false);
    });
  });

  it('is written by generate --depfile and not by --dry-run', () => {
    const { dir, config } = sampleCopy();
    const out = tempDir();
    const dry = spawnSync(BIN, [config, '--dry-run', '--depfile', path.join(out, 'dry.d')], { encoding: 'utf8' });
    expect(dry.status).to.equal(0);
    expect(fs.existsSync(path.join(out, 'dry.d'))).to.equal(false);
    const r = spawnSync(BIN, [config, '-q', '--depfile', path.join(out, 'boot.d')], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    expect(fs.readFileSync(path.join(out, 'boot.d'), 'utf8').split('\n')[0]).to.equal('boot.source boot.scr: \\');
  });
});
