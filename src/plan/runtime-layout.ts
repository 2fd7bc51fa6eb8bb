// The -s layout, checked from the real files. With -s U-Boot itself places each file at the
// 2 MiB boundary after the previous one's `${filesize}` bytes, so nothing in the script keeps
// room for what a file occupies beyond its bytes: Xen's BSS once it runs, the DTB after
// `fdt resize` and booti's pad. ImageBuilder's -s does not look ("TODO: missing reserved memory
// check"); uboot-gen computes the same addresses from the files it is given and says which file
// would need more room.
import { rangesOverlap } from '../util/align.js';
import { hexUpper } from '../util/hex.js';
import type { BootPlan, PlannedLoad, Region } from './types.js';

/** What a load occupies once the boot command runs, and why. */
export interface RuntimeOccupation { load: PlannedLoad; start: number; end: number; why: string }

export interface RuntimeLayoutProblem {
  /** The load that needs more room. */
  load: PlannedLoad;
  message: string;
  data: Record<string, unknown>;
}

/** Where each load lies at boot under -s: its bytes, Xen as it runs, the DTB as booti hands it over. */
export function runtimeOccupations(plan: BootPlan): RuntimeOccupation[] {
  return plan.loads.map((l) => {
    if (l === plan.xen.load) {
      const size = Math.max(plan.xen.imageSize, l.transferSize);
      return { load: l, start: plan.xen.runAddr, end: plan.xen.runAddr + size, why: `once Xen runs (image_size ${hexUpper(plan.xen.imageSize)}, BSS included)` };
    }
    if (l === plan.dtb.load) {
      return { load: l, start: l.addr, end: l.addr + l.footprint, why: `after \`fdt resize\` and booti's ${hexUpper(plan.dtb.bootPad)}-byte pad` };
    }
    return { load: l, start: l.addr, end: l.addr + l.transferSize, why: 'once loaded' };
  });
}

const names = (l: PlannedLoad): string => `${l.keys.join(', ')} ("${l.file}")`;

/**
 * The first place where the -s layout fails: a load whose occupation reaches into another file's
 * bytes, or into memory the board or U-Boot keeps. Undefined when the layout holds (or without -s).
 */
export function runtimeLayoutProblem(plan: BootPlan): RuntimeLayoutProblem | undefined {
  if (!plan.config.runtimeSizing) return undefined;
  // boot.scr's slot is done with once the boot command runs; Xen's relocation target is Xen's own occupation.
  const kept: Region[] = plan.avoided.filter((r) => r.label !== 'boot.scr' && !r.label.startsWith('Xen after booti'));
  const occupied = runtimeOccupations(plan);
  for (const o of occupied) {
    for (const other of plan.loads) {
      if (other === o.load || !rangesOverlap(o.start, o.end, other.addr, other.addr + Math.max(other.transferSize, 1))) continue;
      const more = o.end - other.addr;
      return {
        load: o.load,
        message: `with -s, U-Boot loads ${names(other)} at ${hexUpper(other.addr)}, but ${names(o.load)} occupies ${hexUpper(o.start)}..${hexUpper(o.end)} ${o.why}: ${o.load.keys[0]} would need ${hexUpper(more)} (${more}) more bytes of room before the next file`,
        data: { file: o.load.file, start: o.start, end: o.end, next: other.file, nextAddr: other.addr, more },
      };
    }
    const clash = kept.find((r) => rangesOverlap(o.start, o.end, r.start, r.end));
    if (clash) {
      return {
        load: o.load,
        message: `with -s, U-Boot puts ${names(o.load)} at ${hexUpper(o.start)}..${hexUpper(o.end)} (${o.why}), which overlaps ${clash.label} at ${hexUpper(clash.start)}..${hexUpper(clash.end)}`,
        data: { file: o.load.file, start: o.start, end: o.end, region: clash.label },
      };
    }
  }
  return undefined;
}
