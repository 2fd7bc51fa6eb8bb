import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { expect } from 'chai';
import { UbootGenError } from '../../../src/errors.js';
import { writeUImage, IH_ARCH_ARM64, IH_COMP_GZIP, IH_COMP_NONE, IH_OS_LINUX, IH_TYPE_KERNEL, IH_COMP_LZMA } from '../../../src/images/uimage.js';
import {
  describeXenBuild, domUDtbLimit, earlyParseErrorPanics, findConfigMember, isEnabled, optionValue, parseXenKconfig, parseXenRelease,
  readXenConfigFile, readXenImageFile, resolveXenBuild, scanXenImage, sharingGroup, sharingRule, xenCmdWarnings, KCONFIG_FACTS, RELEASE_BUILD_DEFAULTS,
} from '../../../src/xen-build/index.js';
import { fixturePath } from '../../helpers/paths.js';
import { tempDir } from '../../helpers/temp.js';
import { hasTool } from '../../helpers/tools.js';
import { DEBIAN_417_CONFIG, DEBIAN_420_CONFIG, gzipN, syntheticXen } from './fixtures.js';

const FULL = `#
# Automatically generated file; DO NOT EDIT.
# Xen/arm 4.20.4 Configuration
#
CONFIG_ARM_64=y
CONFIG_STATIC_MEMORY=y
CONFIG_STATIC_SHM=y
CONFIG_BOOT_TIME_CPUPOOLS=y
CONFIG_SCHED_NULL=y
CONFIG_SCHED_CREDIT2=y
CONFIG_SCHED_DEFAULT="credit2"
CONFIG_NR_CPUS=16
CONFIG_DEBUG=y
# CONFIG_HYPFS_CONFIG is not set
`;

describe('xen-build: Kconfig text', () => {
  it('reads the header, set, unset and quoted values of Debian\'s 4.17 .config', () => {
    const k = parseXenKconfig(DEBIAN_417_CONFIG, 'debian-xen-4.17-arm64.config');
    expect(k.arch).to.equal('arm');
    expect(k.version).to.equal('4.17.7');
    expect(k.values.get('SCHED_DEFAULT')).to.equal('credit2');
    expect(k.values.get('NR_CPUS')).to.equal('128');
    expect(k.values.get('DEBUG')).to.equal('n');
    expect(k.values.get('BOOT_TIME_CPUPOOLS')).to.equal('n');
    expect(k.values.get('SBSA_VUART_CONSOLE')).to.equal('y');
    expect(k.values.has('STATIC_MEMORY')).to.equal(false);
    expect(k.values.has('SCHED_NULL')).to.equal(false);
  });

  it('refuses a file that is not a .config, naming the line', () => {
    try {
      parseXenKconfig('#\n# Automatically generated file; DO NOT EDIT.\nCONFIG_A=y\nhello world\n', 'x.config');
      expect.fail('accepted');
    } catch (e) {
      expect(e).to.be.instanceOf(UbootGenError);
      expect((e as UbootGenError).code).to.equal('IMAGE_WRONG_TYPE');
      expect((e as UbootGenError).where).to.deep.equal({ file: 'x.config', line: 4 });
    }
    expect(() => parseXenKconfig('# only a comment\n', 'y.config')).to.throw(/has no CONFIG_ lines/);
  });

  it('parses release numbers with patch and suffix', () => {
    expect(parseXenRelease('4.20.5-pre')).to.deep.equal({ text: '4.20.5-pre', minor: 20, patch: 5, extra: '-pre' });
    expect(parseXenRelease('4.17')).to.deep.equal({ text: '4.17', minor: 17 });
    expect(parseXenRelease('5.0')).to.equal(undefined);
    expect(parseXenRelease('4.17; rm -rf /')).to.equal(undefined);
  });
});

