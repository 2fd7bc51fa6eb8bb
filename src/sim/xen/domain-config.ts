// create_domUs()'s reading of the per-domain properties into the domain's creation config, and
// the refusals domain_create() makes of them, per Xen release: nr_spis (always read; rounded up
// to 32 and at most 960 by domain_vgic_init()), max_grant_version / max_grant_frames /
// max_maptrack_frames (read from 4.18; values above INT32_MAX panic before creation, version 0 or
// above GNTTAB_MAX_VERSION (1 on Arm) and fewer than 1 grant frame fail grant_table_init()),
// passthrough "enabled" (read from 4.19: XEN_DOMCTL_CDF_iommu when the IOMMU is on). Xen 4.17–4.20
// read no domid and no trap-unmapped-accesses property: dom0less domUs get ids 1, 2, ... in /chosen order.
import type { BuildCtx } from './domain-build.js';
import { propString, propU32, type DtNode } from './device-tree.js';
import type { DomainVerdict } from './verdict.js';
import { panicHasRc } from './version.js';

/** NR_LOCAL_IRQS on Arm: SGIs and PPIs. */
const NR_LOCAL_IRQS = 32;
const INT32_MAX = 0x7fffffff;
/** GNTTAB_MAX_VERSION on Arm. */
const ARM_GNTTAB_MAX_VERSION = 1;
/** INITIAL_NR_GRANT_FRAMES. */
const INITIAL_NR_GRANT_FRAMES = 1;

/** The creation config of one domU as Xen reads it from its node. */
export interface DomainCreateConfig {
  nrSpis?: number;
  grantVersion?: number;
  grantFrames?: number;
  maptrackFrames?: number;
  iommu: boolean;
}

/**
 * Read the node as create_domUs() does and apply domain_create()'s checks of what it read.
 * Returns the config, or panics (through ctx.console) as the release does, naming the cause in dv.reason.
 */
export function readDomainCreateConfig(ctx: BuildCtx, node: DtNode, name: string, dv: DomainVerdict): DomainCreateConfig | undefined {
  const minor = ctx.version.minor;
  const cfg: DomainCreateConfig = { iommu: false };
  if (minor >= 19 && propString(node, 'passthrough') === 'enabled' && ctx.host.iommu) cfg.iommu = true;
  const spis = propU32(node, 'nr_spis');
  if (spis !== undefined) cfg.nrSpis = spis;
  if (minor >= 18) {
    const ver = propU32(node, 'max_grant_version');
    if (ver !== undefined) cfg.grantVersion = ver;
    for (const [prop, field] of [['max_grant_frames', 'grantFrames'], ['max_maptrack_frames', 'maptrackFrames']] as const) {
      const v = propU32(node, prop);
      if (v === undefined) continue;
      if (v > INT32_MAX) {
        dv.reason = `${prop} = ${v} is above INT32_MAX`;
        ctx.console.panic(`${prop} (${v}) overflow\n`);
        return undefined;
      }
      cfg[field] = v;
    }
  }
  const refuse = (why: string): undefined => {
    dv.reason = why;
    ctx.console.panic(panicHasRc(ctx.version) ? `Error creating domain ${name} (rc = -22)\n` : `Error creating domain ${name}\n`);
    return undefined;
  };
  // grant_table_init() (its own messages are debug-build dprintk()s, not in a release build's log).
  if (cfg.grantVersion !== undefined && (cfg.grantVersion === 0 || cfg.grantVersion > ARM_GNTTAB_MAX_VERSION)) {
    return refuse(cfg.grantVersion === 0 ? 'max_grant_version is 0' : `max_grant_version = ${cfg.grantVersion}, but Xen on Arm supports grant table version ${ARM_GNTTAB_MAX_VERSION} only`);
  }
  if (cfg.grantFrames !== undefined && cfg.grantFrames < INITIAL_NR_GRANT_FRAMES) return refuse('max_grant_frames is 0: a grant table needs at least 1 frame');
  // domain_vgic_init(): SPIs rounded up to 32, at most 1020 interrupt IDs in all.
  if (cfg.nrSpis !== undefined && Math.ceil(cfg.nrSpis / 32) * 32 > 1020 - NR_LOCAL_IRQS) {
    return refuse(`nr_spis = ${cfg.nrSpis} is more than the vGIC's ${1020 - NR_LOCAL_IRQS} SPIs`);
  }
  return cfg;
}
