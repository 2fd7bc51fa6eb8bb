// A folder of board configs, as a user keeps them for `uboot-gen check 'boards/**/config'`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './paths.js';
import { tempDir } from './temp.js';

/** boards/NAME/config (a copy of config.example plus its extra lines) and boards/NAME/samples, for each name. */
export function boardTree(boards: Record<string, string[]>): string {
  const root = tempDir();
  for (const [name, extra] of Object.entries(boards)) {
    const dir = path.join(root, 'boards', name);
    fs.mkdirSync(dir, { recursive: true });
    fs.cpSync(path.join(REPO_ROOT, 'samples'), path.join(dir, 'samples'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'config'), `${fs.readFileSync(path.join(REPO_ROOT, 'config.example'), 'utf8')}${extra.join('\n')}\n`);
  }
  return root;
}
