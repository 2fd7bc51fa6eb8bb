// The Xen build a boot runs: its release and its Kconfig options, and where each came from.
// Sources, strongest first: --xen-version (release only), --xen-config FILE, the .config
// embedded in the Xen image, the "xen,xen-4.NN" string of the image, and finally the
// defaults of a release build (which Debian's builds match for every option modelled).
import * as fs from 'node:fs';
import { ImageFormatError, UbootGenError } from '../errors.js';
import { readRange } from '../util/file.js';
import { describeEmbedded, MAX_XEN_IMAGE_BYTES, scanXenImage, type EmbeddedConfig } from './embedded.js';
import { RELEASE_BUILD_DEFAULTS } from './facts.js';
import { MAX_KCONFIG_BYTES, parseXenKconfig, type XenKconfig } from './kconfig.js';

export interface XenRelease {
  /** As written, e.g. "4.17", "4.17.7", "4.20.5-pre". */
  readonly text: string;
  readonly minor: number;
  /** Patch level; undefined = the newest of that branch. */
  readonly patch?: number;
  /** "-pre", "-rc1", ... (a "-pre" release is the previous patch level plus fixes). */
  readonly extra?: string;
}

export type VersionSource = '--xen-version' | '--xen-config' | 'embedded .config' | 'xen,xen compatible' | 'default';
export type OptionsSource = '--xen-config' | 'embedded .config' | 'release defaults';

export interface XenBuild {
  readonly release: XenRelease;
  readonly versionFrom: VersionSource;
  readonly optionsFrom: OptionsSource;
  /** Option (without CONFIG_) → value; "n" when not set. Options absent from a real .config are "n" too. */
  readonly options: ReadonlyMap<string, string>;
  readonly embedded?: EmbeddedConfig;
  /**
   * Without STATIC_MEMORY, xen,static-mem fails the early device-tree scan ("CONFIG_STATIC_MEMORY must
   * be enabled for parsing xen,static-mem", Xen e888192d13): found in the image's bytes, else assumed
   * from 4.23 on. Older builds parse it and give the domain no memory (or panic on direct-map).
   */
  readonly rejectsStaticMemAtParse: boolean;
}

export const DEFAULT_XEN_RELEASE = '4.17';

/** Parse "4.17", "4.19.1", "4.20.5-pre". */
export function parseXenRelease(text: string): XenRelease | undefined {
  const m = /^4\.(\d{1,2})(?:\.(\d{1,3}))?(-[0-9A-Za-z.+-]{1,20})?$/.exec(text.trim());
  if (!m) return undefined;
  return { text: text.trim(), minor: Number(m[1]), ...(m[2] !== undefined ? { patch: Number(m[2]) } : {}), ...(m[3] !== undefined ? { extra: m[3] } : {}) };
}

/** A boolean option is on ("y"). Unknown options of a real .config are off, as kconfig writes every visible one. */
export function isEnabled(build: XenBuild, option: string): boolean {
  return build.options.get(option) === 'y';
}

export function optionValue(build: XenBuild, option: string): string | undefined {
  const v = build.options.get(option);
  return v === undefined || v === 'n' ? undefined : v;
}

function defaultsMap(): Map<string, string> {
  return new Map(Object.entries(RELEASE_BUILD_DEFAULTS));
}

/** Options of a real .config; the ones kconfig did not write (not visible in that release) count as off. */
function optionsOf(k: XenKconfig): Map<string, string> {
  return new Map(k.values);
}

export interface ResolveBuildInput {
  /** --xen-version. */
  versionOverride?: string;
  /** --xen-config FILE contents, parsed. */
  configFile?: { kconfig: XenKconfig; name: string };
  /** The Xen image's bytes (file or RAM), scanned for the embedded config. */
  image?: { bytes: Uint8Array; name: string };
}

function badVersion(text: string, from: string): UbootGenError {
  return new UbootGenError('SIM_BAD_INPUT', `Xen version "${text}" (${from}) is not a Xen 4.x release number`, { text }, undefined, 'use a version such as 4.17, 4.19.1 or 4.20');
}

