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
  board?: BoardProfile;
  /** Outputs staged but not committed (xen.ub): the simulator reads these bytes under the final names. */
  staged?: ReadonlyMap<string, string>;
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
  const dtbPath = gen.plan.dtb.load.absPath;
  try {
    return boardFromDtb(new Uint8Array(fs.readFileSync(dtbPath)), path.basename(dtbPath));
  } catch {
    return boardFromRange(gen.plan.memoryStart, gen.plan.memoryEnd);
  }
}

export function verifyScript(script: Uint8Array, root: string, board: BoardProfile | undefined, opts: { scriptAddr?: number; xenVersion?: string; staged?: ReadonlyMap<string, string> } = {}): VerifyReport {
  const uboot = simulateUboot({ script, root, ...(opts.staged ? { staged: opts.staged } : {}), ...(board ? { board } : {}), ...(opts.scriptAddr !== undefined ? { scriptAddr: opts.scriptAddr } : {}) });
  if (!uboot.handoff) {
    const last = uboot.failures[uboot.failures.length - 1];
    const why = uboot.verdict ?? (uboot.bootAttempted
      ? `the boot command failed${last ? ` at line ${last.line} (\`${last.command}\`)` : ''}: U-Boot returned to its prompt`
      : 'the script ended without booting');
    return finish(uboot, undefined, why);
  }
  const xen = bootXen(uboot.handoff, { xenVersion: opts.xenVersion ?? '4.17' });
  return finish(uboot, xen, undefined);
}

export function verifyGenerated(gen: GenerateResult, opts: VerifyOptions = {}): VerifyReport {
  return verifyScript(gen.outputs.script, gen.plan.dir, opts.board ?? boardForConfig(gen), {
    scriptAddr: gen.plan.scriptAddr,
    ...(opts.xenVersion ? { xenVersion: opts.xenVersion } : {}),
    ...(opts.staged ? { staged: opts.staged } : {}),
  });
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
