// Static memory, static shared memory and static event channels of dom0less domains, as a Xen
// built with CONFIG_STATIC_MEMORY / CONFIG_STATIC_SHM builds them. Models (4.17:
// xen/arch/arm/domain_build.c, bootfdt.c; HEAD: static-memory.c, static-shmem.c):
// allocate_static_memory(), assign_static_memory_11(), acquire_static_memory_bank(),
// acquire_domstatic_pages() (common/page_alloc.c), process_shm_node() (early scan),
// process_shm()/assign_shared_memory() (domain build), alloc_static_evtchn()/alloc_domain_evtchn().
// What a build without the options does is in bootfdt.ts (process_shm_node() stub) and
// domain-build.ts (CDF_staticmem is 0: direct-map panics, static-mem gives no RAM).
import { readDtNumber } from '../handoff.js';
import type { BootInfo } from './bootinfo.js';
import { paddr, paddrAlt } from './console.js';
import { allNodes, isCompatible, propString, propU32, type DtNode } from './device-tree.js';
import { GUEST_RAM0_BASE, GUEST_RAM0_SIZE, GUEST_RAM1_BASE, GUEST_RAM1_SIZE, type GuestDtbItem } from '../../xen-build/guest-dtb.js';
import type { BuildCtx } from './domain-build.js';
import { isEnabled } from '../../xen-build/build.js';

const EINVAL = -22;
const ENOENT = -2;
const ENOSPC = -28;
/** evtchn_allocate_port(): a port that is reserved (0) or bound already. */
const EBUSY = -16;
/** MAX_SHM_ID_LENGTH (NUL included). */
export const MAX_SHM_ID_LENGTH = 16;
const PAGE = 0x1000;
/** max_evtchn_port of a dom0less domU (create_domUs()). */
export const DOMU_MAX_EVTCHN_PORT = 1023;

interface Range { start: number; end: number }
/** Pages acquire_domstatic_pages() handed out so far, per boot (a page is acquired once). */
const acquired = new WeakMap<BootInfo, Range[]>();

const pagesValid = (bi: BootInfo, start: number, size: number): boolean =>
  bi.mem.some((b) => start >= b.start && start + size <= b.start + b.size);

/**
 * acquire_domstatic_pages(): the pages must be static pages (a static-mem or static-shm bank of the
 * early scan), valid RAM, and not acquired yet; -ENOENT otherwise.
 */
function acquireStatic(bi: BootInfo, start: number, size: number): number {
  if (!pagesValid(bi, start, size)) return ENOENT;
  const isStatic = bi.reservedMem.some((b) => (b.type === 'static-domain' || b.type === 'static-shm') && start >= b.start && start + size <= b.start + b.size);
  if (!isStatic) return ENOENT;
  const list = acquired.get(bi) ?? [];
  if (list.some((r) => start < r.end && r.start < start + size)) return ENOENT;
  list.push({ start, end: start + size });
  acquired.set(bi, list);
  return 0;
}

/**
 * allocate_static_memory() (guest banks at GUEST_RAM0/1) or assign_static_memory_11() (direct-map:
 * guest bank i is host bank i). Returns the guest banks; panics as Xen does.
 */
