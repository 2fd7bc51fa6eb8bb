// The served folder: names resolved inside the root, and the -p prefix mapped onto it.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileServer } from '../../../../src/sim/uboot/files.js';
import { tempDir } from '../../../helpers/temp.js';

describe('sim → uboot → files', () => {
  const root = tempDir();
  fs.mkdirSync(path.join(root, 'sub'));
  fs.writeFileSync(path.join(root, 'sub', 'xen'), 'xen!');

  it('serves PREFIX/name from the root when told the prefix, with or without slashes around it', () => {
    for (const prefix of ['/srv/tftp', 'srv/tftp/', '/srv/tftp/']) {
      const s = new FileServer(root, { prependPath: prefix });
      expect(s.resolve('/srv/tftp/sub/xen')?.size, prefix).to.equal(4);
      expect(s.resolve('srv/tftp/sub/xen')?.name, prefix).to.equal('srv/tftp/sub/xen');
      // Names outside the prefix are looked up as before.
      expect(s.resolve('sub/xen')?.size, prefix).to.equal(4);
      expect(s.resolve('/srv/tftp/../sub/xen'), prefix).to.equal(undefined);
    }
  });

  it('does not map the prefix without being told, nor a name that only starts like it', () => {
    expect(new FileServer(root).resolve('/srv/tftp/sub/xen')).to.equal(undefined);
    expect(new FileServer(root, { prependPath: 'srv' }).resolve('srvx/sub/xen')).to.equal(undefined);
  });
});
