// FIT, FIT_ENC_KEY_DIR, FIT_ENC_UB_DTB and ImageBuilder's -f / -k / -u, read as uboot-script-gen reads them.
import { expect } from 'chai';
import { parseConfigText } from '../../../src/config/index.js';
import { BASE, expectConfigError } from './helpers.js';

const load = (text: string, opts: Parameters<typeof parseConfigText>[2] = {}) => parseConfigText(text, 'c.cfg', opts);
const base = `${BASE}DOM0_KERNEL=Image\n`;

describe('config: FIT mode', () => {
  it('is off without FIT or -f; -f names the FIT after UBOOT_SOURCE, and the .its after the FIT', () => {
    expect(load(base).config.fit).to.equal(undefined);
    const f = load(base, { fitOverride: true }).config.fit!;
    expect(f.file.value).to.equal('boot.fit');
    expect(f.its).to.equal('boot.its');
    expect(f.signing).to.equal(undefined);
    const named = load(`${base}FIT=images/all.fit\n`, { fitOverride: true }).config.fit!;
    expect(named.file.value).to.equal('images/all.fit');
    expect(named.its).to.equal('images/all.its');
    expect(named.file.where.line).to.equal(9);
  });

  it('splits FIT_ENC_KEY_DIR as ImageBuilder does, and -k / -u override the config', () => {
    const s = load(`${base}FIT=b.fit\nFIT_ENC_KEY_DIR=keys/dev\nFIT_ENC_UB_DTB=u-boot.dtb\n`).config.fit!;
    expect(s.signing).to.deep.include({ keyDir: 'keys/', keyHint: 'dev' });
    expect(s.ubootDtb?.value).to.equal('u-boot.dtb');
    const o = load(`${base}FIT=b.fit\nFIT_ENC_KEY_DIR=keys/dev\n`, { fitKeyDirOverride: '/srv/k/prod', fitUbootDtbOverride: 'ub.dtb' }).config.fit!;
    expect(o.signing).to.deep.include({ keyDir: '/srv/k/', keyHint: 'prod' });
    expect(o.ubootDtb?.value).to.equal('ub.dtb');
    // bash ${X%/*}/ with no slash: the folder is the value itself
    expect(load(`${base}FIT=b.fit\nFIT_ENC_KEY_DIR=dev\n`).config.fit!.signing).to.deep.include({ keyDir: 'dev/', keyHint: 'dev' });
  });

  it('refuses -u without -k, and a key folder that names no key', () => {
    expectConfigError(() => load(`${base}FIT=b.fit\nFIT_ENC_UB_DTB=u-boot.dtb\n`), {
      code: 'CONFIG_MISSING', line: 10, col: 16,
      message: 'FIT_ENC_UB_DTB (-u) is set but FIT_ENC_KEY_DIR (-k) is not: the public key to add to U-Boot\'s DTB comes from the signing key',
    });
    expectConfigError(() => load(`${base}FIT=b.fit\nFIT_ENC_KEY_DIR=keys/\n`), { code: 'CONFIG_BAD_VALUE', line: 10, col: 17 });
  });

  it('warns that a key without FIT mode signs nothing', () => {
    const { diagnostics } = load(`${base}FIT_ENC_KEY_DIR=keys/dev\n`);
    expect(diagnostics.map((d) => d.code)).to.include('CONFIG_FIT_KEY_UNUSED');
  });

  it('refuses FIT with -s (the FIT holds fixed load addresses)', () => {
    expectConfigError(() => load(`${base}FIT=b.fit\n`, { runtimeSizing: true }), { code: 'CONFIG_CONFLICT', line: 9, col: 5 });
  });
});
