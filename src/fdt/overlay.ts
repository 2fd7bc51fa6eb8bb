// Models dtc libfdt/fdt_overlay.c (v1.7.x) fdt_overlay_apply(): what U-Boot's `fdt apply` and
// dtc's fdtoverlay do to a base tree and an overlay, step for step, so that the blob left in RAM
// (and its size, which `fdt resize` must leave room for) is the one the board gets:
//   1. every phandle of the overlay is raised by the base's largest phandle;
//   2. references inside the overlay (/__local_fixups__) are raised by the same amount;
//   3. references to the base (/__fixups__) are resolved through the base's /__symbols__;
//   4. an overlay node that lands on a base node which already has a phandle takes the base's
//      phandle (libfdt 1.7.1 and later), so references in the base keep working;
//   5. each fragment's __overlay__ is merged into its target (target phandle, else target-path);
//   6. the overlay's /__symbols__ are added to the base's, rewritten to their place in the base.
// Both blobs are edited in place. On success the overlay's magic is erased (it has been damaged);
// on failure both magics are, because either tree may be half edited: that is what a board shows.
import { E, type FdtErrno } from './errors.js';
import { ld32_, nextNode, roProbe, setMagic, st32_ } from './header.js';
import {
  getName, getPath, getPhandle, getprop, nodeOffsetByPhandle, pathOffset, properties,
  subnodeOffset, subnodes,
} from './ro.js';
import { addSubnode, setprop, setpropPlaceholder } from './rw.js';
import { bytesToStr } from './strings.js';

const NO_PHANDLE = 0xffffffff;

export interface OverlayOptions {
  /**
   * Step 4: keep the base's phandle when an overlay node with its own phandle lands on a base node
   * that has one (libfdt 1.7.1, 2024). Older libfdt, such as dtc 1.6.1's fdtoverlay, overwrites it.
   */
  keepBasePhandles?: boolean;
}

/**
 * Apply `overlay` to `base`, both edited in place.
 * @returns 0, or
 *   -FDT_ERR_NOSPACE     the base has too little free space for the merged nodes and properties
 *   -FDT_ERR_NOTFOUND    a target path, a symbol or its node is missing in the base
 *   -FDT_ERR_BADOVERLAY  malformed overlay (fragment without target, bad fixup, fixup to a missing place)
 *   -FDT_ERR_BADPHANDLE, -FDT_ERR_NOPHANDLES, -FDT_ERR_BADVALUE, or a structure error of either blob
 * @see libfdt fdt_overlay.c fdt_overlay_apply()
 */
export function applyOverlay(base: Uint8Array, overlay: Uint8Array, opts: OverlayOptions = {}): 0 | FdtErrno {
  const err = applySteps(base, overlay, opts.keepBasePhandles ?? true);
  setMagic(overlay, NO_PHANDLE);
  if (err < 0) setMagic(base, NO_PHANDLE);
  return err;
}

function applySteps(base: Uint8Array, overlay: Uint8Array, keepBasePhandles: boolean): 0 | FdtErrno {
  for (const blob of [base, overlay]) {
    const p = roProbe(blob);
    if (p < 0) return p;
  }
  const delta = maxPhandle(base);
  if (delta < 0) return delta;
  let err = raisePhandles(overlay, 0, delta);
  if (err < 0) return err;
  const localFixups = pathOffset(overlay, '/__local_fixups__');
  if (localFixups >= 0) {
    err = forEachLocalReference(overlay, 0, localFixups, (ref) => ref + delta);
    if (err < 0) return err;
  } else if (localFixups !== E.NOTFOUND) return localFixups;
  err = resolveBaseReferences(base, overlay);
  if (err < 0) return err;
  if (keepBasePhandles) {
    err = keepPhandlesOfBase(base, overlay);
    if (err < 0) return err;
  }
  err = mergeFragments(base, overlay);
  if (err < 0) return err;
  return addSymbols(base, overlay);
}

