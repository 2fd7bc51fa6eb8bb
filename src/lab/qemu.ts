// Boots real U-Boot + real Xen under QEMU (Arm "virt" board) and watches the serial
// console: stops autoboot, types the commands that fetch and run boot.scr over TFTP
// (QEMU's user-mode network has a built-in TFTP server on 10.0.2.2), then waits for
// every domain's marker line, a Xen panic, a guest kernel panic, U-Boot giving its
// prompt back, QEMU exiting, or the timeout. Only the QEMU started here is killed,
// by PID, also when this Node process exits or is interrupted.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LabError } from '../errors.js';
import { LOAD_CMD_ALIASES } from '../config/index.js';
import { renderScriptHint } from '../emit/render.js';
import { writeFileAtomic } from '../util/file.js';
import { acquireLabLock, defaultLockFile } from './lock.js';
import { LAB_MARKER_PREFIX } from './marker.js';
import { findMarkers, findXenPanic, findUbootErrors, guestConsoles, kernelStartMark, parseXenConsole, type ExpectedDomain, type LabMarker, type XenConsoleReport } from './xen-console.js';

export const QEMU_BIN = 'qemu-system-aarch64';
export const UBOOT_QEMU_ARM64 = '/usr/lib/u-boot/qemu_arm64/u-boot.bin';
/** Board used by every lab boot; `prepareLab` dumps its DTB with the same options. */
export const LAB_MACHINE_ARGS: readonly string[] = [
  '-machine', 'virt,virtualization=true,gic-version=3', '-cpu', 'cortex-a57', '-smp', '4', '-m', '2048',
];
/**
 * The arm32 board, as Xen's CI boots its arm32 dom0less tests: QEMU virt with EL2 for Xen on a
 * Cortex-A15 (LPAE), run by qemu-system-arm and Debian's qemu_arm U-Boot. highmem=off keeps every
 * device below 4 GiB, where a 32-bit U-Boot reaches it.
 */
export const QEMU_BIN_ARM32 = 'qemu-system-arm';
export const UBOOT_QEMU_ARM = '/usr/lib/u-boot/qemu_arm/u-boot.bin';
export const LAB_MACHINE_ARGS_ARM32: readonly string[] = [
  '-machine', 'virt,virtualization=true,highmem=off', '-cpu', 'cortex-a15', '-smp', '4', '-m', '2048',
];
export const LAB_MEMORY_START = 0x40000000;
export const LAB_MEMORY_SIZE = 0x80000000;
/** Where the console commands load boot.scr (ImageBuilder's uboot_addr for MEMORY_START 0x40000000). */
export const LAB_SCRIPT_ADDR = 0x40200000;

export type LabOutcome =
  | 'all-up'          // every expected marker appeared
  | 'xen-panic'       // Xen printed its panic box
  | 'guest-panic'     // a Linux guest printed "Kernel panic - not syncing"
  | 'uboot-returned'  // the script ended and U-Boot printed its prompt again (boot command failed)
  | 'xen-silent'      // U-Boot started Xen, which printed nothing within silentXenMs
  | 'qemu-exited'     // QEMU stopped by itself (U-Boot reset, or Xen reboot with -no-reboot)
  | 'timeout';

export interface LabDomainSeen {
  token: string;
  /** ms after QEMU start when the marker line was complete. */
  seenAt?: number;
  cpus?: number;
  memKb?: number;
  /** Xen domain id when the marker came through Xen's console as `(XEN) DOMn:`; 0 when printed directly (hvc0). */
  domid?: number;
}

export interface LabBootResult {
  outcome: LabOutcome;
  wallMs: number;
  /** Serial output, CRLF normalised to LF. */
  serialLog: string;
  perDomain: LabDomainSeen[];
  /** Message lines inside Xen's `****` panic box (without the `(XEN) ` prefix), joined by newlines. */
  xenPanic?: string;
  ubootErrors: string[];
  /** Per-domain verdicts from the same log (see parseXenConsole). */
  console: XenConsoleReport;
  qemuExitCode?: number | null;
  /** ms between the last serial output and the end of the boot (a long quiet before a timeout means a real hang). */
  quietMs: number;
  /** PID of the QEMU process (already gone when the result is returned). */
  qemuPid?: number;
}

