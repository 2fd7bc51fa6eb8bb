// Shared by the output specs: a sample folder with two configs that produce different outputs
// under the same names, and the checks every test makes on an output folder.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { multiImageParts, parseUImageHeader } from '../../../src/images/uimage.js';
import { sampleCopy } from '../../helpers/images.js';

/** config A (the sample) and config B (another dom0 command line): same outputs, different bytes. */
export function twoConfigs(extra: string[] = []): { dir: string; a: string; b: string } {
  const { dir, config } = sampleCopy(extra);
  const b = path.join(dir, 'config-b');
  fs.writeFileSync(b, fs.readFileSync(config, 'utf8').replace('marker=dom0', 'marker=dom0-from-b'));
  return { dir, a: config, b };
}

/** The text boot.scr carries (its one script part). */
export function scriptPayload(scr: Uint8Array): string {
  parseUImageHeader(scr, 'boot.scr');
  const data = scr.subarray(64);
  const part = multiImageParts(data)[0]!;
  return Buffer.from(data.subarray(part.offset, part.offset + part.length)).toString('utf8');
}

/** Files of ours that must not outlive a run: temps, the journal, the lock. */
export function litter(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.tmp') || f.startsWith('.uboot-gen.'));
}

/** boot.source and boot.scr come from the same run; returns which marker they carry. */
export function expectOnePair(dir: string, name = 'boot'): string {
  const source = fs.readFileSync(path.join(dir, `${name}.source`), 'utf8');
  const scr = new Uint8Array(fs.readFileSync(path.join(dir, `${name}.scr`)));
  expect(scriptPayload(scr), 'boot.scr carries a different script than boot.source').to.equal(source);
  return /marker=(dom0(?:-from-b)?)\b/.exec(source)?.[1] ?? '?';
}

export { seededRandom } from '../../helpers/random.js';

/** A PID that is certainly not running: a child that has exited. */
export function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}
