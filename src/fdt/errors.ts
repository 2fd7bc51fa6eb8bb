// Models dtc libfdt/libfdt.h FDT_ERR_* codes and fdt_strerror.c (the string is the macro name itself).
import { FdtError } from '../errors.js';

/** libfdt error codes: same numbers as libfdt.h; functions return them negated. */
export const FDT_ERR = {
  // informative error codes
  NOTFOUND: { n: 1, group: 'informative', doc: 'The requested node or property does not exist.' },
  EXISTS: { n: 2, group: 'informative', doc: 'Attempted to create a node or property which already exists.' },
  NOSPACE: { n: 3, group: 'informative', doc: 'Not enough free space in the blob for the change; enlarge it with openInto() or `fdt resize`.' },
  // codes for bad parameters
  BADOFFSET: { n: 4, group: 'bad-parameter', doc: 'A structure block offset is out of bounds or does not point at the right kind of tag.' },
  BADPATH: { n: 5, group: 'bad-parameter', doc: 'Badly formatted path, or an alias that does not exist.' },
  BADPHANDLE: { n: 6, group: 'bad-parameter', doc: 'Invalid phandle value (0 or 0xffffffff).' },
  BADSTATE: { n: 7, group: 'bad-parameter', doc: 'Incomplete sequential-write blob used where a finished one is needed.' },
  // codes for bad device tree blobs
  TRUNCATED: { n: 8, group: 'bad-blob', doc: 'The blob, or data it points to, ends before the structure is complete.' },
  BADMAGIC: { n: 9, group: 'bad-blob', doc: 'The buffer does not start with the FDT magic 0xd00dfeed.' },
  BADVERSION: { n: 10, group: 'bad-blob', doc: 'The blob has a version this library cannot handle (or < 17 for a write).' },
  BADSTRUCTURE: { n: 11, group: 'bad-blob', doc: 'The structure block is corrupt (bad tag sequence or nesting).' },
  BADLAYOUT: { n: 12, group: 'bad-blob', doc: 'Blocks are not in the canonical order required for writing; use openInto() first.' },
  // "Can't happen" error
  INTERNAL: { n: 13, group: 'internal', doc: 'libfdt internal inconsistency (a bug).' },
  // errors in device tree content
  BADNCELLS: { n: 14, group: 'content', doc: '#address-cells or #size-cells is missing, malformed or out of range.' },
  BADVALUE: { n: 15, group: 'content', doc: 'A property has an unexpected value (e.g. a bad string list).' },
  BADOVERLAY: { n: 16, group: 'content', doc: 'The overlay is malformed.' },
  NOPHANDLES: { n: 17, group: 'content', doc: 'No more phandles are available.' },
  BADFLAGS: { n: 18, group: 'bad-parameter', doc: 'Unknown or invalid flags were passed.' },
  ALIGNMENT: { n: 19, group: 'bad-blob', doc: 'The blob is not at an 8-byte aligned address.' },
} as const;

export type FdtErrKey = keyof typeof FDT_ERR;
export type FdtErrName = `FDT_ERR_${FdtErrKey}`;
/** A libfdt-style result: a negative value is -FDT_ERR_x. */
export type FdtErrno = number;

/** -FDT_ERR_x for a name, e.g. `fdtErr('NOSPACE') === -3`. */
export const fdtErr = (name: FdtErrKey): FdtErrno => -FDT_ERR[name].n;

/** Negative error numbers by name, for `if (ret === E.NOTFOUND)`. */
export const E: { readonly [K in FdtErrKey]: FdtErrno } = Object.fromEntries(
  Object.entries(FDT_ERR).map(([k, v]) => [k, -v.n]),
) as { [K in FdtErrKey]: FdtErrno };

const NAME_BY_NUMBER: ReadonlyMap<number, FdtErrName> = new Map(
  Object.entries(FDT_ERR).map(([k, v]) => [v.n, `FDT_ERR_${k}` as FdtErrName]),
);

/**
 * The same strings as libfdt fdt_strerror(): the macro name for a known code.
 * @returns 'FDT_ERR_<NAME>', '<valid offset/length>' (ret > 0), '<no error>' (0) or '<unknown error>'
 * @see libfdt fdt_strerror.c fdt_strerror()
 */
export function fdtStrerror(ret: number): string {
  if (ret > 0) return '<valid offset/length>';
  if (ret === 0) return '<no error>';
  return NAME_BY_NUMBER.get(-ret) ?? '<unknown error>';
}

/**
 * Adapter for callers outside the simulator: turn a libfdt-style result into its value, or throw.
 * `fn` is the libfdt function name used in the message (as U-Boot prints it), `what` says what was asked for.
 * @throws FdtError with code 'FDT_ERR_<NAME>' when `ret` is a negative number
 */
export function fdtOk<T>(ret: T | FdtErrno, fn: string, what: string): T {
  if (typeof ret === 'number' && ret < 0) {
    const name = fdtStrerror(ret);
    const code = name.startsWith('FDT_ERR_') ? name : 'FDT_ERR_UNKNOWN';
    throw new FdtError(code as FdtErrName, `libfdt ${fn}(): ${name} (${what})`, { fn, errno: ret, what });
  }
  return ret as T;
}

/** True when a libfdt-style result is an error. */
export const isFdtErr = (ret: unknown): ret is FdtErrno => typeof ret === 'number' && ret < 0;
