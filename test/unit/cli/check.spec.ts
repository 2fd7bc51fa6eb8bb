// `uboot-gen check` as users run it: the table, JSON lines, exit statuses, worker threads, progress.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Progress, parseJobs, summaryTable } from '../../../src/cli/commands/check.js';
import { makeStyle } from '../../../src/cli/report.js';
import type { CheckRecord } from '../../../src/cli/check-record.js';
import { boardTree } from '../../helpers/boards.js';
import { parseJsonLines } from '../../helpers/json-schema.js';
import { REPO_ROOT } from '../../helpers/paths.js';

const BIN = path.join(REPO_ROOT, 'bin', 'uboot-gen');

function run(args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(BIN, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CI: '1', ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const PANIC = 'Xen panics: Failed to allocate requested domain memory. 4194304KB unallocated. Fix the VMs configurations.';
/** a passes, b's domU1 asks for more memory than the board has, c has a bad value at line 28. */
const BOARDS = { a: [], b: ['DOMU_MEM[1]=4096'], c: ['NUM_DOMUS=x'] };

describe('cli → check', function () {
  this.timeout(120000);

  it('prints the table and the counts, and exits with the highest status (6)', () => {
    const root = boardTree(BOARDS);
    const r = run(['check', 'boards/**/config', '-j', '1'], root);
    expect(r.status).to.equal(6);
    expect(r.stderr).to.equal('');
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 4)).to.deep.equal([
      'CONFIG           DOMAINS  EXIT  FIRST FINDING',
      'boards/a/config  3/3      0     every domain comes up (dom0, domU1, domU0)',
      `boards/b/config  0/3      6     ${PANIC}`,
      'boards/c/config  -        3     boards/c/config:28:1: NUM_DOMUS must be a whole number of domUs, got "x"',
    ]);
    expect(lines[4]).to.equal('');
    expect(lines[5]).to.match(/^3 configs: 1 passed, 2 failed \(\d+\.\d s\)$/);
    expect(lines.slice(6)).to.deep.equal(['']);
  });

  it('prints one JSON line per config in order, then the summary; the same with worker threads', () => {
    const root = boardTree(BOARDS);
    const outputs: unknown[][] = [];
    for (const jobs of ['1', '3']) {
      const r = run(['check', 'boards/*/config', '--json', '--jobs', jobs], root);
      expect(r.status, r.stderr).to.equal(6);
      expect(r.stderr).to.equal('');
      // Each line valid under schema/uboot-gen.schema.json (which applies check.schema.json).
      const docs = parseJsonLines(r.stdout);
      expect(docs).to.have.length(4);
      for (const d of docs) {
        expect(d['schemaVersion']).to.equal(1);
        expect(d['command']).to.equal('check');
        (d['result'] as { durationMs?: number } | undefined ?? d['summary'] as { durationMs: number }).durationMs = 0;
      }
      outputs.push(docs);
    }
    expect(outputs[1]).to.deep.equal(outputs[0]);
    const [a, b, c, summary] = outputs[0] as Record<string, unknown>[];
    expect(a).to.deep.equal({
      schemaVersion: 1, command: 'check', ok: true, exitCode: 0, diagnostics: [],
      result: {
        config: 'boards/a/config', ok: true, exitCode: 0, finding: 'every domain comes up (dom0, domU1, domU0)', durationMs: 0,
        domains: { up: 3, total: 3, verdicts: [{ name: 'dom0', verdict: 'up' }, { name: 'domU1', verdict: 'up' }, { name: 'domU0', verdict: 'up' }] },
      },
    });
    expect(b!['exitCode']).to.equal(6);
    expect((b!['result'] as { domains: unknown }).domains).to.deep.equal({
      up: 0, total: 3, verdicts: [{ name: 'dom0', verdict: 'not started' }, { name: 'domU1', verdict: 'xen panic' }, { name: 'domU0', verdict: 'not started' }],
    });
    expect(c!['diagnostics']).to.deep.equal([{
      code: 'CONFIG_BAD_VALUE', level: 'error', message: 'NUM_DOMUS must be a whole number of domUs, got "x"', key: 'NUM_DOMUS',
      where: { file: 'boards/c/config', line: 28, col: 1 }, hint: 'write a whole decimal number with no unit, e.g. NUM_DOMUS=1',
      fix: 'Write the value in the form the message names.', data: { key: 'NUM_DOMUS' },
    }]);
    expect(summary).to.deep.equal({
      schemaVersion: 1, command: 'check', ok: false, exitCode: 6, diagnostics: [], summary: { total: 3, passed: 1, failed: 2, durationMs: 0 },
    });
  });

  it('exits 0 when every config passes, writing nothing beside them', () => {
    const root = boardTree({ a: [], b: ['BOOT_CMD="bootm"'] });
    const r = run(['check', 'boards/a/config', 'boards/b/config'], root);
    expect(r.status, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.match(/\n\n2 configs: 2 passed, 0 failed \(\d+\.\d s\)\n$/);
    for (const b of ['a', 'b']) expect(fs.readdirSync(path.join(root, 'boards', b)).sort()).to.deep.equal(['config', 'samples']);
  });

  it('shares its staging with generate --dry-run: a bootm config verifies from a private xen.ub, nothing written', () => {
    const root = boardTree({ a: ['BOOT_CMD="bootm"'] });
    const dir = path.join(root, 'boards', 'a');
    const r = run(['boards/a/config', '--dry-run', '-q'], root);
    expect([r.status, r.stderr, r.stdout]).to.deep.equal([0, '', 'Dry run: nothing written.\n']);
    expect(fs.readdirSync(dir).sort()).to.deep.equal(['config', 'samples']);
    // A stale xen.ub beside the config is neither read nor replaced.
    fs.writeFileSync(path.join(dir, 'xen.ub'), 'stale');
    expect(run(['boards/a/config', '--dry-run', '-q'], root).status).to.equal(0);
    expect(fs.readFileSync(path.join(dir, 'xen.ub'), 'utf8')).to.equal('stale');
  });

  it('refuses a pattern that matches nothing, and a bad --jobs, with exit 2', () => {
    const root = boardTree({ a: [] });
    const none = run(['check', 'boards/*/conf'], root);
    expect(none.status).to.equal(2);
    expect(none.stderr).to.equal(`error: no config file matches 'boards/*/conf' (in ${fs.realpathSync(root)})\n`
      + "  fix: check the pattern: ** matches folders at any depth, and a quoted pattern ('boards/**/config') is expanded by uboot-gen, not the shell\n");
    expect(none.stdout).to.equal('');
    expect(run(['check', 'boards/*/config', '-j', '0'], root).stderr).to.equal('error: --jobs takes a whole number of at least 1, got "0"\n');
    expect(() => parseJobs('2x')).to.throw('--jobs takes a whole number of at least 1, got "2x"');
    expect(parseJobs('4')).to.equal(4);
  });

  it('passes --xen-version and --no-share through to every config', () => {
    const root = boardTree({ a: [] });
    const shared = run(['check', 'boards/a/config', '--report', 'shared.html'], root);
    const r = run(['check', 'boards/a/config', '--xen-version', '4.19', '--no-share', '--report', 'unshared.html'], root);
    expect([shared.status, r.status]).to.deep.equal([0, 0]);
    const html = fs.readFileSync(path.join(root, 'unshared.html'), 'utf8');
    expect(html).to.match(/<p class="sub">U-Boot [^<]* → Xen 4\.19/);
    // Unshared, domU0 loads its own kernel.
    expect(html).to.contain('data-id="domU0_kernel"');
    expect(fs.readFileSync(path.join(root, 'shared.html'), 'utf8')).to.not.contain('data-id="domU0_kernel"');
  });

  const rec = (config: string, exitCode: number, up: number, total: number, finding: string): CheckRecord => ({
    config, ok: exitCode === 0, exitCode, durationMs: 1, domains: { up, total, verdicts: [] }, finding, diagnostics: [],
  });

  it('colours the exit column on a terminal that wants colour, padding on the plain text', () => {
    const tty = { isTTY: true } as NodeJS.WriteStream;
    const records = [rec('a/config', 0, 3, 3, 'fine'), rec('long/name/config', 6, 0, 3, 'bad')];
    expect(summaryTable(records, makeStyle(tty, {})).split('\n')).to.deep.equal([
      'CONFIG            DOMAINS  EXIT  FIRST FINDING',
      'a/config          3/3      \x1b[32m0   \x1b[39m  fine',
      'long/name/config  0/3      \x1b[31m6   \x1b[39m  bad',
    ]);
    expect(summaryTable(records, makeStyle(tty, { NO_COLOR: '1' })).split('\n')[2]).to.equal('long/name/config  0/3      6     bad');
  });

  describe('progress', () => {
    function fakeTty(columns = 60, isTTY = true): NodeJS.WriteStream & { text: string } {
      const s = { isTTY, columns, text: '', write(t: string) { s.text += t; return true; } };
      return s as unknown as NodeJS.WriteStream & { text: string };
    }

    it('redraws one line with the count on a terminal, then erases it', () => {
      const s = fakeTty();
      const p = new Progress(3, s, { NO_COLOR: '1' });
      p.update(0, 0, 'boards/a/config');
      p.update(2, 1, 'boards/c/config');
      p.clear();
      expect(s.text).to.equal('\r\x1b[2Kchecking 0/3 · boards/a/config\r\x1b[2Kchecking 2/3, 1 failed · boards/c/config\r\x1b[2K');
    });

    it('colours the failures only when colour is wanted, and shortens a long name from the left', () => {
      const s = fakeTty(40);
      new Progress(12, s, {}).update(5, 2, 'boards/a-very-long-board-name/config');
      expect(s.text).to.equal('\r\x1b[2Kchecking 5/12, \x1b[31m2 failed\x1b[39m · …-name/config');
    });

    it('shows nothing with TERM=dumb, in CI, off a terminal, or for a single config', () => {
      for (const [s, env, total] of [[fakeTty(), { TERM: 'dumb' }, 5], [fakeTty(), { CI: 'true' }, 5], [fakeTty(60, false), {}, 5], [fakeTty(), {}, 1]] as const) {
        const p = new Progress(total, s as NodeJS.WriteStream & { text: string }, env);
        p.update(1, 0, 'x');
        p.clear();
        expect((s as { text: string }).text).to.equal('');
      }
    });
  });
});
