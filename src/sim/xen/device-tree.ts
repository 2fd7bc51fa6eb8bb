// Xen's two views of the host device tree:
//  * the flat blob, walked by bootfdt.c with libfdt (we use src/fdt/ro.ts), and
//  * the "unflattened" tree of dt_device_node used by everything after early boot
//    (xen/common/device_tree.c unflatten_device_tree(), dt_find_node_by_path(),
//    dt_find_node_by_alias(), dt_device_is_compatible()).
// DtNode is that unflattened tree, built once from the blob with the fdt library.
import { firstPropertyOffset, firstSubnode, getName, getpropByOffset, nextPropertyOffset, nextSubnode } from '../../fdt/ro.js';
import { readCells } from '../../fdt/cells.js';

export interface DtNode {
  /** Node name including any @unit ("" for the root). */
  readonly name: string;
  /** Full path ("/" for the root). */
  readonly path: string;
  readonly depth: number;
  /** Structure-block offset in the blob (for libfdt-style calls). */
  readonly offset: number;
  readonly parent?: DtNode;
  readonly props: ReadonlyMap<string, Uint8Array>;
  readonly children: DtNode[];
}

/** DEVICE_TREE_MAX_DEPTH: deeper nodes are ignored by Xen's early walker. */
export const DEVICE_TREE_MAX_DEPTH = 16;

/** Unflatten a blob that already passed fdt_check_header(). Negative libfdt codes end the walk quietly, as in Xen. */
export function unflattenDeviceTree(fdt: Uint8Array): DtNode {
  const build = (offset: number, name: string, path: string, depth: number, parent?: DtNode): DtNode => {
    const props = new Map<string, Uint8Array>();
    for (let p = firstPropertyOffset(fdt, offset); p >= 0; p = nextPropertyOffset(fdt, p)) {
      const prop = getpropByOffset(fdt, p);
      if (typeof prop === 'number') break;
      if (!props.has(prop.name)) props.set(prop.name, prop.value);
    }
    const node: DtNode = { name, path, depth, offset, props, children: [], ...(parent ? { parent } : {}) };
    for (let c = firstSubnode(fdt, offset); c >= 0; c = nextSubnode(fdt, c)) {
      const cname = getName(fdt, c);
      if (typeof cname === 'number') break;
      node.children.push(build(c, cname, path === '/' ? `/${cname}` : `${path}/${cname}`, depth + 1, node));
    }
    return node;
  };
  return build(0, '', '/', 0);
}

/** Nodes in document order (pre-order), as fdt_next_node() visits them. */
export function* allNodes(root: DtNode): Generator<DtNode> {
  yield root;
  for (const c of root.children) yield* allNodes(c);
}

/** Strings of a string-list property (empty strings kept). */
export function stringList(value: Uint8Array | undefined): string[] {
  if (!value || value.length === 0) return [];
  const s = Buffer.from(value).toString('latin1');
  const parts = s.split('\0');
  if (s.endsWith('\0')) parts.pop();
  return parts;
}

/** First string of a property (dt_property_read_string()), or undefined when absent/not terminated. */
export function propString(node: DtNode, name: string): string | undefined {
  const v = node.props.get(name);
  if (!v || v.length === 0) return undefined;
  const end = v.indexOf(0);
  return Buffer.from(v.subarray(0, end < 0 ? v.length : end)).toString('latin1');
}

/** device_tree_get_u32() / dt_property_read_u32(): the first cell, or `dflt` when missing or shorter than 4 bytes. */
export function propU32(node: DtNode, name: string, dflt?: number): number | undefined {
  const v = node.props.get(name);
  if (!v || v.length < 4) return dflt;
  return readCells(v, 1);
}

/**
 * dt_device_is_compatible()/fdt_node_check_compatible(): one entry of `compatible` equals `compat`
 * (Xen compares with strncasecmp over the length of `compat`, plus the terminating NUL).
 */
export function isCompatible(node: DtNode, compat: string): boolean {
  const want = compat.toLowerCase();
  return stringList(node.props.get('compatible')).some((c) => c.toLowerCase() === want);
}

/** Node name without the unit address. */
export const baseName = (node: DtNode): string => node.name.split('@')[0] ?? node.name;

/** dt_find_node_by_path(): exact full-path match, case-insensitive (dt_node_cmp). */
export function findNodeByPath(root: DtNode, path: string): DtNode | undefined {
  const want = path.toLowerCase();
  for (const n of allNodes(root)) if (n.path.toLowerCase() === want) return n;
  return undefined;
}

/** dt_find_node_by_alias(): the /aliases property `alias` names a path. */
export function findNodeByAlias(root: DtNode, alias: string): DtNode | undefined {
  const aliases = root.children.find((c) => c.name === 'aliases');
  if (!aliases) return undefined;
  const target = propString(aliases, alias);
  return target === undefined ? undefined : findNodeByPath(root, target);
}

/** #address-cells/#size-cells a node gives its children, inherited upwards (root defaults 2/1), as bootfdt.c does. */
export function childCells(node: DtNode): { ac: number; sc: number } {
  const chain: DtNode[] = [];
  for (let n: DtNode | undefined = node; n; n = n.parent) chain.unshift(n);
  let ac = 2;
  let sc = 1;
  for (const n of chain) {
    ac = propU32(n, '#address-cells', ac)!;
    sc = propU32(n, '#size-cells', sc)!;
  }
  return { ac, sc };
}
