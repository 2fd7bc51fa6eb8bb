// Stage 3 of the planner, the DTB's edits: the board DTB goes last, in a slot that holds it after
// `fdt resize` and after booti's in-place pad. Its growth is measured on the rendered script by
// the caller (one source of truth: what the templates wrote); this stage turns that growth into
// the `fdt resize` argument, the slot and the totalsize U-Boot will compute.
import * as path from 'node:path';
import { SZ_4K } from '../util/align.js';
import { controlDtbAddr } from '../util/control-dtb.js';
import { offDtStrings, sizeDtStrings } from '../fdt/header.js';
import { FDT_RESERVE_ENTRY_SIZE } from '../fdt/constants.js';
import { shrinkToMinimumSize } from '../fdt/rw.js';
import type { Collected } from './collect.js';
import { placeLoad, type Placed } from './place.js';
import type { DtbPlan } from './types.js';

/**
 * CONFIG_SYS_FDT_PAD of U-Boot (lib/Kconfig default 0x3000): with `fdt_high` all-ones, booti uses
 * the DTB in place and raises its totalsize by this much for its own fix-ups (/chosen, /memory,
 * initrd), without moving anything, so these bytes after the blob must be free.
 */
export const DEFAULT_FDT_PAD = 0x3000;

/**
 * `fdt resize N` (fdt_shrink_to_minimum()) reserves room for five memory-reservation entries
 * (5 × 16 bytes) on top of N, so U-Boot can add /memreserve/ entries later without a resize.
 */
export const FDT_RESIZE_RSV_ROOM = 5 * FDT_RESERVE_ENTRY_SIZE;

/**
 * `fdt resize` then rounds the blob's end up to a 4 KiB boundary (relative to the blob's address).
 * The slot is chosen before the exact page offset matters, so the planner budgets a whole page:
 * the round-up adds at most 4095 bytes.
 */
export const FDT_RESIZE_ROUND_UP_BUDGET = SZ_4K;

/** Xen refuses a DTB larger than this (MAX_FDT_SIZE), and needs it 8-byte aligned. */
export const XEN_MAX_FDT_SIZE = 0x200000;

/** Bytes in use in a blob: everything up to the end of the strings block (libfdt's data size). */
export const fdtUsedBytes = (fdt: Uint8Array): number => offDtStrings(fdt) + sizeDtStrings(fdt);

/**
 * Bytes the DTB occupies at boot, at most: its used bytes, plus what `fdt resize growth` adds
 * (the memreserve room, the growth, the page round-up), plus booti's in-place pad. Never less
 * than the file itself (a padded blob is loaded whole).
 */
export function dtbFootprint(fileSize: number, used: number, growth: number, fdtPad: number): number {
  const afterResize = used + FDT_RESIZE_RSV_ROOM + growth + FDT_RESIZE_ROUND_UP_BUDGET;
  return Math.max(fileSize, afterResize + fdtPad);
}

/** The DTB's load and sizes for a script whose `fdt` edits add `growth` bytes. */
export function planDtb(c: Collected, placed: Placed, growth: number, fdtPad: number): DtbPlan {
  const { dtb, config, dir } = c;
  const used = fdtUsedBytes(dtb.bytes);
  const footprint = dtbFootprint(dtb.info.fileSize, used, growth, fdtPad);
  const spec = { id: 'host_fdt', role: 'dtb' as const, keys: ['DEVICE_TREE'], abs: dtb.abs, loadCmd: config.xenLoad, info: dtb.info, footprint };
  // The control DTB is not loaded: U-Boot holds it near the top of RAM (util/control-dtb.ts).
  const ramEnd = dtb.board.ubootWindow?.end ?? Math.max(...placed.ram.map((r) => r.end));
  const load = dtb.control
    ? { ...placeLoad(dir, controlDtbAddr(ramEnd), [], spec, true), file: path.basename(dtb.abs), note: 'U-Boot\'s control DTB (${fdtcontroladdr}), edited in place' }
    : placeLoad(dir, placed.cursor, placed.avoid, spec, config.runtimeSizing);
  return {
    load,
    originalSize: dtb.info.dtb?.totalsize ?? dtb.info.fileSize,
    growth,
    // The resize is exactly the measured growth; FDT_RESIZE_RSV_ROOM and the round-up come on top.
    resizeExtra: growth,
    resizedSize: shrinkToMinimumSize(used, load.addr, growth),
    bootPad: fdtPad,
    hasChosen: dtb.board.hasChosen,
    ...(dtb.control ? { control: { file: dtb.abs, bytes: dtb.bytes } } : {}),
  };
}
