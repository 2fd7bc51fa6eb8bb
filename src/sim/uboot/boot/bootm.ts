// Models the parts of U-Boot boot/bootm.c, boot/image-board.c and boot/image-fdt.c that booti, bootm and
// bootz share in 2023.01: bootm_find_images() (ramdisk + FDT selection and overlap checks),
// boot_ramdisk_high(), boot_relocate_fdt(), image_setup_libfdt() and the final jump
// (arch/arm/lib/bootm.c boot_prep_linux()/boot_jump_linux()). The result of a successful run is the
// BootHandoff; failures print U-Boot's messages and return 1 (or reset/hang the board).
import { atLeast } from '../version.js';
import type { Machine } from '../machine.js';
import type { BootHandoff, KernelHeaderInfo } from '../../handoff.js';
import { hexBare, hexPad } from '../../../util/hex.js';
import { hexToUl } from '../env.js';
import { Lmb } from './lmb.js';
import { checkHeader, totalsize, setTotalsize } from '../../../fdt/header.js';
import { openInto, shrinkToMinimum } from '../../../fdt/rw.js';
import { numMemRsv, getMemRsv } from '../../../fdt/ro.js';
import {
  IH_MAGIC, IH_OS_LINUX, IH_TYPE_RAMDISK, IH_TYPE_FLATDT, IH_ARCH_ARM, IH_ARCH_ARM64, UIMAGE_HEADER_SIZE,
  parseUImageHeader, uimageHeaderCrcOk, describeUImage, uimageArchName,
} from '../../../images/uimage.js';
import { fdtChosen, fdtFixupMemoryBanks, fdtInitrd } from './fdt-support.js';
import { setWorkingFdtAddr } from '../cmd/fdt.js';

/** FDT_RAMDISK_OVERHEAD (boot/image-fdt.c). */
const FDT_RAMDISK_OVERHEAD = 0x80;

/** struct bootm_headers, reduced to what the simulator needs. */
export interface BootImages {
  lmb: Lmb;
  /** Where the OS runs and its extent (booti: after relocation). */
  ep: number;
  osStart: number;
  osEnd: number;
  kernel: KernelHeaderInfo;
  loadAddr: number;
  rdStart: number;
  rdEnd: number;
  ftAddr: number;
  ftLen: number;
  initrdStart: number;
  initrdEnd: number;
}

export function startImages(m: Machine): BootImages {
  // 2023.01 (boot_start_lmb()): a fresh LMB per boot command, knowing only U-Boot's own area.
  // v2025.01 on: the global one, with every load and earlier boot's reservations (machine.ts).
  let lmb = m.persistentLmb;
  if (!lmb) {
    lmb = new Lmb(m.board.dram);
    lmb.reserve(m.board.ubootReserved.start, m.board.ubootReserved.size);
  }
  return {
    lmb, ep: 0, osStart: 0, osEnd: 0, loadAddr: 0,
    kernel: { format: 'arm64-image', imageSize: 0, textOffset: 0, flags: 0 },
    rdStart: 0, rdEnd: 0, ftAddr: 0, ftLen: 0, initrdStart: 0, initrdEnd: 0,
  };
}

const be32 = (b: Uint8Array, o: number): number => b[o]! * 0x1000000 + b[o + 1]! * 0x10000 + b[o + 2]! * 0x100 + b[o + 3]!;
const verifyOn = (m: Machine): boolean => m.env.yesNo('verify') !== 0;

/** image_get_ramdisk() for a legacy ramdisk image; returns [data, len] or undefined. */
function legacyRamdisk(m: Machine, addr: number): [number, number] | undefined {
  const head = m.ram.read(addr, UIMAGE_HEADER_SIZE);
  if (!uimageHeaderCrcOk(head)) { m.console.line('Bad Header Checksum'); return undefined; }
  const h = parseUImageHeader(head, 'ramdisk');
  for (const l of describeUImage(h, { style: 'uboot' })) m.console.line(l);
  if (verifyOn(m)) {
    m.console.puts('   Verifying Checksum ... ');
    if (m.ram.crc32(addr + UIMAGE_HEADER_SIZE, h.size) !== h.dcrc) { m.console.line('Bad Data CRC'); return undefined; }
    m.console.line('OK');
  }
  if (h.os !== IH_OS_LINUX || (h.arch !== IH_ARCH_ARM64 && h.arch !== IH_ARCH_ARM) || h.type !== IH_TYPE_RAMDISK) {
    m.console.line(`No Linux ${uimageArchName(IH_ARCH_ARM64)} Ramdisk Image`);
    return undefined;
  }
  return [addr + UIMAGE_HEADER_SIZE, h.size];
}

