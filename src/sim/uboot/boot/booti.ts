// Models U-Boot cmd/booti.c booti_start() and arch/arm/lib/image.c booti_setup() (2023.01):
// check the "ARM\x64" magic, relocate to ALIGN_UP(dst, 2 MiB) + text_offset (dst = load − text_offset
// when flags bit 3 is set, else the start of RAM), memmove image_size bytes (which may clobber files
// loaded above the kernel), reserve the OS range, then bootm_find_images() and the boot states.
import type { Machine } from '../machine.js';
import { alignUp, SZ_2M } from '../../../util/align.js';
import { hexBare } from '../../../util/hex.js';
import { hexToUl } from '../env.js';
import { ARM64_IMAGE_HEADER_SIZE, probeArm64Image, parseArm64Image, decodeArm64Flags } from '../../../images/arm64-image.js';
import { COMPRESSION_MAGIC } from '../../../images/uimage.js';
import { atLeast } from '../version.js';
import { findImages, reserveFixed, runBootStates, startImages } from './bootm.js';

export interface BootiSetup { relocated: number; imageSize: number; textOffset: number; flags: number }

/** booti_setup(): undefined after printing the reason when the image is not an arm64 Image. */
export function bootiSetup(m: Machine, image: number, forceReloc: boolean): BootiSetup | undefined {
  const head = m.ram.read(image, ARM64_IMAGE_HEADER_SIZE);
  if (!probeArm64Image(head)) { m.console.line('Bad Linux ARM64 Image magic!'); return undefined; }
  const info = parseArm64Image(head, 'Image');
  if (info.sizeWasGuessed) m.console.line('Image lacks image_size field, assuming 16MiB');
  const dst = !forceReloc && decodeArm64Flags(info.flags).placeAnywhere ? image - info.textOffset : m.board.dram[0]!.start;
  return { relocated: alignUp(Math.max(dst, 0), SZ_2M) + info.textOffset, imageSize: info.imageSize, textOffset: info.textOffset, flags: info.flags };
}

export interface BootiArgs { addrImg?: string; confRamdisk?: string; confFdt?: string }

export function bootiStart(m: Machine, args: BootiArgs): number {
  m.bootAttempted = true;
  const images = startImages(m);
  const ld = args.addrImg !== undefined ? hexToUl(args.addrImg).value : m.build.loadAddr;
  const first = m.ram.read(ld, 2);
  const comp = COMPRESSION_MAGIC.find((c) => c.magic.length >= 2 && c.magic[0] === first[0] && c.magic[1] === first[1]);
  if (comp) {
    if (m.env.get('kernel_comp_addr_r') === undefined || m.env.get('kernel_comp_size') === undefined) {
      m.console.line('kernel_comp_addr_r or kernel_comp_size is not provided!');
      return 1;
    }
    m.console.line(`   Uncompressing Kernel Image (${comp.name}): not modelled by the simulator`);
    return 1;
  }
  const setup = bootiSetup(m, ld, false);
  if (!setup) return 1;
  if (setup.relocated !== ld) {
    const end = hexBare(setup.relocated + setup.imageSize);
    // "end=%lx" gained its 0x in v2025.01.
    m.console.line(`Moving Image from 0x${hexBare(ld)} to 0x${hexBare(setup.relocated)}, end=${atLeast(m.version, '2025.01') ? '0x' : ''}${end}`);
    m.ram.copy(setup.relocated, ld, setup.imageSize);
  }
  images.loadAddr = ld;
  images.ep = setup.relocated;
  images.osStart = setup.relocated;
  images.osEnd = setup.relocated + setup.imageSize;
  images.kernel = { format: 'arm64-image', imageSize: setup.imageSize, textOffset: setup.textOffset, flags: setup.flags };
  if (!reserveFixed(m, images.ep, setup.imageSize)) {
    // cmd/booti.c v2025.10: lmb_alloc_mem(LMB_MEM_ALLOC_ADDR, …) for the moved Image, checked at last.
    m.console.line(`Failed to allocate memory for the image at 0x${images.ep.toString(16)}`);
    return 1;
  }
  images.lmb.reserve(images.ep, setup.imageSize);
  if (findImages(m, images, args.confRamdisk, args.confFdt, setup.relocated, setup.imageSize)) return 1;
  return runBootStates(m, images, 'booti');
}
