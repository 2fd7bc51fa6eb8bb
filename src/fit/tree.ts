// The device tree dtc compiles from the .its ImageBuilder writes, built from the same FitSpec (never by
// parsing the text): node and property order is the .its order, so the blob is dtc's byte for byte.
import { encodeCells, type FdtNode, type FdtTree, stringListBytes } from '../fdt/index.js';
import { FIT_DESCRIPTION, FIT_UNSIGNED_HASH, type FitImage, type FitSpec } from './types.js';

const str = (name: string, value: string) => ({ name, value: stringListBytes([value]) });
const strs = (name: string, values: readonly string[]) => ({ name, value: stringListBytes(values) });
const cell = (name: string, value: number) => ({ name, value: encodeCells([value], 1) });

function imageNode(image: FitImage, spec: FitSpec): FdtNode {
  const props = [str('description', image.description), { name: 'data', value: image.data }, str('type', image.type)];
  if (image.arch) props.push(str('arch', image.arch));
  if (image.os) props.push(str('os', image.os));
  props.push(str('compression', 'none'));
  if (image.compatible !== undefined) props.push(str('compatible', image.compatible));
  props.push(cell('load', image.load));
  if (image.entry !== undefined) props.push(cell('entry', image.entry));
  const protect: FdtNode = spec.signing
    ? { name: 'signature', props: [str('algo', spec.signing.algo), str('key-name-hint', spec.signing.keyHint)], children: [] }
    : { name: 'hash', props: [str('algo', spec.hashAlgo ?? FIT_UNSIGNED_HASH)], children: [] };
  return { name: image.name, props, children: [protect] };
}

/** The tree of the .its, before mkimage adds timestamps, hash values and signatures. */
export function fitSourceTree(spec: FitSpec): FdtTree {
  const c = spec.configuration;
  const config: FdtNode = { name: 'config', props: [str('description', c.description), str('kernel', c.kernel)], children: [] };
  if (c.fdt.length > 0) config.props.push(strs('fdt', c.fdt));
  if (c.ramdisk !== undefined) config.props.push(str('ramdisk', c.ramdisk));
  if (c.fpga !== undefined) config.props.push(str('fpga', c.fpga));
  if (c.loadables !== undefined) config.props.push(strs('loadables', c.loadables));
  const root: FdtNode = {
    name: '',
    props: [str('description', FIT_DESCRIPTION), cell('#address-cells', 1)],
    children: [
      { name: 'images', props: [], children: spec.images.map((i) => imageNode(i, spec)) },
      { name: 'configurations', props: [str('default', 'config')], children: [config] },
    ],
  };
  return { root, memRsv: [], bootCpuidPhys: 0 };
}
