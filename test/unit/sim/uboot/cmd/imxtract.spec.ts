// `imxtract` and `source ADDR:NAME` on FIT images written by src/fit (byte-equal to mkimage's, see
// test/unit/fit), with the console lines of U-Boot 2023.01's cmd/ximg.c, cmd/source.c and boot/image-fit.c.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mkimageFit, readKeyPair, type FitImage, type FitSpec } from '../../../../../src/fit/index.js';
import { FdtWriter } from '../../../../../src/fdt/index.js';
import { createMachine, runCommands, simulateUboot, typeLine, type Machine } from '../../../../../src/sim/uboot/index.js';
import { tempDir } from '../../../../helpers/temp.js';
import { expectConsole } from '../helpers.js';

const FIT_ADDR = 0x48000000;
const KERNEL = new Uint8Array(3000).map((_, i) => (i * 13) & 0xff);
const SCRIPT = 'imxtract $fit_addr host_kernel 0x40400000\necho extracted $filesize\n';

function spec(opts: { hashAlgo?: FitSpec['hashAlgo']; signed?: boolean } = {}): FitSpec {
  // The images of the real-boot fixture below, byte for byte.
  const kernel: FitImage = { name: 'host_kernel', description: 'k', path: 'k', data: KERNEL, type: 'kernel', arch: 'arm64', os: 'linux', load: 0x40400000, entry: 0x40400000 };
  const script: FitImage = { name: 'boot_scr', description: 's', path: 's', data: Buffer.from(`fit_addr=$fileaddr\n${SCRIPT}`), type: 'script', load: 0xC00000, entry: 0xC00000 };
  return {
    images: [kernel, script],
    configuration: { description: 'Imagebuilder xen', kernel: 'host_kernel', fdt: [] },
    ...(opts.hashAlgo ? { hashAlgo: opts.hashAlgo } : {}),
    ...(opts.signed ? { signing: { keyHint: 'dev', algo: 'sha1,rsa2048' as const } } : {}),
  };
}

/** A DTB with only a root model: what U-Boot's own DTB is before -K adds a key. */
const bareDtb = (): Uint8Array => new FdtWriter().beginNode('').propertyString('model', 'board').endNode().finish();

function makeKey(dir: string, hint: string): void {
  execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', path.join(dir, `${hint}.key`)], { stdio: 'ignore' });
  execFileSync('openssl', ['req', '-batch', '-new', '-x509', '-days', '1', '-subj', '/CN=t', '-key', path.join(dir, `${hint}.key`), '-out', path.join(dir, `${hint}.crt`)], { stdio: 'ignore' });
}

