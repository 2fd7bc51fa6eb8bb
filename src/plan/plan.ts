// Config + the binaries on disk → BootPlan. Reads only headers (src/images) and the
// board DTB; decides every address; computes the DTB's growth by applying the edits.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SZ_2M, alignUp, rangesOverlap } from '../util/align.js';
import { hexUpper, humanSize } from '../util/hex.js';
import { readRange } from '../util/file.js';
import { ConfigError, ImageFormatError, PlanError } from '../errors.js';
import type { Config, Diagnostic, FileRef } from '../config/types.js';
import { sizeImage, type ImageInfo } from '../images/probe-file.js';
import { checkRole, type ImageRole } from '../images/roles.js';
import { IH_ARCH_ARM, IH_ARCH_ARM64, IH_COMP_NONE, IH_OS_LINUX, IH_TYPE_KERNEL, writeUImage } from '../images/uimage.js';
import { ARM64_FLAG_PHYS_BASE } from '../images/arm64-image.js';
import { shrinkToMinimumSize } from '../fdt/rw.js';
import { offDtStrings, sizeDtStrings } from '../fdt/header.js';
import { readBoard, type BoardInfo } from './board.js';
import { placeNext } from './allocate.js';
import { buildFdtEdits, growthOfEdits } from './fdt-edits.js';
import type { BootPlan, LoadRole, PlanOptions, PlannedDomain, PlannedLoad, Region } from './types.js';

// Debian 2023.01 qemu_arm64 with 2 GiB reserves [0xBDDB2000, 0xC0000000) = 34.3 MiB (bdinfo in
// test/fixtures/transcripts/uboot-bdinfo.log); rounded up to 2 MiB.
export const DEFAULT_UBOOT_RESERVE = 0x2400000;
export const DEFAULT_FDT_PAD = 0x3000;
/** Xen refuses a DTB larger than this (MAX_FDT_SIZE), and needs it 8-byte aligned. */
export const XEN_MAX_FDT_SIZE = SZ_2M;
/** MAX_MODULES of Xen on Arm (xen/include/xen/bootfdt.h). */
export const XEN_MAX_MODULES = 32;
/** ImageBuilder keeps binaries above 12 MiB ("avoid clashes with Xen 1:1 map"). */
const LOW_FLOOR = 0xc00000;

interface FileItem { ref: FileRef; role: LoadRole; imageRole: ImageRole; id: string; loadCmd: string }

/** Path as it appears in the load command: relative to DIR when inside it (ImageBuilder load_file()). */
function scriptPath(dir: string, abs: string): string {
  const rel = path.relative(dir, abs);
  return rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel.split(path.sep).join('/');
}

function resolveFile(dir: string, ref: FileRef): string {
  return path.resolve(dir, ref.value);
}

/**
 * Size a file the config names and check it can serve `role`. Errors point at the config
 * key and the position of its value, so the message names the file, the line and the fix.
 */
export function sizeConfigFile(dir: string, ref: FileRef, role: ImageRole): ImageInfo {
  const abs = resolveFile(dir, ref);
  try {
    const info = sizeImage(abs, ref.key);
    checkRole(info, role, ref.key);
    return info;
  } catch (e) {
    if (!(e instanceof ImageFormatError)) throw e;
    const where = { ...ref.where, key: ref.key };
    if (e.code === 'IMAGE_NOT_FOUND') {
      throw new ImageFormatError('IMAGE_NOT_FOUND', `${ref.key} = "${ref.value}": no such file in ${dir}`, { path: abs },
        where, 'paths in the config are relative to the -d directory (default: the config file\'s folder)');
    }
    throw new ImageFormatError(e.code, e.message, e.data, where, e.hint);
  }
}

/**
 * Content identity for sharing: same real path, or same size and same bytes. Bytes are
 * compared by a hash of the first 4 KiB first, so distinct kernels of equal size are
 * told apart without reading them whole; only equal heads lead to a full SHA-256.
 */
