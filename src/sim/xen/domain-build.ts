// Building dom0 and the dom0less domUs.
// Models xen/arch/arm/domain_build.c as of 4.17: create_dom0()/construct_dom0(),
// create_domUs()/construct_domU(), kernel_probe()'s module lookup (kernel.c), allocate_memory(),
// allocate_bank_memory(), allocate_memory_11(), place_modules() (kernel.c), kernel_zimage_load(),
// initrd_load(), dtb_load(), prepare_dtb_domU()/domain_handle_dtb_bootmodule()/scan_pfdt_node()/
// handle_prop_pfdt()/handle_passthrough_prop()/check_partial_fdt(); HEAD names in dom0less-build.c.
import { checkHeader } from '../../fdt/header.js';
import { readDtNumber } from '../handoff.js';
import { alignUp, SZ_1M, SZ_2M } from '../../util/align.js';
import type { BootModule } from './bootinfo.js';
import type { XenCmdline } from './cmdline.js';
import { paddr, paddrAlt } from './console.js';
import { baseName, childCells, findNodeByPath, isCompatible, propString, propU32, unflattenDeviceTree, type DtNode } from './device-tree.js';
import {
  domUDtbItems, fdtSwOverflowIndex, fdtSwTotalsize, GUEST_RAM0_BASE, GUEST_RAM0_SIZE, GUEST_RAM1_BASE, GUEST_RAM1_SIZE, partialDtItems,
} from './guest-dtb.js';
import { allocationOrder, orderFromBytes, PAGE_SIZE, XenHeap } from './heap.js';
import { EINVAL, ENOENT, ENOMEM, probeKernelModule, type KernelInfo, type ProbeCtx } from './kernel.js';
import type { DomainVerdict } from './verdict.js';
import { panicHasRc } from './version.js';
import { CAPS_SINCE, DOMAIN_CAPS_BITS, domUDtbLimit, FDT_ERR_NOSPACE, hardwareDomainRefusal, readsDomainP2mMemMb, staticMemoryAssertSite, TRAP_UNMAP_MAX, TRAP_UNMAP_PANIC, XENSTORE_MISSING_PANIC, XENSTORE_NEEDS_DOM0_PANIC, xenstoreTwicePanic } from '../../xen-build/facts.js';
import { isEnabled } from '../../xen-build/build.js';
import { readDomainCreateConfig } from './domain-config.js';
import { allocateStaticMemory, processShm } from './static-mem.js';
import { domainCaps, domainColours, domainPool, insertVcpus, vcpuAffinity, type CpupoolCtx, type CpupoolState } from './cpupools.js';
import { defaultP2mPoolBytes, kernelLoadAddr, largestDomUMemMiB, placeModules as placeModulesInBank } from '../../xen-build/guest-memory.js';

/** MAX_VIRT_CPUS on arm64. */
export const MAX_VIRT_CPUS = 128;
/** vGICv2 supports 8 vCPUs; vGICv3 is bounded by MAX_VIRT_CPUS here. */
export const VGIC_V2_MAX_VCPUS = 8;

export interface HostInfo {
  gicV3: boolean;
  iommu: boolean;
  pcpus: number;
  cpuCompatibleLen: number;
  cpuClock: boolean;
  timerClock: boolean;
  hostFdtSize: number;
}

export interface BuildCtx extends ProbeCtx {
  readonly root: DtNode;
  readonly host: HostInfo;
  readonly cmdline: XenCmdline;
  readonly findings: string[];
  /** Set once dom0 exists (hardware_domain). */
  hardwareDomain: boolean;
  /** Domain being built, for attributing a panic. */
  current?: DomainVerdict;
  /** Per-domain facts the post-boot guest checks need. */
  readonly built: Map<DomainVerdict, BuiltDomain>;
  /** Boot-time cpupools and the hardware domain so far (cpupools.ts). */
  cpu?: { ctx: CpupoolCtx; state: CpupoolState; hardware: { name?: string }; neverRuns: Set<DomainVerdict> };
  /**
   * Xenstore bookkeeping of 4.21+: the domains that want it (need_xenstore), those Xen gives a
   * xenstore page (DOM0LESS_XENSTORE), and the xenstore domain's id once set (xs_domid).
   */
  readonly xenstore: { wanted: DomainVerdict[]; pages: Set<DomainVerdict>; domid?: number };
}

export interface BuiltDomain {
  kernelMod: BootModule;
  kinfo: KernelInfo;
  /** The domain has a ramdisk node / dom0 ramdisk, and whether Xen found it. */
  ramdiskWanted: boolean;
  ramdiskMod?: BootModule;
  cmdline?: string;
  /** What is missing from the guest device tree Xen wrote (4.17 passthrough errors it ignored); the guest still boots. */
  dtFindings: string[];
  /** A xenstore-enhanced domU with a dom0 to run the console daemon its PV console (hvc0) needs. */
  pvConsole?: boolean;
}

/** The generic "could not set up" panic, by version. */
function setupPanic(ctx: BuildCtx, name: string, rc: number): never {
  return ctx.console.panic(panicHasRc(ctx.version) ? `Could not set up domain ${name} (rc = ${rc})\n` : `Could not set up domain ${name}\n`);
}

/** p2m pool size when xen,domain-p2m-mem-mb is absent: domain_p2m_pages() / dom0_paging_pages(). */
export { defaultP2mPoolBytes };

/**
 * Bytes the domUs built after `after` (all of them for dom0) will take from the heap: their P2M
 * pool and memory. A fix that gives one domain all that is left would only move the failure on.
 */
function laterDomUsBytes(ctx: BuildCtx, after?: DtNode): number {
  const chosen = ctx.root.children.find((c) => c.name === 'chosen');
  const domUs = (chosen?.children ?? []).filter((c) => isCompatible(c, 'xen,domain'));
  const from = after ? domUs.indexOf(after) + 1 : 0;
  let total = 0;
  for (const n of domUs.slice(from)) {
    const mem = n.props.get('memory');
    if (!mem || mem.length < 8) continue;
    const memKiB = readDtNumber(mem.subarray(0, 8), 2);
    const poolMb = readsDomainP2mMemMb(ctx.version.minor) ? propU32(n, 'xen,domain-p2m-mem-mb') : undefined;
    total += memKiB * 1024 + (poolMb !== undefined ? poolMb * SZ_1M : defaultP2mPoolBytes(memKiB, propU32(n, 'cpus') ?? 1));
  }
  return total;
}

