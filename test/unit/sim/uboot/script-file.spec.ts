// `simulate FILE`: the script image path is checked (type, size) before anything is read.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MAX_SCRIPT_IMAGE_BYTES, readScriptImage } from '../../../../src/sim/uboot/script-file.js';
import { UbootGenError } from '../../../../src/errors.js';
import { tempDir } from '../../../helpers/images.js';
import { fixturePath } from '../../../helpers/paths.js';

function failure(file: string): UbootGenError {
  try { readScriptImage(file); } catch (e) { if (e instanceof UbootGenError) return e; throw e; }
  throw new Error('no error');
}

describe('sim → uboot → script-file', () => {
  let dir: string;
  before(() => { dir = tempDir('script-file-'); });
  after(() => { fs.rmSync(dir, { recursive: true, force: true }); });

  it('reads a real script image', () => {
    expect(Buffer.from(readScriptImage(fixturePath('images', 'tiny.scr'))).equals(fs.readFileSync(fixturePath('images', 'tiny.scr')))).to.equal(true);
  });

  it('refuses /dev/zero, a FIFO and a directory without reading them', () => {
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const cases: [string, string][] = [
      ['/dev/zero', 'this is a character device, not a script image'],
      [fifo, 'this is a FIFO (named pipe), not a script image'],
      [dir, 'this is a directory, not a script image'],
    ];
    for (const [file, message] of cases) {
      const e = failure(file);
      expect(e.code, file).to.equal('SIM_BAD_INPUT');
      expect(e.describe(), file).to.equal(`${file}: ${message}\n  hint: give the boot.scr file (made with mkimage -T script)`);
    }
  });

  it('refuses a file larger than a script image can be, and names a missing one', () => {
    const big = path.join(dir, 'big.scr');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, MAX_SCRIPT_IMAGE_BYTES + 1);
    expect(failure(big).message).to.equal('this file is 64.0 MiB, more than the 64 MiB a script image can be');
    const e = failure(path.join(dir, 'nope.scr'));
    expect([e.code, e.message]).to.deep.equal(['IMAGE_NOT_FOUND', 'cannot read the script image (ENOENT)']);
  });
});
