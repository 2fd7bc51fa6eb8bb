// `uboot-gen qemu` on a terminal: the boot is the one long asynchronous step, so it is the one
// that shows a spinner (with the boot's last console line), without colour under NO_COLOR, and
// none with TERM=dumb, where the console itself goes by. A stand-in qemu-system-aarch64 on PATH
// prints three console lines and exits; the terminal is a real pty made by `script`.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../../../helpers/paths.js';
import { sampleCopy, tempDir } from '../../../helpers/images.js';

const HAVE_SCRIPT = !spawnSync('script', ['--version']).error;
const BIN = path.join(REPO_ROOT, 'bin', 'uboot-gen');

const FAKE_QEMU = `#!/usr/bin/env node
const lines = ['U-Boot 2023.01 (stand-in)', 'Starting kernel ...', '(XEN) Xen version 4.17 (stand-in)'];
let i = 0;
const next = () => { if (i < lines.length) { process.stdout.write(lines[i++] + '\\r\\n'); setTimeout(next, 300); } else process.exit(0); };
next();
`;

describe('cli → commands → qemu (terminal progress)', function () {
  this.timeout(60_000);
  let bin: string;
  let uboot: string;
  let cwd: string;
  let tmp: string;
  before(function () {
    if (!HAVE_SCRIPT) this.skip();
    bin = tempDir();
    fs.writeFileSync(path.join(bin, 'qemu-system-aarch64'), FAKE_QEMU, { mode: 0o755 });
    uboot = path.join(bin, 'u-boot.bin');
    fs.writeFileSync(uboot, 'stand-in');
    cwd = path.dirname(sampleCopy().config);
    // The lab lock lives in the temp folder: a private one keeps this run from waiting on a real lab.
    tmp = tempDir();
  });

  const onPty = (env: Record<string, string>) => spawnSync('script', ['-qfec', `stty cols 100; ${BIN} qemu config --uboot ${uboot} --timeout 30`, '/dev/null'], {
    cwd, encoding: 'utf8', env: { PATH: `${bin}:${process.env['PATH'] ?? '/usr/bin:/bin'}`, HOME: process.env['HOME'] ?? '/', TMPDIR: tmp, ...env },
  });
  const report = (out: string) => out.slice(out.indexOf('Real boot'));

  it('shows a spinner with the last console line while QEMU runs, then the report', () => {
    const r = onPty({ TERM: 'xterm' });
    const out = r.stdout;
    expect(out).to.contain('\x1b[?25l');
    expect(out).to.contain('\x1b[36m');
    expect(out).to.match(/booting in QEMU, \d+ s: \(XEN\) Xen version 4\.17 \(stand-in\)/);
    // The spinner is gone (line cleared, cursor back) before the report is printed.
    expect(out.indexOf('\x1b[?25h')).to.be.within(out.indexOf('booting in QEMU'), out.indexOf('Real boot'));
    expect(report(out).startsWith(`Real boot\x1b[22m  QEMU virt + ${uboot} + Xen: qemu-exited in `)).to.equal(true);
    // The console itself is not printed: the spinner's line stands for it.
    expect(out).not.to.contain('U-Boot 2023.01 (stand-in)\r\n');
  });

  it('draws the spinner without colour under NO_COLOR', () => {
    const out = onPty({ TERM: 'xterm', NO_COLOR: '1' }).stdout;
    expect(out).to.contain('\x1b[?25l');
    expect(out).to.match(/⠋ booting in QEMU/);
    expect(out).not.to.contain('\x1b[3'); // no foreground colour at all
    expect(report(out)).to.match(/^Real boot {2}QEMU virt \+ .* \+ Xen: qemu-exited in \d+\.\d s\r\n/);
  });

  it('with TERM=dumb: no spinner and no cursor movement, the console as it comes', () => {
    const out = onPty({ TERM: 'dumb' }).stdout;
    expect(out).not.to.contain('\x1b');
    expect(out).to.contain('U-Boot 2023.01 (stand-in)\r\nStarting kernel ...\r\n(XEN) Xen version 4.17 (stand-in)\r\n');
    expect(out).not.to.contain('booting in QEMU');
  });
});