/** Result of kernel_probe()'s lookup + probes. */
interface Probed { rc: number; mod?: BootModule; initrd?: BootModule; dtb?: BootModule; kinfo?: KernelInfo; cmdline?: string; ramdiskWanted: boolean; why?: string }

/**
 * kernel_probe(): find the kernel (dom0: first non-domU kernel; domU: by (kind, reg start) of the
 * domain's multiboot,kernel child), print the two "Loading ..." lines, run the probes.
 */
export function kernelProbe(ctx: BuildCtx, domid: number, domain?: DtNode): Probed {
  const { bi, console } = ctx;
  let mod: BootModule | undefined;
  let initrd: BootModule | undefined;
  let dtb: BootModule | undefined;
  let cmdline: string | undefined;
  let ramdiskWanted = false;
  if (!domain) {
    mod = bi.findByKind('kernel');
    initrd = bi.findByKind('ramdisk');
    ramdiskWanted = initrd !== undefined;
    cmdline = bi.cmdlineByKind('kernel')?.cmdline;
  } else {
    for (const child of domain.children) {
      const kind = isCompatible(child, 'multiboot,kernel') ? 'kernel' : isCompatible(child, 'multiboot,ramdisk') ? 'ramdisk'
        : isCompatible(child, 'multiboot,device-tree') ? 'guest-dtb' : undefined;
      if (!kind) continue;
      if (kind === 'ramdisk') ramdiskWanted = true;
      const reg = child.props.get('reg');
      const { ac, sc } = childCells(domain);
      if (!reg || reg.length < (ac + sc) * 4) continue;
      const addr = ac > 0 ? readDtNumber(reg, ac, 0) : 0;
      // Looked up by kind and start address only: the size in the node is not used here.
      const found = bi.findByAddrAndKind(kind, addr);
      if (kind === 'kernel') mod = found;
      else if (kind === 'ramdisk') initrd = found;
      else if (found) dtb = found;
    }
    cmdline = bi.cmdlineByName(baseName(domain))?.cmdline;
  }
  if (!mod || mod.size === 0) {
    console.printk('Missing kernel boot module?', 'err');
    return { rc: ENOENT, ramdiskWanted, why: 'Missing kernel boot module?' };
  }
  console.printk(`Loading d${domid} kernel from boot module @ ${paddr(mod.start)}`);
  if (initrd) console.printk(`Loading ramdisk from boot module @ ${paddr(initrd.start)}`);
  const probed = probeKernelModule(ctx, mod);
  if (probed.rc !== 0) return { rc: probed.rc, mod, ramdiskWanted, why: 'why' in probed ? probed.why : '' };
  return { rc: 0, mod, ramdiskWanted, ...(initrd ? { initrd } : {}), ...(dtb ? { dtb } : {}), ...('info' in probed ? { kinfo: probed.info } : {}), ...(cmdline !== undefined ? { cmdline } : {}) };
}

/** place_modules(): where the DTB and initrd go in guest bank 0. Panics like Xen when they do not fit. */
export function placeModules(ctx: BuildCtx, bank0: { start: number; size: number }, kernbase: number, kernend: number, initrdLen: number, dtbSize: number): { dtb: number; initrd: number } {
  const r = placeModulesInBank(bank0, kernbase, kernend, initrdLen, dtbSize);
  return 'panic' in r ? ctx.console.panic(`${r.panic}\n`) : r;
}

/** construct_domain(): kernel_load() → initrd_load() → dtb_load(), with their console lines. */
function constructDomain(ctx: BuildCtx, domid: number, kinfo: KernelInfo, bank0: { start: number; size: number }, initrd: BootModule | undefined, dtbSize: number, dv: DomainVerdict): void {
  const { console } = ctx;
  const loadAddr = kernelLoadAddr(kinfo, bank0);
  if ('panic' in placeModulesInBank(bank0, loadAddr, loadAddr + kinfo.len, initrd?.size ?? 0, dtbSize)) {
    dv.fault = {
      kind: 'modules-do-not-fit', memoryKiB: dv.memoryKiB ?? 0, initrdLen: initrd?.size ?? 0, dtbSize,
      kernel: { len: kinfo.len, textOffset: kinfo.textOffset, is64: kinfo.is64, zimageStart: kinfo.zimageStart },
    };
  }
  const placed = placeModules(ctx, bank0, loadAddr, loadAddr + kinfo.len, initrd?.size ?? 0, dtbSize);
  console.printk(`Loading zImage from ${paddr(kinfo.kernelAddr)} to ${paddr(loadAddr)}-${paddr(loadAddr + kinfo.len)}`);
  if (initrd && initrd.size > 0) {
    console.printk(`Loading d${domid} initrd from ${paddr(initrd.start)} to 0x${paddr(placed.initrd)}-0x${paddr(placed.initrd + initrd.size)}`);
  }
  console.printk(`Loading d${domid} DTB to 0x${paddr(placed.dtb)}-0x${paddr(placed.dtb + dtbSize)}`);
}