/** boot_get_ramdisk() / select_ramdisk(): 0 ok, -1 error (caller prints the summary line). */
function getRamdisk(m: Machine, images: BootImages, arg: string | undefined): number {
  images.rdStart = 0; images.rdEnd = 0;
  if (arg === undefined || arg === '-') return 0;
  const colon = arg.indexOf(':');
  const addr = hexToUl(colon >= 0 ? arg.slice(0, colon) : arg).value;
  if (be32(m.ram.read(addr, 4), 0) === IH_MAGIC) {
    m.console.line(`## Loading init Ramdisk from Legacy Image at ${hexPad(addr, 8)} ...`);
    const r = legacyRamdisk(m, addr);
    if (!r) return -1;
    images.rdStart = r[0]; images.rdEnd = r[0] + r[1];
    return 0;
  }
  if (m.build.rawInitrd && colon >= 0) {
    const len = hexToUl(arg.slice(colon + 1)).value;
    images.rdStart = addr; images.rdEnd = addr + len;
    return 0;
  }
  m.console.line('Wrong Ramdisk Image Format');
  return -1;
}

/** boot_get_fdt(): 0 ok (ftAddr 0 = none), 1 error. */
function getFdt(m: Machine, images: BootImages, arg: string | undefined): number {
  images.ftAddr = 0; images.ftLen = 0;
  if (arg === undefined) return 0;
  let fdtAddr = hexToUl(arg).value;
  const head = m.ram.read(fdtAddr, 64);
  if (be32(head, 0) === IH_MAGIC) {
    m.console.line(`## Flattened Device Tree from Legacy Image at ${hexPad(fdtAddr, 8)}`);
    if (!uimageHeaderCrcOk(head)) { m.console.line('Bad Header Checksum'); return 1; }
    const h = parseUImageHeader(head, 'fdt');
    for (const l of describeUImage(h, { style: 'uboot' })) m.console.line(l);
    if (h.type !== IH_TYPE_FLATDT) { m.console.line('ERROR: uImage is not a fdt - must RESET the board to recover.'); return 1; }
    const data = fdtAddr + UIMAGE_HEADER_SIZE;
    if (h.load !== fdtAddr && h.load !== data) m.ram.copy(h.load, data, h.size);
    fdtAddr = h.load === fdtAddr ? fdtAddr : h.load;
  } else {
    const blob = m.readFdt(fdtAddr);
    if (!blob || checkHeader(blob) !== 0) {
      m.console.line('ERROR: Did not find a cmdline Flattened Device Tree');
      return 1;
    }
    m.console.line(`## Flattened Device Tree blob at ${hexPad(fdtAddr, 8)}`);
  }
  m.console.line(`   Booting using the fdt blob at 0x${hexPad(fdtAddr, 6)}`);
  const blob = m.readFdt(fdtAddr);
  if (!blob || checkHeader(blob) !== 0) { m.console.line('ERROR: Did not find a cmdline Flattened Device Tree'); return 1; }
  images.ftAddr = fdtAddr;
  images.ftLen = totalsize(blob);
  return 0;
}

/**
 * check_overlap() of boot/bootm.c (v2024.04 on): `base..end` overlaps the OS image when it starts inside
 * it, ends inside it, or spans it. The OS range is printed without 0x. Before v2024.04 the same test was
 * written out for the ramdisk, with 0x in the message.
 */
function checkOverlap(m: Machine, name: string, base: number, end: number, osStart: number, osSize: number): boolean {
  if (!base) return false;
  const osEnd = osStart + osSize;
  if ((base >= osStart && base < osEnd) || (end > osStart && end <= osEnd) || (base < osStart && end >= osEnd)) {
    const hex = atLeast(m.version, '2024.04') ? '' : '0x';
    m.console.line(`ERROR: ${name} image overlaps OS image (OS=${hex}${hexBare(osStart)}..${hex}${hexBare(osEnd)})`);
    return true;
  }
  return false;
}

