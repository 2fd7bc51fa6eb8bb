// The bad-input corpus: configs, files and flags a careless user or an attacker could hand to
// `uboot-gen generate`, each with the exit status and the stable part of the message expected.
// Every case runs in a fresh copy of config.example + samples/ holding a previous boot.source /
// boot.scr pair; the runner also checks that nothing in the folder changed.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { FdtWriter } from '../../src/fdt/sw.js';
import { arm64Header, sparseFile } from '../helpers/images.js';

export type Category =
  | 'syntax' | 'unsafe-shell' | 'keys' | 'values' | 'files' | 'devices' | 'dtb' | 'plan'
  | 'output-path' | 'injection' | 'verification' | 'flags';

export interface Expected {
  /** Exit status. */
  exit: number;
  /** error.code of the JSON document (a RegExp when the exact code is another change's choice). */
  code?: string | RegExp;
  /** error.where.key */
  key?: string;
  /** error.where.line in the config (the config is always `config` in the run's folder). */
  line?: number;
  /** Matched against error.message + hint, or the verification summary for exit 6. */
  text?: RegExp;
  /** After a successful run: no command of the new boot.source (split as U-Boot's hush does) matches. */
  noCommand?: RegExp;
}

export interface BadInputCase {
  id: string;
  category: Category;
  /** Lines appended to config.example (a later assignment wins). */
  lines?: string[];
  /** The whole config instead (text or bytes). */
  config?: string | Uint8Array;
  /** Prepare the folder (files, links, FIFOs) before the run. */
  setup?: (dir: string) => void;
  /** Extra command-line arguments. */
  args?: string[];
  /** What must happen; a list when either of two stages may rightly refuse first. */
  expect: Expected | Expected[];
  /** Run in its own process with a memory limit and a timeout (device files, FIFOs, deep nesting). */
  isolate?: boolean;
}

/** A partial device tree for PASSTHROUGH_DTS_REPO: one fixed clock under /passthrough. */
const PARTIAL_DTS = '/dts-v1/;\n/ {\n\t#address-cells = <2>;\n\t#size-cells = <2>;\n\tpassthrough {\n\t\tcompatible = "simple-bus";\n\t\tranges;\n'
  + '\t\t#address-cells = <2>;\n\t\t#size-cells = <2>;\n\t\tclk { compatible = "fixed-clock"; #clock-cells = <0>; clock-frequency = <24000000>; };\n\t};\n};\n';

/** Line of the n-th appended line (config.example has 27 lines). */
export const L = (n: number): number => 28 + n;

const put = (dir: string, name: string, data: string | Uint8Array): void => {
  fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
  fs.writeFileSync(path.join(dir, name), data);
};
const sample = (dir: string, name: string): Uint8Array => new Uint8Array(fs.readFileSync(path.join(dir, 'samples', name)));
const be32 = (b: Uint8Array, off: number, v: number): void => new DataView(b.buffer, b.byteOffset).setUint32(off, v >>> 0);

/** samples/virt.dtb with a header field (byte offset) replaced, written as bad.dtb. */
function patchedDtb(off: number, value: number) {
  return (dir: string): void => {
    const b = sample(dir, 'virt.dtb').slice();
    be32(b, off, value);
    put(dir, 'bad.dtb', b);
  };
}

/** A DTB built with uboot-gen's own FDT writer: root cells, /memory reg, memreserves, extra nesting. */
function builtDtb(o: { highReserve?: boolean; addressCells?: number; sizeCells?: number; reg?: number[]; reserve?: [number, number][]; depth?: number; noMemory?: boolean; cpus?: number }) {
  return (dir: string): void => {
    const w = new FdtWriter();
    for (const [a, s] of o.reserve ?? []) w.addReservemapEntry(a, s);
    w.finishReservemap();
    w.beginNode('').propertyU32('#address-cells', o.addressCells ?? 2).propertyU32('#size-cells', o.sizeCells ?? 2).propertyString('compatible', 'linux,dummy-virt');
    if (!o.noMemory) w.beginNode('memory@40000000').propertyCells('reg', o.reg ?? [0, 0x40000000, 0, 0x80000000]).propertyString('device_type', 'memory').endNode();
    w.beginNode('pl011@9000000').propertyCells('reg', [0, 0x09000000, 0, 0x1000]).propertyStrings('compatible', ['arm,pl011', 'arm,primecell']).endNode();
    w.beginNode('cpus').propertyU32('#size-cells', 0).propertyU32('#address-cells', 1);
    for (let i = 0; i < (o.cpus ?? 4); i++) w.beginNode(`cpu@${i}`).propertyU32('reg', i).propertyString('device_type', 'cpu').endNode();
    w.endNode();
    for (let i = 0; i < (o.depth ?? 0); i++) w.beginNode(`n${i}`);
    for (let i = 0; i < (o.depth ?? 0); i++) w.endNode();
    w.beginNode('chosen').propertyString('stdout-path', '/pl011@9000000').endNode();
    w.endNode();
    const b = w.finish();
    // The writer takes numbers below 2^53 only; a reservation above that is patched in (its high word).
    if (o.highReserve) be32(b, new DataView(b.buffer, b.byteOffset).getUint32(16), 0x10000000);
    put(dir, 'bad.dtb', b);
  };
}

const DT = 'DEVICE_TREE="bad.dtb"';
const fifo = (name: string) => (dir: string): void => { execFileSync('mkfifo', [path.join(dir, name)]); };
const nested = (open: string, close: string, n: number): string => `${open.repeat(n)}1${close.repeat(n)}`;

// Config.example's first 27 lines, for cases that need a whole config with a defect early on.
const EXAMPLE_HEAD = ['MEMORY_START="0x40000000"', 'MEMORY_END="0xC0000000"', 'DEVICE_TREE="samples/virt.dtb"', 'XEN="samples/xen"',
  'XEN_CMD="console=dtuart dtuart=/pl011@9000000 dom0_mem=512M bootscrub=0"', 'DOM0_KERNEL="samples/Image"', 'DOM0_RAMDISK="samples/initrd.cpio.gz"',
  'NUM_DOMUS=1', 'DOMU_KERNEL[0]="samples/Image"', 'DOMU_RAMDISK[0]="samples/initrd.cpio.gz"', 'DOMU_MEM[0]=256', 'LOAD_CMD="tftpb"',
  'UBOOT_SOURCE="boot.source"', 'UBOOT_SCRIPT="boot.scr"'];

