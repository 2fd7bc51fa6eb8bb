// Ranged file access: read only the bytes a parser needs (headers, gzip trailers),
// never whole kernels or ramdisks. Every input is checked for type and size before a
// byte is read: /dev/zero, /dev/urandom or a FIFO named as a config or a DTB would
// otherwise fill memory or block forever.
import * as fs from 'node:fs';

/** Why an input file cannot be used; callers turn it into their stage's typed error. */
export type InputProblem =
  | { kind: 'missing' }
  | { kind: 'unreadable'; errno: string; detail: string }
  | { kind: 'not-regular'; type: string }
  | { kind: 'too-large'; size: number; max: number };

export class InputFileProblem extends Error {
  constructor(readonly path: string, readonly problem: InputProblem) {
    super(describeInputProblem(path, problem));
  }
}

/** "a character device", "a FIFO (named pipe)", ... for a non-regular file. */
export function fileTypeName(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Whole sentence fragment: `"x" is a character device, not a regular file`. */
export function describeInputProblem(path: string, p: InputProblem): string {
  switch (p.kind) {
    case 'missing': return `"${path}" does not exist`;
    case 'unreadable': return `"${path}" cannot be read (${p.detail})`;
    case 'not-regular': return `"${path}" is ${p.type}, not a regular file`;
    case 'too-large': return `"${path}" is ${p.size} bytes, more than the ${p.max} bytes allowed for it`;
  }
}

function unreadable(path: string, e: unknown): InputFileProblem {
  const errno = (e as NodeJS.ErrnoException).code ?? 'EIO';
  if (errno === 'ENOENT' || errno === 'ENOTDIR') return new InputFileProblem(path, { kind: 'missing' });
  const detail = errno === 'EACCES' ? 'permission denied' : errno === 'ELOOP' ? 'too many levels of symbolic links' : (e as Error).message;
  return new InputFileProblem(path, { kind: 'unreadable', errno, detail });
}

/**
 * Open an input for reading after checking, by stat(), that it is a regular file of at most
 * `maxBytes` bytes. O_NONBLOCK keeps a FIFO swapped in between the stat and the open from
 * blocking; the fstat after the open catches that swap.
 * @throws InputFileProblem
 */
export function openInputFile(path: string, maxBytes = Number.MAX_SAFE_INTEGER): { fd: number; size: number } {
  let st: fs.Stats;
  try {
    st = fs.statSync(path);
  } catch (e) {
    throw unreadable(path, e);
  }
  checkStat(path, st, maxBytes);
  let fd: number;
  try {
    fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
  } catch (e) {
    throw unreadable(path, e);
  }
  try {
    const st2 = fs.fstatSync(fd);
    checkStat(path, st2, maxBytes);
    return { fd, size: st2.size };
  } catch (e) {
    fs.closeSync(fd);
    throw e instanceof InputFileProblem ? e : unreadable(path, e);
  }
}

function checkStat(path: string, st: fs.Stats, maxBytes: number): void {
  if (!st.isFile()) throw new InputFileProblem(path, { kind: 'not-regular', type: fileTypeName(st) });
  if (st.size > maxBytes) throw new InputFileProblem(path, { kind: 'too-large', size: st.size, max: maxBytes });
}

/**
 * The whole of a small input (config, DTB, script), checked first by openInputFile(). Reads
 * at most `maxBytes` + 1 bytes, so a file that grows while it is read is still refused.
 * @throws InputFileProblem
 */
export function readInputFile(path: string, maxBytes: number): Buffer {
  const { fd, size } = openInputFile(path, maxBytes);
  try {
    const buf = readRangeFd(fd, 0, Math.min(size, maxBytes) + 1);
    if (buf.length > maxBytes) throw new InputFileProblem(path, { kind: 'too-large', size: buf.length, max: maxBytes });
    return buf;
  } catch (e) {
    throw e instanceof InputFileProblem ? e : unreadable(path, e);
  } finally {
    fs.closeSync(fd);
  }
}

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
