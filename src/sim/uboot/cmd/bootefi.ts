// Models U-Boot cmd/bootefi.c do_bootefi() with the UEFI loader parts a payload in memory goes
// through: efi_set_bootdev() (loaders remember the last PE/COFF file they loaded), efi_init_obj_list()
// (its first-call messages on Debian's qemu_arm64 build), efi_install_fdt() (header check, copy_fdt()
// to 127 MiB above the start of RAM with 12 KiB to spare, image_setup_libfdt() fix-ups),
// efi_run_image() ("Booting <device path>") and efi_load_pe()'s PE/COFF checks. 2023.01 installs the
// FDT before it looks for the image; 2025.01 (efi_binary_run()) looks for the image first.
import { defineCommand, CMD_RET, type CmdRet } from '../command.js';
import type { Machine } from '../machine.js';
import { hexBare } from '../../../util/hex.js';
import { alignUp, SZ_4K } from '../../../util/align.js';
import { hexToUl } from '../env.js';
import { atLeast } from '../version.js';
import { checkHeader, totalsize, setTotalsize } from '../../../fdt/header.js';
import { shrinkToMinimum } from '../../../fdt/rw.js';
import { ARM64_IMAGE_HEADER_SIZE, parseArm64Image, probeArm64Image } from '../../../images/arm64-image.js';
import { fdtChosen, fdtFixupMemoryBanks } from '../boot/fdt-support.js';

/** IMAGE_DOS_HEADER is 64 bytes; e_lfanew at 60. IMAGE_NT_HEADERS32 is 248 bytes. */
const DOS_HEADER_SIZE = 64;
const NT_HEADERS32_SIZE = 248;
/** IMAGE_FILE_MACHINE_ARM64. */
const MACHINE_ARM64 = 0xaa64;
/** copy_fdt(): the FDT goes below 127 MiB above the lowest DRAM bank, with 12 KiB to grow. */
const FDT_SAFE_OFFSET = 0x7f00000;
const FDT_SLACK = 0x3000;
/** Bytes read to check a PE/COFF header (Xen's and Linux's NT headers sit at 0x40). */
const PE_HEAD_BYTES = 0x1000;

/** What efi_set_bootdev() remembered: the last PE/COFF file a loader put in memory. */
export interface EfiBootdev { addr: number; size: number; path: string; device: 'net' | 'block' }

const bootdevs = new WeakMap<Machine, EfiBootdev>();
const initialised = new WeakSet<Machine>();

export type PeCheck = { ok: true; machine: number } | { ok: false; why: string };

/**
 * efi_check_pe() over the first bytes of a file of `size` bytes, every read bounds-checked: "MZ",
 * e_lfanew inside the file with room for the NT headers, then "PE\0\0" (and the machine type).
 */
export function checkPe(bytes: Uint8Array, size = bytes.length): PeCheck {
  if (size < DOS_HEADER_SIZE || bytes.length < DOS_HEADER_SIZE) return { ok: false, why: 'shorter than a DOS header' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint16(0, true) !== 0x5a4d) return { ok: false, why: 'no "MZ" DOS signature' };
  const lfanew = view.getUint32(60, true);
  if (size < lfanew + NT_HEADERS32_SIZE) return { ok: false, why: `the NT headers at e_lfanew ${hexBare(lfanew)} lie past the end` };
  if (bytes.length < lfanew + 6 || view.getUint32(lfanew, true) !== 0x00004550) return { ok: false, why: 'no "PE\\0\\0" signature at e_lfanew' };
  return { ok: true, machine: view.getUint16(lfanew + 4, true) };
}

/** Page-aligned ranges of files loaded so far (U-Boot 2025.01 and later). */
const loads = new WeakMap<Machine, { start: number; size: number }[]>();

/**
 * A loader put `size` bytes of `path` at `addr`. From 2025.01 the load's LMB reservation is passed on
 * to the EFI memory map (lmb_map_update_notify()): its pages become EfiBootServicesData. Then
 * efi_set_bootdev(): an earlier remembered image the load overwrote is forgotten; the new one is
 * remembered only when it is a PE/COFF file.
 */
export function efiSetBootdev(m: Machine, addr: number, size: number, path: string, device: EfiBootdev['device']): void {
  if (size > 0 && atLeast(m.version, '2025.01')) {
    const list = loads.get(m) ?? [];
    const start = Math.floor(addr / SZ_4K) * SZ_4K;
    list.push({ start, size: alignUp(addr + size, SZ_4K) - start });
    loads.set(m, list);
  }
  const old = bootdevs.get(m);
  if (old && addr + size >= old.addr && old.addr + old.size >= addr) bootdevs.delete(m);
  if (!checkPe(m.ram.read(addr, Math.min(size, PE_HEAD_BYTES)), size).ok) return;
  bootdevs.set(m, { addr, size, path, device });
}

