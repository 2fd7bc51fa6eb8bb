// What file `inspect` was given, told by its content (never by its name alone): a legacy script
// image (boot/image-board.c image_locate_script(), legacy branch: header CRC, data CRC, type,
// part 0 is the script), a FIT whose script image `source ADDR:NAME` runs, or plain text.
import { parseTree, type FdtNode } from '../fdt/tree.js';
import { getStringList } from '../fdt/ro.js';
import { detectFormat } from '../images/registry.js';
import { textKind } from '../images/probe-file.js';
import {
  IH_MAGIC, IH_TYPE_MULTI, IH_TYPE_SCRIPT, UIMAGE_HEADER_SIZE, multiImageParts, parseUImageHeader, uimageArchName, uimageCompName,
  uimageDataCrc, uimageHeaderCrc, uimageOsName, uimageTypeName,
} from '../images/uimage.js';
import { codeInfo, ImageFormatError, UbootGenError, type Code } from '../errors.js';
import { hexPad } from '../util/hex.js';
import * as path from 'node:path';
import type { FitImageSummary, ImagePart, InspectFinding, LegacyHeader, ScriptSection } from './types.js';

export interface ScriptInput {
  section: Omit<ScriptSection, 'text'>;
  /** The script text U-Boot would run (bytes as latin1 characters), or undefined when there is none to run. */
  text?: string;
  /** Images of a FIT by name, for `imxtract`. */
  fitImages?: ReadonlyMap<string, Uint8Array>;
  findings: InspectFinding[];
}

export const FDT_MAGIC = 0xd00dfeed;

const be32 = (b: Uint8Array, o: number): number => (b.length >= o + 4 ? ((b[o]! << 24) >>> 0) + (b[o + 1]! << 16) + (b[o + 2]! << 8) + b[o + 3]! : -1);

/** A finding of a code of the table, its fix the table's unless a better one is given. */
export function finding(code: Code, check: string, message: string, line?: number, fix?: string): InspectFinding {
  const info = codeInfo(code);
  return { code, level: info.severity, check, ...(line !== undefined ? { line } : {}), message, fix: fix ?? info.fix };
}

const latin1 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');

function legacy(bytes: Uint8Array, fullPath: string): ScriptInput {
  const h = parseUImageHeader(bytes, fullPath);
  const file = path.basename(fullPath);
  const findings: InspectFinding[] = [];
  const available = Math.max(0, bytes.length - UIMAGE_HEADER_SIZE);
  const data = bytes.subarray(UIMAGE_HEADER_SIZE, UIMAGE_HEADER_SIZE + Math.min(h.size, available));
  const headerCrc = { stored: h.hcrc, computed: uimageHeaderCrc(bytes), ok: false };
  headerCrc.ok = headerCrc.stored === headerCrc.computed;
  const dataCrc = { stored: h.dcrc, computed: uimageDataCrc(data), ok: false };
  dataCrc.ok = dataCrc.stored === dataCrc.computed && h.size <= available;
  if (h.size > available) {
    findings.push(finding('IMAGE_TRUNCATED', 'script-image', `${file}: ih_size says ${h.size} bytes of data, but only ${available} follow the header`));
  }
  if (!headerCrc.ok) {
    findings.push(finding('IMAGE_BAD_CRC', 'script-image', `${file}: bad header CRC (stored 0x${hexPad(h.hcrc, 8)}, computed 0x${hexPad(headerCrc.computed, 8)}): U-Boot's \`source\` stops with "Bad header crc"`));
  }
  if (!dataCrc.ok && h.size <= available) {
    findings.push(finding('IMAGE_BAD_CRC', 'script-image', `${file}: bad data CRC (stored 0x${hexPad(h.dcrc, 8)}, computed 0x${hexPad(dataCrc.computed, 8)}): U-Boot's \`source\` stops with "Bad data crc"`));
  }
  if (h.type !== IH_TYPE_SCRIPT) {
    findings.push(finding('IMAGE_WRONG_TYPE', 'script-image', `${file} is a ${uimageTypeName(h.type)} image, not a script: U-Boot's \`source\` stops with "Bad image type"`, undefined,
      'wrap the script with `mkimage -A arm64 -T script -C none -d boot.source boot.scr`'));
  }
  let parts: ImagePart[] = [];
  let text: string | undefined;
  if (h.type === IH_TYPE_SCRIPT || h.type === IH_TYPE_MULTI) {
    try {
      parts = multiImageParts(data, file).map((p) => ({ ...p, runs: p.index === 0 && h.type === IH_TYPE_SCRIPT }));
    } catch (e) {
      if (!(e instanceof UbootGenError)) throw e;
      findings.push(finding(e.code, 'script-image', `${file}: the payload's length table is cut short: ${e.message}`));
    }
    const first = parts[0];
    if (h.type === IH_TYPE_SCRIPT && first) text = latin1(data.subarray(first.offset, first.offset + first.length));
  }
  const image: LegacyHeader = {
    magic: h.magic, name: h.name, time: h.time, size: h.size, load: h.load, entry: h.ep,
    os: { id: h.os, name: uimageOsName(h.os) }, arch: { id: h.arch, name: uimageArchName(h.arch) },
    type: { id: h.type, name: uimageTypeName(h.type) }, compression: { id: h.comp, name: uimageCompName(h.comp) },
    headerCrc, dataCrc, parts,
  };
  return { section: { kind: 'script-image', file: fullPath, bytes: bytes.length, image }, ...(text !== undefined ? { text } : {}), findings };
}

