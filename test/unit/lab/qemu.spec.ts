// bootQemu's console watcher, driven by a stand-in for qemu-system-aarch64 that
// replays a real transcript (with CRLF line ends, in small chunks) and behaves like
// U-Boot at the prompt: it waits for the autoboot key and for the typed command.
// No QEMU needed; the real binary is exercised by scripts/lab/run-lab.ts.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FAKE_QEMU } from '../../helpers/fake-qemu.js';
import { fixturePath } from '../../helpers/paths.js';
import { bootQemu, defaultCommands, dumpBoardDtb, qemuArgs } from '../../../src/lab/qemu.js';


describe('lab/qemu: bootQemu against a replaying stand-in QEMU', function () {
  this.timeout(30_000);
  let dir: string;
  let fake: string;
  let lockFile: string;
  let stdinLog: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uboot-gen-lab-qemu-'));
    fake = path.join(dir, 'fake-qemu.cjs');
    fs.writeFileSync(fake, FAKE_QEMU, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'boot.scr'), 'x');
    lockFile = path.join(dir, 'lock');
    stdinLog = path.join(dir, 'stdin.log');
  });
  after(() => {
    delete process.env['FAKE_TRANSCRIPT'];
    delete process.env['FAKE_STDIN_LOG'];
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const boot = (name: string, markers: string[], timeoutMs = 20_000) => {
    process.env['FAKE_TRANSCRIPT'] = fixturePath('transcripts', `${name}.log`);
    process.env['FAKE_STDIN_LOG'] = stdinLog;
    return bootQemu({ tftpDir: dir, scriptName: 'boot.scr', timeoutMs, expect: { markers }, qemuBin: fake, ubootBin: fake, lockFile,
      domains: [{ name: 'domU1', token: 'u1', domid: 1 }, { name: 'domU0', token: 'u0', domid: 2 }], settleMs: 50 });
  };
  const gone = (pid: number | undefined): boolean => {
    expect(pid).to.be.a('number');
    try { process.kill(pid!, 0); return false; } catch (e) { return (e as NodeJS.ErrnoException).code === 'ESRCH'; }
  };

  it('stops autoboot, types the TFTP+source line, sees both markers, kills its QEMU and frees the lock', async () => {
    const r = await boot('a-dom0less-2domu', ['u1', 'u0']);
    expect(r.outcome).to.equal('all-up');
    expect(fs.readFileSync(stdinLog, 'utf8')).to.equal(`\n${defaultCommands('boot.scr')[0]}\n`);
    expect(r.serialLog).to.equal(fs.readFileSync(fixturePath('transcripts', 'a-dom0less-2domu.log'), 'utf8'));
    expect(r.perDomain.map((d) => [d.token, d.domid, d.cpus, d.memKb, typeof d.seenAt])).to.deep.equal([
      ['u1', 1, 2, 230436, 'number'], ['u0', 2, 1, 230560, 'number'],
    ]);
    expect(r.console.domains.map((d) => d.verdict)).to.deep.equal(['up', 'up']);
    expect(gone(r.qemuPid)).to.equal(true);
    expect(fs.existsSync(lockFile)).to.equal(false);
  });

  it('ends at a complete Xen panic box', async () => {
    const r = await boot('e-domu-memory-one-cell', ['u1', 'u0']);
    expect(r.outcome).to.equal('xen-panic');
    expect(r.xenPanic).to.equal('Could not set up domain domU0');
    expect(r.perDomain.every((d) => d.seenAt === undefined)).to.equal(true);
    expect(gone(r.qemuPid)).to.equal(true);
  });

  it('ends when U-Boot gives its prompt back after the script', async () => {
    const r = await boot('c-bootm-raw-image', ['u1', 'u0']);
    expect(r.outcome).to.equal('uboot-returned');
    expect(r.ubootErrors).to.deep.equal(['Wrong Image Format for bootm command', "ERROR: can't get kernel image!"]);
  });

  it('waits for the other domain after one guest panics, then reports guest-panic', async () => {
    const r = await boot('g-tftp-missing-stale-filesize', ['u1', 'u0']);
    expect(r.outcome).to.equal('guest-panic');
    expect(r.perDomain.map((d) => d.seenAt !== undefined)).to.deep.equal([false, true]);
    expect(r.console.domains.map((d) => d.verdict)).to.deep.equal(['guest fails', 'up']);
  });

  it('gives up on a Xen that stays silent after "Starting kernel ..."', async () => {
    process.env['FAKE_TRANSCRIPT'] = fixturePath('transcripts', 'i-dtuart-serial0.log');
    const t0 = Date.now();
    const r = await bootQemu({ tftpDir: dir, scriptName: 'boot.scr', timeoutMs: 20_000, expect: { markers: ['u1'] }, qemuBin: fake,
      ubootBin: fake, lockFile, silentXenMs: 800 });
    expect(r.outcome).to.equal('xen-silent');
    expect(Date.now() - t0).to.be.within(700, 5000);
    expect(r.console.domains).to.deep.equal([{ name: 'u1', domid: 1, verdict: 'silent hang', message: 'no output after "Starting kernel ..."' }]);
    expect(gone(r.qemuPid)).to.equal(true);
  });

  it('times out and still kills the process', async () => {
    const t0 = Date.now();
    // Long enough for the stand-in to reach "Starting kernel ..." on a loaded host, far below the 20 s silent-Xen limit.
    const r = await boot('i-dtuart-serial0', ['u1', 'u0'], 5000);
    expect(r.outcome).to.equal('timeout');
    expect(Date.now() - t0).to.be.within(4900, 12_000);
    // The stand-in printed the whole (short) log right after the typed line, then nothing.
    expect(r.quietMs).to.be.greaterThan(0).and.at.most(r.wallMs);
    expect(r.console.stage).to.equal('xen-silent');
    expect(gone(r.qemuPid)).to.equal(true);
  });

  it('builds the documented QEMU command line (no shell)', () => {
    expect(qemuArgs('/srv/t', '/u.bin')).to.deep.equal([
      '-machine', 'virt,virtualization=true,gic-version=3', '-cpu', 'cortex-a57', '-smp', '4', '-m', '2048',
      '-serial', 'stdio', '-monitor', 'none', '-display', 'none', '-no-reboot',
      '-device', 'virtio-net-pci,netdev=n0', '-netdev', 'user,id=n0,tftp=/srv/t', '-bios', '/u.bin',
    ]);
    expect(defaultCommands('boot.scr')).to.deep.equal(['setenv ipaddr 10.0.2.15; setenv serverip 10.0.2.2; tftpb 0x40200000 boot.scr; source 0x40200000']);
  });

  it('starts U-Boot with a given DTB (-dtb) when it must hold a FIT signing key', () => {
    expect(qemuArgs('/srv/t', '/u.bin', { ubootDtb: '/srv/t/u-boot.dtb' }).slice(-4)).to.deep.equal(['-bios', '/u.bin', '-dtb', '/srv/t/u-boot.dtb']);
  });

  it('dumpBoardDtb asks QEMU for the lab machine with dumpdtb= and writes the blob; no blob is a LAB_SETUP error', () => {
    const argsLog = path.join(dir, 'dump-args.log');
    const fakeDump = path.join(dir, 'fake-dump.cjs');
    fs.writeFileSync(fakeDump, `#!/usr/bin/env node
const fs = require('fs');
fs.writeFileSync(${JSON.stringify(argsLog)}, JSON.stringify(process.argv.slice(2)));
const m = /dumpdtb=([^,\\s]+)/.exec(process.argv.join(' '));
if (m && !process.env.FAKE_NO_DTB) fs.writeFileSync(m[1], Buffer.from('d00dfeed', 'hex'));
`, { mode: 0o755 });
    const out = path.join(dir, 'board.dtb');
    dumpBoardDtb(out, fakeDump);
    expect(fs.readFileSync(out).toString('hex')).to.equal('d00dfeed');
    const args = JSON.parse(fs.readFileSync(argsLog, 'utf8')) as string[];
    expect(args.slice(0, 2)).to.deep.equal(['-machine', `virt,virtualization=true,gic-version=3,dumpdtb=${out}.${process.pid}.tmp`]);
    expect(args.slice(2)).to.deep.equal(['-cpu', 'cortex-a57', '-smp', '4', '-m', '2048', '-display', 'none', '-nodefaults']);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
    process.env['FAKE_NO_DTB'] = '1';
    try {
      expect(() => dumpBoardDtb(path.join(dir, 'none.dtb'), fakeDump)).to.throw(`${fakeDump} did not write the board device tree`);
    } finally {
      delete process.env['FAKE_NO_DTB'];
    }
  });
});
