// Stage 1 of the planner, collect: every file the config names, in ImageBuilder's load order,
// with its role, its size from its header, and its identity (for sharing); the board DTB and
// what it says about RAM; the APPEND_EXTRA_CMDS text. Reads files, decides no address.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../errors.js';
import type { Config, FileRef } from '../config/types.js';
import type { ImageInfo } from '../images/probe-file.js';
import type { ImageRole } from '../images/roles.js';
import { readBoardDtb, sizeImage } from '../images/probe-file.js';
import { defaultBoardDtb, readBoard, type BoardInfo } from './board.js';
import { readXenConfigFile, readXenImageFile, resolveXenBuild, sharingGroup, type XenBuild } from '../xen-build/index.js';
import { memoryFileIo, resolveFile, sizeConfigFile } from './files.js';
import { Identity } from './identity.js';
import type { GeneratedInput, LoadRole } from './types.js';
import { collectXenPolicy, type CollectedPolicy } from './xen-policy.js';
import { planCpupools } from './cpupools.js';

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
  /**
   * The DTB the script edits: DEVICE_TREE, loaded by the script; or, with -s and no DEVICE_TREE,
   * the board's control DTB (`control`), which U-Boot already holds at `${fdtcontroladdr}`.
   */
  dtb: { ref: FileRef; abs: string; bytes: Uint8Array; info: ImageInfo; board: BoardInfo; label: string; control: boolean };
  /** XEN, or in Linux-only mode LINUX: the image the boot command starts. */
  xen: { ref: FileRef; abs: string; info: ImageInfo };
  /** Linux-only mode: LINUX_RAMDISK, loaded right after the kernel. */
  linuxRamdisk?: { ref: FileRef; abs: string; info: ImageInfo };
  /** The Xen build the plan is for: release and Kconfig options from the XEN image (or the flags). */
  xenBuild: XenBuild;
  /** Domain files in load order (Xen and the DTB are loaded after them). */
  files: CollectedFile[];
  /** APPEND_EXTRA_CMDS contents. */
  extraCmds?: string;
  /** DT_OVERLAY[i], loaded after Xen and before the DTB (ImageBuilder's order). */
  dtOverlays: Array<{ ref: FileRef; abs: string; info: ImageInfo }>;
  /** BITSTREAM, loaded after the DTB (ImageBuilder's order). */
  bitstream?: { ref: FileRef; abs: string; info: ImageInfo };
  /** XEN_POLICY, loaded right after XEN. */
  xenPolicy?: CollectedPolicy;
  /** The boot-time cpupools as the script creates them on this board (or the CPU the board lacks). */
  cpupools: ReturnType<typeof planCpupools>;
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

export interface CollectOptions {
  share: boolean;
  /** Files made before planning, by absolute path: sized from their bytes (they are written with the outputs). */
  generated?: readonly GeneratedInput[];
  /** `--board FILE.dtb`: the board's control DTB, edited in place when the config has no DEVICE_TREE (default: QEMU virt). */
  board?: string;
  /** --xen-version: the release planned for, whatever the XEN image says. */
  xenVersion?: string;
  /** --xen-config: the build's .config, for a XEN image without an embedded one. */
  xenConfig?: string;
}

/** The DTB the script edits: DEVICE_TREE, or with -s and none the board's control DTB. */
function collectDtb(config: Config, dir: string, opts: CollectOptions): Collected['dtb'] {
  if (!config.deviceTree) {
    if (!config.runtimeSizing) {
      throw new ConfigError('CONFIG_MISSING', 'DEVICE_TREE is not set: uboot-gen needs the board DTB to plan around its reserved memory and to edit /chosen',
        {}, undefined, 'set DEVICE_TREE to the board DTB (QEMU: qemu-system-aarch64 -machine virt,dumpdtb=virt.dtb), or generate with -s to edit U-Boot\'s own control DTB (${fdtcontroladdr}) in place');
    }
    // ImageBuilder -s without DEVICE_TREE: `setenv host_fdt_addr ${fdtcontroladdr}`, the blob U-Boot holds.
    const abs = path.resolve(opts.board ?? defaultBoardDtb());
    const bytes = readBoardDtb(abs, '--board');
    const label = `the board's control DTB "${path.basename(abs)}" (\${fdtcontroladdr})`;
    const ref: FileRef = { value: abs, key: 'DEVICE_TREE', where: { file: '<command line>', line: 0, col: 0 } };
    return { ref, abs, bytes, info: sizeImage(abs, '--board'), board: readBoard(bytes, label), label, control: true };
  }
  const ref = config.deviceTree;
  const info = sizeConfigFile(dir, ref, 'dtb');
  const abs = resolveFile(dir, ref);
  const bytes = new Uint8Array(fs.readFileSync(abs));
  const label = `DEVICE_TREE "${ref.value}"`;
  return { ref, abs, bytes, info, board: readBoard(bytes, label), label, control: false };
}

