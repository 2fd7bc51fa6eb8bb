// Verification: run what was generated through the U-Boot simulator (bytes only: the
// boot.scr and the files in the -d folder, as a TFTP server would serve them), then
// boot the hand-off in the Xen model, or for a Linux kernel in the Linux model. The plan
// is used only to pick the board, and to say a Linux-only script boots Linux.
// The result is data; src/cli words it (summary line, tables, JSON).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GenerateResult } from './generate.js';
import type { BoardProfile } from '../sim/handoff.js';
import { boardFromDtb, boardFromRange, qemuVirtBoard, simulateUboot, type UbootResult } from '../sim/uboot/index.js';
import { readXenConfigFile } from '../xen-build/build.js';
import { bootXen } from '../sim/xen/index.js';
import { bootLinux, type LinuxResult } from '../sim/linux/boot.js';
import { linuxVersionOf } from '../sim/xen/guest-linux.js';
import type { BootHandoff } from '../sim/handoff.js';
import type { DomainVerdict, XenResult } from '../sim/xen/verdict.js';
import { verdictCauses, type VerdictCause } from './causes.js';

export type { VerdictCause } from './causes.js';

export interface VerifyOptions {
  xenVersion?: string;
  ubootVersion?: string;
  /** --hush: the hush that runs the script (default: the board's; old hush on QEMU virt). */
  hush?: 'old' | 'modern';
  /** The network stack of the U-Boot build (read from a `--uboot` binary): tftpboot's texts differ under lwIP. */
  netStack?: 'legacy' | 'lwip';
  /** --xen-config: the Xen build's .config, for an image without an embedded one. */
  xenConfig?: string;
  board?: BoardProfile;
  /** Outputs staged but not committed (xen.ub): the simulator reads these bytes under the final names. */
  staged?: ReadonlyMap<string, string>;
  /** Commands typed at the prompt after a script that does not boot (BOOT_CMD=none): `booti ${host_kernel_addr} - ${host_fdt_addr}`. */
  then?: string;
}

export interface VerifyScriptOptions {
  scriptAddr?: number;
  xenVersion?: string;
  ubootVersion?: string;
  /** --hush: the hush that runs the script (default: the board's; old hush on QEMU virt). */
  hush?: 'old' | 'modern';
  /** The network stack of the U-Boot build (read from a `--uboot` binary): tftpboot's texts differ under lwIP. */
  netStack?: 'legacy' | 'lwip';
  xenConfig?: string;
  prependPath?: string;
  then?: string;
  /** The script is meant to end without booting (BOOT_CMD=none and no `then`): running to its end with no failure passes. */
  endsWithoutBoot?: boolean;
  staged?: ReadonlyMap<string, string>;
  /** Served name of the script image (default boot.scr). */
  scriptName?: string;
  /** The script is this image of a FIT (`source ADDR:NAME`). */
  fitScript?: string;
  /** U-Boot's own DTB: its required keys check FIT signatures. */
  controlFdt?: Uint8Array;
  /**
   * What the boot command starts: `linux` hands off to the Linux model. Undefined: Linux when the
   * started image carries Linux's version banner, else Xen.
   */
  os?: 'xen' | 'linux';
}