export function allocateStaticMemory(ctx: BuildCtx, node: DtNode, domid: number, memBytes: number, directMap: boolean): { start: number; size: number }[] {
  const { console, bi } = ctx;
  const d = `d${domid}`;
  const parent = node.parent!;
  const ac = propU32(parent, '#address-cells', 2)!;
  const sc = propU32(parent, '#size-cells', 1)!;
  const prop = node.props.get('xen,static-mem')!;
  const per = (ac + sc) * 4;
  const nrBanks = Math.floor(prop.length / per);
  // 4.17's two panics lack their final newline (added in 4.18): the closing rule follows on the same line.
  const nl = ctx.version.minor >= 18 ? '\n' : '';
  const failText = directMap ? `Failed to assign requested static memory for direct-map domain ${d}.${nl}` : `Failed to allocate requested static memory for domain ${d}.${nl}`;
  const banks: { start: number; size: number }[] = [];
  let unassigned = memBytes;
  const guest = [[GUEST_RAM0_BASE, GUEST_RAM0_SIZE], [GUEST_RAM1_BASE, GUEST_RAM1_SIZE]] as const;
  let gbank = 0;
  let gleft: number = guest[0][1];
  if (!directMap) banks.push({ start: guest[0][0], size: 0 });
  for (let i = 0; i < nrBanks; i++) {
    const cell = prop.subarray(i * per, (i + 1) * per);
    const pbase = readDtNumber(cell, ac, 0);
    let psize = readDtNumber(cell, sc, ac);
    if (pbase % PAGE !== 0 || psize % PAGE !== 0) {
      // ASSERT(IS_ALIGNED(...)) in acquire_static_memory_bank(): a release build goes on with the pages it covers.
      console.estimates.push(`${d}: xen,static-mem bank ${i} is not page aligned; Xen only asserts it (debug builds stop there)`);
    }
    const rc = acquireStatic(bi, pbase, psize);
    if (rc) {
      console.printk(`${d}: failed to acquire static memory: ${rc}.`, 'err');
      if (rc === ENOENT) console.estimates.push(`${d}: the "pg[...] Static MFN ..." line Xen prints for a page that is not free static memory is not modelled`);
      return console.panic(failText);
    }
    console.printk(`${d}: STATIC BANK[${i}] ${paddrAlt(pbase)}-${paddrAlt(pbase + psize)}`, 'info');
    if (directMap) {
      banks.push({ start: pbase, size: psize });
      unassigned -= psize;
      continue;
    }
    // Map as much of the host bank as the guest bank holds, then move on to the next guest bank.
    for (;;) {
      const take = Math.min(psize, gleft);
      banks[gbank]!.size += take;
      unassigned -= take;
      if (gleft >= psize) { gleft -= psize; break; }
      if (gbank + 1 >= guest.length) {
        console.printk('Exhausted all possible guest banks.', 'err');
        return console.panic(failText);
      }
      psize -= gleft;
      gbank++;
      gleft = guest[gbank]![1];
      banks.push({ start: guest[gbank]![0], size: 0 });
    }
  }
  if (unassigned !== 0) {
    console.printk(directMap
      ? 'Size of "memory" property doesn\'t match up with the sum-up of "xen,static-mem".'
      : 'Size of "memory" property doesn\'t match up with the sum-up of "xen,static-mem". Unsupported configuration.', 'err');
    return console.panic(failText);
  }
  return banks.filter((b) => b.size > 0);
}

/** One static shared memory region of the early scan (bootinfo reserved_mem, type static-shm). */
export interface ShmBank { start: number; size: number; id: string; borrowers: number }
const shmBanks = new WeakMap<BootInfo, ShmBank[]>();
export const staticShmBanks = (bi: BootInfo): readonly ShmBank[] => shmBanks.get(bi) ?? [];

/** process_shm_node() with CONFIG_STATIC_SHM (4.17 checks; 4.19+ also takes a node without a host address). */
export function processShmNode(bi: BootInfo, node: DtNode, ac: number, sc: number): number {
  const c = bi.console;
  if (ac < 1 || sc < 1) { c.printk('fdt: invalid #address-cells or #size-cells for static shared memory node.'); return EINVAL; }
  const idProp = node.props.get('xen,shm-id');
  if (!idProp) return ENOENT;
  const id = propString(node, 'xen,shm-id') ?? '';
  if (id.length >= MAX_SHM_ID_LENGTH) { c.printk(`fdt: invalid xen,shm-id ${id}, it must be limited to ${MAX_SHM_ID_LENGTH} characters`); return EINVAL; }
  const role = node.props.get('role');
  let owner = false;
  if (role) {
    const r = propString(node, 'role');
    if (r === 'owner') owner = true;
    else if (r !== 'borrower') { c.printk('fdt: invalid `role` property for static shared memory node.'); return EINVAL; }
  }
  const prop = node.props.get('xen,shared-mem');
  if (!prop) return ENOENT;
  const full = (ac + sc + ac) * 4;
  const noHost = (sc + ac) * 4;
  if (prop.length !== full) {
    if (prop.length === noHost && bi.version.minor >= 19) {
      bi.console.estimates.push(`${node.path}: a shared region without a host address (Xen ${bi.version.text} takes it from its heap) is not modelled`);
      return 0;
    }
    if (prop.length === noHost) c.printk('fdt: host physical address must be chosen by users at the moment.');
    c.printk('fdt: invalid `xen,shared-mem` property.');
    return EINVAL;
  }
  const start = readDtNumber(prop, ac, 0);
  const size = readDtNumber(prop, sc, 2 * ac);
  if (size === 0) { c.printk('fdt: the size for static shared memory region can not be zero'); return EINVAL; }
  const banks = shmBanks.get(bi) ?? [];
  shmBanks.set(bi, banks);
  let found: ShmBank | undefined;
  for (const b of bi.reservedMem) {
    const end = start + size;
    const bEnd = b.start + b.size;
    const shm = banks.find((s) => s.start === b.start && s.size === b.size && b.type === 'static-shm');
    if (start === b.start && size === b.size && shm) {
      if (shm.id === id) { found = shm; break; }
      c.printk(`fdt: xen,shm-id ${id} does not match for all the nodes using the same region.`);
      return EINVAL;
    }
    if (end <= start || bEnd <= b.start) { c.printk(`fdt: static shared memory region ${id} overflow`); return EINVAL; }
    if (end <= b.start || start >= bEnd) {
      if (shm && shm.id === id) { c.printk(`fdt: different shared memory region could not share the same shm ID ${id}`); return EINVAL; }
      continue;
    }
    c.printk(`fdt: shared memory region overlap with an existing entry ${paddrAlt(b.start)} - ${paddrAlt(bEnd)}`);
    return EINVAL;
  }
  if (!found) {
    if (bi.reservedMem.length >= 256) { c.printk('Warning: Max number of supported memory regions reached.'); return ENOSPC; }
    bi.reservedMem.push({ start, size, type: 'static-shm' });
    found = { start, size, id, borrowers: 0 };
    banks.push(found);
  }
  if (!owner) found.borrowers++;
  return 0;
}

