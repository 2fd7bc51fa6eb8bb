// bin/uboot-gen, the launcher: the CLI bundle when it is current, else tsc's modules (never
// code older than the last compile), arguments passed untouched, templates read at run time,
// NODE_EXTRA_CA_CERTS dropped.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../../helpers/paths.js';
import { sampleCopy, tempDir } from '../../helpers/images.js';
import { parseJsonOutput } from '../../helpers/json-schema.js';

const LAUNCHER = path.join(REPO_ROOT, 'bin', 'uboot-gen');
const VERSION = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
/** A bundle that says it ran: stands for one made before the last compile. */
const OLD_BUNDLE = "export async function main() { process.stdout.write('old bundle\\n'); }\n";

function run(bin: string, args: string[], env: Record<string, string | undefined> = {}, cwd = REPO_ROOT) {
  const merged: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, NO_COLOR: '1', CI: '1', ...env })) if (v !== undefined) merged[k] = v;
  const r = spawnSync(bin, args, { cwd, encoding: 'utf8', env: merged });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A package laid out like an install (bin/, dist/src, dist/bundle, templates/, node_modules) in a
 * temp folder, with tsc's modules linked and its own copies of what a test changes. `bundle`:
 * a copy of the real one, none, or the given module text. `compiledAfter`: tsc's build info
 * dated after the bundle (tsc ran since the bundle was made) or before it.
 */
function packageCopy(opts: { bundle: 'real' | 'none' | string; compiledAfter?: boolean; copyTemplates?: boolean }): string {
  const pkg = tempDir();
  fs.mkdirSync(path.join(pkg, 'bin'));
  for (const f of ['uboot-gen', 'uboot-gen.js']) fs.copyFileSync(path.join(REPO_ROOT, 'bin', f), path.join(pkg, 'bin', f));
  fs.chmodSync(path.join(pkg, 'bin', 'uboot-gen'), 0o755);
  fs.copyFileSync(path.join(REPO_ROOT, 'package.json'), path.join(pkg, 'package.json'));
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(pkg, 'node_modules'));
  if (opts.copyTemplates) fs.cpSync(path.join(REPO_ROOT, 'templates'), path.join(pkg, 'templates'), { recursive: true });
  else fs.symlinkSync(path.join(REPO_ROOT, 'templates'), path.join(pkg, 'templates'));
  fs.mkdirSync(path.join(pkg, 'dist'));
  fs.symlinkSync(path.join(REPO_ROOT, 'dist', 'src'), path.join(pkg, 'dist', 'src'));
  const bundle = path.join(pkg, 'dist', 'bundle', 'uboot-gen.mjs');
  if (opts.bundle === 'real') fs.cpSync(path.join(REPO_ROOT, 'dist', 'bundle'), path.dirname(bundle), { recursive: true });
  else if (opts.bundle !== 'none') {
    fs.mkdirSync(path.dirname(bundle));
    fs.writeFileSync(bundle, opts.bundle);
  }
  if (opts.compiledAfter !== undefined) {
    const info = path.join(pkg, 'dist', 'tsconfig.tsbuildinfo');
    fs.writeFileSync(info, '{}');
    const bundleTime = fs.existsSync(bundle) ? fs.statSync(bundle).mtime.getTime() : Date.now();
    const at = new Date(bundleTime + (opts.compiledAfter ? 5000 : -5000));
    fs.utimesSync(info, at, at);
  }
  return pkg;
}

