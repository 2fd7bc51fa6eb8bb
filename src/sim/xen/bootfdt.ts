// Early device-tree scan: RAM, reserved memory, boot modules and their kinds.
// Models xen/arch/arm/bootfdt.c as of 4.17 (HEAD: xen/common/device-tree/bootfdt.c,
// bootinfo-fdt.c): device_tree_for_each_node(), early_scan_node(), process_memory_node(),
// process_reserved_memory(), process_multiboot_node(), process_chosen_node(),
// process_domain_node(), boot_fdt_info(), boot_fdt_cmdline(), early_print_info().
// Everything here runs before Xen's console is up: panics raised here are invisible on
// the serial line of a release build without early printk (Debian's).
import { readDtNumber, readDtReg } from '../handoff.js';
import type { SparseRam } from '../ram.js';
import { BootInfo, BOOT_MODULE_KIND_NAME, NR_MEM_BANKS, type BootModuleKind, type MemBankType } from './bootinfo.js';
import { paddr } from './console.js';
import { allNodes, baseName, childCells, DEVICE_TREE_MAX_DEPTH, isCompatible, propString, propU32, type DtNode } from './device-tree.js';
import { memoryNeedsDeviceType, memreserveIsReserved } from './version.js';
import { isEnabled } from '../../xen-build/build.js';
import { earlyParseErrorPanics } from '../../xen-build/facts.js';
import { processShmNode as processStaticShmNode } from './static-mem.js';

/** XSM (FLASK) policy magic, read little-endian at the module start by has_xsm_magic(). */
export const XSM_MAGIC = 0xf97cff8c;
/** fdt_get_path() buffer in process_multiboot_node(): sizeof("/chosen/") + DT_MAX_NAME + '/' + DT_MAX_NAME + NUL. */
export const MULTIBOOT_PATH_MAX = 92;
const EINVAL = -22;
const ENOENT = -2;
const ENOSPC = -28;

interface ScanState {
  readonly bi: BootInfo;
  readonly ram: SparseRam;
  /** kind_guess: a single counter over the whole tree (static in process_multiboot_node()). */
  kindGuess: number;
  /** Module nodes process_multiboot_node() skipped, for findings. */
  readonly skippedModules: { path: string; reason: string }[];
}

/** device_tree_node_is_available(): no status, or "ok"/"okay". */
function isAvailable(node: DtNode): boolean {
  const v = node.props.get('status');
  if (!v) return true;
  const s = propString(node, 'status');
  return v.length > 0 && (s === 'ok' || s === 'okay');
}

/** device_tree_node_matches(): "name" or "name@...", not "name-foo". */
const nodeMatches = (node: DtNode, match: string): boolean => node.name === match || node.name.startsWith(`${match}@`);

/** device_tree_get_meminfo(): banks of `propName` decoded with the given cells. */
function getMeminfo(st: ScanState, node: DtNode, propName: string, ac: number, sc: number, into: 'mem' | 'reserved', type: MemBankType): number {
  if (!isAvailable(node)) return 0;
  if (ac < 1 || sc < 1) {
    st.bi.console.printk(`fdt: property \`${propName}': invalid #address-cells or #size-cells`);
    return EINVAL;
  }
  const v = node.props.get(propName);
  if (!v) return ENOENT;
  const list = into === 'mem' ? st.bi.mem : st.bi.reservedMem;
  const banks = readDtReg(v, ac, sc);
  let i = 0;
  for (; i < banks.length && list.length < NR_MEM_BANKS; i++) {
    const b = banks[i]!;
    // 4.18+: reserved banks must not overlap modules (check_reserved_regions_overlap()).
    if (into === 'reserved' && st.bi.version.minor >= 18 && st.bi.checkReservedRegionsOverlap(b.address, b.size)) return EINVAL;
    if (b.size === 0) continue;
    list.push({ start: b.address, size: b.size, type });
  }
  if (i < banks.length) {
    st.bi.console.printk('Warning: Max number of supported memory regions reached.');
    return ENOSPC;
  }
  return 0;
}

