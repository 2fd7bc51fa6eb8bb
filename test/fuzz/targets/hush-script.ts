// Fuzz target: the whole interpreter on mutated real scripts (the images, golden, corpus and
// simulator fixtures' boot.source files), wrapped as a script image and verified as `simulate`
// does: U-Boot's hush and commands against the sample board and samples/ files, then the Xen
// model on whatever was booted.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FuzzTarget } from '../target.js';
import { fixturePath } from '../../helpers/paths.js';
import { writeScriptImage, IH_ARCH_ARM64 } from '../../../src/images/uimage.js';
import { verifyScript } from '../../../src/api/verify.js';
import { SCRIPT_TOKENS, bytesCodec, mutatedBytes, sampleBoard, seedFiles, servedFolder } from '../sim-inputs.js';

const seeds = ['images', 'golden', 'corpus', 'scripts']
  .flatMap((d) => seedFiles(fixturePath(d), ['.source']))
  .map((f) => new Uint8Array(fs.readFileSync(f)));

export const target: FuzzTarget<Uint8Array> = {
  name: path.basename(new URL(import.meta.url).pathname).replace(/\.[jt]s$/, ''),
  arbitrary: mutatedBytes(seeds, SCRIPT_TOKENS, 12),
  run(input) {
    const image = writeScriptImage(input, { arch: IH_ARCH_ARM64, time: 0 });
    verifyScript(image, servedFolder(), sampleBoard());
  },
  ...bytesCodec,
};
