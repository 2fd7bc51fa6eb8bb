// Fuzz target: the hush lexer and parser (src/sim/uboot/hush) on mutated real scripts, in both
// modes (a script, and the re-parse of a command after `$` substitution).
import * as path from 'node:path';
import * as fs from 'node:fs';
import type { FuzzTarget } from '../target.js';
import { fixturePath } from '../../helpers/paths.js';
import { Parser } from '../../../src/sim/uboot/hush/parser.js';
import { SCRIPT_TOKENS, bytesCodec, mutatedBytes, seedFiles } from '../sim-inputs.js';

const seeds = ['images', 'golden', 'corpus', 'scripts']
  .flatMap((d) => seedFiles(fixturePath(d), ['.source']))
  .map((f) => new Uint8Array(fs.readFileSync(f)));

export const target: FuzzTarget<Uint8Array> = {
  name: path.basename(new URL(import.meta.url).pathname).replace(/\.[jt]s$/, ''),
  arbitrary: mutatedBytes(seeds, SCRIPT_TOKENS, 12),
  run(input) {
    const text = Buffer.from(input).toString('latin1');
    for (const reparsing of [false, true]) {
      const p = new Parser(text, reparsing);
      for (let line = p.nextLine(); line; line = p.nextLine()) { /* parse only */ }
    }
  },
  ...bytesCodec,
};
