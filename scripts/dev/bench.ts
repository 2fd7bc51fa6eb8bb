// `npm run bench`: whole-process wall time and peak RSS of the CLI on generated configs,
// and the simulator on 128 domUs × 32 MiB kernels. Prints figures; asserts nothing
// (targets are printed next to the figures). Inputs are sparse files in a temp folder.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { arm64Image, boardDtb, initramfs, virtDtb } from '../../test/helpers/samples.js';

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..');
const RUNS = Number(process.env['BENCH_RUNS'] ?? 11);
/** What users run: the launcher, which runs the CLI bundle. */
const LAUNCHER = path.join(REPO, 'bin', 'uboot-gen');
/** GNU time reports the peak RSS of the process tree it waits for; without it RSS is not shown. */
const GNU_TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** A config with a dom0 and `n` domUs, each with its own 32 MiB kernel (distinct headers) and a shared initramfs. */
function makeCase(n: number, opts: { kernelBytes: number; dom0: boolean }): { dir: string; config: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `uboot-gen-bench-${n}-`));
  const memBytes = n > 8 ? 16 * 1024 ** 3 : 2 * 1024 ** 3;
  fs.writeFileSync(path.join(dir, 'board.dtb'), memBytes === 0x80000000 ? virtDtb() : boardDtb({ memSize: memBytes, cpus: 4 }));
  fs.writeFileSync(path.join(dir, 'xen'), arm64Image({ fileSize: 0x20000, imageSize: 0x1360c8, textOffset: 0, flags: 0xa, code0: 0x91005a4d, fill: 7 }));
  fs.writeFileSync(path.join(dir, 'initrd.cpio.gz'), initramfs());
  const kernel = (name: string, fill: number) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, arm64Image({ fileSize: 4096, imageSize: opts.kernelBytes + 0x10000, textOffset: 0, flags: 0xa, code0: 0xfa405a4d, fill }));
    fs.truncateSync(f, opts.kernelBytes);
  };
  const lines = [
    'MEMORY_START=0x40000000', `MEMORY_END=${'0x' + (0x40000000 + memBytes).toString(16)}`, 'DEVICE_TREE=board.dtb', 'XEN=xen',
    'XEN_CMD="console=dtuart dtuart=/pl011@9000000 dom0_mem=256M"', `NUM_DOMUS=${n}`, 'LOAD_CMD=tftpb', 'UBOOT_SOURCE=boot.source',
  ];
  if (opts.dom0) { kernel('Image-dom0', 1); lines.push('DOM0_KERNEL=Image-dom0', 'DOM0_RAMDISK=initrd.cpio.gz'); }
  for (let i = 0; i < n; i++) {
    kernel(`Image-${i}`, 100 + i);
    lines.push(`DOMU_KERNEL[${i}]=Image-${i}`, `DOMU_RAMDISK[${i}]=initrd.cpio.gz`, `DOMU_MEM[${i}]=64`);
  }
  const config = path.join(dir, 'config');
  fs.writeFileSync(config, `${lines.join('\n')}\n`);
  return { dir, config };
}

