// The FIT writer against the real mkimage (u-boot-tools): same .its in, same bytes out, unsigned and signed.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mkimageFit, readKeyPair, renderIts, rsaPublicParams, type FitImage, type FitSpec } from '../../../src/fit/index.js';
import { tempDir } from '../../helpers/temp.js';
import { runTool } from '../../helpers/tools.js';

const EPOCH = 1_700_000_000;
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A dom0 + one domU FIT in ImageBuilder's image order, its files written into `dir`. */
function xenSpec(dir: string, signed: boolean): FitSpec {
  const files: Record<string, Uint8Array> = {
    'board-fit.dtb': fs.readFileSync(path.join('samples', 'virt.dtb')),
    'xen': bytes('xen image bytes, not a real one: 33 bytes'),
    'Image': new Uint8Array(5000).map((_, i) => (i * 7) & 0xff),
    'initrd.cpio.gz': bytes('ramdisk!'),
    'boot.source': bytes('fit_addr=$fileaddr\nimxtract $fit_addr host_kernel 0x40600000\n'),
  };
  for (const [name, data] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), data);
  const img = (name: string, description: string, file: string, type: FitImage['type'], load: number, extra: Partial<FitImage> = {}): FitImage =>
    ({ name, description, path: file, data: files[file]!, type, arch: 'arm64', load, ...extra });
  return {
    images: [
      img('host_fdt', 'xen fdt', 'board-fit.dtb', 'flat_dt', 0x43200000),
      img('host_kernel', 'xen kernel', 'xen', 'kernel', 0x40E00000, { os: 'linux', entry: 0x40E00000 }),
      img('dom0_ramdisk', 'dom0 ramdisk', 'initrd.cpio.gz', 'ramdisk', 0x43000000, { os: 'linux' }),
      img('dom0_linux', 'dom0 linux kernel binary', 'Image', 'kernel', 0x41000000, { os: 'linux' }),
      img('domU0_kernel', 'domU0 kernel binary', 'Image', 'kernel', 0x41E00000, { os: 'linux' }),
      img('boot_scr', "imagebuilder's boot script", 'boot.source', 'script', 0xC00000, { arch: undefined, entry: 0xC00000 }),
    ],
    configuration: { description: 'Imagebuilder xen', kernel: 'host_kernel', fdt: ['host_fdt'], loadables: ['dom0_linux', 'dom0_ramdisk', 'domU0_kernel'] },
    ...(signed ? { signing: { keyHint: 'dev', algo: 'sha1,rsa2048' as const } } : {}),
  };
}

const mkimage = (dir: string, args: string[]): void => { runTool('mkimage', args, { cwd: dir, env: { SOURCE_DATE_EPOCH: String(EPOCH) } }); };