export interface VerifyReport {
  /** Xen's console is visible, every domain comes up and no U-Boot command failed (or, for BOOT_CMD=none, the script ran to its end). */
  ok: boolean;
  uboot: UbootResult;
  /** Board the U-Boot model ran on. */
  board: string;
  /** Absent when U-Boot never handed over to Xen (the script ended, the boot command failed, or it started Linux). */
  xen?: XenResult;
  /** A Linux-only boot: what the Linux kernel U-Boot started does (then `xen` is absent). */
  linux?: LinuxResult;
  domains: DomainVerdict[];
  /** BOOT_CMD=none verified to the end of the script: the variables a later boot command needs that are unset. */
  endOfScript?: { missing: string[] };
  /** For a generated config: what in the config made Xen or a domain fail (keys, positions, the fix). */
  causes?: VerdictCause[];
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
  // Read before simulating: a bad --xen-config is a usage problem, not a verification result.
  const xenConfig = opts.xenConfig !== undefined ? readXenConfigFile(opts.xenConfig) : undefined;
  const uboot = simulateUboot({
    script, root, ...(opts.staged ? { staged: opts.staged } : {}), ...(opts.prependPath !== undefined ? { prependPath: opts.prependPath } : {}), ...(board ? { board } : {}),
    ...(opts.scriptAddr !== undefined ? { scriptAddr: opts.scriptAddr } : {}), ...(opts.then !== undefined ? { then: opts.then } : {}),
    ...(opts.ubootVersion !== undefined ? { ubootVersion: opts.ubootVersion } : {}),
    ...(opts.hush !== undefined || opts.netStack !== undefined
      ? { build: { ...(opts.hush !== undefined ? { hush: opts.hush } : {}), ...(opts.netStack !== undefined ? { netStack: opts.netStack } : {}) } } : {}),
    ...(opts.scriptName !== undefined ? { scriptName: opts.scriptName } : {}),
    ...(opts.fitScript !== undefined ? { fitScript: opts.fitScript } : {}),
    ...(opts.controlFdt ? { controlFdt: opts.controlFdt } : {}),
  });
  if (!uboot.handoff && opts.endsWithoutBoot && !uboot.bootAttempted && uboot.stoppedReason === 'end-of-script') {
    return endOfScript(uboot, board?.name ?? qemuVirtBoard().name);
  }
  const boardName = uboot.handoff?.board.name ?? board?.name ?? qemuVirtBoard().name;
  if (!uboot.handoff) return finish(uboot, boardName, undefined);
  if ((opts.os ?? guessOs(uboot.handoff)) === 'linux') return finishLinux(uboot, boardName, bootLinux(uboot.handoff));
  // The Xen model reads the build (release, Kconfig) from the bytes U-Boot started, unless told.
  const xen = bootXen(uboot.handoff, { ...(opts.xenVersion !== undefined ? { xenVersion: opts.xenVersion } : {}), ...(xenConfig ? { xenConfig } : {}) });
  return finish(uboot, boardName, xen);
}

export function verifyGenerated(gen: GenerateResult, opts: VerifyOptions = {}): VerifyReport {
  // FIT mode: `tftpb FIT_ADDR boot.fit; source FIT_ADDR:boot_scr`, checked against the key-holding U-Boot DTB.
  const fit = gen.fit;
  const report = verifyScript(gen.outputs.script, gen.plan.dir, opts.board ?? boardForConfig(gen), {
    scriptAddr: fit ? fit.addr : gen.plan.scriptAddr,
    ...(fit ? { scriptName: path.basename(fit.path), fitScript: 'boot_scr' } : {}),
    ...(fit?.ubootDtb ? { controlFdt: fit.ubootDtb.bytes } : {}),
    ...(opts.then !== undefined ? { then: opts.then } : { endsWithoutBoot: gen.plan.bootCmd === 'none' }),
    ...(gen.plan.config.prependPath !== undefined ? { prependPath: gen.plan.config.prependPath } : {}),
    ...(opts.xenVersion ? { xenVersion: opts.xenVersion } : {}),
    ...(opts.ubootVersion ? { ubootVersion: opts.ubootVersion } : {}),
    ...(opts.hush ? { hush: opts.hush } : {}),
    ...(opts.netStack ? { netStack: opts.netStack } : {}),
    ...(opts.staged ? { staged: opts.staged } : {}),
    ...(opts.xenConfig ? { xenConfig: opts.xenConfig } : {}),
    os: gen.plan.linux ? 'linux' : 'xen',
  });
  return { ...report, causes: verdictCauses(gen.plan, report.xen) };
}

/**
 * BOOT_CMD=none, verified up to the end of the script: every command ran without failing and the
 * addresses a later boot command needs are set. Nothing is booted, so there are no domains.
 */
function endOfScript(uboot: UbootResult, board: string): VerifyReport {
  const missing = ['host_kernel_addr', 'host_fdt_addr'].filter((v) => uboot.env[v] === undefined);
  return { ok: uboot.failures.length === 0 && missing.length === 0, uboot, board, domains: [], endOfScript: { missing } };
}

/** A started image with Linux's version banner and no Xen is Linux. */
function guessOs(h: BootHandoff): 'xen' | 'linux' {
  return linuxVersionOf(h.ram, h.entry, h.kernel.imageSize) !== undefined ? 'linux' : 'xen';
}

function finishLinux(uboot: UbootResult, board: string, linux: LinuxResult): VerifyReport {
  const ok = linux.domains.every((d) => d.verdict === 'up') && uboot.failures.length === 0;
  return { ok, uboot, board, linux, domains: linux.domains };
}

function finish(uboot: UbootResult, board: string, xen: XenResult | undefined): VerifyReport {
  const domains = xen?.domains ?? [];
  // Without a Xen console nothing is visible after "Starting kernel ...": to the user that is a hang.
  const ok = Boolean(xen?.consoleVisible) && domains.length > 0 && domains.every((d) => d.verdict === 'up') && uboot.failures.length === 0;
  return { ok, uboot, board, ...(xen ? { xen } : {}), domains };
}
