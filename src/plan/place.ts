// Stage 2 of the planner, place: every collected file gets its address, ImageBuilder's bump
// allocation made exact (allocate.ts), around the regions the board, U-Boot and Xen keep.
// The board DTB is placed last, by the DTB stage (dtb.ts), once its growth is known.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SZ_2M, alignUp } from '../util/align.js';
import type { ImageInfo } from '../images/probe-file.js';
import { IH_ARCH_ARM, IH_ARCH_ARM64, IH_COMP_NONE, IH_OS_LINUX, IH_TYPE_KERNEL, UIMAGE_HEADER_SIZE, writeUImage } from '../images/uimage.js';
import { ARM64_FLAG_PHYS_BASE } from '../images/arm64-image.js';
import { placeNext } from './allocate.js';
import type { Collected } from './collect.js';
import { scriptPath } from './files.js';
import type { LinuxPlan, LoadRole, PlannedDomain, PlannedLoad, Region, XenPlan } from './types.js';
import { staticAvoid, staticRegions } from './static-mem.js';

// Debian 2023.01 qemu_arm64 with 2 GiB reserves [0xBDDB2000, 0xC0000000) = 34.3 MiB (bdinfo in
// test/fixtures/transcripts/uboot-bdinfo.log); rounded up to 2 MiB.
export const DEFAULT_UBOOT_RESERVE = 0x2400000;
/** ImageBuilder keeps binaries above 12 MiB ("avoid clashes with Xen 1:1 map"). */
export const LOW_FLOOR = 0xc00000;
/** ImageBuilder's slot for boot.scr: MEMORY_START + 2 MiB, 2 MiB long; the first binary follows it. */
export const SCRIPT_SLOT = SZ_2M;

export interface Placed {
  /** RAM banks assumed (from the DTB's /memory, else MEMORY_START..END). */
  ram: Region[];
  /** Regions no load may touch. */
  avoid: Region[];
  scriptAddr: number;
  /** Loads in script order, without the DTB. */
  loads: PlannedLoad[];
  /** Next free address: the DTB goes here or later. */
  cursor: number;
  xen: XenPlan;
  /** Where booti moves a Xen whose header lacks "place anywhere", if it does. */
  xenFixedRun?: number;
  domains: PlannedDomain[];
  /** Linux-only mode: the kernel (Xen's slot) and LINUX_RAMDISK. */
  linux?: LinuxPlan;
}

/**
 * One load at the next free slot from `cursor`: 2 MiB aligned, past every avoided region. With
 * `runtime` (-s) the slot is where U-Boot's own arithmetic puts it: exactly `cursor`, the next
 * file starting at the 2 MiB boundary after this one's `${filesize}` bytes, and `reg` holding
 * `${filesize}`; whether that leaves room for the footprint is checked afterwards (checks.ts).
 */
export function placeLoad(dir: string, cursor: number, avoid: readonly Region[], l: {
  id: string; role: LoadRole; keys: string[]; abs: string; loadCmd: string; info: ImageInfo; footprint: number;
}, runtime = false): PlannedLoad {
  const p = runtime ? { addr: cursor, skipped: [] } : placeNext(cursor, l.footprint, avoid);
  const regSize = runtime ? l.info.transferSize : l.footprint;
  // A domain's kernel or ramdisk is copied out by Xen, so in place it is only its bytes; Xen and the
  // DTB are used where they lie. (Without -s the planner keeps ImageBuilder's reg = footprint.)
  const footprint = runtime && l.role !== 'xen' && l.role !== 'linux' && l.role !== 'dtb' ? l.info.transferSize : l.footprint;
  return {
    id: l.id, role: l.role, keys: l.keys, file: scriptPath(dir, l.abs), absPath: l.abs, loadCmd: l.loadCmd, addr: p.addr,
    transferSize: l.info.transferSize, footprint, regSize,
    reservedEnd: alignUp(p.addr + (runtime ? l.info.transferSize : l.footprint), SZ_2M), format: l.info.format,
    ...(l.info.inner ? { inner: l.info.inner } : {}),
    ...(p.skipped.length ? { note: `moved past ${[...new Set(p.skipped.map((r) => r.label))].join(', ')}` } : {}),
  };
}

