// Finding and recognising a domain's kernel.
// Models xen/arch/arm/kernel.c as of 4.17: kernel_probe() (module lookup, the two "Loading ..."
// lines, probe order gzip → arm64 Image → uImage → arm32 zImage), kernel_decompress()
// (ISIZE from the last 4 bytes of the module range; inflate errors are panics),
// kernel_zimage64_probe(), kernel_uimage_probe(), kernel_zimage32_probe().
// 4.18+ (commit 6d317b10f8) probes uImage first and accepts gzip inside a uImage.
import { peekGunzip } from '../../images/gzip.js';
import { IH_ARCH_ARM, IH_ARCH_ARM64, IH_COMP_GZIP, IH_COMP_NONE, IH_MAGIC, parseUImageHeader, UIMAGE_HEADER_SIZE } from '../../images/uimage.js';
import { probeArm64ImageXen } from '../../images/arm64-image.js';
import { ZIMAGE_MAGIC, ZIMAGE_MAGIC_OFFSET } from '../../images/zimage.js';
import type { SparseRam } from '../ram.js';
import type { BootInfo, BootModule } from './bootinfo.js';
import { paddr, type XenConsole } from './console.js';
import { orderFromBytes, PAGE_SIZE, type XenHeap } from './heap.js';
import { examineModule } from './integrity.js';
import { uimageProbedFirst, type XenVersion } from './version.js';

export const EINVAL = -22;
export const ENOENT = -2;
export const ENOMEM = -12;

export type KernelFormat = 'arm64-image' | 'zimage' | 'uimage' | 'gzip+arm64-image' | 'gzip+zimage' | 'gzip+uimage' | 'uimage+gzip';

export interface KernelInfo {
  format: KernelFormat;
  /** Where Xen copies the kernel from, and how many bytes (module size; uImage: ih_size). */
  kernelAddr: number;
  len: number;
  textOffset: number;
  is64: boolean;
  /** arm32 zImage start field (0 = position independent). */
  zimageStart: number;
  /** arm64 Image header image_size (what the kernel occupies once running, BSS included); 0 when the header leaves it unset. */
  imageSize?: number;
  /** Things Xen accepts silently but the guest will trip over. */
  guestProblems: string[];
  /** Xen-side notes for findings. */
  notes: string[];
}

export interface ProbeCtx {
  readonly bi: BootInfo;
  readonly ram: SparseRam;
  readonly heap: XenHeap;
  readonly console: XenConsole;
  readonly version: XenVersion;
}

export type ProbeResult = { rc: 0; info: KernelInfo } | { rc: number; why: string };

const u32le = (b: Uint8Array, off: number): number => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(off, true);
const u64le = (b: Uint8Array, off: number): number => Number(new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(off, true));

/** gzip_check(): 1f 8b or 1f 9e. */
export function gzipCheck(head: Uint8Array, size: number): boolean {
  return size >= 2 && head[0] === 0x1f && (head[1] === 0x8b || head[1] === 0x9e);
}

/** What the modelled decompressor produced, kept for the probes after it. */
interface Decompressed { head: Uint8Array }

/**
 * kernel_decompress(): returns 0 (module replaced by the inflated copy), -EINVAL (not gzip:
 * the next probe runs), -ENOMEM, or panics with the inflate error.
 * The inflate itself is modelled from RAM provenance instead of inflating megabytes:
 * intact file → success; range shorter than the file → "ran out of input data";
 * damaged bytes → an inflate error.
 */
