// NUM_DT_OVERLAY / DT_OVERLAY[i]: read, loaded after Xen and before the DTB, applied right after
// `fdt resize` (whose size includes what they add), and applied by the simulated `fdt apply` with
// libfdt's rules. The overlays are the fixtures' dtc output (test/fixtures/dtb/overlay).
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generate } from '../../../src/api/generate.js';
import { boardForConfig, verifyGenerated, verifyScript } from '../../../src/api/verify.js';
import { ConfigError, UbootGenError } from '../../../src/errors.js';
import { packScript } from '../../../src/emit/outputs.js';
import { getpropString, pathOffset } from '../../../src/fdt/ro.js';
import { fdtUsedBytes } from '../../../src/plan/dtb.js';
import { fixturePath, REPO_ROOT } from '../../helpers/paths.js';
import { tempDir } from '../../helpers/images.js';
import { runTool } from '../../helpers/tools.js';

/** config.example's folder with the samples and the overlays, and a config naming `overlays`. */
function withOverlays(overlays: string[], extra = ''): string {
  const dir = tempDir();
  fs.cpSync(path.join(REPO_ROOT, 'samples'), path.join(dir, 'samples'), { recursive: true });
  for (const o of new Set(overlays)) fs.copyFileSync(fixturePath('dtb', 'overlay', o), path.join(dir, 'samples', o));
  const lines = [fs.readFileSync(path.join(REPO_ROOT, 'config.example'), 'utf8'), `NUM_DT_OVERLAY=${overlays.length}`,
    ...overlays.map((o, i) => `DT_OVERLAY[${i}]="samples/${o}"`), extra];
  fs.writeFileSync(path.join(dir, 'config'), `${lines.join('\n')}\n`);
  return dir;
}

/** The first qemu_arm64 U-Boot whose defconfig selects CONFIG_OF_LIBFDT_OVERLAY. */
const NEWER = '2026.07';

const gen = (dir: string, opts: { runtimeSizing?: boolean } = {}) => generate(path.join(dir, 'config'), { env: {}, write: false, ...opts });
const configLines = (dir: string): number => fs.readFileSync(path.join(dir, 'config'), 'utf8').split('\n').length;

