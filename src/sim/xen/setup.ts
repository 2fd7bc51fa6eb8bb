// The boot sequence of Xen on Arm from the bootloader hand-off to "Freed ...kB init memory.".
// Models xen/arch/arm/setup.c start_xen() as of 4.17 (HEAD: same file + common/device-tree/*):
// early_fdt_map() entry checks, boot_fdt_info(), cmdline_parse(), console bring-up via
// xen/drivers/char/arm-uart.c dt_uart_init(), setup_mm()/populate_boot_allocator(),
// is_dom0less_mode(), create_dom0(), create_domUs(), discard_initial_modules(),
// heap_init_late() (setup_low_mem_virq(), scrub_heap_pages()), console_endboot(), init_done().
import { checkHeader, fdtMagic, totalsize } from '../../fdt/header.js';
import { xsmInit } from './xsm.js';
import { getMemRsv, numMemRsv } from '../../fdt/ro.js';
import { FDT_MAGIC } from '../../fdt/constants.js';
import { SZ_1M, SZ_2M } from '../../util/align.js';
import { hex } from '../../util/hex.js';
import type { BootHandoff } from '../handoff.js';
import { BootInfo } from './bootinfo.js';
import { bootFdtCmdline, bootFdtInfo, earlyPrintInfo } from './bootfdt.js';
import { parseXenCmdline, type XenCmdline } from './cmdline.js';
import { XenConsole, XenPanicSignal, type XenLogLevel } from './console.js';
import { allNodes, baseName, findNodeByAlias, findNodeByPath, isCompatible, propString, stringList, unflattenDeviceTree, type DtNode } from './device-tree.js';
import { allocStaticEvtchns, modulesInStaticBanks } from './static-mem.js';
import { checkXenstore, createDom0, createDomU, type BuildCtx, type BuiltDomain, type HostInfo } from './domain-build.js';
import { boardCpus, maxCpus, setupCpupools, type CpupoolCtx, type CpupoolState } from './cpupools.js';
import { PAGE_SIZE, XenHeap, xenOverheadEstimate } from './heap.js';
import { examineModule } from './integrity.js';
import { efiStub, modulesWithHeapTail } from './efi-boot.js';
import { initramfsFault, initramfsUnpackedSize, linuxGuestMemoryNeed, linuxVersionOf, memoryNeedMeasuredOn } from './guest-linux.js';
import type { DomainVerdict, XenResult } from './verdict.js';
import { infoVisibleByDefault, parseXenVersion, type XenVersion } from './version.js';
import { describeXenBuild, describeXenBuildSources, isEnabled, optionValue, resolveXenBuild, SCHEDULERS, XEN_IOMMU_COMPATIBLES, type XenBuild } from '../../xen-build/index.js';
import type { XenKconfig } from '../../xen-build/kconfig.js';

/** MIN_FDT_ALIGN / MAX_FDT_SIZE of early_fdt_map(). */
export const MIN_FDT_ALIGN = 8;
export const MAX_FDT_SIZE = SZ_2M;
/** "Freed %ldkB init memory." of Debian's xen-hypervisor-4.17-arm64 (4.17.7), from a real boot. */
export const DEBIAN_417_INIT_KIB = 348;
/** The same line of Debian's xen-hypervisor-4.17-armhf (4.17.7, a zImage), from a real boot. */
export const DEBIAN_417_ARMHF_INIT_KIB = 352;

/** Bytes of the booted Xen image scanned for its embedded .config (Xen images are 1–3 MiB). */
export const MAX_XEN_SCAN_BYTES = 16 * 1024 * 1024;

export interface XenBootOptions {
  /** --xen-version: the release modelled, whatever the image says. */
  xenVersion?: string;
  /** --xen-config: the build's .config, for images without an embedded one. */
  xenConfig?: { kconfig: XenKconfig; name: string };
  /** A build already resolved (skips reading the image). */
  build?: XenBuild;
  /** Override the "Freed ...kB init memory." figure (depends on the Xen binary). */
  initMemKiB?: number;
}

/** UART drivers Xen 4.17 registers for dtuart (DT_DEVICE_START in xen/drivers/char/*-uart.c, pl011.c, ns16550.c ...). */
const XEN_UART_COMPATIBLES = [
  'arm,pl011', 'arm,sbsa-uart', 'ns16550', 'ns16550a', 'snps,dw-apb-uart', 'brcm,bcm2835-aux-uart', 'cdns,uart-r1p8', 'cdns,uart-r1p12',
  'xlnx,xuartps', 'amlogic,meson-uart', 'samsung,exynos4210-uart', 'marvell,armada-3700-uart', 'renesas,scif', 'renesas,scifa',
  'fsl,imx8qm-lpuart', 'nvidia,tegra20-uart',
];

const LOGLVL: Record<string, XenLogLevel | 'none'> = { none: 'none', error: 'err', warning: 'warn', info: 'info', debug: 'debug', all: 'debug' };
const LOGLVL_TEXT: Record<string, string> = { none: 'Nothing', err: 'Errors', warn: 'Errors and warnings', info: 'Errors, warnings and info', debug: 'All' };

function parseLoglvl(opt: string | undefined, dflt: [string, string]): [string, string] {
  if (!opt) return dflt;
  const [lo, hi] = opt.split('/');
  const l = LOGLVL[lo ?? ''];
  const h = hi === undefined ? l : LOGLVL[hi];
  return [l ?? dflt[0], h ?? l ?? dflt[1]];
}

