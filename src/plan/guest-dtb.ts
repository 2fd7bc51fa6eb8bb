// The device tree Xen writes for each domU must fit the buffer of the target release
// (DOMU_DTB_SIZE: 4 KiB in 4.17, 4 KiB + the passthrough DTB in 4.18–4.21). Past it, Xen prints
// "Device tree generation failed (-3)." and panics, so a plan that cannot fit is refused,
// with the same layout the simulator uses (src/xen-build/guest-dtb.ts). The checks table runs it.
import type { DomUConfig } from '../config/types.js';
import { nodeCheckCompatible, pathOffset, properties, subnodes, walkNodes } from '../fdt/ro.js';
import {
  domUDtbItems, domUDtbLimit, fdtSwOverflowIndex, fdtSwTotalsize, GUEST_RAM0_BASE, GUEST_RAM0_SIZE, GUEST_RAM1_BASE, GUEST_RAM1_SIZE, type GuestDtbItem, type XenBuild,
} from '../xen-build/index.js';

/** What the guest device tree copies from the host's: the first CPU's compatible, clocks, the GIC kind. */
export interface HostDtFacts { cpuCompatibleLen: number; cpuClock: boolean; timerClock: boolean; gicV3: boolean }

export function hostDtFacts(fdt: Uint8Array): HostDtFacts {
  const facts: HostDtFacts = { cpuCompatibleLen: 0, cpuClock: false, timerClock: false, gicV3: false };
  const cpus = pathOffset(fdt, '/cpus');
  if (typeof cpus === 'number' && cpus >= 0) {
    for (const cpu of subnodes(fdt, cpus)) {
      const props = new Map([...properties(fdt, cpu)].map((p) => [p.name, p.value]));
      if (Buffer.from(props.get('device_type') ?? []).toString('latin1') !== 'cpu\0') continue;
      facts.cpuCompatibleLen = props.get('compatible')?.length ?? 0;
      facts.cpuClock = (props.get('clock-frequency')?.length ?? 0) >= 4;
      break;
    }
  }
  walkNodes(fdt, (node) => {
    if (nodeCheckCompatible(fdt, node, 'arm,armv8-timer') === 0 || nodeCheckCompatible(fdt, node, 'arm,armv7-timer') === 0) {
      for (const p of properties(fdt, node)) if (p.name === 'clock-frequency' && p.value.length >= 4) facts.timerClock = true;
    }
    if (nodeCheckCompatible(fdt, node, 'arm,gic-v3') === 0) facts.gicV3 = true;
  });
  return facts;
}

const SZ_2M = 2 * 1024 * 1024;
const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

/** Guest device tree bytes for one domU, passthrough nodes not counted (so a lower bound when there are some). */
export function domUDtbSize(du: DomUConfig, host: HostDtFacts, minor: number, vcpus = du.vcpus): number {
  return fdtSwTotalsize(domUDtbItemsOf(du, host, minor, vcpus));
}

function domUDtbItemsOf(du: DomUConfig, host: HostDtFacts, minor: number, vcpus: number): GuestDtbItem[] {
  const memBytes = du.memMB * 1024 * 1024;
  const banks = memBytes > GUEST_RAM0_SIZE ? 2 : 1;
  const enhanced = du.enhanced !== undefined;
  let extRegions = 0;
  if (enhanced) {
    const sizes = [Math.min(memBytes, GUEST_RAM0_SIZE), Math.max(0, memBytes - GUEST_RAM0_SIZE)];
    for (const [i, [base, max]] of ([[GUEST_RAM0_BASE, GUEST_RAM0_SIZE], [GUEST_RAM1_BASE, GUEST_RAM1_SIZE]] as const).entries()) {
      if (base + max - alignUp(base + sizes[i]!, SZ_2M) >= 64 * 1024 * 1024) extRegions++;
    }
  }
  return domUDtbItems({
    minor, vcpus, ...(du.cmd ? { bootargs: du.cmd } : {}), hasKernel: true, ...host, rdistRegions: 1, memoryBanks: banks,
    vpl011: du.vpl011, enhanced, hypervisorCompatLen: `xen,xen-4.${minor}`.length + 1 + 'xen,xen'.length + 1, extRegions, passthrough: [],
  });
}

/** A domU whose guest device tree cannot fit the target Xen's buffer: the sizes and the most vCPUs that fit. */
export interface DomUDtbOverflow { size: number; limit: number; fitsVcpus: number; message: string; fix: string }

export function domUDtbOverflow(du: DomUConfig, host: HostDtFacts, build: XenBuild, passthroughDtbSize: number): DomUDtbOverflow | undefined {
  const minor = build.release.minor;
  const limit = domUDtbLimit(minor, passthroughDtbSize);
  const size = domUDtbSize(du, host, minor);
  if (size <= limit) return undefined;
  // 4.21+ writes psci and vpl011 last (make_arch_nodes()), which reports any error as -EINVAL.
  const items = domUDtbItemsOf(du, host, minor, du.vcpus);
  const full = fdtSwOverflowIndex(items, limit);
  const psciAt = items.findIndex((it) => 'node' in it && it.node === 'psci');
  const rc = minor >= 21 && psciAt >= 0 && full >= psciAt && full < items.length - 1 ? -22 : -3;
  let fitsVcpus = du.vcpus - 1;
  while (fitsVcpus > 0 && domUDtbSize(du, host, minor, fitsVcpus) > limit) fitsVcpus--;
  return {
    size, limit, fitsVcpus,
    message: `domU${du.index}: the device tree Xen ${build.release.text} writes for it needs ${size} bytes (${du.vcpus} vCPUs), more than its ${limit}-byte buffer (DOMU_DTB_SIZE${minor >= 18 && passthroughDtbSize ? ' + the passthrough DTB' : ''}); Xen would print "Device tree generation failed (${rc})." and panic`,
    fix: fitsVcpus > 0 ? `give domU${du.index} at most ${fitsVcpus} vCPUs${du.cmd ? ' (or a shorter DOMU_CMD)' : ''}` : 'shorten DOMU_CMD',
  };
}
