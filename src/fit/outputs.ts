// FIT mode's outputs: the FIT image, its .its (what ImageBuilder hands mkimage), and with FIT_ENC_UB_DTB
// U-Boot's DTB with the public key added (mkimage -K changes that file in place, and so does uboot-gen).
// The FIT is loaded after every binary, at the first 2 MiB boundary above them (ImageBuilder's fit_addr).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic } from '../config/types.js';
import { PlanError, UbootGenError } from '../errors.js';
import type { BootPlan } from '../plan/types.js';
import { fitSpecFromPlan } from './from-plan.js';
import { renderIts } from './its.js';
import { mkimageFit } from './mkimage.js';
import { readKeyPair } from './rsa.js';
import type { FitHashAlgo } from './types.js';

const SZ_2M = 0x200000;

export interface FitOutput {
  /** Absolute path of the FIT image. */
  path: string;
  bytes: Uint8Array;
  /** Where the FIT is loaded (the hint's address). */
  addr: number;
  signed: boolean;
  /** U-Boot's DTB with the public key (when FIT_ENC_UB_DTB is set). */
  ubootDtb?: { path: string; bytes: Uint8Array };
  /** The .its and the key-holding DTB, written with the other outputs. */
  extra: { path: string; bytes: Uint8Array }[];
  diagnostics: Diagnostic[];
}

export function buildFit(plan: BootPlan, source: string, opts: { timestamp: number; hashAlgo?: FitHashAlgo }): FitOutput {
  const fit = plan.config.fit!;
  const spec = fitSpecFromPlan(plan, source, opts.hashAlgo ? { hashAlgo: opts.hashAlgo } : {});
  const key = fit.signing ? readKeyPair(path.resolve(plan.dir, fit.signing.keyDir), fit.signing.keyHint) : undefined;
  let ubootDtb: { path: string; bytes: Uint8Array } | undefined;
  if (fit.ubootDtb) {
    const p = path.resolve(plan.dir, fit.ubootDtb.value);
    try {
      ubootDtb = { path: p, bytes: new Uint8Array(fs.readFileSync(p)) };
    } catch (e) {
      throw new UbootGenError('IMAGE_NOT_FOUND', `cannot read U-Boot's DTB ${fit.ubootDtb.value} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
        { file: p }, { ...fit.ubootDtb.where, key: fit.ubootDtb.key }, 'FIT_ENC_UB_DTB (-u) names the DTB U-Boot is built with (u-boot.dtb), which receives the public key');
    }
  }
  const made = mkimageFit(spec, { timestamp: opts.timestamp, ...(key ? { key } : {}), ...(ubootDtb ? { ubootDtb: ubootDtb.bytes } : {}) });
  const addr = Math.ceil(plan.highWater / SZ_2M) * SZ_2M;
  checkRoom(plan, addr, made.fit.length);
  const diagnostics: Diagnostic[] = [];
  if (fit.signing && !fit.ubootDtb) {
    diagnostics.push({
      level: 'warning', code: 'PLAN_FIT_KEY_NOT_INSTALLED', where: fit.signing.where,
      message: 'the FIT is signed but no U-Boot DTB receives the public key (FIT_ENC_UB_DTB / -u): U-Boot enforces only keys in its own DTB, so it will boot this FIT, and a tampered one, without checking the signatures',
    });
  }
  const itsPath = path.resolve(plan.dir, fit.its);
  return {
    path: path.resolve(plan.dir, fit.file.value), bytes: made.fit, addr, signed: key !== undefined,
    ...(ubootDtb && made.ubootDtb ? { ubootDtb: { path: ubootDtb.path, bytes: made.ubootDtb } } : {}),
    extra: [
      { path: itsPath, bytes: new TextEncoder().encode(renderIts(spec)) },
      ...(ubootDtb && made.ubootDtb ? [{ path: ubootDtb.path, bytes: made.ubootDtb }] : []),
    ],
    diagnostics,
  };
}

/** The FIT must lie in one RAM bank, clear of every region the planner kept free (U-Boot's own area first). */
function checkRoom(plan: BootPlan, addr: number, size: number): void {
  const end = addr + size;
  const bank = plan.ram.find((r) => addr >= r.start && end <= r.end);
  const clash = plan.avoided.find((r) => addr < r.end && r.start < end);
  if (bank && !clash) return;
  const why = clash ? `it would overlap ${clash.label} (0x${clash.start.toString(16)}..0x${clash.end.toString(16)})` : 'it would end outside RAM';
  throw new PlanError('PLAN_FIT_NO_ROOM',
    `the FIT (${size} bytes) does not fit after the binaries: loaded at 0x${addr.toString(16)}, ${why}`,
    { addr, size }, { ...plan.config.fit!.file.where, key: 'FIT' }, 'give the board more RAM (MEMORY_END or the DTB\'s /memory), or leave FIT mode for a plain boot.scr');
}
