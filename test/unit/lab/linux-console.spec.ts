// Judging real Linux-only serial logs: test/fixtures/transcripts/trixie/gen-*linux* (U-Boot 2025.01 booting
// bookworm's Linux 6.1 directly, captured by scripts/lab/differential.ts).
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseLinuxConsole } from '../../../src/lab/linux-console.js';
import { REPO_ROOT } from '../../helpers/paths.js';

const log = (name: string): string => fs.readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'transcripts', 'trixie', name), 'utf8');

describe('lab → linux-console → parseLinuxConsole', () => {
  it('up: the lab marker with the token of the command line', () => {
    expect(parseLinuxConsole(log('gen-linux-only.log'), { name: 'linux', token: 'l0' })).to.deep.equal({ name: 'linux', verdict: 'up' });
  });

  it('a marker with another token is not this kernel\'s: it printed, but no marker of its own', () => {
    const v = parseLinuxConsole(log('gen-linux-only.log'), { name: 'linux', token: 'l9' });
    expect(v.verdict).to.equal('guest fails');
    expect(v.message).to.match(/^no userspace marker; last output: /);
  });

  it('guest fails with Linux\'s panic line when it has no root to mount', () => {
    expect(parseLinuxConsole(log('gen-broken-linux-no-ramdisk.log'), { name: 'linux', token: 'l0' })).to.deep.equal({
      name: 'linux', verdict: 'guest fails', message: 'Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)',
    });
  });

  it('not started before "Starting kernel ...", silent hang when nothing follows it', () => {
    const full = log('gen-linux-only.log');
    const start = full.indexOf('Starting kernel ...');
    expect(parseLinuxConsole(full.slice(0, start), { name: 'linux' }).verdict).to.equal('not started');
    expect(parseLinuxConsole(`${full.slice(0, start)}Starting kernel ...\n\n`, { name: 'linux' })).to.deep.equal({
      name: 'linux', verdict: 'silent hang', message: 'no output after "Starting kernel ..."',
    });
  });
});
