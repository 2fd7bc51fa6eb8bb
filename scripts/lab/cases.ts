// The lab's boot cases: hand-chosen boot.source scripts (ImageBuilder-shaped, but
// written here independently of src/emit so the lab stays an oracle) over the real
// lab assets. Addresses follow ImageBuilder's planning rule (2 MiB-aligned, size =
// max(file size, arm64 image_size)) from MEMORY_START 0x40000000.
import { alignUp, SZ_2M } from '../../src/util/align.js';
import { hexUpper, hexUpperBare } from '../../src/util/hex.js';
import { readRange } from '../../src/util/file.js';
import { LAB_TOKEN_PARAM } from './initramfs.js';
import { LAB_MEMORY_START, LAB_SCRIPT_ADDR, type LabOutcome } from '../../src/lab/qemu.js';
import type { DomainVerdictKind } from '../../src/lab/xen-console.js';

/** Sizes the scripts are planned with (from the real assets). */
export interface LabCaseInputs {
  kernelFileSize: number;
  kernelImageSize: number;
  xenFileSize: number;
  xenImageSize: number;
  initramfsSize: number;
  dtbSize: number;
  /** Size of the dtc-repacked (minimal) DTB, used where a case needs no free space in the blob. */
  packedDtbSize?: number;
  /** Size of Xen wrapped by mkimage (file + 64-byte header). */
  xenUimageSize?: number;
}

export interface LabCaseExpectation {
  outcome: LabOutcome;
  /** Verdict per domain name. */
  verdicts: Record<string, DomainVerdictKind>;
  /** The Xen panic message or the U-Boot/guest message every failing domain reports. */
  message?: string;
}

/** A file the TFTP directory of a case must hold, and where it comes from. */
export type LabCaseFile =
  | { name: string; from: 'kernel' | 'xen' | 'initramfs' | 'dtb' }
  | { name: string; from: 'xen-uimage'; loadAddr: number }
  | { name: string; from: 'packed-dtb' };

export interface LabCase {
  name: string;
  title: string;
  /** What the real boot showed when the case was captured (test/fixtures/transcripts); run-lab checks it still does. */
  expect: LabCaseExpectation;
  source: string;
  files: LabCaseFile[];
  /** Domains in the order Xen creates them (dom0, then /chosen child order = reverse `fdt mknod` order), with the id Xen gives each. */
  domains: Array<{ name: string; token: string; domid: number }>;
  timeoutMs: number;
}

export const LAB_KERNEL = 'Image';
export const LAB_XEN = 'xen';
export const LAB_INITRAMFS = 'initramfs.cpio.gz';
export const LAB_DTB = 'virt.dtb';
/** Xen console on QEMU virt: the board DTB has no /aliases, so dtuart must be a path. */
export const LAB_XEN_CONSOLE = 'console=dtuart dtuart=/pl011@9000000';

/** arm64 Image header image_size (u64 LE at offset 16), or 0 if no "ARM\x64" magic. */
export function arm64ImageSize(path: string): number {
  const h = readRange(path, 0, 64);
  if (h.length < 64 || h.readUInt32LE(56) !== 0x644d5241) return 0;
  return Number(h.readBigUInt64LE(16));
}

const cells = (addr: number, size: number): string =>
  `<0x${Math.floor(addr / 2 ** 32).toString(16).toUpperCase()} ${hexUpper(addr % 2 ** 32)} 0x${Math.floor(size / 2 ** 32).toString(16).toUpperCase()} ${hexUpper(size % 2 ** 32)} >`;

/** Builds a script the way ImageBuilder lays it out: loads, then DT edits, then boot. */
class ScriptBuilder {
  private memaddr = LAB_MEMORY_START + 2 * SZ_2M;
  readonly lines: string[] = [];
  readonly files: LabCaseFile[] = [];

