// Models U-Boot cmd/bootm.c do_bootm() → boot/bootm.c bootm_find_os()/boot_get_kernel()/image_get_kernel()
// and bootm_load_os() for legacy uImage kernels (2023.01 texts). A raw arm64 Image is rejected with
// "Wrong Image Format for bootm command" + "ERROR: can't get kernel image!" (v2024.04+ prints
// "Wrong Image Type …" + "ERROR -91: …", selectable with ubootVersion; the errno has no "E" suffix, as real
// U-Boot 2025.01 prints it: test/fixtures/transcripts/trixie/c-bootm-raw-image.log).
import type { Machine } from '../machine.js';
import { hexPad } from '../../../util/hex.js';
import { hexToUl } from '../env.js';
import { atLeast } from '../version.js';
import {
  IH_MAGIC, IH_TYPE_KERNEL, IH_TYPE_KERNEL_NOLOAD, IH_TYPE_MULTI, IH_TYPE_STANDALONE, IH_ARCH_ARM, IH_ARCH_ARM64,
  IH_COMP_NONE, IH_OS_LINUX, IH_TYPE_SCRIPT, UIMAGE_HEADER_SIZE, parseUImageHeader, uimageHeaderCrcOk, describeUImage,
  uimageTypeName,
} from '../../../images/uimage.js';
import { findImages, runBootStates, startImages } from './bootm.js';
import { bootiSetup } from './booti.js';

const be32 = (b: Uint8Array, o: number): number => b[o]! * 0x1000000 + b[o + 1]! * 0x10000 + b[o + 2]! * 0x100 + b[o + 3]!;

/**
 * Part lengths of a multi/script payload at `data`, as image_multi_count() / image_multi_getimg() read them for
 * image_print_contents(): BE32 lengths up to a 0 terminator. Real 2023.01 prints them ("   Contents:" /
 * "      Image 0: 45 Bytes = 45 Bytes") before verifying a script uImage given to bootm. The C loop has no bound;
 * we stop at the end of the ih_size payload so a corrupt table cannot run away.
 */
function multiPartLengths(m: Machine, data: number, size: number): number[] {
  const lengths: number[] = [];
  for (let off = 0; off + 4 <= size; off += 4) {
    const len = be32(m.ram.read(data + off, 4), 0);
    if (len === 0) break;
    lengths.push(len);
  }
  return lengths;
}

export interface BootmArgs { addr?: string; ramdisk?: string; fdt?: string; cmdName: string }

export function bootmStart(m: Machine, args: BootmArgs): number {
  m.bootAttempted = true;
  const images = startImages(m);
  const imgAddr = args.addr !== undefined ? hexToUl(args.addr).value : m.build.loadAddr;
  const head = m.ram.read(imgAddr, UIMAGE_HEADER_SIZE);
  const newer = atLeast(m.version, '2024.04');
  if (be32(head, 0) !== IH_MAGIC) {
    if (newer) { m.console.line(`Wrong Image Type for ${args.cmdName} command`); m.console.line('ERROR -91: can\'t get kernel image!'); }
    else { m.console.line(`Wrong Image Format for ${args.cmdName} command`); m.console.line("ERROR: can't get kernel image!"); }
    return 1;
  }
  m.console.line(`## Booting kernel from Legacy Image at ${hexPad(imgAddr, 8)} ...`);
  const noImage = (): number => { m.console.line("ERROR: can't get kernel image!"); return 1; };
  if (!uimageHeaderCrcOk(head)) { m.console.line('Bad Header Checksum'); return noImage(); }
  const h = parseUImageHeader(head, 'kernel');
  const parts = h.type === IH_TYPE_MULTI || h.type === IH_TYPE_SCRIPT ? multiPartLengths(m, imgAddr + UIMAGE_HEADER_SIZE, h.size) : undefined;
  for (const l of describeUImage(h, { style: 'uboot', address: imgAddr, ...(parts ? { parts } : {}) })) m.console.line(l);
  if (m.env.yesNo('verify') !== 0) {
    m.console.puts('   Verifying Checksum ... ');
    if (m.ram.crc32(imgAddr + UIMAGE_HEADER_SIZE, h.size) !== h.dcrc) { m.console.line('Bad Data CRC'); return noImage(); }
    m.console.line('OK');
  }
  if (h.arch !== IH_ARCH_ARM64 && h.arch !== IH_ARCH_ARM) { m.console.line(`Unsupported Architecture 0x${h.arch.toString(16)}`); return noImage(); }
  let dataAddr = imgAddr + UIMAGE_HEADER_SIZE;
  let dataLen = h.size;
  if (h.type === IH_TYPE_MULTI) {
    dataLen = be32(m.ram.read(dataAddr, 4), 0);
    let off = 0;
    while (be32(m.ram.read(dataAddr + off, 4), 0) !== 0) off += 4;
    dataAddr += off + 4;
  } else if (h.type !== IH_TYPE_KERNEL && h.type !== IH_TYPE_KERNEL_NOLOAD && h.type !== IH_TYPE_STANDALONE) {
    m.console.line(`Wrong Image Type for ${args.cmdName} command`);
    return noImage();
  }
  let load = h.load;
  let ep = h.ep;
  if (h.type === IH_TYPE_KERNEL_NOLOAD) {
    if (h.arch === IH_ARCH_ARM64 && h.os === IH_OS_LINUX) {
      const s = bootiSetup(m, dataAddr, true);
      if (!s) return 1;
      load = s.relocated; ep = s.relocated;
    } else { load = dataAddr; ep += dataAddr; }
  }
  if (h.comp !== IH_COMP_NONE) { m.console.line(`   Uncompressing ${uimageTypeName(h.type)}: not modelled by the simulator`); return 1; }
  // bootm_find_other(): ramdisk/FDT with no OS overlap check (start = size = 0).
  if (findImages(m, images, args.ramdisk, args.fdt, 0, 0)) return 1;
  const xip = load === dataAddr;
  m.console.line(`   ${xip ? 'XIP' : 'Loading'} ${uimageTypeName(h.type === IH_TYPE_KERNEL_NOLOAD ? IH_TYPE_KERNEL : h.type)}${newer && !xip ? ` to ${load.toString(16)}` : ''}`);
  if (!xip) {
    // boot/bootm.c bootm_load_os(): a load range overlapping the image itself is fatal only for
    // new-format (FIT) images ("new format image overwritten"); for a legacy image it returns
    // BOOTM_ERR_OVERLAP, which bootm_run_states() ignores (a warning is printed for multi images
    // only). The copy is a memmove, so ImageBuilder's xen.ub, loaded at its own load address and
    // moved 64 bytes down, boots (real U-Boot 2023.01: test/fixtures/transcripts/d-bootm-xen-uimage.log).
    if (load < imgAddr + UIMAGE_HEADER_SIZE + h.size && load + dataLen > imgAddr && h.type === IH_TYPE_MULTI) {
      m.console.line('WARNING: legacy format multi component image overwritten');
    }
    m.ram.copy(load, dataAddr, dataLen);
  }
  images.lmb.reserve(load, dataLen);
  images.loadAddr = imgAddr;
  images.ep = ep;
  images.osStart = load;
  images.osEnd = load + dataLen;
  images.kernel = { format: 'uimage', imageSize: dataLen, textOffset: 0, flags: 0 };
  return runBootStates(m, images, 'bootm');
}