/** The remembered image, if any. */
export function efiBootdev(m: Machine): EfiBootdev | undefined { return bootdevs.get(m); }

/** %pD of the file path node efi_dp_from_name() builds ("Net" and block devices): "/" + the path with "\" separators. */
const filePathText = (path: string): string => `/${path.replace(/^\/+/, '').replace(/\//g, '\\')}`;

/** The EFI memory map's EfiBootServicesData from loads, merged where they touch (efi_add_memory_map_pg()). */
export function efiLoadedRanges(m: Machine): { start: number; size: number }[] {
  const sorted = [...(loads.get(m) ?? [])].sort((a, b) => a.start - b.start);
  const out: { start: number; size: number }[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.start + last.size) last.size = Math.max(last.size, r.start + r.size - last.start);
    else out.push({ ...r });
  }
  return out;
}

/**
 * efi_init_obj_list(): what Debian's qemu_arm64 builds print the first time (after the terminal size
 * query): real 2023.01 and 2025.01 serial logs.
 */
function initObjList(m: Machine): void {
  if (initialised.has(m)) return;
  initialised.add(m);
  m.console.puts('\x1b7\x1b[r\x1b[999;999H\x1b[6n\x1b8');
  if (atLeast(m.version, '2025.01')) {
    m.console.line('Cannot persist EFI variables without system partition');
    m.console.line('Missing TPMv2 device for EFI_TCG_PROTOCOL');
  } else {
    m.console.line('No EFI system partition');
    m.console.line('Unable to find TPMv2 device');
  }
  m.console.line('Missing RNG device for EFI_RNG_PROTOCOL');
}

/** log_err() text of efi_install_fdt(): "ERROR: " was dropped in 2025.01. */
const installErr = (m: Machine, text: string): void => m.console.line(atLeast(m.version, '2025.01') ? text : `ERROR: ${text}`);

/**
 * efi_install_fdt(): the copy's address, or undefined after U-Boot's message. No address, or one that
 * reads as 0 (ImageBuilder 2023.2's "-"), is EFI_FDT_USE_INTERNAL: ${fdt_addr}, else U-Boot's own
 * DT at ${fdtcontroladdr} (on QEMU the board's DT, without any /chosen module).
 */
function installFdt(m: Machine, fdtArg: string | undefined): { addr: number; size: number } | undefined {
  let src = fdtArg === undefined ? 0 : hexToUl(fdtArg).value;
  if (!src) {
    const opt = m.env.get('fdt_addr') ?? m.env.get('fdtcontroladdr');
    if (opt === undefined) { installErr(m, 'need device tree'); return undefined; }
    src = hexToUl(opt).value;
    if (!src) { installErr(m, 'invalid $fdt_addr or $fdtcontroladdr'); return undefined; }
  }
  const blob = m.readFdt(src);
  if (!blob || checkHeader(blob) !== 0) { installErr(m, 'invalid device tree'); return undefined; }
  // copy_fdt(): EFI_ALLOCATE_MAX_ADDRESS, the highest free pages ending by 127 MiB + the copy's size
  // above the lowest bank. Before 2025.01 the EFI memory map knows nothing of loaded files, so the
  // copy lands at 127 MiB whatever was loaded there; from 2025.01 it steps below them.
  const ramStart = Math.min(...m.board.dram.filter((b) => b.size > 0).map((b) => b.start));
  const pages = alignUp(totalsize(blob) + FDT_SLACK, SZ_4K);
  let at = ramStart + FDT_SAFE_OFFSET;
  for (const r of [...efiLoadedRanges(m)].reverse()) if (at < r.start + r.size && r.start < at + pages) at = r.start - pages;
  if (at < ramStart || !m.canLoad(at, pages)) { installErr(m, 'out of memory'); return undefined; }
  const copy = new Uint8Array(pages);
  copy.set(blob);
  setTotalsize(copy, pages);
  // image_setup_libfdt() with no ramdisk and no lmb: /chosen, /memory, then shrunk to its minimum.
  const fail = (): undefined => { m.console.line(' - must RESET the board to recover.'); m.console.line(''); installErr(m, 'failed to process device tree'); return undefined; };
  if (fdtChosen(m, copy) < 0) { m.console.line('ERROR: /chosen node create failed'); return fail(); }
  if (fdtFixupMemoryBanks(m, copy, m.board.dram) < 0) { m.console.line('ERROR: arch-specific fdt fixup failed'); return fail(); }
  const size = shrinkToMinimum(copy, at, 0);
  if (size < 0) return fail();
  m.writeFdt(at, copy.subarray(0, Math.min(size, copy.length)));
  return { addr: at, size };
}