/** process_multiboot_node(). */
export function processMultibootNode(st: ScanState, node: DtNode, ac: number, sc: number): void {
  const { bi } = st;
  // Only nodes under /chosen, and only when the path fits fdt_get_path()'s 92-byte buffer.
  if (node.path.length + 1 > MULTIBOOT_PATH_MAX) {
    st.skippedModules.push({ path: node.path, reason: `path is ${node.path.length} characters; Xen reads it into a ${MULTIBOOT_PATH_MAX}-byte buffer and silently skips the module` });
    return;
  }
  if (!node.path.startsWith('/chosen')) {
    st.skippedModules.push({ path: node.path, reason: 'module node outside /chosen: Xen ignores it' });
    return;
  }
  const reg = node.props.get('reg');
  if (!reg) return bi.console.panic(`node ${node.name} missing \`reg' property\n`);
  if (reg.length < (ac + sc) * 4) return bi.console.panic(`fdt: node \`${node.name}': \`reg\` property length is too short\n`);
  const start = ac > 0 ? readDtNumber(reg, ac, 0) : 0;
  const size = sc > 0 ? readDtNumber(reg, sc, ac) : 0;

  let kind: BootModuleKind;
  if (isCompatible(node, 'xen,linux-zimage') || isCompatible(node, 'multiboot,kernel')) kind = 'kernel';
  else if (isCompatible(node, 'xen,linux-initrd') || isCompatible(node, 'multiboot,ramdisk')) kind = 'ramdisk';
  else if (isCompatible(node, 'xen,xsm-policy')) kind = 'xsm';
  else if (isCompatible(node, 'multiboot,device-tree')) kind = 'guest-dtb';
  else kind = 'unknown';

  // bootfdt.c kind_guess: the first module with only the generic compatible is the kernel, the
  // second the ramdisk; from the second on, a module starting with the XSM magic is an XSM policy.
  if (kind === 'unknown') {
    const guess = st.kindGuess++;
    if (guess === 0) kind = 'kernel';
    else if (guess === 1) kind = 'ramdisk';
    if (st.kindGuess > 1 && hasXsmMagic(st.ram, start)) kind = 'xsm';
  }

  const parent = node.parent!;
  const domU = isCompatible(parent, 'xen,domain');
  bi.addBootModule(kind, start, size, domU, node.path);

  const bootargs = node.props.get('bootargs');
  if (!bootargs) return;
  bi.addBootCmdline(parent.name, propString(node, 'bootargs') ?? '', kind, start, domU);
}

export function hasXsmMagic(ram: SparseRam, start: number): boolean {
  const b = ram.read(start, 4);
  return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true) === XSM_MAGIC;
}

/** dt_read_paddr() of a 4- or 8-byte linux,initrd-* value. */
const readInitrdProp = (v: Uint8Array): number => readDtNumber(v, v.length / 4);

/** process_chosen_node(): static heap, then linux,initrd-start/-end as a dom0 ramdisk. */
export function processChosenNode(st: ScanState, node: DtNode, ac: number, sc: number): number {
  const { bi } = st;
  if (node.props.has('xen,static-heap')) {
    bi.console.printk('Checking for static heap in /chosen');
    const rc = getMeminfo(st, node, 'xen,static-heap', ac, sc, 'reserved', 'static-heap');
    if (rc) return rc;
    bi.staticHeap = true;
  }
  bi.console.printk('Checking for initrd in /chosen');
  const s = node.props.get('linux,initrd-start');
  if (!s) return 0;
  if (s.length !== 4 && s.length !== 8) {
    bi.console.printk(`linux,initrd-start property has invalid length ${s.length}`);
    return EINVAL;
  }
  const e = node.props.get('linux,initrd-end');
  if (!e) {
    bi.console.printk('linux,initrd-end not present but -start was');
    return EINVAL;
  }
  if (e.length !== 4 && e.length !== 8) {
    bi.console.printk(`linux,initrd-end property has invalid length ${e.length}`);
    return EINVAL;
  }
  const start = readInitrdProp(s);
  const end = readInitrdProp(e);
  if (start >= end) {
    bi.console.printk(`linux,initrd limits invalid: ${paddr(start)} >= ${paddr(end)}`);
    return EINVAL;
  }
  // The last byte from 4.20 (commit 96efb13459), the end before.
  bi.console.printk(`Initrd ${paddr(start)}-${paddr(end - (bi.version.minor >= 20 ? 1 : 0))}`);
  bi.addBootModule('ramdisk', start, end - start, false);
  return 0;
}

