// The device-tree edits the script makes, as data. The same list is rendered into
// `fdt mknod`/`fdt set` lines (src/emit) and applied here to a copy of the board DTB
// with our libfdt port, which gives the exact growth for `fdt resize` and proves every
// edit applies (missing paths, duplicate nodes) before the board ever sees it.
// Order and value shapes follow uboot-script-gen's device-tree editing (imagebuilder.md §9).
import { splitU64 } from '../util/align.js';
import { hexUpper, hexUpperBare } from '../util/hex.js';
import { fdtStrerror, isFdtErr } from '../fdt/errors.js';
import { offDtStrings, sizeDtStrings, totalsize } from '../fdt/header.js';
import { pathOffset } from '../fdt/ro.js';
import { addSubnode, costOfNode, openInto, setprop, stringListBytes } from '../fdt/rw.js';
import { parseTree, type FdtNode } from '../fdt/tree.js';
import { fdtTagAlign } from '../fdt/constants.js';
import { PlanError } from '../errors.js';
import type { Config } from '../config/types.js';
import type { FdtEdit, FdtValue, PlannedDomain } from './types.js';

/** ImageBuilder split_value: `0x<HI> 0x<LO> ` per value (upper case, trailing space). */
export function splitCells(values: readonly number[]): FdtValue {
  const cells: number[] = [];
  let text = '';
  for (const v of values) {
    const [hi, lo] = splitU64(v);
    cells.push(hi, lo);
    text += `${hexUpper(hi)} ${hexUpper(lo)} `;
  }
  return { kind: 'cells', cells, text };
}

/** ImageBuilder "hex" data written verbatim, e.g. `<0x2>`. */
const hexCell = (v: number): FdtValue => ({ kind: 'cells', cells: [v], text: hexUpper(v) });
/** ImageBuilder "int" data, e.g. `cpus <1>`. */
const intCell = (v: number): FdtValue => ({ kind: 'cells', cells: [v], text: String(v) });
const str = (value: string): FdtValue => ({ kind: 'string', value });
const strs = (...values: string[]): FdtValue => ({ kind: 'strings', values });

/** Unit address as ImageBuilder writes it in node names: upper-case hex, no 0x. */
export const unitName = (base: string, addr: number): string => `${base}@${hexUpperBare(addr)}`;

export interface EditInputs {
  config: Config;
  domains: PlannedDomain[];
  /** /chosen is missing from the board DTB: create it first. */
  createChosen: boolean;
}

export function buildFdtEdits({ config, domains, createChosen }: EditInputs): FdtEdit[] {
  const edits: FdtEdit[] = [];
  const set = (path: string, prop: string, value: FdtValue) => edits.push({ op: 'set', path, prop, value });
  const mknod = (parent: string, name: string) => edits.push({ op: 'mknod', parent, name });

  if (createChosen) mknod('/', 'chosen');
  set('/chosen', '#address-cells', hexCell(2));
  set('/chosen', '#size-cells', hexCell(2));
  set('/chosen', 'xen,xen-bootargs', str(config.xenCmd));

  const dom0 = domains.find((d) => d.kind === 'dom0');
  if (dom0) {
    const k = unitName('dom0', dom0.kernel.addr);
    mknod('/chosen', k);
    set(`/chosen/${k}`, 'compatible', strs('xen,linux-zimage', 'xen,multiboot-module', 'multiboot,module'));
    set(`/chosen/${k}`, 'reg', splitCells([dom0.kernel.addr, dom0.kernel.regSize]));
    set('/chosen', 'xen,dom0-bootargs', str(dom0.cmd));
    if (dom0.ramdisk) {
      const r = unitName('dom0-ramdisk', dom0.ramdisk.addr);
      mknod('/chosen', r);
      set(`/chosen/${r}`, 'compatible', strs('xen,linux-initrd', 'xen,multiboot-module', 'multiboot,module'));
      set(`/chosen/${r}`, 'reg', splitCells([dom0.ramdisk.addr, dom0.ramdisk.regSize]));
    }
  }

  for (const du of config.domUs) {
    // Host nodes are marked for passthrough even for domUs that are not booted (ImageBuilder §9.4 step 1).
    for (const p of du.passthroughPaths) set(p, 'xen,passthrough', strs());
    if (!du.boot) continue;
    const d = domains.find((x) => x.kind === 'domU' && x.index === du.index);
    if (!d) continue;
    const node = `/chosen/${d.name}`;
    mknod('/chosen', d.name);
    set(node, 'compatible', str('xen,domain'));
    set(node, '#address-cells', hexCell(2));
    set(node, '#size-cells', hexCell(2));
    set(node, 'memory', splitCells([du.memMB * 1024]));
    set(node, 'cpus', intCell(du.vcpus));
    if (du.vpl011) set(node, 'vpl011', { kind: 'empty' });
    if (du.enhanced) set(node, 'xen,enhanced', str(du.enhanced));
    const k = unitName('module', d.kernel.addr);
    mknod(node, k);
    set(`${node}/${k}`, 'compatible', strs('multiboot,kernel', 'multiboot,module'));
    set(`${node}/${k}`, 'reg', splitCells([d.kernel.addr, d.kernel.regSize]));
    set(`${node}/${k}`, 'bootargs', str(du.cmd));
    if (d.ramdisk) {
      const r = unitName('module', d.ramdisk.addr);
      mknod(node, r);
      set(`${node}/${r}`, 'compatible', strs('multiboot,ramdisk', 'multiboot,module'));
      set(`${node}/${r}`, 'reg', splitCells([d.ramdisk.addr, d.ramdisk.regSize]));
    }
    if (d.passthroughDtb) {
      const t = unitName('module', d.passthroughDtb.addr);
      mknod(node, t);
      set(`${node}/${t}`, 'compatible', strs('multiboot,device-tree', 'multiboot,module'));
      set(`${node}/${t}`, 'reg', splitCells([d.passthroughDtb.addr, d.passthroughDtb.regSize]));
    }
  }
  return edits;
}