/** Runs the CLI as a user does, in a fresh process; GNU time (when present) reports its peak RSS. */
function runCli(args: string[], entry: string[]): { ms: number; rssMiB: number; status: number } {
  const [cmd, argv] = GNU_TIME ? [GNU_TIME, ['-f', 'BENCH_RSS %M', ...entry, ...args]] : [entry[0]!, [...entry.slice(1), ...args]];
  const t0 = process.hrtime.bigint();
  // The launcher drops NODE_EXTRA_CA_CERTS; so does every run here, so that entries compare alike.
  const { NODE_EXTRA_CA_CERTS: _ca, ...env } = process.env;
  const r = spawnSync(cmd, argv, { encoding: 'utf8', env: { ...env, NO_COLOR: '1' } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const rss = /BENCH_RSS (\d+)/.exec(r.stderr)?.[1];
  if (r.status === null || r.status >= 70 || (GNU_TIME && !rss)) throw new Error(`bench run failed (${args.join(' ')}):\n${r.stdout}\n${r.stderr}`);
  return { ms, rssMiB: rss ? Number(rss) / 1024 : Number.NaN, status: r.status };
}

function measure(label: string, args: string[], target?: string, entry: string[] = [LAUNCHER]): void {
  runCli(args, entry); // warm the file cache
  const runs = Array.from({ length: RUNS }, () => runCli(args, entry));
  const ms = runs.map((r) => r.ms).sort((a, b) => a - b);
  const median = ms[Math.floor(ms.length / 2)]!;
  const rss = Math.max(...runs.map((r) => r.rssMiB));
  console.log(`${label.padEnd(50)} median ${median.toFixed(1).padStart(7)} ms  min ${ms[0]!.toFixed(1).padStart(7)} ms  peak RSS ${Number.isNaN(rss) ? '   n/a' : rss.toFixed(1).padStart(6)} MiB  exit ${runs[0]!.status}${target ? `   (target: ${target})` : ''}`);
}

if (process.env['BENCH_MAKE']) {
  // `BENCH_MAKE=32 node dist/scripts/dev/bench.js`: only build the case and print its folder (for profiling).
  console.log(makeCase(Number(process.env['BENCH_MAKE']), { kernelBytes: 32 * 1024 * 1024, dom0: process.env['BENCH_DOM0'] === '1' }).dir);
  process.exit(0);
}
console.log(`uboot-gen bench — node ${process.version}, ${os.cpus().length} CPU(s), ${RUNS} runs each (median), whole-process wall time of bin/uboot-gen\n`);
{
  // Baselines: an empty Node process on this machine, for reading the figures below. The launcher
  // starts Node without NODE_EXTRA_CA_CERTS (see bin/uboot-gen), so that one is shown too when set.
  const baseline = (label: string, env: NodeJS.ProcessEnv): void => {
    const t = Array.from({ length: RUNS }, () => { const t0 = process.hrtime.bigint(); spawnSync(process.execPath, ['-e', '0'], { env }); return Number(process.hrtime.bigint() - t0) / 1e6; }).sort((a, b) => a - b);
    console.log(`${label.padEnd(50)} median ${t[Math.floor(t.length / 2)]!.toFixed(1).padStart(7)} ms  load average ${os.loadavg()[0]!.toFixed(2)}`);
  };
  baseline('node -e 0 (baseline)', process.env);
  if (process.env['NODE_EXTRA_CA_CERTS'] !== undefined) {
    const { NODE_EXTRA_CA_CERTS: _ignored, ...withoutCa } = process.env;
    baseline('node -e 0 without NODE_EXTRA_CA_CERTS', withoutCa);
  }
}
const cases = [2, 32, 128].map((n) => ({ n, ...makeCase(n, { kernelBytes: 32 * 1024 * 1024, dom0: false }) }));
for (const c of cases) measure(`generate, ${c.n} domUs (--no-verify)`, [c.config, '--no-verify', '-q'], c.n === 32 ? '≤ 150 ms' : undefined);
for (const c of cases) measure(`generate + verify, ${c.n} domUs × 32 MiB`, [c.config, '-q'], c.n === 128 ? 'simulation < 1 s, < 200 MiB' : undefined);
const sample = makeCase(2, { kernelBytes: 32 * 1024 * 1024, dom0: true });
measure('generate + verify, dom0 + 2 domUs', [sample.config, '-q'], '≤ 100 ms');
// What the bundle earns: the same run from tsc's ~110 modules (what bin/uboot-gen.js falls back
// to when the bundle is missing or older than tsc's output).
const modulesEntry = path.join(sample.dir, 'modules-entry.mjs');
fs.writeFileSync(modulesEntry, `import(${JSON.stringify(new URL('../../src/cli/main.js', import.meta.url).href)}).then((m) => m.main(process.argv));\n`);
measure('  the same from the compiled modules (no bundle)', [sample.config, '-q'], undefined, [process.execPath, modulesEntry]);
measure('simulate boot.scr only, 128 domUs × 32 MiB', ['simulate', path.join(cases[2]!.dir, 'boot.scr'), '--root', cases[2]!.dir, '--board', path.join(cases[2]!.dir, 'board.dtb'), '--json'], '< 1 s, < 200 MiB');
{
  // check: 16 copies of the dom0 + 2 domUs case, one thread against a worker per CPU.
  const batch = fs.mkdtempSync(path.join(os.tmpdir(), 'uboot-gen-bench-check-'));
  for (let i = 0; i < 16; i++) fs.cpSync(sample.dir, path.join(batch, `board${String(i).padStart(2, '0')}`), { recursive: true });
  const jobs = os.availableParallelism();
  measure('check, 16 configs (dom0 + 2 domUs), --jobs 1', ['check', path.join(batch, 'board*/config'), '--jobs', '1']);
  measure(`check, 16 configs (dom0 + 2 domUs), --jobs ${jobs}`, ['check', path.join(batch, 'board*/config'), '--jobs', String(jobs)]);
  fs.rmSync(batch, { recursive: true, force: true });
}
console.log('\nexit 6 on the 32/128-domU rows is the expected verdict: each domU has its own kernel, which makes more boot modules than\n'
  + 'Xen\'s limit of 32 (the planner warns; the Xen model reports "Missing kernel boot module?"). The work is simulated all the same.');
for (const c of [...cases, { dir: sample.dir }]) fs.rmSync(c.dir, { recursive: true, force: true });

console.log('');
await (await import('./bench-serve.js')).benchServe();
