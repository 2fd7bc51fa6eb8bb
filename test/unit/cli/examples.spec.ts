// The examples in each command's --help: shown there, and made only of options the command has.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { EXAMPLES, examplesHelp } from '../../../src/cli/examples.js';
import { buildProgram } from '../../../src/cli/main.js';
import { REPO_ROOT } from '../../helpers/paths.js';

const BIN = path.join(REPO_ROOT, 'bin', 'uboot-gen');

describe('cli → examples', () => {
  const program = buildProgram();

  it('has two to four examples for every command', () => {
    for (const c of program.commands) {
      expect(EXAMPLES[c.name()]?.length ?? 0, c.name()).to.be.within(2, 4);
    }
  });

  for (const [command, rows] of Object.entries(EXAMPLES)) {
    it(`${command}: every example runs ${command} with options ${command} takes`, () => {
      const cmd = program.commands.find((c) => c.name() === command)!;
      expect(cmd, command).to.not.equal(undefined);
      for (const [line] of rows) {
        const words = line.split(' ').map((w) => w.replace(/^'|'$/g, ''));
        const start = words.indexOf('uboot-gen');
        expect(start, line).to.be.at.least(0);
        const args = words.slice(start + 1);
        // The default command takes the config as its first word; the others need their name.
        if (command !== 'generate' || args[0] === 'generate') expect(args[0], line).to.equal(command);
        for (const flag of args.filter((a) => a.startsWith('-'))) {
          const known = cmd.options.some((o) => o.long === flag || o.short === flag);
          expect(known, `${line}: ${flag}`).to.equal(true);
        }
      }
    });

    it(`\`${command} --help\` shows its examples, then its own exit table`, () => {
      const r = spawnSync(BIN, [command, '--help'], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CI: '1' } });
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.contain(`${examplesHelp(command)}\n`);
      expect(r.stdout.indexOf('Examples:')).to.be.below(r.stdout.indexOf('Exit status:'));
    });
  }

  it('`simulate --help` lists simulate\'s statuses, not generate\'s', () => {
    const r = spawnSync(BIN, ['simulate', '--help'], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CI: '1' } });
    const table = r.stdout.slice(r.stdout.indexOf('Exit status:'), r.stdout.indexOf('\n\nEnvironment:'));
    expect(table.split('\n').map((l) => l.slice(0, 6).trim()).filter((l) => /^\d/.test(l))).to.deep.equal(['0', '2', '4', '6', '70']);
    expect(table).to.contain('  0   success: every domain comes up in the simulation\n');
    expect(r.stdout).to.contain('  uboot-gen simulate boot.scr --root /srv/tftp\n      run a script as the board would fetch it from /srv/tftp\n');
  });
});
