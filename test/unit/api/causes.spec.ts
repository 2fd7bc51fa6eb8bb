// Verdicts traced back to the config: each Xen-model fault names its keys, their positions, and
// the fix; where the fix is a number, the simulator boots with it and fails one step past it, and
// the planner's own check gives the same number.
import { expect } from 'chai';
import * as fs from 'node:fs';
import { generate } from '../../../src/api/generate.js';
import { verdictCauses } from '../../../src/api/causes.js';
import { boardForConfig, verifyGenerated, verifyScript, type VerifyReport } from '../../../src/api/verify.js';
import { formatCauses } from '../../../src/cli/verify-report.js';
import { UbootGenError } from '../../../src/errors.js';
import { writeScriptImage } from '../../../src/images/uimage.js';
import { sampleCopy } from '../../helpers/images.js';

const verify = (extra: string[]): { config: string; r: VerifyReport } => {
  const { config } = sampleCopy(extra);
  return { config, r: verifyGenerated(generate(config, { env: {}, write: false })) };
};

/** The sample generated as it is, then its script with domU0's `memory` set to `mib` (what a config saying so would give, past the planner). */
function domU0WithMemory(mib: number) {
  const { config } = sampleCopy([`DOMU_MEM[0]=${mib < 39 ? 64 : mib}`]);
  const gen = generate(config, { env: {}, write: false });
  const source = gen.outputs.source;
  const edited = source.replace(/(fdt set \/chosen\/domU0 memory <)0x0 0x[0-9a-f]+ (>)/i, `$10x0 0x${(mib * 1024).toString(16)} $2`);
  expect(edited).to.not.equal(source);
  const r = verifyScript(writeScriptImage(edited, { time: 0 }), gen.plan.dir, boardForConfig(gen), { scriptAddr: gen.plan.scriptAddr });
  return { gen, r, causes: verdictCauses(gen.plan, r.xen) };
}

