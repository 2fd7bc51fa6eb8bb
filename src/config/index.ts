// Config reader entry points: ImageBuilder config text → typed Config + diagnostics.
// Reads the file as data (never sources or executes it); see lexer.ts for what is accepted.

import * as fs from 'node:fs';
import { ConfigError } from '../errors.js';
import { parseConfigRaw, type Env } from './parse.js';
import { resolveConfig } from './resolve.js';
import type { Config, Diagnostic } from './types.js';

export type { BootCmd, Config, Diagnostic, Dom0Config, DomUConfig, DomUEnhanced, FileRef, SourcePos } from './types.js';
export { KEYS, KEY_BY_NAME, type KeySpec } from './keys.js';
export { LOAD_CMD_ALIASES, BOOT_CMDS, COMMAND_LINE_POS } from './resolve.js';

export interface LoadConfigOptions {
  /** Environment visible to expansions (ImageBuilder sources the config in the caller's shell). Default: none. */
  env?: Env;
  /** The -t option: overrides LOAD_CMD; tftp/sd/scsi/usb/virtio are aliases. */
  loadCmdOverride?: string;
  /** The -o option: UBOOT_SOURCE=<name>.source, UBOOT_SCRIPT=<name>.scr. */
  outputNameOverride?: string;
}

export interface LoadedConfig {
  config: Config;
  diagnostics: Diagnostic[];
}

/** Reads and resolves a config file. Throws ConfigError (CONFIG_NOT_FOUND, CONFIG_SYNTAX, CONFIG_UNSAFE, ...). */
export function loadConfig(file: string, opts: LoadConfigOptions = {}): LoadedConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? String(e)})`;
    throw new ConfigError('CONFIG_NOT_FOUND', `Config file ${file} ${why}`, { path: file }, { file });
  }
  return parseConfigText(text, file, opts);
}

/** Parses config text; `file` is only used in positions and messages. */
export function parseConfigText(text: string, file: string, opts: LoadConfigOptions = {}): LoadedConfig {
  const pre: Diagnostic[] = [];
  if (text.includes('\0')) {
    throw new ConfigError('CONFIG_SYNTAX', `${file} is not a text file (it contains NUL bytes)`, {}, { file, line: 1, col: 1 });
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
  });
  return { config, diagnostics: [...pre, ...diagnostics] };
}
