// The command line as users run it: a separate Node process, exit codes, stdout/stderr.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../../helpers/paths.js';
import { sampleCopy, tempDir } from '../../helpers/images.js';
import { parseJsonOutput } from '../../helpers/json-schema.js';

/** The launcher users run; launcher.spec.ts covers how it picks the bundle or tsc's modules. */
const BIN = path.join(REPO_ROOT, 'bin', 'uboot-gen');

function run(args: string[], cwd = REPO_ROOT, env: Record<string, string> = {}) {
  const r = spawnSync(BIN, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CI: '1', ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cli → uboot-gen', () => {
  it('--help lists the commands and exit codes and exits 0', () => {
    const r = run(['generate', '--help']);
    expect(r.status).to.equal(0);
    expect(r.stdout).to.contain('-c, --config <file>');
    expect(r.stdout).to.contain('  6   verification failed: the simulated boot does not bring every domain up\n');
  });

  it('--version prints the package version', () => {
    const r = run(['--version']);
    expect(r.status).to.equal(0);
    expect(r.stdout.trim()).to.equal(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version);
  });

  it('generates and verifies the sample, printing the plan, the domain table and the load command', () => {
    const { dir, config } = sampleCopy();
    const r = run([config]);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('✓ every domain comes up (dom0, domU1, domU0)');
    expect(r.stdout).to.match(/Generated uboot script .*boot\.scr, to be loaded at address 0x40200000:\ntftpb 0x40200000 boot\.scr; source 0x40200000\n$/);
    expect(fs.existsSync(path.join(dir, 'boot.source'))).to.equal(true);
    expect(fs.existsSync(path.join(dir, 'boot.scr'))).to.equal(true);
  });

  it('accepts ImageBuilder\'s -c/-d/-t/-o', () => {
    const { dir, config } = sampleCopy();
    const r = run(['-c', config, '-d', dir, '-t', 'virtio', '-o', 'xen_boot', '-q']);
    expect(r.status, r.stderr).to.equal(0);
    const src = fs.readFileSync(path.join(dir, 'xen_boot.source'), 'utf8');
    expect(src.split('\n')[0]).to.equal('load virtio 0:1 0x40400000 samples/Image');
    expect(r.stdout).to.equal('Generated uboot script xen_boot.scr, to be loaded at address 0x40200000:\nload virtio 0:1 0x40200000 xen_boot.scr; source 0x40200000\n'.replace('xen_boot.scr, to', `${path.relative(REPO_ROOT, path.join(dir, 'xen_boot.scr'))}, to`));
  });

  it('--json prints one JSON document with the plan and the verdicts', () => {
    const { config } = sampleCopy();
    const r = run([config, '--json']);
    expect(r.status).to.equal(0);
    const doc = parseJsonOutput(r.stdout);
    expect(doc.ok).to.equal(true);
    expect(doc.plan.scriptAddr).to.equal(0x40200000);
    expect(doc.verification.domains.map((d: { name: string; verdict: string }) => `${d.name}:${d.verdict}`)).to.deep.equal(['dom0:up', 'domU1:up', 'domU0:up']);
    expect(r.stderr).to.equal('');
  });

  it('exits 3 with file:line:col for unsafe config and executes nothing', () => {
    const dir = tempDir();
    const marker = path.join(dir, 'pwned');
    fs.writeFileSync(path.join(dir, 'config'), `MEMORY_END=0x80000000\nXEN="$(touch ${marker})"\n`);
    const r = run([path.join(dir, 'config')]);
    expect(r.status).to.equal(3);
    expect(r.stderr).to.match(new RegExp(`^${path.join(dir, 'config').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2:6: error: `));
    expect(fs.existsSync(marker)).to.equal(false);
  });

  it('exits 3 for an unknown config file', () => {
    const r = run(['no-such.config']);
    expect(r.status).to.equal(3);
    expect(r.stderr).to.equal('no-such.config: error: Config file no-such.config does not exist\n');
  });

  it('exits 4 for a missing binary, naming the key and line, and leaves earlier outputs untouched', () => {
    const { dir, config } = sampleCopy(['DOMU_RAMDISK[1]="samples/missing.cpio.gz"']);
    fs.writeFileSync(path.join(dir, 'boot.source'), 'previous\n');
    const r = run([config]);
    expect(r.status).to.equal(4);
    expect(r.stderr).to.contain(`${config}:28:17: error: DOMU_RAMDISK[1] = "samples/missing.cpio.gz": no such file in ${dir}`);
    expect(fs.readFileSync(path.join(dir, 'boot.source'), 'utf8')).to.equal('previous\n');
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
  });

  it('names a missing APPEND_EXTRA_CMDS file with its key and line, like every other file key', () => {
    const { dir, config } = sampleCopy(['APPEND_EXTRA_CMDS="extra.cmds"']);
    const r = run([config]);
    expect(r.status).to.equal(4);
    expect(r.stderr).to.equal(`${config}:28:19: error: APPEND_EXTRA_CMDS = "extra.cmds": no such file in ${dir}\n`
      + '  fix: paths in the config are relative to the -d directory (default: the config file\'s folder)\n');
  });

  it('exits 3 when DOMU_PASSTHROUGH_PATHS names a node DEVICE_TREE lacks: a config error at its value, though the planner finds it', () => {
    const { config } = sampleCopy(['DOMU_PASSTHROUGH_PATHS[0]="/soc/ethernet@ff0e0000"']);
    const r = run([config, '--no-verify']);
    expect(r.status).to.equal(3);
    expect(r.stderr).to.equal(`${config}:28:27: error: DOMU_PASSTHROUGH_PATHS[0] names /soc/ethernet@ff0e0000, but DEVICE_TREE "samples/virt.dtb" has no such node, so the script could not mark it xen,passthrough (FDT_ERR_NOTFOUND)\n`
      + '  fix: remove /soc/ethernet@ff0e0000 from DOMU_PASSTHROUGH_PATHS[0], or pass the DTB of the board that has the device\n');
  });

  it('exits 5 before simulating when Xen 4.21+ would panic on the domain capabilities, naming the key and Xen\'s words', () => {
    const { config } = sampleCopy(['DOMU_CAPS[1]=xenstore']);
    const r = run([config, '--xen-version', '4.21']);
    expect([r.status, r.stdout]).to.deep.equal([5, '']);
    expect(r.stderr).to.equal(`${config}:28:14: error: DOMU_CAPS[1] = xenstore gives domU1 the xenstore capability, but dom0 (d0) is already the xenstore domain: Xen 4.21 panics "Only 1 xenstore domain can be specified! (0)"\n`
      + '  fix: give the xenstore capability to one domain only: drop xenstore from DOMU_CAPS[1]\n');
    // Xen 4.20 does not read capabilities: generated and verified, with a warning at the key.
    const old = run([config, '--xen-version', '4.20', '-q']);
    expect(old.status, old.stderr).to.equal(0);
    expect(old.stderr).to.contain(`${config}:28:14: warning: DOMU_CAPS[1]: Xen 4.20 does not read the capabilities property`);
  });

  it('--json gives an error its code, exit status and fix, and a warning its code and fix', () => {
    const { config } = sampleCopy(['DOMU_PASSTHROUGH_PATHS[0]="/soc/ethernet@ff0e0000"']);
    const bad = run([config, '--json']);
    expect(bad.status).to.equal(3);
    const doc = parseJsonOutput(bad.stdout);
    expect([doc.ok, doc.exitCode]).to.deep.equal([false, 3]);
    const [err] = doc.diagnostics;
    expect(err.code).to.equal('CONFIG_PASSTHROUGH_PATH');
    expect(err.level).to.equal('error');
    expect(err.fix).to.equal('Correct the path, or pass the DTB of the board that has the device.');
    const withTypo = sampleCopy(['DEVICETREE="x"']).config;
    const warned = run([withTypo, '--json', '--no-verify']);
    expect(warned.status).to.equal(0);
    expect(parseJsonOutput(warned.stdout).diagnostics).to.deep.equal([{
      code: 'CONFIG_UNKNOWN_KEY', level: 'warning', message: 'DEVICETREE is not an ImageBuilder option, so it is ignored; did you mean DEVICE_TREE?',
      where: { file: withTypo, line: 28, col: 1 },
      fix: 'Check its spelling (the warning suggests the nearest option) or remove it.',
    }]);
  });

  it('exits 5 when the plan does not fit, at the MEMORY_END that is too low', () => {
    const { config } = sampleCopy(['MEMORY_END="0x42000000"']);
    const r = run([config, '--no-verify']);
    expect(r.status).to.equal(5);
    expect(r.stderr.startsWith(`${config}:28:12: error: the binaries do not fit below MEMORY_END: they need `)).to.equal(true);
  });

  it('exits 6 when the simulated boot does not bring every domain up', () => {
    // 2 GiB for a domU on a 2 GiB board: Xen cannot allocate it.
    const { config } = sampleCopy(['DOMU_MEM[1]=2048']);
    const r = run([config]);
    expect(r.status).to.equal(6);
    expect(r.stdout).to.contain('Failed to allocate requested domain memory');
  });

  it('exits 2 for usage errors', () => {
    expect(run([]).status).to.equal(2);
    expect(run(['--no-such-flag']).status).to.equal(2);
  });

  it('simulate runs a hand-written script and exits 6 when the boot fails', () => {
    const dir = tempDir();
    fs.cpSync(path.join(REPO_ROOT, 'samples'), dir, { recursive: true });
    const { config } = sampleCopy();
    run([config, '-q']);
    const scr = path.join(path.dirname(config), 'boot.scr');
    const ok = run(['simulate', scr, '--root', path.dirname(config)]);
    expect(ok.status, ok.stdout).to.equal(0);
    expect(ok.stdout).to.contain('## Executing script at 40200000');
    expect(ok.stdout).to.contain('Starting kernel ...');
    const bad = run(['simulate', scr, '--root', dir]);
    expect(bad.status).to.equal(6);
    expect(bad.stdout).to.contain("TFTP error: 'File not found' (1)");
  });
});
