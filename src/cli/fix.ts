// --fix: the config lines a finding's computable fix changes, shown as `-`/`+` lines with their
// line numbers, like a unified diff. The user's file is only read, never written.
import * as fs from 'node:fs';
import type { ConfigEdit } from '../plan/checks.js';

/** A fix to show: the edit and the sentence saying why. */
export interface FixItem { edit: ConfigEdit; fix: string }

/** The end (exclusive) of the shell word starting at `i` in `line`, or undefined when it does not end on this line. */
function wordEnd(line: string, i: number): number | undefined {
  let j = i;
  while (j < line.length && !/[\s#;]/.test(line[j]!)) {
    const q = line[j];
    if (q === '"' || q === "'") {
      let k = j + 1;
      while (k < line.length && line[k] !== q) k += q === '"' && line[k] === '\\' ? 2 : 1;
      if (k >= line.length) return undefined;
      j = k + 1;
    } else j += q === '\\' ? 2 : 1;
  }
  return j;
}

/** A value written as the config would write it: bare when it is one plain word, else in double quotes. */
function shellValue(v: string, wasQuoted: boolean): string {
  if (!wasQuoted && /^[A-Za-z0-9_./:@%+,=-]+$/.test(v)) return v;
  return `"${v.replace(/(["\\$`])/g, '\\$1')}"`;
}

/** The changed line for `edit` on `line`, or undefined when the assignment cannot be rewritten in place. */
function editedLine(line: string, edit: ConfigEdit, col: number): string | undefined {
  const i = col - 1;
  if (edit.renameTo !== undefined) {
    if (!line.startsWith(edit.key, i)) return undefined;
    return `${line.slice(0, i)}${edit.renameTo}${line.slice(i + edit.key.length)}`;
  }
  if (edit.value === undefined) return undefined;
  const end = wordEnd(line, i);
  if (end === undefined) return undefined;
  const quoted = line[i] === '"' || line[i] === "'";
  return `${line.slice(0, i)}${shellValue(edit.value, quoted)}${line.slice(end)}`;
}

/**
 * The diff lines for every fix that applies to `configText`: a header naming the fix, then
 * `-  LINE  old` and `+  LINE  new` (a new assignment is `+  LINEa  new`, added after LINE).
 */
export function formatFixes(configText: string, file: string, items: readonly FixItem[]): string[] {
  const lines = configText.split('\n');
  const out: string[] = [];
  for (const { edit, fix } of items) {
    if (edit.where && edit.where.file === file) {
      const n = edit.where.line;
      const old = lines[n - 1];
      const now = old === undefined ? undefined : editedLine(old, edit, edit.where.col);
      if (old === undefined || now === undefined) continue;
      out.push(`${file}:${n}: ${fix}`, `-${String(n).padStart(4)}  ${old}`, `+${String(n).padStart(4)}  ${now}`);
    } else if (!edit.where && edit.after && edit.after.file === file && edit.value !== undefined) {
      const n = edit.after.line;
      out.push(`${file}:${n}: ${fix}`, `+${`${n}a`.padStart(4)}  ${edit.key}=${shellValue(edit.value, false)}`);
    }
  }
  return out;
}

/** formatFixes() on the config file as it is on disk (read only). */
export function formatFixesForFile(configFile: string, file: string, items: readonly FixItem[]): string[] {
  if (items.length === 0) return [];
  let text: string;
  try {
    text = fs.readFileSync(configFile, 'utf8');
  } catch {
    return [];
  }
  return formatFixes(text, file, items);
}
