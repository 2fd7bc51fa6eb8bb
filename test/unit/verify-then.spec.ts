// BOOT_CMD=none: verified up to the end of the script, and `--then` continues the boot at the
// simulated prompt as a user would type it.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { generate } from '../../src/api/generate.js';
import { verifyGenerated } from '../../src/api/verify.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { sampleCopy } from '../helpers/images.js';
import { verifySummary } from '../../src/cli/verify-report.js';

const THEN = 'booti ${host_kernel_addr} - ${host_fdt_addr}';

describe('verify → BOOT_CMD=none and --then', () => {
  it('passes a none script that runs to its end and sets the addresses, without booting', () => {
    const { config } = sampleCopy(['BOOT_CMD=none']);
    const gen = generate(config, { env: {}, write: false });
    expect(gen.outputs.source.split('\n').slice(-3)).to.deep.equal(['setenv host_kernel_addr 0x42800000', 'setenv host_fdt_addr 0x42A00000', '']);
    const r = verifyGenerated(gen);
    expect(r.ok).to.equal(true);
    expect(r.uboot.bootAttempted).to.equal(false);
    expect(r.domains).to.deep.equal([]);
    expect(verifySummary(r)).to.equal('the script runs to its end without booting (BOOT_CMD=none); host_kernel_addr=0x42800000 host_fdt_addr=0x42A00000: give --then the boot command (booti on ${host_kernel_addr} and ${host_fdt_addr}) to verify the boot');
  });

  it('boots every domain with --then "booti ${host_kernel_addr} - ${host_fdt_addr}", with -s as well', () => {
    for (const runtimeSizing of [false, true]) {
      const { config } = sampleCopy(['BOOT_CMD=none']);
      const gen = generate(config, { env: {}, write: false, runtimeSizing });
      const r = verifyGenerated(gen, { then: THEN });
      expect(r.ok, verifySummary(r)).to.equal(true);
      expect(r.uboot.console).to.include(`=> ${THEN}`);
      expect(r.uboot.handoff?.entry, String(runtimeSizing)).to.equal(runtimeSizing ? 0x41000000 : 0x42800000);
      expect(r.domains.map((d) => `${d.name}:${d.verdict}`)).to.deep.equal(['dom0:up', 'domU1:up', 'domU0:up']);
    }
  });

  it('is not fooled by a none script that fails on the way, nor by --then that fails', () => {
    const { config } = sampleCopy(['BOOT_CMD=none']);
    const gen = generate(config, { env: {}, write: false });
    const r = verifyGenerated(gen, { then: 'booti ${host_kernel_addr} - 0x1' });
    expect(r.ok).to.equal(false);
    expect(verifySummary(r)).to.match(/^U-Boot: /);
  });

  it('takes --then on the command line (generate and simulate)', () => {
    const { dir, config } = sampleCopy(['BOOT_CMD=none']);
    const bin = path.join(REPO_ROOT, 'bin', 'uboot-gen');
    const env = { ...process.env, NO_COLOR: '1', CI: '1' };
    const gen = spawnSync(bin, [config, '--then', THEN], { encoding: 'utf8', env });
    expect(gen.status, gen.stderr).to.equal(0);
    expect(gen.stdout).to.contain('✓ every domain comes up (dom0, domU1, domU0)');
    const sim = spawnSync(bin, ['simulate', path.join(dir, 'boot.scr'), '--root', dir, '--board', path.join(dir, 'samples/virt.dtb'), '--then', THEN], { encoding: 'utf8', env });
    expect(sim.status, sim.stderr).to.equal(0);
    expect(sim.stdout).to.contain(`=> ${THEN}`);
  });
});