describe('xen-build: the .config embedded in a Xen image', () => {
  it('finds the member at Debian 4.17\'s offset, past stray gzip magics and a decoy member', () => {
    const x = syntheticXen(DEBIAN_417_CONFIG, { decoyGzip: true });
    const m = findConfigMember(x.bytes)!;
    expect(m.offset).to.equal(0x75f80);
    expect(m.text).to.equal(DEBIAN_417_CONFIG);
    expect(m.text.length).to.equal(2557);
    expect(m.compressedSize).to.equal(gzipN(DEBIAN_417_CONFIG).length - 18);
  });

  it('reads release, DEBUG and the options from an Image (= EFI binary)', () => {
    const b = resolveXenBuild({ image: { bytes: syntheticXen(DEBIAN_420_CONFIG, { memberOffset: 0x75ec0, compatible: 'xen,xen-4.20' }).bytes, name: 'xen' } });
    expect(b.release).to.deep.equal({ text: '4.20.5-pre', minor: 20, patch: 5, extra: '-pre' });
    expect(b.versionFrom).to.equal('embedded .config');
    expect(b.optionsFrom).to.equal('embedded .config');
    expect(b.embedded!.offset).to.equal(0x75ec0);
    expect(b.embedded!.text.length).to.equal(3041);
    expect(isEnabled(b, 'DEBUG')).to.equal(false);
    expect(isEnabled(b, 'STATIC_MEMORY')).to.equal(false);
    expect(isEnabled(b, 'SCHED_NULL')).to.equal(false);
    expect(isEnabled(b, 'DOM0LESS_BOOT')).to.equal(true);
    expect(isEnabled(b, 'STATIC_EVTCHN')).to.equal(true);
    expect(optionValue(b, 'SCHED_DEFAULT')).to.equal('credit2');
    expect(describeXenBuild(b)).to.equal('Xen 4.20.5-pre (build: STATIC_MEMORY n, SCHED_NULL n, DEBUG n)');
  });

  it('reads a full-featured debug build', () => {
    const b = resolveXenBuild({ image: { bytes: syntheticXen(FULL).bytes, name: 'xen' } });
    expect(b.release.text).to.equal('4.20.4');
    for (const o of ['STATIC_MEMORY', 'STATIC_SHM', 'BOOT_TIME_CPUPOOLS', 'SCHED_NULL', 'DEBUG']) expect(isEnabled(b, o), o).to.equal(true);
    expect(isEnabled(b, 'HYPFS_CONFIG')).to.equal(false);
    expect(optionValue(b, 'NR_CPUS')).to.equal('16');
    expect(describeXenBuild(b)).to.equal('Xen 4.20.4 (build: STATIC_MEMORY y, SCHED_NULL y, DEBUG y)');
  });

  it('finds it 64 bytes further in a uImage, and after inflating a gzip\'d Xen or a gzip uImage', () => {
    const x = syntheticXen(DEBIAN_417_CONFIG);
    const hdr = { os: IH_OS_LINUX, arch: IH_ARCH_ARM64, type: IH_TYPE_KERNEL, load: 0x42800000, ep: 0x42800000, name: '', time: 0 };
    const ub = writeUImage({ ...hdr, comp: IH_COMP_NONE }, x.bytes);
    const s1 = scanXenImage(ub, 'xen.ub');
    expect(s1.container).to.equal('uimage');
    expect(s1.config!.offset + s1.config!.imageOffset).to.equal(0x75f80 + 64);
    const gz = new Uint8Array(zlib.gzipSync(x.bytes));
    const s2 = scanXenImage(gz, 'xen.gz');
    expect(s2.container).to.equal('gzip');
    expect(s2.config!.offset).to.equal(0x75f80);
    expect(s2.config!.text).to.equal(DEBIAN_417_CONFIG);
    const s3 = scanXenImage(writeUImage({ ...hdr, comp: IH_COMP_GZIP }, gz), 'xen-gz.ub');
    expect(s3.container).to.equal('uimage+gzip');
    expect(s3.config!.text).to.equal(DEBIAN_417_CONFIG);
    expect(s3.compatibleVersion).to.equal('4.17');
    expect(() => scanXenImage(writeUImage({ ...hdr, comp: IH_COMP_LZMA }, x.bytes), 'xen-lzma.ub')).to.throw(/compression 3 is not none or gzip/);
  });

  it('knows a tree with Xen e888192d13 by its message in the image (Debian trixie 4.20.4+63 has it, 4.17.7 not)', () => {
    const plain = syntheticXen(DEBIAN_420_CONFIG, { memberOffset: 0x75ec0 }).bytes;
    expect(scanXenImage(plain, 'xen').rejectsStaticMemAtParse).to.equal(false);
    const withFix = new Uint8Array(plain);
    withFix.set(Buffer.from('CONFIG_STATIC_MEMORY must be enabled for parsing xen,static-mem\n\0', 'latin1'), 0x1000);
    expect(scanXenImage(withFix, 'xen').rejectsStaticMemAtParse).to.equal(true);
    expect(resolveXenBuild({ image: { bytes: withFix, name: 'xen' } }).rejectsStaticMemAtParse).to.equal(true);
    expect(resolveXenBuild({ versionOverride: '4.22' }).rejectsStaticMemAtParse).to.equal(false);
    expect(resolveXenBuild({ versionOverride: '4.23' }).rejectsStaticMemAtParse).to.equal(true);
  });

  it('reads a real mkimage uImage the same way', function () {
    if (!hasTool('mkimage')) this.skip();
    const dir = tempDir('xb-');
    const raw = path.join(dir, 'xen');
    fs.writeFileSync(raw, syntheticXen(DEBIAN_420_CONFIG, { memberOffset: 0x75ec0 }).bytes);
    execFileSync('mkimage', ['-A', 'arm64', '-O', 'linux', '-T', 'kernel', '-C', 'none', '-a', '0x42800000', '-e', '0x42800000', '-d', raw, path.join(dir, 'xen.ub')], { stdio: 'ignore' });
    const b = resolveXenBuild({ image: readXenImageFile(path.join(dir, 'xen.ub')) });
    expect(b.release.text).to.equal('4.20.5-pre');
    expect(b.embedded!.imageOffset + b.embedded!.offset).to.equal(0x75f00);
  });

  it('without HYPFS_CONFIG: the release from "xen,xen-4.NN", the options assumed from release defaults', () => {
    const b = resolveXenBuild({ image: { bytes: syntheticXen(undefined, { compatible: 'xen,xen-4.19' }).bytes, name: 'xen' } });
    expect(b.release).to.deep.equal({ text: '4.19', minor: 19 });
    expect(b.versionFrom).to.equal('xen,xen compatible');
    expect(b.optionsFrom).to.equal('release defaults');
    expect(isEnabled(b, 'SCHED_NULL')).to.equal(false);
    expect(optionValue(b, 'SCHED_DEFAULT')).to.equal('credit2');
    expect(describeXenBuild(b)).to.equal('Xen 4.19 (build assumed: STATIC_MEMORY n, SCHED_NULL n, DEBUG n)');
  });

  it('--xen-config wins over the embedded one for options; --xen-version wins for the release', () => {
    const dir = tempDir('xb-');
    const cfg = path.join(dir, 'xen.config');
    fs.writeFileSync(cfg, FULL);
    const image = { bytes: syntheticXen(DEBIAN_417_CONFIG).bytes, name: 'xen' };
    const b = resolveXenBuild({ image, configFile: readXenConfigFile(cfg) });
    expect([b.release.text, b.versionFrom, b.optionsFrom, isEnabled(b, 'STATIC_MEMORY')]).to.deep.equal(['4.20.4', '--xen-config', '--xen-config', true]);
    const c = resolveXenBuild({ image, versionOverride: '4.18' });
    expect([c.release.text, c.versionFrom, c.optionsFrom]).to.deep.equal(['4.18', '--xen-version', 'embedded .config']);
    expect(() => resolveXenBuild({ versionOverride: 'four' })).to.throw(/not a Xen 4.x release number/);
    expect(() => readXenConfigFile(path.join(dir, 'missing'))).to.throw(/cannot read --xen-config/);
    expect(() => readXenConfigFile(fixturePath('images', 'xen-4.17-arm64.head'))).to.throw(UbootGenError);
  });

  it('no image and no flags: Xen 4.17 with release defaults', () => {
    const b = resolveXenBuild({});
    expect([b.release.text, b.versionFrom, b.optionsFrom]).to.deep.equal(['4.17', 'default', 'release defaults']);
    expect(b.options.get('SCHED_CREDIT2')).to.equal('y');
  });

  it('Debian\'s real .config files agree with the release defaults on every option the model uses', () => {
    for (const text of [DEBIAN_417_CONFIG, DEBIAN_420_CONFIG]) {
      const k = parseXenKconfig(text, 'debian');
      for (const [o, v] of Object.entries(RELEASE_BUILD_DEFAULTS)) expect(k.values.get(o) ?? 'n', `${k.version} ${o}`).to.equal(v);
    }
  });
});

