// XEN_POLICY: loaded right after XEN, described under /chosen as ImageBuilder does, checked for the
// FLASK magic, and warned about when the Xen that runs will not use it.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generate } from '../../../src/api/generate.js';
import { verifyGenerated } from '../../../src/api/verify.js';
import { UbootGenError } from '../../../src/errors.js';
import { arm64Header, ramdiskFile, sparseFile, tempDir } from '../../helpers/images.js';
import { buildSamples } from '../../helpers/samples.js';
import { DEBIAN_420_CONFIG, syntheticXen } from '../xen-build/fixtures.js';

const MiB = 1024 * 1024;

function policy(magic = 0xf97cff8c): Buffer {
  const b = Buffer.alloc(5000);
  b.writeUInt32LE(magic, 0);
  b.writeUInt32LE(8, 4);
  b.write('XenFlask', 8, 'latin1');
  return b;
}

function folder(pol: Buffer, xenCmd = 'console=dtuart dtuart=/pl011@9000000'): string {
  const dir = tempDir('policy-');
  fs.writeFileSync(path.join(dir, 'xen'), syntheticXen(DEBIAN_420_CONFIG, { memberOffset: 0x75ec0, size: 1015816 }).bytes);
  sparseFile(path.join(dir, 'Image'), arm64Header({ imageSize: 30 * MiB }), 20 * MiB);
  ramdiskFile(path.join(dir, 'initrd.cpio.gz'));
  fs.writeFileSync(path.join(dir, 'virt.dtb'), buildSamples()['virt.dtb']!);
  fs.writeFileSync(path.join(dir, 'xenpolicy'), pol);
  fs.writeFileSync(path.join(dir, 'config'), `${[
    'MEMORY_START=0x40000000', 'MEMORY_END=0xC0000000', 'DEVICE_TREE=virt.dtb', 'XEN=xen', 'XEN_POLICY=xenpolicy', `XEN_CMD="${xenCmd}"`,
    'LOAD_CMD=tftpb', 'UBOOT_SOURCE=boot.source', 'UBOOT_SCRIPT=boot.scr', 'NUM_DOMUS=1', 'DOMU_KERNEL[0]=Image', 'DOMU_RAMDISK[0]=initrd.cpio.gz',
  ].join('\n')}\n`);
  return path.join(dir, 'config');
}

describe('plan → XEN_POLICY', () => {
  it('is loaded right after XEN and gets its xen-policy@ node after xen,xen-bootargs, before the domains', () => {
    const g = generate(folder(policy()), { write: false, env: {} });
    expect(g.plan.loads.map((l) => [l.id, l.keys.join('+'), l.addr, l.regSize])).to.deep.equal([
      ['domU0_kernel', 'DOMU_KERNEL[0]', 0x40400000, 30 * MiB],
      ['domU0_ramdisk', 'DOMU_RAMDISK[0]', 0x42200000, 295],
      ['host_kernel', 'XEN', 0x42400000, 1269960],
      ['xen_policy', 'XEN_POLICY', 0x42600000, 5000],
      ['host_fdt', 'DEVICE_TREE', 0x42800000, 19137],
    ]);
    const lines = g.outputs.source.split('\n');
    const at = lines.indexOf('fdt set /chosen xen,xen-bootargs "console=dtuart dtuart=/pl011@9000000"');
    expect(lines.slice(at + 1, at + 5)).to.deep.equal([
      'fdt mknod /chosen xen-policy@42600000',
      'fdt set /chosen/xen-policy@42600000 compatible  "xen,xsm-policy" "xen,multiboot-module" "multiboot,module"',
      'fdt set /chosen/xen-policy@42600000 reg <0x0 0x42600000 0x0 0x1388 >',
      'fdt mknod /chosen domU0',
    ]);
    expect(lines).to.include('tftpb 0x42600000 xenpolicy');
  });

  it('warns that Debian\'s 4.20 build (FLASK built in, SILO the default) copies the policy in but does not enforce it; flask=enforcing silences it', () => {
    const g = generate(folder(policy()), { write: false, env: {} });
    expect(g.plan.diagnostics.filter((d) => d.code === 'PLAN_XEN_IGNORES_KEY').map((d) => [d.key, d.message])).to.deep.equal([
      ['XEN_POLICY', 'XEN_POLICY: this Xen 4.20.5-pre build\'s default XSM module is not FLASK (CONFIG_XSM_FLASK_DEFAULT is off) and XEN_CMD has no flask=, so Xen copies the policy in and does not enforce it'],
    ]);
    const e = generate(folder(policy(), 'console=dtuart dtuart=/pl011@9000000 flask=enforcing'), { write: false, env: {} });
    expect(e.plan.diagnostics.filter((d) => d.code === 'PLAN_XEN_IGNORES_KEY')).to.deep.equal([]);
  });

  it('the simulated Xen copies the policy in as the real Debian build does (FLASK built in, SILO active) and every domain comes up', () => {
    const v = verifyGenerated(generate(folder(policy()), { write: false, env: {} }));
    expect(v.domains.map((d) => [d.name, d.verdict])).to.deep.equal([['domU0', 'up']]);
    // As the real trixie boot prints it (lab case gen-xen-policy).
    expect(v.xen!.console.filter((l) => /XSM|xsm:/.test(l))).to.deep.equal([
      '(XEN) XSM Framework v1.0.1 initialized',
      '(XEN) xsm: Policy len = 0x0000000000001388 start at 0x0000000042600000',
      '(XEN) Initialising XSM SILO mode',
    ]);
  });

  it('refuses a file without the FLASK magic, at XEN_POLICY\'s line', () => {
    let err: unknown;
    try { generate(folder(policy(0x12345678)), { write: false, env: {} }); } catch (e) { err = e; }
    expect(err).to.be.instanceOf(UbootGenError);
    const e = err as UbootGenError;
    expect([e.code, e.where?.key, e.where?.line, e.where?.col]).to.deep.equal(['IMAGE_WRONG_TYPE', 'XEN_POLICY', 5, 12]);
    expect(e.message).to.equal('XEN_POLICY = "xenpolicy" does not start with the FLASK policy magic 0xf97cff8c, so it is not an XSM policy');
  });
});
