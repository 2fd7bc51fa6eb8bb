// `simulate` as a library call: any legacy script image on disk, run in the U-Boot
// simulator with a folder as the TFTP root, then the hand-off booted in the Xen model.
// The script and the board DTB go through the same type, size and DTB checks as every input.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ImageFormatError, UbootGenError } from '../errors.js';
import { MAX_SCRIPT_IMAGE_BYTES, readBoardDtb, readWholeInput, textKind } from '../images/probe-file.js';
import { IH_MAGIC, sourceDateEpoch, writeScriptImage } from '../images/uimage.js';
import { boardFromDtb } from '../sim/uboot/index.js';
import { verifyScript, type VerifyReport } from './verify.js';

export interface SimulateOptions {
  /** The folder the TFTP server serves (where the script's files are). */
  root: string;
  /** Board DTB giving RAM banks and CPUs (default: QEMU virt arm64, 2 GiB at 0x40000000). */
  boardDtb?: string;
  /** Address boot.scr is loaded at before `source`. */
  scriptAddr?: number;
  xenVersion?: string;
  /** U-Boot release modelled (version.ts SUPPORTED_UBOOT_VERSIONS; default 2023.01). */
  ubootVersion?: string;
  /** --hush: the hush that runs the script (default: the board's; old hush on QEMU virt). */
  hush?: 'old' | 'modern';
  /** The network stack of the U-Boot build (read from a `--uboot` binary): tftpboot's texts differ under lwIP. */
  netStack?: 'legacy' | 'lwip';
  /** --xen-config: the Xen build's .config, for an image without an embedded one. */
  xenConfig?: string;
  /** Folder prefix the script's file names are read under (-s scripts). */
  prependPath?: string;
  /** Commands typed at the prompt after a script that does not boot. */
  then?: string;
  /** FIT mode: the image of the FIT to source (default boot_scr when the file is a FIT). */
  fitImage?: string;
  /** U-Boot's own DTB, whose required keys check FIT signatures. */
  ubootDtb?: string;
}

/** A FIT holds every binary of the boot, so it may be as large as they are together. */
const MAX_FIT_IMAGE_BYTES = 512 * 1024 * 1024;

/** True when the file starts with the FDT magic: a FIT image rather than a legacy script image. */
function startsAsFdt(file: string): boolean {
  const head = Buffer.alloc(4);
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    return fs.readSync(fd, head, 0, 4, 0) === 4 && head.readUInt32BE(0) === 0xd00dfeed;
  } catch {
    return false; // readWholeInput() reports the file's problem with its own words
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** The report of `simulate`; `wrappedText` when the file was script text, run as mkimage would have wrapped it. */
export type SimulateReport = VerifyReport & { wrappedText?: true };

export function simulate(scriptFile: string, opts: SimulateOptions): SimulateReport {
  // A FIT (ImageBuilder's -f) is run as `source ADDR:boot_scr` unless fitImage names another image.
  const fit = opts.fitImage !== undefined || startsAsFdt(scriptFile);
  let bytes = readWholeInput(scriptFile, 'SCRIPT', fit ? MAX_FIT_IMAGE_BYTES : MAX_SCRIPT_IMAGE_BYTES);
  // U-Boot's `source` cannot run text ("Wrong image format"): a boot.source is run as
  // `mkimage -A arm64 -T script -C none -d` would have wrapped it (told by its content, not its name).
  const wrappedText = !fit && bytes.length >= 1 && new DataView(bytes.buffer, bytes.byteOffset, bytes.length).getUint32(0, false) !== IH_MAGIC
    && textKind(bytes.subarray(0, 64 * 1024)) !== undefined && !bytes.includes(0);
  if (wrappedText) bytes = writeScriptImage(bytes, { time: sourceDateEpoch() });
  const controlFdt = opts.ubootDtb !== undefined ? readBoardDtb(opts.ubootDtb, '--uboot-dtb') : undefined;
  if (!fs.existsSync(opts.root) || !fs.statSync(opts.root).isDirectory()) {
    throw new UbootGenError('USAGE', `--root ${opts.root} is not a folder`, { root: opts.root });
  }
  let board;
  if (opts.boardDtb !== undefined) {
    try {
      board = boardFromDtb(readBoardDtb(opts.boardDtb, '--board'), opts.boardDtb);
    } catch (e) {
      if (e instanceof UbootGenError) throw e;
      throw new ImageFormatError('IMAGE_NOT_FOUND', `cannot read --board ${opts.boardDtb}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { path: opts.boardDtb });
    }
  }
  const report: SimulateReport = verifyScript(bytes, opts.root, board, {
    ...(opts.scriptAddr !== undefined ? { scriptAddr: opts.scriptAddr } : {}),
    ...(opts.xenVersion !== undefined ? { xenVersion: opts.xenVersion } : {}),
    ...(opts.ubootVersion !== undefined ? { ubootVersion: opts.ubootVersion } : {}),
    ...(opts.hush !== undefined ? { hush: opts.hush } : {}), ...(opts.netStack !== undefined ? { netStack: opts.netStack } : {}),
    ...(opts.xenConfig !== undefined ? { xenConfig: opts.xenConfig } : {}),
    ...(opts.prependPath !== undefined ? { prependPath: opts.prependPath } : {}),
    ...(opts.then !== undefined ? { then: opts.then } : {}),
    ...(fit ? { fitScript: opts.fitImage ?? 'boot_scr', scriptName: path.basename(scriptFile) } : {}),
    ...(controlFdt ? { controlFdt } : {}),
  });
  if (wrappedText) report.wrappedText = true;
  return report;
}
