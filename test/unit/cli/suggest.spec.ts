// "Did you mean" for a mistyped command, and commander's for a mistyped long option.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { damerauDistance, mistypedCommand } from '../../../src/cli/suggest.js';
import { REPO_ROOT } from '../../helpers/paths.js';
import { sampleCopy } from '../../helpers/images.js';

const BIN = path.join(REPO_ROOT, 'bin', 'uboot-gen');
const COMMANDS = ['generate', 'simulate', 'qemu', 'serve', 'keys'];
const none = (_path: string): boolean => false;
const run = (args: string[], cwd = REPO_ROOT) => spawnSync(BIN, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CI: '1' } });

describe('cli → suggest', () => {
  it('counts a swap of neighbours as one edit', () => {
    expect(damerauDistance('simulat', 'simulate')).to.equal(1);
    expect(damerauDistance('smiulate', 'simulate')).to.equal(1);
    expect(damerauDistance('qmeu', 'qemu')).to.equal(1);
    expect(damerauDistance('serv', 'serve')).to.equal(1);
    expect(damerauDistance('', 'keys')).to.equal(4);
    expect(damerauDistance('config', 'keys')).to.equal(6);
  });

  it('takes a word within two edits, or the start of one command, for a mistyped command', () => {
    const m = (...args: string[]) => mistypedCommand(args, COMMANDS, none)?.command;
    expect(m('simulat', 'x')).to.equal('simulate');
    expect(m('smiulate')).to.equal('simulate');
    expect(m('Qemu')).to.equal('qemu');
    expect(m('key')).to.equal('keys');
    expect(m('generat')).to.equal('generate');
    expect(m('sim')).to.equal('simulate');
    expect(m('se')).to.equal('serve');
  });

  it('leaves configs, commands, options and unrelated words to generate', () => {
    const m = (args: string[], exists: (p: string) => boolean = none) => mistypedCommand(args, COMMANDS, exists);
    expect(m(['simulate', 'x'])).to.equal(undefined);
    expect(m(['config'])).to.equal(undefined);
    expect(m(['board.cfg'])).to.equal(undefined);
    expect(m(['cfg/serve'])).to.equal(undefined);
    expect(m(['-c', 'serve'])).to.equal(undefined);
    expect(m(['s'])).to.equal(undefined);
    expect(m(['help'])).to.equal(undefined);
    expect(m([])).to.equal(undefined);
    // A file that exists is a config, whatever its name.
    expect(m(['qemu2'], (p) => p === 'qemu2')).to.equal(undefined);
    expect(m(['qemu2'])).to.deep.equal({ word: 'qemu2', command: 'qemu' });
  });

  it('`uboot-gen simulat x` is an unknown command with a suggestion (exit 2), not generate\'s "too many arguments"', () => {
    const r = run(['simulat', 'x']);
    expect(r.status).to.equal(2);
    expect(r.stdout).to.equal('');
    expect(r.stderr).to.equal('error: unknown command \'simulat\'. Did you mean \'simulate\'?\n');
  });

  it('a config whose name is close to a command still runs generate', () => {
    const { dir, config } = sampleCopy();
    fs.renameSync(config, path.join(dir, 'serv'));
    const r = run(['serv', '-q', '--no-verify', '--dry-run'], dir);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.equal('Dry run: nothing written.\n');
  });

  it('a mistyped long option gets commander\'s suggestion (exit 2)', () => {
    const r = run(['config.example', '--jsno']);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.equal('error: unknown option \'--jsno\'\n(Did you mean --json?)\n');
    const s = run(['simulate', 'boot.scr', '--root', '.', '--borad', 'virt.dtb']);
    expect(s.status).to.equal(2);
    expect(s.stderr).to.equal('error: unknown option \'--borad\'\n(Did you mean --board?)\n');
  });
});
