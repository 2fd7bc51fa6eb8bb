// The planner plans for the Xen that will run: the release read from the XEN image decides which
// domains may share one copy of a kernel or ramdisk (src/xen-build sharingGroup()), and XEN_CMD
// options the build does not have are warned about at generation time.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UbootGenError } from '../../../src/errors.js';
import { generate } from '../../../src/api/generate.js';
import { verifyGenerated } from '../../../src/api/verify.js';
import { arm64Header, ramdiskFile, sparseFile, tempDir } from '../../helpers/images.js';
import { buildSamples } from '../../helpers/samples.js';
import { DEBIAN_417_CONFIG, DEBIAN_420_CONFIG, syntheticXen } from '../xen-build/fixtures.js';

const MiB = 1024 * 1024;

function thrown(fn: () => unknown): UbootGenError {
  try { fn(); } catch (e) { if (e instanceof UbootGenError) return e; throw e; }
  throw new Error('expected an error');
}

/** A folder with a Debian-layout Xen carrying `config`, a kernel, an initramfs, a board DTB and the config. */
function folder(xenConfig: string, xenCmd: string, extra: string[] = []): string {
  const dir = tempDir('share-');
  fs.writeFileSync(path.join(dir, 'xen'), syntheticXen(xenConfig, { memberOffset: 0x75ec0, size: 1015816 }).bytes);
  sparseFile(path.join(dir, 'Image'), arm64Header({ imageSize: 30 * MiB }), 20 * MiB);
  ramdiskFile(path.join(dir, 'initrd.cpio.gz'));
  // The sample QEMU-virt-like board: cortex-a57 CPUs and a GICv3, as the guest device tree copies them.
  fs.writeFileSync(path.join(dir, 'virt.dtb'), buildSamples()['virt.dtb']!);
  fs.writeFileSync(path.join(dir, 'config'), `${[
    'MEMORY_START=0x40000000', 'MEMORY_END=0xC0000000', 'DEVICE_TREE=virt.dtb', 'XEN=xen', `XEN_CMD="${xenCmd}"`, 'LOAD_CMD=tftpb', 'UBOOT_SOURCE=boot.source', 'UBOOT_SCRIPT=boot.scr',
    'DOM0_KERNEL=Image', 'DOM0_RAMDISK=initrd.cpio.gz', 'DOM0_CMD="console=hvc0 root=/dev/ram0"',
    'NUM_DOMUS=2', 'DOMU_KERNEL[0]=Image', 'DOMU_RAMDISK[0]=initrd.cpio.gz', 'DOMU_CMD[0]="console=ttyAMA0"',
    'DOMU_KERNEL[1]=Image', 'DOMU_RAMDISK[1]=initrd.cpio.gz', 'DOMU_CMD[1]="console=ttyAMA0"', ...extra,
  ].join('\n')}\n`);
  return dir;
}

const XEN_CMD = 'console=dtuart dtuart=/pl011@9000000 dom0_mem=512M';
const keysOf = (g: ReturnType<typeof generate>): string[][] => g.plan.loads.filter((l) => l.role !== 'xen' && l.role !== 'dtb').map((l) => l.keys);

