// Stage 1 of the planner, collect: every file the config names, in ImageBuilder's load order,
// with its role, its size from its header, and its identity (for sharing); the board DTB and
// what it says about RAM; the APPEND_EXTRA_CMDS text. Reads files, decides no address.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../errors.js';
import type { Config, FileRef } from '../config/types.js';
import type { ImageInfo } from '../images/probe-file.js';
import type { ImageRole } from '../images/roles.js';
import { readBoard, type BoardInfo } from './board.js';
import { resolveFile, sizeConfigFile } from './files.js';
import { Identity } from './identity.js';
import type { LoadRole } from './types.js';

export interface CollectedFile {
  ref: FileRef;
  role: LoadRole;
  imageRole: ImageRole;
  /** ImageBuilder's name for the load: dom0_linux, domU<n>_kernel, ... */
  id: string;
  loadCmd: string;
  abs: string;
  info: ImageInfo;
  /** Loads with the same key share one copy in RAM; undefined: never shared. */
  shareKey?: string;
}

export interface Collected {
  config: Config;
  dir: string;
  dtb: { ref: FileRef; abs: string; bytes: Uint8Array; info: ImageInfo; board: BoardInfo; label: string };
  xen: { ref: FileRef; abs: string; info: ImageInfo };
  /** Domain files in load order (Xen and the DTB are loaded after them). */
  files: CollectedFile[];
  /** APPEND_EXTRA_CMDS contents. */
  extraCmds?: string;
}

interface Wanted { ref: FileRef; role: LoadRole; imageRole: ImageRole; id: string; loadCmd: string }

/** The domain files in uboot-script-gen's order: dom0 kernel and ramdisk, then each booted domU's. */
function wantedFiles(config: Config): Wanted[] {
  const out: Wanted[] = [];
  if (config.dom0) {
    out.push({ ref: config.dom0.kernel, role: 'dom0-kernel', imageRole: 'kernel', id: 'dom0_linux', loadCmd: config.dom0.load });
    if (config.dom0.ramdisk) out.push({ ref: config.dom0.ramdisk, role: 'dom0-ramdisk', imageRole: 'ramdisk', id: 'dom0_ramdisk', loadCmd: config.dom0.load });
  }
  for (const du of config.domUs) {
    if (!du.boot) continue;
    out.push({ ref: du.kernel, role: 'domU-kernel', imageRole: 'kernel', id: `domU${du.index}_kernel`, loadCmd: du.load });
    if (du.ramdisk) out.push({ ref: du.ramdisk, role: 'domU-ramdisk', imageRole: 'ramdisk', id: `domU${du.index}_ramdisk`, loadCmd: du.load });
    if (du.passthroughDtb) out.push({ ref: du.passthroughDtb, role: 'domU-dtb', imageRole: 'passthrough-dtb', id: `domU${du.index}_fdt`, loadCmd: du.load });
  }
  return out;
}

export function collect(config: Config, dir: string, opts: { share: boolean }): Collected {
  if (!config.deviceTree) {
    throw new ConfigError('CONFIG_MISSING', 'DEVICE_TREE is not set: uboot-gen needs the board DTB to plan around its reserved memory and to edit /chosen',
      {}, undefined, 'set DEVICE_TREE to the board DTB (QEMU: qemu-system-aarch64 -machine virt,dumpdtb=virt.dtb)');
  }
  const dtbRef = config.deviceTree;
  const dtbInfo = sizeConfigFile(dir, dtbRef, 'dtb');
  const dtbAbs = resolveFile(dir, dtbRef);
  const bytes = new Uint8Array(fs.readFileSync(dtbAbs));
  const label = `DEVICE_TREE "${dtbRef.value}"`;
  const board = readBoard(bytes, label);

  const xen = { ref: config.xen, abs: resolveFile(dir, config.xen), info: sizeConfigFile(dir, config.xen, 'xen') };
  const identity = new Identity();
  const files: CollectedFile[] = [];
  for (const w of wantedFiles(config)) {
    const info = sizeConfigFile(dir, w.ref, w.imageRole);
    const abs = resolveFile(dir, w.ref);
    // A gzip kernel is replaced by its decompressed copy when Xen builds the first domain,
    // so a second domain looking it up by address would find nothing (kernel_decompress()).
    // With -s every file has its own runtime address variable (<id>_addr), as ImageBuilder writes it.
    const shareable = opts.share && !config.runtimeSizing && !(w.imageRole === 'kernel' && info.format === 'gzip');
    files.push({ ...w, abs, info, ...(shareable ? { shareKey: `${w.imageRole}:${identity.key(abs, info.fileSize)}` } : {}) });
  }

  let extraCmds: string | undefined;
  if (config.appendExtraCmds) {
    sizeConfigFile(dir, config.appendExtraCmds, 'script-text');
    extraCmds = fs.readFileSync(path.resolve(dir, config.appendExtraCmds.value), 'utf8');
  }
  return {
    config, dir, dtb: { ref: dtbRef, abs: dtbAbs, bytes, info: dtbInfo, board, label }, xen, files,
    ...(extraCmds !== undefined ? { extraCmds } : {}),
  };
}
