// Every command's --json output as users get it (a separate process): one envelope each, valid
// under the shipped schema, with exact values. serve prints JSON lines; qemu runs against a
// stand-in QEMU replaying a real transcript (no real boot in unit tests).
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FAKE_QEMU } from '../../helpers/fake-qemu.js';
import { sampleCopy, tempDir } from '../../helpers/images.js';
import { expectSchemaValid, parseJsonLines, parseJsonOutput } from '../../helpers/json-schema.js';
import { fixturePath, REPO_ROOT } from '../../helpers/paths.js';
import { hasTool } from '../../helpers/tools.js';

const BIN = path.join(REPO_ROOT, 'bin', 'uboot-gen');
const run = (args: string[], cwd: string, env: Record<string, string> = {}) =>
  spawnSync(BIN, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CI: '1', ...env } });

describe('cli → --json: one envelope per command', function () {
  this.timeout(60_000);

  it('generate on config.example: plan, outputs and verification, nothing else', () => {
    const { dir } = sampleCopy();
    const r = run(['config', '--json'], dir);
    expect(r.stderr).to.equal('');
    expect(r.status).to.equal(0);
    const doc = parseJsonOutput(r.stdout);
    const real = fs.realpathSync(dir);
    expect(Object.keys(doc)).to.deep.equal(['schemaVersion', 'command', 'ok', 'exitCode', 'diagnostics', 'plan', 'outputs', 'verification']);
    expect([doc.schemaVersion, doc.command, doc.ok, doc.exitCode, doc.diagnostics]).to.deep.equal([1, 'generate', true, 0, []]);
    expect(doc.outputs).to.deep.equal({
      source: path.join(real, 'boot.source'), script: path.join(real, 'boot.scr'), extra: [],
      written: [path.join(real, 'boot.source'), path.join(real, 'boot.scr')], keptFailed: [], installed: [],
      ubootCommand: 'tftpb 0x40200000 boot.scr; source 0x40200000',
    });
    expect(doc.plan.dir).to.equal(real);
    expect(doc.plan.loads.map((l: { id: string; addrHex: string; size: number; domains: string[] }) => [l.id, l.addrHex, l.size, l.domains.length]))
      .to.deep.equal([['dom0_linux', '0x40400000', 262144, 3], ['dom0_ramdisk', '0x42600000', 295, 3], ['host_kernel', '0x42800000', 131072, 0], ['host_fdt', '0x42A00000', 2081, 0]]);
    const v = doc.verification;
    expect([v.ok, v.summary, v.board]).to.deep.equal([true, 'every domain comes up (dom0, domU1, domU0)', 'virt.dtb']);
    expect([v.uboot.stoppedReason, v.uboot.bootAttempted, v.uboot.failures]).to.deep.equal(['booted', true, []]);
    expect(v.uboot.console[0]).to.equal('=> tftpb 40200000 boot.scr');
    expect(v.domains.map((d: { name: string; verdict: string; memoryKiB: number }) => [d.name, d.verdict, d.memoryKiB]))
      .to.deep.equal([['dom0', 'up', 524288], ['domU1', 'up', 262144], ['domU0', 'up', 262144]]);
  });

  it('generate --no-verify --dry-run: no verification section, nothing written', () => {
    const { dir } = sampleCopy();
    const doc = parseJsonOutput(run(['config', '--json', '--no-verify', '--dry-run'], dir).stdout);
    expect(Object.keys(doc)).to.deep.equal(['schemaVersion', 'command', 'ok', 'exitCode', 'diagnostics', 'plan', 'outputs']);
    expect(doc.outputs.written).to.deep.equal([]);
  });

  it('a failed verification: ok false, exit 6, the verdicts say why', () => {
    const { dir } = sampleCopy(['DOMU_MEM[1]=2048']);
    const r = run(['config', '--json'], dir);
    expect(r.status).to.equal(6);
    const doc = parseJsonOutput(r.stdout);
    expect([doc.ok, doc.exitCode, doc.diagnostics]).to.deep.equal([false, 6, []]);
    expect(doc.verification.summary).to.equal('Xen panics: Failed to allocate requested domain memory. 2097152KB unallocated. Fix the VMs configurations.');
    expect(doc.verification.xen.panic).to.equal('Failed to allocate requested domain memory. 2097152KB unallocated. Fix the VMs configurations.');
    // The verdict traced back to the config: the key, where it is written, and the largest value that boots.
    const [cause] = doc.verification.causes;
    expect([cause.kind, cause.domain, cause.keys, cause.edit.value, cause.fix]).to.deep.equal(['domain-memory-too-large', 'domU1', ['DOMU_MEM[1]'], '1188', 'set DOMU_MEM[1] to at most 1188']);
    expect(cause.where[0].key).to.equal('DOMU_MEM[1]');
  });

  it('an error: the envelope with ok false, the exit status, and the error as the one diagnostic', () => {
    const { dir, config } = sampleCopy(['DOMU_RAMDISK[1]="samples/missing.cpio.gz"']);
    const r = run(['config', '--json'], dir);
    expect(r.status).to.equal(4);
    expect(r.stderr).to.equal('');
    expect(parseJsonOutput(r.stdout)).to.deep.equal({
      schemaVersion: 1, command: 'generate', ok: false, exitCode: 4,
      diagnostics: [{
        code: 'IMAGE_NOT_FOUND', level: 'error', message: `DOMU_RAMDISK[1] = "samples/missing.cpio.gz": no such file in ${fs.realpathSync(dir)}`,
        key: 'DOMU_RAMDISK[1]', where: { file: 'config', line: 28, col: 17 },
        hint: 'paths in the config are relative to the -d directory (default: the config file\'s folder)',
        fix: 'Check the path: paths in the config are relative to the -d folder (default: the config\'s folder).',
        data: { path: path.join(fs.realpathSync(dir), 'samples', 'missing.cpio.gz') },
      }],
    });
    expect(config).to.equal(path.join(dir, 'config'));
  });

  it('a usage error names the command it was given to (exit 2, code USAGE)', () => {
    const dir = tempDir();
    const unknown = run(['--json', '--no-such-flag'], dir);
    expect(unknown.status).to.equal(2);
    expect(parseJsonOutput(unknown.stdout)).to.deep.equal({
      schemaVersion: 1, command: 'generate', ok: false, exitCode: 2,
      diagnostics: [{ code: 'USAGE', level: 'error', message: 'unknown option \'--no-such-flag\'', fix: 'Run `uboot-gen COMMAND --help` for the options each command takes.' }],
    });
    const missing = parseJsonOutput(run(['simulate', '--json'], dir).stdout);
    expect([missing.command, missing.exitCode, missing.diagnostics[0].message]).to.deep.equal(['simulate', 2, 'required option \'-r, --root <dir>\' not specified']);
  });

  it('simulate: the verification section only', () => {
    const { dir } = sampleCopy();
    expect(run(['config', '-q'], dir).status).to.equal(0);
    const r = run(['simulate', 'boot.scr', '--root', '.', '--json'], dir);
    expect(r.status).to.equal(0);
    const doc = parseJsonOutput(r.stdout);
    expect(Object.keys(doc)).to.deep.equal(['schemaVersion', 'command', 'ok', 'exitCode', 'diagnostics', 'verification']);
    expect([doc.command, doc.ok, doc.exitCode, doc.verification.summary]).to.deep.equal(['simulate', true, 0, 'every domain comes up (dom0, domU1, domU0)']);
  });

  it('qemu --write-board-dtb: what was written', () => {
    const { dir, bin } = fakeQemuDir();
    const r = run(['qemu', '--write-board-dtb', 'board.dtb', '--json'], dir, { PATH: `${bin}:${process.env['PATH']}`, FAKE_DUMPDTB: fixturePath('dtb', 'qemu-virt-gicv3-2g.dtb') });
    expect(r.status, r.stderr).to.equal(0);
    expect(parseJsonOutput(r.stdout)).to.deep.equal({ schemaVersion: 1, command: 'qemu', ok: true, exitCode: 0, diagnostics: [], outputs: { written: [path.join(fs.realpathSync(dir), 'board.dtb')] } });
    expect(fs.readFileSync(path.join(dir, 'board.dtb'))).to.deep.equal(fs.readFileSync(fixturePath('dtb', 'qemu-virt-gicv3-2g.dtb')));
  });

  it('qemu: plan, the simulation and the lab section, against a replayed real boot', () => {
    const { dir, bin } = fakeQemuDir(['NUM_DOMUS=1', 'DOM0_CMD="console=hvc0 labtoken=d0"', 'DOMU_CMD[0]="console=ttyAMA0 labtoken=u0"']);
    fs.writeFileSync(path.join(dir, 'u-boot.bin'), 'stand-in');
    const lockDir = tempDir('lab-lock-');
    const r = run(['qemu', 'config', '--json', '--uboot', 'u-boot.bin', '--timeout', '30'], dir,
      { PATH: `${bin}:${process.env['PATH']}`, TMPDIR: lockDir, FAKE_TRANSCRIPT: fixturePath('transcripts', 'b-dom0-domu.log') });
    expect(r.status, r.stderr).to.equal(0);
    const doc = parseJsonOutput(r.stdout);
    expect(Object.keys(doc)).to.deep.equal(['schemaVersion', 'command', 'ok', 'exitCode', 'diagnostics', 'plan', 'verification', 'lab']);
    expect([doc.command, doc.ok, doc.exitCode]).to.deep.equal(['qemu', true, 0]);
    expect(doc.diagnostics.map((d: { code: string; level: string; where: { line: number } }) => `${d.level} ${d.code} config:${d.where.line}`)).to.deep.equal([19, 20, 21, 22, 23].map((l) => `warning CONFIG_IGNORED_INDEX config:${l}`));
    const { wallMs, ...lab } = doc.lab;
    expect(wallMs).to.be.a('number');
    expect(lab).to.deep.equal({
      outcome: 'all-up',
      domains: [
        { name: 'dom0', domid: 0, verdict: 'up', simulated: { verdict: 'up' } },
        { name: 'domU0', domid: 1, verdict: 'up', simulated: { verdict: 'up' } },
      ],
      differences: [],
      ubootErrors: [],
    });
    expect(doc.verification.summary).to.equal('every domain comes up (dom0, domU0)');
  });

  it('serve: JSON lines (listening, each transfer, then the summary envelope)', async function () {
    if (!hasTool('tftp', '-V')) this.skip();
    const { dir } = sampleCopy();
    expect(run(['config', '-q'], dir).status).to.equal(0);
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'uboot-gen.js'), 'serve', '.', '--port', '0', '--config', 'config', '--until-fetched', '--timeout', '30', '--json'],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const first = out.split('\n')[0]!;
        if (out.includes('\n')) resolve((JSON.parse(first) as { port: number }).port);
      });
      void exited.then((c) => reject(new Error(`serve exited ${c}`)));
    });
    const got = tempDir('got-');
    for (const f of ['boot.scr', 'samples/Image', 'samples/initrd.cpio.gz', 'samples/xen', 'samples/virt.dtb']) {
      const t = spawnSync('tftp', ['127.0.0.1', String(port), '-m', 'binary', '-c', 'get', f, path.join(got, path.basename(f))], { encoding: 'utf8' });
      expect(t.status, t.stderr).to.equal(0);
    }
    expect(await exited).to.equal(0);
    const lines = parseJsonLines(out);
    expect(lines.map((l) => [l['schemaVersion'], l['command'], l['event']])).to.deep.equal([
      [1, 'serve', 'listening'], ...Array.from({ length: 5 }, () => [1, 'serve', 'transfer']), [1, 'serve', 'summary'],
    ]);
    expect(lines[0]).to.deep.equal({ schemaVersion: 1, command: 'serve', event: 'listening', host: '127.0.0.1', port, root: fs.realpathSync(dir) });
    expect(lines.slice(1, 6).map((l) => [l['requested'], l['file'], l['status'], l['bytes'], l['findings']])).to.deep.equal([
      ['boot.scr', 'boot.scr', 'ok', fs.statSync(path.join(dir, 'boot.scr')).size, []],
      ['samples/Image', 'samples/Image', 'ok', 262144, []],
      ['samples/initrd.cpio.gz', 'samples/initrd.cpio.gz', 'ok', 295, []],
      ['samples/xen', 'samples/xen', 'ok', 131072, []],
      ['samples/virt.dtb', 'samples/virt.dtb', 'ok', 2081, []],
    ]);
    expect(lines[6]).to.deep.equal({ schemaVersion: 1, command: 'serve', event: 'summary', ok: true, exitCode: 0, diagnostics: [], findings: [], transfers: 5 });
  });

  it('serve: an error is one summary line', () => {
    const dir = tempDir();
    const r = run(['serve', 'no-such-folder', '--json'], dir);
    expect(r.status).to.equal(2);
    expect(r.stdout.split('\n')).to.have.length(2);
    expect(expectSchemaValid(JSON.parse(r.stdout))).to.deep.equal({
      schemaVersion: 1, command: 'serve', event: 'summary', ok: false, exitCode: 2,
      diagnostics: [{
        code: 'SERVE_ROOT', level: 'error', message: 'the folder to serve, no-such-folder, does not exist', hint: 'create it, or name the TFTP root that holds boot.scr',
        fix: 'Name the folder that holds boot.scr and the files it loads.', data: { root: 'no-such-folder' },
      }],
    });
  });
});

/** A sample folder and a bin/ folder whose qemu-system-aarch64 is the replaying stand-in. */
function fakeQemuDir(extra: string[] = []): { dir: string; bin: string } {
  const { dir } = sampleCopy(extra);
  const bin = tempDir('fake-qemu-');
  fs.writeFileSync(path.join(bin, 'qemu-system-aarch64'), FAKE_QEMU, { mode: 0o755 });
  return { dir, bin };
}