/** bootm_find_images(): ramdisk, FDT, overlap checks against [start, start+size). */
export function findImages(m: Machine, images: BootImages, rdArg: string | undefined, fdtArg: string | undefined, start: number, size: number): number {
  if (getRamdisk(m, images, rdArg) !== 0) { m.console.line('Ramdisk image is corrupt or invalid'); return 1; }
  if (checkOverlap(m, 'RD', images.rdStart, images.rdEnd, start, size)) return 1;
  if (getFdt(m, images, fdtArg) !== 0) { m.console.line('Could not find a valid device tree'); return 1; }
  if (atLeast(m.version, '2024.04')) {
    // boot/bootm.c v2024.04 passes the DTB's length where its end belongs (check_overlap("FDT", ft_addr,
    // ft_len, …)): a length is never inside the OS range, so only a DTB that starts inside it is refused.
    if (checkOverlap(m, 'FDT', images.ftAddr, images.ftLen, start, size)) return 1;
  } else {
    // 2023.01 refuses the FDT when its start or its end (ft_addr + ft_len) lies in [start, start + size): real
    // 2023.01 prints the overlap error for a 0x4e3-byte DTB at 0x427ffb1d, which ends exactly at the OS start
    // 0x42800000. An FDT that merely spans the whole OS image passes (only the two ends are checked).
    const ftEnd = images.ftAddr + images.ftLen;
    if (images.ftAddr && ((images.ftAddr >= start && images.ftAddr < start + size) || (ftEnd >= start && ftEnd < start + size))) {
      m.console.line(`ERROR: FDT image overlaps OS image (OS=0x${hexBare(start)}..0x${hexBare(start + size)})`);
      return 1;
    }
  }
  setWorkingFdtAddr(m, images.ftAddr);
  return 0;
}

/**
 * lmb_alloc_mem(LMB_MEM_ALLOC_ADDR, …, LMB_NONE) of v2025.10 (lib/lmb.c _lmb_alloc_addr()): the range
 * must lie in one DRAM bank and clear of U-Boot's own (LMB_NOOVERWRITE) area; other LMB_NONE
 * reservations (loaded files) merge with it. Before v2025.10 the callers used lmb_reserve() and
 * ignored its result, so this is always true there.
 */
export function reserveFixed(m: Machine, base: number, size: number): boolean {
  if (!atLeast(m.version, '2025.10') || size === 0) return true;
  const inOneBank = m.board.dram.some((b) => base >= b.start && base + size <= b.start + b.size);
  const r = m.board.ubootReserved;
  return inOneBank && !(base < r.start + r.size && r.start < base + size);
}

/** Bits of this U-Boot's unsigned long: 64 on arm64, 32 on an arm32 build. */
const ulongBits = (m: Machine): 32 | 64 => (m.board.arch === 'arm32' ? 32 : 64);
/** Hex digits of a pointer printed with %p (an unsigned long). */
const ptrDigits = (m: Machine): number => ulongBits(m) / 4;
/**
 * The value is all-ones for an unsigned long of this U-Boot. hextoul() keeps the low bits of a
 * longer number, so on arm32 both 0xffffffff and 0xffffffffffffffff are all-ones.
 */
const isAllOnes = (m: Machine, s: string): boolean => {
  const h = hexToUl(s);
  const bits = ulongBits(m);
  const parsed = BigInt('0x' + (s.replace(/^0[xX]/, '').match(/^[0-9a-fA-F]*/)?.[0] || '0'));
  return h.digits > 0 && (bits === 64 ? parsed === 0xffffffffffffffffn : BigInt.asUintN(32, parsed) === 0xffffffffn);
};

