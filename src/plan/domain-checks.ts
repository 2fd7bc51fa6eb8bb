// Checks of the per-domain properties (src/config/domain-props.ts) against each other and against
// the Xen that will run: explicit domids must differ, and a property that Xen release does not
// read, or reads and refuses, is named before the board is booted. Facts: Xen's create_domUs()
// from 4.17 to 4.22 (xen-uboot-2026.md §A.5).
import type { Check, Finding } from './checks.js';
import type { DomUConfig } from '../config/types.js';
import { nodeCheckCompatible, walkNodes } from '../fdt/ro.js';
import { isEnabled } from '../xen-build/build.js';
import {
  CAPS_SINCE, DOMAIN_CAPS_BITS, hardwareDomainRefusal, XEN_IOMMU_COMPATIBLES, XENSTORE_MISSING_PANIC, xenstoreTwicePanic,
} from '../xen-build/facts.js';

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

/** The booted domUs in the order Xen builds them: /chosen order, the reverse of DOMU index order. */
function buildOrder(domUs: readonly DomUConfig[]): DomUConfig[] {
  return domUs.filter((d) => d.boot).reverse();
}

/** The board has an IOMMU Xen drives (the simulator's test, on the board DTB). */
function boardHasIommu(fdt: Uint8Array): boolean {
  let found = false;
  walkNodes(fdt, (node) => {
    if (XEN_IOMMU_COMPATIBLES.some((c) => nodeCheckCompatible(fdt, node, c) === 0)) found = true;
  });
  return found;
}

const capsOf = (du: DomUConfig): number => du.cpu?.caps?.value ?? 0;

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
  {
    // parse_dom0less_node() (4.21+) refuses some domUs as the hardware domain; the refusals and
    // their order are the simulator's (hardwareDomainRefusal()).
    name: 'hardware-domain-shape', code: 'PLAN_HARDWARE_DOMAIN', severity: 'error', stage: 'input',
    fix: 'drop hardware from DOMU_CAPS, or make the domain one Xen accepts as the hardware domain',
    run: ({ collected: { config, xenBuild, dtb } }) => {
      if (xenBuild.release.minor < CAPS_SINCE) return [];
      const iommu = boardHasIommu(dtb.bytes);
      for (const du of buildOrder(config.domUs)) {
        if (!(capsOf(du) & DOMAIN_CAPS_BITS.hardware)) continue;
        const n = du.index;
        const directMap = du.staticMem?.directMap ?? false;
        const refused = hardwareDomainRefusal({ passthrough: du.props.passthrough !== undefined, directMap, iommu, passthroughDtb: du.passthroughDtb !== undefined });
        if (!refused) continue;
        const caps = `DOMU_CAPS[${n}] = ${du.cpu!.caps!.text} makes domU${n} the hardware domain`;
        const panics = `Xen ${xenBuild.release.text} panics "${refused.panic}"`;
        const data = { domain: `domU${n}`, panic: refused.panic };
        if (du.props.passthrough !== undefined) {
          return [{ key: `DOMU_PASSTHROUGH_PROP[${n}]`, message: `${caps}, which has every device already, and DOMU_PASSTHROUGH_PROP[${n}] writes its passthrough property: ${panics}`, data,
            fix: `drop DOMU_PASSTHROUGH_PROP[${n}], or hardware from DOMU_CAPS[${n}]` }];
        }
        if (!directMap && !iommu) {
          return [{ key: `DOMU_CAPS[${n}]`, message: `${caps}, but it is not direct-mapped and the board (${dtb.label}) has no IOMMU Xen drives: ${panics}`, data,
            fix: `direct-map domU${n} (DOMU_STATIC_MEM[${n}] with DOMU_DIRECT_MAP[${n}]=1, on a Xen built with CONFIG_STATIC_MEMORY), boot a board with an IOMMU, or drop hardware from DOMU_CAPS[${n}]` }];
        }
        return [{ key: `DOMU_PASSTHROUGH_DTB[${n}]`, at: `DOMU_CAPS[${n}]`, message: `${caps}, which gets the host device tree, but it also has a passthrough device tree: ${panics}`, data,
          fix: `drop DOMU_PASSTHROUGH_DTB[${n}] (and DOMU_PASSTHROUGH_PATHS[${n}]), or hardware from DOMU_CAPS[${n}]` }];
      }
      return [];
    },
  },
  {
    // From 4.21 one domain serves xenstore: dom0 or a domU with the xenstore capability
    // (set_xs_domain()), and a domain that asks for xenstore needs one (checked once every domU is built).
    name: 'xenstore-domain', code: 'PLAN_XENSTORE_DOMAIN', severity: 'error', stage: 'input',
    fix: 'boot a dom0, give one domU the xenstore capability (DOMU_CAPS[n]="xenstore"), or set DOMU_ENHANCED[n]=2 (no xenstore) or 0',
    run: ({ collected: { config, xenBuild } }) => {
      if (xenBuild.release.minor < CAPS_SINCE) return [];
      const rel = xenBuild.release.text;
      const ids = assignedDomids(config.domUs);
      const order = buildOrder(config.domUs);
      const wanting = order.find((d) => d.enhanced === 'enabled');
      const providers: { name: string; domid: number; du?: DomUConfig }[] = config.dom0 ? [{ name: 'dom0', domid: 0 }] : [];
      for (const du of order) if (capsOf(du) & DOMAIN_CAPS_BITS.xenstore) providers.push({ name: `domU${du.index}`, domid: ids.get(du.index)!, du });
      const [first, second] = providers;
      if (first && second?.du) {
        const key = `DOMU_CAPS[${second.du.index}]`;
        const panic = xenstoreTwicePanic(first.domid);
        return [{ key, message: `${key} = ${second.du.cpu!.caps!.text} gives ${second.name} the xenstore capability, but ${first.name} (d${first.domid}) is already the xenstore domain: Xen ${rel} panics "${panic}"`, data: { panic, first: first.name },
          fix: `give the xenstore capability to one domain only: drop xenstore from ${key}` }];
      }
      if (first || !wanting) return [];
      const key = `DOMU_ENHANCED[${wanting.index}]`;
      return [{ key, message: `${key} asks for xenstore (xen,enhanced "enabled"), but there is no dom0 and no domU with the xenstore capability: Xen ${rel} panics "${XENSTORE_MISSING_PANIC}"`, data: { panic: XENSTORE_MISSING_PANIC },
        fix: `give one domU the xenstore capability (DOMU_CAPS[n]="xenstore"), boot a dom0, or set ${key}=2 (PV interfaces without xenstore) or 0` }];
    },
  },
];
