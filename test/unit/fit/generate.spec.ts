// FIT mode end to end: config → boot.source with imxtract → boot.fit (mkimage's bytes for the boot.its written
// next to it) → the simulated `source ADDR:boot_scr` boot, unsigned and signed.
import { expect } from 'chai';
import { verifySummary } from '../../../src/cli/verify-report.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generate } from '../../../src/api/generate.js';
import { verifyGenerated, verifyScript, boardForConfig } from '../../../src/api/verify.js';
import { tempDir } from '../../helpers/temp.js';
import { runTool } from '../../helpers/tools.js';

const CONFIG = [
  'MEMORY_START=0x40000000', 'MEMORY_END=0xC0000000', 'DEVICE_TREE=virt.dtb', 'XEN=xen',
  'XEN_CMD="console=dtuart dtuart=/pl011@9000000 dom0_mem=512M bootscrub=0"',
  'DOM0_KERNEL=Image', 'DOM0_RAMDISK=initrd.cpio.gz', 'DOM0_CMD="console=hvc0 root=/dev/ram0"',
  'NUM_DOMUS=1', 'DOMU_KERNEL[0]=Image', 'DOMU_RAMDISK[0]=initrd.cpio.gz', 'DOMU_MEM[0]=256', 'LOAD_CMD=tftpb', 'UBOOT_SOURCE=boot.source', '',
].join('\n');

function folder(extra = ''): string {
  const dir = tempDir('fitgen-');
  for (const f of ['virt.dtb', 'xen', 'Image', 'initrd.cpio.gz']) fs.copyFileSync(path.join('samples', f), path.join(dir, f));
  fs.writeFileSync(path.join(dir, 'config'), CONFIG + extra);
  return dir;
}

