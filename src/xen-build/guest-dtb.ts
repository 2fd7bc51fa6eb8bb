// Size of the device tree Xen writes for a dom0less domU (shared by the planner, which checks it
// against DOMU_DTB_SIZE before generating, and the simulator), which fixes the numbers in
// "Loading dN DTB to 0x…-0x…". Models xen/arch/arm/domain_build.c prepare_dtb_domU() and its
// make_*_node() helpers (4.17): libfdt sequential-write layout (fdt_create(): header padded to
// 48 bytes, one 16-byte memory-reservation terminator; fdt_finish(): totalsize = end of the
// strings; names reused when already present, also as a suffix of a longer name).
// Checked against a real Xen 4.17.7 boot: 0x4ad bytes for 1 vCPU and 0x50d for 2
// (test/fixtures/transcripts/a-dom0less-2domu.log). Later releases: 4.20 adds
// "#redistributor-regions" to the GICv3 node (RELEASE-4.20.0 make_gicv3_domU_node(): 39 bytes,
// real trixie 4.20: 0x534 for the same domain with vpl011); 4.21 writes psci and the vpl011 node
// last (make_arch_nodes(), RELEASE-4.21.2 common/device-tree/dom0less-build.c), so "method"
// reuses the tail of "enable-method" (7 bytes less: real 4.21.2 0x52d).

/** GUEST_* layout constants of xen/include/public/arch-arm.h. */
export const GUEST_RAM0_BASE = 0x40000000;
export const GUEST_RAM0_SIZE = 0xc0000000;
export const GUEST_RAM1_BASE = 0x0200000000;
export const GUEST_RAM1_SIZE = 0xfe00000000;
export const GUEST_GICV3_GICD_BASE = 0x03001000;
export const GUEST_GICD_BASE = 0x03001000;
export const GUEST_PL011_BASE = 0x22000000;

/** One libfdt sequential-write call: fdt_begin_node(), fdt_property(), fdt_end_node(). */
export type GuestDtbItem = { node: string } | { prop: string; len: number } | { end: true };
type Item = GuestDtbItem;

/** libfdt fdt_sw totalsize for a sequence of begin/prop/end items. */
export function fdtSwTotalsize(items: readonly Item[]): number {
  let struct = 0;
  let strings = '';
  const align4 = (n: number): number => Math.ceil(n / 4) * 4;
  for (const it of items) {
    if ('node' in it) struct += 4 + align4(Buffer.byteLength(it.node) + 1);
    else if ('prop' in it) {
      struct += 12 + align4(it.len);
      // fdt_find_string_(): a name already in the table (also as the tail of a longer one) is reused.
      if (!strings.includes(`${it.prop}\0`)) strings += `${it.prop}\0`;
    } else struct += 4;
  }
  struct += 4; // FDT_END
  const HEADER_AND_RSVMAP = 48 + 16;
  return HEADER_AND_RSVMAP + struct + strings.length;
}

/**
 * Index of the first item a libfdt sequential-write buffer of `bufSize` bytes cannot take
 * (fdt_begin_node()/fdt_property()/fdt_end_node(), then fdt_finish()'s FDT_END, reported as
 * items.length), or -1 when everything fits. Struct and strings grow towards each other, so an
 * item fails as soon as the header, struct block and strings together pass the buffer size.
 */
export function fdtSwOverflowIndex(items: readonly Item[], bufSize: number): number {
  const HEADER_AND_RSVMAP = 48 + 16;
  let struct = 0;
  let strings = '';
  const align4 = (n: number): number => Math.ceil(n / 4) * 4;
  for (const [i, it] of items.entries()) {
    if ('node' in it) struct += 4 + align4(Buffer.byteLength(it.node) + 1);
    else if ('prop' in it) {
      struct += 12 + align4(it.len);
      if (!strings.includes(`${it.prop}\0`)) strings += `${it.prop}\0`;
    } else struct += 4;
    if (HEADER_AND_RSVMAP + struct + strings.length > bufSize) return i;
  }
  return HEADER_AND_RSVMAP + struct + 4 + strings.length > bufSize ? items.length : -1;
}

export interface DomUDtbInputs {
  /** Xen minor release: the layout changed in 4.20 and 4.21. */
  minor: number;
  vcpus: number;
  bootargs?: string;
  /** make_chosen_node() tests the *kernel* module for its placeholder (so: always when a kernel exists). */
  hasKernel: boolean;
  /** compatible bytes of the host's first /cpus/cpu node. */
  cpuCompatibleLen: number;
  /** Host cpu node has clock-frequency. */
  cpuClock: boolean;
  /** Host timer node has clock-frequency. */
  timerClock: boolean;
  gicV3: boolean;
  /** GICv3 redistributor regions given to the guest (1 for a non-direct-mapped domU). */
  rdistRegions: number;
  memoryBanks: number;
  vpl011: boolean;
  enhanced: boolean;
  /** "xen,xen-4.17\0xen,xen" length. */
  hypervisorCompatLen: number;
  extRegions: number;
  /** Nodes/properties copied from a partial device tree (/aliases, /passthrough). */
  passthrough: readonly Item[];
  /** A 32-bit guest (arm32 zImage): make_cpus_node() writes no enable-method. Default: 64-bit. */
  is32?: boolean;
}