/** Largest phandle in the tree (0 when none). @see libfdt fdt_ro.c fdt_find_max_phandle() */
export function maxPhandle(fdt: Uint8Array): number | FdtErrno {
  let max = 0;
  let offset = nextNode(fdt, -1);
  for (; offset >= 0; offset = nextNode(fdt, offset)) {
    const ph = getPhandle(fdt, offset);
    if (ph === NO_PHANDLE) return E.BADPHANDLE;
    if (ph > max) max = ph;
  }
  return offset === E.NOTFOUND ? max : offset;
}

function raisePhandle(fdt: Uint8Array, node: number, name: string, delta: number): 0 | FdtErrno {
  const v = getprop(fdt, node, name);
  if (typeof v === 'number') return v === E.NOTFOUND ? 0 : v;
  if (v.length !== 4) return E.BADPHANDLE;
  const old = ld32_(v, 0);
  const raised = old + delta;
  if (raised >= NO_PHANDLE) return E.NOPHANDLES;
  st32_(v, 0, raised);
  return 0;
}

/** Step 1, over the whole overlay. @see overlay_adjust_node_phandles() */
function raisePhandles(overlay: Uint8Array, node: number, delta: number): 0 | FdtErrno {
  for (const name of ['phandle', 'linux,phandle']) {
    const err = raisePhandle(overlay, node, name, delta);
    if (err < 0) return err;
  }
  for (const child of subnodes(overlay, node)) {
    const err = raisePhandles(overlay, child, delta);
    if (err < 0) return err;
  }
  return 0;
}

/**
 * Walk /__local_fixups__ alongside the tree: each fixup property lists byte offsets, inside the
 * tree property of the same name, of a cell holding a phandle of the overlay; `update` gives its new
 * value. Used by step 2 (raise by delta) and step 4 (swap one phandle for the base's).
 * @see overlay_update_local_node_references(), overlay_update_node_conflicting_references()
 */
function forEachLocalReference(overlay: Uint8Array, treeNode: number, fixupNode: number, update: (ref: number) => number): 0 | FdtErrno {
  for (const fixup of properties(overlay, fixupNode)) {
    if (fixup.value.length % 4 !== 0) return E.BADOVERLAY;
    const target = getprop(overlay, treeNode, fixup.name);
    if (typeof target === 'number') return target === E.NOTFOUND ? E.BADOVERLAY : target;
    for (let i = 0; i < fixup.value.length; i += 4) {
      const at = ld32_(fixup.value, i);
      // libfdt trusts the offset; a cell outside the property is a malformed overlay here, never a stray write.
      if (at + 4 > target.length) return E.BADOVERLAY;
      st32_(target, at, update(ld32_(target, at)) >>> 0);
    }
  }
  for (const fixupChild of subnodes(overlay, fixupNode)) {
    const name = getName(overlay, fixupChild);
    if (typeof name === 'number') return name;
    const treeChild = subnodeOffset(overlay, treeNode, name);
    if (treeChild < 0) return treeChild === E.NOTFOUND ? E.BADOVERLAY : treeChild;
    const err = forEachLocalReference(overlay, treeChild, fixupChild, update);
    if (err < 0) return err;
  }
  return 0;
}

/** Step 3: each /__fixups__ property names a base label and lists "path:property:offset" places. @see overlay_fixup_phandles() */
function resolveBaseReferences(base: Uint8Array, overlay: Uint8Array): 0 | FdtErrno {
  const fixups = pathOffset(overlay, '/__fixups__');
  if (fixups === E.NOTFOUND) return 0;
  if (fixups < 0) return fixups;
  const symbols = pathOffset(base, '/__symbols__');
  if (symbols < 0 && symbols !== E.NOTFOUND) return symbols;
  for (const fixup of properties(overlay, fixups)) {
    const err = resolveLabel(base, overlay, symbols, fixup.name, fixup.value);
    if (err < 0) return err;
  }
  return 0;
}

