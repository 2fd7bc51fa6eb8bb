// The expectation of a serve session, from the config: generate in memory (nothing written)
// and list what the rendered script will fetch, with the exact bytes of the generated files.
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import { generate, type GenerateOptions } from '../api/generate.js';
import { relativeToRoot, statOf, type Expectation, type ExpectedFile } from './audit.js';

const sha256 = (b: Uint8Array): string => crypto.createHash('sha256').update(b).digest('hex');

export function expectationFromConfig(configFile: string, root: string, opts: GenerateOptions = {}): Expectation {
  const gen = generate(configFile, { ...opts, dir: root, write: false });
  const script: ExpectedFile = {
    name: relativeToRoot(root, gen.outputs.scriptPath),
    keys: ['UBOOT_SCRIPT'],
    absPath: gen.outputs.scriptPath,
    size: gen.outputs.script.length,
    sha256: sha256(gen.outputs.script),
  };
  const generated = new Map(gen.outputs.extra.map((e) => [path.resolve(e.path), e.bytes]));
  const seen = new Set<string>();
  const files: ExpectedFile[] = [];
  for (const load of gen.plan.loads) {
    if (seen.has(load.file)) continue;
    seen.add(load.file);
    const bytes = generated.get(path.resolve(load.absPath));
    const stat = statOf(load.absPath);
    files.push({
      name: load.file, keys: [...load.keys], absPath: load.absPath, size: load.transferSize,
      ...(bytes ? { sha256: sha256(bytes) } : {}), ...(stat ? { stat } : {}),
    });
  }
  return { script, files, configFile };
}
