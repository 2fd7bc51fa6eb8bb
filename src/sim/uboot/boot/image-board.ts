// Models U-Boot boot/image-board.c image_locate_script() (and genimg_get_format()) for `source`:
// the legacy checks in upstream order with their exact messages.
import { IH_MAGIC, IH_TYPE_SCRIPT, UIMAGE_HEADER_SIZE, uimageHeaderCrcOk, uimageDataCrc } from '../../../images/uimage.js';
import { checkHeader } from '../../../fdt/header.js';
import type { Machine } from '../machine.js';

const be32 = (b: Uint8Array, o: number): number => b[o]! * 0x1000000 + b[o + 1]! * 0x10000 + b[o + 2]! * 0x100 + b[o + 3]!;

/** The script text at `addr`, or undefined after printing U-Boot's reason. */
export function locateScript(m: Machine, addr: number): Uint8Array | undefined {
  const head = m.ram.read(addr, UIMAGE_HEADER_SIZE);
  if (be32(head, 0) === IH_MAGIC) {
    if (!uimageHeaderCrcOk(head)) { m.console.line('Bad header crc'); return undefined; }
    const size = be32(head, 12);
    const data = m.ram.read(addr + UIMAGE_HEADER_SIZE, size);
    if (m.env.yesNo('verify') !== 0 && uimageDataCrc(data) !== be32(head, 24)) { m.console.line('Bad data crc'); return undefined; }
    if (head[30] !== IH_TYPE_SCRIPT) { m.console.line('Bad image type'); return undefined; }
    // Length table: u32 lengths up to a 0 terminator; the script is the first entry.
    const len = data.length >= 4 ? be32(data, 0) : 0;
    if (len === 0) { m.console.line('Empty Script'); return undefined; }
    let off = 0;
    while (off + 4 <= data.length && be32(data, off) !== 0) off += 4;
    off += 4;
    return m.ram.read(addr + UIMAGE_HEADER_SIZE + off, len);
  }
  // A valid FDT header makes U-Boot take the FIT path; a plain DTB is not a FIT.
  const fdtHead = m.readFdt(addr);
  if (fdtHead && checkHeader(fdtHead) === 0) { m.console.line('Bad FIT image format'); return undefined; }
  m.console.line('Wrong image format for "source" command');
  return undefined;
}
