// Writes the README's exit-status and error-code section from the codes table
// (src/errors.ts via src/cli/exit-status.ts), between its two marker comments.
// `npm run readme` (node dist/scripts/build/readme-errors.js) rewrites README.md; `--check` only fails when it is stale.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorCodesMarkdown } from '../../src/cli/exit-status.js';

export const BEGIN_MARK = '<!-- error-codes: generated from src/errors.ts by scripts/build/readme-errors.ts; do not edit by hand -->';
export const END_MARK = '<!-- /error-codes -->';

/** README text with the section between the markers replaced by `section`. */
export function spliceSection(readme: string, section: string): string {
  const begin = readme.indexOf(BEGIN_MARK);
  const end = readme.indexOf(END_MARK);
  if (begin < 0 || end < begin) throw new Error(`README.md lacks the markers ${BEGIN_MARK} … ${END_MARK}`);
  return `${readme.slice(0, begin + BEGIN_MARK.length)}\n${section}\n${readme.slice(end)}`;
}

export const currentReadme = (readme: string): string => spliceSection(readme, errorCodesMarkdown());

function main(argv: string[]): void {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
  const file = path.join(root, 'README.md');
  const before = fs.readFileSync(file, 'utf8');
  const after = currentReadme(before);
  if (argv.includes('--check')) {
    if (after !== before) {
      process.stderr.write('README.md: the error-code section is stale; run npm run readme\n');
      process.exitCode = 1;
    }
    return;
  }
  if (after !== before) fs.writeFileSync(file, after);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
