// The boot-script corpus: every case goes through the whole simulation (boot.scr →
// U-Boot simulator → Xen model) and must give the expected verdict per domain.
//
// Part 1 holds the scripts booted for real (U-Boot 2023.01 + Xen 4.17.7 in QEMU, logs in
// test/fixtures/transcripts): the expectation IS the real log, parsed per domain by the
// lab's console parser, so this is a differential test against real hardware behaviour.
// Part 2 holds generated configs and hand-written variants with stated expectations.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixturePath, REPO_ROOT } from '../helpers/paths.js';
import { tempDir, writeConfig } from '../helpers/images.js';
import { writeScriptImage } from '../../src/images/uimage.js';
import { labCases, type LabCase } from '../../scripts/lab/cases.js';
import { parseXenConsole } from '../../src/lab/xen-console.js';
import { qemuVirtBoard } from '../../src/sim/uboot/index.js';
import { verifyScript, verifyGenerated, type VerifyReport } from '../../src/api/verify.js';
import { generate } from '../../src/api/generate.js';
import { verifySummary } from '../../src/cli/verify-report.js';
import { materialise, realManifest } from './materialise.js';
import { compareWithReal, observeSimulation as observe, type Observed } from '../../src/lab/compare.js';

const scr = (source: string): Uint8Array => writeScriptImage(source, { time: 0 });