/** allocate_memory() + allocate_bank_memory() for a domU: guest banks GUEST_RAM0 (3 GiB) then GUEST_RAM1. */
export function allocateMemory(ctx: BuildCtx, domid: number, memBytes: number, onFail?: () => void): { start: number; size: number }[] {
  const { console, heap } = ctx;
  console.printk(`Allocating mappings totalling ${Math.floor(memBytes / SZ_1M)}MB for d${domid}:`, 'info');
  let unassigned = memBytes;
  const banks: { start: number; size: number }[] = [];
  for (const [base, max] of [[GUEST_RAM0_BASE, GUEST_RAM0_SIZE], [GUEST_RAM1_BASE, GUEST_RAM1_SIZE]] as const) {
    const size = Math.min(max, unassigned);
    if (size === 0) continue;
    if (heap.allocPages(size) > 0) {
      onFail?.();
      // The failing bank's size is still counted as unassigned (it is subtracted only on success).
      return console.panic(`Failed to allocate requested domain memory. ${Math.floor(unassigned / 1024)}KB unallocated. Fix the VMs configurations.\n`);
    }
    banks.push({ start: base, size });
    unassigned -= size;
  }
  for (const [i, b] of banks.entries()) console.printk(`d${domid} BANK[${i}] ${paddrAlt(b.start)}-${paddrAlt(b.start + b.size)} (${Math.floor(b.size / SZ_1M)}MB)`, 'info');
  return banks;
}

/**
 * The block allocation of allocate_memory_11(): bank 0 is the largest block found as low as
 * possible (below 4 GiB); the rest comes in blocks of decreasing order (not below 4 MiB).
 * Returns the blocks taken and the bytes left unassigned.
 */
function allocate11(heap: XenHeap, memBytes: number): { banks: { start: number; size: number }[]; unassigned: number } {
  const minLowOrder = orderFromBytes(Math.min(memBytes, 128 * SZ_1M));
  const minOrder = orderFromBytes(4 * SZ_1M);
  const banks: { start: number; size: number }[] = [];
  let unassigned = memBytes;
  let order = allocationOrder(unassigned);
  for (; order >= minLowOrder; order--) {
    const at = heap.allocBlock(order, 'low', 2 ** 32);
    if (at !== undefined) { banks.push({ start: at, size: PAGE_SIZE * 2 ** order }); unassigned -= PAGE_SIZE * 2 ** order; break; }
  }
  order = allocationOrder(Math.max(unassigned, 1));
  while (unassigned > 0 && order >= minOrder) {
    const at = heap.allocBlock(Math.min(order, allocationOrder(unassigned)), 'high');
    if (at === undefined) { order--; continue; }
    const size = PAGE_SIZE * 2 ** Math.min(order, allocationOrder(unassigned));
    banks.push({ start: at, size });
    unassigned -= size;
    order = allocationOrder(Math.max(unassigned, 1));
  }
  return { banks, unassigned };
}

/**
 * The most dom0 memory (whole MiB) whose P2M pool and 1:1 banks the heap `ranges` still give,
 * with `laterBytes` left for the domUs built after it, found by replaying the allocation on
 * copies of the heap, from the largest size down.
 */
export function largestDom0MemMiB(ranges: readonly { start: number; size: number }[], vcpus: number, laterBytes = 0): number {
  const fits = (mib: number): boolean => {
    const heap = new XenHeap(ranges);
    if (heap.allocPages(defaultP2mPoolBytes(mib * 1024, vcpus)) > 0) return false;
    if (allocate11(heap, mib * SZ_1M).unassigned > 0) return false;
    return laterBytes === 0 || heap.allocPages(laterBytes) === 0;
  };
  // Not monotonic: the 1:1 banks come in blocks of at least 4 MiB, so a size between two that fit may not.
  for (let mib = Math.floor(ranges.reduce((n, r) => n + r.size, 0) / SZ_1M); mib > 0; mib--) if (fits(mib)) return mib;
  return 0;
}

/**
 * allocate_memory_11(): dom0's RAM, mapped 1:1 (see allocate11()).
 * Block placement is an estimate (see heap.ts), the totals and the failure are not.
 */
export function allocateMemory11(ctx: BuildCtx, memBytes: number, onFail?: () => void): { start: number; size: number }[] {
  const { console, heap } = ctx;
  // 4.22 names the domain with %pd (RELEASE-4.22.0 xen/arch/arm/domain_build.c allocate_memory_11()).
  console.printk(`Allocating 1:1 mappings totalling ${Math.floor(memBytes / SZ_1M)}MB for ${ctx.version.minor >= 22 ? 'd0' : 'dom0'}:`);
  const { banks, unassigned } = allocate11(heap, memBytes);
  if (unassigned > 0) {
    onFail?.();
    return console.panic(`Failed to allocate requested dom0 memory. ${Math.floor(unassigned / SZ_1M)}MB unallocated\n`);
  }
  banks.sort((a, b) => a.start - b.start);
  const merged: { start: number; size: number }[] = [];
  for (const b of banks) {
    const last = merged[merged.length - 1];
    if (last && last.start + last.size === b.start) last.size += b.size; else merged.push({ ...b });
  }
  for (const [i, b] of merged.entries()) console.printk(`BANK[${i}] ${paddrAlt(b.start)}-${paddrAlt(b.start + b.size)} (${Math.floor(b.size / SZ_1M)}MB)`);
  ctx.console.estimates.push('dom0 1:1 bank addresses (BANK[...] lines and the addresses derived from them): the block real Xen picks inside a zone is not modelled');
  return merged;
}