export interface BootQemuOptions {
  /** Directory served by QEMU's TFTP server (holds boot.scr and every file it loads). */
  tftpDir: string;
  /**
   * The board's network is a tap device in a network namespace (see qemuArgs) instead of QEMU's
   * user network; QEMU runs inside that namespace. Give `commands` that set ipaddr/serverip.
   */
  tap?: LabTap;
  scriptName: string;
  timeoutMs: number;
  /**
   * markers: domain tokens (the `labtoken=` values in each domain's command line) that must all print their marker.
   * upPattern: for guests without the lab initramfs, a console line that means "this guest is up"
   * (e.g. /Run \/init as init process/); the boot ends when every domain in `domains` matched it.
   */
  expect: { markers: string[]; upPattern?: RegExp };
  logFile?: string;
  /** Commands typed at the U-Boot prompt; default: templates/lab/fetch-script.hbs for `scriptName` at `scriptAddr`. */
  commands?: string[];
  /** Where the default commands load the script (default LAB_SCRIPT_ADDR). */
  scriptAddr?: number;
  /** After a guest panic is seen, keep reading this long to capture the rest of its trace. */
  settleMs?: number;
  /** Give up this long after "Starting kernel ..." if Xen printed nothing (default 20 s): a silent Xen never speaks later. */
  silentXenMs?: number;
  qemuBin?: string;
  ubootBin?: string;
  /** Machine, CPU and memory options (default LAB_MACHINE_ARGS, the arm64 board; LAB_MACHINE_ARGS_ARM32 for arm32). */
  machineArgs?: readonly string[];
  lockFile?: string;
  /** Names/tokens of the domains in Xen's order, for the per-domain verdicts (default: one per marker token). */
  domains?: ExpectedDomain[];
  /** Called with each chunk of (normalised) serial text, e.g. to tee to a terminal. */
  onOutput?: (text: string) => void;
  /**
   * U-Boot's own device tree: QEMU hands this file to U-Boot instead of the one it makes (`-dtb`), as
   * a U-Boot built with that DTB (e.g. one holding the FIT signing key `-u` added) would start.
   */
  ubootDtb?: string;
}

export function defaultCommands(scriptName: string, scriptAddr = LAB_SCRIPT_ADDR): string[] {
  // QEMU's user network: the guest's address, then its TFTP server; the fetch-and-run line is the
  // emitter's (templates/hint.hbs) with LOAD_CMD's `tftp` alias, as a user would type it.
  const hint = renderScriptHint({ loadCmd: LOAD_CMD_ALIASES['tftp']!, scriptAddr, scriptFile: scriptName });
  return [`setenv ipaddr 10.0.2.15; setenv serverip 10.0.2.2; ${hint}`];
}

/** Host commands a real boot needs, and the Debian package that provides each. */
export const HOST_TOOLS: ReadonlyArray<readonly [cmd: string, pkg: string]> = [[QEMU_BIN, 'qemu-system-arm']];

function hasCommand(cmd: string): boolean {
  const dirs = (process.env['PATH'] ?? '').split(path.delimiter).filter(Boolean);
  return dirs.some((d) => { try { fs.accessSync(path.join(d, cmd), fs.constants.X_OK); return true; } catch { return false; } });
}

/** Throws LAB_SETUP naming what to install when QEMU or the U-Boot binary is missing. */
export function checkHostTools(ubootBin: string = UBOOT_QEMU_ARM64): void {
  const missing = HOST_TOOLS.filter(([cmd]) => !hasCommand(cmd));
  const ubootMissing = !fs.existsSync(ubootBin);
  if (missing.length === 0 && !ubootMissing) return;
  const pkgs = [...new Set([...missing.map(([, p]) => p), ...(ubootMissing && ubootBin === UBOOT_QEMU_ARM64 ? ['u-boot-qemu'] : [])])];
  const what = [...missing.map(([c]) => c), ...(ubootMissing ? [ubootBin] : [])];
  throw new LabError('LAB_SETUP', `A real boot needs host tools that are missing: ${what.join(', ')}.`, { missing: what, packages: pkgs },
    undefined, pkgs.length > 0 ? `apt-get install -y ${pkgs.join(' ')}` : 'Give --uboot a U-Boot built for QEMU arm64 (qemu_arm64_defconfig).');
}

