// CI driver for the real-boot lab: prepares the lab (downloads are cached in .lab/ or
// $UBOOT_GEN_LAB_DIR), boots the cases one at a time, prints per-case per-domain real
// results with timings, and exits 1 if any result differs from the recorded ground truth.
// Usage: node dist/scripts/lab/run-lab.js [--budget-min N] [--json FILE] [--install-host-packages] [case-prefix...]
// Host packages are apt-get installed when missing if --install-host-packages is given or env CI is set.
// Exit: 0 all match, 1 mismatch, 2 lab setup/boot error.
import * as fs from 'node:fs';
import { UbootGenError } from '../../src/errors.js';
import { runLabCases, type LabCaseRun } from './run.js';

interface Args { budgetMin: number; json?: string; install: boolean; cases: string[] }

function parseArgs(argv: string[]): Args {
  const out: Args = { budgetMin: 25, install: process.env['CI'] !== undefined, cases: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--budget-min') out.budgetMin = Number(argv[++i]);
    else if (a === '--json') out.json = argv[++i]!;
    else if (a === '--install-host-packages') out.install = true;
    else out.cases.push(a);
  }
  return out;
}

function describe(r: LabCaseRun): string {
  const head = `${r.status.toUpperCase().padEnd(8)} ${r.case}${r.wallMs !== undefined ? ` (${(r.wallMs / 1000).toFixed(1)} s, ${r.outcome})` : ''}`;
  const doms = r.verdicts.map((d) => {
    const seen = r.perDomain?.find((p) => p.seenAt !== undefined && d.verdict === 'up' && p.domid === d.domid);
    return `    ${d.name}${d.domid !== undefined ? ` d${d.domid}` : ''}: ${d.verdict}${seen?.seenAt !== undefined ? ` at ${(seen.seenAt / 1000).toFixed(1)} s` : ''}${d.message ? ` — ${d.message}` : ''}`;
  });
  return [head, ...doms, ...r.mismatches.map((m) => `    !! ${m}`)].join('\n');
}

const args = parseArgs(process.argv.slice(2));
const t0 = Date.now();
try {
  const { runs } = await runLabCases({ installHostPackages: args.install, budgetMs: args.budgetMin * 60_000, cases: args.cases, log: (l) => console.log(l),
    onCase: (r) => console.log(describe(r)) });
  const bad = runs.filter((r) => r.status === 'mismatch');
  console.log(`lab: ${runs.filter((r) => r.status === 'pass').length} pass, ${bad.length} mismatch, ${runs.filter((r) => r.status === 'skipped').length} skipped in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  if (args.json) fs.writeFileSync(args.json, `${JSON.stringify(runs, null, 2)}\n`);
  process.exitCode = bad.length > 0 ? 1 : 0;
} catch (e) {
  console.error(e instanceof UbootGenError ? `lab: ${e.code}: ${e.describe()}` : e);
  process.exitCode = 2;
}
