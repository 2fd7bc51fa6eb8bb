// The FIT of a planned boot, laid out as ImageBuilder's create_its_file() lays it out: host_fdt,
// host_kernel (Xen), dom0's ramdisk and kernel, each domU's kernel, ramdisk and DTB, then the script as
// boot_scr. Image names are the loads' ids, so the script's `imxtract $fit_addr <id> <addr>` find them.
// Files shared by several domains (uboot-gen's default) are one image, loaded once.
import * as fs from 'node:fs';
import { PlanError, UbootGenError } from '../errors.js';
import type { BootPlan, PlannedLoad } from '../plan/types.js';
import type { FitHashAlgo, FitImage, FitSpec } from './types.js';

// domUs' files follow in load order; the overlays, then the bitstream come last (before boot_scr),
// as in create_its_file().
// Linux-only mode: host_fdt, host_kernel, host_ramdisk (create_its_file() with os=linux).
const ORDER: readonly string[] = ['dtb', 'xen', 'linux', 'linux-ramdisk', 'dom0-ramdisk', 'xen-policy', 'dom0-kernel'];
const LAST: readonly string[] = ['dt-overlay', 'bitstream'];

function describe(load: PlannedLoad, os: 'xen' | 'linux'): Pick<FitImage, 'description' | 'type' | 'os' | 'compatible'> {
  const domU = /^domU(\d+)_/.exec(load.id);
  switch (load.role) {
    case 'dtb': return { description: `${os} fdt`, type: 'flat_dt' };
    case 'linux': return { description: 'linux kernel', type: 'kernel', os: 'linux' };
    case 'linux-ramdisk': return { description: 'host ramdisk', type: 'ramdisk', os: 'linux' };
    case 'xen': return { description: 'xen kernel', type: 'kernel', os: 'linux' };
    case 'dom0-ramdisk': return { description: 'dom0 ramdisk', type: 'ramdisk', os: 'linux' };
    case 'dom0-kernel': return { description: 'dom0 linux kernel binary', type: 'kernel', os: 'linux' };
    case 'domU-kernel': return { description: `domU${domU?.[1]} kernel binary`, type: 'kernel', os: 'linux' };
    case 'domU-ramdisk': return { description: `domU${domU?.[1]} ramdisk`, type: 'ramdisk', os: 'linux' };
    case 'domU-dtb': return { description: `domU${domU?.[1]} fdt`, type: 'flat_dt' };
    case 'dt-overlay': return { description: `xen fdt overlay ${/^host_fdto(\d+)$/.exec(load.id)?.[1] ?? ''}`, type: 'flat_dt' };
    case 'xen-policy': return { description: 'xen policy', type: 'kernel' };
    case 'bitstream': return { description: 'FPGA bit stream', type: 'fpga', compatible: 'u-boot,fpga-legacy' };
  }
}

function readLoad(plan: BootPlan, load: PlannedLoad): Uint8Array {
  // A passthrough DTB compiled for this run is not on disk before the outputs are committed.
  const made = plan.generated?.find((g) => g.absPath === load.absPath);
  if (made) return made.bytes;
  try {
    return new Uint8Array(fs.readFileSync(load.absPath));
  } catch (e) {
    throw new UbootGenError('IMAGE_NOT_FOUND', `cannot read ${load.file} for the FIT (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      { file: load.absPath }, { file: load.absPath, key: load.keys[0] ?? '' });
  }
}

/** The FIT for `plan`, whose script text is `source`. */
export function fitSpecFromPlan(plan: BootPlan, source: string, opts: { hashAlgo?: FitHashAlgo } = {}): FitSpec {
  const fit = plan.config.fit;
  if (!fit) throw new UbootGenError('INTERNAL', 'fitSpecFromPlan() called without FIT mode');
  if (plan.bootCmd === 'bootm') {
    throw new PlanError('PLAN_FIT_BOOTM', 'BOOT_CMD=bootm with FIT is not supported: bootm would need Xen wrapped as a uImage inside the FIT',
      { }, { ...plan.config.positions['BOOT_CMD'], key: 'BOOT_CMD' }, 'use BOOT_CMD=booti (the default) with FIT, or drop FIT');
  }
  const rank = (l: PlannedLoad): number => {
    const i = ORDER.indexOf(l.role);
    return i >= 0 ? i : LAST.includes(l.role) ? ORDER.length + 1 + LAST.indexOf(l.role) : ORDER.length;
  };
  const loads = plan.loads.map((l, i) => ({ l, i })).sort((a, b) => rank(a.l) - rank(b.l) || a.i - b.i).map((x) => x.l);
  const images: FitImage[] = loads.map((l) => ({
    name: l.id, path: l.file, data: readLoad(plan, l), arch: 'arm64', load: l.addr,
    ...(l.role === 'xen' || l.role === 'linux' ? { entry: l.addr } : {}),
    ...describe(l, plan.linux ? 'linux' : 'xen'),
  }));
  images.push({
    name: 'boot_scr', description: "imagebuilder's boot script", path: plan.config.ubootSource.value, data: new TextEncoder().encode(source),
    type: 'script', load: plan.scriptAddr, entry: plan.scriptAddr,
  });
  // ImageBuilder lists dom0's kernel before its ramdisk here, though the images hold them the other way round.
  const loadRank = (l: PlannedLoad): number => (l.role === 'dom0-kernel' ? 0 : l.role === 'dom0-ramdisk' ? 1 : 2);
  const hostRoles: readonly string[] = ['dtb', 'xen', 'linux', 'linux-ramdisk', 'bitstream', 'xen-policy'];
  const loadables = loads.filter((l) => !hostRoles.includes(l.role))
    .map((l, i) => ({ l, i })).sort((a, b) => loadRank(a.l) - loadRank(b.l) || a.i - b.i).map((x) => x.l.id);
  const kernel = loads.find((l) => l.role === 'xen' || l.role === 'linux');
  const ramdisk = loads.find((l) => l.role === 'linux-ramdisk');
  const dtb = loads.find((l) => l.role === 'dtb');
  const bitstream = loads.find((l) => l.role === 'bitstream');
  if (!kernel || !dtb) throw new UbootGenError('INTERNAL', 'a Xen plan without Xen or its DTB');
  return {
    images,
    configuration: {
      description: `Imagebuilder ${plan.linux ? 'linux' : 'xen'}`, kernel: kernel.id, fdt: [dtb.id], ...(ramdisk ? { ramdisk: ramdisk.id } : {}),
      ...(bitstream ? { fpga: bitstream.id } : {}), ...(loadables.length ? { loadables } : {}),
    },
    ...(opts.hashAlgo ? { hashAlgo: opts.hashAlgo } : {}),
    ...(fit.signing ? { signing: { keyHint: fit.signing.keyHint, algo: 'sha1,rsa2048' as const } } : {}),
  };
}
