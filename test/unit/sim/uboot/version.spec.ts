// The table of modelled U-Boot releases and the checks of --uboot-version.
import { expect } from 'chai';
import { UbootGenError } from '../../../../src/errors.js';
import {
  atLeast, checkUbootVersion, DEFAULT_UBOOT_VERSION, modelledRelease, parseUbootVersion, SUPPORTED_UBOOT_VERSIONS, UBOOT_RELEASES,
} from '../../../../src/sim/uboot/version.js';

const usage = (f: () => unknown): { message: string; hint: string | undefined; data: Record<string, unknown> } => {
  try {
    f();
  } catch (e) {
    expect(e).to.be.instanceOf(UbootGenError);
    const u = e as UbootGenError;
    expect(u.code).to.equal('USAGE');
    return { message: u.message, hint: u.hint, data: u.data };
  }
  throw new Error('no error');
};

describe('sim → uboot → version', () => {
  it('lists the eight modelled releases, oldest first, the default first', () => {
    expect(SUPPORTED_UBOOT_VERSIONS).to.deep.equal(['2023.01', '2024.01', '2024.04', '2025.01', '2025.04', '2025.10', '2026.01', '2026.04']);
    expect(DEFAULT_UBOOT_VERSION).to.equal('2023.01');
    const numbers = SUPPORTED_UBOOT_VERSIONS.map(parseUbootVersion);
    expect(numbers).to.deep.equal([...numbers].sort((a, b) => a - b));
    // Every change names the U-Boot file and tag it was read from.
    for (const r of UBOOT_RELEASES) for (const c of r.changes) expect(c, c).to.match(/\([a-z/_.-]+\.c( [a-z_]+\(\))?, v\d{4}\.\d{2}\)$/);
  });

  it('compares releases', () => {
    expect(parseUbootVersion('v2024.04-rc2')).to.equal(202404);
    expect(atLeast(202501, '2025.01')).to.equal(true);
    expect(atLeast(202410, '2025.01')).to.equal(false);
  });

  it('accepts a modelled release, with or without v and -rc', () => {
    expect(checkUbootVersion('2025.01')).to.equal('2025.01');
    expect(checkUbootVersion('v2026.04')).to.equal('2026.04');
    expect(checkUbootVersion(' 2024.04-rc3 ')).to.equal('2024.04');
  });

  it('suggests the release a loose spelling means', () => {
    expect(usage(() => checkUbootVersion('2025.1')).message).to.equal('--uboot-version 2025.1: not a modelled U-Boot release. Did you mean 2025.01?');
    expect(usage(() => checkUbootVersion('25.04')).message).to.equal('--uboot-version 25.04: not a modelled U-Boot release. Did you mean 2025.04?');
    expect(usage(() => checkUbootVersion('v2026_01')).data['suggestion']).to.equal('2026.01');
  });

  it('suggests the newest modelled release before an unmodelled one', () => {
    const e = usage(() => checkUbootVersion('2025.07'));
    expect(e.message).to.equal('--uboot-version 2025.07: not a modelled U-Boot release. Did you mean 2025.04, the newest modelled release before it?');
    expect(e.hint).to.equal('give one of 2023.01, 2024.01, 2024.04, 2025.01, 2025.04, 2025.10, 2026.01, 2026.04');
    expect(usage(() => checkUbootVersion('2030.01')).data['suggestion']).to.equal('2026.04');
  });

  it('has no suggestion for a release older than every modelled one, or for words', () => {
    expect(usage(() => checkUbootVersion('2022.10')).message).to.equal('--uboot-version 2022.10: not a modelled U-Boot release');
    const e = usage(() => checkUbootVersion('latest', '--uboot'));
    expect(e.message).to.equal('--uboot latest: not a modelled U-Boot release');
    expect(e.data).to.deep.equal({ given: 'latest', supported: SUPPORTED_UBOOT_VERSIONS });
  });

  it('maps a binary\'s version to the release modelled for it', () => {
    expect(modelledRelease('2025.01-3+deb13u1')).to.equal('2025.01');
    expect(modelledRelease('2023.01+dfsg-2+deb12u3')).to.equal('2023.01');
    expect(modelledRelease('2025.07-rc1')).to.equal('2025.04');
    expect(modelledRelease('2026.07')).to.equal('2026.04');
    expect(modelledRelease('2022.04')).to.equal(undefined);
  });
});