function loglvlLine(label: string, [lo, hi]: [string, string]): string {
  return `${label}: ${LOGLVL_TEXT[lo]}${lo === hi ? '' : ` (Rate-limited: ${LOGLVL_TEXT[hi]})`}`;
}

/** dt_uart_init(): which UART Xen's console uses; undefined with the reason when there is none. */
function dtUartInit(console: XenConsole, cmd: XenCmdline, root: DtNode): { ok: true } | { ok: false; why: string } {
  if (!cmd.console.includes('dtuart')) return { ok: false, why: `console=${cmd.console.join(',')} does not include "dtuart": Xen has no serial console on Arm` };
  let opt = cmd.dtuart;
  if (opt === '') {
    const chosen = root.children.find((c) => c.name === 'chosen');
    const stdout = chosen ? propString(chosen, 'stdout-path') : undefined;
    if (stdout !== undefined) { console.printk('Taking dtuart configuration from /chosen/stdout-path'); opt = stdout; }
  }
  if (opt === '') { console.printk('No dtuart path configured'); return { ok: false, why: 'no dtuart= option and no /chosen/stdout-path' }; }
  const colon = opt.indexOf(':');
  const devpath = colon < 0 ? opt : opt.slice(0, colon);
  const options = colon < 0 ? '' : opt.slice(colon + 1);
  console.printk(`Looking for dtuart at "${devpath}", options "${options}"`);
  const dev = devpath.startsWith('/') ? findNodeByPath(root, devpath) : findNodeByAlias(root, devpath);
  if (!dev) {
    console.printk(`Unable to find device "${devpath}"`);
    const hasAliases = root.children.some((c) => c.name === 'aliases');
    const why = devpath.startsWith('/') ? `dtuart=${devpath}: no such node in the DTB`
      : hasAliases ? `dtuart=${devpath}: /aliases has no "${devpath}" entry` : `dtuart=${devpath}: the DTB has no /aliases node, so the alias "${devpath}" does not resolve`;
    return { ok: false, why };
  }
  if (!XEN_UART_COMPATIBLES.some((c) => isCompatible(dev, c))) {
    console.printk('Unable to initialize dtuart: -19');
    return { ok: false, why: `dtuart=${devpath}: ${dev.path} (compatible ${stringList(dev.props.get('compatible')).join(', ') || 'none'}) has no Xen UART driver` };
  }
  return { ok: true };
}

function hostInfo(root: DtNode, handoff: BootHandoff, fdtSize: number): HostInfo {
  let gicV3 = false;
  let iommu = false;
  for (const n of allNodes(root)) {
    if (n.props.has('interrupt-controller') && isCompatible(n, 'arm,gic-v3')) gicV3 = true;
    if (XEN_IOMMU_COMPATIBLES.some((c) => isCompatible(n, c))) iommu = true;
  }
  const cpus = root.children.find((c) => c.name === 'cpus');
  const cpuNodes = cpus ? cpus.children.filter((c) => propString(c, 'device_type') === 'cpu') : [];
  const first = cpuNodes[0];
  const timer = [...allNodes(root)].find((n) => isCompatible(n, 'arm,armv8-timer') || isCompatible(n, 'arm,armv7-timer'));
  return {
    gicV3, iommu,
    pcpus: cpuNodes.length || handoff.board.pcpus,
    cpuCompatibleLen: first?.props.get('compatible')?.length ?? 0,
    cpuClock: (first?.props.get('clock-frequency')?.length ?? 0) >= 4,
    timerClock: (timer?.props.get('clock-frequency')?.length ?? 0) >= 4,
    hostFdtSize: fdtSize,
  };
}

/**
 * The CPUs Xen brings up: the first maxcpus= of /cpus, less those of another kind than the boot CPU
 * on a big.LITTLE board. start_secondary() (xen/arch/arm/smpboot.c) compares each CPU's MIDR with
 * the boot CPU's and parks a mismatch ("CPU4 MIDR (…) does not match boot CPU MIDR (…), disable cpu
 * (see big.LITTLE.txt under docs/)") unless hmp-unsafe is given, which keeps it and taints Xen. The
 * MIDR comes from the silicon, not the device tree: the core's `compatible` stands for it, and the
 * line itself (whose MIDR values the DT does not give) is left out of the console.
 */
function onlineCpus(root: DtNode, present: number, cmdline: XenCmdline, console: XenConsole, findings: string[]): number[] {
  const cpus = boardCpus(root, present).slice(0, maxCpus(cmdline.raw, present));
  const boot = cpus[0]?.core;
  const other = cpus.map((c, id) => ({ ...c, id })).filter((c) => boot !== undefined && c.core !== undefined && c.core !== boot);
  if (other.length === 0) return cpus.map((c) => c.hwid);
  const which = `CPU${other.map((c) => c.id).join(', CPU')} (${[...new Set(other.map((c) => c.core))].join(', ')})`;
  console.estimates.push('the "does not match boot CPU MIDR" lines (their MIDR values are the silicon\'s) are not printed');
  if (cmdline.hmpUnsafe) {
    findings.push(`${which} are not the boot CPU's kind (${boot}); hmp-unsafe keeps them on and taints Xen: give every domain's vCPUs a hard affinity to one kind`);
    return cpus.map((c) => c.hwid);
  }
  findings.push(`${which} are not the boot CPU's kind (${boot}): Xen parks them ("does not match boot CPU MIDR … disable cpu"), so only ${cpus.length - other.length} of ${cpus.length} CPUs run domains; add hmp-unsafe=true to XEN_CMD to keep them (Xen is then tainted)`);
  // A parked CPU keeps its logical id: one before an online CPU would renumber those after it here.
  const parked = new Set(other.map((c) => c.id));
  if (other.some((c) => c.id < cpus.length - 1 && !parked.has(c.id + 1))) console.estimates.push('a parked CPU between online ones: the logical ids of the CPUs after it are not modelled');
  return cpus.filter((_, id) => !parked.has(id)).map((c) => c.hwid);
}

