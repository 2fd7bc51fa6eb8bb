// The exit tables users read (--help of each command, the README) against the codes table.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ERROR_CODES, type Code } from '../../../src/errors.js';
import { COMMAND_EXITS, commandStatuses, errorCodesMarkdown, exitHelp, stageOf, type CommandName } from '../../../src/cli/exit-status.js';
import { BEGIN_MARK, END_MARK, currentReadme, spliceSection } from '../../../scripts/build/readme-errors.js';
import { KEYS_BEGIN_MARK, KEYS_END_MARK, currentKeysReadme } from '../../../scripts/build/readme-keys.js';
import { keysMarkdown } from '../../../src/cli/commands/keys.js';
import { REPO_ROOT } from '../../helpers/paths.js';

const BIN = path.join(REPO_ROOT, 'bin', 'uboot-gen');
const COMMANDS = Object.keys(COMMAND_EXITS) as CommandName[];

describe('cli → exit-status', () => {
  it('gives every code a stage from its prefix', () => {
    expect(stageOf('CONFIG_SYNTAX')).to.equal('config');
    expect(stageOf('FDT_ERR_NOSPACE')).to.equal('fdt');
    expect(stageOf('PLAN_DTB_EDITED')).to.equal('plan');
    expect(stageOf('USAGE')).to.equal('cli');
    for (const code of Object.keys(ERROR_CODES) as Code[]) expect(() => stageOf(code), code).not.to.throw();
  });

  it('lists for each command only the statuses it can return', () => {
    const statuses = (c: CommandName) => commandStatuses(c).map((r) => r.status);
    expect(statuses('generate')).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 70]);
    // simulate reads no config, makes no plan and writes nothing.
    expect(statuses('simulate')).to.deep.equal([0, 2, 4, 6, 70]);
    expect(statuses('qemu')).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 70]);
    // serve plans in memory with --config, so config, input and plan errors stop it too.
    expect(statuses('serve')).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 70]);
    // keys reads only the keys table: an unknown KEY is its only error.
    expect(statuses('keys')).to.deep.equal([0, 2, 70]);
  });

  it('words simulate\'s table from the codes it can raise', () => {
    expect(exitHelp('simulate')).to.equal([
      'Exit status:',
      '  0   success: every domain comes up in the simulation',
      '  2   usage error: bad option or argument',
      '  4   input file error: missing file, wrong type, truncated, bad magic, bad checksum, not a file,',
      '      too large, corrupt header, unsupported format, invalid device tree, bad board or version',
      '  6   verification failed: the simulated boot does not bring every domain up',
      '  70  internal error: libfdt misuse, a bug',
    ].join('\n'));
  });

  it('names the lab\'s failures only for qemu, and a config error\'s codes by their labels', () => {
    const row = (c: CommandName, status: number) => commandStatuses(c).find((r) => r.status === status)?.text;
    expect(row('generate', 1)).to.equal('failure: tool not installed, output not writable, outputs locked by another run, output outside the -d folder, output folder missing, output name taken by a non-file, output would replace an input, two outputs name one file, unsafe output name');
    expect(row('qemu', 1)).to.equal('failure: tool not installed, output not writable, outputs locked by another run, output outside the -d folder, output folder missing, output name taken by a non-file, output would replace an input, two outputs name one file, unsafe output name, lab host tools missing, real boot could not run');
    expect(row('generate', 3)).to.equal('config error: config file not found, syntax, unsafe shell, misused key, bad value, missing key, conflicting keys, unsupported key, path not in DEVICE_TREE, cpupool CPU not in DEVICE_TREE, not a file, too large, not UTF-8, expansions too deep, out of range, unsafe name');
    expect(row('qemu', 6)).to.equal('verification failed: the real boot does not bring every domain up');
    expect(row('serve', 1)).to.equal('failure: tool not installed, cannot listen');
    expect(row('serve', 2)).to.equal('usage error: bad option or argument, not a folder');
  });

  for (const command of COMMANDS) {
    it(`\`${command} --help\` prints its exit table from the codes table`, () => {
      const r = spawnSync(BIN, [command, '--help'], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CI: '1' } });
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.contain(`\n${exitHelp(command)}\n\nEnvironment:\n`);
      // Exactly one exit table, with no status the command cannot return.
      expect(r.stdout.split('Exit status:').length).to.equal(2);
    });
  }

  it('keeps the README\'s generated sections (codes, keys) equal to their tables (run npm run readme when this fails)', () => {
    const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    expect(readme).to.contain(`${BEGIN_MARK}\n${errorCodesMarkdown()}\n${END_MARK}`);
    expect(currentReadme(readme)).to.equal(readme);
    expect(readme).to.contain(`${KEYS_BEGIN_MARK}\n${keysMarkdown()}\n${KEYS_END_MARK}`);
    expect(currentKeysReadme(readme)).to.equal(readme);
  });

  it('splices only between the markers, and refuses a README without them', () => {
    expect(spliceSection(`a\n${BEGIN_MARK}\nold\n${END_MARK}\nb\n`, 'new')).to.equal(`a\n${BEGIN_MARK}\nnew\n${END_MARK}\nb\n`);
    expect(() => spliceSection('no markers\n', 'new')).to.throw(/lacks the markers/);
  });

  it('lists every code in the README with its exit status', () => {
    const md = errorCodesMarkdown();
    expect(md).to.contain('| `CONFIG_PASSTHROUGH_PATH` | 3 |');
    expect(md).to.contain('| `PLAN_DTB_EDITED` | 4 |');
    expect(md).to.contain('| `CONFIG_UNKNOWN_KEY` | warning |');
    expect(md).to.contain('| 6 | verification failed | `generate`, `simulate`, `qemu`, `serve`, `inspect`, `check` |');
    expect(md).to.contain('| 3 | config error | `generate`, `qemu`, `serve`, `check` |');
    for (const code of Object.keys(ERROR_CODES)) expect(md, code).to.contain(`| \`${code}\` |`);
  });
});