  load(file: LabCaseFile, size: number, opts: { emit?: boolean } = {}): { addr: number; size: number } {
    const addr = this.memaddr;
    this.memaddr = alignUp(addr + size, SZ_2M);
    if (opts.emit !== false) this.lines.push(`tftpb ${hexUpper(addr)} ${file.name}`);
    if (!this.files.some((f) => f.name === file.name)) this.files.push(file);
    return { addr, size };
  }
  push(...l: string[]): void { this.lines.push(...l); }
  text(): string { return `${this.lines.join('\n')}\n`; }
}

interface DomUSpec {
  token: string;
  cpus: number;
  memKb: number;
  /** Replaces the whole `memory` value, e.g. `<196608>` (one cell). */
  memoryValue?: string;
  enhanced?: boolean;
  kernel: { addr: number; size: number };
  ramdisk?: { addr: number; size: number; sizeExpr?: string };
}

function domUBlock(b: ScriptBuilder, idx: number, d: DomUSpec): void {
  const p = `/chosen/domU${idx}`;
  b.push(
    `fdt mknod /chosen domU${idx}`,
    `fdt set ${p} compatible "xen,domain"`,
    `fdt set ${p} \\#address-cells <0x2>`,
    `fdt set ${p} \\#size-cells <0x2>`,
    `fdt set ${p} memory ${d.memoryValue ?? `<0x0 ${hexUpper(d.memKb)} >`}`,
    `fdt set ${p} cpus <${d.cpus}>`,
    `fdt set ${p} vpl011`,
  );
  if (d.enhanced) b.push(`fdt set ${p} xen,enhanced "enabled"`);
  const k = `${p}/module@${hexUpperBare(d.kernel.addr)}`;
  b.push(
    `fdt mknod ${p} module@${hexUpperBare(d.kernel.addr)}`,
    `fdt set ${k} compatible  "multiboot,kernel" "multiboot,module"`,
    `fdt set ${k} reg ${cells(d.kernel.addr, d.kernel.size)}`,
    `fdt set ${k} bootargs "console=ttyAMA0 ${LAB_TOKEN_PARAM}=${d.token}"`,
  );
  if (d.ramdisk) {
    const r = `${p}/module@${hexUpperBare(d.ramdisk.addr)}`;
    const reg = d.ramdisk.sizeExpr
      ? `<0x0 ${hexUpper(d.ramdisk.addr)} 0x0 ${d.ramdisk.sizeExpr} >`
      : cells(d.ramdisk.addr, d.ramdisk.size);
    b.push(
      `fdt mknod ${p} module@${hexUpperBare(d.ramdisk.addr)}`,
      `fdt set ${r} compatible  "multiboot,ramdisk" "multiboot,module"`,
      `fdt set ${r} reg ${reg}`,
    );
  }
}

function dtHeader(b: ScriptBuilder, dtbAddr: number, xenCmd: string, resize = true): void {
  b.push(`fdt addr ${hexUpper(dtbAddr)}`);
  if (resize) b.push('fdt resize 1024');
  b.push(
    'fdt set /chosen \\#address-cells <0x2>',
    'fdt set /chosen \\#size-cells <0x2>',
    `fdt set /chosen xen,xen-bootargs "${xenCmd}"`,
  );
}

const kernelSize = (i: LabCaseInputs): number => Math.max(i.kernelFileSize, i.kernelImageSize);
const xenSize = (i: LabCaseInputs): number => Math.max(i.xenFileSize, i.xenImageSize);

interface TwoDomUOptions {
  xenCmd?: string;
  domU0Memory?: string;
  enhanced?: boolean;
  boot?: 'booti' | 'bootm-raw' | 'bootm-uimage';
  resize?: boolean;
  missingRamdiskForDomU1?: boolean;
  /** false: no `setenv fdt_high` (U-Boot relocates the DTB at boot). */
  fdtHigh?: boolean;
  /** Load Xen this many bytes past its planned 2 MiB-aligned slot (booti then moves it). */
  xenOffset?: number;
  /** Load the DTB here instead of the planned address (e.g. inside U-Boot's reserved top of RAM). */
  dtbAddr?: number;
  /** domU0's kernel module `reg` start, if not the real load address. */
  domU0KernelRegAddr?: number;
  /** vCPUs of domU0 (default 1). */
  domU0Cpus?: number;
}