/** Guest command line asks for an initramfs it will not get. */
function needsInitramfs(cmdline: string | undefined): boolean {
  const words = (cmdline ?? '').split(/\s+/);
  if (words.some((w) => w.startsWith('rdinit='))) return true;
  const root = words.filter((w) => w.startsWith('root=')).pop();
  // No root= at all, or root=/dev/ram0: without an initramfs Linux cannot mount a root filesystem.
  return root === undefined || /^root=\/dev\/ram/.test(root);
}

/**
 * Linux 6.1 (arm64) as dom0 on QEMU virt panics in amba_read_periphid() while probing the PL061 GPIO
 * (real boots in the lab; the README's board caveat). The verdict is certain only when the dom0
 * kernel's banner says 6.1; for other or unknown kernels it is a warning.
 */
function dom0AmbaHazard(handoff: BootHandoff, b: BuiltDomain): { fails: boolean; text: string } | undefined {
  if (checkHeader(handoff.fdt) !== 0) return undefined;
  // A 32-bit dom0 (Debian's armmp-lpae 6.1 zImage) probes the PL061 and goes on (real arm32 boot).
  if (!b.kinfo.is64) return undefined;
  const root = unflattenDeviceTree(handoff.fdt);
  if (!isCompatible(root, 'linux,dummy-virt')) return undefined;
  const pl061 = [...allNodes(root)].find((n) => isCompatible(n, 'arm,pl061') && (propString(n, 'status') ?? 'okay').startsWith('ok'));
  if (!pl061) return undefined;
  const km = b.kernelMod;
  const version = km.decompressed ? undefined : linuxVersionOf(handoff.ram, km.origStart, km.origSize);
  const fix = `disable it: fdt set ${pl061.path} status "disabled" (in APPEND_EXTRA_CMDS)`;
  if (version?.startsWith('6.1.') || version === '6.1') {
    return { fails: true, text: `Linux ${version} as dom0 panics in amba_read_periphid() probing the PL061 at ${pl061.path} on QEMU virt; ${fix}` };
  }
  return { fails: false, text: `${pl061.path} (PL061) is enabled; Linux 6.1 as dom0 on QEMU virt panics probing it (amba_read_periphid)${version ? `, this dom0 is Linux ${version}` : ''}; ${fix}` };
}

/**
 * A guest given less RAM than its Linux needs to reach init runs out of memory while booting and
 * panics "System is deadlocked on memory" (real: Debian's 6.1 in 48-52 MiB domUs). Certain for the
 * Linux 6.1 kernel the figure was measured on; for other uncompressed arm64 kernels a warning.
 */
function guestMemoryShortfall(dv: DomainVerdict, b: BuiltDomain, handoff: BootHandoff, initrdBytes: number | undefined): { measured: boolean; text: string; needBytes: number } | undefined {
  const km = b.kernelMod;
  const imageSize = b.kinfo.imageSize ?? 0;
  if (dv.memoryKiB === undefined || km.decompressed || imageSize === 0) return undefined;
  const memBytes = dv.memoryKiB * 1024;
  const initramfs = b.ramdiskMod && initrdBytes !== undefined ? { packed: initrdBytes, unpacked: initramfsUnpackedSize(handoff.ram, b.ramdiskMod.origStart, initrdBytes) } : undefined;
  const needBytes = linuxGuestMemoryNeed(imageSize, initramfs);
  if (memBytes >= needBytes) return undefined;
  // Only a domain short of RAM has its kernel searched for the banner (up to 48 MiB of RAM read).
  const version = linuxVersionOf(handoff.ram, km.origStart, km.origSize);
  const mib = (n: number): string => `${Math.ceil(n / SZ_1M)} MiB`;
  const what = `its ${mib(memBytes)} are less than Linux${version ? ` ${version}` : ''} needs to reach init (about ${mib(needBytes)}: the ${mib(imageSize)} kernel image${initramfs ? ', the initramfs packed and unpacked' : ''} and its boot-time allocations)`;
  return memoryNeedMeasuredOn(version)
    ? { measured: true, needBytes, text: `${what}: the guest runs out of memory and panics "Kernel panic - not syncing: System is deadlocked on memory"` }
    : { measured: false, needBytes, text: `${what}, as measured on Linux 6.1: it may run out of memory while booting` };
}