describe('api → causes', function () {
  this.timeout(60000);

  it('DOMU_MEM below what the guest\'s Linux 6.1 needs to reach init: guest fails, the cause names DOMU_MEM and the least value, which boots', () => {
    const withBanner = (mib: number): { config: string; r: VerifyReport; gen: ReturnType<typeof generate> } => {
      const { dir, config } = sampleCopy([`DOMU_MEM[0]=${mib}`]);
      // The sample Image with the banner of the kernel the figure was measured on.
      const image = fs.readFileSync(`${dir}/samples/Image`);
      image.write('Linux version 6.1.0-57-arm64 (debian-kernel@lists.debian.org) #1 SMP Debian 6.1.192-3\0', 0x20000, 'latin1');
      fs.writeFileSync(`${dir}/samples/Image`, image);
      const gen = generate(config, { env: {}, write: false });
      return { config, gen, r: verifyGenerated(gen) };
    };
    const small = withBanner(40);
    expect(small.r.domains.find((d) => d.name === 'domU0')?.verdict).to.equal('guest fails');
    const cause = small.r.causes?.find((c) => c.domain === 'domU0');
    expect(cause).to.deep.include({ kind: 'guest-memory-too-small', keys: ['DOMU_MEM[0]', 'DOMU_KERNEL[0]'] });
    const need = Number(cause!.data['needMiB']);
    expect(need).to.be.within(48, 56);
    expect(formatCauses(small.r).join('\n')).to.contain(`DOMU_MEM[0]=40 is less than domU0's Linux needs to reach init (about ${need} MiB`)
      .and.to.contain(`set DOMU_MEM[0] to at least ${need}`);
    expect(withBanner(need).r.domains.find((d) => d.name === 'domU0')?.verdict).to.equal('up');
    expect(withBanner(need - 1).r.domains.find((d) => d.name === 'domU0')?.verdict).to.equal('guest fails');
  });

  it('DOMU_MEM below the kernel + DTB + initrd: the verdict and the plan check give the same least value, which boots', () => {
    const { config } = sampleCopy(['DOMU_MEM[0]=16']);
    let planned: UbootGenError | undefined;
    try { generate(config, { env: {}, write: false }); } catch (e) { planned = e as UbootGenError; }
    expect(planned?.code).to.equal('PLAN_DOMAIN_MEMORY');
    expect(planned?.data['leastMiB']).to.equal(39);

    const at16 = domU0WithMemory(16);
    expect(at16.r.xen?.panic).to.equal('Not enough memory in the first bank for the kernel+dtb+initrd');
    const [cause] = at16.causes;
    expect(cause).to.deep.include({ kind: 'domain-memory-too-small', domain: 'domU0', keys: ['DOMU_MEM[0]', 'DOMU_KERNEL[0]', 'DOMU_RAMDISK[0]'] });
    expect(cause!.data).to.deep.equal({ memMiB: 16, kernelBytes: 0x2010000, kernelRoom: 0x2200000, initrdBytes: 0x127, dtbBytes: cause!.data['dtbBytes'], leastMiB: 39 });
    expect(cause!.edit).to.deep.equal({ key: 'DOMU_MEM[0]', value: '39', where: { file: at16.gen.plan.config.configFile, line: 28, col: 13 } });
    // One MiB less than the least: the second panic of place_modules(); the least: the domain comes up.
    expect(domU0WithMemory(38).r.xen?.panic).to.equal('Unable to find suitable location for dtb+initrd');
    expect(domU0WithMemory(38).causes[0]?.data['leastMiB']).to.equal(39);
    expect(verify(['DOMU_MEM[0]=39']).r.ok).to.equal(true);
  });

  it('DOMU_MEM larger than Xen has left: the most that fits, which boots, and one more MiB does not', () => {
    const { config, r } = verify(['DOMU_MEM[0]=2048']);
    expect(r.causes).to.deep.equal([{
      domain: 'domU0', kind: 'domain-memory-too-large', keys: ['DOMU_MEM[0]'], where: [{ key: 'DOMU_MEM[0]', pos: { file: config, line: 28, col: 13 } }],
      data: { memMiB: 2048, largestMiB: 1188, freeMiB: 1195, laterMiB: 0, vcpus: 1 },
      edit: { key: 'DOMU_MEM[0]', value: '1188', where: { file: config, line: 28, col: 13 } },
    }]);
    expect(formatCauses(r)).to.deep.equal([
      `${config}:28:13: error: DOMU_MEM[0]=2048 is more than Xen has left for domU0: 1195 MiB are free as it is built, for its memory and P2M pool`,
      '  fix: set DOMU_MEM[0] to at most 1188',
    ]);
    expect(verify(['DOMU_MEM[0]=1188']).r.ok).to.equal(true);
    expect(verify(['DOMU_MEM[0]=1189']).r.causes?.[0]?.kind).to.equal('domain-memory-too-large');
  });

  it('dom0_mem in XEN_CMD larger than Xen has left: XEN_CMD rewritten with the most that leaves the domUs theirs', () => {
    const { config, r } = verify(['XEN_CMD="console=dtuart dtuart=/pl011@9000000 dom0_mem=3000M bootscrub=0"']);
    const [cause] = r.causes!;
    expect([cause!.kind, cause!.domain, cause!.keys, cause!.data]).to.deep.equal(['domain-memory-too-large', 'dom0', ['XEN_CMD'],
      { memMiB: 3000, largestMiB: 1444, freeMiB: 1974, laterMiB: 519, vcpus: 4, option: 'dom0_mem' }]);
    expect(cause!.edit).to.deep.equal({ key: 'XEN_CMD', value: 'console=dtuart dtuart=/pl011@9000000 dom0_mem=1444M bootscrub=0', where: { file: config, line: 28, col: 9 } });
    expect(formatCauses(r)).to.deep.equal([
      `${config}:28:9: error: dom0_mem=3000M in XEN_CMD is more than Xen has left for dom0: 1974 MiB are free as it is built, for its memory and P2M pool and the 519 MiB the domUs built after it need`,
      '  fix: set dom0_mem in XEN_CMD to at most 1444M',
    ]);
    expect(verify(['XEN_CMD="console=dtuart dtuart=/pl011@9000000 dom0_mem=1444M bootscrub=0"']).r.ok).to.equal(true);
    expect(verify(['XEN_CMD="console=dtuart dtuart=/pl011@9000000 dom0_mem=1445M bootscrub=0"']).r.ok).to.equal(false);
  });

  it('a domU with no initramfs and no root=: DOMU_RAMDISK and DOMU_CMD, no computable edit', () => {
    const { config, r } = verify(['DOMU_RAMDISK[0]=""']);
    expect(r.causes).to.deep.equal([{
      domain: 'domU0', kind: 'no-initramfs', keys: ['DOMU_RAMDISK[0]', 'DOMU_CMD[0]'],
      where: [{ key: 'DOMU_RAMDISK[0]', pos: { file: config, line: 28, col: 17 } }, { key: 'DOMU_CMD[0]', pos: { file: config, line: 16, col: 13 } }],
      data: { moduleMissing: 'no' },
    }]);
    expect(formatCauses(r)).to.deep.equal([
      `${config}:28:17: error: domU0 has no initramfs (DOMU_RAMDISK[0] is not set) and its command line (DOMU_CMD[0]) has no usable root=`,
      '  fix: set DOMU_RAMDISK[0] to an initramfs, or add root=<device> to DOMU_CMD[0]',
    ]);
  });

  it('Xen without a serial console: XEN_CMD', () => {
    const { config, r } = verify(['XEN_CMD="console=vga dom0_mem=512M"']);
    expect(r.causes).to.deep.equal([{
      kind: 'xen-console', keys: ['XEN_CMD'], where: [{ key: 'XEN_CMD', pos: { file: config, line: 28, col: 9 } }],
      data: { why: 'console=vga does not include "dtuart": Xen has no serial console on Arm' },
    }]);
    expect(formatCauses(r)).to.deep.equal([
      `${config}:28:9: error: Xen has no console: console=vga does not include "dtuart": Xen has no serial console on Arm`,
      '  fix: put console=dtuart and dtuart=<path or alias of the board\'s UART> in XEN_CMD',
    ]);
  });

  it('Xen 4.21+ capabilities and xenstore: the boot planned for 4.20 panics on 4.21 at the key the 4.21 plan check refuses, with the same words', () => {
    const cases: { extra: string[]; noDom0: boolean; code: string; line: number; col: number; cause: object; words: string[] }[] = [
      { extra: ['DOMU_CAPS[1]=xenstore'], noDom0: false, code: 'PLAN_XENSTORE_DOMAIN', line: 28, col: 14,
        cause: { domain: 'domU1', kind: 'xenstore-domain', keys: ['DOMU_CAPS[1]'], data: { second: 'yes', panic: 'Only 1 xenstore domain can be specified! (0)' } },
        words: ['error: DOMU_CAPS[1] gives domU1 the xenstore capability, but another domain already has it: Xen panics "Only 1 xenstore domain can be specified! (0)"',
          '  fix: give the xenstore capability to one domain only: drop xenstore from DOMU_CAPS[1]'] },
      { extra: ['DOMU_CAPS[1]=hardware'], noDom0: true, code: 'PLAN_HARDWARE_DOMAIN', line: 25, col: 14,
        cause: { domain: 'domU1', kind: 'hardware-domain', keys: ['DOMU_CAPS[1]', 'DOMU_STATIC_MEM[1]', 'DOMU_DIRECT_MAP[1]'], data: { refusal: 'no-iommu', panic: 'non-direct mapped hardware domain requires iommu' } },
        words: ['error: domU1 has the hardware capability (DOMU_CAPS[1]), but it is not direct-mapped and the board has no IOMMU Xen drives: Xen panics "non-direct mapped hardware domain requires iommu"',
          '  fix: direct-map domU1 (DOMU_STATIC_MEM with DOMU_DIRECT_MAP=1), boot a board with an IOMMU, or drop hardware from DOMU_CAPS[1]'] },
      { extra: ['DOMU_ENHANCED[0]=1'], noDom0: true, code: 'PLAN_XENSTORE_DOMAIN', line: 25, col: 18,
        cause: { domain: 'domU0', kind: 'xenstore-domain', keys: ['DOMU_ENHANCED[0]', 'DOM0_KERNEL'], data: { second: 'no', panic: 'xenstore requested, but xenstore domain not present' } },
        words: ['error: domU0 asks for xenstore (DOMU_ENHANCED[0]), but no domain provides it: Xen panics "xenstore requested, but xenstore domain not present"',
          '  fix: give one domU the xenstore capability (DOMU_CAPS[n]="xenstore"), boot a dom0, or set DOMU_ENHANCED[0]=2 or 0'] },
    ];
    for (const c of cases) {
      const { config } = sampleCopy(c.extra);
      if (c.noDom0) fs.writeFileSync(config, fs.readFileSync(config, 'utf8').split('\n').filter((l) => !l.startsWith('DOM0_')).join('\n'));
      const pos = { file: config, line: c.line, col: c.col };
      let planned: UbootGenError | undefined;
      try { generate(config, { env: {}, write: false, xenVersion: '4.21' }); } catch (e) { planned = e as UbootGenError; }
      expect([planned?.code, planned?.where], c.code).to.deep.equal([c.code, { ...pos, key: (c.cause as { keys: string[] }).keys[0] }]);
      const r = verifyGenerated(generate(config, { env: {}, write: false, xenVersion: '4.20' }), { xenVersion: '4.21' });
      const panic = (c.cause as { data: { panic: string } }).data.panic;
      expect([r.xen?.panic, planned?.data['panic']]).to.deep.equal([panic, panic]);
      const key = (c.cause as { keys: string[] }).keys[0]!;
      expect(r.causes).to.deep.equal([{ ...c.cause, where: [{ key, pos }] }]);
      expect(formatCauses(r)).to.deep.equal([`${config}:${c.line}:${c.col}: ${c.words[0]}`, c.words[1]]);
    }
  });

  it('every domain up: no cause', () => {
    expect(verify([]).r.causes).to.deep.equal([]);
  });
});