describe('fit: FIT mode end to end', () => {
  it('-f: imxtract lines, boot.fit equal to mkimage -f boot.its, the hint, and a simulated boot where every domain comes up', () => {
    const dir = folder();
    const gen = generate(path.join(dir, 'config'), { fit: true, timestamp: 0, env: {} });
    const lines = fs.readFileSync(path.join(dir, 'boot.source'), 'utf8').split('\n');
    expect(lines.slice(0, 6)).to.deep.equal([
      'fit_addr=$fileaddr',
      'imxtract $fit_addr dom0_linux 0x40400000',
      'imxtract $fit_addr dom0_ramdisk 0x42600000',
      'imxtract $fit_addr host_kernel 0x42800000',
      'imxtract $fit_addr host_fdt 0x42A00000',
      'fdt addr 0x42A00000',
    ]);
    expect(fs.existsSync(path.join(dir, 'boot.scr'))).to.equal(false);
    expect(gen.hint).to.equal('tftpb 0x42c00000 boot.fit; source 0x42c00000:boot_scr');
    runTool('mkimage', ['-q', '-f', 'boot.its', 'mk.fit'], { cwd: dir, env: { SOURCE_DATE_EPOCH: '0' } });
    expect(fs.readFileSync(path.join(dir, 'mk.fit')).equals(fs.readFileSync(path.join(dir, 'boot.fit')))).to.equal(true);
    const its = fs.readFileSync(path.join(dir, 'boot.its'), 'utf8');
    expect(its).to.contain('            loadables = "dom0_linux", "dom0_ramdisk";\n');
    expect(its).to.contain('        boot_scr {\n            description = "imagebuilder\'s boot script";\n            data = /incbin/("boot.source");\n');

    const report = verifyGenerated(gen);
    expect(verifySummary(report)).to.equal('every domain comes up (dom0, domU0)');
    expect(report.uboot.console).to.include('=> source 42c00000:boot_scr');
    expect(report.uboot.console).to.include("md5+ ## Copying 'dom0_linux' subimage from FIT image at 42c00000 ...");
  });

  it('-k/-u: signed images, the key required in U-Boot\'s DTB; a tampered FIT stops at U-Boot\'s real failure lines', () => {
    const dir = folder();
    fs.mkdirSync(path.join(dir, 'keys'));
    runTool('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', path.join(dir, 'keys', 'dev.key')]);
    runTool('openssl', ['req', '-batch', '-new', '-x509', '-days', '1', '-subj', '/CN=t', '-key', path.join(dir, 'keys', 'dev.key'), '-out', path.join(dir, 'keys', 'dev.crt')]);
    fs.copyFileSync(path.join(dir, 'virt.dtb'), path.join(dir, 'u-boot.dtb'));
    fs.copyFileSync(path.join(dir, 'u-boot.dtb'), path.join(dir, 'mk-u-boot.dtb'));
    const gen = generate(path.join(dir, 'config'), { fit: true, fitKeyDir: 'keys/dev', fitUbootDtb: 'u-boot.dtb', timestamp: 0, env: {} });
    expect(gen.fit?.signed).to.equal(true);
    // mkimage, given the same .its, key and DTB, writes the same FIT and the same key-holding DTB
    runTool('mkimage', ['-q', '-f', 'boot.its', '-r', '-k', 'keys/', '-K', 'mk-u-boot.dtb', 'mk.fit'], { cwd: dir, env: { SOURCE_DATE_EPOCH: '0' } });
    expect(fs.readFileSync(path.join(dir, 'mk.fit')).equals(fs.readFileSync(path.join(dir, 'boot.fit')))).to.equal(true);
    expect(fs.readFileSync(path.join(dir, 'mk-u-boot.dtb')).equals(fs.readFileSync(path.join(dir, 'u-boot.dtb')))).to.equal(true);
    expect(runTool('fdtget', [path.join(dir, 'u-boot.dtb'), '/signature/key-dev', 'required']).trim()).to.equal('image');

    const good = verifyGenerated(gen);
    expect(verifySummary(good)).to.equal('every domain comes up (dom0, domU0)');
    expect(good.uboot.console).to.include("sha1,rsa2048:dev+ ## Copying 'dom0_linux' subimage from FIT image at 42c00000 ...");

    const tampered = gen.outputs.script.slice();
    const xen = fs.readFileSync(path.join(dir, 'xen'));
    tampered[Buffer.from(tampered).indexOf(xen.subarray(0, 64)) + 70]! ^= 1;
    const bad = verifyScript(tampered, dir, boardForConfig(gen), { scriptAddr: gen.fit!.addr, scriptName: 'boot.fit', fitScript: 'boot_scr', controlFdt: gen.fit!.ubootDtb!.bytes });
    expect(bad.ok).to.equal(false);
    expect(bad.uboot.console).to.include.members([
      "sha1,rsa2048:dev- Failed to verify required signature 'key-dev'",
      "Unable to verify required signature for '' hash node in 'host_kernel' image node",
      'Bad Data Hash',
    ]);
    // hush goes on after the failed imxtract, so booti finds no Xen where it was to be extracted
    expect(bad.uboot.failures.map((f) => f.command)).to.deep.equal(['imxtract $fit_addr host_kernel 0x42800000', 'booti 0x42800000 - 0x42A00000']);
    expect(verifySummary(bad)).to.equal('U-Boot: the boot command failed at line 34 (`booti 0x42800000 - 0x42A00000`): U-Boot returned to its prompt; '
      + 'the first command to fail was line 4 (`imxtract $fit_addr host_kernel 0x42800000`: Bad Data Hash)');
  });

  it('a signed FIT whose key is in no U-Boot DTB is flagged: U-Boot would not check it', () => {
    const dir = folder();
    fs.mkdirSync(path.join(dir, 'keys'));
    runTool('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', path.join(dir, 'keys', 'dev.key')]);
    runTool('openssl', ['req', '-batch', '-new', '-x509', '-days', '1', '-subj', '/CN=t', '-key', path.join(dir, 'keys', 'dev.key'), '-out', path.join(dir, 'keys', 'dev.crt')]);
    const gen = generate(path.join(dir, 'config'), { fit: true, fitKeyDir: 'keys/dev', timestamp: 0, env: {}, write: false });
    expect(gen.diagnostics.map((d) => d.code)).to.include('PLAN_FIT_KEY_NOT_INSTALLED');
    const r = verifyGenerated(gen);
    expect(r.ok).to.equal(true);
    expect(r.uboot.console).to.include("sha1,rsa2048:dev- ## Copying 'dom0_linux' subimage from FIT image at 42c00000 ...");
  });
});