/** True dom0less: two domUs sharing one kernel and one initramfs module in RAM. */
function twoDomUs(i: LabCaseInputs, o: TwoDomUOptions = {}): { source: string; files: LabCaseFile[]; domains: LabCase['domains'] } {
  const b = new ScriptBuilder();
  const kernel = b.load({ name: LAB_KERNEL, from: 'kernel' }, kernelSize(i));
  const ramdisk = b.load({ name: LAB_INITRAMFS, from: 'initramfs' }, i.initramfsSize);
  // A second ramdisk slot for the "missing file" case (the file never arrives).
  const missing = o.missingRamdiskForDomU1 ? b.load({ name: 'missing-initramfs.cpio.gz', from: 'initramfs' }, i.initramfsSize, { emit: false }) : undefined;
  if (missing) b.files.pop(); // the TFTP server must NOT have this file
  let xen: { addr: number; size: number };
  if (o.boot === 'bootm-uimage') {
    // ImageBuilder wraps Xen with load = entry = the address the .ub file itself is loaded at.
    const file = { name: 'xen.ub', from: 'xen-uimage' as const, loadAddr: 0 };
    xen = b.load(file, i.xenUimageSize ?? xenSize(i) + 64);
    file.loadAddr = xen.addr;
  } else {
    xen = b.load({ name: LAB_XEN, from: 'xen' }, xenSize(i), { emit: o.xenOffset === undefined });
    if (o.xenOffset !== undefined) {
      xen = { addr: xen.addr + o.xenOffset, size: xen.size };
      b.push(`tftpb ${hexUpper(xen.addr)} ${LAB_XEN}`);
    }
  }
  const packed = o.resize === false;
  let dtb = packed
    ? b.load({ name: LAB_DTB, from: 'packed-dtb' }, i.packedDtbSize ?? i.dtbSize)
    : b.load({ name: LAB_DTB, from: 'dtb' }, i.dtbSize, { emit: o.dtbAddr === undefined });
  if (o.dtbAddr !== undefined) {
    dtb = { addr: o.dtbAddr, size: dtb.size };
    b.push(`tftpb ${hexUpper(dtb.addr)} ${LAB_DTB}`);
  }
  dtHeader(b, dtb.addr, o.xenCmd ?? LAB_XEN_CONSOLE, !packed);
  const d0: DomUSpec = { token: 'u0', cpus: o.domU0Cpus ?? 1, memKb: 0x40000, kernel, ramdisk, enhanced: o.enhanced };
  if (o.domU0Memory) d0.memoryValue = o.domU0Memory;
  if (o.domU0KernelRegAddr !== undefined) d0.kernel = { addr: o.domU0KernelRegAddr, size: kernel.size };
  domUBlock(b, 0, d0);
  if (missing) b.push(`tftpb ${hexUpper(missing.addr)} missing-initramfs.cpio.gz`);
  domUBlock(b, 1, {
    token: 'u1', cpus: 2, memKb: 0x40000, kernel, enhanced: o.enhanced,
    ramdisk: missing ? { addr: missing.addr, size: 0, sizeExpr: '0x${filesize}' } : ramdisk,
  });
  if (o.fdtHigh !== false) b.push('setenv fdt_high 0xffffffffffffffff');
  b.push(o.boot === 'bootm-raw' || o.boot === 'bootm-uimage'
    ? `bootm ${hexUpper(xen.addr)} - ${hexUpper(dtb.addr)}`
    : `booti ${hexUpper(xen.addr)} - ${hexUpper(dtb.addr)}`);
  // `fdt mknod` inserts a node before its existing siblings, so domU1 comes first in /chosen and gets domid 1.
  return { source: b.text(), files: b.files, domains: [{ name: 'domU1', token: 'u1', domid: 1 }, { name: 'domU0', token: 'u0', domid: 2 }] };
}