describe('emit → DT overlays (NUM_DT_OVERLAY, DT_OVERLAY[i])', () => {
  it('loads each overlay after Xen and before the DTB, and applies them in order right after fdt resize', () => {
    const r = gen(withOverlays(['disable-gpio.dtbo', 'big-property.dtbo']));
    const lines = r.outputs.source.split('\n');
    expect(lines.slice(0, 10)).to.deep.equal([
      'tftpb 0x40400000 samples/Image',
      'tftpb 0x42600000 samples/initrd.cpio.gz',
      'tftpb 0x42800000 samples/xen',
      'tftpb 0x42A00000 samples/disable-gpio.dtbo',
      'tftpb 0x42C00000 samples/big-property.dtbo',
      'tftpb 0x42E00000 samples/virt.dtb',
      'fdt addr 0x42E00000',
      'fdt resize 0x1D36',
      'fdt apply 0x42A00000',
      'fdt apply 0x42C00000',
    ]);
    // 6,144 bytes of vendor,blob + its property header and name, on top of the sample's 1,279.
    expect([r.plan.dtb.growth, r.plan.dtb.resizeExtra]).to.deep.equal([7478, 7478]);
    expect(r.plan.loads.filter((l) => l.role === 'dt-overlay').map((l) => [l.id, l.keys, l.transferSize]))
      .to.deep.equal([['host_fdto0', ['DT_OVERLAY[0]'], 183], ['host_fdto1', ['DT_OVERLAY[1]'], 6312]]);
  });

  it('every domain comes up in the simulator of a U-Boot with fdt apply (qemu_arm64 2026.07)', () => {
    const r = gen(withOverlays(['disable-gpio.dtbo', 'big-property.dtbo']));
    const v = verifyGenerated(r, { ubootVersion: NEWER });
    expect(v.uboot.failures).to.deep.equal([]);
    expect(v.domains.map((d) => [d.name, d.verdict])).to.deep.equal([['dom0', 'up'], ['domU1', 'up'], ['domU0', 'up']]);
    expect(v.ok).to.equal(true);
  });

  // Seen on real boots of Debian's qemu_arm64 2023.01 and 2025.01: `fdt apply` prints the fdt usage
  // (no CONFIG_OF_LIBFDT_OVERLAY), the overlays are not applied, and the domains come up anyway.
  it('Debian\'s qemu_arm64 U-Boot has no fdt apply: the usage text, the overlays not applied, verification fails', () => {
    const r = gen(withOverlays(['disable-gpio.dtbo']));
    for (const ubootVersion of ['2023.01', '2025.01']) {
      const v = verifyGenerated(r, { ubootVersion });
      expect(v.uboot.failures.map((f) => f.command)).to.deep.equal(['fdt apply 0x42A00000']);
      expect(v.uboot.console).to.include('fdt - flattened device tree utility commands');
      expect(v.domains.map((d) => d.verdict)).to.deep.equal(['up', 'up', 'up']);
      expect(v.ok).to.equal(false);
    }
  });

  // `fdt addr ADDR SIZE` sets totalsize to exactly SIZE (fdt resize rounds up to 4 KiB): the growth is the need to the byte.
  it('the growth has no slack: the overlays fit in exactly that much free space, and one byte less fails', () => {
    const dir = withOverlays(['big-property.dtbo']);
    const r = gen(dir);
    const used = fdtUsedBytes(new Uint8Array(fs.readFileSync(path.join(dir, 'samples', 'virt.dtb'))));
    const run = (size: number) => {
      const src = r.outputs.source.replace(/fdt addr (0x[0-9A-F]+)\nfdt resize 0x[0-9A-F]+\n/, (_m, a: string) => `fdt addr ${a} 0x${size.toString(16)}\n`);
      expect(src).to.not.equal(r.outputs.source);
      return verifyScript(packScript(src, r.plan.scriptAddr, 0), dir, boardForConfig(r), { scriptAddr: r.plan.scriptAddr, ubootVersion: NEWER });
    };
    expect(run(used + r.plan.dtb.growth).ok).to.equal(true);
    const short = run(used + r.plan.dtb.growth - 1);
    expect(short.ok).to.equal(false);
    expect(short.uboot.console.filter((l) => l.includes('FDT_ERR_NOSPACE'))).to.have.length.greaterThan(0);
  });

  it('ImageBuilder\'s fixed `fdt resize 1024` runs out on the 6 KiB overlay: fdt apply fails and Xen finds no usable DTB', () => {
    const dir = withOverlays(['big-property.dtbo']);
    const r = gen(dir);
    const src = r.outputs.source.replace(/fdt resize 0x[0-9A-F]+\n/, 'fdt resize 1024\n');
    const v = verifyScript(packScript(src, r.plan.scriptAddr, 0), dir, boardForConfig(r), { scriptAddr: r.plan.scriptAddr, ubootVersion: NEWER });
    expect(v.uboot.console).to.include('failed on fdt_overlay_apply(): FDT_ERR_NOSPACE');
    expect(v.uboot.failures.map((f) => f.command)[0]).to.equal('fdt apply 0x42A00000');
    expect(v.ok).to.equal(false);
  });

  it('with -s, applies each overlay at its runtime address variable and still boots every domain', () => {
    const r = gen(withOverlays(['disable-gpio.dtbo']), { runtimeSizing: true });
    expect(r.outputs.source).to.contain('setenv host_fdto0_addr ${memaddr}\n');
    expect(r.outputs.source).to.match(/\nfdt resize 0x[0-9A-F]+\nfdt apply \$\{host_fdto0_addr\}\n/);
    const v = verifyGenerated(r, { ubootVersion: NEWER });
    expect(v.ok).to.equal(true);
    expect(v.domains.map((d) => d.verdict)).to.deep.equal(['up', 'up', 'up']);
  });

  it('FDTEDIT holds the overlays\' changes (the script keeps applying them, unlike ImageBuilder)', () => {
    const dir = withOverlays(['disable-gpio.dtbo'], 'FDTEDIT="edited.dtb"');
    const r = gen(dir);
    const edited = r.outputs.extra.find((e) => e.path.endsWith('edited.dtb'))!.bytes;
    expect(getpropString(edited, pathOffset(edited, '/pl061@9030000'), 'status')).to.equal('disabled');
    expect(r.outputs.source).to.contain('\nfdt apply 0x42A00000\n');
  });

  it('refuses an overlay that needs the base\'s labels when the board DTB has no /__symbols__, at its config line', () => {
    const dir = withOverlays(['needs-symbols.dtbo']);
    let err: unknown;
    try { gen(dir); } catch (e) { err = e; }
    expect(err).to.be.instanceOf(UbootGenError);
    const e = err as UbootGenError;
    expect(e.code).to.equal('FDT_ERR_BADOVERLAY');
    expect(e.message).to.equal('DT_OVERLAY[0] "samples/needs-symbols.dtbo" cannot be applied to DEVICE_TREE "samples/virt.dtb": fdt_overlay_apply() fails with FDT_ERR_NOTFOUND (DEVICE_TREE "samples/virt.dtb" has no /__symbols__: the overlay refers to a label of the base)');
    expect(e.where).to.deep.equal({ file: path.join(dir, 'config'), line: configLines(dir) - 2, col: 15, key: 'DT_OVERLAY[0]' });
  });

  it('the simulated fdt apply fails as U-Boot does on such an overlay: the -@ hint, then a DTB with no magic', () => {
    const dir = withOverlays(['disable-gpio.dtbo']);
    const r = gen(dir);
    fs.copyFileSync(fixturePath('dtb', 'overlay', 'needs-symbols.dtbo'), path.join(dir, 'samples', 'disable-gpio.dtbo'));
    const v = verifyScript(packScript(r.outputs.source, r.plan.scriptAddr, 0), dir, boardForConfig(r), { scriptAddr: r.plan.scriptAddr, ubootVersion: NEWER });
    const console = v.uboot.console;
    const at = console.indexOf('failed on fdt_overlay_apply(): FDT_ERR_NOTFOUND');
    expect(at).to.be.greaterThan(0);
    expect(console.slice(at, at + 4)).to.deep.equal([
      'failed on fdt_overlay_apply(): FDT_ERR_NOTFOUND',
      'base fdt does did not have a /__symbols__ node',
      'make sure you\'ve compiled with -@',
      'libfdt fdt_path_offset() returned FDT_ERR_BADMAGIC',
    ]);
    expect(v.ok).to.equal(false);
  });

  it('-f: each overlay is an image of the FIT (flat_dt, "xen fdt overlay N"), byte-equal to mkimage -f, extracted and applied', () => {
    const dir = withOverlays(['disable-gpio.dtbo', 'big-property.dtbo']);
    const r = generate(path.join(dir, 'config'), { env: {}, fit: true, timestamp: 0 });
    expect(r.outputs.source.split('\n').filter((l) => l.includes('fdto') || l.startsWith('fdt apply'))).to.deep.equal([
      'imxtract $fit_addr host_fdto0 0x42A00000', 'imxtract $fit_addr host_fdto1 0x42C00000', 'fdt apply 0x42A00000', 'fdt apply 0x42C00000',
    ]);
    runTool('mkimage', ['-q', '-f', 'boot.its', 'mk.fit'], { cwd: dir, env: { SOURCE_DATE_EPOCH: '0' } });
    expect(fs.readFileSync(path.join(dir, 'mk.fit')).equals(fs.readFileSync(path.join(dir, 'boot.fit')))).to.equal(true);
    const listed = runTool('dumpimage', ['-l', 'boot.fit'], { cwd: dir });
    expect(listed).to.match(/Image \d+ \(host_fdto1\)\n {2}Description: {2}xen fdt overlay 1\n {2}Created: .*\n {2}Type: {9}Flat Device Tree\n/);
    expect(verifyGenerated(r, { ubootVersion: NEWER }).ok).to.equal(true);
  });

  it('config: a missing DT_OVERLAY[i] below NUM_DT_OVERLAY is an error at NUM_DT_OVERLAY; one past it is ignored with a warning', () => {
    const dir = withOverlays(['disable-gpio.dtbo']);
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('NUM_DT_OVERLAY=1', 'NUM_DT_OVERLAY=2'));
    let err: unknown;
    try { gen(dir); } catch (e) { err = e; }
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as ConfigError).message).to.equal('NUM_DT_OVERLAY=2 asks for overlays 0..1, but DT_OVERLAY[1] is not set (ImageBuilder: "Can not find , exiting")');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('NUM_DT_OVERLAY=2', 'NUM_DT_OVERLAY=0'));
    const r = gen(dir);
    expect(r.diagnostics.map((d) => [d.code, d.message])).to.deep.include(['CONFIG_IGNORED_INDEX', 'DT_OVERLAY[0] is set but NUM_DT_OVERLAY=0, so it is ignored']);
    expect(r.outputs.source).to.not.contain('fdt apply');
  });
});
