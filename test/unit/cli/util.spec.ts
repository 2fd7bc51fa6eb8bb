// The spinner: drawn only while asynchronous work runs, on a terminal that can take it, without
// colour under NO_COLOR; and the word wrapping of `keys`. The terminal cases run under `script`,
// a real pty, and compare every byte.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { Writable } from 'node:stream';
import { spinnerAllowed, withSpinner, wrapText, type SpinnerStream } from '../../../src/cli/util.js';
import { REPO_ROOT } from '../../helpers/paths.js';
import { sampleCopy, tempDir } from '../../helpers/images.js';

const HAVE_SCRIPT = !spawnSync('script', ['--version']).error;
const BIN = path.join(REPO_ROOT, 'bin', 'uboot-gen');

/** A terminal stand-in that records what is written to it. */
function fakeTerminal(columns = 80): SpinnerStream & { text(): string } {
  const chunks: string[] = [];
  const w = new Writable({ write(chunk: Buffer, _enc, cb) { chunks.push(chunk.toString()); cb(); } });
  // Cursor control as a tty.WriteStream does it (ora clears its line with these).
  return Object.assign(w, {
    isTTY: true, columns, text: () => chunks.join(''),
    cursorTo: (x: number) => readline.cursorTo(w, x), moveCursor: (dx: number, dy: number) => readline.moveCursor(w, dx, dy),
    clearLine: (dir: -1 | 0 | 1) => readline.clearLine(w, dir),
  });
}

/** `command` run by sh on a pty of 80 columns with only `env` (plus PATH and HOME): everything the terminal shows. */
function onPty(command: string, env: Record<string, string>, cwd = REPO_ROOT): { status: number | null; out: string } {
  const r = spawnSync('script', ['-qfec', `stty cols 80; ${command}`, '/dev/null'], {
    cwd, encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/', ...env },
  });
  return { status: r.status, out: r.stdout };
}

describe('cli → util', () => {
  it('allows a spinner only on a sized, interactive, cursor-moving terminal outside CI', () => {
    expect(spinnerAllowed({ isTTY: true, columns: 80 } as SpinnerStream, { TERM: 'xterm' })).to.equal(true);
    expect(spinnerAllowed({ isTTY: true, columns: 80 } as SpinnerStream, { TERM: 'dumb' })).to.equal(false);
    expect(spinnerAllowed({ isTTY: true, columns: 80 } as SpinnerStream, { TERM: 'xterm', CI: '1' })).to.equal(false);
    expect(spinnerAllowed({ isTTY: true, columns: 0 } as SpinnerStream, { TERM: 'xterm' })).to.equal(false);
    expect(spinnerAllowed({ isTTY: false, columns: 80 } as SpinnerStream, { TERM: 'xterm' })).to.equal(false);
  });

  it('shows nothing for synchronous work, even on a terminal that allows a spinner', async () => {
    const term = fakeTerminal();
    expect(await withSpinner(true, 'planning', () => 42, term, { TERM: 'xterm' })).to.equal(42);
    expect(term.text()).to.equal('');
  });

  it('shows nothing for asynchronous work when not allowed or on TERM=dumb, and passes errors on', async () => {
    const term = fakeTerminal();
    expect(await withSpinner(false, 'booting', async () => 1, term, { TERM: 'xterm' })).to.equal(1);
    expect(await withSpinner(true, 'booting', async () => 2, term, { TERM: 'dumb' })).to.equal(2);
    let caught: unknown;
    try { await withSpinner(true, 'booting', () => Promise.reject(new Error('boom')), term, { TERM: 'dumb' }); } catch (e) { caught = e; }
    expect((caught as Error).message).to.equal('boom');
    expect(term.text()).to.equal('');
  });

  it('rethrows a rejection that comes while ora loads, and clears its line after', async () => {
    const term = fakeTerminal();
    let caught: unknown;
    try { await withSpinner(true, 'booting', () => Promise.reject(new Error('early')), term, { TERM: 'xterm', NO_COLOR: '1' }); } catch (e) { caught = e; }
    expect((caught as Error).message).to.equal('early');
    expect(term.text()).to.equal('\x1b[?25l\x1b[?2026h\x1b[1G⠋ booting\x1b[?2026l\x1b[1G\x1b[0K\x1b[?25h');
  });

  describe('on a real terminal (pty)', function () {
    before(function () { if (!HAVE_SCRIPT) this.skip(); });
    const probe = (): string => {
      const dir = tempDir();
      const file = path.join(dir, 'spin.mjs');
      fs.writeFileSync(file, `const m = await import(${JSON.stringify(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'util.js'))});\n`
        + 'const r = await m.withSpinner(true, "booting", (update) => { update("booting, 1 s: Xen 4.17"); return new Promise((res) => setImmediate(() => res(7))); });\n'
        + 'process.stdout.write(`result ${r}\\n`);\n');
      return `node ${file}`;
    };

    it('draws one cyan frame while the work runs, then clears it and shows the cursor', () => {
      const r = onPty(probe(), { TERM: 'xterm' });
      expect(r.status).to.equal(0);
      expect(r.out).to.equal('\x1b[?25l\x1b[?2026h\x1b[1G\x1b[36m⠋\x1b[39m booting, 1 s: Xen 4.17\x1b[?2026l\x1b[1G\x1b[0K\x1b[?25hresult 7\r\n\x1b[?25h');
    });

    it('draws the frame without colour under NO_COLOR', () => {
      const r = onPty(probe(), { TERM: 'xterm', NO_COLOR: '1' });
      expect(r.out).to.equal('\x1b[?25l\x1b[?2026h\x1b[1G⠋ booting, 1 s: Xen 4.17\x1b[?2026l\x1b[1G\x1b[0K\x1b[?25hresult 7\r\n\x1b[?25h');
    });

    it('draws nothing and moves no cursor with TERM=dumb', () => {
      const r = onPty(probe(), { TERM: 'dumb' });
      expect(r.out).to.equal('result 7\r\n');
    });

    it('generate + verify print nothing transient: the terminal shows what a pipe gets', () => {
      const { config } = sampleCopy();
      const cwd = path.dirname(config);
      const piped = spawnSync(BIN, ['config'], { cwd, encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', NO_COLOR: '1' } });
      expect(piped.status, piped.stderr).to.equal(0);
      for (const TERM of ['xterm', 'dumb']) {
        const r = onPty(`${BIN} config`, { TERM, NO_COLOR: '1' }, cwd);
        expect(r.status, TERM).to.equal(0);
        expect(r.out, TERM).to.equal(piped.stdout.replace(/\n/g, '\r\n'));
      }
      const quiet = onPty(`${BIN} config -q`, { TERM: 'xterm' }, cwd);
      expect(quiet.out).to.equal('Generated uboot script boot.scr, to be loaded at address 0x40200000:\r\ntftpb 0x40200000 boot.scr; source 0x40200000\r\n');
    });
  });

  it('wraps words to a width, with a lead on the first line and an indent on the next', () => {
    expect(wrapText('aa bb cc dd', 8, '- ', '  ')).to.equal('- aa bb\n  cc dd');
    expect(wrapText('averyveryverylongword x', 8, '', '')).to.equal('averyveryverylongword\nx');
    expect(wrapText('  spaced   out  ', 80, '>', '>')).to.equal('>spaced out');
  });
});