describe('sim → uboot → cmd → imxtract, source ADDR:NAME (FIT)', () => {
  let root: string;
  let m: Machine;
  const place = (fit: Uint8Array): void => { m.ram.write(FIT_ADDR, fit, 'boot.fit'); };
  before(() => { root = tempDir('fit-sim-'); });

  it('extracts a sha256-hashed image: verifies it, copies it, points fileaddr/filesize into the FIT', () => {
    m = createMachine({ root });
    const fit = mkimageFit(spec({ hashAlgo: 'sha256' }), { timestamp: 0 }).fit;
    place(fit);
    expect(runCommands(m, 'imxtract 48000000 host_kernel 0x40400000')).to.equal(0);
    expectConsole(m).nextLine("## Copying 'host_kernel' subimage from FIT image at 48000000 ...").nextLine('sha256+    Loading part 0 ... OK').end();
    expect(Buffer.from(m.ram.read(0x40400000, KERNEL.length)).equals(Buffer.from(KERNEL))).to.equal(true);
    const inside = Buffer.from(fit).indexOf(Buffer.from(KERNEL));
    expect(m.env.get('fileaddr')).to.equal((FIT_ADDR + inside).toString(16));
    expect(m.env.get('filesize')).to.equal(KERNEL.length.toString(16));
  });

  it('md5 (ImageBuilder\'s hash) verifies on Debian\'s build, and is refused by a build without it', () => {
    m = createMachine({ root, build: { fitHashAlgos: ['sha256'] } });
    place(mkimageFit(spec(), { timestamp: 0 }).fit);
    expect(runCommands(m, 'imxtract 48000000 host_kernel 0x40400000')).to.equal(1);
    expectConsole(m).nextLine("## Copying 'host_kernel' subimage from FIT image at 48000000 ...")
      .nextLine('md5 error!').nextLine("Unsupported hash algorithm for 'hash' hash node in 'host_kernel' image node").nextLine('Bad Data Hash').end();
    m = createMachine({ root });
    place(mkimageFit(spec(), { timestamp: 0 }).fit);
    expect(runCommands(m, 'imxtract 48000000 host_kernel 0x40400000')).to.equal(0);
    expectConsole(m).nextLine("## Copying 'host_kernel' subimage from FIT image at 48000000 ...").nextLine('md5+    Loading part 0 ... OK').end();
  });

  it('a corrupted image fails its hash; verify=n skips the check', () => {
    const fit = mkimageFit(spec({ hashAlgo: 'sha256' }), { timestamp: 0 }).fit;
    fit[Buffer.from(fit).indexOf(Buffer.from(KERNEL)) + 100]! ^= 1;
    m = createMachine({ root });
    place(fit);
    expect(runCommands(m, 'imxtract 48000000 host_kernel 0x40400000')).to.equal(1);
    expectConsole(m).nextLine("## Copying 'host_kernel' subimage from FIT image at 48000000 ...")
      .nextLine('sha256 error!').nextLine("Bad hash value for 'hash' hash node in 'host_kernel' image node").nextLine('Bad Data Hash').end();
    m = createMachine({ root, env: { verify: 'n' } });
    place(fit);
    expect(runCommands(m, 'imxtract 48000000 host_kernel 0x40400000')).to.equal(0);
  });

  it('prints the part number U-Boot reads from the image name (hextoul), as the real board does', () => {
    m = createMachine({ root });
    const s = spec({ hashAlgo: 'sha256' });
    const renamed = { ...s, images: s.images.map((i) => (i.name === 'host_kernel' ? { ...i, name: 'dom0_linux' } : i)), configuration: { ...s.configuration, kernel: 'dom0_linux' } };
    place(mkimageFit(renamed, { timestamp: 0 }).fit);
    expect(runCommands(m, 'imxtract 48000000 dom0_linux 0x40400000')).to.equal(0);
    expectConsole(m).nextLine("## Copying 'dom0_linux' subimage from FIT image at 48000000 ...").nextLine('sha256+    Loading part 13 ... OK').end();
  });

  it('names what is missing: no subimage, not a FIT, a DTB that is not a FIT', () => {
    m = createMachine({ root });
    place(mkimageFit(spec({ hashAlgo: 'sha256' }), { timestamp: 0 }).fit);
    m.ram.write(0x47000000, bareDtb(), 'dtb');
    expect(runCommands(m, 'imxtract 48000000 dom0_linux 0x40400000')).to.equal(1);
    expect(runCommands(m, 'imxtract 46000000 host_kernel 0x40400000')).to.equal(1);
    expect(runCommands(m, 'imxtract 47000000 host_kernel 0x40400000')).to.equal(1);
    expectConsole(m).nextLine("## Copying 'dom0_linux' subimage from FIT image at 48000000 ...").nextLine("Can't find 'dom0_linux' FIT subimage")
      .nextLine('Invalid image type for imxtract')
      .nextLine("## Copying 'host_kernel' subimage from FIT image at 47000000 ...").nextLine('Bad FIT image format').end();
  });

  it('signed: the required key in U-Boot\'s DTB verifies; another key or a changed byte is refused', () => {
    const keys = tempDir('keys-');
    makeKey(keys, 'dev');
    fs.mkdirSync(path.join(keys, 'other'));
    makeKey(path.join(keys, 'other'), 'dev');
    const signed = mkimageFit(spec({ signed: true }), { timestamp: 0, key: readKeyPair(keys, 'dev'), ubootDtb: bareDtb() });
    const wrongKeyDtb = mkimageFit(spec({ signed: true }), { timestamp: 0, key: readKeyPair(path.join(keys, 'other'), 'dev'), ubootDtb: bareDtb() }).ubootDtb!;

    m = createMachine({ root, controlFdt: signed.ubootDtb });
    place(signed.fit);
    expect(runCommands(m, 'imxtract 48000000 host_kernel 0x40400000')).to.equal(0);
    expectConsole(m).nextLine("## Copying 'host_kernel' subimage from FIT image at 48000000 ...").nextLine('sha1,rsa2048:dev+    Loading part 0 ... OK').end();

    m = createMachine({ root, controlFdt: wrongKeyDtb });
    place(signed.fit);
    expect(runCommands(m, 'imxtract 48000000 host_kernel 0x40400000')).to.equal(1);
    expectConsole(m).nextLine("## Copying 'host_kernel' subimage from FIT image at 48000000 ...")
      .nextLine("sha1,rsa2048:dev- Failed to verify required signature 'key-dev'")
      .nextLine(' error!').nextLine("Unable to verify required signature for '' hash node in 'host_kernel' image node").nextLine('Bad Data Hash').end();

    const tampered = signed.fit.slice();
    tampered[Buffer.from(tampered).indexOf(Buffer.from(KERNEL)) + 7]! ^= 0x80;
    m = createMachine({ root, controlFdt: signed.ubootDtb });
    place(tampered);
    expect(runCommands(m, 'imxtract 48000000 host_kernel 0x40400000')).to.equal(1);
    expect(m.console.transcript()).to.include('Bad Data Hash');

    // No key in U-Boot's DTB: the signature is shown as unverified ("- ") but nothing requires it.
    m = createMachine({ root, controlFdt: bareDtb() });
    place(signed.fit);
    expect(runCommands(m, 'imxtract 48000000 host_kernel 0x40400000')).to.equal(0);
    expectConsole(m).nextLine("## Copying 'host_kernel' subimage from FIT image at 48000000 ...").nextLine('sha1,rsa2048:dev-    Loading part 0 ... OK').end();
    // A build without FIT signatures ignores signature nodes altogether.
    m = createMachine({ root, controlFdt: wrongKeyDtb, build: { fitSignature: false } });
    place(signed.fit);
    expect(runCommands(m, 'imxtract 48000000 host_kernel 0x40400000')).to.equal(0);
    expectConsole(m).nextLine("## Copying 'host_kernel' subimage from FIT image at 48000000 ...").nextLine('   Loading part 0 ... OK').end();
  });

  it('source ADDR:boot_scr runs the script image, which extracts from $fileaddr', () => {
    const fit = mkimageFit(spec({ hashAlgo: 'sha256' }), { timestamp: 0 }).fit;
    const r = simulateUboot({ script: fit, root, scriptAddr: FIT_ADDR, scriptName: 'boot.fit', fitScript: 'boot_scr' });
    expect(r.console).to.deep.equal([
      '=> tftpb 48000000 boot.fit',
      'Using virtio-net#32 device',
      'TFTP from server 10.0.2.2; our IP address is 10.0.2.15',
      "Filename 'boot.fit'.",
      'Load address: 0x48000000',
      ...r.console.slice(5, r.console.indexOf('=> source 48000000:boot_scr')),
      '=> source 48000000:boot_scr',
      '## Executing script at 48000000',
      'sha256+ ## Copying \'host_kernel\' subimage from FIT image at 48000000 ...',
      'sha256+    Loading part 0 ... OK',
      `extracted ${KERNEL.length.toString(16)}`,
    ]);
    expect(r.failures).to.deep.equal([]);
    m = createMachine({ root });
    place(fit);
    expect(runCommands(m, 'source 48000000:host_kernel')).to.equal(1);
    expect(runCommands(m, 'source 48000000:nothing')).to.equal(1);
    expectConsole(m).nextLine('## Executing script at 48000000').nextLine('Not a image image')
      .nextLine('## Executing script at 48000000').nextLine("Can't find 'nothing' FIT subimage").end();
  });
});