/** process_domain_node(): only xen,static-mem is of interest this early. */
export function processDomainNode(st: ScanState, node: DtNode, ac: number, sc: number): number {
  st.bi.console.printk('Checking for "xen,static-mem" in domain node');
  if (!node.props.has('xen,static-mem')) return 0;
  // Xen e888192d13 (in unstable, and backported to Debian's 4.20.4+63): refused at parse time.
  if (!isEnabled(st.bi.build, 'STATIC_MEMORY') && st.bi.build.rejectsStaticMemAtParse) {
    st.bi.console.printk('CONFIG_STATIC_MEMORY must be enabled for parsing xen,static-mem');
    return EINVAL;
  }
  return getMeminfo(st, node, 'xen,static-mem', ac, sc, 'reserved', 'static-domain');
}

/** early_scan_node(): dispatch on name, depth and compatible, in Xen's order. */
export function earlyScanNode(st: ScanState, node: DtNode, depth: number, ac: number, sc: number): number {
  const { bi } = st;
  const v = bi.version;
  let rc = 0;
  const isMemory = nodeMatches(node, 'memory') &&
    (!memoryNeedsDeviceType(v) || (depth === 1 && propString(node, 'device_type') === 'memory'));
  if (isMemory) {
    rc = getMeminfo(st, node, 'reg', ac, sc, 'mem', 'default');
  } else if (depth === 1 && node.name === 'reserved-memory') {
    rc = processReservedMemory(st, node);
  } else if (depth <= 3 && (isCompatible(node, 'xen,multiboot-module') || isCompatible(node, 'multiboot,module'))) {
    processMultibootNode(st, node, ac, sc);
  } else if (depth === 1 && nodeMatches(node, 'chosen')) {
    rc = processChosenNode(st, node, ac, sc);
  } else if (depth === 2 && isCompatible(node, 'xen,domain')) {
    rc = processDomainNode(st, node, ac, sc);
  } else if (depth <= 3 && isCompatible(node, 'xen,domain-shared-memory-v1')) {
    rc = processShmNode(st, node, ac, sc);
  }
  if (rc < 0) bi.console.printk(`fdt: node \`${node.name}': parsing failed`);
  return rc;
}

/** process_shm_node(): a build without CONFIG_STATIC_SHM has only a stub that refuses the node. */
function processShmNode(st: ScanState, node: DtNode, ac: number, sc: number): number {
  if (!isEnabled(st.bi.build, 'STATIC_SHM')) {
    st.bi.console.printk('CONFIG_STATIC_SHM must be enabled for parsing static shared memory nodes');
    return EINVAL;
  }
  return processStaticShmNode(st.bi, node, ac, sc);
}

/** process_reserved_memory(): every descendant with a reg becomes a reserved bank; no reg is fine. */
function processReservedMemory(st: ScanState, rsv: DtNode): number {
  const walk = (n: DtNode, ac: number, sc: number): number => {
    for (const c of n.children) {
      const rc = getMeminfo(st, c, 'reg', ac, sc, 'reserved', 'reserved');
      if (rc === ENOSPC) return st.bi.console.panic('Max number of supported reserved-memory regions reached.\n');
      if (rc !== 0 && rc !== ENOENT) return rc;
      const sub = walk(c, propU32(c, '#address-cells', ac)!, propU32(c, '#size-cells', sc)!);
      if (sub) return sub;
    }
    return 0;
  };
  const { ac, sc } = childCells(rsv);
  return walk(rsv, ac, sc);
}

export interface BootFdtInfoResult {
  readonly skippedModules: { path: string; reason: string }[];
  /** 4.17/4.18: the node where the early scan stopped on an error (the rest of the tree was not read). */
  readonly stoppedAt?: { path: string; rc: number };
}

/**
 * boot_fdt_info(): /memreserve/ (4.19+ into reserved_mem), then device_tree_for_each_node() over the
 * whole tree with inherited cells, stopping at the first error. From 4.19 (commit 02d0a615b3) the
 * error is a panic("Early FDT parsing failed"); 4.17 and 4.18 ignore the walk's return value, so the
 * boot goes on with whatever was registered before the failing node.
 */
