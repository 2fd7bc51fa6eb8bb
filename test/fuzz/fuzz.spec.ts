// Every fuzz target in test/fuzz/targets: a bounded, seeded run in the suite (fast, and the
// same inputs on every run), then a replay of every saved crashing input under
// test/fixtures/fuzz/<name>/. The property is the contract of FuzzTarget: `run` returns or
// throws a UbootGenError; a RangeError, a TypeError or a stack overflow is a failure.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect } from 'chai';
import fc from 'fast-check';
import { UbootGenError } from '../../src/errors.js';
import { fixturePath } from '../helpers/paths.js';
import type { FuzzTarget } from './target.js';

/** Runs per target in the suite; `npm run fuzz` runs long campaigns. */
const SUITE_RUNS = 300;

const here = path.dirname(fileURLToPath(import.meta.url));
const targetFiles = fs.readdirSync(path.join(here, 'targets')).filter((f) => f.endsWith('.js')).sort();
const targets: FuzzTarget[] = [];
for (const f of targetFiles) {
  const mod = (await import(pathToFileURL(path.join(here, 'targets', f)).href)) as { target?: FuzzTarget };
  if (mod.target) targets.push(mod.target);
}

/** A stable seed per target, so a failure in the suite reproduces with the same inputs. */
function seedOf(name: string): number {
  let h = 0x811c9dc5;
  for (const c of name) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h | 0;
}

/** The contract: return, or throw a UbootGenError. */
function runTyped(t: FuzzTarget, input: unknown): void {
  try {
    t.run(input);
  } catch (e) {
    if (!(e instanceof UbootGenError)) throw e;
  }
}

describe('fuzz targets (seeded runs and saved crashing inputs)', function () {
  this.timeout(120_000);

  it('finds the targets of test/fuzz/targets', () => {
    expect(targets.map((t) => t.name)).to.include.members(['config-reader', 'fdt-libfdt', 'images-parsers', 'images-probe', 'hush-parser', 'hush-script', 'sim-fdt-command', 'sim-source-image']);
  });

  for (const t of targets) {
    it(`${t.name}: ${SUITE_RUNS} seeded inputs end in success or a typed error`, () => {
      fc.assert(fc.property(t.arbitrary, (input) => { runTyped(t, input); }), { seed: seedOf(t.name), numRuns: SUITE_RUNS });
    });

    it(`${t.name}: every saved crashing input now ends in success or a typed error`, () => {
      const dir = fixturePath('fuzz', t.name);
      const files = fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
      for (const f of files) {
        const input = t.decode(new Uint8Array(fs.readFileSync(path.join(dir, f))));
        try {
          runTyped(t, input);
        } catch (e) {
          throw new Error(`${t.name}/${f}: ${(e as Error).stack ?? String(e)}`, { cause: e });
        }
        // encode/decode round-trip: the fixture replays the same input that was saved
        expect(Buffer.from(t.encode(input)).equals(Buffer.from(fs.readFileSync(path.join(dir, f)))), `${t.name}/${f} round-trip`).to.equal(true);
      }
    });
  }
});
