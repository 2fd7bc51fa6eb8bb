// Tests run from the repository root (mocha is started there); fixtures are found from it.
import * as path from 'node:path';

export const REPO_ROOT = process.env['UBOOT_GEN_ROOT'] ?? process.cwd();
export const fixturePath = (...parts: string[]): string => path.join(REPO_ROOT, 'test', 'fixtures', ...parts);
