// Fuzz target: `source` of mutated script images (test/fixtures/images/*.scr and the simulator's
// fixture images): header fields, the length table and the script bytes, half of the time with
// the CRCs repaired so that the mutation reaches the length table and hush.
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FuzzTarget } from '../target.js';
import { fixturePath } from '../../helpers/paths.js';
import { verifyScript } from '../../../src/api/verify.js';
import { SCRIPT_TOKENS, bytesCodec, fixImageCrcs, mutatedBytes, sampleBoard, seedFiles, servedFolder } from '../sim-inputs.js';

const seeds = ['images', 'scripts']
  .flatMap((d) => seedFiles(fixturePath(d), ['.scr']))
  .map((f) => new Uint8Array(fs.readFileSync(f)));

export const target: FuzzTarget<Uint8Array> = {
  name: path.basename(new URL(import.meta.url).pathname).replace(/\.[jt]s$/, ''),
  arbitrary: fc.tuple(mutatedBytes(seeds, SCRIPT_TOKENS, 8), fc.boolean()).map(([b, fix]) => (fix ? fixImageCrcs(b) : b)),
  run(input) {
    verifyScript(input, servedFolder(), sampleBoard());
  },
  ...bytesCodec,
};