describe('xen-build: hostile images', () => {
  // Mutations of a real-layout image (seeded, so a failure reproduces): the scanner returns or
  // throws a UbootGenError, never anything else, and never reads past the bytes it was given.
  it('300 mutated images: a result or a typed error', () => {
    let seed = 0x5eed;
    const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; };
    const base = syntheticXen(DEBIAN_417_CONFIG, { size: 0x80000, memberOffset: 0x40000 }).bytes;
    const member = gzipN(DEBIAN_417_CONFIG);
    for (let run = 0; run < 300; run++) {
      const b = base.slice(0, 0x40000 + member.length + rnd(0x40000));
      for (let k = rnd(40); k > 0; k--) {
        // Bias half the flips into the member: header flags, deflate stream, trailer.
        const at = rnd(2) ? 0x40000 + rnd(member.length) : rnd(b.length);
        b[at] = rnd(256);
      }
      if (rnd(4) === 0) b.set([0x1f, 0x8b, 0x08, 0x1f], rnd(b.length - 4)); // FLG with FEXTRA/FNAME/FCOMMENT set over garbage
      try {
        const r = scanXenImage(b, `mutant-${run}`);
        if (r.config) expect(r.config.text.startsWith('#\n# Automatically generated file; DO NOT EDIT.\n# Xen/')).to.equal(true);
      } catch (e) {
        expect(e, `run ${run}`).to.be.instanceOf(UbootGenError);
      }
    }
  });

  it('a gzip\'d "Xen" that inflates past 64 MiB is refused, not inflated', () => {
    const bomb = new Uint8Array(zlib.gzipSync(Buffer.alloc(65 * 1024 * 1024), { level: 9 }));
    expect(() => scanXenImage(bomb, 'bomb.gz')).to.throw(/inflates beyond 64 MiB/);
  });
});

