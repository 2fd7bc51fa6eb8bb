// The boot information Xen gathers from the DTB before anything else: RAM banks,
// reserved regions, boot modules and their command lines.
// Models xen/arch/arm/setup.c (4.17: add_boot_module(), add_boot_cmdline(),
// boot_module_find_by_kind(), boot_module_find_by_addr_and_kind(), boot_module_kind_as_string())
// and, for 4.18+, check_reserved_regions_overlap() / meminfo_overlap_check() /
// bootmodules_overlap_check() (HEAD: xen/common/device-tree/bootinfo.c).
import type { XenConsole } from './console.js';
import { paddr, paddrAlt } from './console.js';
import type { XenVersion } from './version.js';
import type { XenBuild } from '../../xen-build/build.js';
import { checksModuleOverlap, memreserveDropsContained } from './version.js';

export type BootModuleKind = 'xen' | 'fdt' | 'kernel' | 'ramdisk' | 'xsm' | 'guest-dtb' | 'unknown';

/** boot_module_kind_as_string(). */
export const BOOT_MODULE_KIND_NAME: Record<BootModuleKind, string> = {
  xen: 'Xen', fdt: 'Device Tree', kernel: 'Kernel', ramdisk: 'Ramdisk', xsm: 'XSM', 'guest-dtb': 'DTB', unknown: 'Unknown',
};

export interface BootModule {
  kind: BootModuleKind;
  /** Current placement; kernel_decompress() moves a gzip kernel to a heap buffer. */
  start: number;
  size: number;
  domU: boolean;
  /** Range the DTB gave (kept when the module is decompressed). */
  readonly origStart: number;
  readonly origSize: number;
  /** DT path of the node that registered it (undefined for Xen, the DTB, linux,initrd-*). */
  readonly path?: string;
  /** Set by kernel_decompress(). */
  decompressed?: boolean;
}

export type MemBankType = 'default' | 'reserved' | 'static-heap' | 'static-domain' | 'static-shm' | 'memreserve';
export interface MemBankInfo { start: number; size: number; type: MemBankType }

export interface BootCmdline { dtName: string; cmdline: string; kind: BootModuleKind; start: number; domU: boolean }

/** MAX_MODULES (Xen itself and the DTB included). */
export const MAX_MODULES = 32;
/** BOOTMOD_MAX_CMDLINE. */
export const BOOTMOD_MAX_CMDLINE = 1024;
/** DT_MAX_NAME. */
export const DT_MAX_NAME = 41;
/** NR_MEM_BANKS (4.17 arm). */
export const NR_MEM_BANKS = 256;

export class BootInfo {
  readonly mem: MemBankInfo[] = [];
  readonly reservedMem: MemBankInfo[] = [];
  readonly modules: BootModule[] = [];
  readonly cmdlines: BootCmdline[] = [];
  /** Ranges add_boot_module() refused, with the reason. */
  readonly dropped: { kind: BootModuleKind; start: number; size: number; path?: string; reason: string }[] = [];
  staticHeap = false;

  constructor(readonly version: XenVersion, readonly console: XenConsole, readonly build: XenBuild) {}

  /**
   * check_reserved_regions_overlap() (4.18+): true, after printing the "Region: ..." line, when
   * [start, start+size) overlaps a reserved bank or an already registered module.
   */
  checkReservedRegionsOverlap(start: number, size: number): string | undefined {
    const end = start + size;
    for (const [i, b] of this.reservedMem.entries()) {
      const bEnd = b.start + b.size;
      if (end <= b.start || start >= bEnd) continue;
      // 4.19.2+/4.20 (a14593e399): a region wholly inside a /memreserve/ range is fine.
      if (b.type === 'memreserve' && !memreserveDropsContained(this.version) && start >= b.start && end <= bEnd) continue;
      const line = `Region: [${paddrAlt(start)}, ${paddrAlt(end)}) overlapping with bank[${i}]: [${paddrAlt(b.start)}, ${paddrAlt(bEnd)})`;
      this.console.printk(line);
      return line;
    }
    for (const [i, m] of this.modules.entries()) {
      const mEnd = m.start + m.size;
      if (end <= m.start || start >= mEnd) continue;
      const line = `Region: [${paddrAlt(start)}, ${paddrAlt(end)}) overlapping with mod[${i}]: [${paddrAlt(m.start)}, ${paddrAlt(mEnd)})`;
      this.console.printk(line);
      return line;
    }
    return undefined;
  }

  /** add_boot_module(): the MAX_MODULES check, the 4.18+ overlap check, then dedup by (kind, start). */
  addBootModule(kind: BootModuleKind, start: number, size: number, domU: boolean, path?: string): BootModule | undefined {
    if (this.modules.length === MAX_MODULES) {
      this.console.printk(`Ignoring ${BOOT_MODULE_KIND_NAME[kind]} boot module at ${paddr(start)}-${paddr(start + size)} (too many)`);
      this.dropped.push({ kind, start, size, ...(path ? { path } : {}), reason: 'too many boot modules (MAX_MODULES is 32, Xen and the DTB included)' });
      return undefined;
    }
    if (checksModuleOverlap(this.version)) {
      const line = this.checkReservedRegionsOverlap(start, size);
      if (line) {
        this.dropped.push({ kind, start, size, ...(path ? { path } : {}), reason: line });
        return undefined;
      }
    }
    for (const m of this.modules) {
      if (m.kind === kind && m.start === start) {
        if (!domU) m.domU = false;
        return m;
      }
    }
    const mod: BootModule = { kind, start, size, domU, origStart: start, origSize: size, ...(path ? { path } : {}) };
    this.modules.push(mod);
    return mod;
  }

  /** add_boot_cmdline(): `name` is the parent node's name. */
  addBootCmdline(dtName: string, cmdline: string, kind: BootModuleKind, start: number, domU: boolean): void {
    if (dtName.length > DT_MAX_NAME) this.console.panic(`module ${dtName} name too long\n`);
    if (cmdline.length > BOOTMOD_MAX_CMDLINE) this.console.panic(`module ${dtName} command line too long\n`);
    this.cmdlines.push({ dtName, cmdline, kind, start, domU });
  }

  /** boot_module_find_by_kind(): first module of that kind that is not a domU's. */
  findByKind(kind: BootModuleKind): BootModule | undefined {
    return this.modules.find((m) => m.kind === kind && !m.domU);
  }

  /** boot_module_find_by_addr_and_kind(): by kind and *current* start only (size and owner ignored). */
  findByAddrAndKind(kind: BootModuleKind, start: number): BootModule | undefined {
    return this.modules.find((m) => m.kind === kind && m.start === start);
  }

  /** boot_cmdline_find_by_kind(). */
  cmdlineByKind(kind: BootModuleKind): BootCmdline | undefined {
    return this.cmdlines.find((c) => c.kind === kind && !c.domU);
  }

  /** boot_cmdline_find_by_name(). */
  cmdlineByName(name: string): BootCmdline | undefined {
    return this.cmdlines.find((c) => c.dtName === name);
  }
}
