// Shared by the fuzz suite (fuzz.spec.ts) and `npm run fuzz` (scripts/dev/fuzz.ts): finding the
// targets, running one input under the contract, and the saved crashing inputs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UbootGenError } from '../../src/errors.js';
import { fixturePath } from '../helpers/paths.js';
import type { FuzzTarget } from './target.js';

/** Every target module in targets/ (compiled next to this file), sorted by name. */
export async function loadTargets(): Promise<FuzzTarget[]> {
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'targets');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.js')).sort().map((f) => path.join(dir, f));
  const targets: FuzzTarget[] = [];
  for (const f of files) {
    const mod = await import(pathToFileURL(f).href) as { target?: FuzzTarget };
    if (!mod.target) throw new Error(`${f} exports no \`target\``);
    targets.push(mod.target);
  }
  return targets;
}

/** Run one input: a return or a UbootGenError passes; any other exception is rethrown (a crash). */
export function runUnderContract<T>(target: FuzzTarget<T>, input: T): void {
  try {
    target.run(input);
  } catch (e) {
    if (e instanceof UbootGenError) return;
    throw e;
  }
}

/** The folder of a target's saved crashing inputs. */
export const savedInputsDir = (name: string): string => fixturePath('fuzz', name);

/** Saved crashing inputs of a target (file paths, sorted). */
export function savedInputs(name: string): string[] {
  const dir = savedInputsDir(name);
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort().map((f) => path.join(dir, f)).filter((f) => fs.statSync(f).isFile()) : [];
}