/**
 * Writes the device tree QEMU gives the lab board (the machine options above) to `out`.
 * A config booted in the lab must use it as DEVICE_TREE: Xen and the guests read the
 * board from it, and a DTB of another machine describes devices QEMU does not have.
 */
export function dumpBoardDtb(out: string, qemuBin: string = QEMU_BIN, machineArgs: readonly string[] = LAB_MACHINE_ARGS): void {
  const tmp = `${out}.${process.pid}.tmp`;
  const machine = machineArgs.map((a) => (a.startsWith('virt,') ? `${a},dumpdtb=${tmp}` : a));
  const r = spawnSync(qemuBin, [...machine, '-display', 'none', '-nodefaults'], { encoding: 'utf8' });
  if (!fs.existsSync(tmp)) {
    throw new LabError('LAB_SETUP', `${qemuBin} did not write the board device tree: ${(r.error?.message ?? r.stderr ?? '').trim()}.`, { qemuBin },
      undefined, 'apt-get install -y qemu-system-arm');
  }
  try {
    writeFileAtomic(out, fs.readFileSync(tmp));
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** A tap device in a network namespace: the board's own wire to a server of the test's. */
export interface LabTap { netns: string; device: string }

/**
 * QEMU's command line. The user network serves `tftpDir` with QEMU's own TFTP server. With
 * `tap`, the board is wired to a tap device instead, where a TFTP server of the host answers:
 * QEMU's user network cannot be used for that, because it answers every request to port 69 of
 * its host address itself (with "Access violation" when it serves no folder), and Debian's
 * U-Boot has no tftpdstp to use another port.
 */
export function qemuArgs(tftpDir: string, ubootBin: string = UBOOT_QEMU_ARM64, opts: { tap?: LabTap; ubootDtb?: string; machineArgs?: readonly string[] } = {}): string[] {
  return [
    ...(opts.machineArgs ?? LAB_MACHINE_ARGS),
    '-serial', 'stdio', '-monitor', 'none', '-display', 'none', '-no-reboot',
    '-device', 'virtio-net-pci,netdev=n0',
    '-netdev', opts.tap ? `tap,id=n0,ifname=${opts.tap.device},script=no,downscript=no` : `user,id=n0,tftp=${tftpDir}`,
    '-bios', ubootBin,
    // Debian's qemu_arm64 U-Boot takes the DTB QEMU puts at the start of RAM as its own (CONFIG_OF_BOARD).
    ...(opts.ubootDtb !== undefined ? ['-dtb', opts.ubootDtb] : []),
  ];
}

const AUTOBOOT_PROMPT = 'Hit any key to stop autoboot';
const UBOOT_PROMPT = '=> ';

/** Boot once. Holds the machine-wide lab lock for the whole boot. */
export async function bootQemu(opts: BootQemuOptions): Promise<LabBootResult> {
  const release = await acquireLabLock(opts.lockFile ?? defaultLockFile());
  try {
    return await bootQemuLocked(opts);
  } finally {
    release();
  }
}

function bootQemuLocked(opts: BootQemuOptions): Promise<LabBootResult> {
  const qemuBin = opts.qemuBin ?? QEMU_BIN;
  const ubootBin = opts.ubootBin ?? UBOOT_QEMU_ARM64;
  if (!fs.existsSync(ubootBin)) {
    throw new LabError('LAB_SETUP', `U-Boot for QEMU arm64 is missing: ${ubootBin}.`, { ubootBin }, undefined, 'apt-get install -y u-boot-qemu');
  }
  if (opts.commands === undefined && !fs.existsSync(`${opts.tftpDir}/${opts.scriptName}`)) {
    throw new LabError('LAB_BOOT', `Boot script ${opts.scriptName} is not in the TFTP directory ${opts.tftpDir}.`, { tftpDir: opts.tftpDir });
  }
  const commands = opts.commands ?? defaultCommands(opts.scriptName, opts.scriptAddr);
  const settleMs = opts.settleMs ?? 1500;
  const tokens = opts.expect.markers;
  const t0 = Date.now();
  let log = '';
  let lastOutputAt = t0;
  let pendingCR = false;
  const logStream = opts.logFile ? fs.createWriteStream(opts.logFile) : undefined;

  return new Promise<LabBootResult>((resolve, reject) => {
    let child: ChildProcess;
    try {
      const args = qemuArgs(opts.tftpDir, ubootBin, {
        ...(opts.tap ? { tap: opts.tap } : {}), ...(opts.ubootDtb !== undefined ? { ubootDtb: opts.ubootDtb } : {}),
        ...(opts.machineArgs ? { machineArgs: opts.machineArgs } : {}),
      });
      child = opts.tap
        ? spawn('ip', ['netns', 'exec', opts.tap.netns, qemuBin, ...args], { stdio: ['pipe', 'pipe', 'pipe'], shell: false })
        : spawn(qemuBin, args, { stdio: ['pipe', 'pipe', 'pipe'], shell: false });
    } catch (e) {
      reject(new LabError('LAB_SETUP', `Cannot start ${qemuBin}: ${(e as Error).message}.`, {}, undefined, 'apt-get install -y qemu-system-arm'));
      return;
    }
    const pid = child.pid;
    let finished = false;
    let outcome: LabOutcome | undefined;
    let exitCode: number | null | undefined;
    let stderr = '';
    let autobootStopped = false;
    let nextCommand = 0;
    let commandsDoneAt = -1; // log length when the last command was typed
    let settleTimer: NodeJS.Timeout | undefined;
    let promptTimer: NodeJS.Timeout | undefined;
    let silentTimer: NodeJS.Timeout | undefined;
    let kernelStarted = false;
    let xenSpoke = false;
    const seenAt = new Map<string, number>();
    let markerScanFrom = 0;
    let xenPanicSeen = false;
    let guestPanicCount = 0;

    const killChild = (): void => {
      if (pid !== undefined && child.exitCode === null && child.signalCode === null) {
        try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
      }
    };
    const onSignal = (sig: NodeJS.Signals): void => {
      killChild();
      cleanupHandlers();
      process.kill(process.pid, sig);
    };
    const cleanupHandlers = (): void => {
      process.off('exit', killChild);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.off('SIGHUP', onSignal);
    };
    process.on('exit', killChild);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    process.once('SIGHUP', onSignal);

    const timeout = setTimeout(() => finish('timeout'), opts.timeoutMs);

    function finish(o: LabOutcome): void {
      if (finished) return;
      finished = true;
      outcome = o;
      clearTimeout(timeout);
      if (settleTimer) clearTimeout(settleTimer);
      if (promptTimer) clearTimeout(promptTimer);
      if (silentTimer) clearTimeout(silentTimer);
      killChild();
      // Resolve once QEMU is really gone so the next boot never overlaps it.
      if (child.exitCode !== null || child.signalCode !== null) done();
      else child.once('close', done);
    }

    function done(): void {
      cleanupHandlers();
      logStream?.end();
      const perDomain: LabDomainSeen[] = tokens.map((token) => {
        const m: LabMarker | undefined = findMarkers(log).find((x) => x.token === token);
        const d: LabDomainSeen = { token };
        const at = seenAt.get(token);
        if (at !== undefined) d.seenAt = at;
        if (m) {
          if (m.cpus !== undefined) d.cpus = m.cpus;
          if (m.memKb !== undefined) d.memKb = m.memKb;
          d.domid = m.domid;
        }
        return d;
      });
      const panic = findXenPanic(log);
      const result: LabBootResult = {
        outcome: outcome ?? 'qemu-exited',
        wallMs: Date.now() - t0,
        serialLog: log,
        perDomain,
        ubootErrors: findUbootErrors(log),
        console: parseXenConsole(log, {
          domains: opts.domains ?? tokens.map((t) => ({ name: t, token: t })),
          ...(opts.expect.upPattern ? { upPattern: opts.expect.upPattern } : {}),
        }),
        qemuExitCode: exitCode,
        quietMs: Date.now() - lastOutputAt,
      };
      if (pid !== undefined) result.qemuPid = pid;
      if (panic) result.xenPanic = panic.message;
      if (result.outcome === 'qemu-exited' && log.length === 0) {
        reject(new LabError('LAB_BOOT', `QEMU exited (code ${String(exitCode)}) without any serial output: ${stderr.trim()}`, { stderr }));
        return;
      }
      resolve(result);
    }

    const typeNext = (): void => {
      const cmd = commands[nextCommand++];
      if (cmd === undefined) return;
      child.stdin?.write(`${cmd}\n`);
      if (nextCommand === commands.length) commandsDoneAt = log.length;
    };

    function onText(text: string): void {
      log += text;
      if (text.length > 0) lastOutputAt = Date.now();
      logStream?.write(text);
      opts.onOutput?.(text);
      if (finished) return;
      if (!autobootStopped && log.includes(AUTOBOOT_PROMPT)) {
        autobootStopped = true;
        child.stdin?.write('\n');
      }
      // Each command is typed only when U-Boot shows its prompt, so input is never lost.
      if (autobootStopped && nextCommand < commands.length && log.endsWith(UBOOT_PROMPT)) {
        typeNext();
        return;
      }
      if (!kernelStarted && kernelStartMark(log)) {
        kernelStarted = true;
        silentTimer = setTimeout(() => { if (!xenSpoke) finish('xen-silent'); }, opts.silentXenMs ?? 20_000);
      }
      if (kernelStarted && !xenSpoke && log.includes('(XEN) ', kernelStartMark(log)!.at)) {
        xenSpoke = true;
        if (silentTimer) clearTimeout(silentTimer);
      }
      // Rescan only when a new marker prefix arrived (the scan reassembles whole guest consoles).
      const markerAt = log.indexOf(LAB_MARKER_PREFIX, markerScanFrom);
      if (markerAt >= 0 && log.endsWith('\n')) {
        markerScanFrom = markerAt + LAB_MARKER_PREFIX.length;
        for (const m of findMarkers(log)) {
          if (tokens.includes(m.token) && !seenAt.has(m.token)) seenAt.set(m.token, Date.now() - t0);
        }
      }
      if (tokens.length > 0 && tokens.every((t) => seenAt.has(t))) { finish('all-up'); return; }
      const up = opts.expect.upPattern;
      if (up && opts.domains && opts.domains.length > 0 && up.test(text)) {
        const upGuests = guestConsoles(log).filter((g) => up.test(g.text)).length;
        if (upGuests >= opts.domains.length) { finish('all-up'); return; }
      }
      if (!settleTimer && log.includes('Panic on CPU', Math.max(0, log.length - text.length - 40)) && !xenPanicSeen) xenPanicSeen = true;
      if (!settleTimer) {
        const panic = xenPanicSeen ? findXenPanic(log) : undefined;
        if (panic?.complete) { settleTimer = setTimeout(() => finish('xen-panic'), 300); return; }
        // A crashed guest does not stop the others: finish only when every domain has either
        // printed its marker or panicked.
        if (log.includes('Kernel panic - not syncing', Math.max(0, log.length - text.length - 40))) guestPanicCount = (log.match(/(?<!end )Kernel panic - not syncing: /g) ?? []).length;
        const guestPanics = guestPanicCount;
        if (guestPanics > 0 && guestPanics + seenAt.size >= tokens.length) { settleTimer = setTimeout(() => finish('guest-panic'), settleMs); return; }
      }
      if (commandsDoneAt >= 0 && log.length > commandsDoneAt && log.endsWith(UBOOT_PROMPT) && !kernelStartMark(log.slice(commandsDoneAt))) {
        // The prompt came back after the script: give stray output 500 ms, then stop.
        if (promptTimer) clearTimeout(promptTimer);
        promptTimer = setTimeout(() => { if (log.endsWith(UBOOT_PROMPT)) finish('uboot-returned'); }, 500);
      }
    }

    child.stdout?.setEncoding('latin1');
    child.stdout?.on('data', (chunk: string) => {
      // Serial output uses CRLF; keep LF only. A CR at the end of a chunk may pair with the next LF.
      let s = (pendingCR ? '\r' : '') + chunk;
      pendingCR = s.endsWith('\r');
      if (pendingCR) s = s.slice(0, -1);
      onText(s.replace(/\r+\n/g, '\n').replace(/\r/g, ''));
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (s: string) => { stderr += s; });
    child.stdin?.on('error', () => { /* QEMU gone; reported through close */ });
    child.on('error', (e) => {
      if (finished) return;
      finished = true;
      clearTimeout(timeout);
      cleanupHandlers();
      reject(new LabError('LAB_SETUP', `Cannot run ${qemuBin}: ${e.message}.`, {}, undefined, 'apt-get install -y qemu-system-arm'));
    });
    child.on('close', (code) => {
      exitCode = code;
      if (!finished) finish('qemu-exited');
    });
  });
}