/** Guest DTB items make_resv_memory_node() adds for the domain's shared regions. */
function shmGuestItems(regions: readonly { gbase: number; id: string }[]): GuestDtbItem[] {
  if (regions.length === 0) return [];
  const items: GuestDtbItem[] = [{ node: 'reserved-memory' }, { prop: '#address-cells', len: 4 }, { prop: '#size-cells', len: 4 }, { prop: 'ranges', len: 0 }];
  for (const r of regions) {
    items.push({ node: `xen-shmem@${r.gbase.toString(16)}` }, { prop: 'compatible', len: 'xen,shared-memory-v1'.length + 1 },
      { prop: 'reg', len: 16 }, { prop: 'xen,id', len: r.id.length + 1 }, { end: true });
  }
  items.push({ end: true });
  return items;
}

/**
 * process_shm() for one domain: each xen,domain-shared-memory-v1 child. The first borrower of a
 * region with no owner gives its pages to DOMID_IO. Returns the rc and the guest DTB items.
 */
export function processShm(ctx: BuildCtx, node: DtNode, domid: number): { rc: number; items: GuestDtbItem[]; regions: { gbase: number; size: number; id: string }[] } {
  const { console, bi } = ctx;
  const d = `d${domid}`;
  const regions: { gbase: number; size: number; id: string }[] = [];
  const ac = propU32(node, '#address-cells', 2)!;
  const sc = propU32(node, '#size-cells', 1)!;
  for (const shm of node.children) {
    if (!isCompatible(shm, 'xen,domain-shared-memory-v1')) continue;
    const prop = shm.props.get('xen,shared-mem');
    if (!prop || prop.length < (2 * ac + sc) * 4) {
      console.estimates.push(`${d}: a shared region without a host address is not modelled at domain build`);
      continue;
    }
    const pbase = readDtNumber(prop, ac, 0);
    const gbase = readDtNumber(prop, ac, ac);
    const psize = readDtNumber(prop, sc, 2 * ac);
    if (pbase % PAGE !== 0 || gbase % PAGE !== 0) {
      console.printk(`${d}: physical address 0x${paddr(pbase)}, or guest address 0x${paddr(gbase)} is not suitably aligned.`);
      return { rc: EINVAL, items: [], regions };
    }
    if (psize % PAGE !== 0) { console.printk(`${d}: size 0x${paddr(psize)} is not suitably aligned`); return { rc: EINVAL, items: [], regions }; }
    if (!pagesValid(bi, pbase, psize)) {
      const bad = [...Array(Math.ceil(psize / PAGE)).keys()].map((i) => pbase + i * PAGE).find((p) => !pagesValid(bi, p, PAGE)) ?? pbase;
      console.printk(`${d}: invalid physical address 0x${(bad / PAGE).toString(16)}`);
      return { rc: EINVAL, items: [], regions };
    }
    const id = propString(shm, 'xen,shm-id') ?? '';
    const bank = staticShmBanks(bi).find((b) => b.start === pbase && b.size === psize);
    const ownedByIo = bank !== undefined && (acquired.get(bi) ?? []).some((r) => r.start === pbase);
    if (!shm.props.has('role') && !ownedByIo) {
      console.printk(`d[IO]: allocate static shared memory BANK ${paddrAlt(pbase)}-${paddrAlt(pbase + psize)}.`);
      const rc = acquireStatic(bi, pbase, psize);
      if (rc) { console.printk(`d[IO]: failed to acquire static memory: ${rc}.`, 'err'); return { rc: EINVAL, items: [], regions }; }
    } else if (shm.props.has('role')) {
      console.estimates.push(`${d}: shared region "${id}" with an explicit role (owner/borrower) is modelled as a borrower`);
    }
    regions.push({ gbase, size: psize, id });
  }
  return { rc: 0, items: shmGuestItems(regions), regions };
}

