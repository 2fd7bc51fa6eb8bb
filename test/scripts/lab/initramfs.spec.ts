// The lab initramfs: a newc archive written by hand, checked byte-exactly and with the real cpio(1).
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as zlib from 'node:zlib';
import { buildLabInitramfs, buildNewcArchive, LAB_INIT_SCRIPT, LAB_MARKER_PREFIX } from '../../../scripts/lab/initramfs.js';

const hasCpio = spawnSync('cpio', ['--version']).status === 0;

describe('lab/initramfs', () => {
  it('writes the exact newc header, name padding and trailer for one file', () => {
    const a = buildNewcArchive([{ kind: 'file', path: '/init', data: Buffer.from('hi\n'), mode: 0o755 }]);
    const first = a.subarray(0, 110).toString('ascii');
    expect(first).to.equal('070701' + '00000001' + '000081ED' + '00000000' + '00000000' + '00000001' + '00000000' +
      '00000003' + '00000000' + '00000000' + '00000000' + '00000000' + '00000005' + '00000000');
    // 110 + "init\0" = 115 → padded to 116; data 3 → padded to 4.
    expect(a.subarray(110, 116)).to.deep.equal(Buffer.from('init\0\0'));
    expect(a.subarray(116, 120)).to.deep.equal(Buffer.from('hi\n\0'));
    expect(a.subarray(120, 126).toString('ascii')).to.equal('070701');
    expect(a.subarray(120 + 110, 120 + 110 + 11).toString('ascii')).to.equal('TRAILER!!!\0');
    expect(a.length).to.equal(512);
  });

  it('is deterministic and lists as expected with the real cpio', function () {
    const busybox = Buffer.alloc(5000, 7);
    const one = buildLabInitramfs(busybox);
    expect(buildLabInitramfs(busybox).equals(one)).to.equal(true);
    const cpio = zlib.gunzipSync(one);
    expect(cpio.length % 512).to.equal(0);
    if (!hasCpio) this.skip();
    const r = spawnSync('cpio', ['-itv', '--quiet'], { input: cpio, encoding: 'utf8' });
    expect(r.status).to.equal(0);
    const rows = r.stdout.trim().split('\n').map((l) => { const f = l.split(/\s+/); return [f[0], f[f.length - 1] === 'busybox' && f[f.length - 2] === '->' ? `${f[f.length - 3]} -> busybox` : f[f.length - 1]]; });
    expect(rows).to.deep.equal([
      ['drwxr-xr-x', 'bin'], ['-rwxr-xr-x', 'bin/busybox'], ['lrwxrwxrwx', 'bin/sh -> busybox'], ['drwxr-xr-x', 'dev'],
      ['crw-------', 'dev/console'], ['drwxr-xr-x', 'proc'], ['-rwxr-xr-x', 'init'],
    ]);
    const init = spawnSync('cpio', ['-i', '--to-stdout', '--quiet', 'init'], { input: cpio, encoding: 'utf8' });
    expect(init.stdout).to.equal(LAB_INIT_SCRIPT);
  });

  it('/init prints the marker with the token from the kernel command line', () => {
    expect(LAB_INIT_SCRIPT.startsWith('#!/bin/busybox sh\n')).to.equal(true);
    expect(LAB_INIT_SCRIPT).to.include(`echo "${LAB_MARKER_PREFIX} token=$t cpus=$n memkb=$m"`);
    expect(LAB_INIT_SCRIPT).to.include('labtoken=*) t="${w#labtoken=}"');
  });
});