describe('cli → bin/uboot-gen launcher', () => {
  it('runs the bundle when it was made after tsc\'s last compile (as `npm run build` leaves it)', () => {
    const pkg = packageCopy({ bundle: OLD_BUNDLE, compiledAfter: false });
    const r = run(path.join(pkg, 'bin', 'uboot-gen'), ['--version']);
    expect(r.stdout).to.equal('old bundle\n');
    expect(r.status).to.equal(0);
  });

  it('runs tsc\'s modules, not the bundle, when tsc compiled after the bundle was made', () => {
    const pkg = packageCopy({ bundle: OLD_BUNDLE, compiledAfter: true });
    const r = run(path.join(pkg, 'bin', 'uboot-gen'), ['--version']);
    expect(r.stderr).to.equal('');
    expect(r.stdout.trim()).to.equal(VERSION);
    expect(r.status).to.equal(0);
  });

  it('an installed package (no tsc build info) runs its bundle', () => {
    const pkg = packageCopy({ bundle: OLD_BUNDLE });
    expect(run(path.join(pkg, 'bin', 'uboot-gen'), ['--version']).stdout).to.equal('old bundle\n');
  });

  it('the bundle and tsc\'s modules write byte-identical outputs and print the same report', () => {
    const a = sampleCopy(), b = sampleCopy();
    const viaBundle = run(path.join(packageCopy({ bundle: 'real' }), 'bin', 'uboot-gen'), [a.config, '--json']);
    const viaModules = run(path.join(packageCopy({ bundle: 'none' }), 'bin', 'uboot-gen'), [b.config, '--json']);
    expect(viaBundle.stderr).to.equal('');
    expect(viaModules.stderr).to.equal('');
    expect(viaBundle.status).to.equal(0);
    expect(viaModules.status).to.equal(0);
    expect(viaBundle.stdout.split(a.dir).join('<dir>')).to.equal(viaModules.stdout.split(b.dir).join('<dir>'));
    expect(parseJsonOutput(viaBundle.stdout).ok).to.equal(true);
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

  it('ends quietly, with the run\'s status, when the reader closes the pipe first (`| true`)', () => {
    // `true` exits without reading: every write the CLI makes meets a closed pipe (EPIPE).
    const env = { ...process.env, NO_COLOR: '1', CI: '1' };
    const keys = spawnSync('bash', ['-c', `"${LAUNCHER}" keys --json | true; echo "\${PIPESTATUS[0]}"`], { encoding: 'utf8', env });
    expect([keys.stderr, keys.stdout.trim()]).to.deep.equal(['', '0']);
    const s = sampleCopy(['DOMU_MEM[1]=2048']);
    const failing = spawnSync('bash', ['-c', `"${LAUNCHER}" ${s.config} --json --dry-run | true; echo "\${PIPESTATUS[0]}"`], { encoding: 'utf8', env });
    expect([failing.stderr, failing.stdout.trim()]).to.deep.equal(['', '6']);
  });

  it('runs through a symlink, as npm links bin/ into node_modules/.bin, and from its own folder', () => {
    const link = path.join(tempDir(), 'uboot-gen');
    fs.symlinkSync(LAUNCHER, link);
    const r = run(link, ['--version']);
    expect(r.status).to.equal(0);
    expect(r.stdout.trim()).to.equal(VERSION);
    // `sh uboot-gen` in bin/: $0 has no folder.
    const here = run('sh', ['uboot-gen', '--version'], {}, path.join(REPO_ROOT, 'bin'));
    expect(here.stdout.trim()).to.equal(VERSION);
  });

  it('reads templates/ at run time: an edited template is rendered, not the one the build precompiled', () => {
    const pkg = packageCopy({ bundle: 'real', copyTemplates: true });
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

  it('shows no spinner for the synchronous generate + verify on a sized terminal, and finishes', function () {
    if (!hasScript) this.skip();
    const s = sampleCopy();
    const r = onTerminal('cols 100 rows 30', [s.config, '-q']);
    expect(r.error, 'finished before the timeout').to.equal(undefined);
    expect(r.status).to.equal(0);
    // A spinner cannot move while the work holds the event loop: nothing transient, no cursor hidden.
    expect(r.stdout).not.to.contain('simulating U-Boot and Xen');
    expect(r.stdout).not.to.contain('\x1b[?25l');
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