function resolveLabel(base: Uint8Array, overlay: Uint8Array, symbols: number, label: string, places: Uint8Array): 0 | FdtErrno {
  if (symbols < 0) return symbols;
  const symbolPath = getprop(base, symbols, label);
  if (typeof symbolPath === 'number') return symbolPath;
  const nul = symbolPath.indexOf(0);
  const node = pathOffset(base, bytesToStr(symbolPath, 0, nul < 0 ? symbolPath.length : nul));
  if (node < 0) return node;
  const phandle = getPhandle(base, node);
  if (!phandle) return E.NOTFOUND;
  let at = 0;
  do {
    const end = places.indexOf(0, at);
    if (end < 0) return E.BADOVERLAY;
    const place = bytesToStr(places, at, end);
    at = end + 1;
    const m = /^([^:]*):([^:]+):(\d+)$/.exec(place);
    // libfdt reads the offset with strtoul: digits only, all of the rest of the string.
    if (!m) return E.BADOVERLAY;
    const err = writeCell(overlay, m[1]!, m[2]!, Number(m[3]), phandle);
    if (err < 0) return err;
  } while (at < places.length);
  return 0;
}

/** fdt_setprop_inplace_namelen_partial() of one cell at byte `offset` of `path`'s property `name`. */
function writeCell(overlay: Uint8Array, path: string, name: string, offset: number, value: number): 0 | FdtErrno {
  const node = pathOffset(overlay, path);
  if (node < 0) return node === E.NOTFOUND ? E.BADOVERLAY : node;
  const prop = getprop(overlay, node, name);
  if (typeof prop === 'number') return prop;
  if (offset + 4 > prop.length) return E.NOSPACE;
  st32_(prop, offset, value);
  return 0;
}

/** The base node a fragment applies to: `target` phandle first, else `target-path`. @see fdt_overlay_target_offset() */
function fragmentTarget(base: Uint8Array, overlay: Uint8Array, fragment: number): { node: number; path?: string } | FdtErrno {
  const t = getprop(overlay, fragment, 'target');
  if (typeof t !== 'number') {
    if (t.length !== 4 || ld32_(t, 0) === NO_PHANDLE) return E.BADPHANDLE;
    // A phandle of 0 counts as "no phandle": fall through to target-path, as libfdt does.
    if (ld32_(t, 0) !== 0) {
      const node = nodeOffsetByPhandle(base, ld32_(t, 0));
      return node < 0 ? node : { node };
    }
  }
  const p = getprop(overlay, fragment, 'target-path');
  if (typeof p === 'number') return p === E.NOTFOUND ? E.BADOVERLAY : p;
  const nul = p.indexOf(0);
  const path = bytesToStr(p, 0, nul < 0 ? p.length : nul);
  const node = pathOffset(base, path);
  return node < 0 ? node : { node, path };
}

/** Each fragment's `__overlay__` node, in blob order (fragments without one are skipped). */
function* fragments(overlay: Uint8Array): Generator<{ fragment: number; body: number } | FdtErrno> {
  for (const fragment of subnodes(overlay, 0)) {
    const body = subnodeOffset(overlay, fragment, '__overlay__');
    if (body === E.NOTFOUND) continue;
    yield body < 0 ? body : { fragment, body };
  }
}

/** Step 4. @see overlay_prevent_phandle_overwrite() */
function keepPhandlesOfBase(base: Uint8Array, overlay: Uint8Array): 0 | FdtErrno {
  for (const f of fragments(overlay)) {
    if (typeof f === 'number') return f;
    const target = fragmentTarget(base, overlay, f.fragment);
    if (target === E.NOTFOUND) continue;
    if (typeof target === 'number') return target;
    const err = keepPhandlesUnder(base, target.node, overlay, f.body);
    if (err < 0) return err;
  }
  return 0;
}

function keepPhandlesUnder(base: Uint8Array, baseNode: number, overlay: Uint8Array, overlayNode: number): 0 | FdtErrno {
  const basePhandle = getPhandle(base, baseNode);
  const overlayPhandle = getPhandle(overlay, overlayNode);
  if (basePhandle && overlayPhandle) {
    for (const name of ['phandle', 'linux,phandle']) {
      const v = getprop(overlay, overlayNode, name);
      if (typeof v !== 'number' && v.length === 4) st32_(v, 0, basePhandle);
    }
    const localFixups = pathOffset(overlay, '/__local_fixups__');
    if (localFixups >= 0) {
      const err = forEachLocalReference(overlay, 0, localFixups, (ref) => (ref === overlayPhandle ? basePhandle : ref));
      if (err < 0) return err;
    } else if (localFixups !== E.NOTFOUND) return localFixups;
  }
  for (const child of subnodes(overlay, overlayNode)) {
    const name = getName(overlay, child);
    if (typeof name === 'number') return name;
    const baseChild = subnodeOffset(base, baseNode, name);
    if (baseChild === E.NOTFOUND) continue;
    if (baseChild < 0) return baseChild;
    const err = keepPhandlesUnder(base, baseChild, overlay, child);
    if (err < 0) return err;
  }
  return 0;
}

