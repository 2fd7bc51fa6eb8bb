// Ranged file access: read only the bytes a parser needs (headers, gzip trailers),
// never whole kernels or ramdisks.
import * as fs from 'node:fs';

export function fileSize(path: string): number {
  return fs.statSync(path).size;
}

/** Up to `length` bytes at `position`; shorter at end of file. */
export function readRange(path: string, position: number, length: number): Buffer {
  const fd = fs.openSync(path, 'r');
  try {
    return readRangeFd(fd, position, length);
  } finally {
    fs.closeSync(fd);
  }
}

export function readRangeFd(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const n = fs.readSync(fd, buf, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got === length ? buf : buf.subarray(0, got);
}

/**
 * Write a file atomically: a temp file beside it, fsync, then rename. A crash or
 * an error never leaves a half-written output under the final name.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode?: number): void {
  const tmp = `${path}.${process.pid}.${Date.now().toString(36)}.tmp`;
  const fd = fs.openSync(tmp, 'w', mode ?? 0o644);
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tmp, path);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
