// RawConfig → typed Config: key validation (unknown / unsupported / index shape), ImageBuilder's
// defaults and cross-field rules, in the order `uboot-script-gen` applies them
// (main → xen_config() → xen_file_loading(); imagebuilder.md §3, §4).
// Messages reuse ImageBuilder's texts where it has one, so users can search for them.

import { ConfigError, type DiagnosticCode } from '../errors.js';
import { ArithError, evaluateArithmetic } from './arith.js';
import { KEY_BY_NAME, NOT_IMAGEBUILDER_KEYS, suggestKey, XILINX_ONLY_KEYS } from './keys.js';
import { readDomUProps } from './domain-props.js';
import { resolveCpuKeys } from './cpu.js';
import type { Env, RawAssignment, RawConfig, RawValue } from './parse.js';
import { readDomUSharedMem, readDomUStaticMem, readStaticEvtchns, readStaticHeap, type Lookup, type Warn } from './static-mem.js';
import type { BootCmd, Config, Diagnostic, Dom0Config, DomUConfig, DomUEnhanced, FileRef, FitConfig, LinuxConfig, PartialDtsConfig, SourcePos } from './types.js';

/** Overlays one script applies: each is a load and a `fdt apply`; hundreds would be a typo. */
const MAX_DT_OVERLAYS = 64;

export interface ResolveOptions {
  env?: Env;
  /** `-t`: overrides LOAD_CMD (with ImageBuilder's aliases). */
  loadCmdOverride?: string;
  /** `-o NAME`: UBOOT_SOURCE=NAME.source, UBOOT_SCRIPT=NAME.scr. */
  outputNameOverride?: string;
  /** `-p PREPEND_PATH`: a prefix for every loaded file's name. */
  prependPath?: string;
  /** `-s`: addresses and sizes computed by U-Boot at boot. */
  runtimeSizing?: boolean;
  /** `-f`: FIT mode; FIT defaults to `${UBOOT_SOURCE%.source}.fit`. */
  fitOverride?: boolean;
  /** `-k KEY_DIR/HINT`: overrides FIT_ENC_KEY_DIR. */
  fitKeyDirOverride?: string;
  /** `-u U-BOOT_DTB`: overrides FIT_ENC_UB_DTB. */
  fitUbootDtbOverride?: string;
  /** `--dialect xilinx`: read the keys of Xilinx's ImageBuilder branch (DOM0_VIOMMU, DOMU_VIOMMU, DOMU_VUART_PL011). */
  dialect?: 'xilinx';
}

/** `-t` aliases (uboot-script-gen getopts handling). Anything else is used verbatim. */
export const LOAD_CMD_ALIASES: Readonly<Record<string, string>> = {
  tftp: 'tftpb',
  sd: 'load mmc 0:1',
  scsi: 'load scsi 0:1',
  usb: 'fatload usb 0:1',
  virtio: 'load virtio 0:1',
};

export const BOOT_CMDS: readonly BootCmd[] = ['booti', 'bootm', 'bootz', 'bootefi', 'none'];

export const DEFAULT_DOM0_CMD = 'console=hvc0 earlycon=xenboot earlyprintk clk_ignore_unused';
export const DEFAULT_DOMU_CMD = 'console=ttyAMA0';
export const DEFAULT_DOM0_MEM_MB = 1024;
export const DEFAULT_DOM0_VCPUS = 1;
export const DEFAULT_DOMU_MEM_MB = 512;

/**
 * Largest memory size a key may give, in MiB: 2^32 MiB = 4 PiB, the whole 52-bit arm64 physical
 * address space. Anything larger is a typo, and it keeps every byte count the planner derives
 * (MiB × 2^20, KiB cells) an exact number.
 */
export const MAX_MEM_MB = 2 ** 32;
/** Xen on Arm: MAX_VIRT_CPUS, the most vCPUs one domain can have. */
export const MAX_VCPUS = 128;
/** The end of the 52-bit arm64 physical address space: no RAM lies above it. */
export const MAX_PHYS_ADDR = 2 ** 52;

/**
 * Characters a file name must not contain because the name is written into a U-Boot command
 * line (`tftpb 0x… <name>`): hush splits on blanks, ends a command at `;`, `&&`, `||` or a
 * newline, expands `$`, treats quotes and `\` as quoting and `#` as a comment.
 */