describe('fit/mkimage: FIT images byte-equal to mkimage -f', () => {
  it('writes the .its exactly as ImageBuilder lays it out', () => {
    const dir = tempDir('its-');
    const its = renderIts(xenSpec(dir, false));
    const lines = its.split('\n');
    expect(lines.slice(0, 20)).to.deep.equal([
      '/dts-v1/;',
      '/ {',
      '    description = "Configuration from Imagebuilder to load Xen/Linux";',
      '    #address-cells = <1>;',
      '    images {',
      '        host_fdt {',
      '            description = "xen fdt";',
      '            data = /incbin/("board-fit.dtb");',
      '            type = "flat_dt";',
      '            arch = "arm64";',
      '            compression = "none";',
      '            load = <0x43200000>;',
      '            hash {',
      '                algo = "md5";',
      '            };',
      '        };',
      '        host_kernel {',
      '            description = "xen kernel";',
      '            data = /incbin/("xen");',
      '            type = "kernel";',
    ]);
    expect(lines.slice(-19)).to.deep.equal([
      '            entry = <0xC00000>;',
      '            hash {',
      '                algo = "md5";',
      '            };',
      '        };',
      '    };',
      '    configurations {',
      '        default = "config";',
      '        config {',
      '            description = "Imagebuilder xen";',
      '            kernel = "host_kernel";',
      '            fdt = "host_fdt";',
      '            ',
      '            ',
      '            loadables = "dom0_linux", "dom0_ramdisk", "domU0_kernel";',
      '        };',
      '    };',
      '};',
      '',
    ]);
  });

  it('an unsigned FIT is mkimage\'s, byte for byte, and dumpimage lists it', () => {
    const dir = tempDir('fit-');
    const spec = xenSpec(dir, false);
    fs.writeFileSync(path.join(dir, 'boot.its'), renderIts(spec));
    mkimage(dir, ['-q', '-f', 'boot.its', 'boot.fit']);
    const real = new Uint8Array(fs.readFileSync(path.join(dir, 'boot.fit')));
    const ours = mkimageFit(spec, { timestamp: EPOCH }).fit;
    expect(ours.length).to.equal(real.length);
    expect(Buffer.from(ours).equals(Buffer.from(real))).to.equal(true);
    fs.writeFileSync(path.join(dir, 'ours.fit'), ours);
    const listing = runTool('dumpimage', ['-l', 'ours.fit'], { cwd: dir });
    expect(listing).to.contain('FIT description: Configuration from Imagebuilder to load Xen/Linux');
    expect(listing).to.contain(' Image 5 (boot_scr)');
    expect(listing).to.contain('  Hash algo:    md5');
    expect(listing).to.contain(' Default Configuration: \'config\'');
  });

  it('with sha256 hashes (a uboot-gen option) the FIT is still mkimage\'s', () => {
    const dir = tempDir('fit256-');
    const spec = { ...xenSpec(dir, false), hashAlgo: 'sha256' as const };
    const its = renderIts(spec);
    expect(its).to.contain('            hash {\n                algo = "sha256";\n            };\n');
    fs.writeFileSync(path.join(dir, 'boot.its'), its);
    mkimage(dir, ['-q', '-f', 'boot.its', 'boot.fit']);
    expect(Buffer.from(mkimageFit(spec, { timestamp: EPOCH }).fit).equals(fs.readFileSync(path.join(dir, 'boot.fit')))).to.equal(true);
  });

  it('a signed FIT and the key in U-Boot\'s DTB are mkimage -r -k -K\'s, byte for byte', () => {
    const dir = tempDir('sfit-');
    const keys = path.join(dir, 'keys');
    fs.mkdirSync(keys);
    runTool('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', path.join(keys, 'dev.key')]);
    runTool('openssl', ['req', '-batch', '-new', '-x509', '-days', '1', '-subj', '/CN=test', '-key', path.join(keys, 'dev.key'), '-out', path.join(keys, 'dev.crt')]);
    fs.writeFileSync(path.join(dir, 'u-boot.dts'), '/dts-v1/;\n/ {\n\tmodel = "test board";\n\tchosen { };\n};\n');
    runTool('dtc', ['-I', 'dts', '-O', 'dtb', '-o', 'u-boot.dtb', 'u-boot.dts'], { cwd: dir });
    const ubootDtb = new Uint8Array(fs.readFileSync(path.join(dir, 'u-boot.dtb')));
    const spec = xenSpec(dir, true);
    fs.writeFileSync(path.join(dir, 'boot.its'), renderIts(spec));
    mkimage(dir, ['-q', '-f', 'boot.its', '-r', '-k', 'keys/', '-K', 'u-boot.dtb', 'boot.fit']);
    const ours = mkimageFit(spec, { timestamp: EPOCH, key: readKeyPair(keys, 'dev'), ubootDtb });
    expect(Buffer.from(ours.fit).equals(fs.readFileSync(path.join(dir, 'boot.fit')))).to.equal(true);
    expect(Buffer.from(ours.ubootDtb!).equals(fs.readFileSync(path.join(dir, 'u-boot.dtb')))).to.equal(true);
    expect(runTool('fdtget', [path.join(dir, 'u-boot.dtb'), '/signature/key-dev', 'rsa,num-bits']).trim()).to.equal('2048');
    expect(runTool('fdtget', [path.join(dir, 'u-boot.dtb'), '/signature/key-dev', 'required']).trim()).to.equal('image');
    // the public numbers are the certificate's, as openssl prints them
    const modulusHex = runTool('openssl', ['x509', '-noout', '-modulus', '-in', path.join(keys, 'dev.crt')]).trim().replace('Modulus=', '');
    expect(Buffer.from(rsaPublicParams(readKeyPair(keys, 'dev').publicKey).modulus).toString('hex').toUpperCase()).to.equal(modulusHex);
  });
});
