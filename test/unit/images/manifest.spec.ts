import { expect } from 'chai';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { fixturePath } from '../../helpers/paths.js';
import { fixtureBytes, manifest } from './fixtures.js';

describe('images → fixtures → MANIFEST.json', () => {
  const files = fs.readdirSync(fixturePath('images')).filter((f) => f !== 'MANIFEST.json').sort();

  it('lists every fixture file and nothing else', () => {
    expect(Object.keys(manifest()).sort()).to.deep.equal(files);
  });

  for (const name of files) {
    it(`${name} matches its recorded sha256 and size`, () => {
      const bytes = fixtureBytes(name);
      const entry = manifest()[name]!;
      expect([createHash('sha256').update(bytes).digest('hex'), bytes.length]).to.deep.equal([entry.sha256, entry.size]);
      if (name.endsWith('.head')) {
        expect(bytes.length, 'header slices are dd bs=4096 count=1').to.equal(4096);
        expect(entry.realSize, 'real size recorded').to.be.greaterThan(4096);
        expect(entry.package && entry.version, 'source package recorded').to.be.a('string');
      }
    });
  }
});
