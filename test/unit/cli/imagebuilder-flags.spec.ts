// ImageBuilder's flags that uboot-gen does not take get a message naming the ImageBuilder
// feature and what to do, never commander's bare "unknown option".
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { rejectImageBuilderFlags } from '../../../src/cli/imagebuilder-flags.js';
import { UbootGenError } from '../../../src/errors.js';
import { REPO_ROOT } from '../../helpers/paths.js';
import { sampleCopy } from '../../helpers/images.js';

const BIN = path.join(REPO_ROOT, 'bin', 'uboot-gen');
const run = (args: string[]) => spawnSync(BIN, args, { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CI: '1' } });

/** The options `generate` takes today (short flag → takes a value). */
const GENERATE: Record<string, boolean> = { '-c': true, '-d': true, '-t': true, '-o': true, '-p': true, '-q': false };
const check = (args: string[]) => rejectImageBuilderFlags(args, (f) => f in GENERATE, (f) => GENERATE[f] === true);

function rejection(args: string[]): UbootGenError {
  try { check(args); } catch (e) { return e as UbootGenError; }
  throw new Error(`no error for ${args.join(' ')}`);
}

describe('cli → imagebuilder-flags', () => {
  it('points -e (removed from ImageBuilder in 2022) to BOOT_CMD=bootefi', () => {
    const e = rejection(['cfg', '-e']);
    expect(e.code).to.equal('USAGE');
    expect(e.data).to.deep.equal({ flag: '-e' });
    expect(e.message).to.equal('-e is an ImageBuilder option (it selected EFI boot, an option ImageBuilder itself removed in 2022) that uboot-gen does not take');
    expect(e.hint).to.equal('set BOOT_CMD=bootefi in the config instead');
  });

  it('leaves options the command takes, their values and everything after -- alone', () => {
    expect(() => check(['-c', 'cfg', '-t', '-f', '-o', '-k', '-q'])).to.not.throw();
    expect(() => check(['cfg', '--', '-f'])).to.not.throw();
    expect(() => check(['cfg', '-x'])).to.not.throw(); // not an ImageBuilder flag: commander's own error
  });

  it('exits 2 with the ImageBuilder-aware message from the real command line, not "unknown option"', () => {
    const { config } = sampleCopy();
    const r = run(['-c', config, '-d', path.dirname(config), '-e']);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.equal('error: -e is an ImageBuilder option (it selected EFI boot, an option ImageBuilder itself removed in 2022) that uboot-gen does not take\n'
      + '  hint: set BOOT_CMD=bootefi in the config instead\n');
    expect(r.stdout).to.equal('');
  });

  it('does not look at the arguments of other commands (serve -p is its port)', () => {
    const r = run(['simulate', '--help']);
    expect(r.status).to.equal(0);
    expect(r.stdout).to.contain('-p, --prepend-path <path>');
  });
});