describe('corpus → real boots replayed in the simulator', () => {
  const cases = labCases(realManifest().caseInputs).filter((c) => fs.existsSync(fixturePath('transcripts', `${c.name}.log`)));
  let dir: string;
  before(() => { dir = tempDir('uboot-gen-corpus-'); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('has every captured case', () => expect(cases.length).to.be.at.least(14));

  for (const c of cases) {
    it(`${c.name}: ${c.title}`, () => runRealCase(c, dir));
  }
});

function runRealCase(c: LabCase, root: string): void {
  const caseDir = path.join(root, c.name);
  fs.mkdirSync(caseDir, { recursive: true });
  materialise(caseDir, c.files);
  const source = fs.readFileSync(fixturePath('transcripts', `${c.name}.source`), 'utf8');
  const sim = verifyScript(scr(source), caseDir, qemuVirtBoard(), { xenVersion: '4.17' });
  const real = parseXenConsole(fs.readFileSync(fixturePath('transcripts', `${c.name}.log`), 'utf8'), { domains: c.domains });
  expect(compareWithReal(sim, real.domains)).to.deep.equal([]);
  expect(sim.ok).to.equal(real.domains.every((d) => d.verdict === 'up'));
}

interface StatedCase {
  name: string;
  /** A hand-written script over the real-lab files, or a config over samples/. */
  source?: string;
  config?: string[];
  files?: LabCase['files'];
  domains: string[];
  expect: Record<string, Observed | string>;
  xenVersion?: string;
}

const LAB_FILES: LabCase['files'] = [
  { name: 'Image', from: 'kernel' }, { name: 'initramfs.cpio.gz', from: 'initramfs' }, { name: 'xen', from: 'xen' }, { name: 'virt.dtb', from: 'dtb' },
];
const SAMPLE = ['MEMORY_START=0x40000000', 'MEMORY_END=0xC0000000', 'DEVICE_TREE=samples/virt.dtb', 'XEN=samples/xen',
  'XEN_CMD="console=dtuart dtuart=/pl011@9000000 dom0_mem=512M bootscrub=0"', 'LOAD_CMD=tftpb', 'UBOOT_SOURCE=boot.source'];
const DOMU = (n: number, extra: string[] = []) => [`DOMU_KERNEL[${n}]=samples/Image`, `DOMU_RAMDISK[${n}]=samples/initrd.cpio.gz`, `DOMU_CMD[${n}]="console=ttyAMA0 root=/dev/ram0"`, `DOMU_MEM[${n}]=128`, ...extra];
const DOM0 = ['DOM0_KERNEL=samples/Image', 'DOM0_RAMDISK=samples/initrd.cpio.gz'];

const STATED: StatedCase[] = [
  { name: 'generated: dom0 + 2 domUs sharing one kernel and ramdisk (README sample)', config: [...SAMPLE, ...DOM0, 'NUM_DOMUS=2', ...DOMU(0), ...DOMU(1)],
    domains: ['dom0', 'domU1', 'domU0'], expect: { dom0: 'up', domU1: 'up', domU0: 'up' } },
  { name: 'generated: true dom0less, 2 domUs', config: [...SAMPLE, 'XEN_CMD="console=dtuart dtuart=/pl011@9000000"', 'NUM_DOMUS=2', ...DOMU(0), ...DOMU(1)],
    domains: ['domU1', 'domU0'], expect: { domU1: 'up', domU0: 'up' } },
  { name: 'generated: bootm of Xen wrapped as a uImage', config: [...SAMPLE, 'BOOT_CMD=bootm', ...DOM0, 'NUM_DOMUS=1', ...DOMU(0)],
    domains: ['dom0', 'domU0'], expect: { dom0: 'up', domU0: 'up' } },
  { name: 'generated: xen,enhanced without dom0', config: [...SAMPLE, 'NUM_DOMUS=1', ...DOMU(0, ['DOMU_ENHANCED[0]=1'])],
    domains: ['domU0'], expect: { domU0: { verdict: 'xen panic', message: 'At the moment, Xenstore support requires dom0 to be present' } } },
  { name: 'generated: 4 GiB domU on a 2 GiB board', config: [...SAMPLE, 'NUM_DOMUS=2', ...DOMU(0), ...DOMU(1, ['DOMU_MEM[1]=4096'])],
    domains: ['domU1', 'domU0'], expect: { domU1: { verdict: 'xen panic', message: 'Failed to allocate requested domain memory. 4194304KB unallocated. Fix the VMs configurations.' }, domU0: { verdict: 'xen panic', message: 'Failed to allocate requested domain memory. 4194304KB unallocated. Fix the VMs configurations.' } } },
  { name: 'generated: Xen console on an alias the board lacks (dtuart=serial0)', config: [...SAMPLE, 'XEN_CMD="console=dtuart dtuart=serial0"', 'NUM_DOMUS=1', ...DOMU(0)],
    domains: ['domU0'], expect: { domU0: 'silent hang' } },
  // Both domains point at the one kernel module; Xen keeps the first registration (domU1's node comes first),
  // whose reg covers only 16 MiB of the 31 MiB Image: both guests get a truncated kernel.
  { name: 'hand-written: kernel reg shorter than the file', source: 'kernel-reg-shorter.source', files: LAB_FILES, domains: ['domU1', 'domU0'],
    expect: { domU1: 'guest fails', domU0: 'guest fails' } },
  // Real Xen 4.17 registers both overlapping modules, builds both domains, then frees the shared
  // pages twice in discard_initial_modules() and BUGs (seen in the lab's differential run).
  { name: 'hand-written: ramdisk loaded over the shared kernel', source: 'ramdisk-overlaps-kernel.source', files: LAB_FILES, domains: ['domU1', 'domU0'],
    expect: { domU1: { verdict: 'xen panic', message: 'Xen BUG at common/page_alloc.c:1429' }, domU0: { verdict: 'xen panic', message: 'Xen BUG at common/page_alloc.c:1429' } } },
  // The same BUG on Xen 4.17.5 cross-built from Debian's bookworm source: the line differs
  // (test/fixtures/transcripts/full/corpus-ramdisk-overlaps-kernel.log).
  { name: 'hand-written: ramdisk loaded over the shared kernel, Xen 4.17.5', source: 'ramdisk-overlaps-kernel.source', files: LAB_FILES, domains: ['domU1', 'domU0'],
    xenVersion: '4.17.5',
    expect: { domU1: { verdict: 'xen panic', message: 'Xen BUG at common/page_alloc.c:1423' }, domU0: { verdict: 'xen panic', message: 'Xen BUG at common/page_alloc.c:1423' } } },
  { name: 'hand-written: ramdisk loaded over the shared kernel, Xen 4.18 drops the overlapping module', source: 'ramdisk-overlaps-kernel.source', files: LAB_FILES,
    // `fdt mknod` puts the ramdisk node before the kernel node, so Xen 4.18 registers the ramdisk first and drops
    // the kernel that overlaps it; with no kernel module left it takes the dom0 path and panics.
    domains: ['domU1', 'domU0'], xenVersion: '4.18',
    expect: { domU1: { verdict: 'xen panic', message: 'Could not set up DOM0 guest OS (rc = -2)' }, domU0: { verdict: 'xen panic', message: 'Could not set up DOM0 guest OS (rc = -2)' } } },
  // Xen finds domU0's kernel through domU1's registration (lookup is by address), but records
  // bootargs only from module nodes: domU0 boots with an empty command line and prints nothing
  // (real boot in the lab's differential run).
  { name: 'hand-written: kernel node without "multiboot,module" (other domain registers the kernel)', source: 'kernel-without-multiboot-module.source', files: LAB_FILES,
    domains: ['domU1', 'domU0'], expect: { domU1: 'up', domU0: 'guest fails' } },
  { name: 'hand-written: domain without cpus', source: 'domu-without-cpus.source', files: LAB_FILES, domains: ['domU1', 'domU0'],
    expect: { domU1: { verdict: 'xen panic', message: 'Missing property \'cpus\' for domain domU1' }, domU0: { verdict: 'xen panic', message: 'Missing property \'cpus\' for domain domU1' } } },
];

describe('corpus → stated cases', () => {
  for (const c of STATED) {
    it(c.name, () => {
      let report: VerifyReport;
      if (c.config) {
        const dir = tempDir('uboot-gen-corpus-');
        fs.cpSync(path.join(REPO_ROOT, 'samples'), path.join(dir, 'samples'), { recursive: true });
        const gen = generate(writeConfig(dir, c.config), { env: {} });
        report = verifyGenerated(gen, { xenVersion: c.xenVersion ?? '4.17' });
      } else {
        const dir = tempDir('uboot-gen-corpus-');
        materialise(dir, c.files!);
        report = verifyScript(scr(fs.readFileSync(fixturePath('corpus', c.source!), 'utf8')), dir, qemuVirtBoard(), { xenVersion: c.xenVersion ?? '4.17' });
      }
      const seen = observe(report, c.domains);
      const want = Object.fromEntries(Object.entries(c.expect).map(([k, v]) => [k, typeof v === 'string' ? { verdict: v } : v]));
      const got = Object.fromEntries(Object.entries(seen).map(([k, v]) => [k, want[k]?.message === undefined ? { verdict: v.verdict } : v]));
      expect(got, verifySummary(report)).to.deep.equal(want);
    });
  }
});
