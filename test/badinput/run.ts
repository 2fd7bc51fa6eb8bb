// Running one corpus case: a fresh folder (config.example + samples/ + a previous output pair),
// the CLI with --json (in this process, or in a child with a memory limit and a timeout for the
// cases that could read forever), and a fingerprint of the folder before and after.
import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../src/cli/main.js';
import { Lexer, wordText } from '../../src/sim/uboot/hush/lexer.js';
import { recoverOutputs } from '../../src/output/index.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';
import type { BadInputCase } from './cases.js';
import type { JsonDiagnostic } from '../../src/cli/json.js';
import { schemaErrors } from '../helpers/json-schema.js';

export interface Outcome {
  exit: number | null;
  /** The child was killed after the time limit. */
  hung: boolean;
  stdout: string;
  stderr: string;
  /** The JSON document printed on stdout, when there is one. */
  doc?: { ok?: boolean; diagnostics?: JsonDiagnostic[]; verification?: { summary?: string } };
  /** The schema's complaints about the document (empty when it is valid). */
  schemaErrors?: string[];
  /** Paths (relative to the case's outer folder) whose bytes or kind changed, appeared or vanished. */
  changed: string[];
  /** After a successful run: the new boot.source's commands, each as its words joined by spaces. */
  commands?: string[];
}

/** Split a script into commands as U-Boot's hush reads it (`;`, `&&`, `||`, newlines end one). */
export function scriptCommands(text: string): string[] {
  const lexer = new Lexer(text);
  const out: string[] = [];
  let words: string[] = [];
  for (let tok = lexer.next(); ; tok = lexer.next()) {
    if (tok.t === 'word') { words.push(wordText(tok.word)); continue; }
    if (words.length) out.push(words.join(' '));
    words = [];
    if (tok.t === 'eof') return out;
  }
}

export const PREVIOUS = { source: 'previous boot.source\n', script: 'previous boot.scr\n' };
/**
 * A run is a hang when it has used this much CPU (a loop), or, waiting on nothing, this much wall
 * time. CPU time, not wall time, is the measure: on a host busy with other work a heavy but finite
 * run takes several times longer by the clock while its CPU time stays the same.
 */
const ISOLATED_CPU_LIMIT_MS = 6000;
const ISOLATED_WALL_LIMIT_MS = 30_000;
const CPU_POLL_MS = 250;

/** User + system CPU time of a Linux process so far (/proc/PID/stat, in clock ticks of 10 ms), or undefined elsewhere. */
function cpuMsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name in parentheses may hold spaces: fields are counted after its closing ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}
const ISOLATED_MEMORY_KB = 2_000_000;

/** The case's folder `<outer>/a/case` (two levels deep, so that `-o ../../x` stays inside `outer`). */
export function prepareCase(c: BadInputCase): { outer: string; dir: string } {
  const outer = tempDir('bad-');
  const dir = path.join(outer, 'a', 'case');
  fs.mkdirSync(dir, { recursive: true });
  fs.cpSync(path.join(REPO_ROOT, 'samples'), path.join(dir, 'samples'), { recursive: true });
  const example = fs.readFileSync(path.join(REPO_ROOT, 'config.example'), 'utf8');
  fs.writeFileSync(path.join(dir, 'config'), c.config ?? `${example}${(c.lines ?? []).join('\n')}\n`);
  fs.writeFileSync(path.join(dir, 'boot.source'), PREVIOUS.source);
  fs.writeFileSync(path.join(dir, 'boot.scr'), PREVIOUS.script);
  c.setup?.(dir);
  return { outer, dir };
}

export function argvOf(c: BadInputCase): string[] {
  const args = c.args ?? [];
  return [...(args.includes('-c') || args.includes('--config') ? [] : ['config']), ...args, '--json'];
}

/** Every entry under `root`: kind, size and a hash of regular files (FIFOs are never opened). */
export function fingerprint(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    const abs = path.join(root, rel);
    const st = fs.lstatSync(abs);
    if (st.isDirectory()) {
      out.set(rel || '.', 'dir');
      for (const n of fs.readdirSync(abs)) walk(path.join(rel, n));
    } else if (st.isSymbolicLink()) {
      out.set(rel, `link:${fs.readlinkSync(abs)}`);
    } else if (st.isFile()) {
      // Sparse test files can be GiBs: hash the first MiB, and the size says the rest.
      const fd = fs.openSync(abs, 'r');
      const buf = Buffer.alloc(Math.min(st.size, 1 << 20));
      fs.readSync(fd, buf, 0, buf.length, 0);
      fs.closeSync(fd);
      out.set(rel, `file:${st.size}:${st.ino}:${crypto.createHash('sha1').update(buf).digest('hex')}`);
    } else {
      out.set(rel, `special:${st.mode}`);
    }
  };
  walk('');
  return out;
}

