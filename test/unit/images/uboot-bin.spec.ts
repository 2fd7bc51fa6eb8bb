// The version banner of real U-Boot binaries (slices in test/fixtures/uboot-bin), and the reader's bounds.
import { expect } from 'chai';
import * as fs from 'node:fs';
import { ubootBanner } from '../../../src/images/uboot-bin.js';
import { fixturePath } from '../../helpers/paths.js';

const slice = (name: string): Uint8Array => new Uint8Array(fs.readFileSync(fixturePath('uboot-bin', `${name}.banner.bin`)));
const text = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

describe('images → uboot-bin (version banner)', () => {
  it('reads the banners of Debian\'s 2023.01 and 2025.01 and of a v2026.04 build', () => {
    expect(ubootBanner(slice('bookworm-2023.01'))).to.deep.equal({
      release: '2023.01', version: '2023.01+dfsg-2+deb12u3', banner: 'U-Boot 2023.01+dfsg-2+deb12u3 (Jun 22 2026 - 08:38:07 +0000)',
    });
    expect(ubootBanner(slice('trixie-2025.01'))).to.deep.equal({
      release: '2025.01', version: '2025.01-3+deb13u1', banner: 'U-Boot 2025.01-3+deb13u1 (Jun 24 2026 - 09:07:15 +0000)',
    });
    expect(ubootBanner(slice('v2026.04'))).to.deep.equal({
      release: '2026.04', version: '2026.04', banner: 'U-Boot 2026.04 (Dec 01 2026 - 17:32:26 +0000)',
    });
  });

  it('skips other "U-Boot " strings and finds the banner after them', () => {
    expect(ubootBanner(text('U-Boot SPL\0U-Boot environment\0U-Boot 2024.04-rc2-00001-gabc (x)\0'))?.version).to.equal('2024.04-rc2-00001-gabc');
  });

  it('finds nothing in bytes without a banner, an empty buffer, or a banner cut before its year', () => {
    expect(ubootBanner(text('U-Boot SPL only'))).to.equal(undefined);
    expect(ubootBanner(new Uint8Array(0))).to.equal(undefined);
    expect(ubootBanner(text('xxU-Boot 20'))).to.equal(undefined);
  });

  it('stops at the end of the bytes and at 160 characters', () => {
    expect(ubootBanner(text('U-Boot 2025.10'))).to.deep.equal({ release: '2025.10', version: '2025.10', banner: 'U-Boot 2025.10' });
    const long = ubootBanner(text(`U-Boot 2025.10 ${'x'.repeat(500)}`))!;
    expect(long.banner.length).to.equal(160);
    // A view into a larger buffer reads only its own bytes.
    const whole = text('U-Boot 2025.01 (a)U-Boot 2026.04');
    expect(ubootBanner(whole.subarray(18))?.release).to.equal('2026.04');
    expect(ubootBanner(whole.subarray(0, 10))).to.equal(undefined);
  });
});
