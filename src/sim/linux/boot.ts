// The Linux model of Linux-only boots: what an arm64 kernel started by booti does with the DTB and
// the initramfs U-Boot handed it, as far as that decides whether it reaches userspace. Facts from
// Linux arch/arm64/mm/init.c (arm64_memblock_init(): an initrd outside the linear map is dropped),
// drivers/of/fdt.c (early_init_dt_check_for_initrd(): linux,initrd-start/-end read with as many
// cells as the property has), init/initramfs.c (unpack_to_rootfs()) and init/do_mounts.c
// (mount_root() panics when no root device opens), checked against real boots in the lab.
import { getprop, pathOffset } from '../../fdt/ro.js';
import { hex } from '../../util/hex.js';
import type { BootHandoff } from '../handoff.js';
import { initramfsFault, linuxVersionOf } from '../xen/guest-linux.js';
import type { DomainVerdict } from '../xen/verdict.js';

export interface LinuxResult {
  /** "Linux 6.1.0-26-arm64" from the Image's banner, or "Linux (no version banner in the Image)". */
  version: string;
  /** `/chosen bootargs` as Linux reads it ('' when absent). */
  bootargs: string;
  /** What the model prints of Linux's console: the lines that decide the verdict (a subsequence of a real log). */
  console: string[];
  /** `Kernel panic - not syncing: ...` text without the prefix, when Linux panics. */
  panic?: string;
  /** Things a reader should know that do not change the verdict. */
  findings: string[];
  /** One verdict, named `linux`: the kernel is the only "domain" of a Linux-only boot. */
  domains: DomainVerdict[];
}

/** The panic do_mounts.c ends in when no initramfs provided /init and root= names no device Linux can open. */
export const NO_ROOT_PANIC = 'VFS: Unable to mount root fs on unknown-block(0,0)';

const decoder = new TextDecoder();

/** A property of /chosen, or undefined. */
function chosenProp(fdt: Uint8Array, name: string): Uint8Array | undefined {
  const chosen = pathOffset(fdt, '/chosen');
  if (typeof chosen !== 'number' || chosen < 0) return undefined;
  const v = getprop(fdt, chosen, name);
  return v instanceof Uint8Array ? v : undefined;
}

/** A big-endian number of as many 32-bit cells as the property holds (of_read_number(prop, len / 4)). */
function readCells(v: Uint8Array): number {
  let n = 0n;
  for (let i = 0; i + 4 <= v.length; i += 4) n = BigInt.asUintN(64, (n << 32n) | BigInt((v[i]! << 24 | v[i + 1]! << 16 | v[i + 2]! << 8 | v[i + 3]!) >>> 0));
  return Number(n);
}

/** The initrd Linux finds in /chosen: both properties present, end after start. */
function chosenInitrd(fdt: Uint8Array): { start: number; end: number } | undefined {
  const s = chosenProp(fdt, 'linux,initrd-start');
  const e = chosenProp(fdt, 'linux,initrd-end');
  if (!s || !e) return undefined;
  const start = readCells(s);
  const end = readCells(e);
  return end > start ? { start, end } : undefined;
}

/** Decide what the Linux kernel U-Boot started does: reach userspace, or the panic real Linux prints. */
export function bootLinux(h: BootHandoff): LinuxResult {
  const console: string[] = [];
  const findings: string[] = [];
  const kernelEnd = h.entry + h.kernel.imageSize;
  const versionText = linuxVersionOf(h.ram, h.entry, h.kernel.imageSize);
  const version = versionText ? `Linux ${versionText}` : 'Linux (no version banner in the Image)';
  if (versionText) console.push(`Linux version ${versionText}`);
  const bootargsProp = chosenProp(h.fdt, 'bootargs');
  const bootargs = bootargsProp ? decoder.decode(bootargsProp).replace(/\0.*$/s, '') : '';
  console.push(`Kernel command line: ${bootargs}`);

  const verdict: DomainVerdict = {
    name: 'linux', kind: 'linux', kernel: { start: h.entry, size: h.kernel.imageSize, format: h.kernel.format }, verdict: 'up',
  };
  if (h.fdtAddr < kernelEnd && h.fdtAddr + h.fdt.length > h.entry) {
    findings.push(`the DTB at ${hex(h.fdtAddr)} lies inside the kernel's image_size ${hex(h.entry)}..${hex(kernelEnd)}, which Linux uses (BSS) once it runs`);
  }

  let initramfs: 'ok' | 'none' | 'failed' = 'none';
  const rd = chosenInitrd(h.fdt);
  if (rd) {
    verdict.ramdisk = { start: rd.start, size: rd.end - rd.start };
    const size = rd.end - rd.start;
    if (!h.ram.inRam(rd.start, size)) {
      console.push('initrd not fully accessible via the linear mapping -- please check your bootloader ...');
      findings.push(`the initrd ${hex(rd.start)}..${hex(rd.end)} is not in RAM, so Linux drops it`);
    } else if (rd.start < kernelEnd && rd.end > h.entry) {
      // The kernel clears its BSS over the initramfs before it unpacks it.
      findings.push(`the initramfs ${hex(rd.start)}..${hex(rd.end)} overlaps the kernel's image_size ${hex(h.entry)}..${hex(kernelEnd)} (BSS included): Linux clears it before unpacking`);
      initramfs = 'failed';
    } else {
      console.push('Trying to unpack rootfs image as initramfs...');
      const fault = initramfsFault(h.ram, rd.start, size);
      if (fault) {
        console.push(`Initramfs unpacking failed: ${fault}`);
        initramfs = 'failed';
      } else {
        initramfs = 'ok';
      }
    }
  }

  if (initramfs === 'ok') {
    console.push('Run /init as init process');
    verdict.reason = `runs /init from the initramfs at ${hex(rd!.start)}`;
    return { version, bootargs, console, findings, domains: [verdict] };
  }
  // No usable initramfs: the root= device must be mounted. /dev/ram0 needs an initrd (and a ramdisk
  // driver built in); on a board without the named disk none opens either.
  const root = /(?:^|\s)root=(\S*)/.exec(bootargs)?.[1];
  if (root !== undefined && root !== '/dev/ram0' && root !== '/dev/ram') {
    verdict.reason = `mounts root=${root} (the disk itself is not modelled)`;
    findings.push(`root=${root}: whether that disk exists and holds a root filesystem is not modelled`);
    return { version, bootargs, console, findings, domains: [verdict] };
  }
  console.push(`Kernel panic - not syncing: ${NO_ROOT_PANIC}`);
  verdict.verdict = 'guest fails';
  verdict.message = NO_ROOT_PANIC;
  verdict.reason = rd ? 'the initramfs cannot be unpacked, and there is no root device to mount'
    : `no initramfs (no linux,initrd-start/-end in /chosen), and ${root === undefined ? 'no root=' : `root=${root}`} names no device to mount`;
  verdict.fault = { kind: 'no-initramfs', moduleMissing: rd === undefined };
  return { version, bootargs, console, panic: NO_ROOT_PANIC, findings, domains: [verdict] };
}