const UNSAFE_PATH_CHAR = /[\s;&|<>()"'`$#\\]|\p{Cc}/u;

function describeChar(c: string): string {
  const names: Record<string, string> = {
    ' ': 'a space', '\t': 'a tab', '\n': 'a newline', ';': '";"', '"': 'a double quote', "'": 'a single quote', '$': '"$"',
    '#': '"#"', '\\': 'a backslash', '`': 'a backtick', '&': '"&"', '|': '"|"', '<': '"<"', '>': '">"', '(': '"("', ')': '")"',
  };
  return names[c] ?? `the control character 0x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

const CHAR_EFFECT: Record<string, string> = {
  ';': 'ends the U-Boot command there and starts another',
  '&': 'chains U-Boot commands', '|': 'chains U-Boot commands',
  '$': 'makes U-Boot expand a variable', '#': 'starts a comment in U-Boot\'s shell',
  '"': 'opens a quoted string in U-Boot\'s shell', "'": 'opens a quoted string in U-Boot\'s shell',
  '\\': 'escapes the next character in U-Boot\'s shell', '`': 'is special to U-Boot\'s shell',
};

/** Throws CONFIG_UNSAFE_PATH for a file name U-Boot would not read as one word. */
export function checkScriptSafePath(ref: FileRef): void {
  const m = UNSAFE_PATH_CHAR.exec(ref.value);
  if (!m) return;
  const c = m[0];
  const effect = CHAR_EFFECT[c] ?? (/\s/.test(c) ? 'splits the name into two words in the U-Boot command' : 'cannot appear in a U-Boot command line');
  throw new ConfigError('CONFIG_UNSAFE_PATH',
    `${ref.key} = ${JSON.stringify(ref.value)} contains ${describeChar(c)} at character ${m.index + 1}, which ${effect}; the name is written into the boot script, so it must be one plain word`,
    { key: ref.key, path: ref.value, char: c, index: m.index }, { ...ref.where, key: ref.key },
    'rename the file (or link it) to a name made of letters, digits and . _ - + / : , @ = ~ % only');
}

/** Where a value set on the command line points. */
export const COMMAND_LINE_POS: SourcePos = { file: '<command line>', line: 0, col: 0 };

/** Hints for unsupported keys that have a specific workaround. */
const UNSUPPORTED_HINTS: Readonly<Record<string, string>> = {};

/** The keys of Linux-only mode (linux_config(), linux_file_loading()). */
const LINUX_KEYS = ['LINUX', 'LINUX_RAMDISK', 'LINUX_CMD', 'LINUX_ROOTFS'] as const;
/** Default LINUX_CMD of linux_config(). */
export const DEFAULT_LINUX_CMD = 'earlycon console=ttyPS0,115200';
/** Keys only Xen mode reads: in Linux-only mode ImageBuilder never looks at them. */
const XEN_ONLY_KEY = /^(XEN_|DOM0_|DOMU_|CPUPOOL|NUM_CPUPOOLS$|NUM_DOMUS$)/;

/** uboot-script-gen's LOPPER_CMD when it is unset ("Default for ZynqMP MPSoC"). */
export const DEFAULT_LOPPER_CMD = '-i zynqmp-firmware -x interrupt-controller -x pinctrl -x power-domains -x resets -x current-speed';

const MEM_WHY = 'give the size in MiB (e.g. 512); the limit is the 52-bit arm64 physical address space';
const VCPUS_WHY = `a domain has at most ${MAX_VCPUS} vCPUs (Xen's MAX_VIRT_CPUS on Arm)`;

export function resolveConfig(raw: RawConfig, opts: ResolveOptions = {}): { config: Config; diagnostics: Diagnostic[] } {
  return new Resolver(raw, opts).run();
}

class Resolver {
  readonly #raw: RawConfig;
  readonly #opts: ResolveOptions;
  readonly #env: Env;
  readonly #diags: Diagnostic[] = [];
  /** suggestKey() per unknown name: a name assigned many times is looked up once. */
  readonly #suggestions = new Map<string, string | undefined>();

  constructor(raw: RawConfig, opts: ResolveOptions) {
    this.#raw = raw;
    this.#opts = opts;
    this.#env = opts.env ?? {};
  }

  run(): { config: Config; diagnostics: Diagnostic[] } {
    const numDomUs = this.#numDomUs();
    this.#validateKeys(numDomUs);

    // main: output names, BOOT_CMD, mode.
    const { ubootSource, ubootScript } = this.#outputs();
    const bootCmd = this.#bootCmd();
    const runtimeSizing = this.#opts.runtimeSizing === true;
    if (runtimeSizing && bootCmd === 'bootm') {
      // ImageBuilder: "bootm is not compatible with -s" (the uImage wrapper needs Xen's address at generation time).
      this.#error('CONFIG_CONFLICT', 'BOOT_CMD=bootm is not compatible with -s: bootm needs Xen wrapped in a uImage whose load address is fixed when the script is generated',
        this.#get('BOOT_CMD')?.valueWhere, 'BOOT_CMD', 'use BOOT_CMD=booti with -s, or drop -s to keep bootm');
    }
    // Mode: XEN set → Xen (LINUX_* ignored); else LINUX set → Linux-only; else neither (an error).
    const linuxOnly = this.#set('XEN') === undefined && this.#set('LINUX') !== undefined;
    if (linuxOnly) this.#linuxOnlyConflicts(numDomUs, bootCmd, runtimeSizing);
    else this.#linuxIgnored();
    const loadCmd = this.#loadCmd();
    let xen: FileRef;
    let linux: LinuxConfig | undefined;
    if (linuxOnly) {
      linux = this.#linux(loadCmd);
      xen = linux.kernel;
    } else {
      xen = this.#xen();
    }

    // xen_config()
    const dom0Kernel = linux ? undefined : this.#set('DOM0_KERNEL');
    const { xenCmd, xenCmdDefaulted } = linux ? { xenCmd: '', xenCmdDefaulted: false } : this.#xenCmd(dom0Kernel !== undefined, numDomUs);

    let dom0: Dom0Config | undefined;
    if (dom0Kernel) {
      const load = this.#loadFor('DOM0_LOAD', loadCmd, 'Neither DOM0_LOAD nor LOAD_CMD is specified');
      dom0 = this.#dom0(dom0Kernel, load);
    }

    const domUs: DomUConfig[] = [];
    const domUCount = linux ? 0 : numDomUs;
    for (let n = 0; n < domUCount; n++) domUs.push(this.#domU(n, dom0 !== undefined, numDomUs));
    // xen_file_loading(): per-domU load commands are checked for every domU, skipped ones included.
    for (const d of domUs) {
      d.load = this.#loadFor(`DOMU_LOAD[${d.index}]`, loadCmd, `Neither DOMU_LOAD[${d.index}] nor LOAD_CMD is specified`);
    }
    // Linux-only mode knows only LOAD_CMD (linux_config() predates XEN_LOAD).
    const xenLoad = linux ? this.#required(loadCmd, 'LOAD_CMD', 'LOAD_CMD not set, either specify it in the config or set it with the -t option')
      : this.#loadFor('XEN_LOAD', loadCmd, 'Neither XEN_LOAD nor LOAD_CMD is specified');
    // Static event channels join domUs, so they are read once every domU is known.
    const evtchns = readStaticEvtchns(this.#lookup, domUCount, (i) => domUs[i]?.boot === true);
    for (const [i, list] of evtchns.byDomU) domUs[i]!.evtchns = list;
    const staticHeap = linux ? undefined : readStaticHeap(this.#lookup);
    const cpu = linux ? undefined : resolveCpuKeys(this.#raw, domUs, this.#diags);
    if (cpu) for (const [i, d] of domUs.entries()) d.cpu = cpu.domUs[i]!;

    const { memoryStart, memoryEnd } = this.#memory();
    const deviceTree = this.#fileRef('DEVICE_TREE');
    const appendExtraCmds = this.#fileRef('APPEND_EXTRA_CMDS');
    const prependPath = this.#prependPath();
    const fdtEdit = this.#fileRef('FDTEDIT');
    const bitstream = this.#fileRef('BITSTREAM');
    const dtOverlays = this.#dtOverlays();
    const xenPolicy = linux ? undefined : this.#fileRef('XEN_POLICY');
    const dbgFdtPrintChosen = this.#set('DBG_FDT_PRINT_CHOSEN') !== undefined;
    if (fdtEdit && runtimeSizing) {
      this.#error('CONFIG_CONFLICT', 'FDTEDIT cannot be written with -s: the edited DTB holds every module\'s address and size, which U-Boot only computes at boot',
        fdtEdit.where, 'FDTEDIT', 'drop -s to get FDTEDIT, or drop FDTEDIT');
    }
    const partialDts = this.#partialDts(domUs, deviceTree);
    const fit = this.#fit(ubootSource);
    if (fit && runtimeSizing) {
      this.#error('CONFIG_CONFLICT', 'FIT mode cannot be combined with -s: the FIT records every image\'s load address when it is made, while -s leaves the addresses to U-Boot at boot',
        fit.file.where, 'FIT', 'drop -s to get a FIT, or drop FIT/-f to size the loads at boot');
    }

    const config: Config = {
      configFile: this.#raw.file,
      memoryStart,
      memoryEnd,
      ...(deviceTree ? { deviceTree } : {}),
      xen,
      ...(linux ? { linux } : {}),
      xenCmd,
      xenCmdDefaulted,
      ...(dom0 ? { dom0 } : {}),
      domUs,
      ...(loadCmd !== undefined ? { loadCmd } : {}),
      xenLoad,
      bootCmd,
      ubootSource,
      ubootScript,
      ...(appendExtraCmds ? { appendExtraCmds } : {}),
      ...(prependPath !== undefined ? { prependPath } : {}),
      ...(fdtEdit ? { fdtEdit } : {}),
      ...(bitstream ? { bitstream } : {}),
      ...(dtOverlays.length ? { dtOverlays } : {}),
      runtimeSizing,
      ...(fit ? { fit } : {}),
      ...(xenPolicy ? { xenPolicy } : {}),
      dbgFdtPrintChosen,
      ...(staticHeap ? { staticHeap } : {}),
      ...(evtchns.byDomU.size ? { nextPhandle: evtchns.nextPhandle } : {}),
      ...(cpu ? { cpu: cpu.cpu } : {}),
      ...(partialDts ? { partialDts } : {}),
      positions: Object.fromEntries([...this.#raw.vars.values()].flatMap((v) => [...v.elements.values()].map((e) => [e.key, e.valueWhere]))),
    };
    return { config, diagnostics: [...this.#raw.diagnostics, ...this.#diags] };
  }

  // ---- raw access ----

  /** #set() for the readers of src/config/static-mem.ts. */
  readonly #lookup: Lookup = (name, sub) => this.#set(name, sub);

  readonly #warnAt: Warn = (code, message, where, key, hint) => {
    this.#diags.push({ level: 'warning', code, message, where, key, ...(hint ? { hint } : {}) });
  };

  /** The value of NAME / NAME[sub] if it was assigned (empty included). */
  #get(name: string, sub?: string): RawValue | undefined {
    return this.#raw.vars.get(name)?.elements.get(sub ?? '0');
  }

  /** The value if it is set and non-empty: ImageBuilder tests keys with `test -z`/`test "$X"`. */
  #set(name: string, sub?: string): RawValue | undefined {
    const v = this.#get(name, sub);
    return v && v.value !== '' ? v : undefined;
  }

  #fileRef(name: string, sub?: string): FileRef | undefined {
    const v = this.#set(name, sub);
    if (!v) return undefined;
    const ref = { value: v.value, key: v.key, where: v.valueWhere };
    checkScriptSafePath(ref);
    return ref;
  }

  /** A whole number from `min` to `max`; beyond it a CONFIG_OUT_OF_RANGE saying why the limit exists. */
  #boundedNumber(v: RawValue, what: string, min: number, max: number, why: string): number {
    const text = v.value.trim();
    if (/^[0-9]+$/.test(text) && (text.length > 15 || Number(text) > max)) {
      this.#error('CONFIG_OUT_OF_RANGE', `${v.key} = ${text} is out of range: it must be ${what} from ${min} to ${max}`, v.valueWhere, v.key, why);
    }
    return this.#wholeNumber(v, what, min);
  }

  #error(code: ConstructorParameters<typeof ConfigError>[0], message: string, where: SourcePos | undefined, key?: string, hint?: string): never {
    const w = where ? { ...where, ...(key ? { key } : {}) } : { file: this.#raw.file, ...(key ? { key } : {}) };
    throw new ConfigError(code, message, key ? { key } : {}, w, hint);
  }

  /**
   * A required key is not set. When the config assigns a misspelling of it (an unknown key whose
   * nearest ImageBuilder key is this one, same index), the error points at that assignment and
   * its fix is the rename.
   */
  #missingOrMisspelt(name: string, sub: string | undefined, message: string, where: SourcePos | undefined, hint: string): never {
    const key = sub === undefined ? name : `${name}[${sub}]`;
    const typo = this.#raw.assignments.find((a) => !KEY_BY_NAME.has(a.name) && a.subscript === sub && a.value !== '' && suggestKey(a.name) === name);
    if (!typo) this.#error('CONFIG_MISSING', message, where, key, hint);
    const at = { ...typo.where, key: typo.key };
    throw new ConfigError('CONFIG_MISSING', `${key} is not set, but ${typo.key} is: ${typo.key} is not an ImageBuilder option, so it is ignored`,
      { key, edit: { key: typo.key, renameTo: key, where: typo.where } }, at, `rename ${typo.key} to ${key}`);
  }

  #warn(code: DiagnosticCode, message: string, where?: SourcePos): void {
    this.#diags.push({ level: 'warning', code, message, ...(where ? { where } : {}) });
  }

  #info(code: DiagnosticCode, message: string, where?: SourcePos): void {
    this.#diags.push({ level: 'info', code, message, ...(where ? { where } : {}) });
  }

  /** A whole decimal number, or a CONFIG_BAD_VALUE naming the key and what is expected. */
  #wholeNumber(v: RawValue, what: string, min = 0): number {
    const text = v.value.trim();
    const hint = `write a whole decimal number with no unit, e.g. ${v.key}=${what.includes('MiB') ? 512 : Math.max(min, 1)}`;
    if (!/^[0-9]+$/.test(text) || Number(text) > Number.MAX_SAFE_INTEGER) {
      this.#error('CONFIG_BAD_VALUE', `${v.key} must be ${what}, got "${v.value}"`, v.where, v.key, hint);
    }
    const n = Number(text);
    if (n < min) this.#error('CONFIG_BAD_VALUE', `${v.key} must be ${what} of at least ${min}, got "${v.value}"`, v.where, v.key, hint);
    return n;
  }

  /** NUM_DT_OVERLAY and DT_OVERLAY[0..n-1]: ImageBuilder stops with "Can not find" on a missing entry. */
  #dtOverlays(): FileRef[] {
    const num = this.#set('NUM_DT_OVERLAY');
    const n = num ? this.#boundedNumber(num, 'a whole number of overlays', 0, MAX_DT_OVERLAYS, `more than ${MAX_DT_OVERLAYS} overlays is a typo, not a board`) : 0;
    const out: FileRef[] = [];
    for (let i = 0; i < n; i++) {
      const ref = this.#fileRef('DT_OVERLAY', String(i));
      if (!ref) {
        this.#error('CONFIG_MISSING', `NUM_DT_OVERLAY=${n} asks for overlays 0..${n - 1}, but DT_OVERLAY[${i}] is not set (ImageBuilder: "Can not find , exiting")`,
          num!.valueWhere, 'NUM_DT_OVERLAY', `set DT_OVERLAY[${i}] to an overlay blob (dtc -@ -I dts -O dtb), or lower NUM_DT_OVERLAY`);
      }
      out.push(ref);
    }
    for (const a of this.#raw.assignments) {
      if (a.name === 'DT_OVERLAY' && Number(a.subscript) >= n) {
        this.#warn('CONFIG_IGNORED_INDEX', `${a.key} is set but NUM_DT_OVERLAY=${n}, so it is ignored`, a.where);
      }
    }
    return out;
  }

  // ---- validation ----

  #numDomUs(): number {
    const v = this.#set('NUM_DOMUS');
    return v ? this.#wholeNumber(v, 'a whole number of domUs') : 0;
  }

  /** Keys uboot-gen refuses, gathered over the whole config so that one run names every one of them. */
  #refused: Array<{ message: string; where: SourcePos; key: string; hint?: string }> = [];

  #validateKeys(numDomUs: number): void {
    this.#refused = [];
    for (const a of this.#raw.assignments) {
      const spec = KEY_BY_NAME.get(a.name);
      if (!spec) { this.#unknownKey(a); continue; }
      if (spec.indexed === false && a.indexed) {
        this.#error('CONFIG_BAD_INDEX', `${a.name} takes no index: write ${a.name}=..., not ${a.key}=...`, a.where, a.key);
      }
      if (spec.indexed === 'n' && !a.indexed) {
        const example = a.name.startsWith('DOMU_') ? `${a.name}[0]=... for the first domU` : `${a.name}[0]=...`;
        this.#error('CONFIG_BAD_INDEX', `${a.name} is an array (one entry per ${a.name.startsWith('DOMU_') ? 'domU' : 'item'}): write ${example}`, a.where, a.key);
      }
      if (spec.indexed === 'n,m' && !/^\d+,\d+$/.test(a.subscript ?? '')) {
        this.#error('CONFIG_BAD_INDEX', `${a.name} is indexed by domU and vCPU: write ${a.name}[0,0]=..., got ${a.key}`, a.where, a.key);
      }
      // Per-domU entries past NUM_DOMUS are never read by ImageBuilder.
      if (a.name.startsWith('DOMU_') && a.subscript !== undefined) {
        const n = Number(a.subscript.split(',')[0]);
        if (n >= numDomUs) {
          this.#warn('CONFIG_IGNORED_INDEX', `${a.key} is set but NUM_DOMUS=${numDomUs}, so it is ignored`, a.where);
          continue;
        }
      }
      if (!spec.supported && a.value !== '' && !(spec.type === 'count' && spec.key.startsWith('NUM_') && a.value.trim() === '0')) {
        const hint = UNSUPPORTED_HINTS[a.name];
        this.#refused.push({
          message: `${a.key} is an ImageBuilder option uboot-gen does not support yet; remove it or generate this configuration with ImageBuilder's uboot-script-gen`,
          where: a.where, key: a.key, ...(hint ? { hint } : {}),
        });
      }
      if (spec.diskImageOnly && a.value !== '') {
        this.#info('CONFIG_DISK_IMAGE_ONLY', `${a.key} is read only by ImageBuilder's disk_image tool; it does not change the boot script`, a.where);
      }
    }
    const [first, ...more] = this.#refused;
    if (!first) return;
    if (more.length === 0) this.#error('CONFIG_UNSUPPORTED', first.message, first.where, first.key, first.hint);
    const at = (r: { where: SourcePos; key: string }): string => `${r.key} (${r.where.file}:${r.where.line}:${r.where.col})`;
    const hints = [...new Set(this.#refused.flatMap((r) => (r.hint ? [`${r.key}: ${r.hint}`] : [])))];
    this.#error('CONFIG_UNSUPPORTED',
      `${this.#refused.length} keys of this config are not supported by uboot-gen: ${this.#refused.map(at).join(', ')}; remove them or generate this configuration with ImageBuilder's uboot-script-gen`,
      first.where, first.key, hints.length ? hints.join('; ') : undefined);
  }

  #unknownKey(a: RawAssignment): void {
    const xilinx = XILINX_ONLY_KEYS.get(a.name);
    // --dialect xilinx: read where they take effect (#xenCmd, #domU).
    if (xilinx && this.#opts.dialect === 'xilinx') return;
    if (xilinx && a.value !== '') {
      this.#refused.push({ message: `${a.key} is a key of the Xilinx ImageBuilder fork only: ${xilinx.what}`, where: a.where, key: a.key, hint: xilinx.fix });
      return;
    }
    const notKey = NOT_IMAGEBUILDER_KEYS.get(a.name);
    if (notKey) {
      this.#warn('CONFIG_UNKNOWN_KEY', `${a.key} is not an ImageBuilder option, so it is ignored: ${notKey}`, a.where);
      return;
    }
    // A variable read by a later expansion is a helper (e.g. BASE=/srv; XEN=$BASE/xen), not a typo.
    if (this.#raw.referenced.has(a.name)) return;
    if (!this.#suggestions.has(a.name)) this.#suggestions.set(a.name, suggestKey(a.name));
    const suggestion = this.#suggestions.get(a.name);
    if (!suggestion && /[a-z]/.test(a.name)) return; // lower-case helper names never collide with ImageBuilder keys
    this.#warn('CONFIG_UNKNOWN_KEY',
      `${a.key} is not an ImageBuilder option, so it is ignored${suggestion ? `; did you mean ${suggestion}?` : ''}`,
      a.where);
  }

  // ---- main ----

  /**
   * `-p`: ImageBuilder writes `PREFIX/file` into every load and into the final hint. The prefix is
   * part of each load command, so it must be one plain word like a file name; an empty `-p ""`
   * means no prefix, and trailing slashes are dropped so `-p /boot/` gives `/boot/xen`, not `/boot//xen`.
   */
  #prependPath(): string | undefined {
    const p = this.#opts.prependPath;
    if (p === undefined || p === '') return undefined;
    const trimmed = p.replace(/\/+$/, '');
    const prefix = trimmed === '' ? '/' : trimmed;
    checkScriptSafePath({ value: prefix, key: '-p', where: COMMAND_LINE_POS });
    return prefix === '/' ? '' : prefix;
  }

  #outputs(): { ubootSource: FileRef; ubootScript: FileRef } {
    const o = this.#opts.outputNameOverride;
    if (o !== undefined && o !== '') {
      const refs = {
        ubootSource: { value: `${o}.source`, key: 'UBOOT_SOURCE', where: COMMAND_LINE_POS },
        ubootScript: { value: `${o}.scr`, key: 'UBOOT_SCRIPT', where: COMMAND_LINE_POS },
      };
      checkScriptSafePath(refs.ubootScript);
      return refs;
    }
    const src = this.#fileRef('UBOOT_SOURCE');
    if (!src) {
      this.#error('CONFIG_MISSING', 'UBOOT_SOURCE not set, either specify it in the config or set it with the -o option',
        this.#get('UBOOT_SOURCE')?.where, 'UBOOT_SOURCE');
    }
    const script = this.#fileRef('UBOOT_SCRIPT') ?? {
      // ${UBOOT_SOURCE%.source}.scr
      value: `${src.value.endsWith('.source') ? src.value.slice(0, -'.source'.length) : src.value}.scr`,
      key: 'UBOOT_SCRIPT',
      where: src.where,
    };
    return { ubootSource: src, ubootScript: script };
  }

  /** ImageBuilder's FIT setup: -f implies FIT, -k/-u override the keys, -u alone is an error. */
  #fit(ubootSource: FileRef): FitConfig | undefined {
    const o = this.#opts;
    let file = this.#fileRef('FIT');
    if (!file && o.fitOverride) {
      const stem = ubootSource.value.endsWith('.source') ? ubootSource.value.slice(0, -'.source'.length) : ubootSource.value;
      file = { value: `${stem}.fit`, key: 'FIT', where: COMMAND_LINE_POS };
    }
    const keyDirRaw = this.#set('FIT_ENC_KEY_DIR');
    const keyDir = o.fitKeyDirOverride !== undefined && o.fitKeyDirOverride !== ''
      ? { value: o.fitKeyDirOverride, where: COMMAND_LINE_POS } : keyDirRaw && { value: keyDirRaw.value, where: keyDirRaw.valueWhere };
    const ubootDtb = o.fitUbootDtbOverride !== undefined && o.fitUbootDtbOverride !== ''
      ? { value: o.fitUbootDtbOverride, key: 'FIT_ENC_UB_DTB', where: COMMAND_LINE_POS } : this.#fileRef('FIT_ENC_UB_DTB');
    if (ubootDtb && !keyDir) {
      this.#error('CONFIG_MISSING', 'FIT_ENC_UB_DTB (-u) is set but FIT_ENC_KEY_DIR (-k) is not: the public key to add to U-Boot\'s DTB comes from the signing key',
        ubootDtb.where, 'FIT_ENC_KEY_DIR', 'set FIT_ENC_KEY_DIR=KEY_DIR/HINT (or -k KEY_DIR/HINT), KEY_DIR holding HINT.key and HINT.crt');
    }
    if (!file) {
      if (keyDir) this.#warn('CONFIG_FIT_KEY_UNUSED', 'FIT_ENC_KEY_DIR (-k) is set but FIT mode is not (no FIT, no -f), so nothing is signed', keyDir.where);
      return undefined;
    }
    checkScriptSafePath(file);
    const its = `${file.value.endsWith('.fit') ? file.value.slice(0, -'.fit'.length) : file.value}.its`;
    let signing: FitConfig['signing'];
    if (keyDir) {
      const slash = keyDir.value.lastIndexOf('/');
      const keyHint = keyDir.value.slice(slash + 1);
      // bash `${X%/*}/`: without a slash the whole value is the folder
      const dir = `${slash >= 0 ? keyDir.value.slice(0, slash) : keyDir.value}/`;
      if (keyHint === '') {
        this.#error('CONFIG_BAD_VALUE', `FIT_ENC_KEY_DIR = ${JSON.stringify(keyDir.value)} names no key: it must be KEY_DIR/HINT`, keyDir.where, 'FIT_ENC_KEY_DIR',
          'end it with the key\'s name: KEY_DIR/HINT for KEY_DIR/HINT.key and KEY_DIR/HINT.crt');
      }
      signing = { keyDir: dir, keyHint, where: keyDir.where };
    }
    return { file, its, ...(signing ? { signing } : {}), ...(ubootDtb ? { ubootDtb } : {}) };
  }

  #bootCmd(): BootCmd {
    const v = this.#set('BOOT_CMD');
    if (!v) return 'booti';
    if ((BOOT_CMDS as readonly string[]).includes(v.value)) return v.value as BootCmd;
    const expected = `expected one of ${BOOT_CMDS.join(', ')}`;
    // ImageBuilder's check is a regex on " bootm booti bootz bootefi none " matched against " $BOOT_CMD",
    // so any word prefix ("bo", "boot") passes there and then produces a broken boot line.
    const prefixBug = BOOT_CMDS.some((c) => c.startsWith(v.value));
    this.#error('CONFIG_BAD_VALUE',
      `"BOOT_CMD=${v.value}" is not valid; ${expected}${prefixBug ? ` (ImageBuilder's prefix check would accept "${v.value}" and write a "${v.value}" boot line that U-Boot cannot run)` : ''}`,
      v.where, 'BOOT_CMD', 'arm64 Xen boots with BOOT_CMD=booti (the default), arm32 with bootz; remove BOOT_CMD to get the default');
  }

  #xen(): FileRef {
    const x = this.#fileRef('XEN');
    if (x) return x;
    this.#missingOrMisspelt('XEN', undefined, 'Neither a Xen or Linux kernel is specified, exiting', this.#get('XEN')?.where,
      'set XEN to the Xen hypervisor image, or LINUX to a Linux kernel to boot it alone (Linux-only mode)');
  }

  // ---- linux_config() ----

  /** A value ImageBuilder requires, else CONFIG_MISSING with its message. */
  #required(value: string | undefined, key: string, message: string): string {
    if (value !== undefined) return value;
    this.#error('CONFIG_MISSING', message, undefined, key, `set ${key} in the config, or pass -t`);
  }

  /**
   * LINUX, LINUX_RAMDISK, LINUX_CMD, LINUX_ROOTFS as linux_config() reads them: LINUX_CMD defaults to
   * "earlycon console=ttyPS0,115200", and a command line without `root=` gets root=/dev/ram0, or with
   * LINUX_ROOTFS the partition after LOAD_CMD's (find_root_dev()).
   */
  #linux(loadCmd: string | undefined): LinuxConfig {
    const kernel = this.#fileRef('LINUX')!;
    const ramdisk = this.#fileRef('LINUX_RAMDISK');
    const rootfs = this.#fileRef('LINUX_ROOTFS');
    const given = this.#set('LINUX_CMD');
    let cmd = given ? given.value : DEFAULT_LINUX_CMD;
    if (!cmd.includes('root=')) {
      cmd += rootfs
        ? ` root=${this.#findRootDev(this.#required(loadCmd, 'LOAD_CMD', 'LOAD_CMD not set, either specify it in the config or set it with the -t option'), this.#get('LINUX_ROOTFS') as RawValue, 'LINUX')}`
        : ' root=/dev/ram0';
    }
    return { kernel, ...(ramdisk ? { ramdisk } : {}), ...(rootfs ? { rootfs } : {}), cmd, cmdDefaulted: !given };
  }

  /**
   * Linux-only mode boots the kernel alone, so what only Xen reads is refused or reported: domains
   * (ImageBuilder would drop them without a word, and a config naming them most likely lacks XEN) are
   * errors, other Xen keys warnings; so are the boot variants no Linux-only ImageBuilder makes work.
   */
  #linuxOnlyConflicts(numDomUs: number, bootCmd: BootCmd, runtimeSizing: boolean): void {
    const linux = this.#get('LINUX')!;
    const dom0 = this.#set('DOM0_KERNEL');
    const numDomUsV = this.#get('NUM_DOMUS');
    const domains = [...(dom0 ? [dom0] : []), ...(numDomUs > 0 && numDomUsV ? [numDomUsV] : [])];
    const first = domains[0];
    if (first) {
      this.#error('CONFIG_CONFLICT',
        `LINUX is set (line ${linux.where.line}) and XEN is not, so the script boots Linux alone and ImageBuilder ignores ${domains.map((v) => `${v.key} (line ${v.where.line})`).join(' and ')}: Xen domains need XEN`,
        first.valueWhere, first.key, 'set XEN to boot Xen with these domains (LINUX is then ignored), or remove the domain keys to boot Linux alone');
    }
    if (bootCmd !== 'booti' && bootCmd !== 'none') {
      const why = bootCmd === 'bootm' ? 'bootm needs a uImage, and ImageBuilder wraps only XEN in one (LINUX is loaded as the raw Image, which bootm rejects)'
        : bootCmd === 'bootz' ? 'bootz starts an arm32 zImage; Linux-only mode loads an arm64 Image'
          : 'bootefi of a Linux-only script is not modelled by uboot-gen (it cannot verify it)';
      this.#error('CONFIG_CONFLICT', `BOOT_CMD=${bootCmd} cannot start LINUX in Linux-only mode: ${why}`,
        this.#get('BOOT_CMD')?.valueWhere, 'BOOT_CMD', 'use BOOT_CMD=booti (the default), or none to only load the files');
    }
    if (runtimeSizing) {
      this.#error('CONFIG_CONFLICT', 'Linux-only mode cannot be combined with -s: no ImageBuilder has both (Linux-only mode is in the Xilinx branches, -s only upstream)',
        linux.valueWhere, 'LINUX', 'drop -s: the addresses are then planned from the files\' headers');
    }
    const ignored = this.#raw.assignments.filter((a) => XEN_ONLY_KEY.test(a.name) && a.value !== '' && !(a.name === 'NUM_DOMUS' && numDomUs === 0)
      && !a.name.startsWith('DOMU_') && a.name !== 'DOM0_KERNEL');
    if (ignored.length) {
      this.#warnAt('CONFIG_MODE_IGNORED',
        `${ignored.map((a) => a.key).join(', ')} ${ignored.length > 1 ? 'are' : 'is'} ignored: LINUX without XEN boots Linux alone, and only Xen reads ${ignored.length > 1 ? 'these keys' : 'this key'}`,
        ignored[0]!.where, ignored[0]!.key, 'remove them, or set XEN to boot Xen');
    }
  }

  /** Xen mode with LINUX_* keys set: ImageBuilder reads them only when XEN is unset. */
  #linuxIgnored(): void {
    const set = LINUX_KEYS.map((k) => this.#set(k)).filter((v): v is RawValue => v !== undefined);
    const first = set[0];
    if (!first || this.#set('XEN') === undefined) return;
    this.#warnAt('CONFIG_MODE_IGNORED',
      `${set.map((v) => v.key).join(', ')} ${set.length > 1 ? 'are' : 'is'} ignored: XEN is set, so the script boots Xen, and the LINUX keys count only without XEN (Linux-only mode)`,
      first.where, first.key, 'remove the LINUX keys, or XEN to boot Linux alone');
  }

  // ---- xen_config() ----

  #xenCmd(hasDom0: boolean, numDomUs: number): { xenCmd: string; xenCmdDefaulted: boolean } {
    const given = this.#set('XEN_CMD');
    const dom0Mem = this.#set('DOM0_MEM');
    const dom0Vcpus = this.#set('DOM0_VCPUS');
    const mem = dom0Mem ? this.#boundedNumber(dom0Mem, 'a whole number of MiB', 1, MAX_MEM_MB, MEM_WHY) : DEFAULT_DOM0_MEM_MB;
    const vcpus = dom0Vcpus ? this.#boundedNumber(dom0Vcpus, 'a whole number of vCPUs', 1, MAX_VCPUS, VCPUS_WHY) : DEFAULT_DOM0_VCPUS;

    let xenCmd: string;
    if (!given) {
      // ImageBuilder's "$XEN_COLORS $DOM0_COLORS" (xen_colors=... dom0_colors=...): two trailing spaces when both are empty.
      const xc = this.#set('XEN_COLORS');
      const dc = this.#set('DOM0_COLORS');
      xenCmd = `console=dtuart dtuart=serial0 dom0_mem=${mem}M dom0_max_vcpus=${vcpus} bootscrub=0 vwfi=native sched=null ${xc ? `xen_colors=${xc.value}` : ''} ${dc ? `dom0_colors=${dc.value}` : ''}`;
      // Xilinx's branch adds a third slot: " $DOM0_VIOMMU", "dom0_viommu=1" when DOM0_VIOMMU is 1.
      if (this.#opts.dialect === 'xilinx') {
        const viommu = this.#get('DOM0_VIOMMU');
        xenCmd += ` ${viommu?.value === '1' ? 'dom0_viommu=1' : ''}`;
        if (viommu?.value === '1' && hasDom0) {
          this.#warnAt('CONFIG_XILINX_DIALECT', 'DOM0_VIOMMU=1 adds dom0_viommu=1 to XEN_CMD, an option of Xilinx\'s Xen only: upstream Xen prints "parameter "dom0_viommu" unknown!" and ignores it',
            viommu.where, viommu.key, 'boot Xilinx\'s Xen, or remove DOM0_VIOMMU');
        }
      }
    } else {
      const viommu = this.#opts.dialect === 'xilinx' ? this.#set('DOM0_VIOMMU') : undefined;
      if (viommu) {
        this.#warnAt('CONFIG_XILINX_DIALECT', 'DOM0_VIOMMU is ignored: XEN_CMD is set, and Xilinx\'s ImageBuilder adds dom0_viommu=1 only to its default XEN_CMD',
          viommu.where, viommu.key, 'write dom0_viommu=1 into XEN_CMD, or remove DOM0_VIOMMU');
      }
      const clash = dom0Mem ?? dom0Vcpus;
      if (clash) {
        this.#error('CONFIG_CONFLICT',
          'One can specify either XEN_CMD or (DOM0_MEM and/or DOM0_VCPUS). ' +
          '(ImageBuilder prints this and stops without writing a script but exits with status 0, a known bug; uboot-gen treats it as an error.)',
          clash.where, clash.key, `put dom0_mem=/dom0_max_vcpus= into XEN_CMD (set at line ${given.where.line}) and remove ${clash.key}`);
      }
      xenCmd = given.value;
      this.#checkXenCmdNumbers(given);
    }

    if (!hasDom0) {
      if (numDomUs === 0) {
        this.#error('CONFIG_MISSING', 'Neither dom0 or domUs are specified, exiting.', this.#get('NUM_DOMUS')?.where, 'NUM_DOMUS',
          'set DOM0_KERNEL, or NUM_DOMUS and DOMU_KERNEL[0]');
      }
      const dom0Only = ['DOM0_MEM', 'DOM0_VCPUS', 'DOM0_COLORS', 'DOM0_CMD', 'DOM0_RAMDISK', 'DOM0_ROOTFS', ...(this.#opts.dialect === 'xilinx' ? ['DOM0_VIOMMU'] : [])]
        .map((k) => this.#set(k)).filter((v): v is RawValue => v !== undefined)
        .sort((a, b) => a.where.line - b.where.line || a.where.col - b.where.col);
      const first = dom0Only[0];
      if (first) {
        this.#error('CONFIG_CONFLICT',
          'For dom0less configuration without dom0, no dom0 specific parameters should be specified, exiting.',
          first.where, first.key, `DOM0_KERNEL is not set, but ${dom0Only.map((v) => v.key).join(', ')} ${dom0Only.length > 1 ? 'are' : 'is'}; remove ${dom0Only.length > 1 ? 'them' : 'it'} or set DOM0_KERNEL`);
      }
      this.#info('CONFIG_TRUE_DOM0LESS', 'Dom0 kernel is not specified, continue with true dom0less setup.');
      // ${params[@]/dom0*/} on the word-split XEN_CMD: in each word, everything from the first
      // "dom0" on is removed; emptied words leave their separating spaces behind.
      xenCmd = xenCmd.split(/[ \t\n]+/).filter((w) => w !== '').map((w) => {
        const i = w.indexOf('dom0');
        return i < 0 ? w : w.slice(0, i);
      }).join(' ');
    }
    return { xenCmd, xenCmdDefaulted: !given };
  }

  /**
   * Sizes and counts inside XEN_CMD that Xen turns into memory or vCPUs: `dom0_mem=` (plain size
   * or the x86 min:/max: list; a number with no unit is KiB, as Xen's parse_size_and_unit())
   * and `dom0_max_vcpus=` (N or MIN-MAX). Only well-formed numbers are checked here; the
   * simulated Xen reports malformed ones as Xen would.
   */
  #checkXenCmdNumbers(v: RawValue): void {
    const unitShift: Record<string, bigint> = { '': 10n, b: 0n, k: 10n, m: 20n, g: 30n, t: 40n, p: 50n, e: 60n };
    for (const word of v.value.split(/[ \t\n]+/)) {
      const eq = word.indexOf('=');
      if (eq < 0) continue;
      const name = word.slice(0, eq);
      const value = word.slice(eq + 1);
      if (name === 'dom0_mem') {
        for (const item of value.split(',')) {
          const m = /^(?:min:|max:)?(0[xX][0-9a-fA-F]+|[0-9]+)([bBkKmMgGtTpPeE]?)$/.exec(item);
          if (!m) continue;
          const digits = m[1] as string;
          const bytes = digits.length > 20 ? 2n ** 80n : BigInt(digits) << (unitShift[(m[2] as string).toLowerCase()] as bigint);
          if (bytes > BigInt(MAX_PHYS_ADDR)) {
            this.#error('CONFIG_OUT_OF_RANGE',
              `XEN_CMD has dom0_mem=${value}, which is ${bytes > 2n ** 64n ? 'more than 2^64 bytes' : `${bytes} bytes`}: more memory than the 52-bit arm64 physical address space (4 PiB)`,
              v.valueWhere, 'XEN_CMD', 'give dom0 a size it can have, e.g. dom0_mem=1024M');
          }
        }
      } else if (name === 'dom0_max_vcpus') {
        for (const n of value.split('-')) {
          if (/^[0-9]+$/.test(n) && (n.length > 15 || Number(n) > MAX_VCPUS)) {
            this.#error('CONFIG_OUT_OF_RANGE', `XEN_CMD has dom0_max_vcpus=${value}, but a domain has at most ${MAX_VCPUS} vCPUs (Xen's MAX_VIRT_CPUS on Arm)`,
              v.valueWhere, 'XEN_CMD', VCPUS_WHY);
          }
        }
      }
    }
  }

  #loadCmd(): string | undefined {
    const t = this.#opts.loadCmdOverride;
    if (t !== undefined && t !== '') return LOAD_CMD_ALIASES[t] ?? t;
    const v = this.#get('LOAD_CMD');
    if (v) return v.value !== '' ? v.value : undefined;
    const fromEnv = this.#env['LOAD_CMD'];
    if (fromEnv !== undefined && fromEnv !== '') {
      this.#info('CONFIG_LOAD_CMD_FROM_ENV', `LOAD_CMD is not set in the config; using "${fromEnv}" from the environment, as ImageBuilder would`);
      return fromEnv;
    }
    return undefined;
  }

  #loadFor(key: string, loadCmd: string | undefined, missing: string): string {
    const m = key.match(/^([A-Z0-9_]+)(?:\[(\d+)\])?$/) as RegExpMatchArray;
    const v = this.#set(m[1] as string, m[2]);
    if (v) return v.value;
    if (loadCmd !== undefined) return loadCmd;
    this.#error('CONFIG_MISSING', missing, undefined, key, `set LOAD_CMD (or ${key}) in the config, or pass -t`);
  }

  #dom0(kernelValue: RawValue, load: string): Dom0Config {
    const kernel = this.#fileRef('DOM0_KERNEL') ?? { value: kernelValue.value, key: kernelValue.key, where: kernelValue.valueWhere };
    const ramdisk = this.#fileRef('DOM0_RAMDISK');
    const rootfs = this.#fileRef('DOM0_ROOTFS');
    const given = this.#set('DOM0_CMD');
    let cmd = given ? given.value : DEFAULT_DOM0_CMD;
    // ImageBuilder appends a root= only when the command line has none (substring test, so
    // "nfsroot=" counts as one too).
    if (!cmd.includes('root=')) {
      cmd += rootfs ? ` root=${this.#findRootDev(load, this.#get('DOM0_ROOTFS') as RawValue)}` : ' root=/dev/ram0';
    }
    return {
      kernel,
      ...(ramdisk ? { ramdisk } : {}),
      ...(rootfs ? { rootfs } : {}),
      cmd,
      cmdDefaulted: !given,
      load,
    };
  }

  /**
   * Guesses the Linux root device from a load command, as ImageBuilder's find_root_dev():
   * device = last word before the last ':', partition = text after the first ':' plus one
   * (the rootfs partition follows the boot partition). mmc → /dev/mmcblk<d>p<p>, scsi → /dev/sd<a+d><p>.
   */
  #findRootDev(load: string, rootfs: RawValue, who: 'DOM0' | 'LINUX' = 'DOM0'): string {
    const colon = load.indexOf(':');
    const before = colon < 0 ? load : load.slice(0, load.lastIndexOf(':'));
    const dev = before.slice(before.lastIndexOf(' ') + 1);
    const par = colon < 0 ? '' : load.slice(colon + 1);
    const hint = `set root= in ${who}_CMD yourself to bypass the guess`;
    if (colon < 0 || !/^\d+$/.test(dev) || !/^\d+$/.test(par)) {
      this.#error('CONFIG_BAD_VALUE',
        `Could not parse device and partition. (${who}_ROOTFS is set, so root= is derived from the ${who === 'DOM0' ? 'dom0 load command' : 'load command'} "${load}", which must look like "load mmc 0:1")`,
        rootfs.where, rootfs.key, hint);
    }
    const partition = Number(par) + 1;
    if (load.includes('mmc')) return `/dev/mmcblk${dev}p${partition}`;
    if (load.includes('scsi')) {
      // ImageBuilder turns the device number into one letter (0 → a); past 25 there is no letter.
      if (dev.length > 2 || Number(dev) > 25) {
        this.#error('CONFIG_OUT_OF_RANGE', `SCSI device ${dev} of the load command "${load}" has no /dev/sdX letter (devices 0 to 25 map to sda to sdz)`,
          rootfs.where, rootfs.key, hint);
      }
      return `/dev/sd${String.fromCharCode(97 + Number(dev))}${partition}`;
    }
    this.#error('CONFIG_BAD_VALUE',
      `Only mmc and scsi are supported for guessing the root device from the load command; "${load}" is neither`,
      rootfs.where, rootfs.key, hint);
  }

  #domU(n: number, hasDom0: boolean, numDomUs: number): DomUConfig {
    const kernel = this.#fileRef('DOMU_KERNEL', String(n));
    if (!kernel) {
      const numWhere = this.#get('NUM_DOMUS');
      this.#missingOrMisspelt('DOMU_KERNEL', String(n), `DOMU_KERNEL[${n}] is not defined`, numWhere?.where,
        `NUM_DOMUS=${numDomUs} asks for domUs 0..${numDomUs - 1}; set DOMU_KERNEL[${n}] or lower NUM_DOMUS`);
    }
    const sub = String(n);
    const ramdisk = this.#fileRef('DOMU_RAMDISK', sub);
    const passthroughDtb = this.#fileRef('DOMU_PASSTHROUGH_DTB', sub);
    const paths = this.#set('DOMU_PASSTHROUGH_PATHS', sub);
    const passthroughPaths = paths ? paths.value.split(/[ \t\n]+/).filter((p) => p !== '') : [];
    for (const p of passthroughPaths) {
      // Device tree node names use only these characters (devicetree specification §2.2.1); anything
      // else cannot name a node, and a `;` or a quote would end the `fdt set <path>` command early.
      if (!/^\/[A-Za-z0-9,._+\-@/]*$/.test(p) && paths) {
        this.#error('CONFIG_UNSAFE_PATH',
          `${paths.key} has ${JSON.stringify(p)}, which is not a device tree path (a node path starts with "/" and uses only letters, digits and , . _ + - @ /)`,
          paths.valueWhere, paths.key, 'write the full path of the node, e.g. /soc/serial@ff000000');
      }
    }

    const memV = this.#set('DOMU_MEM', sub);
    const memRaw = memV ? this.#boundedNumber(memV, 'a whole number of MiB', 0, MAX_MEM_MB, MEM_WHY) : 0;
    const staticMem = readDomUStaticMem(this.#lookup, n, memV, memRaw, this.#warnAt);
    const sharedMem = readDomUSharedMem(this.#lookup, n);
    // With static memory the node's memory is the banks' sum (memMB: that sum rounded up, for budgets).
    const memMB = staticMem ? Math.ceil(staticMem.memKiB / 1024) : memRaw === 0 ? DEFAULT_DOMU_MEM_MB : memRaw;
    const vcpusV = this.#set('DOMU_VCPUS', sub);
    const vcpus = vcpusV ? this.#boundedNumber(vcpusV, 'a whole number of vCPUs', 1, MAX_VCPUS, VCPUS_WHY) : 1;

    const vplV = this.#set('DOMU_VPL011', sub);
    const vpl011 = vplV ? this.#wholeNumber(vplV, '0 or 1') !== 0 : true;

    // --dialect xilinx (uboot-script-gen of xlnx_rel_v2023.2): `[[ "${DOMU_VIOMMU[$i]}" == 1 ]]` and the
    // scalar `[[ "${DOMU_VUART_PL011}" == 1 ]]`, which turns every domU's vpl011 into the string "pl011".
    const xilinx = this.#opts.dialect === 'xilinx';
    const viommuV = xilinx ? this.#get('DOMU_VIOMMU', sub) : undefined;
    const viommu = viommuV?.value === '1';
    if (viommu && viommuV) {
      this.#warnAt('CONFIG_XILINX_DIALECT', `${viommuV.key}=1 writes viommu into /chosen/domU${n}, a property of Xilinx's Xen only: upstream Xen ignores it`,
        viommuV.where, viommuV.key, 'boot Xilinx\'s Xen, or remove it');
    }
    const vuart = xilinx ? this.#get('DOMU_VUART_PL011') : undefined;
    const vpl011Value = vuart?.value === '1' && vpl011 ? 'pl011' as const : undefined;
    if (vpl011Value && n === 0 && vuart) {
      this.#warnAt('CONFIG_XILINX_DIALECT', 'DOMU_VUART_PL011=1 writes vpl011 "pl011" into every domU: upstream Xen reads vpl011 as a flag, so the domains get the same virtual PL011 as with DOMU_VPL011',
        vuart.where, vuart.key);
    }

    const cmdV = this.#set('DOMU_CMD', sub);
    const cmd = cmdV ? cmdV.value : vpl011 ? DEFAULT_DOMU_CMD : '';

    const enhanced = this.#enhanced(n, hasDom0);
    const props = readDomUProps({ set: (name, s) => this.#set(name, s), error: (c, m, w, k, h) => this.#error(c, m, w, k, h) }, n, vpl011);

    const nobootV = this.#set('DOMU_NOBOOT', sub);
    const noboot = nobootV !== undefined;
    if (nobootV && /^(0|no|n|false|off)$/i.test(nobootV.value.trim())) {
      this.#warn('CONFIG_DOMU_NOBOOT_VALUE',
        `${nobootV.key}="${nobootV.value}" still skips domU ${n}: ImageBuilder only checks that DOMU_NOBOOT is not empty`, nobootV.where);
    }
    const rootfs = this.#fileRef('DOMU_ROOTFS', sub);
    if (noboot) {
      this.#info('CONFIG_DOMU_NOBOOT', `DomU[${n}] is not started at boot (${nobootV?.key} is set): no files are loaded for it and it gets no /chosen node`, nobootV?.where);
    } else if (rootfs) {
      this.#warn('CONFIG_DOMU_SKIPPED_ROOTFS', `Skipping DomU[${n}]: cannot handle non-ramdisk rootfs for dom0less VMs.`, this.#get('DOMU_ROOTFS', sub)?.where);
    }

    return {
      index: n,
      kernel,
      ...(ramdisk ? { ramdisk } : {}),
      ...(passthroughDtb ? { passthroughDtb } : {}),
      passthroughPaths,
      cmd,
      cmdDefaulted: !cmdV,
      memMB,
      vcpus,
      vpl011,
      ...(vpl011Value ? { vpl011Value } : {}),
      ...(viommu ? { viommu: true as const } : {}),
      ...(enhanced ? { enhanced } : {}),
      props,
      noboot,
      ...(rootfs ? { rootfs } : {}),
      boot: !noboot && !rootfs,
      load: '', // filled in by the xen_file_loading() pass
      ...(staticMem ? { staticMem } : {}),
      ...(sharedMem ? { sharedMem } : {}),
    };
  }

  /**
   * ImageBuilder: `if ENHANCED==1 || (DOM0_KERNEL && ENHANCED!=0) → "enabled"; elif ENHANCED==2 → "no-xenstore"`,
   * where an unset ENHANCED counts as "not 0". So 2 with a dom0 yields "enabled".
   */
  #enhanced(n: number, hasDom0: boolean): DomUEnhanced | undefined {
    const v = this.#set('DOMU_ENHANCED', String(n));
    if (!v) return hasDom0 ? 'enabled' : undefined;
    const e = v.value.trim();
    if (!/^[012]$/.test(e)) {
      this.#error('CONFIG_BAD_VALUE', `${v.key} must be 0, 1 or 2, got "${v.value}"`, v.where, v.key,
        'use 1 (xen,enhanced "enabled"), 2 ("no-xenstore") or 0 (no xen,enhanced property)');
    }
    if (e === '1') return 'enabled';
    if (e === '0') return undefined;
    if (hasDom0) {
      this.#warn('CONFIG_DOMU_ENHANCED_QUIRK',
        `${v.key}=2 asks for xen,enhanced "no-xenstore", but with a dom0 present ImageBuilder writes "enabled" (its first test matches any non-zero value); uboot-gen does the same`,
        v.where);
      return 'enabled';
    }
    return 'no-xenstore';
  }

  /**
   * PASSTHROUGH_DTS_REPO / LOPPER_PATH / LOPPER_CMD, as uboot-script-gen reads them before
   * compile_merge_partial_dts(): the repository wins over lopper; every domU then needs
   * DOMU_PASSTHROUGH_PATHS[n] and must not set DOMU_PASSTHROUGH_DTB[n], whose value becomes the
   * compiled blob (named partial-dts-domU<n>.dtb in the output folder, where ImageBuilder uses a
   * random partial-dtbs-XXX/partial-dts-domU<n>-XXX.dtb).
   */
  #partialDts(domUs: DomUConfig[], deviceTree: FileRef | undefined): PartialDtsConfig | undefined {
    const repo = this.#set('PASSTHROUGH_DTS_REPO');
    const lopper = this.#set('LOPPER_PATH');
    const lopperCmd = this.#set('LOPPER_CMD');
    const words = (v: RawValue): string[] => v.value.split(/[ \t\n]+/).filter((w) => w !== '');
    if (!repo && !lopper) {
      if (lopperCmd) this.#warnAt('CONFIG_PARTIAL_DTS_IGNORED', 'LOPPER_CMD is set but LOPPER_PATH is not, so it is ignored', lopperCmd.where, lopperCmd.key);
      return undefined;
    }
    let source: PartialDtsConfig['source'];
    if (repo) {
      for (const v of [lopper, lopperCmd]) {
        if (v) {
          this.#warnAt('CONFIG_PARTIAL_DTS_IGNORED', `${v.key} is ignored: PASSTHROUGH_DTS_REPO is set, and ImageBuilder takes the partial device trees from the repository before running lopper`,
            v.where, v.key, `remove ${v.key}, or remove PASSTHROUGH_DTS_REPO to extract the partial device trees with lopper`);
        }
      }
      const [folder = '', sub = '.', ...rest] = words(repo);
      // ImageBuilder clones a value matching .*@.*:.* (git@host:owner/repo.git) at every run.
      if (/@.*:/.test(folder)) {
        this.#error('CONFIG_UNSUPPORTED',
          `PASSTHROUGH_DTS_REPO names the git repository "${folder}", which ImageBuilder clones at every run; uboot-gen reads partial device trees from a local folder only and never fetches anything`,
          repo.valueWhere, repo.key, `clone it once (git clone ${folder} DIR) and set PASSTHROUGH_DTS_REPO="DIR${sub === '.' ? '' : ` ${sub}`}"`);
      }
      if (rest.length) {
        this.#warnAt('CONFIG_PARTIAL_DTS_IGNORED', `PASSTHROUGH_DTS_REPO is "FOLDER [SUBFOLDER]": ImageBuilder reads its first two words only, so ${rest.map((w) => `"${w}"`).join(' ')} ${rest.length > 1 ? 'are' : 'is'} ignored`,
          repo.valueWhere, repo.key, 'quote nothing more than the folder and the sub-folder holding the <node>.dts files');
      }
      source = { kind: 'repo', folder: `${folder}/${sub}`, key: 'PASSTHROUGH_DTS_REPO', where: repo.valueWhere };
    } else {
      const v = lopper!;
      if (!deviceTree) {
        this.#error('CONFIG_MISSING', 'LOPPER_PATH is set but DEVICE_TREE is not: lopper extracts the partial device trees from the board\'s DEVICE_TREE',
          v.valueWhere, v.key, 'set DEVICE_TREE to the board (system) device tree, or give the partial device trees in a folder with PASSTHROUGH_DTS_REPO');
      }
      // $LOPPER_PATH and $LOPPER_CMD are expanded unquoted: split into words, as the shell does (no globbing here).
      const extractArgs = lopperCmd ? words(lopperCmd) : DEFAULT_LOPPER_CMD.split(' ');
      source = { kind: 'lopper', command: words(v), extractArgs, key: 'LOPPER_PATH', where: v.valueWhere };
    }
    const out: PartialDtsConfig['domUs'] = [];
    for (const du of domUs) {
      const key = `DOMU_PASSTHROUGH_PATHS[${du.index}]`;
      const paths = this.#set('DOMU_PASSTHROUGH_PATHS', String(du.index));
      if (!paths || du.passthroughPaths.length === 0) {
        this.#error('CONFIG_MISSING', `${key} is not defined (${source.key} is set, so every domU's passthrough DTB is made from the partial device trees of its DOMU_PASSTHROUGH_PATHS)`,
          paths?.valueWhere ?? source.where, key,
          `set ${key} to the host device tree paths of the devices domU${du.index} gets, e.g. ${key}="/axi/serial@ff000000"${source.kind === 'repo' ? ` (with ${source.folder}/serial@ff000000.dts)` : ''}`);
      }
      const given = this.#set('DOMU_PASSTHROUGH_DTB', String(du.index));
      if (given) {
        this.#error('CONFIG_CONFLICT', `Can't set both ${source.key} and DOMU_PASSTHROUGH_DTB (${given.key} is set; its DTB would be the one compiled from the partial device trees of ${key})`,
          given.valueWhere, given.key, `remove ${given.key}, or remove ${source.key} to load ${given.value} as it is`);
      }
      const dtb: FileRef = { value: `partial-dts-domU${du.index}.dtb`, key: `DOMU_PASSTHROUGH_DTB[${du.index}]`, where: source.where };
      du.passthroughDtb = dtb;
      out.push({ index: du.index, paths: du.passthroughPaths, pathsWhere: paths.valueWhere, dtb });
    }
    return { source, domUs: out };
  }

  // ---- addresses ----

  #memory(): { memoryStart: number; memoryEnd: number } {
    const s = this.#set('MEMORY_START');
    const e = this.#set('MEMORY_END');
    const memoryStart = s ? this.#address(s) : 0;
    if (!e) {
      this.#error('CONFIG_MISSING',
        'MEMORY_END is not set; ImageBuilder would stop with "Error, not enough memory to load all binaries"',
        this.#get('MEMORY_END')?.where, 'MEMORY_END', 'set MEMORY_END to the end of the RAM bank the images go to, e.g. MEMORY_END="0x80000000"');
    }
    const memoryEnd = this.#address(e);
    if (memoryEnd <= memoryStart) {
      this.#error('CONFIG_BAD_VALUE',
        `MEMORY_END (0x${memoryEnd.toString(16).toUpperCase()}) must be above MEMORY_START (0x${memoryStart.toString(16).toUpperCase()})`,
        e.where, 'MEMORY_END');
    }
    return { memoryStart, memoryEnd };
  }

  /** Bash arithmetic, as ImageBuilder uses these in $(( )): hex, decimal, leading-0 octal, expressions. */
  #address(v: RawValue): number {
    const lookup = (name: string, sub: string | undefined): string | undefined =>
      this.#raw.vars.has(name) ? this.#get(name, sub)?.value : (sub === undefined || sub === '0' ? this.#env[name] : undefined);
    let n: bigint;
    try {
      n = evaluateArithmetic(v.value, lookup);
    } catch (err) {
      if (!(err instanceof ArithError)) throw err;
      if (err.kind === 'range') {
        this.#error('CONFIG_OUT_OF_RANGE', `${v.key} = "${v.value}" is out of range: ${err.message}`, v.valueWhere, v.key,
          'write the address of the RAM bank, e.g. MEMORY_END="0xC0000000"');
      }
      this.#error(err.kind === 'complex' ? 'CONFIG_TOO_COMPLEX' : 'CONFIG_BAD_VALUE',
        `${v.key} must be an address (0x hex or decimal), got "${v.value}": ${err.message}`, v.where, v.key);
    }
    if (n < 0n || n > BigInt(MAX_PHYS_ADDR)) {
      this.#error('CONFIG_OUT_OF_RANGE',
        `${v.key} = "${v.value}" (= ${n}) is out of range: an address must be from 0 to 0x${MAX_PHYS_ADDR.toString(16)}, the end of the 52-bit arm64 physical address space`,
        v.valueWhere, v.key, 'write the address of the RAM bank, e.g. MEMORY_END="0xC0000000"');
    }
    if (/^\s*0[0-7]+\s*$/.test(v.value)) {
      this.#warn('CONFIG_OCTAL', `${v.key}="${v.value}" has a leading 0, so bash reads it as octal (= ${n}); write 0x… for hex`, v.where);
    }
    return Number(n);
  }
}
