// --uboot FILE: the release modelled for a real binary, and the errors for files that are not one.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ImageFormatError } from '../../../src/errors.js';
import { ubootBinaryVersion } from '../../../src/api/uboot-binary.js';
import { fixturePath } from '../../helpers/paths.js';
import { tempDir } from '../../helpers/images.js';

describe('api → uboot-binary', () => {
  let dir: string;
  before(() => { dir = tempDir('uboot-bin-'); });
  after(() => { fs.rmSync(dir, { recursive: true, force: true }); });

  const thrown = (f: () => unknown): ImageFormatError => {
    try { f(); } catch (e) { expect(e).to.be.instanceOf(ImageFormatError); return e as ImageFormatError; }
    throw new Error('no error');
  };

  it('reads the release from real banners', () => {
    expect(ubootBinaryVersion(fixturePath('uboot-bin', 'trixie-2025.01.banner.bin'))).to.deep.equal({
      version: '2025.01-3+deb13u1', banner: 'U-Boot 2025.01-3+deb13u1 (Jun 24 2026 - 09:07:15 +0000)', modelled: '2025.01', netStack: 'legacy',
    });
    expect(ubootBinaryVersion(fixturePath('uboot-bin', 'v2026.04.banner.bin')).modelled).to.equal('2026.04');
  });

  it('models an unlisted release as the newest modelled one before it', () => {
    const f = path.join(dir, 'u-boot-2025.07.bin');
    fs.writeFileSync(f, Buffer.from('\0\0U-Boot 2025.07-rc4 (Jul 01 2025)\0', 'latin1'));
    expect(ubootBinaryVersion(f)).to.deep.equal({ version: '2025.07-rc4', banner: 'U-Boot 2025.07-rc4 (Jul 01 2025)', modelled: '2025.04', netStack: 'legacy' });
  });

  it('refuses a file without a banner, naming the file and the fix', () => {
    const f = path.join(dir, 'u-boot.bin.gz');
    fs.writeFileSync(f, Buffer.from([0x1f, 0x8b, 8, 0, 0, 0]));
    const e = thrown(() => ubootBinaryVersion(f));
    expect(e.code).to.equal('IMAGE_UNSUPPORTED');
    expect(e.message).to.equal(`"${f}" holds no U-Boot version banner ("U-Boot YYYY.MM…"): not a U-Boot binary, or a compressed one`);
    expect(e.hint).to.equal('give the uncompressed u-boot.bin (or u-boot.elf), or name the release with --uboot-version (2023.01, 2024.01, 2024.04, 2025.01, 2025.04, 2025.10, 2026.01, 2026.04)');
  });

  it('refuses a release older than 2023.01', () => {
    const f = path.join(dir, 'old.bin');
    fs.writeFileSync(f, Buffer.from('U-Boot 2022.04 (Apr 2022)\0', 'latin1'));
    expect(thrown(() => ubootBinaryVersion(f)).message).to.equal(`"${f}" is U-Boot 2022.04, older than the oldest release modelled (2023.01)`);
  });

  it('refuses a missing file and a directory with the input-file errors', () => {
    expect(thrown(() => ubootBinaryVersion(path.join(dir, 'nope.bin'))).code).to.equal('IMAGE_NOT_FOUND');
    expect(thrown(() => ubootBinaryVersion(dir)).code).to.equal('IMAGE_NOT_REGULAR_FILE');
  });
});