/**
 * alloc_static_evtchn(): after every domain is built, each xen,evtchn-v1 node under a domain is
 * bound to the node its phandle names, which must name it back. A failure panics.
 */
export function allocStaticEvtchns(ctx: BuildCtx, chosen: DtNode | undefined, domids: ReadonlyMap<DtNode, number>): void {
  if (!chosen) return;
  // 4.19+ builds it only with CONFIG_STATIC_EVTCHN (default y): a .config without it ignores the nodes.
  const b = ctx.bi.build;
  if (ctx.version.minor >= 19 && b.optionsFrom !== 'release defaults' && !isEnabled(b, 'STATIC_EVTCHN')) return;
  const { console } = ctx;
  const byPhandle = new Map<number, DtNode>();
  for (const n of allNodes(chosen)) {
    const ph = propU32(n, 'phandle') ?? propU32(n, 'linux,phandle');
    if (ph !== undefined) byPhandle.set(ph, n);
  }
  const done = new Set<DtNode>();
  const fail = (line: string): never => { console.printk(line, 'err'); return console.panic('Could not set up domains evtchn\n'); };
  const read = (n: DtNode): { port: number; peer: number } => {
    const v = n.props.get('xen,evtchn');
    if (!v) return fail('xen,evtchn property should not be empty.');
    if (v.length < 8) return fail('xen,evtchn property value is not valid.');
    return { port: readDtNumber(v, 1, 0), peer: readDtNumber(v, 1, 1) };
  };
  const bound = new Map<number, Set<number>>();
  for (const dom of chosen.children) {
    for (const ev of dom.children) {
      if (!isCompatible(ev, 'xen,evtchn-v1') || done.has(ev)) continue;
      const a = read(ev);
      const remote = byPhandle.get(a.peer);
      if (!remote) fail('evtchn: could not find remote evtchn phandle');
      const b = read(remote!);
      if (propU32(ev, 'phandle') !== b.peer) fail('xen,evtchn property is not setup correctly.');
      const d1 = domids.get(dom);
      const d2 = remote!.parent ? domids.get(remote!.parent) : undefined;
      if (d1 === undefined || d2 === undefined) fail('evtchn: could not find domains');
      // evtchn_allocate_port(): above max_evtchn_port, or a port already in use, is refused.
      const used1 = bound.get(d1!) ?? new Set<number>();
      if (a.port === 0 || a.port > DOMU_MAX_EVTCHN_PORT) fail(`evtchn_alloc_unbound() failure (Error ${a.port === 0 ? EBUSY : ENOSPC}) `);
      if (used1.has(a.port)) fail(`evtchn_alloc_unbound() failure (Error ${EBUSY}) `);
      const used2 = bound.get(d2!) ?? new Set<number>();
      if (b.port === 0 || b.port > DOMU_MAX_EVTCHN_PORT) fail(`evtchn_bind_interdomain() failure (Error ${b.port === 0 ? EBUSY : ENOSPC}) `);
      if (used2.has(b.port)) fail(`evtchn_bind_interdomain() failure (Error ${EBUSY}) `);
      used1.add(a.port); used2.add(b.port);
      bound.set(d1!, used1); bound.set(d2!, used2);
      done.add(ev); done.add(remote!);
    }
  }
}

/**
 * Boot modules lying in a domain's static memory bank. Xen 4.17 does not check this (4.18 refuses
 * the bank in the early scan): it builds the domain, then discard_initial_modules() gives the
 * modules' pages back to the heap and the boot scrub (bootscrub, on or idle) wipes them, so the
 * guest loses whatever Xen copied there.
 */
export function modulesInStaticBanks(bi: BootInfo, node: DtNode): { path: string; start: number; size: number }[] {
  const prop = node.props.get('xen,static-mem');
  if (!prop || !node.parent) return [];
  const ac = propU32(node.parent, '#address-cells', 2)!;
  const sc = propU32(node.parent, '#size-cells', 1)!;
  const per = (ac + sc) * 4;
  const out: { path: string; start: number; size: number }[] = [];
  for (let i = 0; i + per <= prop.length; i += per) {
    const start = readDtNumber(prop, ac, i / 4);
    const size = readDtNumber(prop, sc, i / 4 + ac);
    for (const m of bi.modules) {
      if (m.kind === 'xen' || out.some((o) => o.start === m.start)) continue;
      if (m.start < start + size && start < m.start + m.size) out.push({ path: m.path ?? paddr(m.start), start: m.start, size: m.size });
    }
  }
  return out;
}
