// A basic model of libfdt fdt_overlay.c fdt_overlay_apply() for `fdt apply`: fragments whose target
// is `target-path` (or a `target` phandle present in the base) and whose `__overlay__` properties and
// sub-nodes are merged into the target (overlay_apply_node(): setprop, then add_subnode/EXISTS → merge).
// NOT modelled: phandle renumbering, __fixups__ (symbol resolution against /__symbols__),
// __local_fixups__ and writing /__symbols__ entries. An overlay that needs those is rejected with
// -FDT_ERR_BADOVERLAY and a reason, instead of being applied wrongly.
import { E, type FdtErrno } from '../../../fdt/errors.js';
import { getPath, getpropString, pathOffset, properties, subnodes, getName, subnodeOffset, nodeOffsetByPhandle, getpropU32 } from '../../../fdt/ro.js';
import { addSubnode, setprop } from '../../../fdt/rw.js';

export interface OverlayResult { err: 0 | FdtErrno; unsupported?: string }

function mergeNode(base: Uint8Array, target: number, ov: Uint8Array, src: number, targetPath: string): 0 | FdtErrno {
  for (const p of properties(ov, src)) {
    const t = pathOffset(base, targetPath);
    const err = setprop(base, t < 0 ? target : t, p.name, p.value);
    if (err < 0) return err;
  }
  for (const child of subnodes(ov, src)) {
    const name = getName(ov, child);
    if (typeof name !== 'string') return name;
    const parent = pathOffset(base, targetPath);
    if (parent < 0) return parent;
    let off = subnodeOffset(base, parent, name);
    if (off < 0) off = addSubnode(base, parent, name);
    if (off < 0) return off;
    const childPath = `${targetPath === '/' ? '' : targetPath}/${name}`;
    const err = mergeNode(base, off, ov, child, childPath);
    if (err < 0) return err;
  }
  return 0;
}

export function applyOverlay(base: Uint8Array, overlay: Uint8Array): OverlayResult {
  for (const special of ['__fixups__', '__local_fixups__']) {
    if (pathOffset(overlay, `/${special}`) >= 0) return { err: E.BADOVERLAY, unsupported: `overlays with /${special} are not supported` };
  }
  for (const frag of subnodes(overlay, 0)) {
    const ovNode = subnodeOffset(overlay, frag, '__overlay__');
    if (ovNode < 0) continue;
    let targetPath: string | undefined;
    const tp = getpropString(overlay, frag, 'target-path');
    if (typeof tp === 'string') targetPath = tp;
    else {
      const ph = getpropU32(overlay, frag, 'target');
      if (ph < 0) return { err: E.BADOVERLAY, unsupported: 'fragment without target-path or target' };
      const t = nodeOffsetByPhandle(base, ph);
      if (t < 0) return { err: t };
      targetPath = pathOf(base, t);
    }
    const target = pathOffset(base, targetPath);
    if (target < 0) return { err: target };
    const err = mergeNode(base, target, overlay, ovNode, targetPath);
    if (err < 0) return { err };
  }
  return { err: 0 };
}

function pathOf(base: Uint8Array, node: number): string {
  const p = getPath(base, node);
  return typeof p === 'string' ? p : '/';
}