/** check_partial_fdt() + domain_handle_dtb_bootmodule(): the passthrough partial device tree. */
function handleDtbBootmodule(ctx: BuildCtx, domid: number, dtb: BootModule, items: ReturnType<typeof partialDtItems>, dtFindings: string[]): number {
  const { ram } = ctx;
  const head = ram.read(dtb.start, 40);
  const dv = new DataView(head.buffer, head.byteOffset, 40);
  if (dtb.size < 40 || dv.getUint32(0, false) !== 0xd00dfeed) return EINVAL;
  const total = dv.getUint32(4, false);
  if (total > dtb.size) return EINVAL;
  const blob = ram.read(dtb.start, total);
  if (checkHeader(blob) !== 0) return EINVAL;
  const pfdt = unflattenDeviceTree(blob);
  // A failing passthrough child node is an error from 4.18.0 (commit f51c92383b); 4.17 ignores it.
  const propagate = ctx.version.minor >= 18;
  for (const top of pfdt.children) {
    if (top.name === 'gic') continue;
    if (top.name === 'aliases') { items.push(...partialDtItems(top, false)); continue; }
    if (top.name !== 'passthrough') continue;
    items.push(...partialDtItems(top, true));
    // scan_pfdt_node(): the /passthrough node itself, then its children; 4.17 ignores errors of the
    // children, leaving the failed node open in the guest device tree (real 4.17.7 with a xen,path
    // missing from the host DTB: the errors are printed and the guest boots without the device).
    const scan = (node: DtNode, ac: number, sc: number): number => {
      const rc = handlePropPfdt(ctx, domid, node, ac, sc);
      if (rc) return rc;
      const nac = propU32(node, '#address-cells', 2)!;
      const nsc = propU32(node, '#size-cells', 1)!;
      for (const c of node.children) {
        const crc = scan(c, nac, nsc);
        if (crc && propagate) return crc;
        if (crc) dtFindings.push(`passthrough node ${c.path} failed (rc ${crc}); Xen ${ctx.version.text} ignores the error, so the guest boots without that device`);
      }
      return 0;
    };
    const rc = scan(top, 2, 1);
    if (rc) return rc;
  }
  return 0;
}

/** handle_prop_pfdt() + handle_passthrough_prop() for one partial-DT node. */
function handlePropPfdt(ctx: BuildCtx, domid: number, node: DtNode, ac: number, sc: number): number {
  const { console } = ctx;
  const xenReg = node.props.get('xen,reg');
  const xenPath = node.props.get('xen,path');
  const force = node.props.has('xen,force-assign-without-iommu');
  if (xenReg && (xenPath || force)) {
    const rc = handlePassthroughProp(ctx, xenReg, xenPath ? propString(node, 'xen,path') : undefined, force, ac, sc);
    if (rc < 0) { console.printk(`Failed to assign device to d${domid}`, 'err'); return rc; }
  } else if ((xenPath && !xenReg) || (xenReg && !xenPath && !force)) {
    console.printk(`xen,reg or xen,path missing for d${domid}`, 'err');
    return EINVAL;
  }
  return 0;
}

function handlePassthroughProp(ctx: BuildCtx, xenReg: Uint8Array, xenPath: string | undefined, force: boolean, ac: number, sc: number): number {
  const { console } = ctx;
  const per = (ac * 2 + sc) * 4;
  for (let i = 0; i + per <= xenReg.length; i += per) {
    const entry = xenReg.subarray(i, i + per);
    const mstart = readDtNumber(entry, ac, 0);
    const size = readDtNumber(entry, sc, ac);
    const gstart = readDtNumber(entry, ac, ac + sc);
    if (mstart % PAGE_SIZE || size % PAGE_SIZE || gstart % PAGE_SIZE) {
      console.printk('DomU passthrough config has not page aligned addresses/sizes', 'err');
      return EINVAL;
    }
  }
  if (xenPath === undefined) return force ? 0 : EINVAL;
  const host = findNodeByPath(ctx.root, xenPath);
  if (!host) {
    console.printk(`Couldn't find node ${xenPath} in host_dt!`, 'err');
    return EINVAL;
  }
  // No IOMMU protecting the device: only xen,force-assign-without-iommu lets it through.
  if (force && !ctx.host.iommu) return 0;
  if (!ctx.host.iommu) return EINVAL;
  return 0;
}

const CAPS_HARDWARE = DOMAIN_CAPS_BITS.hardware;
const CAPS_XENSTORE = DOMAIN_CAPS_BITS.xenstore;

/**
 * The hardware-domain refusals of parse_dom0less_node() (4.21+,
 * xen/common/device-tree/dom0less-bindings.c:83-100 in RELEASE-4.21.2 and RELEASE-4.22.0).
 */
function hardwareDomainChecks(ctx: BuildCtx, node: DtNode, directMap: boolean, dv: DomainVerdict): void {
  const refused = hardwareDomainRefusal({
    passthrough: node.props.has('passthrough'), directMap, iommu: ctx.host.iommu,
    passthroughDtb: node.children.some((c) => isCompatible(c, 'multiboot,device-tree')),
  });
  if (!refused) return;
  dv.reason = refused.why;
  dv.fault = { kind: 'hardware-domain', refusal: refused.refusal, panic: refused.panic };
  ctx.console.panic(`${refused.panic}\n`);
}

/**
 * arch_parse_dom0less_node() of 4.21+ (xen/arch/arm/dom0less-build.c:319-403 in RELEASE-4.21.2;
 * :366-454 in RELEASE-4.22.0, which adds v8r_el1_msa) after the common properties: xen,sci_type,
 * v8r_el1_msa (4.22), nr_spis (refused for the hardware domain), sve, trap-unmapped-accesses.
 * Before 4.21 create_domUs() reads sve (4.18+) itself, after the grant limits; the other
 * properties are not read.
 */