export function bootFdtInfo(bi: BootInfo, root: DtNode, memrsv: readonly { address: number; size: number }[], ram: SparseRam): BootFdtInfoResult {
  const st: ScanState = { bi, ram, kindGuess: 0, skippedModules: [] };
  if (memreserveIsReserved(bi.version)) {
    for (const r of memrsv) if (r.size > 0) bi.reservedMem.push({ start: r.address, size: r.size, type: 'memreserve' });
  }
  // device_tree_for_each_node(): cells[depth] = own value or the parent's; func gets the parent's.
  const cells: { ac: number; sc: number }[] = [];
  for (const node of allNodes(root)) {
    const depth = node.depth;
    if (depth >= DEVICE_TREE_MAX_DEPTH) { bi.console.printk(`Warning: device tree node \`${node.name}' is nested too deep`); continue; }
    const parentCells = depth > 0 ? cells[depth - 1]! : { ac: 2, sc: 1 };
    cells[depth] = { ac: propU32(node, '#address-cells', parentCells.ac)!, sc: propU32(node, '#size-cells', parentCells.sc)! };
    if (depth === 0) continue;
    const rc = earlyScanNode(st, node, depth, parentCells.ac, parentCells.sc);
    if (rc !== 0) {
      if (earlyParseErrorPanics(bi.version.minor)) return bi.console.panic(`Early FDT parsing failed (${rc})\n`);
      return { skippedModules: st.skippedModules, stoppedAt: { path: node.path, rc } };
    }
  }
  return { skippedModules: st.skippedModules };
}

/** boot_fdt_cmdline(): xen,xen-bootargs, else /chosen/bootargs only when dom0 has its own command line. */
export function bootFdtCmdline(bi: BootInfo, root: DtNode): string | undefined {
  const chosen = root.children.find((c) => baseName(c) === 'chosen' && c.name === 'chosen');
  if (!chosen) return undefined;
  if (chosen.props.has('xen,xen-bootargs')) return propString(chosen, 'xen,xen-bootargs') ?? '';
  const dom0 = bi.cmdlineByKind('kernel');
  if (chosen.props.has('xen,dom0-bootargs') || (dom0 && dom0.cmdline !== '')) {
    return chosen.props.has('bootargs') ? propString(chosen, 'bootargs') ?? '' : undefined;
  }
  return undefined;
}

/**
 * early_print_info(): the RAM/MODULE/RESVD/CMDLINE summary. A module's end is exclusive up to 4.19
 * and its last byte from 4.20 (commit 96efb13459; real 4.21.2: "MODULE[0]: 0000000042800000 - 000000004294bfff Xen").
 */
export function earlyPrintInfo(bi: BootInfo, memrsv: readonly { address: number; size: number }[]): void {
  const c = bi.console;
  const modEnd = bi.version.minor >= 20 ? 1 : 0;
  for (const b of bi.mem) c.printk(`RAM: ${paddr(b.start)} - ${paddr(b.start + b.size - 1)}`);
  c.printk('');
  for (const [i, m] of bi.modules.entries()) c.printk(`MODULE[${i}]: ${paddr(m.start)} - ${paddr(m.start + m.size - modEnd)} ${BOOT_MODULE_KIND_NAME[m.kind].padEnd(12)}`);
  let n = 0;
  // 4.17/4.18 print the /memreserve/ entries end-exclusive, then the reserved-memory banks by their
  // last byte; from 4.19 /memreserve/ entries are reserved-memory banks too (last byte).
  const rsvEnd = bi.version.minor >= 19 ? 1 : 0;
  for (const r of memrsv) { c.printk(` RESVD[${n++}]: ${paddr(r.address)} - ${paddr(r.address + r.size - rsvEnd)}`); }
  for (const r of bi.reservedMem) if (r.type !== 'memreserve') c.printk(` RESVD[${n++}]: ${paddr(r.start)} - ${paddr(r.start + r.size - 1)}`);
  c.printk('');
  for (const cmd of bi.cmdlines) c.printk(`CMDLINE[${paddr(cmd.start)}]:${cmd.dtName} ${cmd.cmdline}`);
  c.printk('');
}