/** Items prepare_dtb_domU() writes, in its order. */
export function domUDtbItems(i: DomUDtbInputs): Item[] {
  const items: Item[] = [{ node: '' }, { prop: '#address-cells', len: 4 }, { prop: '#size-cells', len: 4 }];
  // make_chosen_node()
  items.push({ node: 'chosen' });
  if (i.bootargs) items.push({ prop: 'bootargs', len: Buffer.byteLength(i.bootargs) + 1 });
  if (i.hasKernel) items.push({ prop: 'linux,initrd-start', len: 8 }, { prop: 'linux,initrd-end', len: 8 });
  items.push({ end: true });
  // make_psci_node(): after /chosen up to 4.20, with the arch nodes at the end from 4.21.
  const psci: Item[] = [{ node: 'psci' }, { prop: 'compatible', len: 35 }, { prop: 'method', len: 4 }, { prop: 'cpu_off', len: 4 }, { prop: 'cpu_on', len: 4 }, { end: true }];
  const archLast = i.minor >= 21;
  if (!archLast) items.push(...psci);
  // make_cpus_node()
  items.push({ node: 'cpus' }, { prop: '#address-cells', len: 4 }, { prop: '#size-cells', len: 4 });
  for (let cpu = 0; cpu < i.vcpus; cpu++) {
    const aff = (cpu % 16) + Math.floor(cpu / 16) * 0x100; // vcpuid_to_vaffinity(): AFF0 16 per cluster
    items.push({ node: `cpu@${aff.toString(16)}` }, { prop: 'compatible', len: i.cpuCompatibleLen }, { prop: 'device_type', len: 4 }, { prop: 'reg', len: 4 });
    if (i.cpuClock) items.push({ prop: 'clock-frequency', len: 4 });
    if (!i.is32) items.push({ prop: 'enable-method', len: 5 });
    items.push({ end: true });
  }
  items.push({ end: true });
  // make_memory_node()
  items.push({ node: `memory@${GUEST_RAM0_BASE.toString(16)}` }, { prop: 'device_type', len: 7 }, { prop: 'reg', len: 16 * i.memoryBanks }, { end: true });
  items.push(...i.passthrough);
  // make_gic_domU_node()
  if (i.gicV3) {
    items.push({ node: `interrupt-controller@${GUEST_GICV3_GICD_BASE.toString(16)}` }, { prop: '#address-cells', len: 4 }, { prop: '#interrupt-cells', len: 4 },
      { prop: 'interrupt-controller', len: 0 }, { prop: 'compatible', len: 11 }, ...(i.minor >= 20 ? [{ prop: '#redistributor-regions', len: 4 }] : []),
      { prop: 'reg', len: 16 * (i.rdistRegions + 1) },
      { prop: 'linux,phandle', len: 4 }, { prop: 'phandle', len: 4 }, { end: true });
  } else {
    items.push({ node: `interrupt-controller@${GUEST_GICD_BASE.toString(16)}` }, { prop: '#address-cells', len: 4 }, { prop: '#interrupt-cells', len: 4 },
      { prop: 'interrupt-controller', len: 0 }, { prop: 'compatible', len: 12 }, { prop: 'reg', len: 32 },
      { prop: 'linux,phandle', len: 4 }, { prop: 'phandle', len: 4 }, { end: true });
  }
  // make_timer_node()
  items.push({ node: 'timer' }, { prop: 'compatible', len: 16 }, { prop: 'interrupts', len: 36 }, { prop: 'interrupt-parent', len: 4 });
  if (i.timerClock) items.push({ prop: 'clock-frequency', len: 4 });
  items.push({ end: true });
  const vpl011: Item[] = i.vpl011 ? [{ node: `sbsa-uart@${GUEST_PL011_BASE.toString(16)}` }, { prop: 'compatible', len: 14 }, { prop: 'reg', len: 16 },
    { prop: 'interrupts', len: 12 }, { prop: 'interrupt-parent', len: 4 }, { prop: 'current-speed', len: 4 }, { end: true }] : [];
  if (!archLast) items.push(...vpl011);
  if (i.enhanced) {
    items.push({ node: 'hypervisor' }, { prop: 'compatible', len: i.hypervisorCompatLen }, { prop: 'reg', len: 16 * (i.extRegions + 1) },
      { prop: 'interrupts', len: 12 }, { prop: 'interrupt-parent', len: 4 }, { end: true });
  }
  if (archLast) items.push(...psci, ...vpl011);
  items.push({ end: true });
  return items;
}
