// The guest device tree of a dom0less domU: its layout and size live in src/xen-build (the planner
// checks them too); the copy of passthrough nodes from a partial device tree is done here, on the
// simulator's parsed tree.
import type { DtNode } from './device-tree.js';
import type { GuestDtbItem } from '../../xen-build/guest-dtb.js';

export * from '../../xen-build/guest-dtb.js';

type Item = GuestDtbItem;

/** Items scan_pfdt_node() copies from a partial DT node (xen,reg / xen,path / xen,force-assign-without-iommu dropped). */
export function partialDtItems(node: DtNode, passthrough: boolean): Item[] {
  const items: Item[] = [{ node: node.name }];
  for (const [name, v] of node.props) {
    if (passthrough && (name === 'xen,reg' || name === 'xen,path' || name === 'xen,force-assign-without-iommu')) continue;
    items.push({ prop: name, len: v.length });
  }
  for (const c of node.children) items.push(...partialDtItems(c, passthrough));
  items.push({ end: true });
  return items;
}