/** Combine the sources into one build description (no modelling decision is made here). */
export function resolveXenBuild(input: ResolveBuildInput): XenBuild {
  let embedded: EmbeddedConfig | undefined;
  let compatible: string | undefined;
  let rejectsStaticMemAtParse: boolean | undefined;
  if (input.image) {
    const scan = scanXenImage(input.image.bytes, input.image.name);
    embedded = scan.config;
    compatible = scan.compatibleVersion;
    rejectsStaticMemAtParse = scan.rejectsStaticMemAtParse;
  }
  let options: Map<string, string>;
  let optionsFrom: OptionsSource;
  let configVersion: string | undefined;
  let configFrom: VersionSource | undefined;
  if (input.configFile) {
    options = optionsOf(input.configFile.kconfig); optionsFrom = '--xen-config';
    configVersion = input.configFile.kconfig.version; configFrom = '--xen-config';
  } else if (embedded) {
    const k = parseXenKconfig(embedded.text, `the .config embedded in ${input.image!.name}`);
    options = optionsOf(k); optionsFrom = 'embedded .config';
    configVersion = k.version; configFrom = 'embedded .config';
  } else {
    options = defaultsMap(); optionsFrom = 'release defaults';
  }
  let release: XenRelease | undefined;
  let versionFrom: VersionSource;
  if (input.versionOverride !== undefined) {
    release = parseXenRelease(input.versionOverride);
    if (!release) throw badVersion(input.versionOverride, '--xen-version');
    versionFrom = '--xen-version';
  } else if (configVersion !== undefined && configFrom) {
    release = parseXenRelease(configVersion);
    if (!release) throw badVersion(configVersion, configFrom);
    versionFrom = configFrom;
  } else if (compatible) {
    release = parseXenRelease(compatible)!;
    versionFrom = 'xen,xen compatible';
  } else {
    release = parseXenRelease(DEFAULT_XEN_RELEASE)!;
    versionFrom = 'default';
  }
  return { release, versionFrom, optionsFrom, options, ...(embedded ? { embedded } : {}), rejectsStaticMemAtParse: rejectsStaticMemAtParse ?? release.minor >= 23 };
}

/** Read a --xen-config file (bounded: a .config is a few KiB). */
export function readXenConfigFile(file: string): { kconfig: XenKconfig; name: string } {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch (e) {
    throw new ImageFormatError('IMAGE_NOT_FOUND', `cannot read --xen-config ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, {}, { file },
      'give the .config of the Xen build (Debian ships it as /boot/xen-<version>-arm64.config)');
  }
  if (size > MAX_KCONFIG_BYTES) {
    throw new ImageFormatError('IMAGE_WRONG_TYPE', `--xen-config ${file} is ${size} bytes; a Xen .config is a few KiB, so this is not one`, { size }, { file },
      'give the .config of the Xen build (Debian ships it as /boot/xen-<version>-arm64.config)');
  }
  const text = readRange(file, 0, size).toString('latin1');
  return { kconfig: parseXenKconfig(text, file), name: file };
}

/** Read a Xen file (Image, EFI, xen.ub, xen.gz) for its build, bounded to MAX_XEN_IMAGE_BYTES. */
export function readXenImageFile(file: string): { bytes: Uint8Array; name: string } {
  const size = fs.statSync(file).size;
  if (size > MAX_XEN_IMAGE_BYTES) {
    throw new ImageFormatError('IMAGE_WRONG_TYPE', `${file} is ${size} bytes; a Xen image is a few MiB, so this is not one`, { size }, { file });
  }
  return { bytes: new Uint8Array(readRange(file, 0, size)), name: file };
}

const SUMMARY_OPTIONS = ['STATIC_MEMORY', 'SCHED_NULL', 'DEBUG'] as const;

/** "Xen 4.20.5-pre (build: STATIC_MEMORY n, SCHED_NULL n, DEBUG n)"; "build assumed" when no .config was found. */
export function describeXenBuild(build: XenBuild): string {
  const opts = SUMMARY_OPTIONS.map((o) => `${o} ${isEnabled(build, o) ? 'y' : 'n'}`).join(', ');
  const label = build.optionsFrom === 'release defaults' ? 'build assumed' : 'build';
  return `Xen ${build.release.text} (${label}: ${opts})`;
}

/** Where the build facts came from, for JSON and verbose reports. */
export function describeXenBuildSources(build: XenBuild): string {
  const parts = [`version from ${build.versionFrom}`, `options from ${build.optionsFrom}`];
  if (build.embedded) parts.push(describeEmbedded(build.embedded));
  return parts.join('; ');
}
