// Config reader entry points: ImageBuilder config text → typed Config + diagnostics.
// Reads the file as data (never sources or executes it); see lexer.ts for what is accepted.

import { ConfigError } from '../errors.js';
import { InputFileProblem, readInputFile } from '../util/file.js';
import { parseConfigRaw, type Env } from './parse.js';
import { resolveConfig } from './resolve.js';
import type { Config, Diagnostic } from './types.js';

export type { BootCmd, Config, Diagnostic, Dom0Config, DomUConfig, DomUEnhanced, FileRef, FitConfig, SourcePos } from './types.js';
export { KEYS, KEY_BY_NAME, type KeySpec } from './keys.js';
export { LOAD_CMD_ALIASES, BOOT_CMDS, COMMAND_LINE_POS } from './resolve.js';

export interface LoadConfigOptions {
  /** Environment visible to expansions (ImageBuilder sources the config in the caller's shell). Default: none. */
  env?: Env;
  /** The -t option: overrides LOAD_CMD; tftp/sd/scsi/usb/virtio are aliases. */
  loadCmdOverride?: string;
  /** The -o option: UBOOT_SOURCE=<name>.source, UBOOT_SCRIPT=<name>.scr. */
  outputNameOverride?: string;
  /** The -p option: PREFIX/ before every loaded file's name and the script's in the hint. */
  prependPath?: string;
  /** The -s option: U-Boot computes addresses and sizes at boot. */
  runtimeSizing?: boolean;
  /** -f, -k KEY_DIR/HINT, -u U-BOOT_DTB (FIT mode and signing). */
  fitOverride?: boolean;
  fitKeyDirOverride?: string;
  fitUbootDtbOverride?: string;
  /** --dialect xilinx: the keys of Xilinx's ImageBuilder branch are read (src/config/resolve.ts). */
  dialect?: 'xilinx';
}

export interface LoadedConfig {
  config: Config;
  diagnostics: Diagnostic[];
}

/** A config is a page of assignments (ImageBuilder's own examples are under 2 KiB); 1 MiB is far beyond any real one. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** Reads and resolves a config file. Throws ConfigError (CONFIG_NOT_FOUND, CONFIG_SYNTAX, CONFIG_UNSAFE, ...). */
export function loadConfig(file: string, opts: LoadConfigOptions = {}): LoadedConfig {
  let bytes: Buffer;
  try {
    bytes = readInputFile(file, MAX_CONFIG_BYTES);
  } catch (e) {
    if (!(e instanceof InputFileProblem)) throw e;
    const p = e.problem;
    if (p.kind === 'not-regular') {
      throw new ConfigError('CONFIG_NOT_REGULAR_FILE', `Config file ${file} is ${p.type}, not a regular file`, { path: file, type: p.type }, { file },
        'give the path of the config file itself; uboot-gen never reads a config from a device, a FIFO or a directory');
    }
    if (p.kind === 'too-large') {
      throw new ConfigError('CONFIG_TOO_LARGE', `Config file ${file} is ${p.size} bytes, more than the ${p.max} bytes a config may have`,
        { path: file, size: p.size, max: p.max }, { file }, 'check the path: an ImageBuilder config is a short list of KEY=value lines');
    }
    const why = p.kind === 'missing' ? 'does not exist' : `cannot be read (${p.detail})`;
    throw new ConfigError('CONFIG_NOT_FOUND', `Config file ${file} ${why}`, { path: file }, { file });
  }
  return parseConfigText(decodeConfigText(bytes, file), file, opts);
}

/**
 * The config's bytes as text. Invalid UTF-8 is an error at its line and column: bash would pass
 * the raw bytes into file names and command lines, and a silent U+FFFD would change them.
 */
export function decodeConfigText(bytes: Uint8Array, file: string): string {
  const bad = firstInvalidUtf8(bytes);
  if (bad < 0) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const before = Buffer.from(bytes.buffer, bytes.byteOffset, bad).toString('utf8');
  const line = before.split('\n').length;
  const col = before.length - (before.lastIndexOf('\n') + 1) + 1;
  const byte = bytes[bad] as number;
  throw new ConfigError('CONFIG_BAD_ENCODING',
    `${file} is not valid UTF-8: the byte sequence starting with 0x${byte.toString(16).padStart(2, '0')} at byte offset ${bad} is not a UTF-8 character`,
    { offset: bad, byte }, { file, line, col, offset: bad },
    'save the config as UTF-8 (or plain ASCII), e.g. iconv -f latin1 -t utf-8');
}

/** Offset of the first byte that is not part of a well-formed UTF-8 sequence (Unicode Table 3-7), or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i] as number;
    if (c < 0x80) { i++; continue; }
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) { n = 2; if (c === 0xe0) lo = 0xa0; if (c === 0xed) hi = 0x9f; }
    else if (c >= 0xf0 && c <= 0xf4) { n = 3; if (c === 0xf0) lo = 0x90; if (c === 0xf4) hi = 0x8f; }
    else return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return -1;
}

/** Parses config text; `file` is only used in positions and messages. */
export function parseConfigText(text: string, file: string, opts: LoadConfigOptions = {}): LoadedConfig {
  const pre: Diagnostic[] = [];
  if (text.includes('\0')) {
    throw new ConfigError('CONFIG_SYNTAX', `${file} is not a text file (it contains NUL bytes)`, {}, { file, line: 1, col: 1 },
      'give the ImageBuilder config, a text file of KEY=value lines');
  }
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  if (text.includes('\r\n')) {
    // bash would keep the \r in every value (XEN="xen"\r → "xen\r"), which breaks file names; we drop it.
    const line = text.slice(0, text.indexOf('\r\n')).split('\n').length;
    text = text.replace(/\r\n/g, '\n');
    pre.push({ level: 'warning', code: 'CONFIG_CRLF', message: `${file} has Windows (CRLF) line endings; bash would keep the \\r in values, uboot-gen ignores it`, where: { file, line, col: 1 } });
  }
  const raw = parseConfigRaw(text, file, opts.env ?? {});
  const { config, diagnostics } = resolveConfig(raw, {
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.loadCmdOverride !== undefined ? { loadCmdOverride: opts.loadCmdOverride } : {}),
    ...(opts.outputNameOverride !== undefined ? { outputNameOverride: opts.outputNameOverride } : {}),
    ...(opts.prependPath !== undefined ? { prependPath: opts.prependPath } : {}),
    ...(opts.runtimeSizing !== undefined ? { runtimeSizing: opts.runtimeSizing } : {}),
    ...(opts.fitOverride ? { fitOverride: true } : {}),
    ...(opts.fitKeyDirOverride !== undefined ? { fitKeyDirOverride: opts.fitKeyDirOverride } : {}),
    ...(opts.fitUbootDtbOverride !== undefined ? { fitUbootDtbOverride: opts.fitUbootDtbOverride } : {}),
    ...(opts.dialect ? { dialect: opts.dialect } : {}),
  });
  return { config, diagnostics: [...pre, ...diagnostics] };
}