class Identity {
  #byReal = new Map<string, string>();
  #real = new Map<string, string>();
  #head = new Map<string, string>();
  #full = new Map<string, string>();
  /** Files seen so far, grouped by size: only equal sizes are ever compared. */
  #bySize = new Map<number, string[]>();
  key(abs: string, size: number): string {
    const real = this.#realpath(abs);
    const known = this.#byReal.get(real);
    if (known) return known;
    const same = this.#bySize.get(size) ?? [];
    for (const other of same) {
      if (this.#hash(this.#head, other, HEAD_FINGERPRINT) !== this.#hash(this.#head, abs, HEAD_FINGERPRINT)) continue;
      if (this.#hash(this.#full, other) === this.#hash(this.#full, abs)) {
        const k = this.#byReal.get(this.#realpath(other))!;
        this.#byReal.set(real, k);
        return k;
      }
    }
    same.push(abs);
    this.#bySize.set(size, same);
    this.#byReal.set(real, real);
    return real;
  }
  #realpath(abs: string): string {
    let r = this.#real.get(abs);
    if (!r) { r = fs.realpathSync(abs); this.#real.set(abs, r); }
    return r;
  }
  #hash(cache: Map<string, string>, abs: string, limit?: number): string {
    let h = cache.get(abs);
    if (!h) {
      const hash = crypto.createHash('sha256');
      if (limit !== undefined) hash.update(readRange(abs, 0, limit));
      else {
        const fd = fs.openSync(abs, 'r');
        try {
          const chunk = Buffer.allocUnsafe(1 << 20);
          for (let n; (n = fs.readSync(fd, chunk, 0, chunk.length, null)) > 0;) hash.update(chunk.subarray(0, n));
        } finally { fs.closeSync(fd); }
      }
      h = hash.digest('hex');
      cache.set(abs, h);
    }
    return h;
  }
}

const HEAD_FINGERPRINT = 4096;

export interface PlanInputs {
  config: Config;
  dir: string;
  diagnostics?: Diagnostic[];
}