function archParseNode(ctx: BuildCtx, node: DtNode, name: string, caps: number, dv: DomainVerdict): void {
  const { console } = ctx;
  const minor = ctx.version.minor;
  if (minor >= 21 && node.props.has('xen,sci_type')) {
    const t = propString(node, 'xen,sci_type');
    // CONFIG_SCMI_SMC is the default of its choice (4.21+): assumed on when no .config was found.
    const scmi = isEnabled(ctx.bi.build, 'SCMI_SMC') || ctx.bi.build.optionsFrom === 'release defaults';
    if (t === 'scmi_smc' && !scmi) {
      console.printk('xen,sci_type=scmi_smc requested, but CONFIG_SCMI_SMC not set', 'err');
      dv.reason = 'xen,sci_type "scmi_smc" on a Xen built without CONFIG_SCMI_SMC';
      console.panic('Error getting SCI configuration\n');
    } else if (t !== 'none' && t !== 'scmi_smc') {
      console.printk(`xen,sci_type in not valid (${t}) for domain ${name}`, 'err');
      dv.reason = `xen,sci_type "${t}" is neither "none" nor "scmi_smc"`;
      console.panic('Error getting SCI configuration\n');
    }
  }
  // A build without CONFIG_MPU (every Armv8-A build) refuses the property whatever its value.
  if (minor >= 22 && node.props.has('v8r_el1_msa') && !isEnabled(ctx.bi.build, 'MPU')) {
    console.printk(`v8r_el1_msa not supported on this build for domain ${node.path}`, 'err');
    dv.reason = 'v8r_el1_msa is for Armv8-R (CONFIG_MPU) builds only';
    console.panic('Error getting v8r_el1_msa configuration\n');
  }
  if (minor >= 21 && (caps & CAPS_HARDWARE) && node.props.has('nr_spis')) {
    dv.reason = 'the hardware domain gets the host\'s interrupt count: nr_spis must not be given';
    console.panic('nr_spis cannot be specified for hardware domain\n');
  }
  if (minor >= 18 && node.props.has('sve') && !isEnabled(ctx.bi.build, 'ARM64_SVE')) {
    dv.reason = 'sve on a Xen built without CONFIG_ARM64_SVE';
    console.panic("'sve' property found, but CONFIG_ARM64_SVE not selected\n");
  }
  if (minor >= 18 && node.props.has('sve')) console.estimates.push(`${node.path}: the SVE vector length check is not modelled`);
  const trap = minor >= CAPS_SINCE ? propU32(node, 'trap-unmapped-accesses') : undefined;
  if (trap !== undefined && trap > TRAP_UNMAP_MAX) {
    dv.reason = `trap-unmapped-accesses = ${trap}; Xen takes 0 or 1`;
    // The message has no newline: it runs into the panic box's closing rule.
    console.panic(TRAP_UNMAP_PANIC);
  }
}

/** create_domUs() body for one /chosen child compatible with "xen,domain", then construct_domU(). */
export function createDomU(ctx: BuildCtx, node: DtNode, domid: number, dv: DomainVerdict): void {
  const name = baseName(node);
  const minor = ctx.version.minor;
  ctx.current = dv;
  // 4.21+ reads capabilities first (parse_dom0less_node()); older releases never read them.
  const caps = minor >= 21 && ctx.cpu ? domainCaps(ctx.cpu.ctx, node, ctx.cpu.hardware) : 0;
  // CDF_staticmem is 0 in a build without CONFIG_STATIC_MEMORY (xen/include/xen/domain.h), so there
  // xen,static-mem does not count as static allocation (real Debian 4.17.7 panics here).
  const staticMem = node.props.has('xen,static-mem') && isEnabled(ctx.bi.build, 'STATIC_MEMORY');
  if (node.props.has('direct-map') && !staticMem) {
    if (node.props.has('xen,static-mem')) dv.reason = 'this Xen build has no CONFIG_STATIC_MEMORY, so xen,static-mem is not static allocation';
    return ctx.console.panic(`direct-map is not valid for domain ${name} without static allocation.\n`);
  }
  const cpus = propU32(node, 'cpus');
  if (cpus === undefined) return ctx.console.panic(`Missing property 'cpus' for domain ${name}\n`);
  dv.vcpus = cpus;
  if (caps & CAPS_HARDWARE) hardwareDomainChecks(ctx, node, node.props.has('direct-map'), dv);
  // domain-cpupool is read before domain_create(); before 4.21 capabilities only leave a finding.
  const pool = ctx.cpu ? domainPool(ctx.cpu.ctx, ctx.cpu.state, node) : 0;
  if (minor < 21 && ctx.cpu) domainCaps(ctx.cpu.ctx, node, ctx.cpu.hardware);
  if (ctx.cpu) domainColours(ctx.cpu.ctx, node, ctx.cmdline.raw);
  archParseNode(ctx, node, name, caps, dv);
  if (ctx.cpu && (caps & CAPS_HARDWARE)) ctx.cpu.hardware.name = `d${domid}`;
  const vgicMax = ctx.host.gicV3 ? MAX_VIRT_CPUS : VGIC_V2_MAX_VCPUS;
  // domain_create() → arch_sanitise_domain_config(): no vCPU, or more than the vGIC/MAX_VIRT_CPUS allow.
  if (cpus < 1 || cpus > vgicMax) {
    if (cpus > vgicMax) dv.fault = { kind: 'too-many-vcpus', vcpus: cpus, limit: vgicMax };
    dv.reason = cpus < 1 ? 'cpus is 0' : `cpus = ${cpus} exceeds the ${ctx.host.gicV3 ? 'MAX_VIRT_CPUS' : 'vGICv2'} limit of ${vgicMax}`;
    return ctx.console.panic(panicHasRc(ctx.version) ? `Error creating domain ${name} (rc = -22)\n` : `Error creating domain ${name}\n`);
  }
  if (!readDomainCreateConfig(ctx, node, name, dv)) return;
  dv.domid = domid;
  if (ctx.cpu) {
    const waiting = insertVcpus(ctx.cpu.ctx, ctx.cpu.state, pool, domid, name, cpus);
    if (waiting.includes(0)) ctx.cpu.neverRuns.add(dv);
  }
  if (caps & CAPS_HARDWARE) {
    ctx.console.estimates.push(`${name}: a hardware domain built from a domU node (construct_hwdom(): the host device tree, 1:1 or IOMMU-mapped memory) is modelled as a plain domU`);
  }
  const rc = constructDomU(ctx, node, domid, dv);
  if (rc) setupPanic(ctx, name, rc);
  if (ctx.cpu) vcpuAffinity(ctx.cpu.ctx, ctx.cpu.state, node, pool, cpus);
  // 4.21+: alloc_xenstore_params() after the vCPU affinity: one page for a xenstore-enhanced domain.
  if (minor >= 21 && ctx.xenstore.pages.has(dv)) ctx.heap.allocPages(PAGE_SIZE);
  // create_domUs() then registers a xenstore-capable domain (set_xs_domain()).
  if (caps & CAPS_XENSTORE) setXsDomain(ctx, domid);
}