const propText = (n: FdtNode, name: string): string | undefined => {
  const p = n.props.find((x) => x.name === name);
  return p ? getStringList(p.value)[0] : undefined;
};

function fit(bytes: Uint8Array, file: string, fitImage: string | undefined): ScriptInput {
  const tree = parseTree(bytes.byteOffset % 8 === 0 ? bytes : bytes.slice(), file);
  const imagesNode = tree.root.children.find((c) => c.name === 'images');
  if (!imagesNode) {
    throw new ImageFormatError('IMAGE_WRONG_TYPE', `${file} is a device tree without /images, not a script or a FIT`, { path: file }, { file },
      'give the boot script (boot.scr or boot.source), or the FIT that holds it');
  }
  const data = new Map<string, Uint8Array>();
  const images: FitImageSummary[] = imagesNode.children.map((n) => {
    const d = n.props.find((p) => p.name === 'data')?.value;
    const ext = n.props.find((p) => p.name === 'data-size')?.value;
    if (d) data.set(n.name, d);
    const type = propText(n, 'type') ?? '';
    return { name: n.name, type, description: propText(n, 'description') ?? '', size: d ? d.length : ext && ext.length === 4 ? be32(ext, 0) : 0, script: false };
  });
  const scripts = images.filter((i) => i.type === 'script');
  const chosen = fitImage ?? (scripts.some((s) => s.name === 'boot_scr') ? 'boot_scr' : scripts[0]?.name);
  const findings: InspectFinding[] = [];
  const script = images.find((i) => i.name === chosen && i.type === 'script');
  if (script) script.script = true;
  else {
    findings.push(finding('IMAGE_WRONG_TYPE', 'fit-script', chosen === undefined
      ? `${file} is a FIT without a script image (type "script"): \`source ADDR:NAME\` has nothing to run`
      : `${file} has no script image "${chosen}": \`source ADDR:${chosen}\` fails`, undefined, 'name the FIT\'s script image (ImageBuilder calls it boot_scr)'));
  }
  const text = script && data.has(script.name) ? latin1(data.get(script.name)!) : undefined;
  return {
    section: { kind: 'fit', file, bytes: bytes.length, fit: { images, ...(script ? { script: script.name } : {}) } },
    ...(text !== undefined ? { text } : {}), fitImages: data, findings,
  };
}

/**
 * Tell the input by its bytes and take out the script text U-Boot would run.
 * @throws ImageFormatError IMAGE_WRONG_TYPE when the file is none of the three, IMAGE_TRUNCATED for a cut header
 */
export function readScriptInput(bytes: Uint8Array, file: string, opts: { fitImage?: string } = {}): ScriptInput {
  const magic = be32(bytes, 0);
  if (magic === IH_MAGIC) return legacy(bytes, file);
  if (magic === FDT_MAGIC) return fit(bytes, file, opts.fitImage);
  const kind = textKind(bytes.subarray(0, 64 * 1024));
  if (kind !== undefined && !bytes.includes(0)) {
    return { section: { kind: 'text', file, bytes: bytes.length }, text: latin1(bytes), findings: [] };
  }
  const format = detectFormat(bytes.subarray(0, 8192));
  throw new ImageFormatError('IMAGE_WRONG_TYPE',
    `${file} is ${format === 'unknown' ? 'binary data' : `a ${format} file`}, not a boot script: neither a script image (mkimage -T script), a FIT, nor text`,
    { path: file, format }, { file }, 'give boot.scr, boot.source or the FIT that holds the script');
}
