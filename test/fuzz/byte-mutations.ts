// Inputs for the parser targets: real files (the fixtures the unit tests use, and samples/)
// changed by a few edits of the kinds that break parsers: a flipped bit, a length or offset
// field set to a boundary value, bytes inserted, removed, repeated or cut off.
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { REPO_ROOT } from '../helpers/paths.js';

/** The bytes of files under the repository root. */
export function seedFiles(...relPaths: string[]): Uint8Array[] {
  return relPaths.map((p) => new Uint8Array(fs.readFileSync(path.join(REPO_ROOT, p))));
}

/** Every file directly in a folder of the repository, sorted by name. */
export function seedFolder(relDir: string, keep: (name: string) => boolean = () => true): Uint8Array[] {
  const dir = path.join(REPO_ROOT, relDir);
  return fs.readdirSync(dir).filter(keep).sort().map((f) => new Uint8Array(fs.readFileSync(path.join(dir, f))));
}

/** Values that sit on the edges parsers compare against. */
const EDGE_U32 = [0, 1, 2, 3, 4, 7, 8, 0x10, 0x28, 0x38, 0x40, 0x7f, 0x80, 0xff, 0x100, 0x1000, 0xffff, 0x10000,
  0x200000, 0x7fffffff, 0x80000000, 0xfffffff0, 0xfffffffc, 0xfffffffe, 0xffffffff];

type Edit =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'byte'; at: number; value: number }
  | { op: 'u32'; at: number; value: number; le: boolean }
  | { op: 'u64'; at: number; hi: number; lo: number; le: boolean }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; len: number }
  | { op: 'repeat'; at: number; len: number; times: number }
  | { op: 'truncate'; at: number };

/** Offsets are fractions of the current length, so an edit lands inside whatever the seed is. */
const where = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const pos = (frac: number, len: number): number => Math.floor(frac * Math.max(1, len));
const edgeU32 = fc.oneof(fc.constantFrom(...EDGE_U32), fc.integer({ min: 0, max: 0xffffffff }));

const editArb: fc.Arbitrary<{ frac: number; edit: Edit }> = fc.tuple(where, fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.constant(0), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('byte' as const), at: fc.constant(0), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('u32' as const), at: fc.constant(0), value: edgeU32, le: fc.boolean() }),
  fc.record({ op: fc.constant('u64' as const), at: fc.constant(0), hi: edgeU32, lo: edgeU32, le: fc.boolean() }),
  fc.record({ op: fc.constant('insert' as const), at: fc.constant(0), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.constant(0), len: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ op: fc.constant('repeat' as const), at: fc.constant(0), len: fc.integer({ min: 1, max: 64 }), times: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.constant(0) }),
)).map(([frac, edit]) => ({ frac, edit }));

function applyEdit(b: Uint8Array, frac: number, e: Edit): Uint8Array {
  const at = pos(frac, b.length);
  switch (e.op) {
    case 'flip': { if (b.length === 0) return b; const c = b.slice(); c[at] = (c[at] as number) ^ (1 << e.bit); return c; }
    case 'byte': { if (b.length === 0) return b; const c = b.slice(); c[at] = e.value; return c; }
    case 'u32': {
      if (b.length < 4) return b;
      const c = b.slice();
      const o = Math.min(at & ~3, c.length - 4);
      new DataView(c.buffer).setUint32(o, e.value, e.le);
      return c;
    }
    case 'u64': {
      if (b.length < 8) return b;
      const c = b.slice();
      const o = Math.min(at & ~3, c.length - 8);
      const v = new DataView(c.buffer);
      v.setUint32(o, e.le ? e.lo : e.hi, e.le);
      v.setUint32(o + 4, e.le ? e.hi : e.lo, e.le);
      return c;
    }
    case 'insert': { const c = new Uint8Array(b.length + e.bytes.length); c.set(b.subarray(0, at)); c.set(e.bytes, at); c.set(b.subarray(at), at + e.bytes.length); return c; }
    case 'delete': return Uint8Array.from(Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + e.len))]));
    case 'repeat': {
      const piece = b.subarray(at, at + e.len);
      const parts = [b.subarray(0, at + piece.length)];
      for (let i = 0; i < e.times; i++) parts.push(piece);
      parts.push(b.subarray(at + piece.length));
      return Uint8Array.from(Buffer.concat(parts));
    }
    case 'truncate': return b.slice(0, at);
  }
}

/** A seed changed by 0..maxEdits edits (0 keeps the real file: the parser must accept it). */
export function mutatedBytes(seeds: readonly Uint8Array[], maxEdits = 6): fc.Arbitrary<Uint8Array> {
  if (seeds.length === 0) throw new Error('mutatedBytes needs at least one seed');
  return fc.tuple(fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(editArb, { maxLength: maxEdits }))
    .map(([i, edits]) => edits.reduce((b, { frac, edit }) => applyEdit(b, frac, edit), seeds[i] as Uint8Array));
}

/** Identity encoding for byte inputs. */
export const bytesCodec = {
  encode: (b: Uint8Array): Uint8Array => b,
  decode: (b: Uint8Array): Uint8Array => b,
};
