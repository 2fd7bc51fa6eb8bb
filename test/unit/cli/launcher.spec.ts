// bin/uboot-gen, the launcher: the startup snapshot built by `npm run build`, the JS entry as
// fallback, arguments passed untouched, templates read at run time, NODE_EXTRA_CA_CERTS dropped.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../../helpers/paths.js';
import { sampleCopy, tempDir } from '../../helpers/images.js';
import { SNAPSHOT_BLOB, SNAPSHOT_DIR } from '../../../src/cli/snapshot.js';

const LAUNCHER = path.join(REPO_ROOT, 'bin', 'uboot-gen');
const BLOB = path.join(REPO_ROOT, SNAPSHOT_DIR, SNAPSHOT_BLOB);
const VERSION = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

function run(bin: string, args: string[], env: Record<string, string | undefined> = {}, cwd = REPO_ROOT) {
  const merged: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, NO_COLOR: '1', CI: '1', ...env })) if (v !== undefined) merged[k] = v;
  const r = spawnSync(bin, args, { cwd, encoding: 'utf8', env: merged });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A package laid out like an install (bin/, dist/, templates/, node_modules) in a temp folder,
 * sharing the built code through links, with its own copies of what a test changes.
 */
function packageCopy(opts: { blob?: 'real' | 'none' | Buffer; copyTemplates?: boolean }): string {
  const pkg = tempDir();
  fs.mkdirSync(path.join(pkg, 'bin'));
  for (const f of ['uboot-gen', 'uboot-gen.js']) fs.copyFileSync(path.join(REPO_ROOT, 'bin', f), path.join(pkg, 'bin', f));
  fs.chmodSync(path.join(pkg, 'bin', 'uboot-gen'), 0o755);
  fs.copyFileSync(path.join(REPO_ROOT, 'package.json'), path.join(pkg, 'package.json'));
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(pkg, 'node_modules'));
  if (opts.copyTemplates) fs.cpSync(path.join(REPO_ROOT, 'templates'), path.join(pkg, 'templates'), { recursive: true });
  else fs.symlinkSync(path.join(REPO_ROOT, 'templates'), path.join(pkg, 'templates'));
  fs.mkdirSync(path.join(pkg, SNAPSHOT_DIR), { recursive: true });
  for (const d of ['bundle', 'src']) fs.symlinkSync(path.join(REPO_ROOT, 'dist', d), path.join(pkg, 'dist', d));
  for (const f of fs.readdirSync(path.join(REPO_ROOT, SNAPSHOT_DIR))) {
    if (f === SNAPSHOT_BLOB) continue;
    fs.copyFileSync(path.join(REPO_ROOT, SNAPSHOT_DIR, f), path.join(pkg, SNAPSHOT_DIR, f));
  }
  const blob = opts.blob ?? 'real';
  if (blob === 'real') fs.copyFileSync(BLOB, path.join(pkg, SNAPSHOT_DIR, SNAPSHOT_BLOB));
  else if (blob !== 'none') fs.writeFileSync(path.join(pkg, SNAPSHOT_DIR, SNAPSHOT_BLOB), blob);
  return pkg;
}