describe('sim → uboot → imxtract/source on FITs, against a real boot', () => {
  // test/fixtures/fit/qemu-uboot-2023.01-signed.log: Debian's qemu_arm64 U-Boot 2023.01 on QEMU virt, started with
  // `-dtb` = QEMU's own DTB plus the public key (as -K adds it), running the commands below on these FITs; the
  // TFTP progress lines are left out of it and of the simulated transcript alike.
  const progress = /^(Loading: |\s*#*\s*$|done$|Bytes transferred|Using |TFTP from|Filename|Load address|.*[KM]iB\/s)/;

  it('prints what the real U-Boot printed, line for line', () => {
    const root = tempDir('fit-real-');
    const keys = tempDir('keys-');
    makeKey(keys, 'dev');
    fs.writeFileSync(path.join(root, 'md5.fit'), mkimageFit(spec(), { timestamp: 0 }).fit);
    const good = mkimageFit(spec({ hashAlgo: 'sha256' }), { timestamp: 0 }).fit;
    const bad = good.slice();
    bad[Buffer.from(bad).indexOf(Buffer.from(KERNEL)) + 100]! ^= 1;
    fs.writeFileSync(path.join(root, 'bad.fit'), bad);
    const signed = mkimageFit(spec({ signed: true }), { timestamp: 0, key: readKeyPair(keys, 'dev'), ubootDtb: bareDtb() });
    fs.writeFileSync(path.join(root, 'signed.fit'), signed.fit);
    const tampered = signed.fit.slice();
    tampered[Buffer.from(tampered).indexOf(Buffer.from(KERNEL)) + 7]! ^= 0x80;
    fs.writeFileSync(path.join(root, 'signed-tampered.fit'), tampered);

    const real = fs.readFileSync(path.join('test', 'fixtures', 'fit', 'qemu-uboot-2023.01-signed.log'), 'utf8').trimEnd().split('\n');
    const m = createMachine({ root, controlFdt: signed.ubootDtb });
    for (const line of real.filter((l) => l.startsWith('=> '))) typeLine(m, line.slice(3));
    expect(m.console.transcript().filter((l) => !progress.test(l))).to.deep.equal(real);
  });
});
