// What the memory keys mean for RAM (DOMU_STATIC_MEM, XEN_STATIC_HEAP, DOMU_SHARED_MEM): ranges
// Xen takes for itself or a domain at boot, so no load may be placed on them; and the checks
// Xen makes of them against the board (its RAM, its reserved memory) and against each other.
import { hexUpper } from '../util/hex.js';
import { rangesOverlap } from '../util/align.js';
import type { Config } from '../config/types.js';
import { isEnabled, type XenBuild } from '../xen-build/build.js';
import type { BoardInfo } from './board.js';
import type { Region } from './types.js';

export type StaticRegionKind = 'static-mem' | 'static-heap' | 'shared-mem';

/** One range a memory key reserves, for the plan, its checks and the memory map. */
export interface StaticRegion extends Region {
  kind: StaticRegionKind;
  /** The config key that sets it, e.g. DOMU_STATIC_MEM[0]. */
  key: string;
  /** The domain it belongs to (domU<n>), or 'xen' for the heap. */
  owner: string;
  /** static-mem: the domain sees it at the same address (direct-map). */
  directMap?: boolean;
  /** shared-mem: its ID and where the guest sees it. */
  shmId?: string;
  guestAddr?: number;
}

/** Every range the config's memory keys reserve, in config order. Shared regions named by several domUs appear once per domU. */
export function staticRegions(config: Config): StaticRegion[] {
  const out: StaticRegion[] = [];
  for (const du of config.domUs) {
    if (!du.boot) continue;
    const owner = `domU${du.index}`;
    for (const [i, b] of (du.staticMem?.banks ?? []).entries()) {
      out.push({ kind: 'static-mem', key: `DOMU_STATIC_MEM[${du.index}]`, owner, start: b.start, end: b.start + b.size,
        label: `${owner} static memory bank ${i}${du.staticMem!.directMap ? ' (direct-mapped)' : ''}`, directMap: du.staticMem!.directMap });
    }
    const s = du.sharedMem;
    if (s && s.hostAddr !== undefined) {
      out.push({ kind: 'shared-mem', key: `DOMU_SHARED_MEM[${du.index}]`, owner, start: s.hostAddr, end: s.hostAddr + s.size,
        label: `static shared memory "${s.id}"`, shmId: s.id, guestAddr: s.guestAddr });
    }
  }
  for (const [i, b] of (config.staticHeap ?? []).entries()) {
    out.push({ kind: 'static-heap', key: 'XEN_STATIC_HEAP', owner: 'xen', start: b.start, end: b.start + b.size, label: `Xen static heap bank ${i}` });
  }
  return out;
}

/** The ranges loads must avoid: each shared region once. */
export function staticAvoid(regions: readonly StaticRegion[]): Region[] {
  const seen = new Set<string>();
  const out: Region[] = [];
  for (const r of regions) {
    const k = `${r.start}:${r.end}`;
    if (r.kind === 'shared-mem' && seen.has(k)) continue;
    seen.add(k);
    out.push({ start: r.start, end: r.end, label: r.label });
  }
  return out;
}

export interface StaticProblem { key: string; message: string; fix?: string }

const range = (r: { start: number; end: number }): string => `${hexUpper(r.start)}..${hexUpper(r.end)}`;

/** A static range outside the board's RAM: Xen cannot give the domain (or itself) memory that is not there. */
export function staticOutsideRam(regions: readonly StaticRegion[], ram: readonly Region[]): StaticProblem[] {
  return regions.filter((r) => !ram.some((b) => r.start >= b.start && r.end <= b.end)).map((r) => ({
    key: r.key,
    message: `${r.key}: ${r.label} ${range(r)} is not inside the board's RAM (${ram.map(range).join(', ')})${r.kind === 'shared-mem' ? ': Xen rejects it ("invalid physical address")' : r.kind === 'static-mem' ? ': Xen cannot acquire pages that do not exist and panics building the domain' : ': Xen would build its heap from memory that does not exist'}`,
  }));
}

/**
 * Static ranges that overlap each other (two domains' static memory, static memory and the heap,
 * a shared region and anything but the same region of another domU) or the board's reserved
 * memory: Xen's early device-tree scan or the domain build refuses them.
 */
export function staticOverlaps(regions: readonly StaticRegion[], board: BoardInfo): StaticProblem[] {
  const out: StaticProblem[] = [];
  for (const [i, a] of regions.entries()) {
    for (const b of regions.slice(0, i)) {
      const sameShm = a.kind === 'shared-mem' && b.kind === 'shared-mem' && a.start === b.start && a.end === b.end && a.shmId === b.shmId;
      if (sameShm || !rangesOverlap(a.start, a.end, b.start, b.end)) continue;
      if (a.kind === 'shared-mem' && b.kind === 'shared-mem' && a.start === b.start && a.end === b.end) {
        out.push({ key: a.key, message: `${a.key}: the region ${range(a)} is shared as "${a.shmId}" here and as "${b.shmId}" by ${b.key}: Xen refuses it ("fdt: xen,shm-id ${a.shmId} does not match for all the nodes using the same region.")`, fix: 'use the same ID for the same region' });
        continue;
      }
      out.push({ key: a.key, message: `${a.key}: ${a.label} ${range(a)} overlaps ${b.label} ${range(b)} (${b.key})`, fix: 'give each static range its own memory' });
    }
    const rsv = board.reserved.find((r) => rangesOverlap(a.start, a.end, r.start, r.end));
    if (rsv) out.push({ key: a.key, message: `${a.key}: ${a.label} ${range(a)} overlaps ${rsv.label} ${range(rsv)} of the board DTB`, fix: 'move the range out of the board\'s reserved memory' });
  }
  return out;
}

