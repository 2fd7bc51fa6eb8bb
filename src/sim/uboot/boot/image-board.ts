// Models U-Boot boot/image-board.c image_locate_script() (and genimg_get_format()) for `source`:
// the legacy and FIT checks in upstream order with their exact messages (2023.01 cmd/source.c).
import { IH_MAGIC, IH_TYPE_SCRIPT, UIMAGE_HEADER_SIZE, uimageHeaderCrcOk } from '../../../images/uimage.js';
import { checkHeader } from '../../../fdt/header.js';
import { getprop, pathOffset } from '../../../fdt/ro.js';
import type { Machine } from '../machine.js';
import { fitImageData, fitImageNode, fitImageType, fitImageVerify, readFit } from './image-fit.js';

const be32 = (b: Uint8Array, o: number): number => b[o]! * 0x1000000 + b[o + 1]! * 0x10000 + b[o + 2]! * 0x100 + b[o + 3]!;

/** Bytes of the length table read at once while looking for its 0 terminator. */
const TABLE_CHUNK = 0x10000;

/** Offset just past the length table's 0 terminator (or past `size` bytes when there is none). */
function lengthTableEnd(m: Machine, dataAddr: number, size: number): number {
  let off = 0;
  while (off + 4 <= size) {
    const chunk = m.ram.read(dataAddr + off, Math.min(TABLE_CHUNK, size - off) & ~3);
    for (let i = 0; i + 4 <= chunk.length; i += 4) if (be32(chunk, i) === 0) return off + i + 4;
    off += chunk.length;
  }
  return off + 4;
}

/**
 * Where the script text of the image at `addr` is (for a FIT, of its image `fitUname`), or undefined after
 * printing U-Boot's reason.
 */
export function locateScript(m: Machine, addr: number, fitUname?: string): { addr: number; len: number } | undefined {
  const head = m.ram.read(addr, UIMAGE_HEADER_SIZE);
  if (be32(head, 0) === IH_MAGIC) {
    if (!uimageHeaderCrcOk(head)) { m.console.line('Bad header crc'); return undefined; }
    const size = be32(head, 12);
    const dataAddr = addr + UIMAGE_HEADER_SIZE;
    // The data CRC is streamed: ih_size may claim up to 4 GiB.
    if (m.env.yesNo('verify') !== 0 && m.ram.crc32(dataAddr, size) !== be32(head, 24)) { m.console.line('Bad data crc'); return undefined; }
    if (head[30] !== IH_TYPE_SCRIPT) { m.console.line('Bad image type'); return undefined; }
    // Length table: u32 lengths up to a 0 terminator; the script is the first entry.
    const len = size >= 4 ? be32(m.ram.read(dataAddr, 4), 0) : 0;
    if (len === 0) { m.console.line('Empty Script'); return undefined; }
    const off = lengthTableEnd(m, dataAddr, size);
    return { addr: dataAddr + off, len };
  }
  // A valid FDT header makes U-Boot take the FIT path; a plain DTB is not a FIT (no timestamp, no /images).
  const fdtHead = m.readFdt(addr);
  if (fdtHead && checkHeader(fdtHead) === 0) return locateFitScript(m, addr, fitUname);
  m.console.line('Wrong image format for "source" command');
  return undefined;
}

function locateFitScript(m: Machine, addr: number, fitUname: string | undefined): { addr: number; len: number } | undefined {
  const fit = readFit(m, addr);
  if (!fit) { m.console.line('Bad FIT image format'); return undefined; }
  let uname = fitUname;
  if (uname === undefined) {
    // get_default_image(): /images `default`
    const images = pathOffset(fit.blob, '/images');
    const dflt = images >= 0 ? getprop(fit.blob, images, 'default') : images;
    if (typeof dflt !== 'number') uname = Buffer.from(dflt).toString('latin1').replace(/\0.*$/s, '');
  }
  if (uname === undefined) { m.console.line('No FIT subimage unit name'); return undefined; }
  const node = fitImageNode(fit, uname);
  if (node < 0) { m.console.line(`Can't find '${uname}' FIT subimage`); return undefined; }
  if (fitImageType(fit, node) !== 'script') { m.console.line('Not a image image'); return undefined; }
  if (m.env.yesNo('verify') !== 0 && !fitImageVerify(m, fit, node)) { m.console.line('Bad Data Hash'); return undefined; }
  const data = fitImageData(fit, node);
  if (!data) { m.console.line('Could not find script subimage data'); return undefined; }
  return { addr: data.addr, len: data.len };
}
