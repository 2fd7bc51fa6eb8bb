// Public entry points of the real-boot lab (src/cli wires `uboot-gen qemu` to these).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LabError } from '../errors.js';
import { LAB_DTB, LAB_INITRAMFS, LAB_KERNEL, LAB_XEN } from './cases.js';
import { checkHostTools, type LabAssets } from './prepare.js';
import { bootQemu, type LabBootResult } from './qemu.js';
import { LAB_TOKEN_PARAM } from './initramfs.js';
import type { ExpectedDomain } from './xen-console.js';

export { prepareLab, checkHostTools, defaultLabDir, HOST_APT_PACKAGES, type LabAssets, type LabFile, type PrepareOptions } from './prepare.js';
export { bootQemu, defaultCommands, qemuArgs, LAB_MACHINE_ARGS, LAB_MEMORY_START, LAB_MEMORY_SIZE, LAB_SCRIPT_ADDR,
  type BootQemuOptions, type LabBootResult, type LabDomainSeen, type LabOutcome } from './qemu.js';
export { parseXenConsole, findMarkers, findXenPanic, findUbootErrors, guestConsoles, type DomainVerdict, type DomainVerdictKind,
  type ExpectedDomain, type XenConsoleReport, type ParseXenConsoleOptions } from './xen-console.js';
export { labCases, type LabCase, type LabCaseInputs } from './cases.js';
export { runLabCases, compareWithExpectation, type LabCaseRun, type RunLabOptions } from './run.js';
export { LAB_MARKER_PREFIX, LAB_TOKEN_PARAM, buildLabInitramfs } from './initramfs.js';

/**
 * Links the lab's real binaries into `dir` under the names the lab configs use
 * (Image, xen, initramfs.cpio.gz, virt.dtb), so an ImageBuilder config written
 * against them can be generated into `dir` and booted with bootOutputDir().
 */
export function stageLabAssets(assets: LabAssets, dir: string): Record<string, string> {
  fs.mkdirSync(dir, { recursive: true });
  const map: Record<string, string> = {
    [LAB_KERNEL]: assets.kernel.path, [LAB_XEN]: assets.xen.path, [LAB_INITRAMFS]: assets.initramfs.path, [LAB_DTB]: assets.dtb.path,
  };
  for (const [name, target] of Object.entries(map)) {
    const dest = path.join(dir, name);
    fs.rmSync(dest, { force: true });
    fs.symlinkSync(target, dest);
  }
  return map;
}

/** The `labtoken=` value in a domain's bootargs, if any. */
export function labTokenOf(bootargs: string): string | undefined {
  return new RegExp(`(?:^|\\s)${LAB_TOKEN_PARAM}=(\\S+)`).exec(bootargs)?.[1];
}

export interface BootOutputDirOptions {
  /** Directory holding boot.scr and every file it loads (served over TFTP as is). */
  dir: string;
  scriptName?: string;
  /** Domains in Xen's creation order; those with a token are "up" when their lab marker appears. */
  domains?: ExpectedDomain[];
  /** For guests without the lab initramfs: a console line meaning "up". */
  upPattern?: RegExp;
  timeoutMs?: number;
  logFile?: string;
  onOutput?: (text: string) => void;
}

/** Boot a generated output directory on real U-Boot + Xen in QEMU and judge each domain. */
export async function bootOutputDir(opts: BootOutputDirOptions): Promise<LabBootResult> {
  checkHostTools();
  const scriptName = opts.scriptName ?? 'boot.scr';
  if (!fs.existsSync(path.join(opts.dir, scriptName))) {
    throw new LabError('LAB_BOOT', `${scriptName} is not in ${opts.dir}; generate the boot script there first.`, { dir: opts.dir });
  }
  const domains = opts.domains ?? [];
  const markers = domains.flatMap((d) => (d.token !== undefined ? [d.token] : []));
  return bootQemu({
    tftpDir: path.resolve(opts.dir), scriptName, timeoutMs: opts.timeoutMs ?? 5 * 60_000,
    expect: { markers, ...(opts.upPattern ? { upPattern: opts.upPattern } : {}) },
    ...(domains.length > 0 ? { domains } : {}),
    ...(opts.logFile ? { logFile: opts.logFile } : {}),
    ...(opts.onOutput ? { onOutput: opts.onOutput } : {}),
  });
}
