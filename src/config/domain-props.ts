// Per-domain properties of the newest ImageBuilder (grant limits, SPIs, trap-unmapped accesses,
// domid, passthrough permission, P2M pool) and the debug key DBG_FDT_PRINT_CHOSEN: read, typed
// and range-checked here, each error positioned at the value. ImageBuilder writes each of them as
// one property of /chosen/domU<n> when the key is non-empty (imagebuilder.md §4.4, §9.4); the
// ranges are what Xen accepts (xen-uboot-2026.md §A.5).
import type { RawValue } from './parse.js';
import type { SourcePos } from './types.js';
import type { ErrorCode } from '../errors.js';

/** The properties a domU node gets beyond memory/cpus/vpl011/xen,enhanced; each absent when its key is unset. */
export interface DomUProps {
  /** DOMU_GRANT_VER[n] → `max_grant_version`. */
  grantVersion?: number;
  /** DOMU_GRANT_FRAMES[n] → `max_grant_frames`. */
  grantFrames?: number;
  /** DOMU_MAPTRACK_FRAMES[n] → `max_maptrack_frames`. */
  maptrackFrames?: number;
  /** DOMU_NR_SPIS[n] → `nr_spis`. */
  nrSpis?: number;
  /** DOMU_TRAP_UNMAP[n] → `trap-unmapped-accesses` (0 or 1). */
  trapUnmap?: 0 | 1;
  /** DOMU_DOMID[n] → `domid`. */
  domid?: number;
  /** DOMU_PASSTHROUGH_PROP[n] → `passthrough` (the only value Xen acts on is "enabled"). */
  passthrough?: 'enabled';
  /** DOMU_P2M_MEM_MB[n] → `xen,domain-p2m-mem-mb`. */
  p2mMemMB?: number;
}

/** The config keys behind DomUProps, in the order ImageBuilder writes their properties. */
export const DOMU_PROP_KEYS = [
  'DOMU_NR_SPIS', 'DOMU_GRANT_VER', 'DOMU_GRANT_FRAMES', 'DOMU_MAPTRACK_FRAMES', 'DOMU_TRAP_UNMAP', 'DOMU_DOMID',
  'DOMU_PASSTHROUGH_PROP', 'DOMU_P2M_MEM_MB',
] as const;

/** Xen on Arm: SPIs are rounded up to 32 and at most 1020 − 32 IRQs fit the vGIC (domain_vgic_init()). */
export const MAX_NR_SPIS = 960;
/** DOMID_FIRST_RESERVED − 1: the highest id a domain can have. */
export const MAX_DOMID = 0x7fef;
/** Xen reads the grant limits as u32 and refuses (panics on) values above INT32_MAX. */
export const MAX_GRANT_FRAMES = 0x7fffffff;
/** The P2M pool is given in MiB as a u32; Xen shifts it to pages in an unsigned long. */
export const MAX_P2M_MEM_MB = 0xffffffff >>> 0;

/** What the reader needs from the resolver: values and positioned errors. */
export interface PropsReader {
  set(name: string, sub: string): RawValue | undefined;
  error(code: ErrorCode, message: string, where: SourcePos | undefined, key: string, hint?: string): never;
}

function whole(r: PropsReader, v: RawValue, what: string, min: number, max: number, why: string): number {
  const text = v.value.trim();
  if (!/^[0-9]+$/.test(text)) {
    r.error('CONFIG_BAD_VALUE', `${v.key} must be ${what}, got "${v.value}"`, v.valueWhere, v.key, `write a whole decimal number, e.g. ${v.key}=${Math.max(min, 1)}`);
  }
  const n = text.length > 15 ? Infinity : Number(text);
  if (n < min || n > max) {
    r.error('CONFIG_OUT_OF_RANGE', `${v.key} = ${text} is out of range: it must be ${what} from ${min} to ${max}`, v.valueWhere, v.key, why);
  }
  return n;
}

/** Read DOMU_*[n] of one domU. `vpl011`: the domain has the virtual PL011, whose SPI must fit nr_spis. */
export function readDomUProps(r: PropsReader, n: number, vpl011: boolean): DomUProps {
  const sub = String(n);
  const out: DomUProps = {};
  const v = (name: string): RawValue | undefined => r.set(name, sub);
  const ver = v('DOMU_GRANT_VER');
  if (ver) out.grantVersion = whole(r, ver, 'a grant table version', 1, 2, 'grant table versions are 1 and 2 (Xen on Arm implements version 1 only)');
  const gf = v('DOMU_GRANT_FRAMES');
  if (gf) out.grantFrames = whole(r, gf, 'a number of grant frames', 1, MAX_GRANT_FRAMES, 'Xen needs at least 1 grant frame and refuses values above 2^31-1');
  const mf = v('DOMU_MAPTRACK_FRAMES');
  if (mf) out.maptrackFrames = whole(r, mf, 'a number of maptrack frames', 0, MAX_GRANT_FRAMES, 'Xen refuses values above 2^31-1');
  const spis = v('DOMU_NR_SPIS');
  if (spis) {
    out.nrSpis = whole(r, spis, 'a number of SPIs', 0, MAX_NR_SPIS, `the vGIC has at most ${MAX_NR_SPIS} SPIs (1020 interrupt IDs minus the 32 private ones, rounded to 32)`);
    if (out.nrSpis === 0 && vpl011) {
      r.error('CONFIG_OUT_OF_RANGE', `${spis.key} = 0 leaves no SPI for the virtual PL011 of domU ${n} (it uses SPI 32)`, spis.valueWhere, spis.key,
        `set ${spis.key} to at least 1, or DOMU_VPL011[${n}]=0`);
    }
  }
  const trap = v('DOMU_TRAP_UNMAP');
  if (trap) {
    const t = trap.value.trim();
    if (t !== '0' && t !== '1') {
      r.error('CONFIG_BAD_VALUE', `${trap.key} must be 0 or 1, got "${trap.value}"`, trap.valueWhere, trap.key,
        '1 (Xen\'s default) makes a guest access to unmapped space fault; 0 reads as zero and ignores writes');
    }
    out.trapUnmap = t === '1' ? 1 : 0;
  }
  const id = v('DOMU_DOMID');
  if (id) out.domid = whole(r, id, 'a domain id', 1, MAX_DOMID, 'domid 0 is dom0\'s and ids from 32752 (DOMID_FIRST_RESERVED) on are reserved');
  const pt = v('DOMU_PASSTHROUGH_PROP');
  if (pt) {
    if (pt.value.trim() !== 'enabled') {
      r.error('CONFIG_BAD_VALUE', `${pt.key} must be "enabled", got "${pt.value}"`, pt.valueWhere, pt.key,
        'Xen acts only on passthrough "enabled" (IOMMU permission for the domain); leave the key unset otherwise');
    }
    out.passthrough = 'enabled';
  }
  const p2m = v('DOMU_P2M_MEM_MB');
  if (p2m) out.p2mMemMB = whole(r, p2m, 'a P2M pool size in MiB', 1, MAX_P2M_MEM_MB, 'Xen reads the pool size as a 32-bit number of MiB; a 0 MiB pool cannot map the domain');
  return out;
}