/** The image argument: its address and size, CMD_RET.USAGE, or CMD_RET.FAILURE after the message. */
function findImage(m: Machine, arg: string): { addr: number; size: number; path?: string; device?: EfiBootdev['device'] } | CmdRet {
  const colon = arg.indexOf(':');
  const addr = hexToUl(colon >= 0 ? arg.slice(0, colon) : arg).value;
  if (!addr) return CMD_RET.USAGE;
  if (colon >= 0) {
    const size = hexToUl(arg.slice(colon + 1)).value;
    if (!size) return CMD_RET.USAGE;
    bootdevs.delete(m);
    return { addr, size };
  }
  const known = bootdevs.get(m);
  if (!known || known.addr !== addr) { m.console.line(`No UEFI binary known at ${colon >= 0 ? arg.slice(0, colon) : arg}`); return CMD_RET.FAILURE; }
  return { addr, size: known.size, path: known.path, device: known.device };
}

function run(m: Machine, argv: readonly string[]): CmdRet {
  if (argv.length < 2) return CMD_RET.USAGE;
  const imageArg = argv[1]!;
  const fdtArg = argv[2];
  if (imageArg === 'bootmgr' || imageArg === 'hello' || imageArg === 'selftest') {
    m.console.line(`## uboot-gen simulator: bootefi ${imageArg} is not modelled`);
    return CMD_RET.FAILURE;
  }
  const modern = atLeast(m.version, '2025.01');
  const early = modern ? findImage(m, imageArg) : undefined;
  if (typeof early === 'number') return early;
  m.bootAttempted = true;
  initObjList(m);
  const fdt = installFdt(m, fdtArg);
  if (!fdt) return CMD_RET.FAILURE;
  const image = early ?? findImage(m, imageArg);
  if (typeof image === 'number') return image;
  // efi_run_image(): a payload not loaded by a loader is named by its memory range.
  m.console.line(`Booting ${image.path !== undefined ? filePathText(image.path) : `/MemoryMapped(0x0,0x${hexBare(image.addr)},0x${hexBare(image.size)})`}`);
  const pe = checkPe(m.ram.read(image.addr, Math.min(image.size, PE_HEAD_BYTES)), image.size);
  if (!pe.ok) { m.console.line('Not a PE-COFF file'); m.console.line('Loading image failed'); return CMD_RET.FAILURE; }
  if (pe.machine !== MACHINE_ARM64) {
    m.console.line(`Machine type 0x${pe.machine.toString(16).padStart(4, '0')} is not supported`);
    m.console.line('Loading image failed');
    return CMD_RET.FAILURE;
  }
  const head = m.ram.read(image.addr, ARM64_IMAGE_HEADER_SIZE);
  if (!probeArm64Image(head)) {
    m.console.line('## uboot-gen simulator: the EFI application is not an arm64 Image (Xen); only Xen is booted after bootefi');
    return CMD_RET.FAILURE;
  }
  const info = parseArm64Image(head, 'Image');
  m.handoff = {
    command: 'bootefi', loadAddr: image.addr, entry: image.addr,
    kernel: { format: 'arm64-image', imageSize: info.imageSize, textOffset: info.textOffset, flags: info.flags },
    fdtAddr: fdt.addr, fdt: m.ram.read(fdt.addr, fdt.size), ram: m.ram, board: m.board,
    efi: { bootServicesData: efiLoadedRanges(m), device: image.device ?? 'memory' },
  };
  m.stopped = 'booted';
  return CMD_RET.SUCCESS;
}

export default defineCommand({
  name: 'bootefi', maxArgs: 4, repeatable: false, source: 'cmd/bootefi.c',
  usage: 'Boots an EFI payload from memory',
  help: '<image address>[:<image size>] [<fdt address>]\n  - boot EFI payload\n'
    + 'bootefi bootmgr [fdt address]\n  - load and boot EFI payload based on BootOrder/BootXXXX variables.\n\n'
    + '    If specified, the device tree located at <fdt address> gets\n    exposed as EFI configuration table.\n',
  run,
});
