// `uboot-gen keys [KEY]`: the ImageBuilder config keys, from the keys table (src/config/keys.ts)
// and its facts (src/config/key-facts.ts). Without KEY, one block per key; with KEY (`DOMU_MEM`
// or `DOMU_MEM[0]`), that key in full. Unknown keys are usage errors with the nearest key.
import { UbootGenError, EXIT_CODE, codeInfo } from '../../errors.js';
import { KEYS, KEY_BY_NAME, suggestKey, type KeySpec } from '../../config/keys.js';
import { KEY_FACTS, type KeyFacts } from '../../config/key-facts.js';
import { envelope, writeJson, type JsonDiagnostic } from '../json.js';
import { makeStyle, type Style } from '../report.js';
import { wrapText } from '../util.js';

export interface KeysCliOptions { json?: boolean }

/** One key as `keys --json` lists it (schema/keys.schema.json, `$defs/key`). */
export interface KeyJson {
  key: string;
  /** `false`, `"n"` (`KEY[n]`, one per domU or entry) or `"n,m"` (`KEY[n,m]`). */
  indexed: KeySpec['indexed'];
  type: KeySpec['type'];
  default: string | null;
  description: string;
  supported: boolean;
  diskImageOnly: boolean;
  imagebuilder: string;
  xen: string | null;
  kconfig: string | null;
  example: string;
}

export function keyJson(spec: KeySpec): KeyJson {
  const facts = factsOf(spec.key);
  return {
    key: spec.key, indexed: spec.indexed, type: spec.type, default: spec.default ?? null, description: spec.description,
    supported: spec.supported, diskImageOnly: spec.diskImageOnly === true,
    imagebuilder: facts.imagebuilder, xen: facts.xen, kconfig: kconfigOption(facts.kconfig), example: facts.example,
  };
}

/** `STATIC_MEMORY` → `CONFIG_STATIC_MEMORY`: the option as a build's .config and users write it. */
const kconfigOption = (symbol: string | null): string | null => (symbol === null ? null : `CONFIG_${symbol}`);

function factsOf(key: string): KeyFacts {
  const facts = KEY_FACTS[key];
  // The keys spec fails when a row lacks its facts; this is the guard for a build that skipped it.
  if (!facts) throw new Error(`${key} has no row in KEY_FACTS`);
  return facts;
}

/** `DOMU_MEM`, `DOMU_MEM[0]`, `domu_mem[1,2]`: the row, or undefined. */
export function lookupKey(query: string): KeySpec | undefined {
  const name = query.trim().toUpperCase().replace(/\[[^\]]*\]$/, '');
  return KEY_BY_NAME.get(name);
}

const shownName = (s: KeySpec): string => (s.indexed === 'n' ? `${s.key}[n]` : s.indexed === 'n,m' ? `${s.key}[n,m]` : s.key);

/** What uboot-gen does with the key, in a few words. */
export function supportText(s: KeySpec): string {
  if (s.diskImageOnly) return 'accepted (disk_image only: no effect on the boot script)';
  return s.supported ? 'supported' : 'not supported yet (setting it is an error)';
}

/** The detail of one key: a label column and wrapped values. */
export function formatKey(s: KeySpec, width: number, style: Style): string {
  const facts = factsOf(s.key);
  const rows: [string, string][] = [
    ['type', s.type + (s.indexed ? ` (one value per index: ${shownName(s)})` : '')],
    ['default', s.default ?? '(none)'],
    ['ImageBuilder', `since ${facts.imagebuilder}`],
    ['Xen', facts.xen ?? 'not read by Xen (U-Boot or the generator only)'],
    ['Kconfig', kconfigOption(facts.kconfig) ?? '(none)'],
    ['uboot-gen', supportText(s)],
    ['example', facts.example],
  ];
  const lead = 2 + Math.max(...rows.map(([l]) => l.length)) + 2;
  const lines = [style.bold(shownName(s)), wrapText(s.description, width, '  ', '  ')];
  for (const [label, value] of rows) lines.push(wrapText(value, width, `  ${label.padEnd(lead - 4)}  `, ' '.repeat(lead)));
  return lines.join('\n');
}

/** Every key: its name, type and status on one line, then its description, wrapped. */
export function formatKeyList(width: number, style: Style): string {
  const nameWidth = Math.max(...KEYS.map((s) => shownName(s).length));
  const out: string[] = [];
  for (const s of KEYS) {
    const facts = factsOf(s.key);
    const status = s.diskImageOnly ? 'disk_image only' : s.supported ? 'supported' : 'not supported';
    const head = `${shownName(s).padEnd(nameWidth)}  ${s.type.padEnd(8)}  ${status}`;
    out.push(style.bold(shownName(s)) + head.slice(shownName(s).length));
    const detail = [
      s.description,
      s.default !== undefined ? `Default: ${s.default}.` : '',
      `ImageBuilder since ${facts.imagebuilder}.`,
      facts.xen ? `Xen: ${facts.xen}${facts.kconfig ? `, ${kconfigOption(facts.kconfig)}` : ''}.` : '',
    ].filter((t) => t !== '').join(' ');
    out.push(wrapText(detail, width, '    ', '    '));
  }
  out.push('', '`uboot-gen keys KEY` shows one key in full, with an example line.');
  return out.join('\n');
}

export function runKeys(query: string | undefined, o: KeysCliOptions): void {
  const spec = query === undefined ? undefined : lookupKey(query);
  if (query !== undefined && !spec) {
    const name = query.trim().replace(/\[[^\]]*\]$/, '');
    const near = suggestKey(name);
    const message = `${query} is not an ImageBuilder config key${near ? `. Did you mean ${near}?` : ''}`;
    const hint = 'run `uboot-gen keys` for the list of keys';
    if (o.json) {
      const diag: JsonDiagnostic = { code: 'USAGE', level: 'error', message, hint, fix: codeInfo('USAGE').fix };
      writeJson(envelope('keys', EXIT_CODE.usage, [diag], { keys: [] }));
      process.exitCode = EXIT_CODE.usage;
      return;
    }
    throw new UbootGenError('USAGE', message, { key: query, ...(near ? { suggestion: near } : {}) }, undefined, hint);
  }
  if (o.json) {
    writeJson(envelope('keys', EXIT_CODE.ok, [], { keys: (spec ? [spec] : KEYS).map(keyJson) }));
    return;
  }
  const out = process.stdout;
  const width = out.isTTY && out.columns > 0 ? out.columns : 100;
  const style = makeStyle(out);
  out.write(`${spec ? formatKey(spec, width, style) : formatKeyList(width, style)}\n`);
}

const cell = (s: string): string => s.replace(/\|/g, '\\|');

/** The README's key table (markdown), one row per key, from the same rows as `uboot-gen keys`. */
export function keysMarkdown(): string {
  const out = [
    '| key | type | default | uboot-gen | ImageBuilder since | Xen | Kconfig | meaning |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const s of KEYS) {
    const facts = factsOf(s.key);
    const status = s.diskImageOnly ? 'disk_image only' : s.supported ? 'yes' : 'not yet';
    out.push(`| \`${shownName(s)}\` | ${s.type} | ${s.default !== undefined ? `\`${cell(s.default)}\`` : ''} | ${status} | ${facts.imagebuilder} | ${cell(facts.xen ?? '')} | ${facts.kconfig ? facts.kconfig.replace(/^(\S+)/, '`CONFIG_$1`') : ''} | ${cell(s.description)} |`);
  }
  return out.join('\n');
}
