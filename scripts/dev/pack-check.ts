// `npm run pack-check`: the npm package as a user gets it. Packs the built tree, installs the
// tarball globally into a fresh prefix, runs the installed `uboot-gen` on a copy of
// config.example and samples/ in a fresh folder, and fails unless the run succeeds with nothing
// on stderr and writes the same boot.scr as the checkout, and its --json output is valid under the
// schema the package ships; then `uboot-gen --help`, `keys` and `keys DOMU_MEM` from the installed
// package. Prints the package's size and the
// installed CLI's start-up figures (median of PACK_CHECK_RUNS runs, default 11). CI runs it.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const RUNS = Number(process.env['PACK_CHECK_RUNS'] ?? 11);
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const REPO_ROOT_BIN = path.join(REPO, 'bin', 'uboot-gen');

/** Paths the package must hold, and patterns of paths it must not (build-machine or dev-only files). */
const REQUIRED = ['bin/uboot-gen', 'bin/uboot-gen.js', 'dist/bundle/uboot-gen.mjs', 'dist/src/index.js', 'dist/src/index.d.ts', 'templates/boot.source.hbs', 'config.example', 'samples/virt.dtb', 'schema/uboot-gen.schema.json', 'README.md', 'package.json'];
const FORBIDDEN: [RegExp, string][] = [
  [/\.blob$/, 'a V8 startup snapshot only loads in the Node that wrote it'],
  [/\.map$/, 'source maps point at sources the package does not ship'],
  [/^dist\/(test|scripts)\//, 'tests and build scripts are not part of the CLI'],
  [/tsbuildinfo$/, "tsc's build info belongs to a checkout"],
];

function sh(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd: opts.cwd ?? REPO, env: opts.env ?? process.env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function fail(message: string): never {
  process.stderr.write(`pack-check: ${message}\n`);
  process.exit(1);
}

function median(label: string, argv: string[], env: NodeJS.ProcessEnv): void {
  const times: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(argv[0]!, argv.slice(1), { env, stdio: 'ignore' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) fail(`${argv.join(' ')} exited ${r.status}`);
    if (i > 0) times.push(ms); // the first run warms the file cache
  }
  times.sort((a, b) => a - b);
  console.log(`  ${label.padEnd(50)} median ${times[Math.floor(times.length / 2)]!.toFixed(1).padStart(6)} ms  min ${times[0]!.toFixed(1).padStart(6)} ms`);
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'uboot-gen-pack-'));
try {
  // The tree is built (`npm run pack-check` builds first); packing must not rebuild it.
  const packed = sh(NPM, ['pack', '--json', '--ignore-scripts', '--pack-destination', work]);
  if (packed.status !== 0) fail(`npm pack failed:\n${packed.stderr}`);
  const info = (JSON.parse(packed.stdout) as { filename: string; size: number; unpackedSize: number; entryCount: number; files: { path: string; size: number }[] }[])[0]!;
  const files = info.files.map((f) => f.path);
  for (const f of REQUIRED) if (!files.includes(f)) fail(`the package lacks ${f}`);
  for (const [re, why] of FORBIDDEN) {
    const bad = files.filter((f) => re.test(f));
    if (bad.length) fail(`the package holds ${bad.join(', ')}: ${why}`);
  }
  const kB = (n: number): string => `${(n / 1000).toFixed(1)} kB`;
  const bundleBytes = info.files.filter((f) => f.path.startsWith('dist/bundle/')).reduce((n, f) => n + f.size, 0);
  console.log(`package ${info.filename}: ${kB(info.size)} packed, ${kB(info.unpackedSize)} unpacked, ${info.entryCount} files (dist/bundle ${kB(bundleBytes)})`);

  // A global install into a fresh prefix, as `npm install -g` does for a user.
  const prefix = path.join(work, 'prefix');
  const installed = sh(NPM, ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', path.join(work, info.filename)]);
  if (installed.status !== 0) fail(`npm install -g failed:\n${installed.stdout}${installed.stderr}`);
  const bin = path.join(prefix, 'bin', 'uboot-gen');
  if (!fs.existsSync(bin)) fail(`npm install -g made no ${bin}`);

  // config.example and samples/ in a fresh folder, run by the installed CLI and by the checkout.
  const runIn = (name: string): string => {
    const dir = path.join(work, name);
    fs.mkdirSync(dir);
    fs.copyFileSync(path.join(REPO, 'config.example'), path.join(dir, 'config.example'));
    fs.cpSync(path.join(REPO, 'samples'), path.join(dir, 'samples'), { recursive: true });
    return dir;
  };
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  const user = runIn('user');
  const run = sh(bin, ['config.example'], { cwd: user, env });
  if (run.status !== 0) fail(`installed uboot-gen config.example exited ${run.status}:\n${run.stdout}${run.stderr}`);
  if (run.stderr !== '') fail(`installed uboot-gen config.example printed on stderr:\n${run.stderr}`);
  if (!run.stdout.includes('✓ every domain comes up')) fail(`installed uboot-gen did not verify the boot:\n${run.stdout}`);
  const checkout = runIn('checkout');
  const ref = sh(path.join(REPO, 'bin', 'uboot-gen'), ['config.example'], { cwd: checkout, env });
  if (ref.status !== 0) fail(`bin/uboot-gen config.example exited ${ref.status}:\n${ref.stderr}`);
  for (const f of ['boot.source', 'boot.scr']) {
    if (!fs.readFileSync(path.join(user, f)).equals(fs.readFileSync(path.join(checkout, f)))) fail(`the installed CLI wrote another ${f} than the checkout`);
  }
  if (run.stdout !== ref.stdout) fail('the installed CLI printed another report than the checkout');
  console.log(`installed into a fresh prefix: \`uboot-gen config.example\` exits 0, nothing on stderr, boot.source/boot.scr identical to the checkout's`);

  // Help and the key reference from the installed package, in a folder that holds no config.
  const bare = path.join(work, 'bare');
  fs.mkdirSync(bare);
  const help = sh(bin, ['--help'], { cwd: bare, env });
  if (help.status !== 0 || help.stderr !== '') fail(`installed uboot-gen --help exited ${help.status}:\n${help.stdout}${help.stderr}`);
  for (const c of ['generate', 'simulate', 'qemu', 'serve', 'keys']) {
    if (!new RegExp(`^  ${c}\\b`, 'm').test(help.stdout)) fail(`installed uboot-gen --help does not list ${c}:\n${help.stdout}`);
  }
  const keys = sh(bin, ['keys'], { cwd: bare, env });
  if (keys.status !== 0 || keys.stderr !== '') fail(`installed uboot-gen keys exited ${keys.status}:\n${keys.stderr}`);
  const checkoutKeys = sh(REPO_ROOT_BIN, ['keys'], { cwd: bare, env });
  if (keys.stdout !== checkoutKeys.stdout) fail('the installed `uboot-gen keys` printed another list than the checkout');
  if (!keys.stdout.startsWith('MEMORY_START ')) fail(`installed uboot-gen keys printed:\n${keys.stdout.slice(0, 400)}`);
  const one = sh(bin, ['keys', 'DOMU_MEM'], { cwd: bare, env });
  const expected = ['DOMU_MEM[n]', '  Memory of domU n in MiB.', '  type          mib (one value per index: DOMU_MEM[n])', '  default       512'];
  if (one.status !== 0 || one.stdout.split('\n').slice(0, 4).join('\n') !== expected.join('\n') || !one.stdout.includes('  example       DOMU_MEM[0]=256\n')) {
    fail(`installed uboot-gen keys DOMU_MEM exited ${one.status}:\n${one.stdout}${one.stderr}`);
  }
  console.log(`installed: \`uboot-gen --help\` lists the commands; \`uboot-gen keys\` lists ${keys.stdout.split('\n').filter((l) => /^[A-Z]/.test(l)).length} keys as the checkout does; \`uboot-gen keys DOMU_MEM\` shows the key with its example`);

  // --json as a user's tool reads it: against the schema files of the installed package.
  const schemaDir = path.join(prefix, 'lib', 'node_modules', 'uboot-gen', 'schema');
  const ajv = new Ajv2020({ strict: true });
  for (const f of fs.readdirSync(schemaDir).filter((n) => n.endsWith('.schema.json'))) ajv.addSchema(JSON.parse(fs.readFileSync(path.join(schemaDir, f), 'utf8')) as object);
  const validate = ajv.getSchema('uboot-gen.schema.json');
  if (!validate) fail(`the installed package's schema has no uboot-gen.schema.json`);
  const json = sh(bin, ['config.example', '--json', '--dry-run'], { cwd: user, env });
  if (json.status !== 0 || !validate(JSON.parse(json.stdout))) fail(`installed uboot-gen --json (exit ${json.status}) breaks the shipped schema: ${JSON.stringify(validate.errors)}`);
  console.log('installed: `uboot-gen config.example --json` is valid under the package\'s schema/uboot-gen.schema.json');

  // Start-up figures of the installed CLI (no startup snapshot exists: the launcher runs the bundle).
  console.log(`start-up, node ${process.version}, ${os.cpus().length} CPU(s), ${RUNS} runs each, whole-process wall time:`);
  const { NODE_EXTRA_CA_CERTS: _ca, ...noCa } = env;
  median('node -e 0 (baseline, without NODE_EXTRA_CA_CERTS)', [process.execPath, '-e', '0'], noCa);
  median('uboot-gen --version', [bin, '--version'], env);
  median('uboot-gen config.example -q (generate + verify)', [bin, path.join(user, 'config.example'), '-q'], env);
  median('  the same with --no-verify', [bin, path.join(user, 'config.example'), '-q', '--no-verify'], env);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