/** boot_ramdisk_high(): 0 ok, 1 error. */
function ramdiskHigh(m: Machine, images: BootImages): number {
  const len = images.rdEnd - images.rdStart;
  if (!images.rdStart) { images.initrdStart = 0; images.initrdEnd = 0; return 0; }
  const s = m.env.get('initrd_high');
  let high: number;
  let copy = true;
  if (s !== undefined) {
    high = hexToUl(s).value;
    if (isAllOnes(m, s)) copy = false;
  } else {
    high = m.board.dram[0]!.start + m.board.dram[0]!.size;
  }
  if (!copy) {
    images.initrdStart = images.rdStart; images.initrdEnd = images.rdEnd;
    // boot/image-board.c v2025.10: the in-place ramdisk's range must be free for lmb_alloc_mem().
    if (!reserveFixed(m, images.rdStart, len)) { m.console.line('in-place initrd alloc failed'); return 1; }
    images.lmb.reserve(images.rdStart, len);
  } else {
    const at = high ? images.lmb.allocBase(len, 0x1000, high) : images.lmb.allocBase(len, 0x1000, Number.MAX_SAFE_INTEGER);
    if (at === 0) { m.console.line('ramdisk - allocation error'); return 1; }
    images.initrdStart = at; images.initrdEnd = at + len;
    m.console.puts(`   Loading Ramdisk to ${hexPad(at, 8)}, end ${hexPad(at + len, 8)} ... `);
    m.ram.copy(at, images.rdStart, len);
    m.console.line('OK');
  }
  m.env.setHex('initrd_start', images.initrdStart);
  m.env.setHex('initrd_end', images.initrdEnd);
  return 0;
}

/** boot/image-fdt.c boot_relocate_fdt() of v2026.04, when fdt_high is all ones. */
export const FDT_HIGH_WARNING: readonly string[] = [
  'WARNING:',
  'The \'fdt_high\' environment variable is set to ~0. This is known to cause',
  'boot failures due to placement of DT at non-8-byte-aligned addresses.',
  'This system will likely fail to boot. Unset the \'fdt_high\' environment',
  'variable and submit a fix upstream.',
];

/** boot_relocate_fdt(): 0 ok, 1 error. Updates images.ftAddr/ftLen. */
function relocateFdt(m: Machine, images: BootImages): number {
  if (images.ftLen === 0) return 0;
  const blob = m.readFdt(images.ftAddr);
  if (!blob || checkHeader(blob) !== 0) { m.console.line('ERROR: image is not a fdt - must RESET the board to recover.'); return 1; }
  const ofLen = images.ftLen + m.board.fdtPad;
  const fdtHigh = m.env.get('fdt_high');
  let start = 0;
  let inPlace = false;
  if (fdtHigh !== undefined) {
    const desired = hexToUl(fdtHigh).value;
    if (isAllOnes(m, fdtHigh)) {
      start = images.ftAddr;
      // boot/image-fdt.c v2026.04 warns about fdt_high=~0 whatever the DTB's alignment.
      if (atLeast(m.version, '2026.04')) for (const l of FDT_HIGH_WARNING) m.console.line(l);
      if (!reserveFixed(m, start, ofLen)) {
        m.console.line(`Failed to reserve memory for fdt at 0x${start.toString(16)}`);
        return 1;
      }
      images.lmb.reserve(start, ofLen);
      inPlace = true;
    } else if (desired) {
      start = images.lmb.allocBase(ofLen, 0x1000, desired);
      if (!start) {
        // boot/image-fdt.c: the message (without a newline until v2025.10) names fdt_high, then the allocation.
        if (atLeast(m.version, '2025.10')) m.console.line('Failed to allocate memory for Device Tree relocation');
        else m.console.puts('Failed using fdt_high value for Device Tree');
        return 1;
      }
    } else {
      start = images.lmb.allocBase(ofLen, 0x1000, Number.MAX_SAFE_INTEGER);
    }
  } else {
    for (const bank of m.board.dram) {
      start = images.lmb.allocBase(ofLen, 0x1000, bank.start + bank.size);
      if (start) break;
    }
  }
  if (!start) { m.console.line('device tree - allocation error'); return 1; }
  if (inPlace) {
    const buf = m.ram.read(start, ofLen);
    buf.set(blob);
    setTotalsize(buf, ofLen);
    m.writeFdt(start, buf);
    m.console.line(`   Using Device Tree in place at ${hexPad(start, ptrDigits(m))}, end ${hexPad(start + ofLen - 1, ptrDigits(m))}`);
  } else {
    m.console.puts(`   Loading Device Tree to ${hexPad(start, ptrDigits(m))}, end ${hexPad(start + ofLen - 1, ptrDigits(m))} ... `);
    const buf = new Uint8Array(ofLen);
    const err = openInto(blob, buf, ofLen);
    if (err !== 0) { m.console.line('ERROR: fdt move failed - must RESET the board to recover.'); return 1; }
    m.writeFdt(start, buf);
    m.console.line('OK');
  }
  images.ftAddr = start;
  images.ftLen = ofLen;
  setWorkingFdtAddr(m, start);
  return 0;
}

