// A Xen build's Kconfig `.config` text: the file `make` writes (and Debian ships as
// /boot/xen-*.config), and the text Xen embeds in itself as a gzip member when
// CONFIG_HYPFS_CONFIG=y (xen/common/Makefile: `gzip -n -c .config`, 4.14 and later).
// Format (kconfig's confdata.c): a comment header naming the version, then one
// `CONFIG_NAME=value` line per set option and `# CONFIG_NAME is not set` per unset one.
import { ImageFormatError } from '../errors.js';

/** First lines of every kconfig-written file; the third names the project, arch and version. */
export const KCONFIG_BANNER = '#\n# Automatically generated file; DO NOT EDIT.\n';
/** A .config is a few KiB (Debian 4.17: 2557 bytes, 4.20: 3041); anything larger is not one. */
export const MAX_KCONFIG_BYTES = 256 * 1024;

export interface XenKconfig {
  /** "arm" (from "# Xen/arm 4.17.7 Configuration"); undefined when the header is missing. */
  readonly arch?: string;
  /** Version text of the header, e.g. "4.17.7" or "4.20.5-pre". */
  readonly version?: string;
  /** Option name without the CONFIG_ prefix → value as written (`y`, `m`, `128`, `"credit2"` unquoted); `n` for "is not set". */
  readonly values: ReadonlyMap<string, string>;
}

const SET = /^CONFIG_([A-Za-z0-9_]+)=(.*)$/;
const UNSET = /^# CONFIG_([A-Za-z0-9_]+) is not set$/;
const HEADER = /^# Xen\/(\S+) (\S+) Configuration$/;

/** Does this text begin like a Xen .config (kconfig banner, then "# Xen/<arch> <version> Configuration")? */
export function looksLikeXenKconfig(text: string): boolean {
  if (!text.startsWith(KCONFIG_BANNER)) return false;
  const third = text.slice(KCONFIG_BANNER.length).split('\n', 1)[0]!;
  return HEADER.test(third);
}

/** kconfig writes strings quoted with `\"` and `\\` escaped; give the plain value. */
function unquote(v: string): string {
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1).replace(/\\(["\\])/g, '$1');
  return v;
}

/**
 * Parse a .config. `what` names the source in errors (a file name, or "the .config embedded in xen").
 * Lines that are neither options nor comments are refused with their line number: a file that is not
 * a .config must not silently give an empty build.
 */
export function parseXenKconfig(text: string, what: string): XenKconfig {
  if (text.length > MAX_KCONFIG_BYTES) {
    throw new ImageFormatError('IMAGE_WRONG_TYPE', `${what} is ${text.length} bytes; a Xen .config is a few KiB, so this is not one`,
      { size: text.length }, { file: what }, 'give the .config of the Xen build (Debian: /boot/xen-<version>-arm64.config)');
  }
  const values = new Map<string, string>();
  let arch: string | undefined;
  let version: string | undefined;
  const lines = text.split('\n');
  for (const [i, raw] of lines.entries()) {
    const line = raw.replace(/\r$/, '');
    const h = HEADER.exec(line);
    if (h) { arch ??= h[1]; version ??= h[2]; continue; }
    const s = SET.exec(line);
    if (s) { values.set(s[1]!, unquote(s[2]!)); continue; }
    const u = UNSET.exec(line);
    if (u) { values.set(u[1]!, 'n'); continue; }
    if (line === '' || line.startsWith('#')) continue;
    throw new ImageFormatError('IMAGE_WRONG_TYPE', `${what}:${i + 1}: "${line.slice(0, 60)}" is not a Kconfig line (CONFIG_NAME=value or "# CONFIG_NAME is not set")`,
      { line: i + 1 }, { file: what, line: i + 1 }, 'give the .config of the Xen build (Debian: /boot/xen-<version>-arm64.config)');
  }
  if (values.size === 0) {
    throw new ImageFormatError('IMAGE_WRONG_TYPE', `${what} has no CONFIG_ lines, so it is not a Kconfig .config`, {}, { file: what },
      'give the .config of the Xen build (Debian: /boot/xen-<version>-arm64.config)');
  }
  return { ...(arch !== undefined ? { arch } : {}), ...(version !== undefined ? { version } : {}), values };
}
