// Ground truth for another U-Boot release: boots lab cases with a given u-boot.bin (QEMU arm64, e.g.
// built from U-Boot's tag with qemu_arm64_defconfig) and bookworm's Xen, kernel and initramfs, and
// saves each serial log under test/fixtures/transcripts/uboot-<release>/ (uboot-<release>-lwip/ for a
// build with the lwIP network stack) beside the boot.source that produced it. The release is read from
// the binary's own banner, the network stack from its strings.
// Usage: node dist/scripts/lab/capture-uboot-version.js --uboot FILE [--bdinfo] [case-name-prefix...]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { labCases } from './cases.js';
import { prepareLab } from './prepare.js';
import { labCaseInputs, stageCase } from './stage.js';
import { bootQemu } from '../../src/lab/qemu.js';
import { ubootBinaryVersion } from '../../src/api/uboot-binary.js';

const args = process.argv.slice(2);
const at = args.indexOf('--uboot');
const ubootBin = at >= 0 ? args[at + 1] : undefined;
if (!ubootBin) {
  console.error('usage: capture-uboot-version.js --uboot FILE [--bdinfo] [case-name-prefix...]');
  process.exit(2);
}
const version = ubootBinaryVersion(ubootBin);
const wanted = args.filter((a, i) => !a.startsWith('--') && i !== at + 1);
const folder = `uboot-${version.modelled}${version.netStack === 'lwip' ? '-lwip' : ''}`;
const out = path.join(process.cwd(), 'test', 'fixtures', 'transcripts', folder);
fs.mkdirSync(out, { recursive: true });
const base = prepareLab({ log: (l) => console.error(l) });
// The cases are staged in a folder of this release's own, never in the shared case folders.
const assets = { ...base, dir: path.join(base.dir, 'stacks', folder) };
fs.mkdirSync(assets.dir, { recursive: true });
const inputs = labCaseInputs(assets);
console.error(`${version.banner}: recording into ${path.relative(process.cwd(), out)}`);

if (args.includes('--bdinfo')) {
  const dir = path.join(assets.dir, 'cases', 'uboot-bdinfo');
  fs.mkdirSync(dir, { recursive: true });
  const r = await bootQemu({ tftpDir: dir, scriptName: 'none', timeoutMs: 60_000, expect: { markers: [] }, ubootBin,
    commands: ['bdinfo', 'printenv', 'version'], logFile: path.join(out, 'uboot-bdinfo.log') });
  console.log(JSON.stringify({ case: 'uboot-bdinfo', outcome: r.outcome, wallMs: r.wallMs }));
}
for (const c of labCases(inputs)) {
  if (!wanted.some((w) => c.name.startsWith(w))) continue;
  const dir = stageCase(assets, c, path.join(out, `${c.name}.source`));
  const r = await bootQemu({ tftpDir: dir, scriptName: 'boot.scr', timeoutMs: c.timeoutMs, ubootBin,
    expect: { markers: c.domains.map((d) => d.token) }, domains: c.domains, logFile: path.join(out, `${c.name}.log`) });
  console.log(JSON.stringify({ case: c.name, outcome: r.outcome, wallMs: r.wallMs, verdicts: r.console.domains, ubootErrors: r.ubootErrors }));
}