/** dom0 + one domU, each with its own copy of kernel and initramfs (ImageBuilder layout). */
function dom0PlusDomU(i: LabCaseInputs): { source: string; files: LabCaseFile[]; domains: LabCase['domains'] } {
  const b = new ScriptBuilder();
  const k0 = b.load({ name: LAB_KERNEL, from: 'kernel' }, kernelSize(i));
  const r0 = b.load({ name: LAB_INITRAMFS, from: 'initramfs' }, i.initramfsSize);
  const k1 = b.load({ name: LAB_KERNEL, from: 'kernel' }, kernelSize(i));
  const r1 = b.load({ name: LAB_INITRAMFS, from: 'initramfs' }, i.initramfsSize);
  const xen = b.load({ name: LAB_XEN, from: 'xen' }, xenSize(i));
  const dtb = b.load({ name: LAB_DTB, from: 'dtb' }, i.dtbSize);
  dtHeader(b, dtb.addr, `${LAB_XEN_CONSOLE} dom0_mem=512M`);
  b.push(
    // Linux 6.1 dom0 crashes probing the PL061 GPIO (amba_read_periphid) under Xen.
    'fdt set /pl061@9030000 status "disabled"',
    `fdt mknod /chosen dom0@${hexUpperBare(k0.addr)}`,
    `fdt set /chosen/dom0@${hexUpperBare(k0.addr)} compatible  "xen,linux-zimage" "xen,multiboot-module" "multiboot,module"`,
    `fdt set /chosen/dom0@${hexUpperBare(k0.addr)} reg ${cells(k0.addr, k0.size)}`,
    `fdt set /chosen xen,dom0-bootargs "console=hvc0 ${LAB_TOKEN_PARAM}=d0"`,
    `fdt mknod /chosen dom0-ramdisk@${hexUpperBare(r0.addr)}`,
    `fdt set /chosen/dom0-ramdisk@${hexUpperBare(r0.addr)} compatible  "xen,linux-initrd" "xen,multiboot-module" "multiboot,module"`,
    `fdt set /chosen/dom0-ramdisk@${hexUpperBare(r0.addr)} reg ${cells(r0.addr, r0.size)}`,
  );
  domUBlock(b, 0, { token: 'u0', cpus: 1, memKb: 0x40000, kernel: k1, ramdisk: r1, enhanced: true });
  b.push('setenv fdt_high 0xffffffffffffffff', `booti ${hexUpper(xen.addr)} - ${hexUpper(dtb.addr)}`);
  return { source: b.text(), files: b.files, domains: [{ name: 'dom0', token: 'd0', domid: 0 }, { name: 'domU0', token: 'u0', domid: 1 }] };
}