describe('plan → for the Xen build in the XEN image', () => {
  it('Xen 4.20 (Debian trixie\'s .config): dom0 gets its own copies, the domUs share theirs, and every domain comes up', () => {
    const dir = folder(DEBIAN_420_CONFIG, XEN_CMD);
    const g = generate(path.join(dir, 'config'), { write: false, env: {} });
    expect(keysOf(g)).to.deep.equal([['DOM0_KERNEL'], ['DOM0_RAMDISK'], ['DOMU_KERNEL[0]', 'DOMU_KERNEL[1]'], ['DOMU_RAMDISK[0]', 'DOMU_RAMDISK[1]']]);
    const v = verifyGenerated(g);
    expect(v.xen!.build).to.equal('Xen 4.20.5-pre (build: STATIC_MEMORY n, SCHED_NULL n, DEBUG n)');
    expect(v.domains.map((d) => [d.name, d.verdict])).to.deep.equal([['dom0', 'up'], ['domU1', 'up'], ['domU0', 'up']]);
    expect(v.ok).to.equal(true);
  });

  it('Xen 4.17 (Debian bookworm\'s .config): one copy for all three domains, as before', () => {
    const dir = folder(DEBIAN_417_CONFIG, XEN_CMD);
    const g = generate(path.join(dir, 'config'), { write: false, env: {} });
    expect(keysOf(g)).to.deep.equal([['DOM0_KERNEL', 'DOMU_KERNEL[0]', 'DOMU_KERNEL[1]'], ['DOM0_RAMDISK', 'DOMU_RAMDISK[0]', 'DOMU_RAMDISK[1]']]);
    expect(verifyGenerated(g).ok).to.equal(true);
  });

  it('--xen-version 4.20 plans for 4.20 whatever the image says', () => {
    const dir = folder(DEBIAN_417_CONFIG, XEN_CMD);
    const g = generate(path.join(dir, 'config'), { write: false, env: {}, xenVersion: '4.20' });
    expect(keysOf(g)[0]).to.deep.equal(['DOM0_KERNEL']);
  });

  it('sched=null in XEN_CMD on a build without SCHED_NULL: a warning naming the key and the option', () => {
    const dir = folder(DEBIAN_420_CONFIG, `${XEN_CMD} sched=null`);
    const g = generate(path.join(dir, 'config'), { write: false, env: {} });
    expect(g.diagnostics.filter((d) => d.code === 'PLAN_XEN_BUILD')).to.deep.equal([{
      level: 'warning', code: 'PLAN_XEN_BUILD', key: 'XEN_CMD', where: { file: path.join(dir, 'config'), line: 5, col: 9 },
      message: 'XEN_CMD has sched=null, but this Xen 4.20.5-pre build has no null scheduler (CONFIG_SCHED_NULL is off): Xen prints "Could not find scheduler: null" and runs credit2',
      hint: 'drop sched=null from XEN_CMD, or boot a Xen built with CONFIG_SCHED_NULL=y',
    }]);
  });

  it('a domU whose guest device tree cannot fit DOMU_DTB_SIZE is refused with the most vCPUs that fit; the verifier agrees at the boundary', () => {
    const dir = folder(DEBIAN_417_CONFIG, XEN_CMD, ['DOMU_VCPUS[0]=33']);
    const err = thrown(() => generate(path.join(dir, 'config'), { write: false, env: {} }));
    expect(err.code).to.equal('PLAN_DTB_TOO_LARGE');
    expect(err.message).to.match(/^domU0: the device tree Xen 4\.17\.7 writes for it needs \d+ bytes \(33 vCPUs\), more than its 4096-byte buffer \(DOMU_DTB_SIZE\); Xen would print "Device tree generation failed \(-3\)\." and panic$/);
    expect(err.where).to.deep.equal({ file: path.join(dir, 'config'), line: 19, col: 15, key: 'DOMU_VCPUS[0]' });
    const fits = Number(/at most (\d+) vCPUs/.exec(err.hint ?? '')![1]);
    // The simulator, given the same domain with that many vCPUs, builds it; one more is refused.
    const ok = folder(DEBIAN_417_CONFIG, XEN_CMD, [`DOMU_VCPUS[0]=${fits}`]);
    const v = verifyGenerated(generate(path.join(ok, 'config'), { write: false, env: {} }));
    expect(v.domains.find((d) => d.name === 'domU0')!.verdict).to.equal('up');
    const over = folder(DEBIAN_417_CONFIG, XEN_CMD, [`DOMU_VCPUS[0]=${fits + 1}`]);
    expect(thrown(() => generate(path.join(over, 'config'), { write: false, env: {} })).code).to.equal('PLAN_DTB_TOO_LARGE');
  });
});
