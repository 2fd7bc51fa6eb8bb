// Temp names and the litter rule: a temp is removed only when its writer is gone.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseTempName, pidAlive, processStartTime, removeDeadTemps, tempPathFor } from '../../../src/output/temp.js';
import { tempDir } from '../../helpers/temp.js';
import { deadPid } from './helpers.js';

describe('output → temp', () => {
  it('names a temp .NAME.PID-NONCE.tmp beside its final name, and reads the name back', () => {
    const t = tempPathFor('/srv/tftp/boot.scr', '0123456789abcdef');
    expect(t).to.equal(`/srv/tftp/.boot.scr.${process.pid}-0123456789abcdef.tmp`);
    expect(parseTempName(path.basename(t))).to.deep.equal({ finalName: 'boot.scr', pid: process.pid });
    expect(parseTempName('.boot.scr.12-0123.tmp')).to.equal(undefined); // nonce too short
    expect(parseTempName('boot.scr.12-0123456789abcdef.tmp')).to.equal(undefined); // not hidden
  });

  it('tells a running process from an exited one, and reads a start time from /proc', () => {
    expect(pidAlive(process.pid)).to.equal(true);
    expect(pidAlive(deadPid())).to.equal(false);
    expect(processStartTime(process.pid)).to.match(/^\d+$/);
  });

  it('removes temps of exited writers and of reused PIDs, keeps live writers\' temps and other files', () => {
    const dir = tempDir();
    const dead = `.boot.scr.${deadPid()}-0123456789abcdef.tmp`;
    const mine = path.basename(tempPathFor(path.join(dir, 'boot.scr'), 'fedcba9876543210'));
    // PID 1 is alive, but this temp's mtime (the epoch) is older than PID 1: PID 1 cannot have written it.
    const reused = '.boot.source.1-0123456789abcdef.tmp';
    for (const f of [dead, mine, reused, 'boot.scr', '.hidden']) fs.writeFileSync(path.join(dir, f), 'x');
    fs.utimesSync(path.join(dir, reused), 0, 0);
    expect(removeDeadTemps(dir).sort()).to.deep.equal([dead, reused].sort());
    expect(fs.readdirSync(dir).sort()).to.deep.equal(['.hidden', mine, 'boot.scr'].sort());
  });
});