describe('cli → bin/uboot-gen launcher', () => {
  it('the build left a startup snapshot, and Node starts from it', () => {
    expect(fs.existsSync(BLOB), 'npm run build writes dist/snapshot/uboot-gen.blob').to.equal(true);
    const r = spawnSync(process.execPath, ['--snapshot-blob', BLOB, '--', '--version'], { encoding: 'utf8' });
    expect(r.status).to.equal(0);
    expect(r.stdout.trim()).to.equal(VERSION);
  });

  it('the snapshot and the JS entry write byte-identical outputs and print the same report', () => {
    const a = sampleCopy(), b = sampleCopy();
    const viaSnapshot = run(LAUNCHER, [a.config, '--json']);
    const viaJs = run(LAUNCHER, [b.config, '--json'], { UBOOT_GEN_NO_SNAPSHOT: '1' });
    expect(viaSnapshot.status).to.equal(0);
    expect(viaJs.status).to.equal(0);
    expect(viaSnapshot.stdout.split(a.dir).join('<dir>')).to.equal(viaJs.stdout.split(b.dir).join('<dir>'));
    for (const f of ['boot.source', 'boot.scr']) expect(fs.readFileSync(path.join(a.dir, f)).equals(fs.readFileSync(path.join(b.dir, f))), f).to.equal(true);
  });

  it('passes arguments that are also Node options (-c, --version, --) to the CLI untouched', () => {
    const s = sampleCopy();
    const r = run(LAUNCHER, ['-c', s.config, '-d', s.dir, '-q']);
    expect(r.stderr).to.equal('');
    expect(r.status).to.equal(0);
    expect(r.stdout).to.contain('tftpb 0x40200000 boot.scr; source 0x40200000');
    expect(run(LAUNCHER, ['--version']).stdout.trim()).to.equal(VERSION);
    // `--` after the command ends the CLI's options, as commander reads it.
    expect(run(LAUNCHER, ['generate', '-q', '--', s.config]).status).to.equal(0);
  });

  it('runs through a symlink, as npm links bin/ into node_modules/.bin', () => {
    const link = path.join(tempDir(), 'uboot-gen');
    fs.symlinkSync(LAUNCHER, link);
    const r = run(link, ['--version']);
    expect(r.status).to.equal(0);
    expect(r.stdout.trim()).to.equal(VERSION);
  });

  it('falls back to the JS entry, saying why, when this Node refuses the snapshot (exit 14)', () => {
    // A snapshot written with other V8 flags is refused the way one from another Node is.
    const foreign = path.join(tempDir(), 'foreign.blob');
    const script = path.join(path.dirname(foreign), 'main.cjs');
    fs.writeFileSync(script, "require('node:v8').startupSnapshot.setDeserializeMainFunction(() => { process.stdout.write('wrong\\n'); });\n");
    expect(spawnSync(process.execPath, ['--no-opt', '--snapshot-blob', foreign, '--build-snapshot', script]).status).to.equal(0);
    expect(spawnSync(process.execPath, ['--snapshot-blob', foreign]).status).to.equal(14);
    const pkg = packageCopy({ blob: fs.readFileSync(foreign) });
    const r = run(path.join(pkg, 'bin', 'uboot-gen'), ['--version']);
    expect(r.status).to.equal(0);
    expect(r.stdout.trim()).to.equal(VERSION);
    expect(r.stderr).to.contain("run 'npm run build' to rebuild it");
  });

  it('without a snapshot it runs the JS entry silently', () => {
    const pkg = packageCopy({ blob: 'none' });
    const s = sampleCopy();
    const r = run(path.join(pkg, 'bin', 'uboot-gen'), [s.config, '-q']);
    expect(r.stderr).to.equal('');
    expect(r.status).to.equal(0);
  });

  it('reads templates/ at run time: an edited template is rendered, not the one the snapshot saw', () => {
    const pkg = packageCopy({ copyTemplates: true });
    const main = path.join(pkg, 'templates', 'boot.source.hbs');
    fs.writeFileSync(main, `echo edited after the build\n${fs.readFileSync(main, 'utf8')}`);
    const s = sampleCopy();
    const r = run(path.join(pkg, 'bin', 'uboot-gen'), [s.config, '-q']);
    expect(r.stderr).to.equal('');
    expect(r.status).to.equal(0);
    expect(fs.readFileSync(path.join(s.dir, 'boot.source'), 'utf8').split('\n')[0]).to.equal('echo edited after the build');
  });

  it('drops NODE_EXTRA_CA_CERTS (parsed at every Node start, never used) except for `qemu`', () => {
    // Node warns at start-up when the file cannot be read: the warning shows whether Node saw it.
    const env = { NODE_EXTRA_CA_CERTS: path.join(tempDir(), 'no-such-bundle.pem') };
    const gen = run(LAUNCHER, ['--version'], env);
    expect(gen.status).to.equal(0);
    expect(gen.stderr).to.equal('');
    const qemu = run(LAUNCHER, ['qemu', '--help'], env);
    expect(qemu.status).to.equal(0);
    expect(qemu.stderr).to.contain('no-such-bundle.pem');
  });
});

describe('cli → interactive terminals', () => {
  // util-linux `script` gives the CLI a real pseudo-terminal (skipped where it cannot make one).
  const hasScript = spawnSync('script', ['-qec', 'true', '/dev/null']).status === 0;

  /** Run the launcher on a pseudo-terminal made by util-linux `script`, sized by `stty` first (or not). */
  function onTerminal(size: string | undefined, args: string[]) {
    const cmd = `${size ? `stty ${size}; ` : ''}${[LAUNCHER, ...args].map((a) => `'${a}'`).join(' ')}`;
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'CI') env[k] = v;
    return spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', env, timeout: 20_000 });
  }

  it('shows the spinner on a sized terminal and finishes', function () {
    if (!hasScript) this.skip();
    const s = sampleCopy();
    const r = onTerminal('cols 100 rows 30', [s.config, '-q']);
    expect(r.error, 'finished before the timeout').to.equal(undefined);
    expect(r.status).to.equal(0);
    expect(r.stdout).to.contain('simulating U-Boot and Xen');
    expect(r.stdout).to.contain('tftpb 0x40200000 boot.scr; source 0x40200000');
  });

  it('finishes without a spinner on a terminal that reports no width', function () {
    if (!hasScript) this.skip();
    const s = sampleCopy();
    const r = onTerminal(undefined, [s.config, '-q']);
    expect(r.error, 'finished before the timeout').to.equal(undefined);
    expect(r.status).to.equal(0);
    expect(r.stdout).not.to.contain('simulating U-Boot and Xen');
    expect(r.stdout).to.contain('tftpb 0x40200000 boot.scr; source 0x40200000');
  });
});
