// ImageBuilder's flags that uboot-gen does not take get a message naming the ImageBuilder
// feature and what to do, never commander's bare "unknown option".
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { rejectImageBuilderFlags, rejectMisplacedImageBuilderFlags } from '../../../src/cli/imagebuilder-flags.js';
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
      + '  fix: set BOOT_CMD=bootefi in the config instead\n');
    expect(r.stdout).to.equal('');
  });

  it('does not look at the arguments of other commands (serve -p is its port)', () => {
    const r = run(['simulate', '--help']);
    expect(r.status).to.equal(0);
    expect(r.stdout).to.contain('-p, --prepend-path <path>');
  });

  it('skips the value of a long option, even one that looks like a flag', () => {
    const long = (f: string) => f === '--templates';
    expect(() => rejectImageBuilderFlags(['cfg', '--templates', '-e'], (f) => f in GENERATE, long)).to.not.throw();
    expect(() => rejectImageBuilderFlags(['cfg', '--templates=x', '-e'], (f) => f in GENERATE, long)).to.throw('-e is an ImageBuilder option');
  });

  describe('ImageBuilder flags given to another command', () => {
    /** simulate's short options: -r and -p take a value. */
    const SIMULATE: Record<string, boolean> = { '-r': true, '-p': true, '--board': true };
    const misplaced = (command: string, args: string[]): UbootGenError | undefined => {
      try { rejectMisplacedImageBuilderFlags(command, args, (f) => f in SIMULATE, (f) => SIMULATE[f] === true); } catch (e) { return e as UbootGenError; }
      return undefined;
    };

    it('names what the flag stood for and what the command takes instead', () => {
      const e = misplaced('simulate', ['boot.scr', '-d', 'build']);
      expect(e?.code).to.equal('USAGE');
      expect(e?.message).to.equal('-d is ImageBuilder\'s -d (the folder the config\'s paths are relative to), which `simulate` does not take');
      expect(e?.hint).to.equal('give the folder the script\'s files are served from as --root DIR');
      expect(e?.data).to.deep.equal({ flag: '-d', command: 'simulate' });
      expect(misplaced('keys', ['-c', 'x'])?.hint).to.equal('it is an option of generate (`uboot-gen -c CONFIG`)');
      expect(misplaced('keys', ['-s'])?.hint).to.equal('it is an option of generate (`uboot-gen CONFIG -s`)');
      expect(misplaced('keys', ['-o', 'x'])?.hint).to.equal('it is an option of generate (`uboot-gen CONFIG -o …`)');
    });

    it('leaves the command\'s own options, their values, other flags and what follows -- alone', () => {
      expect(misplaced('simulate', ['boot.scr', '-r', '-d', '-p', '-t'])).to.equal(undefined);
      expect(misplaced('simulate', ['boot.scr', '--board', '-s'])).to.equal(undefined);
      expect(misplaced('simulate', ['boot.scr', '-x', '--', '-d'])).to.equal(undefined);
    });

    it('from the real command line: exit 2 and the hint, for simulate, qemu and serve', () => {
      const cases: [string[], string][] = [
        [['simulate', 'boot.scr', '-d', 'build'], 'error: -d is ImageBuilder\'s -d (the folder the config\'s paths are relative to), which `simulate` does not take\n  fix: give the folder the script\'s files are served from as --root DIR\n'],
        [['qemu', '-t', 'tftp', 'config'], 'error: -t is ImageBuilder\'s -t (the load command), which `qemu` does not take\n  fix: the lab boots over TFTP: LOAD_CMD must be tftpb\n'],
        [['serve', '-d', 'tftp'], 'error: -d is ImageBuilder\'s -d (the folder the config\'s paths are relative to), which `serve` does not take\n  fix: give the folder to serve as the first argument: serve DIR\n'],
      ];
      for (const [args, stderr] of cases) {
        const r = run(args);
        expect(r.status, args.join(' ')).to.equal(2);
        expect(r.stderr).to.equal(stderr);
      }
      // serve's -p is its port, and simulate's -p its prepend path: no message for them.
      expect(run(['simulate', 'boot.scr', '-r', '.', '-p', 'x', '--borad']).stderr).to.equal('error: unknown option \'--borad\'\n(Did you mean --board?)\n');
    });
  });
});
