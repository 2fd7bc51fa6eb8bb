// `npm run fuzz`: long fuzzing campaigns over every target in test/fuzz/targets. Each target
// gets its share of the inputs (or runs until its time is up); a crashing input — any exception
// that is not a UbootGenError — is shrunk by fast-check and saved under
// test/fixtures/fuzz/<target>/<hash>.bin, where the suite replays it from then on. The campaign
// then goes on with the next seed, so one run can find several crashes per target.
//
//   node dist/scripts/dev/fuzz.js [--inputs N] [--time SECONDS] [--seed N] [--target NAME]...
//
// Prints inputs run and crashes per target; exits 1 when any input crashed or hung.
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { loadTargets, runUnderContract, savedInputsDir } from '../../test/fuzz/harness.js';
import type { FuzzTarget } from '../../test/fuzz/target.js';

/** One input running this long counts as a hang: every simulator budget ends far sooner. */
const HANG_MS = 5000;

interface Crash { file: string; error: string; known: boolean }

/** A crash's identity: its error line and the first frame in the project (not the fuzz harness). */
function signature(e: unknown): string {
  const err = e instanceof Error ? e : new Error(String(e));
  // Two frames in the project's code: the thrower (often a shared function) and its caller.
  const frames = (err.stack ?? '').split('\n').filter((l) => /dist\/src\//.test(l)).slice(0, 2)
    .map((l) => l.trim().replace(/^at /, '').replace(/\(?file:\/\/\S*dist\/src\//, '').replace(/:\d+\)?$/, ''));
  return `${err.name}: ${err.message.split('\n')[0]} [${frames.join(' < ')}]`;
}

function saveInput(t: FuzzTarget, input: unknown): { file: string; known: boolean } {
  const bytes = t.encode(input);
  const dir = savedInputsDir(t.name);
  const file = path.join(dir, `${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}.bin`);
  const known = fs.existsSync(file);
  if (!known) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, bytes);
  }
  return { file, known };
}

function campaign(t: FuzzTarget, inputs: number, timeMs: number, seed: number): { runs: number; crashes: Crash[]; ms: number } {
  const started = Date.now();
  const crashes: Crash[] = [];
  const seen = new Set<string>();
  let runs = 0;
  let s = seed;
  while (runs < inputs && Date.now() - started < timeMs) {
    const property = fc.property(t.arbitrary, (input) => {
      const t0 = Date.now();
      runUnderContract(t, input);
      const ms = Date.now() - t0;
      if (ms > HANG_MS) throw new Error(`input ran ${ms} ms (over ${HANG_MS} ms: a hang)`);
    });
    const left = timeMs - (Date.now() - started);
    const r = fc.check(property, { numRuns: inputs - runs, seed: s, interruptAfterTimeLimit: left, markInterruptAsFailure: false });
    runs += r.numRuns;
    if (!r.failed || !r.counterexample) break;
    const sig = signature(r.errorInstance);
    if (!seen.has(sig)) {
      seen.add(sig);
      const { file, known } = saveInput(t, r.counterexample[0]);
      crashes.push({ file: path.relative(process.cwd(), file), error: sig, known });
    }
    s++;
  }
  return { runs, crashes, ms: Date.now() - started };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      inputs: { type: 'string', default: '20000' },
      time: { type: 'string', default: '300' },
      seed: { type: 'string' },
      target: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log('usage: npm run fuzz -- [--inputs N (total, default 20000)] [--time SECONDS per target (default 300)] [--seed N] [--target NAME]...');
    return 0;
  }
  const total = Number(values.inputs);
  const timeMs = Number(values.time) * 1000;
  const seed = values.seed !== undefined ? Number(values.seed) : Date.now() % 0x7fffffff;
  if (!Number.isSafeInteger(total) || total <= 0 || !(timeMs > 0) || !Number.isSafeInteger(seed)) {
    console.error('fuzz: --inputs and --seed take integers, --time a number of seconds');
    return 2;
  }
  let targets = await loadTargets();
  if (values.target?.length) {
    const unknown = values.target.filter((n) => !targets.some((t) => t.name === n));
    if (unknown.length) { console.error(`fuzz: no target ${unknown.join(', ')} (have: ${targets.map((t) => t.name).join(', ')})`); return 2; }
    targets = targets.filter((t) => values.target!.includes(t.name));
  }
  const per = Math.ceil(total / targets.length);
  console.log(`fuzz: ${targets.length} target(s), ${per} inputs each (at most ${timeMs / 1000} s each), seed ${seed}`);
  let allRuns = 0;
  let allCrashes = 0;
  for (const t of targets) {
    const r = campaign(t, per, timeMs, seed);
    allRuns += r.runs;
    allCrashes += r.crashes.length;
    console.log(`${t.name.padEnd(24)} ${String(r.runs).padStart(7)} inputs  ${String(r.crashes.length).padStart(3)} crash(es)  ${(r.ms / 1000).toFixed(1).padStart(6)} s`);
    for (const c of r.crashes) console.log(`    ${c.known ? 'known' : 'saved'} ${c.file}: ${c.error}`);
  }
  console.log(`total: ${allRuns} inputs, ${allCrashes} crash(es)`);
  return allCrashes ? 1 : 0;
}

process.exitCode = await main();
