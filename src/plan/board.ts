// What the planner learns from the board DTB it will load: RAM banks (/memory),
// /memreserve/ entries and /reserved-memory children. Xen treats all of these as
// reserved, and U-Boot refuses loads into some of them, so no module may land there.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { addressCells, decodeReg, sizeCells } from '../fdt/cells.js';
import { checkHeader } from '../fdt/header.js';
import { fdtStrerror, isFdtErr, type FdtErrName } from '../fdt/errors.js';
import { getMemRsv, getName, getprop, getpropString, numMemRsv, pathOffset, subnodes } from '../fdt/ro.js';
import { PlanError, UbootGenError } from '../errors.js';
import type { Region } from './types.js';
import { boardByDtb, consoleUartPath, ubootWindow } from '../boards/index.js';

/**
 * The default board for a config without DEVICE_TREE: QEMU virt arm64 with 2 GiB as the
 * real-boot lab runs it (boards/ at the package root, two or three levels above this module).
 */
export function defaultBoardDtb(): string {
  return shippedBoardDtb('qemu-virt-arm64-2g.dtb');
}

/** A DTB shipped in the package's boards/ folder (see boards/README.md), by file name. */
export function shippedBoardDtb(file: string): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const up of ['../../..', '../..', '..']) {
    const abs = path.resolve(here, up, 'boards', file);
    if (fs.existsSync(abs)) return abs;
  }
  throw new UbootGenError('INTERNAL', `the installed package lacks boards/${file} (looked near ${here})`, {}, undefined, 'give the board\'s control DTB with --board FILE.dtb, or reinstall uboot-gen');
}

export interface BoardInfo {
  memory: Region[];
  reserved: Region[];
  hasChosen: boolean;
  /** Paths that exist in the tree (for passthrough checks); lazily answered. */
  hasPath(path: string): boolean;
  /** Names of existing /chosen children (to catch a DTB edited twice). */
  chosenChildren: string[];
  /** A known board (src/boards) recognised by its root compatible: its name. */
  profile?: string;
  /** That board's U-Boot window below its relocation top, which loads must avoid. */
  ubootWindow?: Region;
  /** The console UART (/chosen stdout-path resolved through /aliases). */
  uart?: string;
  /** The path an /aliases entry names, if any. */
  alias(name: string): string | undefined;
}

function regRegions(fdt: Uint8Array, node: number, parent: number, label: string): Region[] {
  const reg = getprop(fdt, node, 'reg');
  if (isFdtErr(reg)) return [];
  const ac = addressCells(fdt, parent);
  const sc = sizeCells(fdt, parent);
  if (isFdtErr(ac) || isFdtErr(sc)) return [];
  return decodeReg(reg, ac, sc).filter((r) => r.size > 0).map((r) => ({ start: r.address, end: r.address + r.size, label }));
}

export function readBoard(fdt: Uint8Array, what: string): BoardInfo {
  const rc = checkHeader(fdt);
  if (rc !== 0) throw new PlanError(fdtStrerror(rc) as FdtErrName, `${what}: not a valid device tree blob (${fdtStrerror(rc)})`);
  const root = 0;
  const memory: Region[] = [];
  const reserved: Region[] = [];
  for (const child of subnodes(fdt, root)) {
    const name = getName(fdt, child);
    if (isFdtErr(name)) continue;
    const deviceType = getpropString(fdt, child, 'device_type');
    if (name === 'memory' || name.startsWith('memory@') || deviceType === 'memory') {
      memory.push(...regRegions(fdt, child, root, `/${name}`));
    }
  }
  const n = numMemRsv(fdt);
  if (!isFdtErr(n)) {
    for (let i = 0; i < n; i++) {
      const r = getMemRsv(fdt, i);
      if (!isFdtErr(r) && r.size > 0) reserved.push({ start: r.address, end: r.address + r.size, label: `/memreserve/ ${i}` });
    }
  }
  const rm = pathOffset(fdt, '/reserved-memory');
  if (!isFdtErr(rm)) {
    for (const child of subnodes(fdt, rm)) {
      const name = getName(fdt, child);
      reserved.push(...regRegions(fdt, child, rm, `/reserved-memory/${isFdtErr(name) ? '?' : name}`));
    }
  }
  const chosen = pathOffset(fdt, '/chosen');
  const chosenChildren: string[] = [];
  if (!isFdtErr(chosen)) {
    for (const c of subnodes(fdt, chosen)) {
      const nm = getName(fdt, c);
      if (!isFdtErr(nm)) chosenChildren.push(nm);
    }
  }
  // A Raspberry Pi's DTB leaves /memory empty for the firmware to fill: plan with the banks it writes.
  const profile = boardByDtb(fdt);
  if (memory.length === 0 && profile?.firmwareBanks) {
    memory.push(...profile.banks.map((b) => ({ start: b.start, end: b.start + b.size, label: '/memory (written by the firmware)' })));
  }
  memory.sort((a, b) => a.start - b.start);
  reserved.sort((a, b) => a.start - b.start);
  const window = profile && memory.length
    ? ubootWindow(profile, memory.map((m) => ({ start: m.start, size: m.end - m.start })))
    : undefined;
  const uart = consoleUartPath(fdt);
  return {
    ...(profile ? { profile: profile.name } : {}),
    ...(window ? { ubootWindow: { ...window, label: `U-Boot ${profile!.ubootVersion} on ${profile!.name} (relocated code, heap, stack)` } } : {}),
    ...(uart ? { uart } : {}),
    memory,
    reserved,
    hasChosen: !isFdtErr(chosen),
    hasPath: (p) => !isFdtErr(pathOffset(fdt, p)),
    alias: (a) => {
      const aliases = pathOffset(fdt, '/aliases');
      const v = isFdtErr(aliases) ? undefined : getpropString(fdt, aliases, a);
      return typeof v === 'string' ? v : undefined;
    },
    chosenChildren,
  };
}