export const CASES: BadInputCase[] = [
  // --- syntax: reported at the line and column of the defect ---
  { id: 'syntax/unclosed-double-quote', category: 'syntax', lines: ['DOM0_CMD="console=hvc0'], expect: { exit: 3, code: 'CONFIG_SYNTAX', line: L(0) } },
  { id: 'syntax/unclosed-single-quote', category: 'syntax', lines: ["XEN_CMD='console=dtuart"], expect: { exit: 3, code: 'CONFIG_SYNTAX', line: L(0) } },
  { id: 'syntax/unclosed-quote-early', category: 'syntax', config: ['MEMORY_START="0x40000000"', 'MEMORY_END="0xC0000000"', 'DEVICE_TREE="samples/virt.dtb"', 'XEN="samples/xen', ...EXAMPLE_HEAD.slice(4)].join('\n'), expect: { exit: 3, code: 'CONFIG_SYNTAX', line: 4 } },
  { id: 'syntax/unclosed-brace-expansion', category: 'syntax', lines: ['DOM0_CMD="${FOO"'], expect: { exit: 3, code: 'CONFIG_SYNTAX', line: L(0) } },
  { id: 'syntax/unclosed-arith', category: 'syntax', lines: ['DOMU_MEM[0]=$((1+2'], expect: { exit: 3, code: 'CONFIG_SYNTAX', line: L(0) } },
  { id: 'syntax/empty-arith-operand', category: 'syntax', lines: ['DOMU_MEM[0]=$((1+))'], expect: { exit: 3, code: /^CONFIG_(SYNTAX|BAD_VALUE)$/, line: L(0) } },
  { id: 'syntax/bad-index', category: 'syntax', lines: ['DOMU_MEM[x y]=1'], expect: { exit: 3, code: /^CONFIG_/, line: L(0) } },
  { id: 'syntax/negative-index', category: 'syntax', lines: ['DOMU_MEM[-1]=1'], expect: { exit: 3, code: /^CONFIG_/, line: L(0) } },
  { id: 'syntax/no-name', category: 'syntax', lines: ['=1'], expect: { exit: 3, code: /^CONFIG_/, line: L(0) } },
  { id: 'syntax/bare-words', category: 'syntax', lines: ['DOM0 KERNEL samples/Image'], expect: { exit: 3, code: /^CONFIG_/, line: L(0) } },
  { id: 'syntax/unmatched-close-brace', category: 'syntax', lines: ['}'], expect: { exit: 3, code: /^CONFIG_/, line: L(0) } },
  { id: 'syntax/heredoc', category: 'syntax', lines: ['cat <<EOF', 'x', 'EOF'], expect: { exit: 3, code: /^CONFIG_/, line: L(0) } },
  { id: 'syntax/unclosed-array', category: 'syntax', lines: ['DOMU_CMD=(a b'], expect: { exit: 3, code: /^CONFIG_/, line: L(0) } },
  { id: 'syntax/nul-byte', category: 'syntax', config: new Uint8Array([...Buffer.from('MEMORY_END=0x80000000\nXEN="samples/x'), 0, ...Buffer.from('en"\n')]), expect: { exit: 3, code: /^CONFIG_/, text: /not a text file|NUL/ } },
  { id: 'syntax/invalid-utf8', category: 'syntax', config: new Uint8Array([...Buffer.from(`${EXAMPLE_HEAD.join('\n')}\nDOM0_CMD="console=hvc0 `), 0xff, 0xfe, ...Buffer.from('"\n')]), expect: { exit: 3, code: /^CONFIG_/, line: 15 } },
  { id: 'syntax/empty-config', category: 'syntax', config: '', expect: { exit: 3, code: /^CONFIG_/ } },
  { id: 'syntax/only-comments', category: 'syntax', config: '# nothing\n# here\n', expect: { exit: 3, code: /^CONFIG_/ } },
  { id: 'syntax/unclosed-command-subst', category: 'syntax', lines: ['XEN="$(cat'], expect: { exit: 3, code: /^CONFIG_(SYNTAX|UNSAFE)$/, line: L(0) } },

  // --- unsafe shell: refused at its position, never run ---
  ...([
    ['command-subst', 'XEN="$(touch pwned)"'], ['backticks', 'XEN=`touch pwned`'], ['semicolon', 'XEN=samples/xen; touch pwned'],
    ['and-list', 'XEN=samples/xen && touch pwned'], ['or-list', 'XEN=samples/xen || touch pwned'], ['pipe', 'echo x | tee pwned'],
    ['redirect-out', 'XEN=samples/xen > pwned'], ['redirect-in', 'XEN=samples/xen < config'], ['if', 'if true; then XEN=samples/xen; fi'],
    ['function', 'f() { touch pwned; }'], ['source', 'source ./pwned.sh'], ['dot-source', '. ./pwned.sh'], ['eval', 'eval "touch pwned"'],
    ['subshell', '(touch pwned)'], ['group', '{ touch pwned; }'], ['process-subst', 'XEN=<(touch pwned)'], ['command-in-arith', 'DOMU_MEM[0]=$(( $(touch pwned) ))'],
    ['background', 'touch pwned &'], ['exec', 'exec touch pwned'], ['trap', "trap 'touch pwned' EXIT"], ['export-subst', 'export X=$(touch pwned)'],
    ['command-word', 'touch pwned'], ['assignment-prefix', 'X=1 touch pwned'], ['while-loop', 'while true; do :; done'],
  ] as const).map(([id, line]): BadInputCase => ({ id: `unsafe-shell/${id}`, category: 'unsafe-shell', lines: [line], expect: { exit: 3, code: /^CONFIG_(UNSAFE|SYNTAX)$/, line: L(0) } })),

  // --- keys: Linux-only mode (LINUX without XEN) next to Xen domains, or with a LINUX that booti cannot start ---
  {
    id: 'keys/linux-with-domains', category: 'keys', config: EXAMPLE_HEAD.map((l) => (l.startsWith('XEN=') ? 'LINUX="samples/Image"' : l)).join('\n'),
    expect: { exit: 3, code: 'CONFIG_CONFLICT', text: /Xen domains need XEN/ },
  },
  {
    id: 'keys/linux-not-an-image', category: 'keys', config: [...EXAMPLE_HEAD.filter((l) => !/^(XEN|DOM0_|DOMU_|NUM_DOMUS)/.test(l)), 'LINUX="samples/virt.dtb"'].join('\n'),
    expect: { exit: 4, code: 'IMAGE_WRONG_TYPE', text: /LINUX = "[^"]*samples\/virt\.dtb" is a device tree blob, but a Linux kernel that booti can start/ },
  },
  { id: 'keys/dt-overlay-missing', category: 'keys', lines: ['NUM_DT_OVERLAY=2', 'DT_OVERLAY[0]="samples/virt.dtb"'], expect: { exit: 3, code: 'CONFIG_MISSING', text: /DT_OVERLAY\[1\] is not set/, line: L(0) } },
  { id: 'keys/dt-overlay-not-a-dtb', category: 'keys', lines: ['NUM_DT_OVERLAY=1', 'DT_OVERLAY[0]="samples/Image"'], expect: { exit: 4, code: 'IMAGE_WRONG_TYPE', text: /DT_OVERLAY\[0\]/ } },
  // --- CPU keys: cpupools, colours (src/config/cpu.ts, src/plan/cpupools.ts) ---
  { id: 'cpu/cpupool-cpu-not-in-dtb', category: 'keys', lines: ['NUM_CPUPOOLS=1', 'CPUPOOL[0]="0 credit"'], expect: { exit: 3, code: 'CONFIG_CPUPOOL_CPU', line: L(1), text: /\/cpus\/0 does not exist/ } },
  { id: 'cpu/num-cpupools-without-cpupool', category: 'keys', lines: ['NUM_CPUPOOLS=1'], expect: { exit: 3, code: 'CONFIG_MISSING', line: L(0), text: /CPUPOOL\[0\]/ } },
  { id: 'cpu/domu-colors-backwards', category: 'keys', lines: ['DOMU_COLORS[0]="3-0"'], expect: { exit: 3, code: 'CONFIG_BAD_VALUE', line: L(0) } },
  { id: 'cpu/dom0-colors-not-a-list', category: 'keys', lines: ['DOM0_COLORS="0-3-5"'], expect: { exit: 3, code: 'CONFIG_BAD_VALUE', line: L(0) } },
  { id: 'cpu/xen-colors-past-127', category: 'keys', lines: ['XEN_COLORS="0-300"'], expect: { exit: 3, code: 'CONFIG_BAD_VALUE', line: L(0) } },
  { id: 'keys/missing-memory-end', category: 'keys', config: EXAMPLE_HEAD.filter((l) => !l.startsWith('MEMORY_END')).join('\n'), expect: { exit: 3, code: 'CONFIG_MISSING', text: /MEMORY_END/ } },
  { id: 'keys/missing-xen', category: 'keys', config: EXAMPLE_HEAD.filter((l) => !l.startsWith('XEN=')).join('\n'), expect: { exit: 3, code: /^CONFIG_/, text: /XEN/ } },
  { id: 'keys/missing-device-tree', category: 'keys', config: EXAMPLE_HEAD.filter((l) => !l.startsWith('DEVICE_TREE')).join('\n'), expect: { exit: 3, code: /^CONFIG_/, text: /DEVICE_TREE/ } },
  { id: 'keys/domu-without-kernel', category: 'keys', lines: ['NUM_DOMUS=3'], expect: { exit: 3, code: /^CONFIG_/, text: /DOMU_KERNEL\[2\]/ } },
  { id: 'keys/no-domains', category: 'keys', config: EXAMPLE_HEAD.filter((l) => !/^(DOM0_|DOMU_|NUM_DOMUS)/.test(l)).join('\n'), expect: { exit: 3, code: /^CONFIG_/ } },

  // --- values and number ranges: never a silent wrap, always a positioned error ---
  { id: 'values/memory-end-below-start', category: 'values', lines: ['MEMORY_END=0x30000000'], expect: { exit: 3, code: /^CONFIG_/, line: L(0) } },
  { id: 'values/memory-end-zero', category: 'values', lines: ['MEMORY_END=0'], expect: { exit: 3, code: /^CONFIG_/, line: L(0) } },
  { id: 'values/memory-end-not-a-number', category: 'values', lines: ['MEMORY_END=lots'], expect: { exit: 3, code: /^CONFIG_/, line: L(0) } },
  { id: 'values/memory-end-2p64-plus-1', category: 'values', lines: ['MEMORY_END=18446744073709551617'], expect: { exit: 3, code: /^CONFIG_/, key: 'MEMORY_END', line: L(0) } },
  { id: 'values/memory-end-2p53', category: 'values', lines: ['MEMORY_END=0x20000000000000'], expect: { exit: 3, code: /^CONFIG_/, line: L(0) } },
  { id: 'values/memory-start-negative', category: 'values', lines: ['MEMORY_START=-0x1000'], expect: { exit: 3, code: /^CONFIG_/, line: L(0) } },
  { id: 'values/dom0-mem-2p53', category: 'values', lines: ['DOM0_MEM=9007199254740991'], expect: { exit: 3, code: /^CONFIG_/, line: L(0) } },
  { id: 'values/domu-mem-2p53', category: 'values', lines: ['DOMU_MEM[0]=9007199254740991'], expect: { exit: 3, code: /^CONFIG_/, line: L(0) } },
  { id: 'values/domu-mem-negative', category: 'values', lines: ['DOMU_MEM[0]=-256'], expect: { exit: 3, code: /^CONFIG_/, line: L(0) } },
  { id: 'values/domu-mem-text', category: 'values', lines: ['DOMU_MEM[0]=256M'], expect: { exit: 3, code: /^CONFIG_/, line: L(0) } },
  { id: 'values/xen-cmd-dom0-mem-huge', category: 'values', lines: ['XEN_CMD="console=dtuart dtuart=/pl011@9000000 dom0_mem=9007199254740991G"'], expect: { exit: 3, code: /^CONFIG_/, line: L(0) } },
  { id: 'values/domu-vcpus-2p32-plus-1', category: 'values', lines: ['DOMU_VCPUS[0]=4294967297'], expect: { exit: 3, code: /^CONFIG_/, key: 'DOMU_VCPUS[0]', line: L(0) } },
  { id: 'values/domu-vcpus-zero', category: 'values', lines: ['DOMU_VCPUS[0]=0'], expect: { exit: 3, code: /^CONFIG_/, line: L(0) } },
  { id: 'values/domu-vcpus-negative', category: 'values', lines: ['DOMU_VCPUS[0]=-1'], expect: { exit: 3, code: /^CONFIG_/, line: L(0) } },
  { id: 'values/domu-vcpus-text', category: 'values', lines: ['DOMU_VCPUS[0]=two'], expect: { exit: 3, code: /^CONFIG_/, line: L(0) } },
  { id: 'values/dom0-vcpus-huge', category: 'values', lines: ['DOM0_VCPUS=99999999999'], expect: { exit: 3, code: /^CONFIG_/, line: L(0) } },
  { id: 'values/num-domus-negative', category: 'values', lines: ['NUM_DOMUS=-1'], expect: { exit: 3, code: /^CONFIG_/, line: L(0) } },
  { id: 'values/num-domus-huge', category: 'values', lines: ['NUM_DOMUS=100000000'], expect: { exit: 3, code: /^CONFIG_/, line: L(0) } },
  { id: 'values/num-domus-text', category: 'values', lines: ['NUM_DOMUS=two'], expect: { exit: 3, code: /^CONFIG_/, line: L(0) } },
  { id: 'values/boot-cmd-unknown', category: 'values', lines: ['BOOT_CMD=go'], expect: { exit: 3, code: /^CONFIG_/, line: L(0) } },
  { id: 'values/domu-enhanced-unknown', category: 'values', lines: ['DOMU_ENHANCED[0]=maybe'], expect: { exit: 3, code: /^CONFIG_/, line: L(0) } },
  { id: 'values/arith-power-huge', category: 'values', lines: ['DOMU_MEM[0]=$((3**600000000))'], expect: { exit: 3, code: /^CONFIG_/, line: L(0) }, isolate: true },
  { id: 'values/arith-divide-by-zero', category: 'values', lines: ['DOMU_MEM[0]=$((256/0))'], expect: { exit: 3, code: /^CONFIG_/, line: L(0) } },
  { id: 'values/arith-shift-64', category: 'values', lines: ['MEMORY_END=$((1<<64))'], expect: { exit: 3, code: /^CONFIG_/, line: L(0) } },
  { id: 'values/arith-overflow', category: 'values', lines: ['DOMU_MEM[0]=$((9223372036854775807+1))'], expect: { exit: 3, code: /^CONFIG_/, line: L(0) } },
  { id: 'values/arith-nested-10000', category: 'values', lines: [`DOMU_MEM[0]=$((${nested('(', ')', 10000)}))`], expect: { exit: 3, code: /^CONFIG_/, line: L(0) }, isolate: true },
  { id: 'values/expansion-nested-10000', category: 'values', lines: [`DOM0_CMD="${'${A:-'.repeat(10000)}x${'}'.repeat(10000)}"`], expect: { exit: 3, code: /^CONFIG_/, line: L(0) }, isolate: true },
  { id: 'values/exponential-variables', category: 'values', lines: ['A=xxxxxxxxxxxxxxxx', ...Array.from({ length: 40 }, (_, i) => `A${i + 1}="$A${i === 0 ? '' : i}$A${i === 0 ? '' : i}"`), 'DOM0_CMD="$A40"'], expect: { exit: 3, code: /^CONFIG_/ }, isolate: true },
  { id: 'values/uninitialised-required', category: 'values', lines: ['XEN="$UNSET_VARIABLE"'], expect: { exit: 3, code: /^CONFIG_/, line: L(0) } },
  { id: 'values/load-cmd-empty', category: 'values', lines: ['LOAD_CMD=""'], expect: { exit: 3, code: /^CONFIG_/ } },
  { id: 'values/huge-line', category: 'values', lines: [`DOM0_CMD="${'a'.repeat(2_000_000)}"`], expect: { exit: 3, code: /^CONFIG_/ } },
  { id: 'values/xen-cmd-too-long-for-fdt', category: 'values', lines: [`XEN_CMD="console=dtuart dtuart=/pl011@9000000 ${'x'.repeat(2_200_000)}"`], expect: [{ exit: 5, code: 'PLAN_DTB_TOO_LARGE' }, { exit: 3, code: /^CONFIG_/ }] },

  // --- files: missing, wrong type, truncated, not regular ---
  ...(['XEN', 'DEVICE_TREE', 'DOM0_KERNEL', 'DOM0_RAMDISK', 'DOMU_KERNEL[0]', 'DOMU_RAMDISK[1]'] as const).map((key): BadInputCase => ({
    id: `files/missing-${key.toLowerCase().replace(/[[\]]/g, '')}`, category: 'files', lines: [`${key}="samples/nope"`], expect: { exit: 4, code: 'IMAGE_NOT_FOUND', key, line: L(0) },
  })),
  { id: 'files/missing-extra-cmds', category: 'files', lines: ['APPEND_EXTRA_CMDS="nope.cmds"'], expect: { exit: 4, code: /^IMAGE_/, key: 'APPEND_EXTRA_CMDS', line: L(0) } },
  { id: 'files/missing-passthrough-dtb', category: 'files', lines: ['DOMU_PASSTHROUGH_DTB[0]="nope.dtb"'], expect: { exit: 4, code: 'IMAGE_NOT_FOUND', line: L(0) } },
  // PASSTHROUGH_DTS_REPO: a partial device tree missing or not compiling; a git URL (ImageBuilder clones it).
  { id: 'files/passthrough-dts-missing', category: 'files', setup: (d) => put(d, 'pt/virt/pl011@9000000.dts', PARTIAL_DTS),
    lines: ['PASSTHROUGH_DTS_REPO="pt virt"', 'DOMU_PASSTHROUGH_PATHS[0]="/pl011@9000000"', 'DOMU_PASSTHROUGH_PATHS[1]="/pl061@9030000"'],
    expect: { exit: 4, code: 'PLAN_PARTIAL_DTS_NOT_FOUND', key: 'DOMU_PASSTHROUGH_PATHS[1]', line: L(2), text: /pl061@9030000\.dts/ } },
  { id: 'files/passthrough-dts-syntax', category: 'files', setup: (d) => put(d, 'pt/virt/pl011@9000000.dts', PARTIAL_DTS.replace('ranges;', 'ranges')),
    lines: ['PASSTHROUGH_DTS_REPO="pt virt"', 'DOMU_PASSTHROUGH_PATHS[0]="/pl011@9000000"', 'DOMU_PASSTHROUGH_PATHS[1]="/pl011@9000000"'],
    expect: { exit: 4, code: 'PLAN_PARTIAL_DTS_COMPILE', text: /pl011@9000000\.dts:\d+\.\d+-\d+ syntax error/ } },
  { id: 'keys/passthrough-dts-git-url', category: 'keys', lines: ['PASSTHROUGH_DTS_REPO="git@github.com:Xilinx/xen-passthrough-device-trees.git zcu102"'],
    expect: { exit: 3, code: 'CONFIG_UNSUPPORTED', line: L(0), text: /git clone/ } },
  { id: 'files/config-missing', category: 'files', args: ['--config', 'no-such-config'], expect: { exit: 3, code: 'CONFIG_NOT_FOUND' } },
  { id: 'files/xen-is-dtb', category: 'files', lines: ['XEN="samples/virt.dtb"'], expect: { exit: 4, code: /^IMAGE_/, key: 'XEN', line: L(0) } },
  { id: 'files/kernel-is-dtb', category: 'files', lines: ['DOM0_KERNEL="samples/virt.dtb"'], expect: { exit: 4, code: /^IMAGE_/, key: 'DOM0_KERNEL', line: L(0) } },
  { id: 'files/dtb-is-kernel', category: 'files', lines: ['DEVICE_TREE="samples/Image"'], expect: { exit: 4, code: /^(IMAGE_|FDT_)/, line: L(0) } },
  { id: 'files/ramdisk-is-dtb', category: 'files', lines: ['DOM0_RAMDISK="samples/virt.dtb"'], expect: { exit: 4, code: /^IMAGE_/, line: L(0) } },
  { id: 'files/kernel-is-config', category: 'files', lines: ['DOM0_KERNEL="config"'], expect: { exit: 4, code: /^IMAGE_/, line: L(0) } },
  { id: 'files/empty-kernel', category: 'files', setup: (d) => put(d, 'empty', ''), lines: ['DOM0_KERNEL="empty"'], expect: { exit: 4, code: /^IMAGE_/, line: L(0) } },
  { id: 'files/empty-xen', category: 'files', setup: (d) => put(d, 'empty', ''), lines: ['XEN="empty"'], expect: { exit: 4, code: /^IMAGE_/, line: L(0) } },
  { id: 'files/empty-dtb', category: 'files', setup: (d) => put(d, 'empty', ''), lines: ['DEVICE_TREE="empty"'], expect: { exit: 4, code: /^(IMAGE_|FDT_)/, line: L(0) } },
  { id: 'files/truncated-kernel-header', category: 'files', setup: (d) => put(d, 'short', sample(d, 'Image').subarray(0, 40)), lines: ['DOM0_KERNEL="short"'], expect: { exit: 4, code: /^IMAGE_/, line: L(0) } },
  { id: 'files/truncated-xen-header', category: 'files', setup: (d) => put(d, 'short', sample(d, 'xen').subarray(0, 40)), lines: ['XEN="short"'], expect: { exit: 4, code: /^IMAGE_/, line: L(0) } },
  { id: 'files/truncated-dtb', category: 'files', setup: (d) => put(d, 'short.dtb', sample(d, 'virt.dtb').subarray(0, 1000)), lines: ['DEVICE_TREE="short.dtb"'], expect: { exit: 4, code: /^(IMAGE_|FDT_)/, line: L(0) } },
  { id: 'files/random-ramdisk', category: 'files', setup: (d) => put(d, 'rnd', new Uint8Array(4096).map((_, i) => (i * 7919 + 13) & 0xff)), lines: ['DOM0_RAMDISK="rnd"'], expect: { exit: 4, code: /^IMAGE_/, line: L(0) } },
  { id: 'files/random-kernel', category: 'files', setup: (d) => put(d, 'rnd', new Uint8Array(4096).map((_, i) => (i * 7919 + 13) & 0xff)), lines: ['DOM0_KERNEL="rnd"'], expect: { exit: 4, code: /^IMAGE_/, line: L(0) } },
  { id: 'files/kernel-image-size-2p53', category: 'files', setup: (d) => sparseFile(path.join(d, 'big'), arm64Header({ imageSize: 2 ** 53 - 1 }), 4096), lines: ['DOM0_KERNEL="big"'], expect: [{ exit: 4, code: /^IMAGE_/, line: L(0) }, { exit: 5, code: /^PLAN_/ }] },
  { id: 'files/xen-text-offset-2g', category: 'files', setup: (d) => sparseFile(path.join(d, 'xen2'), arm64Header({ imageSize: 0x200000, textOffset: 0x80000000 }), 0x200000), lines: ['XEN="xen2"'], expect: [{ exit: 4, code: /^IMAGE_/, line: L(0) }, { exit: 5, code: /^PLAN_/ }] },
  { id: 'files/xen-is-directory', category: 'files', lines: ['XEN="samples"'], expect: { exit: 4, code: /^IMAGE_/, line: L(0) } },
  { id: 'files/dtb-is-directory', category: 'files', lines: ['DEVICE_TREE="samples"'], expect: { exit: 4, code: /^(IMAGE_|FDT_)/, line: L(0) } },
  { id: 'files/kernel-is-directory', category: 'files', lines: ['DOM0_KERNEL="."'], expect: { exit: 4, code: /^IMAGE_/, line: L(0) } },
  { id: 'files/config-is-directory', category: 'files', args: ['--config', 'samples'], expect: { exit: 3, code: /^CONFIG_/ } },
  { id: 'files/extra-cmds-is-directory', category: 'files', lines: ['APPEND_EXTRA_CMDS="samples"'], expect: { exit: 4, code: /^IMAGE_/, line: L(0) } },
  { id: 'files/symlink-loop', category: 'files', setup: (d) => { fs.symlinkSync('loop2', path.join(d, 'loop1')); fs.symlinkSync('loop1', path.join(d, 'loop2')); }, lines: ['DOM0_KERNEL="loop1"'], expect: { exit: 4, code: /^IMAGE_/, line: L(0) } },
  { id: 'files/dangling-symlink', category: 'files', setup: (d) => fs.symlinkSync('nowhere', path.join(d, 'dangling')), lines: ['XEN="dangling"'], expect: { exit: 4, code: /^IMAGE_/, line: L(0) } },
  { id: 'files/odc-cpio-ramdisk', category: 'files', setup: (d) => put(d, 'odc.cpio', new Uint8Array([...Buffer.from('070707'), ...new Uint8Array(1000)])), lines: ['DOM0_RAMDISK="odc.cpio"'], expect: { exit: 4, code: /^IMAGE_/, line: L(0) } },
  { id: 'files/gzip-xen-for-booti', category: 'files', setup: (d) => put(d, 'xen.gz', new Uint8Array(execFileSync('gzip', ['-n', '-c', path.join(d, 'samples', 'xen')]))), lines: ['XEN="xen.gz"'], expect: { exit: 4, code: /^IMAGE_/, line: L(0) } },
  { id: 'files/kernel-2g-sparse', category: 'files', setup: (d) => sparseFile(path.join(d, 'huge'), arm64Header({ imageSize: 0x90000000 }), 0x90000000), lines: ['DOM0_KERNEL="huge"'], expect: { exit: 5, code: /^PLAN_/ } },
  { id: 'files/config-huge', category: 'files', config: `${EXAMPLE_HEAD.join('\n')}\n${'# padding line of a config far larger than any real one\n'.repeat(400_000)}`, expect: { exit: 3, code: /^CONFIG_/ } },

  // --- device files and FIFOs: never read forever ---
  { id: 'devices/dtb-dev-zero', category: 'devices', lines: ['DEVICE_TREE="/dev/zero"'], expect: { exit: 4, code: /^(IMAGE_|FDT_)/, line: L(0) }, isolate: true },
  { id: 'devices/kernel-dev-zero', category: 'devices', lines: ['DOM0_KERNEL="/dev/zero"'], expect: { exit: 4, code: /^IMAGE_/, line: L(0) }, isolate: true },
  { id: 'devices/xen-dev-urandom', category: 'devices', lines: ['XEN="/dev/urandom"'], expect: { exit: 4, code: /^IMAGE_/, line: L(0) }, isolate: true },
  { id: 'devices/ramdisk-dev-urandom', category: 'devices', lines: ['DOM0_RAMDISK="/dev/urandom"'], expect: { exit: 4, code: /^IMAGE_/, line: L(0) }, isolate: true },
  { id: 'devices/extra-cmds-dev-zero', category: 'devices', lines: ['APPEND_EXTRA_CMDS="/dev/zero"'], expect: { exit: 4, code: /^IMAGE_/, line: L(0) }, isolate: true },
  { id: 'devices/config-dev-zero', category: 'devices', args: ['--config', '/dev/zero'], expect: { exit: 3, code: /^CONFIG_/ }, isolate: true },
  { id: 'devices/config-dev-null', category: 'devices', args: ['--config', '/dev/null'], expect: { exit: 3, code: /^CONFIG_/, text: /not a regular file|character device/ }, isolate: true },
  { id: 'devices/config-fifo', category: 'devices', setup: fifo('cfg.fifo'), args: ['--config', 'cfg.fifo'], expect: { exit: 3, code: /^CONFIG_/ }, isolate: true },
  { id: 'devices/dtb-fifo', category: 'devices', setup: fifo('dtb.fifo'), lines: ['DEVICE_TREE="dtb.fifo"'], expect: { exit: 4, code: /^(IMAGE_|FDT_)/, line: L(0) }, isolate: true },
  { id: 'devices/kernel-fifo', category: 'devices', setup: fifo('k.fifo'), lines: ['DOM0_KERNEL="k.fifo"'], expect: { exit: 4, code: /^IMAGE_/, line: L(0) }, isolate: true },
  { id: 'devices/extra-cmds-fifo', category: 'devices', setup: fifo('x.fifo'), lines: ['APPEND_EXTRA_CMDS="x.fifo"'], expect: { exit: 4, code: /^IMAGE_/, line: L(0) }, isolate: true },

  // --- DTB problems: named with the key and line, never parseTree: FDT_ERR_... alone ---
  { id: 'dtb/bad-magic', category: 'dtb', setup: patchedDtb(0, 0x12345678), lines: [DT], expect: { exit: 4, code: /^(IMAGE_|FDT_)/, line: L(0) } },
  { id: 'dtb/totalsize-beyond-file', category: 'dtb', setup: patchedDtb(4, 0x10000), lines: [DT], expect: { exit: 4, code: /^(IMAGE_|FDT_)/, line: L(0) } },
  { id: 'dtb/totalsize-over-2g', category: 'dtb', setup: patchedDtb(4, 0x90000000), lines: [DT], expect: { exit: 4, code: /^(IMAGE_|FDT_)/, line: L(0) } },
  { id: 'dtb/totalsize-tiny', category: 'dtb', setup: patchedDtb(4, 8), lines: [DT], expect: { exit: 4, code: /^(IMAGE_|FDT_)/, line: L(0) } },
  { id: 'dtb/struct-offset-out', category: 'dtb', setup: patchedDtb(8, 0x7ffffff0), lines: [DT], expect: { exit: 4, code: /^(IMAGE_|FDT_)/, line: L(0) } },
  { id: 'dtb/strings-offset-out', category: 'dtb', setup: patchedDtb(12, 0x7ffffff0), lines: [DT], expect: { exit: 4, code: /^(IMAGE_|FDT_)/, line: L(0) } },
  { id: 'dtb/memrsv-offset-out', category: 'dtb', setup: patchedDtb(16, 0x7ffffff0), lines: [DT], expect: { exit: 4, code: /^(IMAGE_|FDT_)/, line: L(0) } },
  { id: 'dtb/version-1', category: 'dtb', setup: patchedDtb(20, 1), lines: [DT], expect: { exit: 4, code: /^(IMAGE_|FDT_)/, line: L(0) } },
  { id: 'dtb/struct-size-huge', category: 'dtb', setup: patchedDtb(36, 0x7fffffff), lines: [DT], expect: { exit: 4, code: /^(IMAGE_|FDT_)/, line: L(0) } },
  { id: 'dtb/strings-size-huge', category: 'dtb', setup: patchedDtb(32, 0x7fffffff), lines: [DT], expect: { exit: 4, code: /^(IMAGE_|FDT_)/, line: L(0) } },
  { id: 'dtb/cells-zero-zero', category: 'dtb', setup: builtDtb({ addressCells: 0, sizeCells: 0, reg: [] }), lines: [DT], expect: [{ exit: 4, code: /^(IMAGE_|FDT_)/, line: L(0) }, { exit: 5, code: /^PLAN_/ }], isolate: true },
  { id: 'dtb/memreserve-above-2p53', category: 'dtb', setup: builtDtb({ reserve: [[0x1000, 0x1000]], highReserve: true }), lines: [DT], expect: [{ exit: 4, code: /^(IMAGE_|FDT_)/, line: L(0) }, { exit: 5, code: /^PLAN_/ }] },
  { id: 'dtb/memory-above-2p53', category: 'dtb', setup: builtDtb({ reg: [0x00400000, 0, 0, 0x80000000] }), lines: [DT], expect: [{ exit: 4, code: /^(IMAGE_|FDT_)/, line: L(0) }, { exit: 5, code: /^PLAN_/ }] },
  { id: 'dtb/nesting-10000', category: 'dtb', setup: builtDtb({ depth: 10000 }), lines: [DT], expect: { exit: 4, code: /^(IMAGE_|FDT_)/, line: L(0) }, isolate: true },
  { id: 'dtb/no-end-token', category: 'dtb', setup: (d) => { const b = sample(d, 'virt.dtb').slice(); const dv = new DataView(b.buffer); const off = dv.getUint32(8) + dv.getUint32(36) - 4; dv.setUint32(off, 0x2); put(d, 'bad.dtb', b); }, lines: [DT], expect: { exit: 4, code: /^(IMAGE_|FDT_)/, line: L(0) } },
  { id: 'dtb/bad-token', category: 'dtb', setup: (d) => { const b = sample(d, 'virt.dtb').slice(); const dv = new DataView(b.buffer); dv.setUint32(dv.getUint32(8) + 8, 0x77); put(d, 'bad.dtb', b); }, lines: [DT], expect: { exit: 4, code: /^(IMAGE_|FDT_)/, line: L(0) } },
  { id: 'dtb/over-2mib', category: 'dtb', setup: (d) => { const b = sample(d, 'virt.dtb'); const big = new Uint8Array(3 * 1024 * 1024); big.set(b); be32(big, 4, big.length); put(d, 'bad.dtb', big); }, lines: [DT], expect: [{ exit: 5, code: /^PLAN_/ }, { exit: 4, code: /^(IMAGE_|FDT_)/, line: L(0) }] },
  { id: 'dtb/no-memory-node', category: 'dtb', setup: builtDtb({ noMemory: true }), lines: [DT], expect: { exit: 0 } },

  // --- plan failures ---
  { id: 'plan/ram-too-small', category: 'plan', lines: ['MEMORY_END=0x42000000', DT], setup: builtDtb({ reg: [0, 0x40000000, 0, 0x2000000] }), expect: { exit: 5, code: /^PLAN_/ } },
  { id: 'plan/memory-end-too-low', category: 'plan', lines: ['MEMORY_END="0x42000000"'], args: ['--no-verify'], expect: { exit: 5, code: 'PLAN_OUT_OF_MEMORY' } },
  { id: 'plan/uboot-reserve-all', category: 'plan', args: ['--uboot-reserve', '0x7ff00000'], expect: { exit: 5, code: /^PLAN_/ } },
  { id: 'plan/too-many-modules', category: 'plan', lines: ['NUM_DOMUS=16', ...Array.from({ length: 16 }, (_, i) => `DOMU_KERNEL[${i}]="samples/Image"\nDOMU_RAMDISK[${i}]="samples/initrd.cpio.gz"\nDOMU_MEM[${i}]=40\nDOMU_PASSTHROUGH_DTB[${i}]="samples/virt.dtb"`)], args: ['--no-share'], expect: { exit: 6 } },
  { id: 'plan/reserved-covers-ram', category: 'plan', setup: builtDtb({ reserve: [[0x40000000, 0x80000000]] }), lines: [DT], expect: { exit: 5, code: /^PLAN_/ } },
  { id: 'plan/xen-load-fixed-in-reserved', category: 'plan', setup: builtDtb({ reserve: [[0x40000000, 0x7ff00000]] }), lines: [DT], expect: { exit: 5, code: /^PLAN_/ } },
  // An image_size of 4 GiB is refused by the header check, at the key's line.
  { id: 'plan/kernel-bigger-than-ram', category: 'plan', setup: (d) => sparseFile(path.join(d, 'huge'), arm64Header({ imageSize: 0x100000000 }), 4096), lines: ['DOM0_KERNEL="huge"'], expect: [{ exit: 4, code: 'IMAGE_OUT_OF_RANGE', key: 'DOM0_KERNEL', line: L(0) }, { exit: 5, code: /^PLAN_/ }] },

  // --- where outputs may go ---
  { id: 'output-path/absolute-script', category: 'output-path', lines: ['UBOOT_SCRIPT="/tmp/uboot-gen-corpus-abs.scr"'], expect: { exit: 1, code: 'OUTPUT_OUTSIDE_DIR', key: 'UBOOT_SCRIPT', line: L(0), text: /absolute path.*--output-outside-dir/s } },
  { id: 'output-path/absolute-source', category: 'output-path', lines: ['UBOOT_SOURCE="/tmp/uboot-gen-corpus-abs.source"'], expect: { exit: 1, code: 'OUTPUT_OUTSIDE_DIR', key: 'UBOOT_SOURCE', line: L(0) } },
  { id: 'output-path/dotdot-script', category: 'output-path', lines: ['UBOOT_SCRIPT="../../escaped.scr"'], expect: { exit: 1, code: 'OUTPUT_OUTSIDE_DIR', key: 'UBOOT_SCRIPT', line: L(0), text: /outside it/ } },
  { id: 'output-path/o-dotdot', category: 'output-path', args: ['-o', '../../x'], expect: { exit: 1, code: 'OUTPUT_OUTSIDE_DIR', text: /the -o output \.\.\/\.\.\/x\.source/ } },
  { id: 'output-path/o-absolute', category: 'output-path', args: ['-o', '/tmp/uboot-gen-corpus-x'], expect: { exit: 1, code: 'OUTPUT_OUTSIDE_DIR', text: /absolute path/ } },
  { id: 'output-path/new-nested-folder', category: 'output-path', lines: ['UBOOT_SCRIPT="new/deeper/boot.scr"'], expect: { exit: 1, code: 'OUTPUT_NO_FOLDER', key: 'UBOOT_SCRIPT', line: L(0), text: /does not exist.*mkdir -p/s } },
  { id: 'output-path/o-new-folder', category: 'output-path', args: ['-o', 'out/boot'], expect: { exit: 1, code: 'OUTPUT_NO_FOLDER' } },
  { id: 'output-path/parent-is-file', category: 'output-path', lines: ['UBOOT_SCRIPT="config/boot.scr"'], expect: { exit: 1, code: 'OUTPUT_NO_FOLDER', line: L(0), text: /is not a folder/ } },
  { id: 'output-path/script-is-config', category: 'output-path', lines: ['UBOOT_SCRIPT=config'], expect: { exit: 1, code: 'OUTPUT_OVERWRITES_INPUT', key: 'UBOOT_SCRIPT', line: L(0), text: /config file/ } },
  { id: 'output-path/source-is-config', category: 'output-path', lines: ['UBOOT_SOURCE=config', 'UBOOT_SCRIPT=boot.scr'], expect: { exit: 1, code: 'OUTPUT_OVERWRITES_INPUT', key: 'UBOOT_SOURCE', line: L(0) } },
  { id: 'output-path/script-is-xen', category: 'output-path', lines: ['UBOOT_SCRIPT=samples/xen'], expect: { exit: 1, code: 'OUTPUT_OVERWRITES_INPUT', text: /XEN \(samples\/xen\)/ } },
  { id: 'output-path/script-is-dtb', category: 'output-path', lines: ['UBOOT_SCRIPT=samples/virt.dtb'], expect: { exit: 1, code: 'OUTPUT_OVERWRITES_INPUT', text: /DEVICE_TREE/ } },
  { id: 'output-path/source-is-ramdisk', category: 'output-path', lines: ['UBOOT_SOURCE=samples/initrd.cpio.gz', 'UBOOT_SCRIPT=boot.scr'], expect: { exit: 1, code: 'OUTPUT_OVERWRITES_INPUT', text: /RAMDISK/ } },
  { id: 'output-path/script-hard-link-to-kernel', category: 'output-path', setup: (d) => fs.linkSync(path.join(d, 'samples', 'Image'), path.join(d, 'linked.scr')), lines: ['UBOOT_SCRIPT=linked.scr'], expect: { exit: 1, code: 'OUTPUT_OVERWRITES_INPUT', text: /DOM0_KERNEL/ } },
  { id: 'output-path/script-via-symlinked-folder', category: 'output-path', setup: (d) => fs.symlinkSync(path.dirname(d), path.join(d, 'up')), lines: ['UBOOT_SCRIPT=up/boot.scr'], expect: { exit: 1, code: 'OUTPUT_OUTSIDE_DIR', line: L(0) } },
  { id: 'output-path/o-is-config-stem', category: 'output-path', setup: (d) => fs.linkSync(path.join(d, 'config'), path.join(d, 'cfg.scr')), args: ['-o', 'cfg'], expect: { exit: 1, code: 'OUTPUT_OVERWRITES_INPUT', text: /config file/ } },
  { id: 'output-path/script-is-folder', category: 'output-path', lines: ['UBOOT_SCRIPT=samples'], expect: { exit: 1, code: 'OUTPUT_NOT_A_FILE', line: L(0), text: /a folder/ } },
  { id: 'output-path/script-is-fifo', category: 'output-path', setup: fifo('out.scr'), lines: ['UBOOT_SCRIPT=out.scr'], expect: { exit: 1, code: 'OUTPUT_NOT_A_FILE', text: /a FIFO/ } },
  { id: 'output-path/source-equals-script', category: 'output-path', lines: ['UBOOT_SOURCE=boot.x', 'UBOOT_SCRIPT=boot.x'], expect: { exit: 1, code: 'OUTPUT_SAME_FILE' } },
  { id: 'output-path/script-semicolon', category: 'output-path', lines: ['UBOOT_SCRIPT="boot.scr;reset"'], expect: [{ exit: 1, code: 'OUTPUT_UNSAFE_NAME', key: 'UBOOT_SCRIPT', line: L(0), text: /";"/ }, { exit: 3, code: 'CONFIG_UNSAFE_PATH' }] },
  { id: 'output-path/script-space', category: 'output-path', lines: ['UBOOT_SCRIPT="boot scr"'], expect: [{ exit: 1, code: 'OUTPUT_UNSAFE_NAME', text: /" "/ }, { exit: 3, code: 'CONFIG_UNSAFE_PATH' }] },
  { id: 'output-path/script-dollar', category: 'output-path', lines: ["UBOOT_SCRIPT='boot$x.scr'"], expect: [{ exit: 1, code: 'OUTPUT_UNSAFE_NAME', text: /"\$"/ }, { exit: 3, code: 'CONFIG_UNSAFE_PATH' }] },
  { id: 'output-path/script-hash', category: 'output-path', lines: ['UBOOT_SCRIPT="#boot.scr"'], expect: [{ exit: 1, code: 'OUTPUT_UNSAFE_NAME' }, { exit: 3, code: 'CONFIG_UNSAFE_PATH' }] },
  { id: 'output-path/script-quote', category: 'output-path', lines: ["UBOOT_SCRIPT='bo\"ot.scr'"], expect: [{ exit: 1, code: 'OUTPUT_UNSAFE_NAME' }, { exit: 3, code: 'CONFIG_UNSAFE_PATH' }] },
  { id: 'output-path/o-newline', category: 'output-path', args: ['-o', 'a\nreset'], expect: [{ exit: 1, code: 'OUTPUT_UNSAFE_NAME' }, { exit: 3, code: 'CONFIG_UNSAFE_PATH' }] },
  { id: 'output-path/bootm-xen-ub-over-input', category: 'output-path', setup: (d) => fs.copyFileSync(path.join(d, 'samples', 'Image'), path.join(d, 'xen.ub')), lines: ['BOOT_CMD=bootm', 'DOM0_KERNEL="xen.ub"'], expect: { exit: 1, code: 'OUTPUT_OVERWRITES_INPUT', text: /xen\.ub \(the uImage made from XEN/ } },
  { id: 'output-path/script-is-dot', category: 'output-path', lines: ['UBOOT_SCRIPT=.'], expect: { exit: 1, code: /^OUTPUT_(NOT_A_FILE|OUTSIDE_DIR)$/ } },
  { id: 'output-path/d-elsewhere-script-back', category: 'output-path', setup: (d) => fs.cpSync(path.join(d, 'samples'), path.join(d, 'sub', 'samples'), { recursive: true }), args: ['-d', 'sub', '-o', '../boot'], expect: { exit: 1, code: 'OUTPUT_OUTSIDE_DIR' } },

  // --- injection into file names and strings that reach the script ---
  { id: 'injection/xen-semicolon-existing-file', category: 'injection', setup: (d) => fs.copyFileSync(path.join(d, 'samples', 'xen'), path.join(d, 'samples', 'xen;setenv pwned 1')), lines: ['XEN="samples/xen;setenv pwned 1"'], expect: { exit: 3, code: /^CONFIG_/, key: 'XEN', line: L(0) } },
  { id: 'injection/kernel-semicolon', category: 'injection', setup: (d) => fs.copyFileSync(path.join(d, 'samples', 'Image'), path.join(d, 'k;reset')), lines: ['DOM0_KERNEL="k;reset"'], expect: { exit: 3, code: /^CONFIG_/, key: 'DOM0_KERNEL', line: L(0) } },
  { id: 'injection/ramdisk-space', category: 'injection', setup: (d) => fs.copyFileSync(path.join(d, 'samples', 'initrd.cpio.gz'), path.join(d, 'rd 1')), lines: ['DOM0_RAMDISK="rd 1"'], expect: { exit: 3, code: /^CONFIG_/, line: L(0) } },
  { id: 'injection/dtb-dollar', category: 'injection', setup: (d) => fs.copyFileSync(path.join(d, 'samples', 'virt.dtb'), path.join(d, 'v$x.dtb')), lines: ["DEVICE_TREE='v$x.dtb'"], expect: { exit: 3, code: /^CONFIG_/, line: L(0) } },
  { id: 'injection/kernel-hash', category: 'injection', setup: (d) => fs.copyFileSync(path.join(d, 'samples', 'Image'), path.join(d, 'k#1')), lines: ['DOMU_KERNEL[0]="k#1"'], expect: { exit: 3, code: /^CONFIG_/, line: L(0) } },
  { id: 'injection/kernel-quote', category: 'injection', setup: (d) => fs.copyFileSync(path.join(d, 'samples', 'Image'), path.join(d, 'k"q')), lines: ["DOMU_KERNEL[1]='k\"q'"], expect: { exit: 3, code: /^CONFIG_/, line: L(0) } },
  { id: 'injection/kernel-newline', category: 'injection', setup: (d) => fs.copyFileSync(path.join(d, 'samples', 'Image'), path.join(d, 'k\nreset')), lines: ['DOM0_KERNEL="k', 'reset"'], expect: { exit: 3, code: /^CONFIG_/, line: L(0) } },
  { id: 'injection/passthrough-dtb-semicolon', category: 'injection', setup: (d) => fs.copyFileSync(path.join(d, 'samples', 'virt.dtb'), path.join(d, 'p;reset.dtb')), lines: ['DOMU_PASSTHROUGH_DTB[0]="p;reset.dtb"'], expect: { exit: 3, code: /^CONFIG_/, line: L(0) } },
  // LOAD_CMD is a command by design ("load mmc 0:1"): a `reset` in it runs, and the verification says so.
  { id: 'injection/load-cmd-semicolon', category: 'injection', lines: ['LOAD_CMD="tftpb; reset;"'], expect: [{ exit: 6 }, { exit: 3, code: /^CONFIG_/, line: L(0) }] },
  // Command lines are data: quoted into one word of `fdt set`, never a second command.
  { id: 'injection/dom0-cmd-quote', category: 'injection', lines: ['DOM0_CMD=\'console=hvc0"; setenv pwned 1; echo "\''], expect: [{ exit: 0, noCommand: /^setenv pwned/ }, { exit: 3, code: /^CONFIG_/, line: L(0) }] },
  { id: 'injection/xen-cmd-quote', category: 'injection', lines: ['XEN_CMD=\'console=dtuart dtuart=/pl011@9000000 dom0_mem=512M x"; reset; echo "\''], expect: [{ exit: 0, noCommand: /^reset/ }, { exit: 3, code: /^CONFIG_/, line: L(0) }] },
  { id: 'injection/domu-cmd-newline', category: 'injection', lines: ['DOMU_CMD[0]="console=ttyAMA0', 'reset"'], expect: [{ exit: 0, noCommand: /^reset/ }, { exit: 3, code: /^CONFIG_/, line: L(0) }] },
  { id: 'injection/domu-cmd-dollar', category: 'injection', lines: ["DOMU_CMD[1]='console=ttyAMA0 ${bootcmd} $(reset)'"], expect: [{ exit: 0, noCommand: /^reset/ }, { exit: 3, code: /^CONFIG_/, line: L(0) }, { exit: 4, code: 'EMIT_FDT_UNMEASURABLE' }] },
  { id: 'injection/dom0-cmd-backslash', category: 'injection', lines: ["DOM0_CMD='console=hvc0 \\\"; reset; \\\"'"], expect: [{ exit: 0, noCommand: /^reset/ }, { exit: 3, code: /^CONFIG_/, line: L(0) }] },
  { id: 'injection/passthrough-path-semicolon', category: 'injection', lines: ['DOMU_PASSTHROUGH_PATHS[0]="/pl061@9030000;reset"'], expect: { exit: 3, code: /^CONFIG_/, line: L(0) } },
  { id: 'injection/xen-dollar-brace', category: 'injection', setup: (d) => fs.copyFileSync(path.join(d, 'samples', 'xen'), path.join(d, 'x${bootcmd}')), lines: ["XEN='x${bootcmd}'"], expect: { exit: 3, code: /^CONFIG_/, line: L(0) } },

  // --- the simulated boot fails: exit 6, the reason printed, nothing replaced ---
  { id: 'verification/domu-mem-too-big', category: 'verification', lines: ['DOMU_MEM[1]=2048'], expect: { exit: 6, text: /Failed to allocate requested domain memory/ } },
  { id: 'verification/dom0-mem-too-big', category: 'verification', lines: ['XEN_CMD="console=dtuart dtuart=/pl011@9000000 dom0_mem=3G bootscrub=0"'], expect: { exit: 6 } },
  { id: 'verification/no-console', category: 'verification', lines: ['XEN_CMD="console=dtuart dtuart=serial0 dom0_mem=512M"'], expect: { exit: 6, text: /no usable console/ } },
  { id: 'verification/extra-cmd-reset', category: 'verification', setup: (d) => put(d, 'extra.cmds', 'reset\n'), lines: ['APPEND_EXTRA_CMDS="extra.cmds"'], expect: { exit: 6 } },
  // Found before the simulation when the fdt edits are measured, else by it.
  { id: 'verification/extra-cmd-fails', category: 'verification', setup: (d) => put(d, 'extra.cmds', 'fdt set /nope status "disabled"\n'), lines: ['APPEND_EXTRA_CMDS="extra.cmds"'], expect: [{ exit: 4, code: 'EMIT_FDT_NO_NODE', text: /\/nope/ }, { exit: 6 }] },
  { id: 'verification/extra-cmd-loses-dtb', category: 'verification', setup: (d) => put(d, 'extra.cmds', 'fdt rm /chosen\n'), lines: ['APPEND_EXTRA_CMDS="extra.cmds"'], expect: { exit: 6 } },
  { id: 'verification/extra-cmd-infinite-loop', category: 'verification', setup: (d) => put(d, 'extra.cmds', "setenv l 'setenv x 1; run l'\nrun l\n"), lines: ['APPEND_EXTRA_CMDS="extra.cmds"'], expect: { exit: 6, text: /endless recursion/ }, isolate: true },
  { id: 'verification/extra-cmd-while-loop', category: 'verification', setup: (d) => put(d, 'extra.cmds', 'while true; do setenv x 1; done\n'), lines: ['APPEND_EXTRA_CMDS="extra.cmds"'], expect: { exit: 6 }, isolate: true },
  { id: 'verification/extra-cmd-setenv-doubling', category: 'verification', setup: (d) => put(d, 'extra.cmds', 'setenv a xxxxxxxxxxxxxxxx\nsetenv d \'setenv a "${a}${a}"; run d\'\nrun d\n'), lines: ['APPEND_EXTRA_CMDS="extra.cmds"'], expect: { exit: 6, text: /levels deep|malloc/ }, isolate: true },
  { id: 'verification/extra-cmd-run-recursion', category: 'verification', setup: (d) => put(d, 'extra.cmds', "setenv r 'run r'\nrun r\n"), lines: ['APPEND_EXTRA_CMDS="extra.cmds"'], expect: { exit: 6, text: /endless recursion/ }, isolate: true },
  // U-Boot's resize size is an unsigned int: 0xffffffff wraps, as on the board.
  { id: 'verification/extra-cmd-fdt-resize-huge', category: 'verification', setup: (d) => put(d, 'extra.cmds', 'fdt resize 0xffffffff\n'), lines: ['APPEND_EXTRA_CMDS="extra.cmds"'], expect: [{ exit: 0 }, { exit: 6 }], isolate: true },
  { id: 'verification/extra-cmd-fdt-addr-huge', category: 'verification', setup: (d) => put(d, 'extra.cmds', 'fdt addr 0x44000000 0xffffffffffffffff\n'), lines: ['APPEND_EXTRA_CMDS="extra.cmds"'], expect: [{ exit: 4, code: /^EMIT_/ }, { exit: 6 }], isolate: true },
  { id: 'verification/extra-cmd-unquoted-quote', category: 'verification', setup: (d) => put(d, 'extra.cmds', "setenv q '\"'\necho $q\nfdt set /chosen x $q\n"), lines: ['APPEND_EXTRA_CMDS="extra.cmds"'], expect: [{ exit: 4, code: 'EMIT_FDT_UNMEASURABLE' }, { exit: 6 }], isolate: true },
  { id: 'verification/extra-cmd-reg-without-brackets', category: 'verification', setup: (d) => put(d, 'extra.cmds', 'fdt set /chosen/domU0 reg 0x1 0x2\n'), lines: ['APPEND_EXTRA_CMDS="extra.cmds"'], expect: [{ exit: 0 }, { exit: 6 }], isolate: true },
  { id: 'verification/extra-cmd-memory-zero', category: 'verification', setup: (d) => put(d, 'extra.cmds', 'fdt set /chosen/domU0 memory <0 0>\n'), lines: ['APPEND_EXTRA_CMDS="extra.cmds"'], expect: { exit: 6 }, isolate: true },
  { id: 'verification/extra-cmd-deep-if', category: 'verification', setup: (d) => put(d, 'extra.cmds', `${'if true; then '.repeat(5000)}reset${'; fi'.repeat(5000)}\n`), lines: ['APPEND_EXTRA_CMDS="extra.cmds"'], expect: { exit: 6 }, isolate: true },
  { id: 'verification/extra-cmd-mknod-many', category: 'verification', setup: (d) => put(d, 'extra.cmds', `fdt resize 0x100000\n${Array.from({ length: 5000 }, (_, i) => `fdt mknod /chosen n${i}`).join('\n')}\nreset\n`), lines: ['APPEND_EXTRA_CMDS="extra.cmds"'], expect: { exit: 6 }, isolate: true },
  { id: 'verification/extra-cmd-long-output', category: 'verification', setup: (d) => put(d, 'extra.cmds', `setenv p 'echo ${'x'.repeat(70)}; run p'\nrun p\n`), lines: ['APPEND_EXTRA_CMDS="extra.cmds"'], expect: { exit: 6, text: /levels deep/ }, isolate: true },
  { id: 'verification/xen-version-4-18-memory', category: 'verification', lines: ['DOMU_MEM[0]=4096'], args: ['--xen-version', '4.18'], expect: { exit: 6 } },

  // --- flags ---
  { id: 'flags/uboot-reserve-text', category: 'flags', args: ['--uboot-reserve', 'lots'], expect: { exit: 2, code: 'USAGE' } },
  { id: 'flags/uboot-reserve-huge', category: 'flags', args: ['--uboot-reserve', '0x1000000000000000000'], expect: { exit: 2, code: 'USAGE' } },
  // ImageBuilder passes an unknown -t through as the load command: the board then has no such command.
  { id: 'flags/load-cmd-unknown', category: 'flags', args: ['-t', 'floppy'], expect: { exit: 6, text: /U-Boot/ } },
  { id: 'flags/two-configs', category: 'flags', args: ['-c', 'config', 'other'], expect: { exit: 2, code: 'USAGE' } },
  { id: 'flags/xen-version-unknown', category: 'flags', args: ['--xen-version', '3.0'], expect: { exit: 2 } },
  { id: 'flags/d-missing', category: 'flags', args: ['-d', 'no-such-dir'], expect: { exit: 4, code: /^(IMAGE_|CONFIG_)/ } },
];
