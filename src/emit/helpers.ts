// The handlebars helpers templates/ may use: the only places where a number or a string of the
// model becomes U-Boot syntax. Each one reproduces the formatting ImageBuilder's
// uboot-script-gen uses, so the default script stays ImageBuilder's, byte for byte.
import { splitU64 } from '../util/align.js';
import { hexUpper, hexUpperBare } from '../util/hex.js';

/** Handlebars passes an options object as the last argument of every helper call. */
type HelperArgs = unknown[];

function numbers(args: HelperArgs, helper: string): number[] {
  return args.slice(0, -1).map((v) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      throw new TypeError(`{{${helper}}} needs non-negative integers, got ${JSON.stringify(v)}`);
    }
    return v;
  });
}

function strings(args: HelperArgs, helper: string): string[] {
  return args.slice(0, -1).map((v) => {
    if (typeof v !== 'string') throw new TypeError(`{{${helper}}} needs strings, got ${JSON.stringify(v)}`);
    return v;
  });
}

/** `{{hex 1077936128}}` → `0x40400000`: upper-case digits, as ImageBuilder's printf "0x%X". */
export const hex = (...args: HelperArgs): string => numbers(args, 'hex').map(hexUpper).join(' ');

/** `{{hexlower 1212153856}}` → `0x48400000`: lower-case, as ImageBuilder's printf "0x%x" of the FIT address. */
export const hexlower = (...args: HelperArgs): string => numbers(args, 'hexlower').map((v) => `0x${v.toString(16)}`).join(' ');

/** `{{unit 1077936128}}` → `40400000`: a node's unit address, upper-case hex without 0x (ImageBuilder). */
export const unit = (...args: HelperArgs): string => numbers(args, 'unit').map(hexUpperBare).join(' ');

/**
 * `{{cells addr size}}` → `0x0 0x40400000 0x0 0x2010000 `: each value as two 32-bit cells (high,
 * low), each cell followed by a space, as ImageBuilder's split_value() writes `reg` and `memory`
 * for #address-cells = #size-cells = 2. Goes between `<` and `>`. `{{cells v cells=1}}` writes
 * one 32-bit cell per value instead (for a node whose #address-cells/#size-cells is 1), and refuses
 * a value that does not fit in one.
 */
export const cells = (...args: HelperArgs): string => {
  const per = (args[args.length - 1] as { hash?: { cells?: unknown } } | undefined)?.hash?.cells ?? 2;
  if (per !== 1 && per !== 2) throw new TypeError(`{{cells}} writes 1 or 2 cells per value, not ${JSON.stringify(per)}`);
  return numbers(args, 'cells').map((v) => {
    if (per === 1) {
      if (v > 0xffffffff) throw new TypeError(`{{cells cells=1}} needs values below 2^32, got ${hexUpper(v)}`);
      return `${hexUpper(v)} `;
    }
    const [hi, lo] = splitU64(v);
    return `${hexUpper(hi)} ${hexUpper(lo)} `;
  }).join('');
};

/**
 * `{{cellslower values}}` (an array, or numbers) → `0x0 0x50000000 0x0 0x10000000`: each value as
 * two lower-case 32-bit cells, all separated by one space, no trailing space, as ImageBuilder's
 * add_device_tree_static_mem() writes xen,static-mem (printf "0x%x 0x%x" per value).
 */
export const cellslower = (...args: HelperArgs): string => {
  const flat = args.slice(0, -1).flatMap((a) => (Array.isArray(a) ? a : [a]));
  return numbers([...flat, {}], 'cellslower').map((v) => splitU64(v).map((c) => `0x${c.toString(16)}`).join(' ')).join(' ');
};

/**
 * `{{quote s}}` → `"s"` for hush: inside double quotes U-Boot's hush takes `\"` and `\\` as
 * escapes, so `"` and `\` get a backslash; `$` is left alone on purpose (U-Boot variables).
 */
export const quote = (...args: HelperArgs): string => strings(args, 'quote').map((s) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(' ');

/**
 * `{{strings "a" "b"}}` → ` "a" "b"`: ImageBuilder's str_a value, an empty accumulator plus
 * ` "elem"` per element, so a list starts with a space; no elements give an empty property.
 */
export const stringList = (...args: HelperArgs): string => strings(args, 'strings').map((s) => ` ${quote(s, {})}`).join('');

/**
 * `{{prop "#address-cells"}}` → `\#address-cells`: hush takes a word starting with `#` for a
 * comment, so ImageBuilder escapes the first `#` of a property name.
 */
export const prop = (...args: HelperArgs): string => strings(args, 'prop').map((s) => s.replace('#', '\\#')).join(' ');

/** `{{#if (eq bootCmd "none")}}`: equality, for choosing a block by a model value. */
export const eq = (...args: HelperArgs): boolean => args.length === 3 && args[0] === args[1];

/**
 * `{{var "dom0_linux" "addr"}}` → `${dom0_linux_addr}`: a U-Boot variable reference built from a
 * model value (a template cannot write `$` before `{{` without starting a triple-stash).
 */
export const uvar = (...args: HelperArgs): string => {
  const parts = strings(args, 'var');
  const name = parts.join('_');
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new TypeError(`{{var}} needs a U-Boot variable name, got ${JSON.stringify(name)}`);
  return `\${${name}}`;
};

/** The helpers registered on every handlebars environment that renders templates/. */
/** `{{#if (isset x)}}`: x is a value (0 included), not null or undefined; Handlebars' own #if takes 0 as false. */
export const isset = (...args: HelperArgs): boolean => args.length === 2 && args[0] !== null && args[0] !== undefined;

export const TEMPLATE_HELPERS: Readonly<Record<string, (...args: HelperArgs) => unknown>> = {
  hex, hexlower, unit, cells, cellslower, quote, strings: stringList, prop, eq, isset, var: uvar,
};