/** set_xs_domain() (4.21+): one xenstore domain, dom0 or a domU with the xenstore capability. */
export function setXsDomain(ctx: BuildCtx, domid: number): void {
  // The message has no newline: it runs into the panic box's closing rule.
  if (ctx.xenstore.domid !== undefined) {
    const panic = xenstoreTwicePanic(ctx.xenstore.domid);
    if (ctx.current) ctx.current.fault = { kind: 'xenstore-domain', second: true, panic };
    ctx.console.panic(panic);
  }
  ctx.xenstore.domid = domid;
}

/**
 * The end of create_domUs() from 4.21: a domain asked for xenstore ("enabled", empty or "legacy")
 * and no domain provides it (RELEASE-4.21.2 xen/common/device-tree/dom0less-build.c:895-896).
 */
export function checkXenstore(ctx: BuildCtx): void {
  if (ctx.version.minor < CAPS_SINCE || ctx.xenstore.wanted.length === 0 || ctx.xenstore.domid !== undefined) return;
  // Every domain is stopped; the first one built that asked for xenstore carries the fault.
  ctx.xenstore.wanted[0]!.fault = { kind: 'xenstore-domain', second: false, panic: XENSTORE_MISSING_PANIC };
  ctx.console.panic(`${XENSTORE_MISSING_PANIC}\n`);
}