export function place(c: Collected, opts: { ubootReserve?: number; timestamp?: number }): Placed {
  const { config, dir } = c;
  const board = c.dtb.board;
  const ubootReserve = opts.ubootReserve ?? DEFAULT_UBOOT_RESERVE;
  const ram: Region[] = board.memory.length
    ? board.memory.map((m) => ({ ...m, label: 'RAM' }))
    : [{ start: config.memoryStart, end: config.memoryEnd, label: 'RAM (MEMORY_START..MEMORY_END)' }];
  const topBank = ram.find((b) => config.memoryEnd > b.start && config.memoryEnd <= b.end) ?? ram[ram.length - 1]!;
  // A known board's U-Boot relocates to the top of its first bank (below 4 GiB), not of the last.
  const ubootArea: Region = board.ubootWindow
    ?? { start: Math.max(topBank.start, topBank.end - ubootReserve), end: topBank.end, label: 'U-Boot (relocated code, stack, heap)' };
  // Between two banks there is no RAM: a load that does not fit below the gap goes to the next bank.
  const gaps: Region[] = ram.slice(1).flatMap((b, i) => (b.start > ram[i]!.end
    ? [{ start: ram[i]!.end, end: b.start, label: `no RAM (0x${ram[i]!.end.toString(16)}..0x${b.start.toString(16)}, between banks)` }] : []));
  // Static memory, the static heap and shared regions are Xen's or a domain's from boot on.
  const avoid: Region[] = [...board.reserved, ubootArea, ...gaps, ...staticAvoid(staticRegions(config))];

  const scriptAddr = Math.max(config.memoryStart + SZ_2M, LOW_FLOOR);
  avoid.push({ start: scriptAddr, end: scriptAddr + SCRIPT_SLOT, label: 'boot.scr' });
  let cursor = scriptAddr + SCRIPT_SLOT;

  // Xen without "place anywhere" (arm64 flags bit 3) is moved by booti to the start of RAM.
  const xenInfo = c.xen.info;
  const ramBase = ram[0]!.start;
  let xenFixedRun: number | undefined;
  if (config.bootCmd === 'booti' && xenInfo.arm64 && (xenInfo.arm64.flags & ARM64_FLAG_PHYS_BASE) === 0) {
    xenFixedRun = alignUp(ramBase, SZ_2M) + xenInfo.arm64.textOffset;
    avoid.push({ start: xenFixedRun, end: xenFixedRun + xenInfo.arm64.imageSize, label: `${config.linux ? 'Linux' : 'Xen'} after booti relocation (image flags lack "place anywhere")` });
  }

  const loads: PlannedLoad[] = [];
  const put = (l: Parameters<typeof placeLoad>[3]): PlannedLoad => {
    const load = placeLoad(dir, cursor, avoid, l, config.runtimeSizing);
    cursor = load.reservedEnd;
    loads.push(load);
    return load;
  };
  const byId = new Map<string, PlannedLoad>();
  const shared = new Map<string, PlannedLoad>();
  for (const f of c.files) {
    const prev = f.shareKey !== undefined ? shared.get(f.shareKey) : undefined;
    if (prev) {
      prev.keys.push(f.ref.key);
      byId.set(f.id, prev);
      continue;
    }
    const load = put({ id: f.id, role: f.role, keys: [f.ref.key], abs: f.abs, loadCmd: f.loadCmd, info: f.info, footprint: f.info.footprint });
    if (f.shareKey !== undefined) shared.set(f.shareKey, load);
    byId.set(f.id, load);
  }

  // --- Xen ---
  const imageSize = xenInfo.arm64?.imageSize ?? xenInfo.zimage?.size ?? xenInfo.fileSize;
  let xenLoad: PlannedLoad;
  let uimage: XenPlan['uimage'];
  if (config.bootCmd === 'bootm') {
    // Wrap Xen as a legacy kernel uImage whose load = entry = its own slot, as ImageBuilder's
    // mkimage call does; bootm copies the payload 64 bytes down onto the slot. It is an output,
    // so it goes beside boot.scr (ImageBuilder writes it next to XEN, which may be outside -d).
    const ubAbs = path.join(path.dirname(path.resolve(dir, config.ubootScript.value)), `${path.basename(c.xen.abs)}.ub`);
    const footprint = Math.max(xenInfo.fileSize + UIMAGE_HEADER_SIZE, imageSize);
    const p = placeNext(cursor, footprint, avoid);
    const bytes = writeUImage({
      os: IH_OS_LINUX, arch: xenInfo.arm64 ? IH_ARCH_ARM64 : IH_ARCH_ARM, type: IH_TYPE_KERNEL, comp: IH_COMP_NONE,
      load: p.addr, ep: p.addr, name: '', time: opts.timestamp ?? 0,
    }, fs.readFileSync(c.xen.abs));
    uimage = { file: scriptPath(dir, ubAbs), absPath: ubAbs, bytes };
    xenLoad = put({ id: 'host_kernel', role: 'xen', keys: ['XEN'], abs: ubAbs, loadCmd: config.xenLoad,
      info: { ...xenInfo, format: 'uimage', transferSize: bytes.length, inner: xenInfo.format }, footprint });
  } else {
    // Linux-only mode: LINUX takes Xen's place and name (linux_file_loading()); it runs where it lies,
    // BSS included, so its slot is its footprint.
    xenLoad = put({ id: 'host_kernel', role: config.linux ? 'linux' : 'xen', keys: [c.xen.ref.key], abs: c.xen.abs, loadCmd: config.xenLoad, info: xenInfo,
      footprint: Math.max(xenInfo.footprint, imageSize) });
  }
  // LINUX_RAMDISK: right after the kernel. Linux reads it where U-Boot leaves it (fdt_high/initrd_high).
  const lr = c.linuxRamdisk;
  const linuxRamdisk = lr ? put({ id: 'host_ramdisk', role: 'linux-ramdisk', keys: [lr.ref.key], abs: lr.abs, loadCmd: config.xenLoad, info: lr.info, footprint: lr.info.transferSize }) : undefined;
  const linux: LinuxPlan | undefined = config.linux ? { kernel: xenLoad, ...(linuxRamdisk ? { ramdisk: linuxRamdisk } : {}), cmd: config.linux.cmd } : undefined;
  // XEN_POLICY: right after Xen, as ImageBuilder loads it.
  const pol = c.xenPolicy;
  if (pol) put({ id: 'xen_policy', role: 'xen-policy', keys: ['XEN_POLICY'], abs: pol.abs, loadCmd: config.xenLoad, info: pol.info, footprint: pol.info.footprint });

  // --- DT overlays: after Xen, before the DTB, each applied to it by the script ---
  c.dtOverlays.forEach((o, i) => put({
    id: `host_fdto${i}`, role: 'dt-overlay', keys: [o.ref.key], abs: o.abs, loadCmd: config.loadCmd ?? config.xenLoad, info: o.info, footprint: o.info.transferSize,
  }));

  let runAddr = xenLoad.addr;
  if (config.bootCmd === 'booti' && xenInfo.arm64) {
    runAddr = (xenInfo.arm64.flags & ARM64_FLAG_PHYS_BASE) !== 0
      ? alignUp(xenLoad.addr - xenInfo.arm64.textOffset, SZ_2M) + xenInfo.arm64.textOffset
      : alignUp(ramBase, SZ_2M) + xenInfo.arm64.textOffset;
  }

  // --- domains ---
  const domains: PlannedDomain[] = [];
  if (config.dom0) {
    const rd = byId.get('dom0_ramdisk');
    domains.push({ name: 'dom0', kind: 'dom0', kernel: byId.get('dom0_linux')!, cmd: config.dom0.cmd, ...(rd ? { ramdisk: rd } : {}) });
  }
  for (const du of config.domUs) {
    if (!du.boot) continue;
    const rd = byId.get(`domU${du.index}_ramdisk`);
    const dt = byId.get(`domU${du.index}_fdt`);
    domains.push({
      name: `domU${du.index}`, kind: 'domU', index: du.index, kernel: byId.get(`domU${du.index}_kernel`)!,
      memMB: du.memMB, vcpus: du.vcpus, cmd: du.cmd, ...(rd ? { ramdisk: rd } : {}), ...(dt ? { passthroughDtb: dt } : {}),
      ...(Object.keys(du.props).length ? { props: { ...du.props } } : {}),
    });
  }
  return {
    ram, avoid, scriptAddr, loads, cursor, domains,
    xen: { load: xenLoad, runAddr, imageSize, ...(uimage ? { uimage } : {}) },
    ...(xenFixedRun !== undefined ? { xenFixedRun } : {}),
    ...(linux ? { linux } : {}),
  };
}
