// What `uboot-gen qemu` needs to boot a generated output folder for real: QEMU (the Arm
// "virt" board), a U-Boot built for it, the console parser and the real-vs-simulated
// comparison. The binaries to boot are the user's own (the config's files); the CI's case
// tables, downloads and staging are not part of the package.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LabError } from '../errors.js';
import { bootQemu, checkHostTools, LAB_MACHINE_ARGS_ARM32, QEMU_BIN_ARM32, UBOOT_QEMU_ARM64, type LabBootResult } from './qemu.js';
import { LAB_TOKEN_PARAM } from './marker.js';
import type { ExpectedDomain } from './xen-console.js';

export { bootQemu, checkHostTools, defaultCommands, dumpBoardDtb, qemuArgs, HOST_TOOLS, LAB_MACHINE_ARGS, LAB_MACHINE_ARGS_ARM32, LAB_MEMORY_START, LAB_MEMORY_SIZE,
  LAB_SCRIPT_ADDR, QEMU_BIN, QEMU_BIN_ARM32, UBOOT_QEMU_ARM, UBOOT_QEMU_ARM64, type BootQemuOptions, type LabBootResult, type LabDomainSeen, type LabOutcome, type LabTap } from './qemu.js';
export { parseXenConsole, findMarkers, findXenPanic, findUbootErrors, guestConsoles, type DomainVerdict, type DomainVerdictKind,
  type ExpectedDomain, type XenConsoleReport, type ParseXenConsoleOptions } from './xen-console.js';
export { parseLinuxConsole } from './linux-console.js';
export { LAB_MARKER_PREFIX, LAB_TOKEN_PARAM } from './marker.js';

/** The `labtoken=` value in a domain's bootargs, if any. */
export function labTokenOf(bootargs: string): string | undefined {
  return new RegExp(`(?:^|\\s)${LAB_TOKEN_PARAM}=(\\S+)`).exec(bootargs)?.[1];
}

export interface BootOutputDirOptions {
  /** Directory holding boot.scr and every file it loads (served over TFTP as is). */
  dir: string;
  scriptName?: string;
  /** Where the script is loaded before it runs (default: the lab's 0x40200000). */
  scriptAddr?: number;
  /** U-Boot binary for QEMU arm64 (default: Debian's u-boot-qemu). */
  ubootBin?: string;
  /** Domains in Xen's creation order; those with a token are "up" when their lab marker appears. */
  domains?: ExpectedDomain[];
  /** For guests without the lab initramfs: a console line meaning "up". */
  upPattern?: RegExp;
  timeoutMs?: number;
  /** Give up this long after the hand-over if Xen printed nothing (bootQemu's default otherwise). */
  silentXenMs?: number;

  logFile?: string;
  onOutput?: (text: string) => void;
  /** Commands typed at the prompt instead of fetching `scriptName` (a FIT's hint, a -p hint, a boot command after BOOT_CMD=none). */
  commands?: string[];
  /** U-Boot's own DTB (QEMU's `-dtb`): a signed FIT's key is enforced only when U-Boot's DTB holds it. */
  ubootDtb?: string;
  /** The arm32 board: qemu-system-arm, QEMU virt with a Cortex-A15 (give `ubootBin` a qemu_arm U-Boot). */
  arm32?: boolean;
}

/** Boot a generated output directory on real U-Boot + Xen in QEMU and judge each domain. */
export async function bootOutputDir(opts: BootOutputDirOptions): Promise<LabBootResult> {
  const ubootBin = opts.ubootBin ?? UBOOT_QEMU_ARM64;
  checkHostTools(ubootBin);
  const scriptName = opts.scriptName ?? 'boot.scr';
  if (!opts.commands && !fs.existsSync(path.join(opts.dir, scriptName))) {
    throw new LabError('LAB_BOOT', `${scriptName} is not in ${opts.dir}; generate the boot script there first.`, { dir: opts.dir });
  }
  const domains = opts.domains ?? [];
  const markers = domains.flatMap((d) => (d.token !== undefined ? [d.token] : []));
  return bootQemu({
    tftpDir: path.resolve(opts.dir), scriptName, timeoutMs: opts.timeoutMs ?? 5 * 60_000, ubootBin,
    expect: { markers, ...(opts.upPattern ? { upPattern: opts.upPattern } : {}) },
    ...(opts.scriptAddr !== undefined ? { scriptAddr: opts.scriptAddr } : {}),
    ...(opts.silentXenMs !== undefined ? { silentXenMs: opts.silentXenMs } : {}),
    ...(domains.length > 0 ? { domains } : {}),
    ...(opts.logFile ? { logFile: opts.logFile } : {}),
    ...(opts.onOutput ? { onOutput: opts.onOutput } : {}),
    ...(opts.commands ? { commands: opts.commands } : {}),
    ...(opts.ubootDtb !== undefined ? { ubootDtb: opts.ubootDtb } : {}),
    ...(opts.arm32 ? { qemuBin: QEMU_BIN_ARM32, machineArgs: LAB_MACHINE_ARGS_ARM32 } : {}),
  });
}
