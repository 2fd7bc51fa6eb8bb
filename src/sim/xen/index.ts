// Library entry of the Xen on Arm model: from U-Boot's hand-off to a verdict per domain.
import type { BootHandoff } from '../handoff.js';
import { startXen, type XenBootOptions } from './setup.js';
import type { XenResult } from './verdict.js';

export type { DomainVerdict, DomainVerdictKind, XenResult } from './verdict.js';
export { formatDomainTable } from './verdict.js';
export { SUPPORTED_XEN_VERSIONS, DEFAULT_XEN_VERSION } from './version.js';
export type { XenBootOptions } from './setup.js';

/** Decide what Xen would do with this hand-off, and whether every domain comes up. */
export function bootXen(handoff: BootHandoff, opts: XenBootOptions = {}): XenResult {
  return startXen(handoff, opts);
}
