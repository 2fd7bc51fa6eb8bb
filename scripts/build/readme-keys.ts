// Writes the README's config-key table from the keys table (src/config/keys.ts and
// src/config/key-facts.ts, the rows `uboot-gen keys` prints), between its two marker comments.
// `npm run readme` runs it after readme-errors; `--check` only fails when the README is stale.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { keysMarkdown } from '../../src/cli/commands/keys.js';

export const KEYS_BEGIN_MARK = '<!-- config-keys: generated from src/config/keys.ts and key-facts.ts by scripts/build/readme-keys.ts; do not edit by hand -->';
export const KEYS_END_MARK = '<!-- /config-keys -->';

/** README text with the key table between the markers replaced by the current one. */
export function currentKeysReadme(readme: string): string {
  const begin = readme.indexOf(KEYS_BEGIN_MARK);
  const end = readme.indexOf(KEYS_END_MARK);
  if (begin < 0 || end < begin) throw new Error(`README.md lacks the markers ${KEYS_BEGIN_MARK} … ${KEYS_END_MARK}`);
  return `${readme.slice(0, begin + KEYS_BEGIN_MARK.length)}\n${keysMarkdown()}\n${readme.slice(end)}`;
}

function main(argv: string[]): void {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
  const file = path.join(root, 'README.md');
  const before = fs.readFileSync(file, 'utf8');
  const after = currentKeysReadme(before);
  if (argv.includes('--check')) {
    if (after !== before) {
      process.stderr.write('README.md: the config-key table is stale; run npm run readme\n');
      process.exitCode = 1;
    }
    return;
  }
  if (after !== before) fs.writeFileSync(file, after);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