/** The bytes U-Boot's `fdt set` would store for a value. */
export function valueBytes(v: FdtValue): Uint8Array {
  switch (v.kind) {
    case 'cells': {
      const out = new Uint8Array(v.cells.length * 4);
      const dv = new DataView(out.buffer);
      v.cells.forEach((c, i) => dv.setUint32(i * 4, c >>> 0, false));
      return out;
    }
    case 'string': return stringListBytes([v.value]);
    case 'strings': return stringListBytes(v.values);
    case 'empty': return new Uint8Array(0);
  }
}

const usedBytes = (fdt: Uint8Array): number => offDtStrings(fdt) + sizeDtStrings(fdt);

/**
 * Apply the edits to a private copy of the DTB with the libfdt port, as U-Boot will, and
 * return how many bytes they add and the edited blob. The planner uses growthOfEdits(),
 * which is linear; this is the reference the tests hold it to. Throws PlanError naming the
 * edit when one would fail on the board.
 */
export function measureEdits(dtb: Uint8Array, edits: readonly FdtEdit[], what: string): { growth: number; edited: Uint8Array } {
  const before = usedBytes(dtb);
  let room = 64 * 1024 + edits.length * 256;
  for (;;) {
    // fdt_open_into() moves a canonical blob whole, so the buffer must hold its padded totalsize too.
    const buf = new Uint8Array(Math.max(before, totalsize(dtb)) + room);
    const rc = openInto(dtb, buf, buf.length);
    if (rc !== 0) throw new PlanError('FDT_ERR_BADSTRUCTURE', `${what}: cannot open the device tree for editing (${fdtStrerror(rc)})`);
    const res = applyEdits(buf, edits, what);
    if (res === 'nospace') { room *= 4; continue; }
    return { growth: usedBytes(buf) - before, edited: buf.subarray(0, totalsize(buf)) };
  }
}

/** The edit would fail on the board because its node is missing (libfdt FDT_ERR_NOTFOUND). */
function missingNode(what: string, at: string, e: FdtEdit, err = 'FDT_ERR_NOTFOUND'): PlanError {
  return new PlanError('FDT_ERR_NOTFOUND', `${what} has no node ${at}, so \`${describeEdit(e)}\` would fail on the board (${err})`,
    { path: at }, undefined, 'check the path (DOMU_PASSTHROUGH_PATHS entries must name existing nodes of DEVICE_TREE)');
}

/** The edit would fail on the board with another libfdt error (FDT_ERR_EXISTS for a node made twice). */
function editFails(what: string, e: FdtEdit, rc: number): PlanError {
  return new PlanError(fdtStrerror(rc) as `FDT_ERR_${string}`, `\`${describeEdit(e)}\` fails on ${what}: ${fdtStrerror(rc)}`, { edit: e },
    undefined, rc === -2 ? 'the device tree already has this node: pass the unedited board DTB' : undefined);
}