/** Every ground-truth case, in capture order. */
export function labCases(i: LabCaseInputs): LabCase[] {
  const mk = (name: string, title: string, timeoutMs: number,
    s: { source: string; files: LabCaseFile[]; domains: LabCase['domains'] }, expect: LabCaseExpectation): LabCase =>
    ({ name, title, timeoutMs, expect, ...s });
  const both = (v: DomainVerdictKind): Record<string, DomainVerdictKind> => ({ domU1: v, domU0: v });
  return [
    mk('a-dom0less-2domu', 'true dom0less, 2 domUs sharing one kernel + one initramfs (booti)', 120_000,
      twoDomUs(i), { outcome: 'all-up', verdicts: both('up') }),
    mk('b-dom0-domu', 'dom0 + 1 domU (booti)', 180_000, dom0PlusDomU(i), { outcome: 'all-up', verdicts: { dom0: 'up', domU0: 'up' } }),
    mk('c-bootm-raw-image', 'bootm of the raw Xen arm64 Image', 60_000, twoDomUs(i, { boot: 'bootm-raw' }),
      { outcome: 'uboot-returned', verdicts: both('not started'), message: "ERROR: can't get kernel image!" }),
    mk('d-bootm-xen-uimage', 'Xen wrapped by mkimage -A arm64 -O linux -T kernel -C none -a/-e <2 MiB-aligned load address>, bootm',
      120_000, twoDomUs(i, { boot: 'bootm-uimage' }), { outcome: 'all-up', verdicts: both('up') }),
    mk('e-domu-memory-one-cell', 'domU0 memory as ONE cell (memory <196608>)', 90_000, twoDomUs(i, { domU0Memory: '<196608>' }),
      { outcome: 'xen-panic', verdicts: both('xen panic'), message: 'Could not set up domain domU0' }),
    mk('f-enhanced-without-dom0', 'xen,enhanced "enabled" on domUs without dom0', 120_000, twoDomUs(i, { enhanced: true }),
      { outcome: 'xen-panic', verdicts: both('xen panic'), message: 'At the moment, Xenstore support requires dom0 to be present' }),
    mk('g-tftp-missing-stale-filesize', 'tftpb of a missing file, then fdt set reg with 0x${filesize} (stale value)', 120_000,
      twoDomUs(i, { missingRamdiskForDomU1: true }),
      { outcome: 'guest-panic', verdicts: { domU1: 'guest fails', domU0: 'up' } }),
    mk('h-fdt-nospace', 'DT edits on a packed DTB without fdt resize', 90_000, twoDomUs(i, { resize: false }),
      { outcome: 'xen-panic', verdicts: both('xen panic'), message: 'Could not set up DOM0 guest OS' }),
    mk('i-dtuart-serial0', 'Xen console dtuart=serial0 (board DTB has no /aliases)', 45_000,
      twoDomUs(i, { xenCmd: 'console=dtuart dtuart=serial0' }), { outcome: 'xen-silent', verdicts: both('silent hang') }),
    // Extra ground truth for the simulators (beyond the original list).
    mk('j-fdt-high-unset', 'no `setenv fdt_high`: U-Boot relocates the DTB at boot', 120_000, twoDomUs(i, { fdtHigh: false }),
      { outcome: 'all-up', verdicts: both('up') }),
    mk('k-xen-unaligned-booti', 'Xen loaded 1 MiB past a 2 MiB boundary, right below the DTB (booti moves image_size bytes up onto it)',
      60_000, twoDomUs(i, { xenOffset: 0x100000 }),
      { outcome: 'uboot-returned', verdicts: both('not started'), message: 'Could not find a valid device tree' }),
    mk('l-tftp-into-uboot-reserved', "DTB loaded at 0xBE000000, inside U-Boot's reserved top of RAM", 60_000,
      twoDomUs(i, { dtbAddr: 0xBE000000 }),
      { outcome: 'uboot-returned', verdicts: both('not started'), message: 'Could not find a valid device tree' }),
    mk('m-domu-memory-too-big', 'domU0 memory 2 GiB on a 2 GiB board', 90_000, twoDomUs(i, { domU0Memory: '<0x0 0x200000 >' }),
      { outcome: 'xen-panic', verdicts: both('xen panic'), message: 'Failed to allocate requested domain memory. 2097152KB unallocated. Fix the VMs configurations.' }),
    mk('n-domu-kernel-reg-not-module-start', 'domU0 kernel module reg starts 2 MiB inside the loaded Image', 90_000,
      twoDomUs(i, { domU0KernelRegAddr: LAB_MEMORY_START + 3 * SZ_2M }),
      { outcome: 'xen-panic', verdicts: both('xen panic'), message: 'Could not set up domain domU0' }),
    mk('o-domu-8-vcpus', 'domU0 with 8 vCPUs on 4 physical CPUs (slow: ~3 min)', 300_000, twoDomUs(i, { domU0Cpus: 8 }),
      { outcome: 'all-up', verdicts: both('up') }),
  ];
}

/** Console commands that fetch and run the script (as in qemu.ts defaults). */
export const LAB_SCRIPT_LOAD_ADDR = LAB_SCRIPT_ADDR;