/** Checks that only the guest can fail: Xen copied whatever the module ranges held. */
function guestChecks(dv: DomainVerdict, b: BuiltDomain, handoff: BootHandoff, version: XenVersion, findings: string[]): void {
  const problems: string[] = [...b.kinfo.guestProblems];
  for (const f of b.dtFindings) findings.push(`${dv.name}: ${f}`);
  const xenEnd = handoff.entry + handoff.kernel.imageSize;
  const km = b.kernelMod;
  const overlapsXen = (s: number, n: number): boolean => s < xenEnd && handoff.entry < s + n;
  if (!km.decompressed) {
    const c = examineModule(handoff.ram, km.origStart, km.origSize);
    if (c.damage) problems.push(`kernel damaged: ${c.damage.what}`);
    else if (c.regMinusFile < 0) problems.push(`kernel truncated: reg covers ${hex(km.origSize)} of the ${hex(c.fileSize!)} bytes of ${c.fileName}`);
    if (version.minor === 17 && overlapsXen(km.origStart, km.origSize)) problems.push(`kernel overlaps Xen's own image+BSS [${hex(handoff.entry)}, ${hex(xenEnd)}): Xen's startup overwrote it`);
  }
  // The initramfs bytes Linux reads: the reg, or the file when the reg runs past it.
  let initrdBytes: number | undefined;
  if (b.ramdiskMod) {
    const r = b.ramdiskMod;
    const c = examineModule(handoff.ram, r.origStart, r.origSize);
    initrdBytes = Math.min(r.origSize, c.fileSize ?? r.origSize);
    if (c.damage) problems.push(`initramfs damaged: ${c.damage.what}`);
    else if (c.regMinusFile < 0) problems.push(`initramfs truncated: reg covers ${hex(r.origSize)} of the ${hex(c.fileSize!)} bytes of ${c.fileName}`);
    else if (c.regMinusFile > 0 && c.tailWritten) {
      findings.push(`${dv.name}: ramdisk reg is ${hex(c.regMinusFile)} bytes longer than ${c.fileName}; the guest unpacks the bytes after it too and reports "Initramfs unpacking failed: invalid magic at start of compressed archive" (files before that are kept)`);
    }
    if (version.minor === 17 && overlapsXen(r.origStart, r.origSize)) problems.push(`initramfs overlaps Xen's own image+BSS [${hex(handoff.entry)}, ${hex(xenEnd)}): Xen's startup overwrote it`);
    const fault = c.damage ? undefined : initramfsFault(handoff.ram, r.origStart, initrdBytes);
    if (fault) {
      const said = `the guest prints "Initramfs unpacking failed: ${fault}"`;
      if (needsInitramfs(b.cmdline)) problems.push(`initramfs${c.fileName ? ` ${c.fileName}` : ''} cannot be unpacked: ${said} and has no init to run`);
      else findings.push(`${dv.name}: ${said}; it goes on with its root= device`);
    }
  } else if (needsInitramfs(b.cmdline)) {
    problems.push(b.ramdiskWanted ? 'no initramfs: the ramdisk module was not found (Xen skips it silently)' : 'no initramfs: none given and the command line has no usable root=');
    dv.fault = { kind: 'no-initramfs', moduleMissing: b.ramdiskWanted };
  } else if (b.ramdiskWanted) {
    findings.push(`${dv.name}: the ramdisk module was not found (Xen skips it silently); the guest boots from its root= device`);
  }
  if (dv.kind === 'domU') {
    // Xen records a domU's bootargs only while registering its kernel *module* node
    // (add_boot_cmdline() in process_multiboot_node()): a kernel node that is not a module
    // leaves the guest with an empty command line. Without console= Linux registers no
    // console on the vpl011, so nothing is ever printed (real 4.17.7: the domain is built,
    // its guest DTB has no bootargs, and it stays silent).
    if (b.cmdline === undefined) problems.push('no command line: Xen takes bootargs only from a kernel node compatible with "multiboot,module", so the guest boots without console= or root= and prints nothing');
    else if (!/(^|\s)(console|earlycon)=/.test(b.cmdline)) findings.push(`${dv.name}: its command line has no console=, so the guest will print nothing on the vpl011`);
    else {
      // A domU's hvc0 is Xen's PV console: its ring is served by a console daemon in dom0 over
      // xenstore, never by Xen's serial line (only dom0's hvc0 writes through console_io). With
      // every console= on hvc the guest runs, but nothing of it is seen (real 4.17.7: the domain
      // is built and never prints).
      const consoles = [...b.cmdline.matchAll(/(?:^|\s)console=(\S*)/g)].map((m) => m[1]!.split(',')[0]!);
      const hvcOnly = consoles.length > 0 && consoles.every((c) => /^hvc\d*$/.test(c));
      // With xen,enhanced and a dom0, the daemon there serves it (`xl console`): seen in dom0, not on the serial line.
      if (hvcOnly && b.pvConsole) findings.push(`${dv.name}: its console is hvc0, the PV console: it is seen from dom0 (xl console ${dv.name}), not on Xen's serial line`);
      else if (hvcOnly) problems.push(`console=${consoles.join(', console=')} only: a domU's hvc console is the PV console a dom0 daemon serves over xenstore, and this domain has no xen,enhanced or no dom0, so nothing of this guest is ever seen; use console=ttyAMA0 (its vpl011)`);
    }
  }
  const memory = guestMemoryShortfall(dv, b, handoff, initrdBytes);
  if (memory?.measured) {
    problems.push(memory.text);
    dv.fault ??= { kind: 'guest-out-of-memory', memoryKiB: dv.memoryKiB ?? 0, needBytes: memory.needBytes };
  }
  else if (memory) findings.push(`${dv.name}: ${memory.text}`);
  if (dv.kind === 'dom0') {
    const hazard = dom0AmbaHazard(handoff, b);
    if (hazard?.fails) problems.push(hazard.text);
    else if (hazard) findings.push(`dom0: ${hazard.text}`);
  }
  if (problems.length) {
    dv.verdict = 'guest fails';
    dv.reason = problems.join('; ');
  }
}

/** The build of the Xen U-Boot started: the .config inside the bytes at the entry point, unless given. */
export function xenBuildOf(handoff: BootHandoff, opts: XenBootOptions = {}): XenBuild {
  if (opts.build) return opts.build;
  const len = Math.min(handoff.kernel.imageSize, MAX_XEN_SCAN_BYTES);
  return resolveXenBuild({
    ...(opts.xenVersion !== undefined ? { versionOverride: opts.xenVersion } : {}),
    ...(opts.xenConfig ? { configFile: opts.xenConfig } : {}),
    image: { bytes: handoff.ram.read(handoff.entry, len), name: `the Xen image at ${hex(handoff.entry)}` },
  });
}

