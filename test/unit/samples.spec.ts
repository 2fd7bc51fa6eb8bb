// samples/ (used by config.example, the README and the CLI tests) is exactly what the builders
// in test/helpers/samples.ts make: `node dist/scripts/dev/samples.js` rewrites it byte for byte.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';
import { buildSamples } from '../helpers/samples.js';

describe('samples/', () => {
  const built = buildSamples();

  it('holds exactly the four sample files', () => {
    expect(fs.readdirSync(path.join(REPO_ROOT, 'samples')).sort()).to.deep.equal(['Image', 'initrd.cpio.gz', 'virt.dtb', 'xen']);
    expect(Object.keys(built).sort()).to.deep.equal(['Image', 'initrd.cpio.gz', 'virt.dtb', 'xen']);
  });

  for (const name of ['Image', 'initrd.cpio.gz', 'virt.dtb', 'xen']) {
    it(`${name} is byte-identical to its builder's output`, () => {
      const onDisk = fs.readFileSync(path.join(REPO_ROOT, 'samples', name));
      expect(onDisk.length).to.equal(built[name]!.length);
      expect(onDisk.equals(Buffer.from(built[name]!))).to.equal(true);
    });
  }
});
