// Models U-Boot cmd/bootz.c bootz_start() and arch/arm/lib/zimage.c bootz_setup(): the zImage magic
// 0x016f2818 at 0x24, start/end at 0x28/0x2c, no relocation. (Not built into Debian's qemu_arm64
// U-Boot: the default board profile leaves `bootz` out of the command table.)
import type { Machine } from '../machine.js';
import { hexToUl } from '../env.js';
import { findImages, reserveFixed, runBootStates, startImages } from './bootm.js';

const le32 = (b: Uint8Array, o: number): number => b[o]! + b[o + 1]! * 0x100 + b[o + 2]! * 0x10000 + b[o + 3]! * 0x1000000;
export const LINUX_ARM_ZIMAGE_MAGIC = 0x016f2818;
const BAREBOX_IMAGE_MAGIC = 0x00786f62;

export function bootzStart(m: Machine, args: { addr?: string; ramdisk?: string; fdt?: string }): number {
  m.bootAttempted = true;
  const images = startImages(m);
  const image = args.addr !== undefined ? hexToUl(args.addr).value : m.build.loadAddr;
  const head = m.ram.read(image, 0x30);
  const magic = le32(head, 0x24);
  if (magic !== LINUX_ARM_ZIMAGE_MAGIC && magic !== BAREBOX_IMAGE_MAGIC) { m.console.line('zimage: Bad magic!'); return 1; }
  const start = le32(head, 0x28);
  const end = le32(head, 0x2c);
  const p = (n: number): string => `0x${n.toString(16).padStart(6, '0')}`;
  m.console.line(`Kernel image @ ${p(image)} [ ${p(start)} - ${p(end)} ]`);
  images.loadAddr = image;
  images.ep = image;
  images.osStart = image;
  images.osEnd = image + (end - start);
  images.kernel = { format: 'zimage', imageSize: end - start, textOffset: 0, flags: 0 };
  if (!reserveFixed(m, image, end - start)) {
    // cmd/bootz.c v2025.10, as booti.
    m.console.line(`Failed to allocate memory for the image at 0x${image.toString(16)}`);
    return 1;
  }
  images.lmb.reserve(image, end - start);
  if (findImages(m, images, args.ramdisk, args.fdt, image, end - start)) return 1;
  return runBootStates(m, images, 'bootz');
}
