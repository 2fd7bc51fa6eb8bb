// The bad-input corpus (cases.ts): for every case, the exit status, the stable part of the message
// (code, key, config line), a fix, and an untouched folder: the previous boot.source/boot.scr, the
// config and the samples are byte for byte what they were, and no temp file is left.
// An error must give a fix: its hint, or the codes table's fix in the JSON.
import { expect } from 'chai';
import { CASES, type BadInputCase, type Expected } from './cases.js';
import { runCase, type Outcome } from './run.js';


export interface Problem { text: string }

/** What is wrong with an outcome (empty: the case holds); with alternatives, the closest one's problems. */
export function problems(c: BadInputCase, o: Outcome): Problem[] {
  const all = (Array.isArray(c.expect) ? c.expect : [c.expect]).map((e) => problemsFor(e, o));
  return all.reduce((best, p) => (p.length < best.length ? p : best));
}

function problemsFor(e: Expected, o: Outcome): Problem[] {
  const p: Problem[] = [];
  if (o.hung) p.push({ text: 'hung (killed after the time limit)' });
  const err = o.doc?.diagnostics?.find((d) => d.level === 'error');
  if (o.exit !== e.exit) p.push({ text: `exit ${o.exit}, expected ${e.exit}${o.exit === 70 ? ' (a crash)' : ''}: ${(err?.message ?? o.stderr).slice(0, 300)}` });
  if (!o.hung && !o.doc) p.push({ text: `no JSON document on stdout: ${JSON.stringify(o.stdout.slice(0, 200))}` });
  if (o.schemaErrors?.length) p.push({ text: `the JSON breaks the schema: ${o.schemaErrors.join('; ')}` });
  if (e.code !== undefined) {
    const ok = typeof e.code === 'string' ? err?.code === e.code : e.code.test(err?.code ?? '');
    if (!ok) p.push({ text: `code ${err?.code}, expected ${e.code}${err ? '' : ` (no JSON error; stdout ${JSON.stringify(o.stdout.slice(0, 200))}, stderr ${JSON.stringify(o.stderr.slice(0, 200))})`}` });
  }
  if (e.key !== undefined && err?.key !== e.key && !(err?.message ?? '').includes(e.key)) p.push({ text: `key ${err?.key}, expected ${e.key}` });
  if (e.line !== undefined && (err?.where?.line !== e.line || err?.where?.file !== 'config')) p.push({ text: `at ${err?.where?.file}:${err?.where?.line}, expected config:${e.line}` });
  if (e.text) {
    const said = `${err?.message ?? ''}\n${err?.hint ?? ''}\n${o.doc?.verification?.summary ?? ''}`;
    if (!e.text.test(said)) p.push({ text: `message ${JSON.stringify(said.slice(0, 300))} does not match ${e.text}` });
  }
  if (o.exit === e.exit && e.exit !== 0 && e.exit !== 2 && e.exit !== 6 && err && !err.hint && !err.fix) {
    p.push({ text: `no fix given for: ${err.message}` });
  }
  if (e.noCommand) {
    const ran = (o.commands ?? []).filter((c) => e.noCommand!.test(c));
    if (!o.commands) p.push({ text: 'no boot.source to check' });
    if (ran.length) p.push({ text: `the script runs ${ran.map((c) => `\`${c}\``).join(', ')}` });
  }
  const allowed = o.exit === 0 ? new Set(['a/case/boot.source', 'a/case/boot.scr']) : new Set<string>();
  const changed = o.changed.filter((f) => !allowed.has(f));
  if (changed.length) p.push({ text: `changed on disk: ${changed.join(', ')}` });
  return p;
}

const figures = { cases: 0, passed: 0, crashes: [] as string[], hangs: [] as string[], outputsLost: [] as string[] };
const isolated = new Map<string, Promise<Outcome>>();

describe('bad-input corpus: exit status, message, and nothing changed on disk', function () {
  this.timeout(60_000);

  before(() => {
    // Cases that may block or grow without bound run in children, four at a time, started up front
    // so that their time limits run out while the other cases run in this process.
    const queue = CASES.filter((c) => c.isolate);
    const started = new Map(queue.map((c) => {
      let start!: () => void;
      const gate = new Promise<void>((r) => { start = r; });
      const run = gate.then(() => runCase(c));
      isolated.set(c.id, run);
      return [c.id, { start, run }] as const;
    }));
    const ids = [...started.keys()];
    for (let w = 0; w < 4; w++) {
      void (async () => {
        for (let id = ids.shift(); id; id = ids.shift()) {
          const s = started.get(id)!;
          s.start();
          await s.run.catch(() => undefined);
        }
      })();
    }
  });

  it(`has at least 150 cases with unique ids across every category (${CASES.length})`, () => {
    expect(CASES.length).to.be.at.least(150);
    expect(new Set(CASES.map((c) => c.id)).size).to.equal(CASES.length);
    expect(new Set(CASES.map((c) => c.category))).to.have.property('size', 12);
  });

  for (const c of CASES) {
    it(c.id, async function () {
      const o = await (isolated.get(c.id) ?? runCase(c));
      figures.cases++;
      if (o.exit === 70) figures.crashes.push(c.id);
      if (o.hung) figures.hangs.push(c.id);
      if (o.exit !== 0 && o.changed.length) figures.outputsLost.push(c.id);
      const p = problems(c, o);
      expect(p.map((x) => x.text), p.map((x) => x.text).join('\n')).to.deep.equal([]);
      figures.passed++;
    });
  }

  after(() => {
    process.stdout.write(`\n    bad-input corpus: ${figures.cases} cases, ${figures.passed} hold; `
      + `crashes (exit 70) ${figures.crashes.length}${figures.crashes.length ? ` [${figures.crashes.join(' ')}]` : ''}, `
      + `hangs ${figures.hangs.length}${figures.hangs.length ? ` [${figures.hangs.join(' ')}]` : ''}, `
      + `outputs lost ${figures.outputsLost.length}${figures.outputsLost.length ? ` [${figures.outputsLost.join(' ')}]` : ''}\n`);
  });
});
