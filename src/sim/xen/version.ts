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
export const SUPPORTED_XEN_VERSIONS = ['4.17', '4.18', '4.19', '4.20', '4.21', '4.22'] as const;
/** Oldest and newest minor release modelled. */
export const OLDEST_XEN_MINOR = 17;
export const NEWEST_XEN_MINOR = 22;

/** Parse "4.17", "4.19.1", "4.20.5-pre" (a build's own name for itself) ... Only 4.17–4.22 are modelled. */
export function parseXenVersion(text: string = DEFAULT_XEN_VERSION): XenVersion {
  const r = parseXenRelease(text);
  if (!r || r.minor < OLDEST_XEN_MINOR || r.minor > NEWEST_XEN_MINOR) {
    throw new UbootGenError('SIM_BAD_INPUT', `Xen version "${text}" is not modelled (use one of ${SUPPORTED_XEN_VERSIONS.join(', ')})`, { text },
      undefined, r ? `the model covers Xen ${SUPPORTED_XEN_VERSIONS.join(', ')}; --xen-version 4.${r.minor > NEWEST_XEN_MINOR ? NEWEST_XEN_MINOR : OLDEST_XEN_MINOR} models the nearest one` : undefined);
  }
  return r.patch === undefined ? { text: r.text, minor: r.minor } : { text: r.text, minor: r.minor, patch: r.patch };
}

// The per-release behaviour switches live with the other build facts, shared with the planner.
export {
  checksModuleOverlap, memreserveIsReserved, memreserveDropsContained, panicHasRc, memoryHasHexPrefix, infoVisibleByDefault,
  uimageProbedFirst, memoryNeedsDeviceType,
} from '../../xen-build/facts.js';