export function kernelDecompress(ctx: ProbeCtx, mod: BootModule, out: { dec?: Decompressed; notes: string[]; guestProblems: string[] }): number {
  const { ram, heap, console } = ctx;
  const addr = mod.start;
  const size = mod.size;
  if (size < 2) return EINVAL;
  const magic = ram.read(addr, 2);
  if (!gzipCheck(magic, size)) return EINVAL;
  // output_length(): ISIZE, little-endian, in the LAST 4 BYTES OF THE RANGE THE DTB GAVE.
  const outputSize = u32le(ram.read(addr + size - 4, 4), 0);
  const content = examineModule(ram, addr, size);
  const order = orderFromBytes(Math.max(outputSize, 1));
  const buf = heap.allocBlock(order, 'high');
  if (buf === undefined) {
    out.notes.push(`gzip kernel at ${paddr(addr)}: ISIZE read from the last 4 bytes of the module range is ${outputSize} bytes; Xen cannot allocate that (-ENOMEM)`);
    return ENOMEM;
  }
  if (content.damage || content.nothingAtStart) {
    console.estimates.push(`inflate error text for the damaged gzip kernel at ${paddr(addr)} (${content.damage?.what ?? 'nothing loaded'}): the real message depends on the bytes`);
    return console.panic('invalid compressed format (err=2)\n');
  }
  const fileSize = content.fileSize ?? size;
  if (size < fileSize) {
    // perform_gunzip() consumes the whole range and wants more.
    return console.panic('ran out of input data\n');
  }
  const realSize = u32le(ram.read(addr + fileSize - 4, 4), 0);
  let head: Uint8Array;
  try {
    head = peekGunzip(ram.read(addr, Math.min(fileSize, 64 * 1024)), 0x10000);
  } catch {
    console.estimates.push(`inflate error text for the gzip kernel at ${paddr(addr)}: the real message depends on the bytes`);
    return console.panic('invalid compressed format (err=2)\n');
  }
  if (size > fileSize && outputSize !== realSize) {
    out.notes.push(`gzip kernel at ${paddr(addr)}: the module range is ${size - fileSize} bytes longer than the file, so Xen takes ISIZE = ${outputSize} from whatever follows the file instead of ${realSize}`);
    if (outputSize < realSize) {
      out.guestProblems.push(`the kernel decompresses to ${realSize} bytes but Xen sized its buffer from a wrong ISIZE (${outputSize}): the output overruns the buffer and the copied kernel is cut to ${outputSize} bytes`);
      head = head.subarray(0, Math.min(head.length, outputSize));
    }
  }
  // Success: the module now describes the decompressed copy; the pages past PFN_UP(output_size)
  // and the original compressed range go back to the heap (4.17: dt_unreserved_regions()).
  const used = Math.ceil(outputSize / PAGE_SIZE) * PAGE_SIZE;
  heap.release(buf + used, PAGE_SIZE * 2 ** order - used);
  heap.release(addr, size);
  mod.start = buf;
  mod.size = outputSize;
  mod.decompressed = true;
  console.estimates.push(`address of the decompressed kernel buffer (${paddr(buf)}, "Loading zImage from ..."): Xen's heap picks it`);
  out.dec = { head };
  return 0;
}

function zimage64Probe(head: Uint8Array, addr: number, size: number): KernelInfo | undefined {
  if (size < 64 || head.length < 64 || !probeArm64ImageXen(head)) return undefined;
  // No length in the header: Xen copies the whole module ("just use the size").
  return { format: 'arm64-image', kernelAddr: addr, len: size, textOffset: u64le(head, 8), imageSize: u64le(head, 16), is64: true, zimageStart: 0, guestProblems: [], notes: [] };
}

function zimage32Probe(head: Uint8Array, addr: number, size: number): KernelInfo | undefined {
  if (size < 0x30 || head.length < 0x30) return undefined;
  if (u32le(head, ZIMAGE_MAGIC_OFFSET) !== ZIMAGE_MAGIC) return undefined;
  const start = u32le(head, 0x28);
  const end = u32le(head, 0x2c);
  if (end - start > size) return undefined;
  return { format: 'zimage', kernelAddr: addr, len: end - start, textOffset: 0, is64: false, zimageStart: start, guestProblems: [], notes: [] };
}