/** construct_domU(). Returns a negative errno for the "Could not set up domain" panic. */
export function constructDomU(ctx: BuildCtx, node: DtNode, domid: number, dv: DomainVerdict): number {
  const { console } = ctx;
  const memProp = node.props.get('memory');
  if (!memProp || memProp.length < 8) {
    console.printk('Error building DomU: cannot read "memory" property');
    dv.reason = memProp ? `memory is ${memProp.length / 4} cell(s); Xen reads it as a 64-bit KiB value (2 cells)` : 'no memory property';
    return EINVAL;
  }
  const memKiB = readDtNumber(memProp.subarray(0, 8), 2);
  dv.memoryKiB = memKiB;
  const vcpus = dv.vcpus!;
  // construct_domU() reads xen,domain-p2m-mem-mb from 4.17.0 on (commit cbea5a1149).
  const poolMb = readsDomainP2mMemMb(ctx.version.minor) ? propU32(node, 'xen,domain-p2m-mem-mb') : undefined;
  const pool = poolMb !== undefined ? poolMb * SZ_1M : defaultP2mPoolBytes(memKiB, vcpus);
  // The heap as the domain's build starts: what "the most memory it can have" is computed from.
  const freeBytes = ctx.heap.freeBytes;
  const unavailable = (): void => {
    const laterBytes = laterDomUsBytes(ctx, node);
    dv.fault = { kind: 'memory-unavailable', memoryKiB: memKiB, freeBytes, laterBytes, vcpus, largestMiB: largestDomUMemMiB(Math.max(0, freeBytes - laterBytes), vcpus) };
  };
  if (ctx.heap.allocPages(pool) > 0) {
    dv.reason = `not enough free memory for the ${pool / SZ_1M} MiB P2M pool`;
    unavailable();
    return ENOMEM;
  }
  const memText = ctx.version.minor >= 18 ? `0x${memKiB.toString(16)}` : memKiB.toString(16);
  console.printk(`*** LOADING DOMU cpus=${vcpus} memory=${memText}KB ***`);
  const vpl011 = node.props.has('vpl011');
  // xen,enhanced: empty (-ENODATA), unterminated (-EILSEQ) or "enabled" wants xenstore. Up to 4.20
  // that means dom0, at once; from 4.21 any xenstore domain, checked once every domU is built
  // (checkXenstore()), and "legacy" (4.21+) wants it too, without the page Xen allocates.
  const enh = node.props.get('xen,enhanced');
  const enhValue = enh !== undefined && enh.length > 0 && enh.indexOf(0) >= 0 ? propString(node, 'xen,enhanced') : undefined;
  const enhanced = enh !== undefined && (enh.length === 0 || enh.indexOf(0) < 0 || enhValue === 'enabled');
  const legacy = ctx.version.minor >= 21 && enhValue === 'legacy';
  if (ctx.version.minor < 21) {
    if (enhanced && !ctx.hardwareDomain) return console.panic(`${XENSTORE_NEEDS_DOM0_PANIC}\n`);
    if (enhValue === 'legacy') ctx.findings.push(`${node.path}: xen,enhanced "legacy" is read from Xen 4.21; Xen ${ctx.version.text} takes it as an unknown value and gives the domain no PV interfaces (no hypervisor node, no xenstore)`);
  } else if (enhanced || legacy) {
    ctx.xenstore.wanted.push(dv);
    if (enhanced) ctx.xenstore.pages.add(dv);
  }
  // "no-xenstore" (and "legacy") still get the hypervisor node (DOM0LESS_ENHANCED_NO_XS), just no xenstore page.
  const hypervisorNode = enhanced || legacy || enhValue === 'no-xenstore';

  const probed = kernelProbe(ctx, domid, node);
  if (probed.mod) dv.kernel = { start: probed.mod.origStart, size: probed.mod.origSize, format: probed.kinfo?.format ?? 'unrecognised' };
  if (probed.initrd) dv.ramdisk = { start: probed.initrd.start, size: probed.initrd.size };
  if (probed.rc < 0) {
    dv.reason = probed.why ?? '';
    if (!probed.mod) dv.fault = { kind: 'missing-kernel' };
    return probed.rc;
  }
  const kinfo = probed.kinfo!;
  const memBytes = memKiB * 1024;
  let banks: { start: number; size: number }[];
  if (node.props.has('xen,static-mem') && !isEnabled(ctx.bi.build, 'STATIC_MEMORY')) {
    // allocate_static_memory() is ASSERT_UNREACHABLE() without CONFIG_STATIC_MEMORY: a debug build
    // stops there; a release build goes on with no RAM bank, and make_memory_node() fails (-ENOENT).
    dv.reason = 'xen,static-mem on a Xen built without CONFIG_STATIC_MEMORY: the domain gets no memory';
    if (isEnabled(ctx.bi.build, 'DEBUG')) {
      const site = staticMemoryAssertSite(ctx.version.minor);
      if (site.startsWith('./')) console.estimates.push(`d${domid}: the assertion's file is named as an in-tree build names it (${site.replace(/:\d+$/, '')})`);
      console.printk(`Assertion 'unreachable' failed at ${site}`);
      return console.panic(`Assertion 'unreachable' failed at ${site}\n`);
    }
    console.printk('Device tree generation failed (-2).');
    return EINVAL;
  }
  const directMap = node.props.has('direct-map');
  if (node.props.has('xen,static-mem')) banks = allocateStaticMemory(ctx, node, domid, memBytes, directMap);
  else banks = allocateMemory(ctx, domid, memBytes, unavailable);
  // process_shm() (CONFIG_STATIC_SHM): map the domain's shared regions, add them to its device tree.
  let shmItems: ReturnType<typeof processShm>['items'] = [];
  if (isEnabled(ctx.bi.build, 'STATIC_SHM')) {
    const shm = processShm(ctx, node, domid);
    if (shm.rc) { dv.reason = 'its static shared memory could not be mapped'; return shm.rc; }
    shmItems = shm.items;
  }
  const dtFindings: string[] = [];
  const passItems: ReturnType<typeof partialDtItems> = [];
  if (probed.dtb) {
    const rc = handleDtbBootmodule(ctx, domid, probed.dtb, passItems, dtFindings);
    if (rc) { dv.reason = 'the passthrough device tree could not be applied'; return rc; }
  }
  // make_hypervisor_node() → find_domU_holes(): what follows each guest RAM bank, 2 MiB aligned,
  // at least 64 MiB. The IPA size is taken as >= 40 bits (QEMU cortex-a57: 44), so bank 1 ends at its limit.
  const extRegions: string[] = [];
  // For a 32-bit guest make_hypervisor_node() only warns: no extended regions.
  if (hypervisorNode && !kinfo.is64) extRegions.push(`d${domid}: extended regions not supported for 32-bit guests`);
  if (hypervisorNode && kinfo.is64) {
    for (const [i, [base, max]] of ([[GUEST_RAM0_BASE, GUEST_RAM0_SIZE], [GUEST_RAM1_BASE, GUEST_RAM1_SIZE]] as const).entries()) {
      const start = alignUp(base + (banks[i]?.size ?? 0), SZ_2M);
      const end = base + max;
      if (end - start < 64 * SZ_1M) continue;
      extRegions.push(`d${domid}: extended region ${extRegions.length}: 0x${start.toString(16)}->0x${end.toString(16)}`);
    }
  }
  const items = domUDtbItems({
    minor: ctx.version.minor, vcpus, ...(probed.cmdline ? { bootargs: probed.cmdline } : {}), hasKernel: true,
    cpuCompatibleLen: ctx.host.cpuCompatibleLen, cpuClock: ctx.host.cpuClock, timerClock: ctx.host.timerClock,
    gicV3: ctx.host.gicV3, rdistRegions: 1, memoryBanks: banks.length, vpl011, enhanced: hypervisorNode,
    hypervisorCompatLen: `xen,xen-4.${ctx.version.minor}`.length + 1 + 'xen,xen'.length + 1, extRegions: kinfo.is64 ? extRegions.length : 0,
    passthrough: [...passItems, ...shmItems], is32: !kinfo.is64,
  });
  const dtbSize = fdtSwTotalsize(items);
  if (passItems.length) console.estimates.push(`d${domid} DTB size: the copied passthrough/aliases nodes are counted from the partial device tree as given`);
  // `memory` 0 leaves no RAM bank (allocate_bank_memory() skips a zero-size bank), and
  // prepare_dtb_domU() stops at make_memory_node(), which returns -ENOENT for no bank.
  if (banks.length === 0) {
    dv.reason = 'memory is 0: the domain has no RAM bank, so its device tree has no memory node';
    console.printk(`Device tree generation failed (${ENOENT}).`);
    return EINVAL;
  }
  // prepare_dtb_domU() writes into a DOMU_DTB_SIZE buffer (4 KiB in 4.17; + the passthrough DTB
  // module from 4.18): the first node or property that does not fit fails with FDT_ERR_NOSPACE.
  const limit = domUDtbLimit(ctx.version.minor, probed.dtb?.size ?? 0);
  const full = fdtSwOverflowIndex(items, limit);
  const at = (it: object): number => items.indexOf(it as (typeof items)[number]);
  const vpl011At = items.findIndex((it) => 'node' in it && it.node.startsWith('sbsa-uart@'));
  const hypervisorAt = items.findIndex((it) => 'node' in it && it.node === 'hypervisor');
  const failsBefore = (i: number): boolean => full >= 0 && (i < 0 || full < i);
  // make_hypervisor_node() prints the extended regions once its node and compatible are written.
  if (hypervisorAt >= 0 && !failsBefore(hypervisorAt + 2)) for (const l of extRegions) console.printk(l);
  if (vpl011 && !isEnabled(ctx.bi.build, 'SBSA_VUART_CONSOLE') && !failsBefore(vpl011At)) {
    // make_vpl011_uart_node() is built only with CONFIG_SBSA_VUART_CONSOLE; without it ret stays -EINVAL.
    dv.reason = 'vpl011 on a Xen built without CONFIG_SBSA_VUART_CONSOLE';
    console.printk(`Device tree generation failed (${EINVAL}).`);
    return EINVAL;
  }
  if (full >= 0) {
    dv.fault = { kind: 'guest-dtb-too-large', vcpus, size: dtbSize, limit };
    dv.reason = `its device tree needs ${dtbSize} bytes but Xen ${ctx.version.text} writes it into a ${limit}-byte buffer (DOMU_DTB_SIZE${ctx.version.minor >= 18 ? ' + the passthrough DTB' : ''}) (${vcpus} vCPU nodes)`;
    // Inside the copied passthrough nodes the error is returned as is; elsewhere prepare_dtb_domU() reports it.
    if (passItems.length && full >= at(passItems[0]!) && full <= at(passItems[passItems.length - 1]!)) return FDT_ERR_NOSPACE;
    // 4.21+ writes psci and the vpl011 node last, in make_arch_nodes(), which turns any error into
    // -EINVAL (RELEASE-4.21.2 xen/arch/arm/dom0less-build.c make_arch_nodes(); real 4.21.2 with 33 vCPUs:
    // "Device tree generation failed (-22).").
    const psciAt = items.findIndex((it) => 'node' in it && it.node === 'psci');
    const inArchNodes = ctx.version.minor >= 21 && psciAt >= 0 && full >= psciAt && full < items.length - 1;
    console.printk(`Device tree generation failed (${inArchNodes ? EINVAL : FDT_ERR_NOSPACE}).`);
    return EINVAL;
  }

  constructDomain(ctx, domid, kinfo, banks[0]!, probed.initrd, dtbSize, dv);
  ctx.built.set(dv, { kernelMod: probed.mod!, kinfo, ramdiskWanted: probed.ramdiskWanted, ...(probed.initrd ? { ramdiskMod: probed.initrd } : {}), ...(probed.cmdline !== undefined ? { cmdline: probed.cmdline } : {}), dtFindings,
    ...(enhanced && ctx.hardwareDomain ? { pvConsole: true } : {}) });
  return 0;
}

