// Captures ground truth: boots each lab case on real U-Boot + real Xen (QEMU), one at a
// time, and saves the full serial log and the boot.source beside it under
// test/fixtures/transcripts/, plus test/fixtures/real/ (header slices, MANIFEST.json, DTB).
// Usage: node dist/scripts/lab/capture-ground-truth.js [case-name-prefix...] [--bdinfo]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { labCases } from './cases.js';
import { saveRealFixtures } from './fixtures.js';
import { prepareLab } from './prepare.js';
import { bootQemu } from '../../src/lab/qemu.js';
import { parseXenConsole } from '../../src/lab/xen-console.js';
import { labCaseInputs, stageCase } from './stage.js';

interface CaseSummary {
  case: string; title: string; outcome: string; wallMs: number;
  verdicts: Array<{ name: string; domid?: number; verdict: string; message?: string }>;
  perDomain: unknown; xenPanic?: string; ubootErrors: string[];
}

const out = path.join(process.cwd(), 'test', 'fixtures', 'transcripts');
fs.mkdirSync(out, { recursive: true });
const args = process.argv.slice(2);
const assets = prepareLab({ log: (l) => console.error(l) });
const inputs = labCaseInputs(assets);
saveRealFixtures(assets, path.join(process.cwd(), 'test', 'fixtures', 'real'), inputs);
const resultsDir = path.join(assets.dir, 'results');
fs.mkdirSync(resultsDir, { recursive: true });

if (args.includes('--bdinfo') && !args.includes('--reparse')) {
  const dir = path.join(assets.dir, 'cases', 'uboot-bdinfo');
  fs.mkdirSync(dir, { recursive: true });
  const r = await bootQemu({ tftpDir: dir, scriptName: 'none', timeoutMs: 60_000, expect: { markers: [] },
    commands: ['bdinfo', 'printenv', 'version'], logFile: path.join(out, 'uboot-bdinfo.log') });
  console.log(JSON.stringify({ case: 'uboot-bdinfo', outcome: r.outcome, wallMs: r.wallMs }));
}
const wanted = args.filter((a) => !a.startsWith('--'));
const cases = labCases(inputs);
for (const c of cases) {
  if (args.includes('--reparse') || (wanted.length > 0 && !wanted.some((w) => c.name.startsWith(w)))) continue;
  const dir = stageCase(assets, c, path.join(out, `${c.name}.source`));
  const r = await bootQemu({ tftpDir: dir, scriptName: 'boot.scr', timeoutMs: c.timeoutMs, expect: { markers: c.domains.map((d) => d.token) },
    domains: c.domains, logFile: path.join(out, `${c.name}.log`) });
  const summary: CaseSummary = { case: c.name, title: c.title, outcome: r.outcome, wallMs: r.wallMs, verdicts: r.console.domains,
    perDomain: r.perDomain, ubootErrors: r.ubootErrors };
  if (r.xenPanic !== undefined) summary.xenPanic = r.xenPanic;
  fs.writeFileSync(path.join(resultsDir, `${c.name}.json`), `${JSON.stringify(summary, null, 2)}\n`);
  console.log(JSON.stringify(summary));
}

// --reparse: recompute verdicts of earlier captures from their saved logs (no boot).
if (args.includes('--reparse')) {
  for (const c of cases) {
    const f = path.join(resultsDir, `${c.name}.json`);
    const logFile = path.join(out, `${c.name}.log`);
    if (!fs.existsSync(f) || !fs.existsSync(logFile)) continue;
    const s = JSON.parse(fs.readFileSync(f, 'utf8')) as CaseSummary;
    const rep = parseXenConsole(fs.readFileSync(logFile, 'utf8'), { domains: c.domains });
    s.title = c.title;
    s.verdicts = rep.domains;
    s.ubootErrors = rep.ubootErrors;
    fs.writeFileSync(f, `${JSON.stringify(s, null, 2)}\n`);
  }
}

// README: one line per case with the results of its last capture.
const lines = [
  '# Real-boot transcripts (ground truth)',
  '',
  'Full serial logs (U-Boot 2023.01 (Debian u-boot-qemu) + Xen 4.17.7 (Debian) + Linux 6.1 guests) of real boots in QEMU',
  '`virt,virtualization=true,gic-version=3`, cortex-a57, 4 CPUs, 2 GiB at 0x40000000. CRLF normalised to LF.',
  'Each `<case>.log` was produced by `<case>.source` (packed with the real `mkimage -A arm64 -T script -C none`),',
  'fetched over QEMU\'s TFTP with `setenv ipaddr 10.0.2.15; setenv serverip 10.0.2.2; tftpb 0x40200000 boot.scr; source 0x40200000`.',
  'Files: `Image` = Debian linux-image arm64 (uncompressed), `initramfs.cpio.gz` = lab initramfs (busybox; /init prints',
  '`UBOOTGEN-LAB-UP token=<labtoken> cpus=<online> memkb=<MemTotal>`), `xen` = Debian xen-4.17-arm64, `virt.dtb` = QEMU dumpdtb (see ../real/MANIFEST.json).',
  'Regenerate: `node dist/scripts/lab/capture-ground-truth.js [--bdinfo] [case...]` (one QEMU at a time).',
  '',
  '- `uboot-bdinfo.log`: `bdinfo`, `printenv`, `version` typed at the real U-Boot prompt (relocaddr, LMB reserved area, default env).',
];
const verdictRules = [
  '',
  '## Verdicts (src/lab/xen-console.ts `parseXenConsole`)',
  '',
  "Same vocabulary as the simulator. First match wins: `not started` (no \"Starting kernel ...\"; message = U-Boot's last error line),",
  '`silent hang` (no Xen output at all), `up` (lab marker seen), `xen panic` (Xen panicked: the machine stops, so every domain that is',
  "not up gets it, message = the text inside the panic box), `guest fails` (guest kernel panic line, or output without marker),",
  '`silent hang` (built but the guest printed nothing), `dropped` (Xen finished booting without building it), else `silent hang`.',
  'Domain ids: dom0 is 0; domUs are numbered 1.. in /chosen order, which is the REVERSE of `fdt mknod` order.',
  '',
  '## Cases',
  '',
];
lines.push(...verdictRules);
for (const c of cases) {
  const f = path.join(resultsDir, `${c.name}.json`);
  if (!fs.existsSync(f)) continue;
  const s = JSON.parse(fs.readFileSync(f, 'utf8')) as CaseSummary;
  const v = s.verdicts.map((d) => `${d.name}${d.domid !== undefined ? ` (d${d.domid})` : ''}: ${d.verdict}${d.message ? ` — "${d.message}"` : ''}`).join('; ');
  lines.push(`- \`${c.name}.log\` ← \`${c.name}.source\`: ${c.title}. Outcome \`${s.outcome}\` in ${(s.wallMs / 1000).toFixed(1)} s. ${v}.`);
}
fs.writeFileSync(path.join(out, 'README.md'), `${lines.join('\n')}\n`);
