// Inputs for the simulator's fuzz targets: mutations of real scripts and script images (the
// repository's fixtures), the served folder they load files from, and the board they run on.
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, fixturePath } from '../helpers/paths.js';
import { boardFromDtb } from '../../src/sim/uboot/index.js';
import type { BoardProfile } from '../../src/sim/handoff.js';
import { crc32 } from '../../src/util/crc32.js';

/** One edit of a seed input. Positions are taken modulo the current length. */
export type Mutation =
  | { op: 'set'; at: number; value: number }
  | { op: 'insert'; at: number; text: string }
  | { op: 'delete'; at: number; len: number }
  | { op: 'duplicate'; at: number; len: number; to: number }
  | { op: 'splice'; at: number; seed: number; from: number; len: number }
  | { op: 'number'; nth: number; value: bigint; hex: boolean };

/** Every file under `dir` whose name ends with one of `exts`, sorted (fixtures are the seeds). */
export function seedFiles(dir: string, exts: readonly string[]): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => exts.some((e) => f.endsWith(e))).sort().map((f) => path.join(dir, f));
}

/** Hush and U-Boot fragments worth inserting: quoting, expansion, control flow, limits of numbers. */
export const SCRIPT_TOKENS: readonly string[] = [
  '$', '${', '}', '${a}', '$a', '$?', '${a:-x}', '${a:=y}', '${a:+z}', '"', "'", '\\', '\\\n', ';', '&&', '||', '&', '|', '#', '\n', '\r\n', '\0',
  'if ', 'then ', 'elif ', 'else ', 'fi', 'if true; then ', '; fi\n', 'run a', 'run a b', 'source 40200000', 'exit 1',
  'setenv a ', "setenv a '", 'setenv a "${a}${a}"\n', "setenv a 'run a'\n", 'setenv a "\'"\n', 'echo $a\n', 'a=1 ', 'x=$a ',
  'test -n "$a"', 'test 1 -eq 1', 'true', 'false', 'setexpr a ${a} + 1', 'setexpr r 0xffffffffffffffff + 2',
  'tftpb ', 'load virtio 0 ', 'booti ', 'bootm ', 'bootz ', ' - ', ':', 'printenv', 'env set a ', 'env delete a',
  'fdt addr ', 'fdt resize ', 'fdt set /chosen ', 'fdt mknod /chosen ', 'fdt rm /chosen ', 'fdt print /', 'fdt get value v /chosen ',
  'fdt memory ', 'fdt rsvmem add ', 'fdt chosen ', 'fdt apply ', 'reg', '#address-cells', '#size-cells', 'memory', 'cpus',
  '<', '>', '<0 0>', '<0x0 0x40000000 0x0 0x1000>', '[00 01]', '"multiboot,module"', '"xen,domain"',
  '0', '1', '-1', '0x', '0x40000000', '0x44000000', '0x7fffffff', '0x80000000', '0xffffffff', '0x100000000', '0xfffff000',
  '0xffffffffffffffff', '18446744073709551617', '4294967297', '9007199254740993',
];

const mutationArb = (seedCount: number, tokens: readonly string[]): fc.Arbitrary<Mutation> => fc.oneof(
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...tokens), fc.string({ maxLength: 8 })) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 256 }), to: fc.nat() }),
  fc.record({ op: fc.constant('splice' as const), at: fc.nat(), seed: fc.nat({ max: Math.max(0, seedCount - 1) }), from: fc.nat(), len: fc.integer({ min: 1, max: 512 }) }),
  // Numbers are where boot scripts carry addresses, sizes and cells: replace one with a boundary value.
  fc.record({
    op: fc.constant('number' as const), nth: fc.nat(),
    value: fc.oneof(fc.constantFrom(0n, 1n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, (1n << 53n) + 1n, (1n << 64n) - 1n), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })),
    hex: fc.boolean(),
  }),
);

const NUMBER = /\b(?:0x[0-9a-fA-F]+|[0-9]+)\b/g;

