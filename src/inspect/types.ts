// What `uboot-gen inspect` finds in a boot script, as data: src/cli words it and shapes the JSON.
import type { Code } from '../errors.js';

export type Level = 'error' | 'warning' | 'info';

/** A lint finding: a code of the table in src/errors.ts, the check that made it and the line it is about. */
export interface InspectFinding {
  code: Code;
  level: Level;
  /** The check's name: a name of the planner's CHECKS when the check is the same, else inspect's own. */
  check: string;
  /** 1-based line of the script text. */
  line?: number;
  message: string;
  fix: string;
}

export interface Crc { stored: number; computed: number; ok: boolean }

/** One part of a multi-file payload; `source` runs part 0. */
export interface ImagePart { index: number; offset: number; length: number; runs: boolean }

/** A legacy (uImage) header, field by field. */
export interface LegacyHeader {
  magic: number;
  name: string;
  time: number;
  size: number;
  load: number;
  entry: number;
  os: { id: number; name: string };
  arch: { id: number; name: string };
  type: { id: number; name: string };
  compression: { id: number; name: string };
  headerCrc: Crc;
  dataCrc: Crc;
  parts: ImagePart[];
}

export interface FitImageSummary { name: string; type: string; description: string; size: number; script: boolean }

export interface ScriptSection {
  /** What the file is: a legacy script image (mkimage -T script), a plain text script, or a FIT. */
  kind: 'script-image' | 'text' | 'fit';
  file: string;
  bytes: number;
  image?: LegacyHeader;
  fit?: { images: FitImageSummary[]; script?: string };
  /** The text analysed: its size, lines and commands. */
  text: { bytes: number; lines: number; commands: number };
}

export interface InspectLoad {
  line: number;
  command: string;
  /** Undefined when the address is computed at boot (`${memaddr}`). */
  addr?: number;
  /** The address word as written. */
  addrText: string;
  file: string;
  /** What the size is from: the file under --root, the FIT's image, the `reg` of a /chosen node, or unknown. */
  sizeFrom: 'file' | 'fit' | 'reg' | 'unknown';
  size?: number;
  /** Bytes the file occupies once booted (arm64 image_size, zImage end − start, else its size). */
  footprint?: number;
  format?: string;
  /** What the header says, e.g. "arm64 Image, image_size 0x2010000". */
  description?: string;
  /** Used as: the DTB (`fdt addr`), the boot image, or a module of /chosen. */
  role?: 'dtb' | 'boot-image' | 'module';
}

export interface DtbSection {
  addr: number;
  /** The DTB the edits were applied to: the file loaded there, the --board DTB, or an empty tree with an empty /chosen. */
  from: 'file' | 'board' | 'empty-tree';
  file?: string;
  /** totalsize as loaded. */
  size: number;
  resize?: { line: number; arg: string; bytes: number };
  /** Bytes the script's fdt edits add at their peak. */
  growth: number;
  edits: number;
  /** totalsize after the script's edits and resize. */
  sizeAfter: number;
  /** CONFIG_SYS_FDT_PAD U-Boot adds in place at boot. */
  bootPad: number;
}

export interface ChosenProp { name: string; value: string }
export interface ChosenNode { name: string; path: string; props: ChosenProp[]; children: ChosenNode[] }

export interface MemoryRegion {
  start: number;
  end: number;
  kind: 'ram' | 'uboot' | 'load' | 'dtb-growth' | 'xen-run';
  label: string;
  line?: number;
}

export interface BootSection { line: number; command: string; image?: number; ramdisk?: string; fdt?: number }

export interface InspectReport {
  script: ScriptSection;
  board: { name: string; ram: { start: number; end: number }[] };
  loads: InspectLoad[];
  dtb?: DtbSection;
  chosen?: ChosenNode;
  boot?: BootSection;
  memoryMap: MemoryRegion[];
  findings: InspectFinding[];
}
