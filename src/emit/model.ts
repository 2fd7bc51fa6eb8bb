// BootPlan → ScriptModel: every line pre-formatted as ImageBuilder formats it, so the
// templates only lay lines out and never compute or format numbers.
import { hexUpper } from '../util/hex.js';
import type { BootPlan, FdtEdit } from '../plan/types.js';

export interface ScriptModel {
  loads: string[];
  fdtAddr: string;
  fdtResize: string;
  edits: string[];
  fdtHigh: string;
  /** APPEND_EXTRA_CMDS contents ('' when unset). */
  extraCmds: string;
  bootLines: string[];
}

/** hush treats `#` at the start of a word as a comment: ImageBuilder escapes the first one. */
export const escapeHashProp = (prop: string): string => prop.replace('#', '\\#');

/** Inside hush double quotes, `"` and `\` need a backslash; `$` is left alone on purpose (U-Boot variables). */
const quote = (s: string): string => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

export function renderEdit(e: FdtEdit): string {
  if (e.op === 'mknod') return `fdt mknod ${e.parent} ${e.name}`;
  const head = `fdt set ${e.path} ${escapeHashProp(e.prop)}`;
  switch (e.value.kind) {
    case 'cells': return `${head} <${e.value.text}>`;
    case 'string': return `${head} ${quote(e.value.value)}`;
    // str_a: an empty accumulator plus ` "elem"` per element → two spaces before the first.
    case 'strings': return `${head} ${e.value.values.map((v) => ` ${quote(v)}`).join('')}`;
    case 'empty': return head;
  }
}

export function buildScriptModel(plan: BootPlan, extraCmds?: string): ScriptModel {
  const loads = plan.loads.map((l) => `${l.loadCmd} ${hexUpper(l.addr)} ${l.file}`);
  const xen = hexUpper(plan.xen.load.addr);
  const dtb = hexUpper(plan.dtb.load.addr);
  let bootLines: string[];
  switch (plan.bootCmd) {
    case 'booti': case 'bootz': case 'bootm': bootLines = [`${plan.bootCmd} ${xen} - ${dtb}`]; break;
    case 'bootefi': bootLines = [`bootefi ${xen} ${dtb}`]; break;
    case 'none': bootLines = [`setenv host_kernel_addr ${xen}`, `setenv host_fdt_addr ${dtb}`]; break;
  }
  return {
    loads,
    fdtAddr: `fdt addr ${dtb}`,
    // U-Boot parses the argument of `fdt resize` as hex (real 2023.01: `fdt resize 1024` adds 0x1024 bytes),
    // so the exact byte count is written in hex.
    fdtResize: `fdt resize ${hexUpper(plan.dtb.resizeExtra)}`,
    edits: plan.edits.map(renderEdit),
    fdtHigh: 'setenv fdt_high 0xffffffffffffffff',
    extraCmds: extraCmds === undefined ? '' : extraCmds.replace(/\n$/, ''),
    bootLines,
  };
}
