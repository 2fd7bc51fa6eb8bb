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

/**
 * The default board for a config without DEVICE_TREE: QEMU virt arm64 with 2 GiB as the
 * real-boot lab runs it (boards/ at the package root, two or three levels above this module).
 */
export function defaultBoardDtb(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const up of ['../../..', '../..', '..']) {
    const file = path.resolve(here, up, 'boards', 'qemu-virt-arm64-2g.dtb');
    if (fs.existsSync(file)) return file;
  }
  throw new UbootGenError('INTERNAL', `the installed package lacks boards/qemu-virt-arm64-2g.dtb (looked near ${here})`, {}, undefined, 'give the board\'s control DTB with --board FILE.dtb, or reinstall uboot-gen');
}

export interface BoardInfo {
  memory: Region[];
  reserved: Region[];
  hasChosen: boolean;
  /** Paths that exist in the tree (for passthrough checks); lazily answered. */
  hasPath(path: string): boolean;
  /** Names of existing /chosen children (to catch a DTB edited twice). */
  chosenChildren: string[];
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
  memory.sort((a, b) => a.start - b.start);
  reserved.sort((a, b) => a.start - b.start);
  return {
    memory,
    reserved,
    hasChosen: !isFdtErr(chosen),
    hasPath: (p) => !isFdtErr(pathOffset(fdt, p)),
    chosenChildren,
  };
}