/**
 * scheduler_init(): the sched= scheduler if this build has it; otherwise "Could not find
 * scheduler" and CONFIG_SCHED_DEFAULT (xen/common/sched/core.c, same texts 4.17–4.22).
 */
function schedulerInit(console: XenConsole, build: XenBuild, requested: string | undefined, findings: string[]): string {
  const dflt = optionValue(build, 'SCHED_DEFAULT') ?? 'credit2';
  const wanted = requested ?? dflt;
  const known = SCHEDULERS[wanted];
  let chosen = wanted;
  if (!known || !isEnabled(build, known.option)) {
    console.printk(`Could not find scheduler: ${wanted}`);
    chosen = dflt;
    console.printk(`Using '${SCHEDULERS[chosen]?.name ?? chosen}' (${chosen})`);
    findings.push(known
      ? `sched=${wanted}: this Xen build has no ${wanted} scheduler (CONFIG_${known.option} is off), so Xen runs ${dflt}`
      : `sched=${wanted} is not a Xen scheduler; Xen runs ${dflt}`);
  }
  console.printk(`Using scheduler: ${SCHEDULERS[chosen]?.name ?? chosen} (${chosen})`);
  return chosen;
}

/** bootXen(): the whole boot, as data. */
export function startXen(handoff: BootHandoff, opts: XenBootOptions = {}): XenResult {
  const build = xenBuildOf(handoff, opts);
  const version = parseXenVersion(build.release.text);
  const debug = isEnabled(build, 'DEBUG');
  // Debug builds print every level (XENLOG_UPPER_THRESHOLD without NDEBUG, drivers/char/console.c).
  const defaults: [string, string] = debug ? ['debug', 'debug'] : infoVisibleByDefault(version) ? ['info', 'info'] : ['warn', 'warn'];
  const console = new XenConsole(defaults[1] as XenLogLevel);
  const findings: string[] = [];
  const domains: DomainVerdict[] = [];
  const result = (extra: Partial<XenResult> & { consoleVisible: boolean }): XenResult => ({
    version: version.text, build: describeXenBuild(build), buildSources: describeXenBuildSources(build), console: console.lines, earlyLog: console.early, findings, estimates: console.estimates, domains, ...extra,
  });
  const { ram } = handoff;

  // early_fdt_map(): before any console. A failure is a silent hang on a release build.
  const fdtAddr = handoff.fdtAddr;
  const head = ram.read(fdtAddr, 40);
  const hang = (why: string): XenResult => {
    // Xen never read a usable DTB; name the domains from the blob U-Boot handed over, when it parses.
    if (domains.length === 0 && checkHeader(handoff.fdt) === 0) {
      const c = unflattenDeviceTree(handoff.fdt).children.find((n) => n.name === 'chosen');
      for (const n of c?.children ?? []) if (isCompatible(n, 'xen,domain')) domains.push({ name: baseName(n), kind: 'domU', verdict: 'silent hang' });
    }
    for (const d of domains) { d.verdict = 'silent hang'; d.reason = why; }
    return result({ consoleVisible: false, silentHang: why });
  };
  // bootefi: Xen's EFI stub runs first, on the firmware console, with the DT U-Boot installed.
  if (handoff.command === 'bootefi' && checkHeader(handoff.fdt) === 0) {
    const stub = efiStub(unflattenDeviceTree(handoff.fdt), build.release, handoff.efi?.device);
    console.lines.push(...stub.lines);
    if (stub.stops) return hang(stub.stops);
  }
  if (version.minor === 17 && handoff.command !== 'bootefi' && Math.floor(handoff.entry / SZ_2M) === 1) {
    return hang('Xen was loaded in the 2 MiB slot of XEN_VIRT_START (0x00200000): "Unable to build boot page tables - virt and phys addresses clash" (early printk only)');
  }
  if (fdtAddr === 0 || fdtAddr % MIN_FDT_ALIGN !== 0 || fdtMagic(head) !== FDT_MAGIC || totalsize(head) > MAX_FDT_SIZE) {
    const size = fdtMagic(head) === FDT_MAGIC ? totalsize(head) : undefined;
    const detail = fdtAddr % MIN_FDT_ALIGN !== 0 ? `it is not ${MIN_FDT_ALIGN}-byte aligned`
      : fdtMagic(head) !== FDT_MAGIC ? 'there is no FDT magic there' : `its totalsize ${hex(size!)} exceeds 2 MiB`;
    return hang(`Invalid device tree blob at physical address ${hex(fdtAddr)}: ${detail}. Xen panics before its console exists ("The DTB must be 8-byte aligned and must not exceed 2 MB in size.")`);
  }
  const fdtSize = totalsize(head);
  const fdt = ram.read(fdtAddr, fdtSize);
  if (checkHeader(fdt) !== 0) return hang('No valid device tree (fdt_check_header() failed); Xen panics before its console exists');
  const root = unflattenDeviceTree(fdt);
  const memrsv: { address: number; size: number }[] = [];
  const nrsv = numMemRsv(fdt);
  for (let i = 0; i < nrsv; i++) { const r = getMemRsv(fdt, i); if (typeof r !== 'number') memrsv.push(r); }

  // The domains the DTB describes, before Xen looks at anything.
  const chosen = root.children.find((c) => c.name === 'chosen');
  const domUNodes = (chosen?.children ?? []).filter((c) => isCompatible(c, 'xen,domain'));
  for (const c of chosen?.children ?? []) {
    if (isCompatible(c, 'xen,domain')) continue;
    const looksLikeDomain = c.props.has('cpus') || c.props.has('memory') || c.children.some((m) => stringList(m.props.get('compatible')).some((s) => s.startsWith('multiboot,')));
    if (looksLikeDomain) {
      findings.push(`${c.path} looks like a domain but is not compatible with "xen,domain": Xen ignores it`);
    }
  }

  // boot_fdt_info(): Xen and the DTB are modules 0 and 1.
  const bi = new BootInfo(version, console, build);
  bi.addBootModule('xen', handoff.entry, handoff.kernel.imageSize, false);
  bi.addBootModule('fdt', fdtAddr, fdtSize, false);
  const preDomains = (dom0less: boolean): void => {
    domains.length = 0;
    if (!dom0less) domains.push({ name: 'dom0', kind: 'dom0', verdict: 'not started' });
    for (const n of domUNodes) domains.push({ name: baseName(n), kind: 'domU', verdict: 'not started' });
    for (const c of chosen?.children ?? []) {
      if (isCompatible(c, 'xen,domain')) continue;
      if (c.props.has('cpus') || c.props.has('memory')) domains.push({ name: baseName(c), kind: 'domU', verdict: 'dropped', reason: 'not compatible with "xen,domain": Xen ignores the node' });
    }
  };
  preDomains(true);
  let scan;
  try {
    scan = bootFdtInfo(bi, root, memrsv, ram);
  } catch (e) {
    if (!(e instanceof XenPanicSignal)) throw e;
    const r = hang(`Xen panicked while parsing the DTB, before its console was up: ${e.text}`);
    r.panic = e.text;
    for (const d of domains) { if (d.verdict === 'silent hang') d.message = e.text; }
    return r;
  }
  for (const s of scan.skippedModules) findings.push(`${s.path}: ${s.reason}`);
  if (scan.stoppedAt) {
    findings.push(`${scan.stoppedAt.path}: parsing failed (${scan.stoppedAt.rc}); Xen ${version.text} stops its early device-tree scan there and boots with the nodes read before it (4.19 and later panic instead)`);
  }
  for (const d of bi.dropped) {
    // A node naming a copy another node registered (a shared load) loses only its own registration:
    // domUs find modules by kind and address, so their lookup still succeeds.
    const same = bi.modules.find((m) => m.kind === d.kind && m.start === d.start && m.size >= d.size);
    findings.push(same && d.path?.startsWith('/chosen/') && isCompatible(findNodeByPath(root, d.path.slice(0, d.path.lastIndexOf('/'))) ?? root, 'xen,domain')
      ? `module ${d.path} names the copy already registered at ${hex(d.start)}: Xen ${version.text} drops the duplicate node (${d.reason}), and the domain finds the copy by address`
      : `module ${d.path ?? hex(d.start)} dropped by Xen ${version.text}: ${d.reason}`);
  }
  for (const n of allNodes(root)) {
    const compat = stringList(n.props.get('compatible'));
    if (n.path.startsWith('/chosen/') && compat.some((c) => /^multiboot,(kernel|ramdisk|device-tree)$/.test(c)) && !compat.includes('multiboot,module') && !compat.includes('xen,multiboot-module')) {
      findings.push(`${n.path}: compatible lacks "multiboot,module", so Xen does not register it as a boot module`);
    }
  }
  earlyPrintInfo(bi, memrsv);
  const cmdline = parseXenCmdline(bootFdtCmdline(bi, root));
  console.printk(`Command line: ${cmdline.raw}`);
  findings.push(...cmdline.problems);
  const [lo, hi] = parseLoglvl(cmdline.loglvl, defaults);
  const guestLvl = parseLoglvl(cmdline.guestLoglvl, debug ? ['debug', 'debug'] : ['none', 'warn']);
  if (hi !== 'none') console.setThreshold(hi as XenLogLevel);
  console.noreboot = cmdline.noreboot;

  // 4.17 accepts overlapping modules: say so (the damage is judged per guest later).
  if (version.minor === 17) {
    const mods = bi.modules;
    for (let i = 2; i < mods.length; i++) {
      for (let j = 0; j < i; j++) {
        const a = mods[i]!; const b = mods[j]!;
        if (a.start < b.start + b.size && b.start < a.start + a.size && !(a.start === b.start && a.kind === b.kind)) {
          findings.push(`module ${a.path ?? hex(a.start)} [${hex(a.start)}, ${hex(a.start + a.size)}) overlaps ${j === 0 ? "Xen's image+BSS" : j === 1 ? 'the DTB' : `module ${b.path ?? hex(b.start)}`} [${hex(b.start)}, ${hex(b.start + b.size)}); Xen 4.17 accepts it silently`);
        }
      }
    }
  }

  if (bi.mem.length === 0) return hang('no RAM bank in the DTB /memory node(s): Xen panics before its console is up');

  // Console bring-up (arm_uart_init() → console_init_preirq()).
  const uart = dtUartInit(console, cmdline, root);
  if (!uart.ok) findings.push(`Xen has no console: ${uart.why}. The boot may still succeed, but nothing is visible after "Starting kernel ...".`);
  console.bringUp(version.minor >= 21);
  const host = hostInfo(root, handoff, fdtSize);
  xsmInit(console, bi, handoff.ram, build, cmdline, console.estimates);
  const bootScheduler = schedulerInit(console, build, cmdline.sched, findings);
  // maxcpus= limits the CPUs Xen brings up (smp_get_max_cpus()); the rest stay off for good.
  const cpuHwids = onlineCpus(root, host.pcpus, cmdline, console, findings);
  console.printk(`Brought up ${cpuHwids.length} CPUs`);
  // cpupool_init() (an initcall): boot-time cpupools, before any domain exists.
  const cpuCtx: CpupoolCtx = { console, root, build, minor: version.minor, cpuHwids, bootScheduler, findings };
  let cpuState: CpupoolState;
  try {
    cpuState = setupCpupools(cpuCtx);
  } catch (e) {
    if (!(e instanceof XenPanicSignal)) throw e;
    for (const d of domains) if (d.verdict !== 'dropped') { d.verdict = 'xen panic'; d.message = e.text; d.reason = e.text; }
    return result({ consoleVisible: uart.ok, panic: e.text });
  }
  if (!host.iommu) console.printk('I/O virtualisation disabled');

  // populate_boot_allocator(): with xen,static-heap the heap is those banks and nothing else;
  // otherwise RAM minus Xen, the DTB, every module and reserved region.
  const staticHeapBanks = bi.reservedMem.filter((r) => r.type === 'static-heap');
  // The boot allocator takes the static heap banks whole: a module inside one is handed out as free memory.
  for (const m of bi.staticHeap ? bi.modules : []) {
    const h = staticHeapBanks.find((b) => m.start < b.start + b.size && b.start < m.start + m.size);
    if (h) findings.push(`module ${m.path ?? hex(m.start)} [${hex(m.start)}, ${hex(m.start + m.size)}) lies in the static heap bank [${hex(h.start)}, ${hex(h.start + h.size)}): Xen hands that memory out as free, so the module can be overwritten`);
  }
  const heap = new XenHeap(bi.staticHeap ? staticHeapBanks : bi.mem);
  if (!bi.staticHeap) {
    for (const m of bi.modules) heap.reserve(m.start, m.size);
    for (const r of bi.reservedMem) heap.reserve(r.start, r.size);
    for (const r of memrsv) heap.reserve(r.address, r.size);
  }
  const ramBytes = bi.mem.reduce((n, b) => n + b.size, 0);
  heap.takeFromTop(xenOverheadEstimate(ramBytes, host.pcpus));

  // is_dom0less_mode(): no dom0 kernel but at least one domU kernel.
  const kernels = bi.modules.filter((m) => m.kind === 'kernel');
  const dom0less = !kernels.some((m) => !m.domU) && kernels.some((m) => m.domU);
  preDomains(dom0less);
  const ctx: BuildCtx = { bi, ram, heap, console, version, root, host, cmdline, findings, hardwareDomain: false, built: new Map(), xenstore: { wanted: [], pages: new Set() }, cpu: { ctx: cpuCtx, state: cpuState, hardware: {}, neverRuns: new Set() } };
  let domid = 0;
  try {
    if (!dom0less) createDom0(ctx, domains[0]!);
    else console.printk('Xen dom0less mode detected', 'info');
    const domids = new Map<DtNode, number>();
    for (const [i, n] of domUNodes.entries()) { createDomU(ctx, n, ++domid, domains[(dom0less ? 0 : 1) + i]!); domids.set(n, domid); }
    // Once every domU is built (4.21+): xenstore asked for, no xenstore domain. Every domain is stopped by it.
    ctx.current = undefined;
    checkXenstore(ctx);
    // alloc_static_evtchn(), once every domain exists: a failure is Xen's, not one domain's.
    allocStaticEvtchns(ctx, chosen, domids);
  } catch (e) {
    if (!(e instanceof XenPanicSignal)) throw e;
    const cur = ctx.current;
    for (const d of domains) {
      if (d.verdict === 'dropped') continue;
      if (d === cur) { d.verdict = 'xen panic'; d.message = e.text; d.reason = d.reason ? `${e.text} (${d.reason})` : e.text; }
      else if (!cur) { d.verdict = 'xen panic'; d.message = e.text; d.reason = e.text; }
      else { d.verdict = 'not started'; d.reason = `Xen panicked while building ${cur.name}`; }
    }
    return result({ consoleVisible: uart.ok, panic: e.text });
  }

  // discard_initial_modules(): every module but Xen goes back to the heap, page by page
  // (init_domheap_pages() of [PFN_UP(start), PFN_DOWN(start + PAGE_ALIGN(size)))). Xen 4.17
  // registered overlapping modules without complaint, so their shared pages are freed twice and
  // free_heap_pages() hits a BUG() once every domain is built (real Debian 4.17.7: "Xen BUG at
  // common/page_alloc.c:1429" after both LOADING blocks; 4.18+ drops overlapping modules earlier).
  const freed = bi.modules.filter((m) => m.kind !== 'xen').map((m) => ({
    m, from: Math.ceil(m.start / PAGE_SIZE), to: Math.floor((m.start + Math.ceil(m.size / PAGE_SIZE) * PAGE_SIZE) / PAGE_SIZE),
  })).sort((a, b) => a.from - b.from);
  // The BUG()'s line moved between releases; the numbers seen on real boots: 4.17.7 (Debian's
  // package) 1429, 4.17.5 (built from Debian's bookworm source) 1423
  // (test/fixtures/transcripts/full/corpus-ramdisk-overlaps-kernel.log), 4.20.5-pre (Debian's trixie
  // package) 1486 (test/fixtures/transcripts/trixie/gen-bootefi.log).
  const pageAllocBug = (): string => {
    const bugLine = version.minor === 17 ? (version.patch === 5 ? 1423 : version.patch === undefined || version.patch === 7 ? 1429 : undefined)
      : version.minor === 20 && (version.patch === undefined || version.patch >= 4) ? 1486 : undefined;
    if (bugLine === undefined) console.estimates.push('the line number of the page_alloc.c BUG is known only for 4.17.5, 4.17.7 and 4.20.4+');
    return bugLine !== undefined ? `Xen BUG at common/page_alloc.c:${bugLine}` : 'Xen BUG at common/page_alloc.c';
  };
  // EFI boot: Xen's RAM banks are the EFI memory map's conventional runs, and populate_boot_allocator()
  // skips only the modules that start inside a bank (next_module()). A module that starts in a range
  // U-Boot marked EfiBootServicesData (a loaded file, from U-Boot 2025.01) but reaches past its page-
  // aligned end has its tail given to the heap as free RAM; discard_initial_modules() frees it again.
  // page_alloc.c's BUG() on a page freed twice: every domain built so far dies with Xen.
  const freedTwice = (why: string): XenResult => {
    const text = pageAllocBug();
    findings.push(why);
    for (const d of domains) {
      if (d.verdict === 'dropped') continue;
      d.verdict = 'xen panic'; d.message = text; d.reason = `${text} (${why})`;
    }
    // A BUG() prints its own first line and a register dump (not modelled), then the panic box.
    console.printk(text);
    try { console.panic(`${text}\n`); } catch (e) { if (!(e instanceof XenPanicSignal)) throw e; }
    return result({ consoleVisible: uart.ok, panic: text });
  };
  const efiTail = handoff.efi ? modulesWithHeapTail(bi.modules.filter((m) => m.kind !== 'xen'), handoff.efi.bootServicesData) : undefined;
  if (efiTail) {
    return freedTwice(`boot module ${hex(efiTail.module.start)}+${hex(efiTail.module.size)} reaches past the loaded file's last page ${hex(efiTail.tailStart)}: U-Boot's EFI memory map (EfiBootServicesData up to there) starts a RAM bank inside the module, Xen puts [${hex(efiTail.tailStart)}, ${hex(efiTail.tailEnd)}) in its heap and discard_initial_modules() frees it twice`);
  }
  for (let i = 1; i < freed.length; i++) {
    const a = freed[i - 1]!;
    const b = freed[i]!;
    if (b.from < a.to) {
      return freedTwice(`boot modules ${hex(a.m.start)}+${hex(a.m.size)} and ${hex(b.m.start)}+${hex(b.m.size)} share pages, which discard_initial_modules() frees twice`);
    }
  }
  for (const m of bi.modules) if (m.kind !== 'xen') heap.release(m.start, m.size);
  const avail = Math.min(64 * SZ_1M, heap.freeBytes);
  let pages = Math.floor(avail / PAGE_SIZE);
  let order = 0;
  while (2 ** (order + 1) <= pages) order++;
  pages = 2 ** order;
  console.printk(`Initial low memory virq threshold set at ${hex(pages)} pages.`);
  if (cmdline.bootscrub === 'idle') console.printk('Scrubbing Free RAM in background');
  else if (cmdline.bootscrub === 'on') {
    console.printk(`Scrubbing Free RAM on 1 nodes using ${host.pcpus} CPUs`);
    console.estimates.push('bootscrub=on progress dots and "done." line are not emitted');
  }
  // console_endboot()
  console.printk(loglvlLine('Std. Loglevel', [lo, hi]));
  console.printk(loglvlLine('Guest Loglevel', guestLvl));
  console.warningPrint();
  // switch_serial_input() from 4.18 skips domains that do not exist: without dom0 the input goes to
  // d1 (real trixie 4.20 and 4.21.2: "*** Serial input to DOM1"); 4.17 always names DOM0.
  console.printk(`*** Serial input to DOM${version.minor >= 18 && dom0less ? 1 : 0} (type 'CTRL-a' three times to switch input)`);
  const initKiB = opts.initMemKiB ?? (handoff.kernel.format === 'zimage' ? DEBIAN_417_ARMHF_INIT_KIB : DEBIAN_417_INIT_KIB);
  if (opts.initMemKiB === undefined && version.minor !== 17) console.estimates.push(`"Freed ${initKiB}kB init memory.": the figure is Debian's Xen 4.17 build; other builds differ`);
  if (!bi.staticHeap) console.printk(`Freed ${initKiB}kB init memory.`);

  for (const d of domains) {
    if (d.verdict === 'dropped') continue;
    d.verdict = 'up';
    const b = ctx.built.get(d);
    if (b) guestChecks(d, b, handoff, version, findings);
    const node = domUNodes.find((n) => baseName(n) === d.name);
    const inBank = node && isEnabled(build, 'STATIC_MEMORY') ? modulesInStaticBanks(bi, node) : [];
    if (inBank.length && d.verdict === 'up' && cmdline.bootscrub !== 'off') {
      d.verdict = 'guest fails';
      d.reason = `its static memory holds boot module${inBank.length > 1 ? 's' : ''} ${inBank.map((m) => `${m.path} [${hex(m.start)}, ${hex(m.start + m.size)})`).join(', ')}: once every domain is built Xen frees the modules' pages and the boot scrub (bootscrub=${cmdline.bootscrub}) wipes them, so the guest's kernel is erased and it prints nothing`;
    }
    // The null scheduler had no CPU for its vCPU 0: Xen built it, but it never runs (cpupools.ts).
    if (ctx.cpu?.neverRuns.has(d)) { d.verdict = 'guest fails'; d.reason = 'its null-scheduler cpupool has no free CPU for vCPU 0, so the domain never runs'; }
  }
  return result({ consoleVisible: uart.ok });
}
