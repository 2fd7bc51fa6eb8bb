// Content identity for sharing one load between domains: same real path, or same size and
// same bytes. Bytes are compared by a hash of the first 4 KiB first, so distinct kernels of
// equal size are told apart without reading them whole; only equal heads lead to a full SHA-256.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { readRange } from '../util/file.js';

/** Bytes hashed to tell files of equal size apart cheaply. */
const HEAD_FINGERPRINT = 4096;

export class Identity {
  #byReal = new Map<string, string>();
  #real = new Map<string, string>();
  #head = new Map<string, string>();
  #full = new Map<string, string>();
  /** Files seen so far, grouped by size: only equal sizes are ever compared. */
  #bySize = new Map<number, string[]>();

  /** A key equal for two files exactly when they hold the same bytes. */
  key(abs: string, size: number): string {
    const real = this.#realpath(abs);
    const known = this.#byReal.get(real);
    if (known) return known;
    const same = this.#bySize.get(size) ?? [];
    for (const other of same) {
      if (this.#hash(this.#head, other, HEAD_FINGERPRINT) !== this.#hash(this.#head, abs, HEAD_FINGERPRINT)) continue;
      if (this.#hash(this.#full, other) === this.#hash(this.#full, abs)) {
        const k = this.#byReal.get(this.#realpath(other))!;
        this.#byReal.set(real, k);
        return k;
      }
    }
    same.push(abs);
    this.#bySize.set(size, same);
    this.#byReal.set(real, real);
    return real;
  }

  #realpath(abs: string): string {
    let r = this.#real.get(abs);
    if (!r) { r = fs.realpathSync(abs); this.#real.set(abs, r); }
    return r;
  }

  #hash(cache: Map<string, string>, abs: string, limit?: number): string {
    let h = cache.get(abs);
    if (!h) {
      const hash = crypto.createHash('sha256');
      if (limit !== undefined) hash.update(readRange(abs, 0, limit));
      else {
        const fd = fs.openSync(abs, 'r');
        try {
          const chunk = Buffer.allocUnsafe(1 << 20);
          for (let n; (n = fs.readSync(fd, chunk, 0, chunk.length, null)) > 0;) hash.update(chunk.subarray(0, n));
        } finally { fs.closeSync(fd); }
      }
      h = hash.digest('hex');
      cache.set(abs, h);
    }
    return h;
  }
}
