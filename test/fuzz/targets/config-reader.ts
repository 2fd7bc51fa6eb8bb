// The config reader end to end (bytes → UTF-8 check → lexer → evaluator → resolver) on real
// configs with byte edits, and with shell tokens spliced in where they hurt a bash-subset lexer.
import fc from 'fast-check';
import { decodeConfigText, parseConfigText } from '../../../src/config/index.js';
import { bytesCodec, mutatedBytes, seedFiles, seedFolder } from '../byte-mutations.js';
import type { FuzzTarget } from '../target.js';

const seeds = [
  ...seedFolder('test/fixtures/configs'),
  ...seedFiles('config.example'),
];

/** Pieces of bash syntax: openers without closers, expansions, operators, subscripts, numbers on the 64-bit edge. */
const TOKENS = [
  '${', '}', '$((', '))', '$(', ')', '(', '`', '"', "'", '\\', '\\\n', '\n', ';', '&&', '|', '<', '>', '#', '=', '+=',
  '[', ']', '[0]', '[$i]', '${A[0]}', '${A:-', '${A:+x}', '$A', '$A$A', 'A=$A$A\n', 'export ', 'declare -A ', '~/',
  '0x', '0xFFFFFFFFFFFFFFFF', '9223372036854775807', '18446744073709551617', '**', '**99', '<<63', '-', '010',
  'NUM_DOMUS=', 'DOMU_MEM[0]=', 'DOMU_VCPUS[0]=', 'MEMORY_END=', 'XEN_CMD="dom0_mem=', 'XEN=', ' ', '\t', '\r\n', '\uFEFF', 'é',
];

const spliced: fc.Arbitrary<Uint8Array> = fc.tuple(
  fc.integer({ min: 0, max: seeds.length - 1 }),
  fc.array(fc.tuple(
    fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
    fc.constantFrom(...TOKENS),
    // mostly a few copies; sometimes thousands (nesting depth, exponential chains)
    fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 1, max: 4 }) }, { weight: 1, arbitrary: fc.integer({ min: 5, max: 12000 }) }),
  ), { minLength: 1, maxLength: 6 }),
).map(([i, edits]) => {
  let text = Buffer.from(seeds[i] as Uint8Array).toString('utf8');
  for (const [frac, token, times] of edits) {
    const at = Math.floor(frac * text.length);
    text = text.slice(0, at) + token.repeat(times) + text.slice(at);
  }
  return new Uint8Array(Buffer.from(text, 'utf8'));
});

export const target: FuzzTarget<Uint8Array> = {
  name: 'config-reader',
  arbitrary: fc.oneof(mutatedBytes(seeds), spliced),
  run(bytes) {
    const file = 'fuzz.config';
    parseConfigText(decodeConfigText(bytes, file), file, { env: { HOME: '/home/user', LOAD_CMD: 'tftpb' } });
  },
  ...bytesCodec,
};
