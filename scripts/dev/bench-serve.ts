// `npm run bench` (serve part): TFTP throughput of `uboot-gen serve` next to tftpd-hpa on
// loopback, same client (atftp), same 32 MiB file, blksize 1468 and 65464, windowsize 1 and 16.
// tftpd-hpa has no windowsize option (RFC 7440), so it answers those runs in lock-step.
// Prints figures and the ratio; asserts nothing. Needs atftp and in.tftpd (tftpd-hpa) installed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..');
const RUNS = Number(process.env['BENCH_SERVE_RUNS'] ?? 5);
const FILE_BYTES = 32 * 1024 * 1024;
const CASES: Array<[blksize: number, windowsize: number]> = [[1468, 1], [1468, 16], [65464, 1], [65464, 16]];

const has = (cmd: string, arg: string): boolean => !spawnSync(cmd, [arg], { stdio: 'ignore' }).error;

async function waitForPort(port: number): Promise<void> {
  // A server is up once a request for a missing file gets an answer.
  for (let i = 0; i < 100; i++) {
    const r = spawnSync('atftp', ['-g', '-r', 'no-such-file', '-l', '/dev/null', '127.0.0.1', String(port)], { encoding: 'utf8', timeout: 2000 });
    if (`${r.stdout}${r.stderr}`.includes('not found') || `${r.stdout}${r.stderr}`.includes('File not found')) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`no TFTP server answered on port ${port}`);
}

function fetchOnce(port: number, blksize: number, windowsize: number, out: string): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('atftp', ['--option', `blksize ${blksize}`, '--option', `windowsize ${windowsize}`, '-g', '-r', 'bench.bin', '-l', out, '127.0.0.1', String(port)], { encoding: 'utf8', timeout: 120000 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0 || fs.statSync(out).size !== FILE_BYTES) throw new Error(`atftp failed on port ${port} (blksize ${blksize}, windowsize ${windowsize}): ${r.stderr}`);
  return ms;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchServe(): Promise<void> {
  if (!has('atftp', '--version') || !fs.existsSync('/usr/sbin/in.tftpd')) {
    console.log('serve throughput: skipped (needs atftp and tftpd-hpa: apt-get install atftp tftpd-hpa)');
    return;
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'uboot-gen-bench-serve-'));
  fs.chmodSync(root, 0o755);
  const file = path.join(root, 'bench.bin');
  fs.writeFileSync(file, crypto.randomBytes(FILE_BYTES));
  fs.chmodSync(file, 0o644);
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'uboot-gen-bench-client-')), 'out.bin');
  const ours = 17171;
  const theirs = 17172;
  const children: ChildProcess[] = [];
  try {
    children.push(spawn(process.execPath, [path.join(REPO, 'bin', 'uboot-gen.js'), 'serve', root, '--port', String(ours)], { stdio: 'ignore' }));
    // -L: stay in the foreground; -s: serve `root` as "/"; runs as the tftp user when started as root.
    children.push(spawn('/usr/sbin/in.tftpd', ['-L', '-s', root, '-a', `127.0.0.1:${theirs}`], { stdio: 'ignore' }));
    await waitForPort(ours);
    await waitForPort(theirs);
    console.log(`serve throughput: 32 MiB over loopback with atftp, median of ${RUNS} interleaved runs`);
    console.log('  blksize  windowsize  uboot-gen serve        tftpd-hpa              ratio');
    for (const [blksize, windowsize] of CASES) {
      const a: number[] = [];
      const b: number[] = [];
      fetchOnce(ours, blksize, windowsize, out); // warm the page cache and the JIT
      for (let i = 0; i < RUNS; i++) {
        a.push(fetchOnce(ours, blksize, windowsize, out));
        b.push(fetchOnce(theirs, blksize, windowsize, out));
      }
      const mbps = (ms: number): number => FILE_BYTES / 1024 / 1024 / (ms / 1000);
      const [ma, mb] = [median(a), median(b)];
      console.log(`  ${String(blksize).padEnd(7)}  ${String(windowsize).padEnd(10)}  ${`${mbps(ma).toFixed(1)} MiB/s (${ma.toFixed(0)} ms)`.padEnd(21)}  ${`${mbps(mb).toFixed(1)} MiB/s (${mb.toFixed(0)} ms)`.padEnd(21)}  ${(mb / ma).toFixed(2)}×`);
    }
  } finally {
    for (const c of children) c.kill('SIGTERM');
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  benchServe().catch((e) => { console.error(e); process.exit(1); });
}