export function diff(a: Map<string, string>, b: Map<string, string>): string[] {
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys].filter((k) => a.get(k) !== b.get(k)).sort();
}

/** In this process: main() with stdout/stderr captured. */
export async function runInProcess(dir: string, argv: string[]): Promise<Pick<Outcome, 'exit' | 'stdout' | 'stderr'>> {
  const cwd = process.cwd();
  const saved = { out: process.stdout.write, err: process.stderr.write, exitCode: process.exitCode, ci: process.env['CI'] };
  let stdout = '';
  let stderr = '';
  process.stdout.write = ((chunk: string | Uint8Array) => { stdout += chunk.toString(); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => { stderr += chunk.toString(); return true; }) as typeof process.stderr.write;
  process.env['CI'] = '1';
  process.exitCode = undefined;
  try {
    process.chdir(dir);
    await main(['node', 'uboot-gen', ...argv]);
    return { exit: Number(process.exitCode ?? 0), stdout, stderr };
  } finally {
    process.chdir(cwd);
    process.stdout.write = saved.out;
    process.stderr.write = saved.err;
    process.exitCode = saved.exitCode;
    if (saved.ci === undefined) delete process.env['CI']; else process.env['CI'] = saved.ci;
  }
}

/** In a child process limited to ~2 GB of address space and a few seconds. */
export function runIsolated(dir: string, argv: string[]): Promise<Pick<Outcome, 'exit' | 'stdout' | 'stderr' | 'hung'>> {
  const bin = path.join(REPO_ROOT, 'bin', 'uboot-gen.js');
  const quoted = [process.execPath, bin, ...argv].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', `ulimit -v ${ISOLATED_MEMORY_KB}; exec ${quoted}`], { cwd: dir, env: { ...process.env, CI: '1', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { if (stdout.length < 1 << 20) stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { if (stderr.length < 1 << 20) stderr += d.toString(); });
    let hung = false;
    const t0 = Date.now();
    // `exec` makes the shell's process the CLI's, so child.pid is the process whose CPU time counts.
    const timer = setInterval(() => {
      const cpu = cpuMsOf(child.pid);
      const wall = Date.now() - t0;
      const overCpu = cpu !== undefined ? cpu >= ISOLATED_CPU_LIMIT_MS : wall >= ISOLATED_CPU_LIMIT_MS;
      if (overCpu || wall >= ISOLATED_WALL_LIMIT_MS) { hung = true; child.kill('SIGKILL'); clearInterval(timer); }
    }, CPU_POLL_MS);
    // 'close', not 'exit': the exit can be reported before the last output has been read.
    child.on('close', (code) => { clearInterval(timer); resolve({ exit: code, stdout, stderr, hung }); });
  });
}

export async function runCase(c: BadInputCase): Promise<Outcome> {
  const { outer, dir } = prepareCase(c);
  const before = fingerprint(outer);
  const argv = argvOf(c);
  const r = c.isolate ? await runIsolated(dir, argv) : { ...(await runInProcess(dir, argv)), hung: false };
  // A run killed after the time limit may have staged temps: the next run's recovery removes them.
  if (r.hung) await recoverOutputs(dir);
  let doc: Outcome['doc'];
  try { doc = JSON.parse(r.stdout) as Outcome['doc']; } catch { doc = undefined; }
  const changed = diff(before, fingerprint(outer));
  // Absolute outputs some cases ask for must not exist either.
  for (const p of ['/tmp/uboot-gen-corpus-abs.scr', '/tmp/uboot-gen-corpus-abs.source', '/tmp/uboot-gen-corpus-x.scr', '/tmp/uboot-gen-corpus-x.source']) {
    if (fs.existsSync(p)) { changed.push(p); fs.rmSync(p, { force: true }); }
  }
  const source = path.join(dir, 'boot.source');
  const commands = r.exit === 0 && fs.existsSync(source) ? scriptCommands(fs.readFileSync(source, 'utf8')) : undefined;
  return { ...r, ...(doc ? { doc, schemaErrors: schemaErrors(doc) } : {}), changed, ...(commands ? { commands } : {}) };
}