function uimageProbe(ctx: ProbeCtx, head: Uint8Array, addr: number, size: number): KernelInfo | number | undefined {
  if (size < UIMAGE_HEADER_SIZE || head.length < UIMAGE_HEADER_SIZE) return undefined;
  if (new DataView(head.buffer, head.byteOffset).getUint32(0, false) !== IH_MAGIC) return undefined;
  const h = parseUImageHeader(head.subarray(0, UIMAGE_HEADER_SIZE), 'uImage kernel');
  if (h.size > size - UIMAGE_HEADER_SIZE) return undefined;
  const guestProblems: string[] = [];
  if (uimageProbedFirst(ctx.version)) {
    if (h.comp !== IH_COMP_NONE && h.comp !== IH_COMP_GZIP) {
      ctx.console.printk(`Unsupported uImage compression type ${h.comp}`, 'err');
      return EINVAL;
    }
  } else if (h.comp !== IH_COMP_NONE) {
    // 4.17 has no compression handling for uImages: the payload is copied as it is.
    guestProblems.push(`uImage payload is compressed (ih_comp ${h.comp}); Xen ${ctx.version.text} copies it without decompressing, the guest cannot run it`);
  }
  let is64: boolean;
  if (h.arch === IH_ARCH_ARM) is64 = false;
  else if (h.arch === IH_ARCH_ARM64) is64 = true;
  else {
    ctx.console.printk(`Unsupported uImage arch type ${h.arch}`, 'err');
    return EINVAL;
  }
  return { format: h.comp === IH_COMP_GZIP && uimageProbedFirst(ctx.version) ? 'uimage+gzip' : 'uimage', kernelAddr: addr + UIMAGE_HEADER_SIZE, len: h.size, textOffset: 0, is64, zimageStart: h.load, guestProblems, notes: [] };
}

/**
 * The probe sequence of kernel_probe() after the module lookup, for one kernel module.
 * @returns rc 0 with the kernel info, or a negative errno with the reason.
 */
export function probeKernelModule(ctx: ProbeCtx, mod: BootModule): ProbeResult {
  const out: { dec?: Decompressed; notes: string[]; guestProblems: string[] } = { notes: [], guestProblems: [] };
  const readHead = (): Uint8Array => ctx.ram.read(mod.start, Math.min(mod.size, 64));
  const finish = (info: KernelInfo | undefined, wasGzip: boolean): ProbeResult | undefined => {
    if (!info) return undefined;
    info.notes.push(...out.notes);
    info.guestProblems.push(...out.guestProblems);
    if (wasGzip) info.format = (`gzip+${info.format}`) as KernelFormat;
    return { rc: 0, info };
  };

  if (uimageProbedFirst(ctx.version)) {
    const u = uimageProbe(ctx, readHead(), mod.start, mod.size);
    if (typeof u === 'number') return { rc: u, why: 'unsupported uImage' };
    if (u) return finish(u, false)!;
  }
  const rc = kernelDecompress(ctx, mod, out);
  if (rc !== 0 && rc !== EINVAL) return { rc, why: out.notes.join('; ') || 'kernel decompression failed' };
  const wasGzip = rc === 0;
  const head = wasGzip ? out.dec!.head : readHead();
  const z64 = zimage64Probe(head, mod.start, mod.size);
  if (z64) return finish(z64, wasGzip)!;
  if (!uimageProbedFirst(ctx.version)) {
    const u = uimageProbe(ctx, head, mod.start, mod.size);
    if (typeof u === 'number') return { rc: u, why: 'unsupported uImage' };
    if (u) return finish(u, wasGzip)!;
  }
  const z32 = zimage32Probe(head, mod.start, mod.size);
  if (z32) return finish(z32, wasGzip)!;
  const what = wasGzip ? 'the decompressed gzip kernel' : `the module at ${paddr(mod.start)}`;
  return { rc: EINVAL, why: `${what} is neither an arm64 Image, a uImage nor an arm32 zImage${wasGzip ? '' : ' (and not gzip)'}` };
}