describe('xen-build: per-release facts', () => {
  it('DOMU_DTB_SIZE: 4 KiB in 4.17, plus the passthrough DTB in 4.18–4.21, vCPU-based in 4.22, capped at 2 MiB', () => {
    expect(domUDtbLimit(17, 0x1000)).to.equal(4096);
    expect(domUDtbLimit(18, 0)).to.equal(4096);
    expect(domUDtbLimit(20, 0x800)).to.equal(4096 + 0x800);
    expect(domUDtbLimit(21, 4 * 1024 * 1024)).to.equal(2 * 1024 * 1024);
    expect(domUDtbLimit(22, 0)).to.equal(2048 + 128 * 128);
  });

  it('early parse errors panic from 4.19 only', () => {
    expect([17, 18, 19, 20].map(earlyParseErrorPanics)).to.deep.equal([false, false, true, true]);
  });

  it('sharing: dom0 and a domU may share one load on 4.17 only; domUs always; a gzip kernel never', () => {
    expect(sharingRule(17, 'kernel', 'dom0', 'domU').allowed).to.equal(true);
    expect(sharingRule(18, 'kernel', 'dom0', 'domU').allowed).to.equal(false);
    expect(sharingRule(20, 'ramdisk', 'domU', 'dom0').allowed).to.equal(false);
    expect(sharingRule(20, 'kernel', 'domU', 'domU').allowed).to.equal(true);
    expect(sharingRule(17, 'kernel', 'domU', 'domU', true).allowed).to.equal(false);
    expect(sharingRule(20, 'kernel', 'dom0', 'domU').why).to.match(/drops a boot module that overlaps/);
  });

  it('sharing groups for the planner: any (4.17), per kind (4.18+), none for a gzip kernel', () => {
    expect(sharingGroup(17, 'kernel', 'dom0')).to.equal('any');
    expect(sharingGroup(20, 'kernel', 'dom0')).to.equal('dom0');
    expect(sharingGroup(20, 'ramdisk', 'domU')).to.equal('domU');
    expect(sharingGroup(20, 'kernel', 'domU', true)).to.equal(undefined);
  });

  it('XEN_CMD sched= checked against the build, with the real fallback text', () => {
    const debian = resolveXenBuild({ configFile: { kconfig: parseXenKconfig(DEBIAN_420_CONFIG, 'c'), name: 'c' } });
    expect(xenCmdWarnings(debian.options, debian.release.text, 'console=dtuart sched=null vwfi=native')).to.deep.equal([{
      key: 'XEN_CMD',
      message: 'XEN_CMD has sched=null, but this Xen 4.20.5-pre build has no null scheduler (CONFIG_SCHED_NULL is off): Xen prints "Could not find scheduler: null" and runs credit2',
      hint: 'drop sched=null from XEN_CMD, or boot a Xen built with CONFIG_SCHED_NULL=y',
    }]);
    expect(xenCmdWarnings(debian.options, '4.20', 'sched=credit2')).to.deep.equal([]);
    expect(xenCmdWarnings(debian.options, '4.20', 'sched=bogus')[0]!.message).to.equal('XEN_CMD has sched=bogus, which is not a Xen scheduler: Xen 4.20 prints "Could not find scheduler: bogus" and runs credit2');
    const full = resolveXenBuild({ configFile: { kconfig: parseXenKconfig(FULL, 'f'), name: 'f' } });
    expect(xenCmdWarnings(full.options, '4.20.4', 'sched=null')).to.deep.equal([]);
  });

  it('every Kconfig fact names its option once, with a source', () => {
    const names = KCONFIG_FACTS.map((f) => f.option);
    expect(new Set(names).size).to.equal(names.length);
    for (const f of KCONFIG_FACTS) expect(f.source.length, f.option).to.be.greaterThan(10);
    expect(KCONFIG_FACTS.find((f) => f.option === 'SCHED_NULL')!.messages[0]).to.equal('Could not find scheduler: null');
  });
});