function applyEdits(fdt: Uint8Array, edits: readonly FdtEdit[], what: string): 'ok' | 'nospace' {
  for (const e of edits) {
    const path = e.op === 'mknod' ? e.parent : e.path;
    const node = pathOffset(fdt, path);
    if (isFdtErr(node)) throw missingNode(what, path, e, fdtStrerror(node));
    const rc = e.op === 'mknod' ? addSubnode(fdt, node, e.name) : setprop(fdt, node, e.prop, valueBytes(e.value));
    if (rc === -3) return 'nospace';
    if (isFdtErr(rc)) throw editFails(what, e, rc);
  }
  return 'ok';
}

export function describeEdit(e: FdtEdit): string {
  return e.op === 'mknod' ? `fdt mknod ${e.parent} ${e.name}` : `fdt set ${e.path} ${e.prop}`;
}

// ---- the same growth, computed on a live tree ----

/** libfdt fdt_nodename_eq_(): a wanted name without '@' also matches `name@unit`. */
function nodeNameMatches(actual: string, wanted: string): boolean {
  if (actual === wanted) return true;
  return !wanted.includes('@') && actual.startsWith(`${wanted}@`);
}

/**
 * Bytes the edits add, by libfdt's accounting (fdt_rw.c): a new node costs 8 + align4(name+1),
 * a new property 12 + align4(len) plus its name unless the strings block already holds it as
 * any NUL-terminated tail (fdt_find_string_len_()), a replaced property align4(new) − align4(old).
 * Equal to measureEdits().growth (tests check both on the same inputs), but linear: each path is
 * looked up in a live tree instead of walking the blob from its root for every edit.
 * Throws PlanError as measureEdits() does when an edit would fail on the board.
 */
export function growthOfEdits(dtb: Uint8Array, edits: readonly FdtEdit[], what: string): number {
  const tree = parseTree(dtb);
  let strings = Buffer.from(dtb.subarray(offDtStrings(dtb), offDtStrings(dtb) + sizeDtStrings(dtb))).toString('latin1');
  const childIndex = new Map<FdtNode, Map<string, FdtNode>>();
  const lookup = (node: FdtNode, name: string): FdtNode | undefined => {
    let idx = childIndex.get(node);
    if (!idx) {
      idx = new Map();
      for (const c of node.children) idx.set(c.name, c);
      childIndex.set(node, idx);
    }
    return idx.get(name) ?? (name.includes('@') ? undefined : node.children.find((c) => nodeNameMatches(c.name, name)));
  };
  // fdt_path_offset(): a first component without a leading '/' names an alias (BADPATH if none).
  const aliases = tree.root.children.find((c) => c.name === 'aliases');
  const resolve = (p: string): FdtNode | 'FDT_ERR_BADPATH' | 'FDT_ERR_NOTFOUND' => {
    let full = p;
    if (!p.startsWith('/')) {
      const cut = p.indexOf('/');
      const alias = aliases?.props.find((a) => a.name === (cut < 0 ? p : p.slice(0, cut)));
      if (!alias) return 'FDT_ERR_BADPATH';
      full = Buffer.from(alias.value).toString('latin1').replace(/\0.*$/s, '') + (cut < 0 ? '' : p.slice(cut));
    }
    let node: FdtNode | undefined = tree.root;
    for (const part of full.split('/').filter((x) => x.length > 0)) {
      node = node && lookup(node, part);
      if (!node) return 'FDT_ERR_NOTFOUND';
    }
    return node;
  };
  let growth = 0;
  for (const e of edits) {
    const at = e.op === 'mknod' ? e.parent : e.path;
    const node = resolve(at);
    if (typeof node === 'string') throw missingNode(what, at, e, node);
    if (e.op === 'mknod') {
      if (lookup(node, e.name)) throw editFails(what, e, -2);
      const child: FdtNode = { name: e.name, props: [], children: [] };
      node.children.unshift(child);
      childIndex.get(node)?.set(e.name, child);
      growth += costOfNode(e.name);
    } else {
      const len = valueBytes(e.value).length;
      const old = node.props.find((p) => p.name === e.prop);
      if (old) {
        growth += fdtTagAlign(len) - fdtTagAlign(old.value.length);
        old.value = new Uint8Array(len);
      } else {
        node.props.unshift({ name: e.prop, value: new Uint8Array(len) });
        growth += 12 + fdtTagAlign(len);
        if (!strings.includes(`${e.prop}\0`)) { growth += Buffer.byteLength(e.prop, 'latin1') + 1; strings += `${e.prop}\0`; }
      }
    }
  }
  return growth;
}
