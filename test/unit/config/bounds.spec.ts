// Bounded, range-checked reading of configs: every hostile value of issue 10 ends in a
// positioned ConfigError (code, message, line, col) instead of a crash, a hang or a wrong value.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { expect } from 'chai';
import { decodeConfigText, firstInvalidUtf8, loadConfig, parseConfigText } from '../../../src/config/index.js';
import { tempDir } from '../../helpers/temp.js';
import { BASE, expectConfigError } from './helpers.js';

const parse = (text: string, opts: Parameters<typeof parseConfigText>[2] = {}): ReturnType<typeof parseConfigText> => parseConfigText(text, 'c', opts);

describe('config: bounded input', () => {
  describe('the config file is checked before it is read', () => {
    it('refuses /dev/zero, /dev/urandom, a FIFO and a directory by type', () => {
      const hint = 'give the path of the config file itself; uboot-gen never reads a config from a device, a FIFO or a directory';
      const e = expectConfigError(() => loadConfig('/dev/zero'), { code: 'CONFIG_NOT_REGULAR_FILE', message: 'Config file /dev/zero is a character device, not a regular file', file: '/dev/zero' });
      expect(e.hint).to.equal(hint);
      expectConfigError(() => loadConfig('/dev/urandom'), { code: 'CONFIG_NOT_REGULAR_FILE', message: 'Config file /dev/urandom is a character device, not a regular file' });
      const fifo = path.join(tempDir(), 'config');
      execFileSync('mkfifo', [fifo]);
      expectConfigError(() => loadConfig(fifo), { code: 'CONFIG_NOT_REGULAR_FILE', message: `Config file ${fifo} is a FIFO (named pipe), not a regular file` });
    });

    it('refuses a config over 1 MiB by its size', () => {
      const f = path.join(tempDir(), 'config');
      fs.writeFileSync(f, '');
      fs.truncateSync(f, 1024 * 1024 + 1);
      const e = expectConfigError(() => loadConfig(f), { code: 'CONFIG_TOO_LARGE', message: `Config file ${f} is 1048577 bytes, more than the 1048576 bytes a config may have`, file: f });
      expect(e.hint).to.equal('check the path: an ImageBuilder config is a short list of KEY=value lines');
    });
  });

  describe('invalid UTF-8 is an error at its line and column (never U+FFFD)', () => {
    it('points at the first bad byte', () => {
      const bytes = Buffer.concat([Buffer.from('# x\nDOM0_CMD="a '), Buffer.from([0xff]), Buffer.from(' b"\n')]);
      const e = expectConfigError(() => decodeConfigText(bytes, 'c'), {
        code: 'CONFIG_BAD_ENCODING', line: 2, col: 13, file: 'c',
        message: 'c is not valid UTF-8: the byte sequence starting with 0xff at byte offset 16 is not a UTF-8 character',
      });
      expect(e.hint).to.equal('save the config as UTF-8 (or plain ASCII), e.g. iconv -f latin1 -t utf-8');
      // a latin-1 "é" after a real UTF-8 "é": the column counts characters, not bytes
      expectConfigError(() => decodeConfigText(Buffer.from([0x58, 0x3d, 0xc3, 0xa9, 0xe9, 0x0a]), 'c'), { code: 'CONFIG_BAD_ENCODING', line: 1, col: 4 });
    });

    it('follows Unicode\'s well-formedness table (overlongs, surrogates, beyond U+10FFFF, cut sequences)', () => {
      expect(firstInvalidUtf8(Buffer.from('aé€😀'))).to.equal(-1);
      expect(firstInvalidUtf8(Uint8Array.from([0x61, 0xc0, 0x80]))).to.equal(1); // overlong NUL
      expect(firstInvalidUtf8(Uint8Array.from([0xed, 0xa0, 0x80]))).to.equal(0); // surrogate D800
      expect(firstInvalidUtf8(Uint8Array.from([0xf4, 0x90, 0x80, 0x80]))).to.equal(0); // U+110000
      expect(firstInvalidUtf8(Uint8Array.from([0x61, 0x62, 0xe2, 0x82]))).to.equal(2); // cut at the end
    });
  });

  describe('a quote left open is reported at the opening quote', () => {
    it('line 4 is reported at line 4, not where parsing gave up', () => {
      const text = 'A=1\nB=2\nC=3\nX="unterminated\n' + Array.from({ length: 16 }, (_, i) => `K${i}=1`).join('\n') + '\n';
      expectConfigError(() => parse(text), {
        code: 'CONFIG_SYNTAX', line: 4, col: 3,
        message: 'missing closing " for the string opened at line 4, column 3 (the string runs on to the end of the file)',
      });
    });

    it('a quote closed lines later by the next value\'s opening quote is caught at its line too', () => {
      const text = 'MEMORY_START=0x40000000\nMEMORY_END="0x80000000\nXEN="xen"\nNUM_DOMUS=1\n';
      const e = expectConfigError(() => parse(text), {
        code: 'CONFIG_SYNTAX', line: 2, col: 12,
        message: 'missing closing " for the string opened at line 2, column 12 (the string runs on to line 3)',
      });
      expect(e.hint).to.equal('close the quote on line 2');
      expectConfigError(() => parse("X='a\nXEN='xen'\n"), { code: 'CONFIG_SYNTAX', line: 1, col: 3, message: "missing closing ' for the string opened at line 1, column 3 (the string runs on to line 2)" });
    });

    it('keeps command lines that run over lines with lower-case name=value words', () => {
      const { config } = parse(`${BASE}DOMU_CMD[0]="console=ttyAMA0\nroot=/dev/ram0 rdinit=/sbin/init"\n`);
      expect(config.domUs[0]?.cmd).to.equal('console=ttyAMA0\nroot=/dev/ram0 rdinit=/sbin/init');
    });
  });

  describe('no recursion on untrusted depth, bounded work', () => {
    it('${...} nested 10,000 deep', () => {
      const text = `X="${'${A:-'.repeat(10000)}x${'}'.repeat(10000)}"\n`;
      const e = expectConfigError(() => parse(text), {
        code: 'CONFIG_TOO_COMPLEX', line: 1, col: 4 + 5 * 32,
        message: 'expansions nest more than 32 levels deep here ("${...}" or "$((...))" inside one another)',
      });
      expect(e.hint).to.equal('write the value with fewer nested expansions (one intermediate variable per level)');
    });

    it('$((...)) nested 10,000 deep, as expansions and as parentheses', () => {
      expectConfigError(() => parse(`X=${'$(('.repeat(10000)}1${'))'.repeat(10000)}\n`), { code: 'CONFIG_TOO_COMPLEX', line: 1, col: 3 + 3 * 32 });
      expectConfigError(() => parse(`X=$((${'('.repeat(10000)}1${')'.repeat(10000)}))\n`), {
        code: 'CONFIG_TOO_COMPLEX', line: 1, col: 3,
        message: `$((${'('.repeat(40)}…)): expression nests more than 64 levels deep`,
      });
    });

    it('$((3**600000000)) is refused at once as a 64-bit overflow', () => {
      const e = expectConfigError(() => parse(`${BASE}NUM_DOMUS=$((3**600000000))\n`), {
        code: 'CONFIG_OUT_OF_RANGE', line: 8, col: 11, message: '$((3**600000000)): 3 ** 600000000 overflows bash\'s 64-bit integers',
      });
      expect(e.hint).to.equal('write a number that fits in 64 bits');
    });

    it('exponential variable chains (a=$b$b, b=$c$c, ...) stop at 256 Ki characters', () => {
      const lines = ['v61=ab'];
      for (let i = 60; i >= 1; i--) lines.push(`v${i}=$v${i + 1}$v${i + 1}`);
      expectConfigError(() => parse(`${lines.join('\n')}\n`), {
        code: 'CONFIG_TOO_COMPLEX', line: 19, col: 9,
        message: 'this value expands to more than 262144 characters (variables that repeat each other grow exponentially)',
      });
    });

    it('exponential chains inside arithmetic stop after 100,000 steps', () => {
      const lines = ['a30=1'];
      for (let i = 29; i >= 0; i--) lines.push(`a${i}="a${i + 1}+a${i + 1}"`);
      lines.push('X=$((a0))');
      expectConfigError(() => parse(`${lines.join('\n')}\n`), {
        code: 'CONFIG_TOO_COMPLEX', line: 32, col: 3,
        message: '$((a0)): expression takes more than 100000 steps to evaluate (variables that refer to each other several times grow exponentially)',
      });
    });
  });

  describe('numbers are range-checked, never wrapped', () => {
    it('DOMU_VCPUS=4294967297 (was silently 1)', () => {
      const e = expectConfigError(() => parse(`${BASE}DOMU_VCPUS[0]=4294967297\n`), {
        code: 'CONFIG_OUT_OF_RANGE', line: 8, col: 15,
        message: 'DOMU_VCPUS[0] = 4294967297 is out of range: it must be a whole number of vCPUs from 1 to 128',
      });
      expect(e.hint).to.equal('a domain has at most 128 vCPUs (Xen\'s MAX_VIRT_CPUS on Arm)');
      expect(e.where?.key).to.equal('DOMU_VCPUS[0]');
      expect(parse(`${BASE}DOMU_VCPUS[0]=128\n`).config.domUs[0]?.vcpus).to.equal(128);
    });

    it('memory sizes near 2^53: DOMU_MEM, DOM0_MEM and dom0_mem= inside XEN_CMD', () => {
      expectConfigError(() => parse(`${BASE}DOMU_MEM[0]=9007199254740991\n`), {
        code: 'CONFIG_OUT_OF_RANGE', line: 8, col: 13,
        message: 'DOMU_MEM[0] = 9007199254740991 is out of range: it must be a whole number of MiB from 0 to 4294967296',
      });
      expectConfigError(() => parse(`${BASE}DOM0_KERNEL=Image\nDOM0_MEM=9007199254740991\n`), {
        code: 'CONFIG_OUT_OF_RANGE', line: 9, col: 10,
        message: 'DOM0_MEM = 9007199254740991 is out of range: it must be a whole number of MiB from 1 to 4294967296',
      });
      const e = expectConfigError(() => parse(`${BASE}DOM0_KERNEL=Image\nXEN_CMD="console=dtuart dom0_mem=9007199254740991M"\n`), {
        code: 'CONFIG_OUT_OF_RANGE', line: 9, col: 9,
        message: 'XEN_CMD has dom0_mem=9007199254740991M, which is more than 2^64 bytes: more memory than the 52-bit arm64 physical address space (4 PiB)',
      });
      expect(e.hint).to.equal('give dom0 a size it can have, e.g. dom0_mem=1024M');
      // no unit is KiB (Xen's parse_size_and_unit); 2^42 KiB = 2^52 bytes is the most
      expect(parse(`${BASE}DOM0_KERNEL=Image\nXEN_CMD="dom0_mem=4398046511104"\n`).config.xenCmd).to.equal('dom0_mem=4398046511104');
      expectConfigError(() => parse(`${BASE}DOM0_KERNEL=Image\nXEN_CMD="dom0_mem=4398046511105"\n`), {
        code: 'CONFIG_OUT_OF_RANGE', message: 'XEN_CMD has dom0_mem=4398046511105, which is 4503599627371520 bytes: more memory than the 52-bit arm64 physical address space (4 PiB)',
      });
      expectConfigError(() => parse(`${BASE}DOM0_KERNEL=Image\nXEN_CMD="dom0_max_vcpus=1-4294967297"\n`), {
        code: 'CONFIG_OUT_OF_RANGE', line: 9, col: 9, message: 'XEN_CMD has dom0_max_vcpus=1-4294967297, but a domain has at most 128 vCPUs (Xen\'s MAX_VIRT_CPUS on Arm)',
      });
    });

    it('a SCSI device past z for the root= guess', () => {
      const text = `${BASE}DOM0_KERNEL=Image\nDOM0_LOAD="load scsi 26:1"\nDOM0_ROOTFS=rootfs.ext4\n`;
      expectConfigError(() => parse(text), {
        code: 'CONFIG_OUT_OF_RANGE', line: 10, col: 1,
        message: 'SCSI device 26 of the load command "load scsi 26:1" has no /dev/sdX letter (devices 0 to 25 map to sda to sdz)',
      });
      expect(parse(text.replace('26:1', '25:1')).config.dom0?.cmd).to.equal('console=hvc0 earlycon=xenboot earlyprintk clk_ignore_unused root=/dev/sdz2');
    });

    it('MEMORY_END=2^64+1 (was wrapped to 1) and addresses beyond 52 bits', () => {
      const e = expectConfigError(() => parse(BASE.replace('MEMORY_END=0x80000000', 'MEMORY_END=18446744073709551617')), {
        code: 'CONFIG_OUT_OF_RANGE', line: 2, col: 12,
        message: 'MEMORY_END = "18446744073709551617" is out of range: "18446744073709551617" overflows bash\'s 64-bit integers (largest 9223372036854775807); bash would silently wrap it to 1',
      });
      expect(e.hint).to.equal('write the address of the RAM bank, e.g. MEMORY_END="0xC0000000"');
      expectConfigError(() => parse(BASE.replace('MEMORY_END=0x80000000', 'MEMORY_END=0x10000000000001')), {
        code: 'CONFIG_OUT_OF_RANGE', line: 2, col: 12,
        message: 'MEMORY_END = "0x10000000000001" (= 4503599627370497) is out of range: an address must be from 0 to 0x10000000000000, the end of the 52-bit arm64 physical address space',
      });
      expectConfigError(() => parse(BASE.replace('MEMORY_END=0x80000000', 'MEMORY_END=$((0x7FFFFFFFFFFFFFFF+1))')), {
        code: 'CONFIG_OUT_OF_RANGE', line: 2, col: 12,
      });
    });
  });

  describe('file names that would change a U-Boot command line are refused', () => {
    const cases: Array<[string, string, number, string]> = [
      ['XEN="samples/xen;setenv pwned 1"', '";"', 12, 'ends the U-Boot command there and starts another'],
      ['XEN="x en"', 'a space', 2, 'splits the name into two words in the U-Boot command'],
      ['XEN="xen\\"x"', 'a double quote', 4, 'opens a quoted string in U-Boot\'s shell'],
      ["XEN=\"xen'\"", 'a single quote', 4, 'opens a quoted string in U-Boot\'s shell'],
      ['XEN=\'x$y\'', '"$"', 2, 'makes U-Boot expand a variable'],
      ['XEN="x#y"', '"#"', 2, 'starts a comment in U-Boot\'s shell'],
      ['XEN=\'x\\y\'', 'a backslash', 2, 'escapes the next character in U-Boot\'s shell'],
      ['XEN="x\ny"', 'a newline', 2, 'splits the name into two words in the U-Boot command'],
      ['XEN="x\u0001y"', 'the control character 0x01', 2, 'cannot appear in a U-Boot command line'],
      ['XEN="x&&y"', '"&"', 2, 'chains U-Boot commands'],
    ];
    for (const [line, shown, index, effect] of cases) {
      it(`${JSON.stringify(line)}: ${shown}`, () => {
        const text = BASE.replace('XEN=xen', line);
        const value = line.slice(4).replace(/^["']|["']$/g, '').replace('\\"', '"');
        const e = expectConfigError(() => parse(text), {
          code: 'CONFIG_UNSAFE_PATH', line: 3, col: 5,
          message: `XEN = ${JSON.stringify(value)} contains ${shown} at character ${index}, which ${effect}; the name is written into the boot script, so it must be one plain word`,
        });
        expect(e.hint).to.equal('rename the file (or link it) to a name made of letters, digits and . _ - + / : , @ = ~ % only');
        expect(e.where?.key).to.equal('XEN');
      });
    }

    it('DOMU_PASSTHROUGH_PATHS entries must be device tree paths (they are written after `fdt set`)', () => {
      const e = expectConfigError(() => parse(`${BASE}DOMU_PASSTHROUGH_PATHS[0]="/soc/a@0 /pl011@9000000;setenv pwned 1"\n`), {
        code: 'CONFIG_UNSAFE_PATH', line: 8, col: 27,
        message: 'DOMU_PASSTHROUGH_PATHS[0] has "/pl011@9000000;setenv", which is not a device tree path (a node path starts with "/" and uses only letters, digits and , . _ + - @ /)',
      });
      expect(e.hint).to.equal('write the full path of the node, e.g. /soc/serial@ff000000');
      expect(parse(`${BASE}DOMU_PASSTHROUGH_PATHS[0]="/soc/serial@ff000000 /amba/ethernet@ff0e0000"\n`).config.domUs[0]?.passthroughPaths)
        .to.deep.equal(['/soc/serial@ff000000', '/amba/ethernet@ff0e0000']);
    });

    it('checks every file key and the -o name, and accepts ordinary paths', () => {
      expectConfigError(() => parse(`${BASE}DOMU_RAMDISK[0]="a b.cpio"\n`), { code: 'CONFIG_UNSAFE_PATH', line: 8, col: 17 });
      expectConfigError(() => parse(`${BASE}DEVICE_TREE='v;t.dtb'\n`), { code: 'CONFIG_UNSAFE_PATH', line: 8, col: 13 });
      expectConfigError(() => parse(BASE, { outputNameOverride: 'boot;reset' }), {
        code: 'CONFIG_UNSAFE_PATH', line: 0, col: 0, file: '<command line>',
        message: 'UBOOT_SCRIPT = "boot;reset.scr" contains ";" at character 5, which ends the U-Boot command there and starts another; the name is written into the boot script, so it must be one plain word',
      });
      const { config } = parse(BASE.replace('XEN=xen', 'XEN=/srv/tftp/xen-4.17_arm64+debug@v1,a=b~%:x.efi'));
      expect(config.xen.value).to.equal('/srv/tftp/xen-4.17_arm64+debug@v1,a=b~%:x.efi');
    });
  });
});