export function collect(config: Config, dir: string, opts: CollectOptions): Collected {
  const dtb = collectDtb(config, dir, opts);

  const xen = { ref: config.xen, abs: resolveFile(dir, config.xen), info: sizeConfigFile(dir, config.xen, config.linux ? 'linux' : 'xen') };
  const lr = config.linux?.ramdisk;
  const linuxRamdisk = lr ? { ref: lr, abs: resolveFile(dir, lr), info: sizeConfigFile(dir, lr, 'ramdisk') } : undefined;
  // Plan for the Xen that will run: the simulator reads the same facts from the same bytes. (Linux-only
  // mode runs no Xen: the build is the release defaults, which nothing in such a plan reads.)
  const xenBuild = resolveXenBuild({
    ...(config.linux ? {} : { image: readXenImageFile(xen.abs) }),
    ...(opts.xenVersion !== undefined ? { versionOverride: opts.xenVersion } : {}),
    ...(opts.xenConfig !== undefined ? { configFile: readXenConfigFile(opts.xenConfig) } : {}),
  });
  const identity = new Identity();
  const files: CollectedFile[] = [];
  const generated = new Map((opts.generated ?? []).map((g) => [g.absPath, g.bytes]));
  for (const w of wantedFiles(config)) {
    const abs = resolveFile(dir, w.ref);
    const made = generated.get(abs);
    const info = sizeConfigFile(dir, w.ref, w.imageRole, made && memoryFileIo(made));
    if (made) {
      // Not on disk until the outputs are committed: never shared by identity.
      files.push({ ...w, abs, info });
      continue;
    }
    // Which domains may use one copy depends on the Xen that runs (sharingGroup(): a gzip kernel
    // never, as Xen inflates it in place of its module; dom0 with a domU only on 4.17, where Xen
    // merges the two nodes; domUs with each other always, as they look modules up by address).
    // With -s every file has its own runtime address variable (<id>_addr), as ImageBuilder writes it.
    const group = sharingGroup(xenBuild.release.minor, w.imageRole === 'kernel' ? 'kernel' : w.imageRole === 'ramdisk' ? 'ramdisk' : 'dtb',
      w.role.startsWith('dom0') ? 'dom0' : 'domU', info.format === 'gzip');
    const shareable = opts.share && !config.runtimeSizing && group !== undefined;
    files.push({ ...w, abs, info, ...(shareable ? { shareKey: `${w.imageRole}:${group}:${identity.key(abs, info.fileSize)}` } : {}) });
  }

  const bitstream = config.bitstream
    ? { ref: config.bitstream, abs: resolveFile(dir, config.bitstream), info: sizeConfigFile(dir, config.bitstream, 'bitstream') }
    : undefined;

  const dtOverlays = (config.dtOverlays ?? []).map((ref) => ({ ref, abs: resolveFile(dir, ref), info: sizeConfigFile(dir, ref, 'dt-overlay') }));
  const xenPolicy = collectXenPolicy(config.xenPolicy, dir);

  let extraCmds: string | undefined;
  if (config.appendExtraCmds) {
    sizeConfigFile(dir, config.appendExtraCmds, 'script-text');
    extraCmds = fs.readFileSync(path.resolve(dir, config.appendExtraCmds.value), 'utf8');
  }
  return {
    config, dir, dtb, xen, ...(linuxRamdisk ? { linuxRamdisk } : {}), xenBuild, files, dtOverlays, cpupools: planCpupools(config, dtb.bytes, dtb.label), ...(bitstream ? { bitstream } : {}), ...(xenPolicy ? { xenPolicy } : {}),
    ...(extraCmds !== undefined ? { extraCmds } : {}),
  };
}