export function planBoot({ config, dir, diagnostics = [] }: PlanInputs, opts: PlanOptions = {}): BootPlan {
  const share = opts.share ?? true;
  const fdtPad = opts.fdtPad ?? DEFAULT_FDT_PAD;
  const ubootReserve = opts.ubootReserve ?? DEFAULT_UBOOT_RESERVE;
  const diags = [...diagnostics];

  if (config.bootCmd === 'bootefi' || config.bootCmd === 'none') {
    // Planning works, but the flows are described for completeness only.
    diags.push({ level: 'info', code: 'PLAN_BOOT_CMD', message: `BOOT_CMD=${config.bootCmd}: the script is generated, but the simulator does not boot it` });
  }
  if (!config.deviceTree) {
    throw new ConfigError('CONFIG_MISSING', 'DEVICE_TREE is not set: uboot-gen needs the board DTB to plan around its reserved memory and to edit /chosen',
      {}, undefined, 'set DEVICE_TREE to the board DTB (QEMU: qemu-system-aarch64 -machine virt,dumpdtb=virt.dtb)');
  }

  // --- the board DTB ---
  const dtbInfo = sizeConfigFile(dir, config.deviceTree, 'dtb');
  const dtbAbs = resolveFile(dir, config.deviceTree);
  const dtbBytes = new Uint8Array(fs.readFileSync(dtbAbs));
  const board: BoardInfo = readBoard(dtbBytes, `DEVICE_TREE "${config.deviceTree.value}"`);
  for (const name of board.chosenChildren) {
    if (/^(dom0|domU\d+)(@|$)/.test(name)) {
      throw new PlanError('PLAN_OVERLAP', `DEVICE_TREE "${config.deviceTree.value}" already has /chosen/${name}: it looks edited by an earlier boot script, and \`fdt mknod\` would fail with FDT_ERR_EXISTS`,
        {}, { ...config.deviceTree.where, key: 'DEVICE_TREE' }, 'pass the unedited board DTB');
    }
  }

  const ram: Region[] = board.memory.length
    ? board.memory.map((m) => ({ ...m, label: 'RAM' }))
    : [{ start: config.memoryStart, end: config.memoryEnd, label: 'RAM (MEMORY_START..MEMORY_END)' }];
  if (config.memoryEnd <= config.memoryStart) {
    throw new PlanError('PLAN_OUT_OF_MEMORY', `MEMORY_END (${hexUpper(config.memoryEnd)}) must be above MEMORY_START (${hexUpper(config.memoryStart)})`);
  }
  const topBank = ram.find((b) => config.memoryEnd > b.start && config.memoryEnd <= b.end) ?? ram[ram.length - 1]!;
  const ubootArea: Region = { start: Math.max(topBank.start, topBank.end - ubootReserve), end: topBank.end, label: 'U-Boot (relocated code, stack, heap)' };
  const avoid: Region[] = [...board.reserved, ubootArea];

  // --- the files, in ImageBuilder's load order ---
  const items: FileItem[] = [];
  if (config.dom0) {
    items.push({ ref: config.dom0.kernel, role: 'dom0-kernel', imageRole: 'kernel', id: 'dom0_linux', loadCmd: config.dom0.load });
    if (config.dom0.ramdisk) items.push({ ref: config.dom0.ramdisk, role: 'dom0-ramdisk', imageRole: 'ramdisk', id: 'dom0_ramdisk', loadCmd: config.dom0.load });
  }
  for (const du of config.domUs) {
    if (!du.boot) continue;
    items.push({ ref: du.kernel, role: 'domU-kernel', imageRole: 'kernel', id: `domU${du.index}_kernel`, loadCmd: du.load });
    if (du.ramdisk) items.push({ ref: du.ramdisk, role: 'domU-ramdisk', imageRole: 'ramdisk', id: `domU${du.index}_ramdisk`, loadCmd: du.load });
    if (du.passthroughDtb) items.push({ ref: du.passthroughDtb, role: 'domU-dtb', imageRole: 'passthrough-dtb', id: `domU${du.index}_fdt`, loadCmd: du.load });
  }

  const xenInfo = sizeConfigFile(dir, config.xen, 'xen');
  checkXenMatchesBootCmd(config, xenInfo);

  // ImageBuilder: script slot at MEMORY_START + 2 MiB (not below 12 MiB), first binary 2 MiB later.
  const scriptAddr = Math.max(config.memoryStart + SZ_2M, LOW_FLOOR);
  avoid.push({ start: scriptAddr, end: scriptAddr + SZ_2M, label: 'boot.scr' });
  let cursor = scriptAddr + SZ_2M;

  // Xen without "place anywhere" (arm64 flags bit 3) is moved by booti to the start of RAM.
  const ramBase = ram[0]!.start;
  if (config.bootCmd === 'booti' && xenInfo.arm64 && (xenInfo.arm64.flags & ARM64_FLAG_PHYS_BASE) === 0) {
    const run = alignUp(ramBase, SZ_2M) + xenInfo.arm64.textOffset;
    avoid.push({ start: run, end: run + xenInfo.arm64.imageSize, label: 'Xen after booti relocation (image flags lack "place anywhere")' });
    diags.push({ level: 'warning', code: 'PLAN_XEN_FIXED', message: `XEN's arm64 header does not allow placement anywhere (flags bit 3 clear): booti moves it to ${hexUpper(run)}; that range is kept free` });
  }

  const loads: PlannedLoad[] = [];
  const shared = new Map<string, PlannedLoad>();
  const identity = new Identity();
  const byRole = new Map<string, PlannedLoad>();

  const place = (id: string, role: LoadRole, keys: string[], abs: string, loadCmd: string, info: ImageInfo, footprint: number, regSize: number): PlannedLoad => {
    const p = placeNext(cursor, footprint, avoid);
    const reservedEnd = alignUp(p.addr + footprint, SZ_2M);
    const load: PlannedLoad = {
      id, role, keys, file: scriptPath(dir, abs), absPath: abs, loadCmd, addr: p.addr,
      transferSize: info.transferSize, footprint, regSize, reservedEnd, format: info.format,
      ...(info.inner ? { inner: info.inner } : {}),
      ...(p.skipped.length ? { note: `moved past ${[...new Set(p.skipped.map((r) => r.label))].join(', ')}` } : {}),
    };
    cursor = reservedEnd;
    loads.push(load);
    return load;
  };

  for (const it of items) {
    const info = sizeConfigFile(dir, it.ref, it.imageRole);
    const abs = resolveFile(dir, it.ref);
    // A gzip kernel is replaced by its decompressed copy when Xen builds the first domain,
    // so a second domain looking it up by address would find nothing (kernel_decompress()).
    const shareable = share && !(it.imageRole === 'kernel' && info.format === 'gzip');
    if (shareable) {
      const k = `${it.imageRole}:${identity.key(abs, info.fileSize)}`;
      const prev = shared.get(k);
      if (prev) {
        prev.keys.push(it.ref.key);
        byRole.set(it.id, prev);
        continue;
      }
      const load = place(it.id, it.role, [it.ref.key], abs, it.loadCmd, info, info.footprint, info.footprint);
      shared.set(k, load);
      byRole.set(it.id, load);
    } else {
      byRole.set(it.id, place(it.id, it.role, [it.ref.key], abs, it.loadCmd, info, info.footprint, info.footprint));
    }
  }

  // --- Xen ---
  const xenAbs = resolveFile(dir, config.xen);
  const imageSize = xenInfo.arm64?.imageSize ?? xenInfo.zimage?.size ?? xenInfo.fileSize;
  let xenLoad: PlannedLoad;
  let uimage: BootPlan['xen']['uimage'];
  if (config.bootCmd === 'bootm') {
    // Wrap Xen as a legacy kernel uImage whose load = entry = its own slot, as ImageBuilder's
    // mkimage call does; bootm copies the payload 64 bytes down onto the slot.
    const ubAbs = `${xenAbs}.ub`;
    const ubSize = xenInfo.fileSize + 64;
    const footprint = Math.max(ubSize, imageSize);
    const p = placeNext(cursor, footprint, avoid);
    const payload = fs.readFileSync(xenAbs);
    const bytes = writeUImage({
      os: IH_OS_LINUX, arch: xenInfo.arm64 ? IH_ARCH_ARM64 : IH_ARCH_ARM, type: IH_TYPE_KERNEL, comp: IH_COMP_NONE,
      load: p.addr, ep: p.addr, name: '', time: opts.timestamp ?? 0,
    }, payload);
    uimage = { file: scriptPath(dir, ubAbs), absPath: ubAbs, bytes };
    xenLoad = place('host_kernel', 'xen', ['XEN'], ubAbs, config.xenLoad, { ...xenInfo, format: 'uimage', transferSize: bytes.length, inner: xenInfo.format }, footprint, footprint);
  } else {
    xenLoad = place('host_kernel', 'xen', ['XEN'], xenAbs, config.xenLoad, xenInfo, Math.max(xenInfo.footprint, imageSize), Math.max(xenInfo.footprint, imageSize));
  }
  let runAddr = xenLoad.addr;
  if (config.bootCmd === 'booti' && xenInfo.arm64) {
    runAddr = (xenInfo.arm64.flags & ARM64_FLAG_PHYS_BASE) !== 0
      ? alignUp(xenLoad.addr - xenInfo.arm64.textOffset, SZ_2M) + xenInfo.arm64.textOffset
      : alignUp(ramBase, SZ_2M) + xenInfo.arm64.textOffset;
  }

  // --- domains, edits and the DTB's growth ---
  const domains: PlannedDomain[] = [];
  if (config.dom0) {
    domains.push({
      name: 'dom0', kind: 'dom0', kernel: byRole.get('dom0_linux')!, cmd: config.dom0.cmd,
      ...(byRole.get('dom0_ramdisk') ? { ramdisk: byRole.get('dom0_ramdisk')! } : {}),
    });
  }
  for (const du of config.domUs) {
    if (!du.boot) continue;
    const rd = byRole.get(`domU${du.index}_ramdisk`);
    const dt = byRole.get(`domU${du.index}_fdt`);
    domains.push({
      name: `domU${du.index}`, kind: 'domU', index: du.index, kernel: byRole.get(`domU${du.index}_kernel`)!,
      memMB: du.memMB, vcpus: du.vcpus, cmd: du.cmd, ...(rd ? { ramdisk: rd } : {}), ...(dt ? { passthroughDtb: dt } : {}),
    });
  }
  const edits = buildFdtEdits({ config, domains, createChosen: !board.hasChosen });
  const growth = growthOfEdits(dtbBytes, edits, `DEVICE_TREE "${config.deviceTree.value}"`);
  const resizeExtra = growth;

  // The DTB goes last; its slot must hold the blob after `fdt resize` plus booti's in-place pad.
  const used = offDtStrings(dtbBytes) + sizeDtStrings(dtbBytes);
  const worstResized = used + 80 + resizeExtra + 4096;
  const dtbFootprint = Math.max(dtbInfo.fileSize, worstResized + fdtPad);
  const dtbLoad = place('host_fdt', 'dtb', ['DEVICE_TREE'], dtbAbs, config.xenLoad, dtbInfo, dtbFootprint, dtbFootprint);
  const resizedSize = shrinkToMinimumSize(used, dtbLoad.addr, resizeExtra);
  if (resizedSize + fdtPad > XEN_MAX_FDT_SIZE) {
    throw new PlanError('PLAN_DTB_TOO_LARGE', `the edited device tree would be ${resizedSize + fdtPad} bytes, but Xen accepts at most ${XEN_MAX_FDT_SIZE} (2 MiB)`,
      { size: resizedSize + fdtPad });
  }

  // Xen on Arm registers at most MAX_MODULES (32) boot modules, Xen and the DTB included; any further
  // module node is ignored ("(too many)") and its domain then misses its kernel. Shared loads count once.
  const moduleCount = 2 + new Set(loads.filter((l) => l.role !== 'xen' && l.role !== 'dtb').map((l) => l.addr)).size;
  if (moduleCount > XEN_MAX_MODULES) {
    diags.push({ level: 'warning', code: 'PLAN_TOO_MANY_MODULES',
      message: `Xen registers at most ${XEN_MAX_MODULES} boot modules (Xen and the DTB included) but this plan has ${moduleCount}: the last module nodes in /chosen are ignored and their domains fail with "Missing kernel boot module?". Share identical kernels/ramdisks (the default) or boot fewer domains.` });
  }

  // --- everything must fit below MEMORY_END and inside RAM ---
  const highWater = Math.max(...loads.map((l) => l.addr + l.footprint));
  if (highWater > config.memoryEnd) {
    const needed = highWater - scriptAddr;
    const available = config.memoryEnd - scriptAddr;
    throw new PlanError('PLAN_OUT_OF_MEMORY',
      `the binaries do not fit below MEMORY_END: they need ${needed} bytes (${humanSize(needed)}) from ${hexUpper(scriptAddr)} up to ${hexUpper(highWater)}, but only ${available} bytes (${humanSize(available)}) are available below ${hexUpper(config.memoryEnd)}`,
      { needed, available, highWater, loads: loads.map((l) => ({ id: l.id, addr: l.addr, footprint: l.footprint })) },
      undefined, 'raise MEMORY_END (it should match the board\'s /memory), share identical binaries, or use smaller images');
  }
  for (const l of loads) {
    if (!ram.some((b) => l.addr >= b.start && l.addr + l.footprint <= b.end)) {
      throw new PlanError('PLAN_OUT_OF_MEMORY', `${l.keys.join(', ')} at ${hexUpper(l.addr)}..${hexUpper(l.addr + l.footprint)} is outside the board's RAM (${ram.map((b) => `${hexUpper(b.start)}..${hexUpper(b.end)}`).join(', ')})`);
    }
    const clash = avoid.find((r) => rangesOverlap(l.addr, l.addr + l.footprint, r.start, r.end));
    if (clash) throw new PlanError('PLAN_RESERVED_CONFLICT', `${l.keys.join(', ')} at ${hexUpper(l.addr)} overlaps ${clash.label}`);
  }
  const xenEnd = runAddr + imageSize;
  for (const l of loads) {
    if (l !== xenLoad && rangesOverlap(l.addr, l.addr + l.footprint, runAddr, xenEnd)) {
      throw new PlanError('PLAN_OVERLAP', `${l.keys.join(', ')} at ${hexUpper(l.addr)} overlaps Xen once it runs at ${hexUpper(runAddr)}..${hexUpper(xenEnd)}`);
    }
  }

  return {
    config, dir, memoryStart: config.memoryStart, memoryEnd: config.memoryEnd, scriptAddr, loads,
    xen: { load: xenLoad, runAddr, imageSize, ...(uimage ? { uimage } : {}) },
    dtb: { load: dtbLoad, originalSize: dtbInfo.dtb?.totalsize ?? dtbInfo.fileSize, growth, resizeExtra, resizedSize, bootPad: fdtPad },
    domains, edits, bootCmd: config.bootCmd, avoided: avoid, ram, highWater, diagnostics: diags,
  };
}

function checkXenMatchesBootCmd(config: Config, xen: ImageInfo): void {
  const want = config.bootCmd === 'bootz' ? 'zimage' : config.bootCmd === 'booti' || config.bootCmd === 'bootm' ? 'arm64-image' : undefined;
  if (config.bootCmd === 'bootm' && xen.format === 'zimage') return; // arm32 Xen wrapped as an ARM uImage
  if (want && xen.format !== want) {
    const is = xen.format === 'zimage' ? 'an arm32 zImage' : xen.format === 'arm64-image' ? 'an arm64 Image' : `a ${xen.format} file`;
    const fix = xen.format === 'zimage' ? 'set BOOT_CMD=bootz' : xen.format === 'arm64-image' ? 'set BOOT_CMD=booti' : 'give the Xen binary';
    throw new ImageFormatError('IMAGE_WRONG_TYPE', `BOOT_CMD=${config.bootCmd} cannot boot XEN "${config.xen.value}": it is ${is}`, {},
      { ...config.xen.where, key: 'XEN' }, fix);
  }
}
