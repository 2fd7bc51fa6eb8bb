// Verification: run what was generated through the U-Boot simulator (bytes only: the
// boot.scr and the files in the -d folder, as a TFTP server would serve them), then
// boot the hand-off in the Xen model. The plan is used only to pick the board.
// The result is data; src/cli words it (summary line, tables, JSON).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GenerateResult } from './generate.js';
import type { BoardProfile } from '../sim/handoff.js';
import { boardFromDtb, boardFromRange, simulateUboot, type UbootResult } from '../sim/uboot/index.js';
import { bootXen } from '../sim/xen/index.js';
import type { DomainVerdict, XenResult } from '../sim/xen/verdict.js';

export interface VerifyOptions {
  xenVersion?: string;
  ubootVersion?: string;
  board?: BoardProfile;
  /** Commands typed at the prompt after a script that does not boot (BOOT_CMD=none): `booti ${host_kernel_addr} - ${host_fdt_addr}`. */
  then?: string;
}

export interface VerifyScriptOptions {
  scriptAddr?: number;
  xenVersion?: string;
  ubootVersion?: string;
  prependPath?: string;
  then?: string;
  /** The script is meant to end without booting (BOOT_CMD=none and no `then`): running to its end with no failure passes. */
  endsWithoutBoot?: boolean;
}

export interface VerifyReport {
  /** Xen's console is visible, every domain comes up and no U-Boot command failed (or, for BOOT_CMD=none, the script ran to its end). */
  ok: boolean;
  uboot: UbootResult;
  /** Absent when U-Boot never handed over to Xen (the script ended, or the boot command failed). */
  xen?: XenResult;
  domains: DomainVerdict[];
  /** BOOT_CMD=none verified to the end of the script: the variables a later boot command needs that are unset. */
  endOfScript?: { missing: string[] };
}

/** Board for a generated config: the DEVICE_TREE's /memory and CPUs, else MEMORY_START..END. */
export function boardForConfig(gen: GenerateResult): BoardProfile {
  // -s without DEVICE_TREE: the board is the one whose control DTB the script edits.
  const control = gen.plan.dtb.control;
  if (control) return boardFromDtb(control.bytes, path.basename(control.file));
  const dtbPath = gen.plan.dtb.load.absPath;
  try {
    return boardFromDtb(new Uint8Array(fs.readFileSync(dtbPath)), path.basename(dtbPath));
  } catch {
    return boardFromRange(gen.plan.memoryStart, gen.plan.memoryEnd);
  }
}

export function verifyScript(script: Uint8Array, root: string, board: BoardProfile | undefined, opts: VerifyScriptOptions = {}): VerifyReport {
  const uboot = simulateUboot({
    script, root, ...(opts.prependPath !== undefined ? { prependPath: opts.prependPath } : {}), ...(board ? { board } : {}),
    ...(opts.scriptAddr !== undefined ? { scriptAddr: opts.scriptAddr } : {}), ...(opts.then !== undefined ? { then: opts.then } : {}),
    ...(opts.ubootVersion !== undefined ? { ubootVersion: opts.ubootVersion } : {}),
  });
  if (!uboot.handoff && opts.endsWithoutBoot && !uboot.bootAttempted && uboot.stoppedReason === 'end-of-script') {
    return endOfScript(uboot);
  }
  if (!uboot.handoff) return finish(uboot, undefined);
  return finish(uboot, bootXen(uboot.handoff, { xenVersion: opts.xenVersion ?? '4.17' }));
}

export function verifyGenerated(gen: GenerateResult, opts: VerifyOptions = {}): VerifyReport {
  return verifyScript(gen.outputs.script, gen.plan.dir, opts.board ?? boardForConfig(gen), {
    scriptAddr: gen.plan.scriptAddr,
    ...(opts.then !== undefined ? { then: opts.then } : { endsWithoutBoot: gen.plan.bootCmd === 'none' }),
    ...(gen.plan.config.prependPath !== undefined ? { prependPath: gen.plan.config.prependPath } : {}),
    ...(opts.xenVersion ? { xenVersion: opts.xenVersion } : {}),
    ...(opts.ubootVersion ? { ubootVersion: opts.ubootVersion } : {}),
  });
}

/**
 * BOOT_CMD=none, verified up to the end of the script: every command ran without failing and the
 * addresses a later boot command needs are set. Nothing is booted, so there are no domains.
 */
function endOfScript(uboot: UbootResult): VerifyReport {
  const missing = ['host_kernel_addr', 'host_fdt_addr'].filter((v) => uboot.env[v] === undefined);
  return { ok: uboot.failures.length === 0 && missing.length === 0, uboot, domains: [], endOfScript: { missing } };
}

function finish(uboot: UbootResult, xen: XenResult | undefined): VerifyReport {
  const domains = xen?.domains ?? [];
  // Without a Xen console nothing is visible after "Starting kernel ...": to the user that is a hang.
  const ok = Boolean(xen?.consoleVisible) && domains.length > 0 && domains.every((d) => d.verdict === 'up') && uboot.failures.length === 0;
  return { ok, uboot, ...(xen ? { xen } : {}), domains };
}
