// Xen releases the model distinguishes, and the behaviour switches that follow from them.
// Facts from the reference notes (uboot-xen.md §4) checked against a real Xen 4.17.7 boot
// (test/fixtures/transcripts/a-dom0less-2domu.log).
import { UbootGenError } from '../../errors.js';
import { parseXenRelease } from '../../xen-build/build.js';

export interface XenVersion {
  /** As given, e.g. "4.17" or "4.19.1". */
  readonly text: string;
  readonly minor: number;
  /** Patch level; undefined = latest stable of that branch. */
  readonly patch?: number;
}

export const DEFAULT_XEN_VERSION = '4.17';
export const SUPPORTED_XEN_VERSIONS = ['4.17', '4.18', '4.19', '4.20'] as const;

/** Parse "4.17", "4.19.1", "4.20.5-pre" (a build's own name for itself) ... Only 4.17–4.20 are modelled. */
export function parseXenVersion(text: string = DEFAULT_XEN_VERSION): XenVersion {
  const r = parseXenRelease(text);
  if (!r || r.minor < 17 || r.minor > 20) {
    throw new UbootGenError('SIM_BAD_INPUT', `Xen version "${text}" is not modelled (use one of ${SUPPORTED_XEN_VERSIONS.join(', ')})`, { text },
      undefined, r ? `the model covers Xen ${SUPPORTED_XEN_VERSIONS.join(', ')}; --xen-version ${r.minor > 20 ? '4.20' : '4.17'} models the nearest one` : undefined);
  }
  return r.patch === undefined ? { text: r.text, minor: r.minor } : { text: r.text, minor: r.minor, patch: r.patch };
}

/** add_boot_module() checks new modules against reserved memory and earlier modules (commit 4f6a291582). */
export const checksModuleOverlap = (v: XenVersion): boolean => v.minor >= 18;
/** /memreserve/ entries are part of reserved_mem (and thus of the overlap check) from 4.19. */
export const memreserveIsReserved = (v: XenVersion): boolean => v.minor >= 19;
/** 4.19.0 and 4.19.1 drop even modules lying wholly inside a /memreserve/ range (fixed by a14593e399). */
export const memreserveDropsContained = (v: XenVersion): boolean => v.minor === 19 && v.patch !== undefined && v.patch <= 1;
/** Panic texts gained " (rc = %d)" in 4.18. */
export const panicHasRc = (v: XenVersion): boolean => v.minor >= 18;
/** "memory=%#lxKB" (with 0x) from 4.18 (commit f588e7b7cb); 4.17 prints bare hex. */
export const memoryHasHexPrefix = (v: XenVersion): boolean => v.minor >= 18;
/** Release builds print XENLOG_INFO from 4.18 (commit 8c01f267ef). */
export const infoVisibleByDefault = (v: XenVersion): boolean => v.minor >= 18;
/** uImage probe first (and gzip-in-uImage) from 4.18 (commit 6d317b10f8). */
export const uimageProbedFirst = (v: XenVersion): boolean => v.minor >= 18;
/** /memory nodes need depth 1 and device_type = "memory" from 4.20 (commit 47d4d3cdc5). */
export const memoryNeedsDeviceType = (v: XenVersion): boolean => v.minor >= 20;
