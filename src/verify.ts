// Verification: run what was generated through the U-Boot simulator (bytes only: the
// boot.scr and the files in the -d folder, as a TFTP server would serve them), then
// boot the hand-off in the Xen model. The plan is used only to pick the board.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GenerateResult } from './generate.js';
import type { BoardProfile } from './sim/handoff.js';
import { boardFromDtb, boardFromRange, simulateUboot, type UbootResult } from './sim/uboot/index.js';
import { bootXen } from './sim/xen/index.js';
import type { DomainVerdict, XenResult } from './sim/xen/verdict.js';

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
  /** Served name of the script image (default boot.scr). */
  scriptName?: string;
  /** The script is this image of a FIT (`source ADDR:NAME`). */
  fitScript?: string;
  /** U-Boot's own DTB: its required keys check FIT signatures. */
  controlFdt?: Uint8Array;
}

export interface VerifyReport {
  ok: boolean;
  uboot: UbootResult;
  xen?: XenResult;
  /** One line saying what happened. */
  summary: string;
  domains: DomainVerdict[];
  json: Record<string, unknown>;
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
    ...(opts.scriptName !== undefined ? { scriptName: opts.scriptName } : {}),
    ...(opts.fitScript !== undefined ? { fitScript: opts.fitScript } : {}),
    ...(opts.controlFdt ? { controlFdt: opts.controlFdt } : {}),
  });
  if (!uboot.handoff && opts.endsWithoutBoot && !uboot.bootAttempted && uboot.stoppedReason === 'end-of-script') {
    return endOfScript(uboot);
  }
  if (!uboot.handoff) {
    const last = uboot.failures[uboot.failures.length - 1];
    const first = uboot.failures[0];
    // The boot command often fails only because something before it did (a FIT image refused by its hash).
    const cause = first && first !== last ? `; the first command to fail was line ${first.line} (\`${first.command}\`${first.message.length ? `: ${first.message[first.message.length - 1]}` : ''})` : '';
    const why = uboot.verdict ?? (uboot.bootAttempted
      ? `the boot command failed${last ? ` at line ${last.line} (\`${last.command}\`)` : ''}: U-Boot returned to its prompt${cause}`
      : `the script ended without booting${cause}`);
    return finish(uboot, undefined, why);
  }
  const xen = bootXen(uboot.handoff, { xenVersion: opts.xenVersion ?? '4.17' });
  return finish(uboot, xen, undefined);
}

export function verifyGenerated(gen: GenerateResult, opts: VerifyOptions = {}): VerifyReport {
  // FIT mode: `tftpb FIT_ADDR boot.fit; source FIT_ADDR:boot_scr`, checked against the key-holding U-Boot DTB.
  const fit = gen.fit;
  return verifyScript(gen.outputs.script, gen.plan.dir, opts.board ?? boardForConfig(gen), {
    scriptAddr: fit ? fit.addr : gen.plan.scriptAddr,
    ...(fit ? { scriptName: path.basename(fit.path), fitScript: 'boot_scr' } : {}),
    ...(fit?.ubootDtb ? { controlFdt: fit.ubootDtb.bytes } : {}),
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
  const ok = uboot.failures.length === 0 && missing.length === 0;
  const summary = ok
    ? `the script runs to its end without booting (BOOT_CMD=none); host_kernel_addr=${uboot.env.host_kernel_addr} host_fdt_addr=${uboot.env.host_fdt_addr}: give --then the boot command (booti on \${host_kernel_addr} and \${host_fdt_addr}) to verify the boot`
    : uboot.failures.length
      ? `${uboot.failures.length} U-Boot command(s) failed before the end of the script`
      : `the script ends without setting ${missing.join(' and ')}, which a later boot command needs`;
  return {
    ok, uboot, summary, domains: [],
    json: {
      ok, summary,
      uboot: { version: uboot.ubootVersion, stoppedReason: uboot.stoppedReason, bootAttempted: uboot.bootAttempted, failures: uboot.failures, console: uboot.console },
      domains: [],
    },
  };
}

function finish(uboot: UbootResult, xen: XenResult | undefined, ubootWhy: string | undefined): VerifyReport {
  const domains = xen?.domains ?? [];
  // Without a Xen console nothing is visible after "Starting kernel ...": to the user that is a hang.
  const ok = Boolean(xen?.consoleVisible) && domains.length > 0 && domains.every((d) => d.verdict === 'up') && uboot.failures.length === 0;
  let summary: string;
  if (!xen) summary = `U-Boot: ${ubootWhy}`;
  else if (xen.silentHang) summary = `Xen: silent hang (${xen.silentHang})`;
  else if (xen.panic) summary = `Xen panics: ${xen.panic}`;
  else if (!xen.consoleVisible) summary = `Xen has no usable console, so the boot looks like a hang after "Starting kernel ..."${xen.findings[0] ? ` (${xen.findings[0]})` : ''}`;
  else if (ok) summary = `every domain comes up (${domains.map((d) => d.name).join(', ')})`;
  else {
    const bad = domains.filter((d) => d.verdict !== 'up');
    summary = bad.length
      ? `${bad.length} of ${domains.length} domain(s) fail: ${bad.map((d) => `${d.name} ${d.verdict}`).join(', ')}`
      : `${uboot.failures.length} U-Boot command(s) failed`;
  }
  return {
    ok, uboot, ...(xen ? { xen } : {}), summary, domains,
    json: {
      ok, summary,
      uboot: { version: uboot.ubootVersion, stoppedReason: uboot.stoppedReason, ...(uboot.verdict ? { verdict: uboot.verdict } : {}), bootAttempted: uboot.bootAttempted, failures: uboot.failures, console: uboot.console },
      ...(xen ? { xen: { version: xen.version, consoleVisible: xen.consoleVisible, panic: xen.panic, silentHang: xen.silentHang, findings: xen.findings, console: xen.console } } : {}),
      domains,
    },
  };
}