/** image_setup_libfdt(): 0 ok, <0 error (" - must RESET the board to recover." printed). */
function setupLibfdt(m: Machine, images: BootImages): number {
  const addr = images.ftAddr;
  const blob = m.ram.read(addr, images.ftLen);
  const fail = (): number => { m.writeFdt(addr, blob); m.console.line(' - must RESET the board to recover.'); m.console.line(''); return -1; };
  if (fdtChosen(m, blob) < 0) { m.console.line('ERROR: /chosen node create failed'); return fail(); }
  if (fdtFixupMemoryBanks(m, blob, m.board.dram) < 0) { m.console.line('ERROR: arch-specific fdt fixup failed'); return fail(); }
  let ofSize = shrinkToMinimum(blob, addr, 0);
  if (ofSize < 0) return fail();
  let out = blob.subarray(0, Math.min(ofSize, blob.length));
  if (images.initrdStart && images.initrdEnd) {
    ofSize += FDT_RAMDISK_OVERHEAD;
    const grown = m.ram.read(addr, ofSize);
    grown.set(out.subarray(0, Math.min(out.length, ofSize)));
    setTotalsize(grown, ofSize);
    out = grown;
  }
  images.lmb.reserve(addr, ofSize);
  if (fdtInitrd(m, out, images.initrdStart, images.initrdEnd) < 0) { m.writeFdt(addr, out); m.console.line(' - must RESET the board to recover.'); m.console.line(''); return -1; }
  m.writeFdt(addr, out);
  images.ftLen = ofSize;
  return 0;
}

/**
 * The bootm states after the OS is found and loaded: RAMDISK, OS_PREP (FDT relocation and fix-ups),
 * OS_GO. On success the machine stops with reason 'booted' and carries the hand-off.
 */
export function runBootStates(m: Machine, images: BootImages, command: BootHandoff['command']): number {
  if (ramdiskHigh(m, images) !== 0) return 1;
  if (!images.ftLen) {
    // boot_prep_linux(): no FDT on arm64 → hang() (observed as a reset on QEMU).
    m.console.line('FDT and ATAGS support not compiled in');
    m.console.line('');
    m.console.line('resetting ...');
    m.stopped = 'reset';
    return 1;
  }
  reserveFdtRegions(m, images);
  if (relocateFdt(m, images) !== 0 || setupLibfdt(m, images) !== 0) {
    m.console.line('FDT creation failed! hanging...### ERROR ### Please RESET the board ###');
    m.stopped = 'hang';
    return 1;
  }
  m.console.line('');
  m.console.line('Starting kernel ...');
  m.console.line('');
  const fdt = m.ram.read(images.ftAddr, images.ftLen);
  m.handoff = {
    command, loadAddr: images.loadAddr, entry: images.ep, kernel: images.kernel, fdtAddr: images.ftAddr, fdt,
    ...(images.initrdStart ? { initrd: { start: images.initrdStart, end: images.initrdEnd } } : {}),
    ram: m.ram, board: m.board,
  };
  m.stopped = 'booted';
  return 0;
}

/** Memory reservations of the FDT (boot_fdt_add_mem_rsv_regions()). */
export function reserveFdtRegions(m: Machine, images: BootImages): void {
  if (!images.ftAddr) return;
  const blob = m.readFdt(images.ftAddr);
  if (!blob) return;
  const n = numMemRsv(blob);
  for (let i = 0; i < n; i++) {
    const r = getMemRsv(blob, i);
    if (typeof r !== 'number') images.lmb.reserve(r.address, r.size);
  }
}
