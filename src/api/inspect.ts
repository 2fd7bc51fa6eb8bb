// `inspect` as a library call: a boot script (legacy script image, FIT or text) read and
// analysed without booting it. Returns data only; src/cli words it.
import * as fs from 'node:fs';
import { ImageFormatError, UbootGenError } from '../errors.js';
import { MAX_SCRIPT_IMAGE_BYTES, readBoardDtb, readWholeInput } from '../images/probe-file.js';
import { analyseScript, type InspectBoard } from '../inspect/analyse.js';
import { readScriptInput } from '../inspect/input.js';
import type { InspectReport } from '../inspect/types.js';
import { boardFromDtb, qemuVirtBoard } from '../sim/uboot/index.js';

export type { InspectReport, InspectFinding, InspectLoad, ChosenNode, MemoryRegion, DtbSection, ScriptSection } from '../inspect/types.js';

export interface InspectOptions {
  /** The folder the board fetches from: loads are sized from its files, the DTB is read from it. */
  root?: string;
  /** The -p PATH the script was generated with. */
  prependPath?: string;
  /** Board DTB: RAM banks, and the DTB a script edits at ${fdtcontroladdr} (default: QEMU virt arm64, 2 GiB). */
  boardDtb?: string;
  /** A FIT's script image to read (default boot_scr, else its first script image). */
  fitImage?: string;
}

/** A FIT holds every binary of the boot, so it may be as large as they are together. */
const MAX_FIT_BYTES = 512 * 1024 * 1024;

export function inspect(file: string, opts: InspectOptions = {}): InspectReport {
  let max = MAX_SCRIPT_IMAGE_BYTES;
  try {
    const head = Buffer.alloc(4);
    const fd = fs.openSync(file, 'r');
    try { if (fs.readSync(fd, head, 0, 4, 0) === 4 && head.readUInt32BE(0) === 0xd00dfeed) max = MAX_FIT_BYTES; } finally { fs.closeSync(fd); }
  } catch {
    // readWholeInput() says what is wrong with the file in its own words
  }
  const bytes = readWholeInput(file, 'SCRIPT', max);
  if (opts.root !== undefined && (!fs.existsSync(opts.root) || !fs.statSync(opts.root).isDirectory())) {
    throw new UbootGenError('USAGE', `--root ${opts.root} is not a folder`, { root: opts.root });
  }
  let profile = qemuVirtBoard();
  let boardDtb: Uint8Array | undefined;
  if (opts.boardDtb !== undefined) {
    try {
      boardDtb = readBoardDtb(opts.boardDtb, '--board');
      profile = boardFromDtb(boardDtb, opts.boardDtb);
    } catch (e) {
      if (e instanceof UbootGenError) throw e;
      throw new ImageFormatError('IMAGE_NOT_FOUND', `cannot read --board ${opts.boardDtb}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { path: opts.boardDtb });
    }
  }
  const board: InspectBoard = {
    name: profile.name,
    ram: profile.dram.map((b) => ({ start: b.start, end: b.start + b.size })),
    ubootReserved: { start: profile.ubootReserved.start, end: profile.ubootReserved.start + profile.ubootReserved.size },
    fdtPad: profile.fdtPad,
    ...(boardDtb ? { dtb: boardDtb } : {}),
  };
  const input = readScriptInput(bytes, file, opts.fitImage !== undefined ? { fitImage: opts.fitImage } : {});
  const report = analyseScript(input.text ?? '', input.section, {
    board,
    ...(opts.root !== undefined ? { root: opts.root } : {}),
    ...(opts.prependPath !== undefined ? { prependPath: opts.prependPath } : {}),
    ...(input.fitImages ? { fitImages: input.fitImages } : {}),
  });
  report.findings.unshift(...input.findings);
  return report;
}