/** Step 5. @see overlay_merge(), overlay_apply_node() */
function mergeFragments(base: Uint8Array, overlay: Uint8Array): 0 | FdtErrno {
  for (const f of fragments(overlay)) {
    if (typeof f === 'number') return f;
    const target = fragmentTarget(base, overlay, f.fragment);
    if (typeof target === 'number') return target;
    const err = mergeNode(base, target.node, overlay, f.body);
    if (err < 0) return err;
  }
  return 0;
}

function mergeNode(base: Uint8Array, target: number, overlay: Uint8Array, node: number): 0 | FdtErrno {
  // Offsets in the base move with every insertion before them, but never the target's own: libfdt
  // inserts properties and sub-nodes inside the target, after its BEGIN_NODE tag.
  for (const p of properties(overlay, node)) {
    const err = setprop(base, target, p.name, p.value);
    if (err < 0) return err;
  }
  for (const child of subnodes(overlay, node)) {
    const name = getName(overlay, child);
    if (typeof name === 'number') return name;
    let at = addSubnode(base, target, name);
    if (at === E.EXISTS) {
      at = subnodeOffset(base, target, name);
      if (at === E.NOTFOUND) return E.INTERNAL;
    }
    if (at < 0) return at;
    const err = mergeNode(base, at, overlay, child);
    if (err < 0) return err;
  }
  return 0;
}

/** Step 6. @see overlay_symbol_update() */
function addSymbols(base: Uint8Array, overlay: Uint8Array): 0 | FdtErrno {
  const overlaySymbols = subnodeOffset(overlay, 0, '__symbols__');
  if (overlaySymbols < 0) return 0;
  let baseSymbols = subnodeOffset(base, 0, '__symbols__');
  if (baseSymbols === E.NOTFOUND) baseSymbols = addSubnode(base, 0, '__symbols__');
  if (baseSymbols < 0) return baseSymbols;
  for (const sym of properties(overlay, overlaySymbols)) {
    const v = sym.value;
    if (v.length < 1 || v.indexOf(0) !== v.length - 1) return E.BADVALUE;
    const path = bytesToStr(v, 0, v.length - 1);
    if (!path.startsWith('/')) return E.BADVALUE;
    const slash = path.indexOf('/', 1);
    if (slash < 0) continue; // a symbol outside every fragment never reaches the base
    const rest = path.slice(slash);
    let relative: string;
    if (rest.startsWith('/__overlay__/') && rest.length > '/__overlay__/'.length) relative = rest.slice('/__overlay__/'.length);
    else if (rest === '/__overlay__') relative = '';
    else continue;
    const fragment = subnodeOffset(overlay, 0, path.slice(1, slash));
    if (fragment < 0) return E.BADOVERLAY;
    if (subnodeOffset(overlay, fragment, '__overlay__') < 0) return E.BADOVERLAY;
    const target = fragmentTarget(base, overlay, fragment);
    if (typeof target === 'number') return target;
    let targetPath = target.path;
    if (targetPath === undefined) {
      const p = getPath(base, target.node);
      if (typeof p === 'number') return p;
      targetPath = p;
    }
    const value = `${targetPath === '/' ? '' : targetPath}/${relative}`;
    // The property is sized first, then written, as libfdt does (same layout of the base's strings and struct).
    const data = setpropPlaceholder(base, baseSymbols, sym.name, value.length + 1);
    if (data < 0) return data;
    const bytes = new TextEncoder().encode(value);
    base.set(bytes, data);
    base[data + bytes.length] = 0;
  }
  return 0;
}
