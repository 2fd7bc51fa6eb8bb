import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { expect } from 'chai';
import { InputFileProblem, openInputFile, readInputFile } from '../../../src/util/file.js';
import { tempDir } from '../../helpers/temp.js';

function problemOf(fn: () => unknown): InputFileProblem {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(InputFileProblem);
    return e as InputFileProblem;
  }
  throw new Error('expected an InputFileProblem');
}

describe('util/file: inputs are checked before they are read', () => {
  it('refuses character devices, FIFOs and directories without reading (or blocking on) them', () => {
    expect(problemOf(() => readInputFile('/dev/zero', 1024)).problem).to.deep.equal({ kind: 'not-regular', type: 'a character device' });
    expect(problemOf(() => openInputFile('/dev/urandom')).message).to.equal('"/dev/urandom" is a character device, not a regular file');
    const dir = tempDir();
    const fifo = path.join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    // A FIFO with no writer would block a plain open() forever.
    expect(problemOf(() => readInputFile(fifo, 1024)).problem).to.deep.equal({ kind: 'not-regular', type: 'a FIFO (named pipe)' });
    expect(problemOf(() => readInputFile(dir, 1024)).problem).to.deep.equal({ kind: 'not-regular', type: 'a directory' });
  });

  it('refuses a file over the limit by its size, and reports a missing file', () => {
    const dir = tempDir();
    const big = path.join(dir, 'big');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 3 * 1024 * 1024 * 1024); // sparse: 3 GiB are never read
    const p = problemOf(() => readInputFile(big, 1024 * 1024));
    expect(p.problem).to.deep.equal({ kind: 'too-large', size: 3 * 1024 * 1024 * 1024, max: 1024 * 1024 });
    expect(p.message).to.equal(`"${big}" is 3221225472 bytes, more than the 1048576 bytes allowed for it`);
    expect(problemOf(() => readInputFile(path.join(dir, 'nope'), 10)).problem).to.deep.equal({ kind: 'missing' });
  });

  it('reads a regular file whole when it is within the limit', () => {
    const f = path.join(tempDir(), 'ok');
    fs.writeFileSync(f, 'XEN=xen\n');
    expect(readInputFile(f, 8).toString()).to.equal('XEN=xen\n');
    expect(problemOf(() => readInputFile(f, 7)).problem).to.deep.equal({ kind: 'too-large', size: 8, max: 7 });
    const { fd, size } = openInputFile(f, 8);
    fs.closeSync(fd);
    expect(size).to.equal(8);
  });
});