/** dom0's command line: kernel module bootargs > xen,dom0-bootargs > /chosen/bootargs (write_properties()). */
function dom0Cmdline(ctx: BuildCtx, fromModule: string | undefined): string | undefined {
  if (fromModule) return fromModule;
  const chosen = ctx.root.children.find((c) => c.name === 'chosen');
  if (!chosen) return undefined;
  if (chosen.props.has('xen,dom0-bootargs')) return propString(chosen, 'xen,dom0-bootargs');
  return propString(chosen, 'bootargs');
}

/** create_dom0() + construct_dom0(). */
export function createDom0(ctx: BuildCtx, dv: DomainVerdict): void {
  const { console } = ctx;
  ctx.current = dv;
  dv.domid = 0;
  // dom0_max_vcpus() defaults to num_online_cpus(): the CPUs brought up, not those the DT lists.
  const vcpus = Math.min(ctx.cmdline.dom0MaxVcpus || (ctx.cpu?.ctx.cpuHwids.length ?? ctx.host.pcpus), MAX_VIRT_CPUS, ctx.host.gicV3 ? MAX_VIRT_CPUS : VGIC_V2_MAX_VCPUS);
  dv.vcpus = vcpus;
  ctx.hardwareDomain = true;
  if (ctx.cpu) { ctx.cpu.hardware.name = 'd0'; insertVcpus(ctx.cpu.ctx, ctx.cpu.state, 0, 0, 'dom0', vcpus); }
  console.printk('*** LOADING DOMAIN 0 ***');
  let dom0Mem = ctx.cmdline.dom0Mem ?? 0;
  if (dom0Mem <= 0) {
    console.warningAdd('PLEASE SPECIFY dom0_mem PARAMETER - USING 512M FOR NOW');
    dom0Mem = 512 * SZ_1M;
  }
  dv.memoryKiB = Math.floor(dom0Mem / 1024);
  const probed = kernelProbe(ctx, 0);
  if (probed.mod) dv.kernel = { start: probed.mod.origStart, size: probed.mod.origSize, format: probed.kinfo?.format ?? 'unrecognised' };
  if (probed.initrd) dv.ramdisk = { start: probed.initrd.start, size: probed.initrd.size };
  // 4.21 names the domain with %pd (RELEASE-4.21.2 xen/arch/arm/domain_build.c:2102).
  const dom0Name = ctx.version.minor >= 21 ? 'd0' : 'DOM0';
  const fail = (rc: number): never => console.panic(panicHasRc(ctx.version) ? `Could not set up ${dom0Name} guest OS (rc = ${rc})\n` : `Could not set up ${dom0Name} guest OS\n`);
  if (probed.rc < 0) {
    dv.reason = probed.why ?? '';
    if (!probed.mod) dv.fault = { kind: 'missing-kernel' };
    fail(probed.rc);
  }
  const kinfo = probed.kinfo!;
  const ranges = ctx.heap.ranges.map((r) => ({ start: r.start, size: r.end - r.start }));
  const unavailable = (): void => {
    const freeBytes = ranges.reduce((n, r) => n + r.size, 0);
    const laterBytes = laterDomUsBytes(ctx);
    dv.fault = { kind: 'memory-unavailable', memoryKiB: dom0Mem / 1024, freeBytes, laterBytes, vcpus, largestMiB: largestDom0MemMiB(ranges, vcpus, laterBytes) };
  };
  if (ctx.heap.allocPages(defaultP2mPoolBytes(dom0Mem / 1024, vcpus)) > 0) { dv.reason = 'not enough free memory for the P2M pool'; unavailable(); fail(ENOMEM); }
  const banks = allocateMemory11(ctx, dom0Mem, unavailable);
  // The dom0 DTB is the host DTB rewritten by Xen (handle_node()): its exact size is not modelled.
  const dtbSize = ctx.host.hostFdtSize;
  console.estimates.push('Loading d0 DTB end address: dom0 device tree size taken as the host DTB size');
  console.estimates.push('dom0 lines "Grant table range", "Allocating PPI ... for event channel interrupt" and "Extended region" are not emitted');
  constructDomain(ctx, 0, kinfo, banks[0] ?? { start: 0, size: 0 }, probed.initrd, dtbSize, dv);
  const cmdline = dom0Cmdline(ctx, probed.cmdline);
  ctx.built.set(dv, { kernelMod: probed.mod!, kinfo, ramdiskWanted: probed.initrd !== undefined, ...(probed.initrd ? { ramdiskMod: probed.initrd } : {}), ...(cmdline !== undefined ? { cmdline } : {}), dtFindings: [] });
  // 4.21+: dom0 is the xenstore domain (create_dom0() → set_xs_domain()).
  if (ctx.version.minor >= 21) setXsDomain(ctx, 0);
}

