// Checks of the per-domain properties (src/config/domain-props.ts) against each other and against
// the Xen that will run: explicit domids must differ, and a property that Xen release does not
// read, or reads and refuses, is named before the board is booted. Facts: Xen's create_domUs()
// from 4.17 to 4.22 (xen-uboot-2026.md §A.5).
import type { Check, Finding } from './checks.js';
import type { DomUConfig } from '../config/types.js';
import { isEnabled } from '../xen-build/build.js';

/** GNTTAB_MAX_VERSION of Xen on Arm (asm/grant_table.h): grant table version 2 does not exist there. */
export const ARM_GNTTAB_MAX_VERSION = 1;

/** The first Xen release (minor of 4.x) that reads each domU property; undefined: no upstream release reads it. */
export const PROP_FIRST_READ: Readonly<Record<string, { prop: string; since: number | undefined }>> = {
  DOMU_NR_SPIS: { prop: 'nr_spis', since: 17 },
  DOMU_GRANT_VER: { prop: 'max_grant_version', since: 18 },
  DOMU_GRANT_FRAMES: { prop: 'max_grant_frames', since: 18 },
  DOMU_MAPTRACK_FRAMES: { prop: 'max_maptrack_frames', since: 18 },
  DOMU_PASSTHROUGH_PROP: { prop: 'passthrough', since: 19 },
  DOMU_TRAP_UNMAP: { prop: 'trap-unmapped-accesses', since: 21 },
  DOMU_P2M_MEM_MB: { prop: 'xen,domain-p2m-mem-mb', since: 17 },
  DOMU_DOMID: { prop: 'domid', since: undefined },
};

const FIELD: Readonly<Record<string, keyof DomUConfig['props']>> = {
  DOMU_NR_SPIS: 'nrSpis', DOMU_GRANT_VER: 'grantVersion', DOMU_GRANT_FRAMES: 'grantFrames', DOMU_MAPTRACK_FRAMES: 'maptrackFrames',
  DOMU_PASSTHROUGH_PROP: 'passthrough', DOMU_TRAP_UNMAP: 'trapUnmap', DOMU_P2M_MEM_MB: 'p2mMemMB', DOMU_DOMID: 'domid',
};

/** Domain ids Xen gives the booted domUs: dom0 is 0, then 1, 2, ... in /chosen order, which is the reverse of DOMU index order. */
export function assignedDomids(domUs: readonly DomUConfig[]): Map<number, number> {
  const booted = domUs.filter((d) => d.boot);
  return new Map(booted.map((d, i) => [d.index, booted.length - i]));
}

export const DOMAIN_PROP_CHECKS: readonly Check[] = [
  {
    name: 'domid-unique', code: 'PLAN_DOMID_CONFLICT', severity: 'error', stage: 'input',
    fix: 'give every domU its own DOMU_DOMID, or leave DOMU_DOMID unset',
    run: ({ collected: { config } }) => {
      const seen = new Map<number, number>();
      for (const du of config.domUs) {
        const id = du.props.domid;
        if (id === undefined || !du.boot) continue;
        const other = seen.get(id);
        if (other !== undefined) {
          return [{ key: `DOMU_DOMID[${du.index}]`, message: `DOMU_DOMID[${du.index}] = ${id} is also the domid of domU${other} (DOMU_DOMID[${other}]): two domains cannot share an id`, data: { domid: id, domains: [other, du.index] } }];
        }
        seen.set(id, du.index);
      }
      return [];
    },
  },
  {
    name: 'domain-props-read', code: 'PLAN_XEN_IGNORES_KEY', severity: 'warning', stage: 'input',
    fix: 'boot a Xen release that reads the property, or drop the key',
    run: ({ collected: { config, xenBuild } }) => {
      const minor = xenBuild.release.minor;
      const out: Finding[] = [];
      const ids = assignedDomids(config.domUs);
      for (const du of config.domUs.filter((d) => d.boot)) {
        for (const [key, { prop, since }] of Object.entries(PROP_FIRST_READ)) {
          const value = du.props[FIELD[key]!];
          if (value === undefined || (since !== undefined && minor >= since)) continue;
          const k = `${key}[${du.index}]`;
          out.push(since === undefined
            ? { key: k, message: `${k} = ${value}: Xen ${xenBuild.release.text} does not read the domid property (no upstream Xen does); domU${du.index} will be d${ids.get(du.index)}`, data: { prop, assigned: ids.get(du.index) } }
            : { key: k, message: `${k}: Xen ${xenBuild.release.text} ignores the ${prop} property (read from Xen 4.${since} on)`, data: { prop, since: `4.${since}` } });
        }
      }
      return out;
    },
  },
  {
    // xsm_dt_init() reads the policy module only when FLASK is built in (XSM_MAGIC is 0 otherwise),
    // and only FLASK uses it: the build's default XSM module or flask= on the command line decides.
    name: 'xen-policy-read', code: 'PLAN_XEN_IGNORES_KEY', severity: 'warning', stage: 'input',
    fix: 'boot a Xen built with CONFIG_XSM_FLASK and add flask=enforcing (or permissive) to XEN_CMD, or drop XEN_POLICY',
    run: ({ collected: { config, xenBuild } }) => {
      if (!config.xenPolicy) return [];
      const b = xenBuild.release.text;
      if (!isEnabled(xenBuild, 'XSM_FLASK')) {
        return [{ key: 'XEN_POLICY', message: `XEN_POLICY: this Xen ${b} build has no FLASK (CONFIG_XSM_FLASK is off), so it registers the policy module and never reads it` }];
      }
      const flask = /(^|\s)flask=(\S*)/.exec(config.xenCmd)?.[2];
      if (flask === undefined && !isEnabled(xenBuild, 'XSM_FLASK_DEFAULT')) {
        return [{ key: 'XEN_POLICY', message: `XEN_POLICY: this Xen ${b} build's default XSM module is not FLASK (CONFIG_XSM_FLASK_DEFAULT is off) and XEN_CMD has no flask=, so Xen copies the policy in and does not enforce it` }];
      }
      if (flask === 'disabled') return [{ key: 'XEN_POLICY', message: 'XEN_POLICY: XEN_CMD has flask=disabled, so Xen does not use the policy' }];
      return [];
    },
  },
  {
    name: 'domain-props-accepted', code: 'PLAN_XEN_REFUSES_VALUE', severity: 'warning', stage: 'input',
    fix: 'use DOMU_GRANT_VER=1 (or leave it unset): Xen on Arm has grant table version 1 only',
    run: ({ collected: { config, xenBuild } }) => config.domUs.filter((du) => du.boot && (du.props.grantVersion ?? 0) > ARM_GNTTAB_MAX_VERSION && xenBuild.release.minor >= 18)
      .map((du) => ({
        key: `DOMU_GRANT_VER[${du.index}]`,
        message: `DOMU_GRANT_VER[${du.index}] = ${du.props.grantVersion}: Xen on Arm supports grant table version ${ARM_GNTTAB_MAX_VERSION} only, so Xen ${xenBuild.release.text} stops with "Error creating domain domU${du.index} (rc = -22)"`,
        data: { grantVersion: du.props.grantVersion, max: ARM_GNTTAB_MAX_VERSION },
      })),
  },
];