function applyMutation(b: Uint8Array, m: Mutation, seeds: readonly Uint8Array[]): Uint8Array {
  const at = m.op === 'number' || b.length === 0 ? 0 : m.at % (b.length + 1);
  const join = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
  switch (m.op) {
    case 'set': {
      if (b.length === 0) return Uint8Array.of(m.value);
      const out = b.slice();
      out[m.at % b.length] = m.value;
      return out;
    }
    case 'insert': return join(b.subarray(0, at), Buffer.from(m.text, 'latin1'), b.subarray(at));
    case 'delete': return join(b.subarray(0, at), b.subarray(at + m.len));
    case 'duplicate': {
      const piece = b.subarray(at, at + m.len);
      const to = b.length === 0 ? 0 : m.to % (b.length + 1);
      return join(b.subarray(0, to), piece, b.subarray(to));
    }
    case 'number': {
      const text = Buffer.from(b).toString('latin1');
      const hits = [...text.matchAll(NUMBER)];
      const hit = hits[m.nth % Math.max(1, hits.length)];
      if (!hit || hit.index === undefined) return b;
      const repl = m.hex ? `0x${m.value.toString(16)}` : m.value.toString();
      return new Uint8Array(Buffer.from(text.slice(0, hit.index) + repl + text.slice(hit.index + hit[0].length), 'latin1'));
    }
    case 'splice': {
      const other = seeds[m.seed % seeds.length] ?? new Uint8Array(0);
      const from = other.length === 0 ? 0 : m.from % other.length;
      return join(b.subarray(0, at), other.subarray(from, from + m.len), b.subarray(at));
    }
  }
}

/** Bytes made by up to `maxMutations` edits of one of `seeds` (splices take pieces of the others). */
export function mutatedBytes(seeds: readonly Uint8Array[], tokens: readonly string[], maxMutations = 8): fc.Arbitrary<Uint8Array> {
  if (seeds.length === 0) throw new Error('mutatedBytes needs at least one seed');
  return fc.tuple(fc.nat({ max: seeds.length - 1 }), fc.array(mutationArb(seeds.length, tokens), { maxLength: maxMutations }))
    .map(([i, ms]) => ms.reduce<Uint8Array>((b, m) => applyMutation(b, m, seeds), seeds[i]!.slice()));
}

/** Rewrite a legacy image's data and header CRCs (so a mutated script image gets past `Bad ... crc`). */
export function fixImageCrcs(img: Uint8Array): Uint8Array {
  if (img.length < 64) return img;
  const out = img.slice();
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const size = Math.min(v.getUint32(12), out.length - 64);
  v.setUint32(24, crc32(out.subarray(64, 64 + size)));
  v.setUint32(4, 0);
  v.setUint32(4, crc32(out.subarray(0, 64)));
  return out;
}

let served: string | undefined;

/**
 * A folder served to the simulator: the samples (a QEMU virt DTB, Xen and Linux headers, an
 * initramfs) under every name the fixture scripts load, at the top and under samples/, and the
 * real uImages of the images fixtures. Made once per process, removed at exit.
 */
export function servedFolder(): string {
  if (served) return served;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uboot-gen-fuzz-'));
  const samples = path.join(REPO_ROOT, 'samples');
  fs.mkdirSync(path.join(dir, 'samples'));
  for (const f of fs.readdirSync(samples)) {
    fs.copyFileSync(path.join(samples, f), path.join(dir, f));
    fs.copyFileSync(path.join(samples, f), path.join(dir, 'samples', f));
  }
  const alias: Record<string, string> = {
    'initramfs.cpio.gz': 'initrd.cpio.gz', 'dom0-rootfs.cpio.gz': 'initrd.cpio.gz', initrd: 'initrd.cpio.gz',
    'Image-domU': 'Image', 'virt-gicv3.dtb': 'virt.dtb',
  };
  for (const [name, from] of Object.entries(alias)) fs.copyFileSync(path.join(samples, from), path.join(dir, name));
  fs.copyFileSync(fixturePath('images', 'xen-head.ub'), path.join(dir, 'xen.ub'));
  fs.copyFileSync(fixturePath('images', 'initrd.uimg'), path.join(dir, 'initrd.uimg'));
  served = dir;
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

let board: BoardProfile | undefined;

/** The sample board: QEMU virt as described by samples/virt.dtb. */
export function sampleBoard(): BoardProfile {
  board ??= boardFromDtb(new Uint8Array(fs.readFileSync(path.join(REPO_ROOT, 'samples', 'virt.dtb'))), 'virt.dtb');
  return board;
}

export const bytesCodec = {
  encode: (b: Uint8Array): Uint8Array => b,
  decode: (b: Uint8Array): Uint8Array => new Uint8Array(b),
};