describe('fit: FIT mode refusals', () => {
  it('BOOT_CMD=bootm with FIT is refused at its line (Xen would have to be a uImage inside the FIT)', () => {
    const dir = folder('BOOT_CMD=bootm\n');
    let err: unknown;
    try { generate(path.join(dir, 'config'), { fit: true, timestamp: 0, env: {}, write: false }); } catch (e) { err = e; }
    expect((err as { code?: string }).code).to.equal('PLAN_FIT_BOOTM');
    expect((err as { where?: { line?: number } }).where?.line).to.equal(15);
  });
});

describe('fit: a signed FIT boot against the real one', () => {
  // test/fixtures/fit/qemu-uboot-2023.01-signed-fit-boot.log: Debian's qemu_arm64 U-Boot 2023.01 on QEMU virt
  // (gic-version=3, 2 GiB), started with `-dtb` = QEMU's DTB with the key uboot-gen added (-u), sourcing the
  // boot.fit uboot-gen wrote for test/fixtures/fit/signed-fit-boot.config with -f -k keys/dev -u u-boot.dtb
  // (Debian's Xen 4.17 and Linux 6.1; dom0 and domU0 both came up). The samples have the same load addresses.
  it('U-Boot prints the same lines from `source` to "Starting kernel ..."', () => {
    const dir = tempDir('fitreal-');
    for (const f of ['xen', 'Image']) fs.copyFileSync(path.join('samples', f), path.join(dir, f));
    fs.copyFileSync(path.join('samples', 'initrd.cpio.gz'), path.join(dir, 'initramfs.cpio.gz'));
    fs.copyFileSync(path.join('test', 'fixtures', 'dtb', 'qemu-virt-gicv3-2g.dtb'), path.join(dir, 'virt.dtb'));
    fs.copyFileSync(path.join(dir, 'virt.dtb'), path.join(dir, 'u-boot.dtb'));
    fs.writeFileSync(path.join(dir, 'extra.cmds'), 'fdt set /pl061@9030000 status "disabled"\n');
    fs.copyFileSync(path.join('test', 'fixtures', 'fit', 'signed-fit-boot.config'), path.join(dir, 'config'));
    fs.mkdirSync(path.join(dir, 'keys'));
    runTool('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', path.join(dir, 'keys', 'dev.key')]);
    runTool('openssl', ['req', '-batch', '-new', '-x509', '-days', '1', '-subj', '/CN=t', '-key', path.join(dir, 'keys', 'dev.key'), '-out', path.join(dir, 'keys', 'dev.crt')]);
    const gen = generate(path.join(dir, 'config'), { fit: true, fitKeyDir: 'keys/dev', fitUbootDtb: 'u-boot.dtb', timestamp: 0, env: {} });
    expect(gen.hint).to.equal('tftpb 0x42c00000 boot.fit; source 0x42c00000:boot_scr');
    const r = verifyGenerated(gen);
    const real = fs.readFileSync(path.join('test', 'fixtures', 'fit', 'qemu-uboot-2023.01-signed-fit-boot.log'), 'utf8').trimEnd().split('\n');
    const from = r.uboot.console.indexOf(real[0]!);
    expect(r.uboot.console.slice(from, from + real.length)).to.deep.equal(real);
    expect(verifySummary(r)).to.equal('every domain comes up (dom0, domU0)');
  });
});