/** The Kconfig options the memory keys need, and what the Xen that runs does without them. */
export function staticBuildWarnings(config: Config, build: XenBuild): StaticProblem[] {
  const out: StaticProblem[] = [];
  const release = build.release.text;
  const du = config.domUs.find((d) => d.boot && d.staticMem);
  if (du && !isEnabled(build, 'STATIC_MEMORY')) {
    const dm = du.staticMem!.directMap;
    out.push({
      key: `DOMU_STATIC_MEM[${du.index}]`,
      message: `DOMU_STATIC_MEM[${du.index}] needs a Xen built with CONFIG_STATIC_MEMORY, which this Xen ${release} build lacks: ${build.rejectsStaticMemAtParse
        ? `it prints "CONFIG_STATIC_MEMORY must be enabled for parsing xen,static-mem" and ${build.release.minor >= 19 ? 'panics "Early FDT parsing failed (-22)" before its console is up' : 'stops reading the device tree there'}`
        : dm
        ? `with direct-map (DOMU_DIRECT_MAP[${du.index}], default 1) it panics "direct-map is not valid for domain domU${du.index} without static allocation."`
        : 'it gives the domain no memory, so building it fails ("Device tree generation failed (-2).")'}`,
      fix: 'boot a Xen built with CONFIG_STATIC_MEMORY=y (it needs CONFIG_UNSUPPORTED), or use DOMU_MEM without DOMU_STATIC_MEM',
    });
  }
  const sh = config.domUs.find((d) => d.boot && d.sharedMem);
  if (sh) {
    if (!isEnabled(build, 'STATIC_SHM')) {
      out.push({
        key: `DOMU_SHARED_MEM[${sh.index}]`,
        message: `DOMU_SHARED_MEM[${sh.index}] needs a Xen built with CONFIG_STATIC_SHM, which this Xen ${release} build lacks: it prints "CONFIG_STATIC_SHM must be enabled for parsing static shared memory nodes" and ${build.release.minor >= 19
          ? 'panics "Early FDT parsing failed (-22)" before its console is up'
          : 'stops reading the device tree there, so the nodes after it (later domains\' modules) are not registered'}`,
        fix: 'boot a Xen built with CONFIG_STATIC_SHM=y (it needs CONFIG_STATIC_MEMORY), or drop DOMU_SHARED_MEM',
      });
    } else if (sh.sharedMem!.hostAddr === undefined && build.release.minor < 19) {
      out.push({
        key: `DOMU_SHARED_MEM[${sh.index}]`,
        message: `DOMU_SHARED_MEM[${sh.index}] has no host address; Xen ${release} needs one ("fdt: host physical address must be chosen by users at the moment.") and stops reading the device tree there (4.19 and later pick the range themselves)`,
        fix: 'give the host address: "ID HOST_ADDR GUEST_ADDR SIZE"',
      });
    }
  }
  return out;
}

/**
 * With XEN_STATIC_HEAP Xen's heap is the heap banks and nothing else (populate_boot_allocator()):
 * every P2M pool, every domU's memory that is not static, and dom0's all come from them. A heap
 * smaller than that cannot build the domains ("Failed to allocate requested domain memory").
 */
export function staticHeapShortfall(config: Config, dom0MemBytes: number | undefined): StaticProblem[] {
  const heap = config.staticHeap;
  if (!heap) return [];
  const total = heap.reduce((s, b) => s + b.size, 0);
  const MiB = 2 ** 20;
  // domain_p2m_pages(): 1 MiB per vCPU + 4 KiB per MiB of memory + 512 KiB, rounded up to MiB.
  const p2m = (memMiB: number, vcpus: number): number => Math.ceil((4 * (256 * vcpus + memMiB + 128)) / 1024) * MiB;
  let need = 0;
  for (const du of config.domUs) {
    if (!du.boot) continue;
    need += p2m(du.memMB, du.vcpus) + (du.staticMem ? 0 : du.memMB * MiB);
  }
  if (config.dom0 && dom0MemBytes !== undefined) need += dom0MemBytes;
  if (need <= total) return [];
  return [{
    key: 'XEN_STATIC_HEAP',
    message: `XEN_STATIC_HEAP holds ${total / MiB} MiB, but the domains need ${need / MiB} MiB from Xen's heap (their memory that is not static, ${config.dom0 && dom0MemBytes !== undefined ? 'dom0_mem, ' : ''}and each domain's P2M pool), and with a static heap Xen takes nothing from the rest of RAM`,
    fix: 'make the static heap banks larger, or give the domains less memory',
  }];
}
