// --uboot-version V and --uboot FILE on generate, simulate and check: the release checked against the
// table, read from a real binary's banner, and named in the verification header and the JSON.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixturePath, REPO_ROOT } from '../../helpers/paths.js';
import { sampleCopy } from '../../helpers/images.js';
import { boardTree } from '../../helpers/boards.js';
import { ubootVersionOption } from '../../../src/cli/uboot-version.js';

const BIN = path.join(REPO_ROOT, 'bin', 'uboot-gen');
const run = (args: string[], cwd = REPO_ROOT) => {
  const r = spawnSync(BIN, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CI: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};
const TRIXIE = fixturePath('uboot-bin', 'trixie-2025.01.banner.bin');

describe('cli → uboot-version', function () {
  this.timeout(120000);

  it('picks --uboot-version over --uboot, and nothing when neither is given', () => {
    expect(ubootVersionOption({})).to.deep.equal({});
    expect(ubootVersionOption({ uboot: TRIXIE })).to.deep.equal({ ubootVersion: '2025.01' });
    expect(ubootVersionOption({ uboot: TRIXIE, ubootVersion: 'v2026.04' })).to.deep.equal({ ubootVersion: '2026.04' });
  });

  it('--hush modern needs a release that has the modern parser (2024.04 and later)', () => {
    expect(ubootVersionOption({ hush: 'modern', ubootVersion: '2024.04' })).to.deep.equal({ ubootVersion: '2024.04', hush: 'modern' });
    expect(ubootVersionOption({ hush: 'old' })).to.deep.equal({ hush: 'old' });
    expect(() => ubootVersionOption({ hush: 'modern' })).to.throw('--hush modern: U-Boot 2023.01 has only the old hush (the modern parser came with 2024.04)');
    const { config } = sampleCopy();
    const bad = run([config, '--dry-run', '--hush', 'modern']);
    expect(bad.status).to.equal(2);
    expect(bad.stderr).to.contain('add --uboot-version 2024.04 or later');
  });

  it('generate, simulate and check run the script under the hush --hush names', () => {
    const { config, dir } = sampleCopy();
    const g = run([config, '--dry-run', '--hush', 'modern', '--uboot-version', '2026.04']);
    expect(g.status, g.stderr).to.equal(0);
    // The header and the JSON say which parser ran the script.
    expect(g.stdout).to.contain('Verification  U-Boot 2026.04 (virt.dtb, modern hush) → Xen 4.17');
    const gj = run([config, '--dry-run', '--json', '--hush', 'modern', '--uboot-version', '2026.04']);
    expect(JSON.parse(gj.stdout).verification.uboot.hush).to.equal('modern');
    expect(JSON.parse(run([config, '--dry-run', '--json', '--uboot-version', '2026.04']).stdout).verification.uboot.hush).to.equal('old');
    const c = run(['check', config, '--hush', 'modern', '--uboot-version', '2026.04', '-j', '1']);
    expect(c.status, c.stdout + c.stderr).to.equal(0);
    // An && / || chain: old hush skips the rest of it, the modern one runs the `||` branch.
    fs.writeFileSync(path.join(dir, 'chain.source'), 'test a = b && echo and2 || echo or2\n');
    const console = (hush: string): string[] => {
      const r = run(['simulate', path.join(dir, 'chain.source'), '-r', dir, '--json', '--hush', hush, '--uboot-version', '2026.04']);
      return JSON.parse(r.stdout).verification.uboot.console as string[];
    };
    expect(console('modern')).to.include('or2');
    expect(console('old')).to.not.include('or2');
  });

  it('generate: the header names the release, and the simulated boot prints its texts', () => {
    const { config } = sampleCopy();
    const r = run([config, '--dry-run', '--uboot-version', '2026.04']);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('Verification  U-Boot 2026.04 (virt.dtb) → Xen 4.17');
    const j = run([config, '--dry-run', '--json', '--uboot', TRIXIE]);
    expect(JSON.parse(j.stdout).verification.uboot.version).to.equal('2025.01');
  });

  it('a mistyped release is a usage error (exit 2) with a did-you-mean, even without verifying', () => {
    const { config } = sampleCopy();
    for (const extra of [[], ['--no-verify']]) {
      const r = run([config, '--dry-run', '--uboot-version', '2025.1', ...extra]);
      expect(r.status).to.equal(2);
      expect(r.stderr).to.equal('error: --uboot-version 2025.1: not a modelled U-Boot release. Did you mean 2025.01?\n'
        + '  fix: give one of 2023.01, 2024.01, 2024.04, 2025.01, 2025.04, 2025.10, 2026.01, 2026.04\n');
    }
    const bad = run([config, '--dry-run', '--uboot', config]);
    expect(bad.status).to.equal(4);
    expect(bad.stderr).to.contain('holds no U-Boot version banner');
  });

  it('simulate: the JSON names the release read from the binary', () => {
    const { config } = sampleCopy();
    expect(run([config, '-q']).status).to.equal(0);
    const dir = path.dirname(config);
    const r = run(['simulate', path.join(dir, 'boot.scr'), '--root', dir, '--json', '--uboot', fixturePath('uboot-bin', 'v2026.04.banner.bin')]);
    expect(r.status, r.stderr).to.equal(0);
    const v = JSON.parse(r.stdout).verification;
    expect(v.uboot.version).to.equal('2026.04');
    // The sample script sets fdt_high to ~0: 2026.04 warns about it.
    expect(v.uboot.transcript ?? r.stdout).to.satisfy((t: unknown) => JSON.stringify(t).includes("The 'fdt_high' environment variable is set to ~0"));
  });

  it('check: every config is verified as the release given', () => {
    const root = boardTree({ a: [] });
    const r = run(['check', 'boards/a/config', '--uboot-version', '2024.04', '--report', 'r.html'], root);
    expect(r.status, r.stderr).to.equal(0);
    expect(fs.readFileSync(path.join(root, 'r.html'), 'utf8')).to.match(/<p class="sub">U-Boot 2024\.04 \(/);
  });
});
