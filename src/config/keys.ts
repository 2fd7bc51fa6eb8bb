// THE table of ImageBuilder config keys (uboot-script-gen and disk_image), one row per key.
// It drives validation (unknown / unsupported / wrong index shape), did-you-mean hints and
// the generated documentation. Facts from our reference notes (imagebuilder.md §4).

export type KeyIndex = false | 'n' | 'n,m';

export type KeyType =
  | 'file'        // a path, relative to the -d directory
  | 'string'      // free text (command lines, load commands)
  | 'count'       // whole decimal number
  | 'mib'         // whole decimal number of MiB
  | 'address'     // bash arithmetic (hex or decimal)
  | 'flag'        // 0/1 (or 0/1/2 for DOMU_ENHANCED)
  | 'nonempty'    // any non-empty value switches it on
  | 'enum'
  | 'paths'       // space-separated list
  | 'list';       // structured text (cells, ranges, …)

export interface KeySpec {
  key: string;
  indexed: KeyIndex;
  type: KeyType;
  /** ImageBuilder's default, as text, when it has one. */
  default?: string;
  description: string;
  /** False: a known ImageBuilder key uboot-gen cannot honour yet; setting it is an error. */
  supported: boolean;
  /** Read only by ImageBuilder's disk_image tool; accepted with no effect on the boot script. */
  diskImageOnly?: boolean;
}

const k = (
  key: string, indexed: KeyIndex, type: KeyType, supported: boolean, description: string,
  extra: { default?: string; diskImageOnly?: boolean } = {},
): KeySpec => ({ key, indexed, type, supported, description, ...extra });

export const KEYS: readonly KeySpec[] = [
  // §4.1 global / output / loading
  k('MEMORY_START', false, 'address', true, 'Start of usable RAM; base of address planning.', { default: '0' }),
  k('MEMORY_END', false, 'address', true, 'End of usable RAM; every binary must fit below it.'),
  k('LOAD_CMD', false, 'string', true, 'U-Boot load command prefix, e.g. "tftpb" or "load mmc 0:1" (-t overrides).'),
  k('XEN_LOAD', false, 'string', true, 'Load command for XEN and DEVICE_TREE.', { default: '$LOAD_CMD' }),
  k('DOM0_LOAD', false, 'string', true, 'Load command for DOM0_KERNEL and DOM0_RAMDISK.', { default: '$LOAD_CMD' }),
  k('DOMU_LOAD', 'n', 'string', true, 'Load command for the files of domU n.', { default: '$LOAD_CMD' }),
  k('BOOT_CMD', false, 'enum', true, 'booti, bootm, bootz, bootefi or none.', { default: 'booti' }),
  k('UBOOT_SOURCE', false, 'file', true, 'Output U-Boot script source (text); -o overrides.'),
  k('UBOOT_SCRIPT', false, 'file', true, 'Output compiled script (mkimage).', { default: '${UBOOT_SOURCE%.source}.scr' }),
  k('DEVICE_TREE', false, 'file', true, 'Host device tree blob.'),
  k('APPEND_EXTRA_CMDS', false, 'file', true, 'Text file copied into the script before the boot command.'),
  k('DBG_FDT_PRINT_CHOSEN', false, 'nonempty', true, 'Adds "fdt print /chosen" before booting.'),
  k('FDTEDIT', false, 'file', true, 'Also write the DTB as the script leaves it in RAM (its fdt edits applied at generation time).'),
  k('FIT', false, 'file', true, 'Produce a FIT image holding everything (-f sets it to ${UBOOT_SOURCE%.source}.fit).'),
  k('FIT_ENC_KEY_DIR', false, 'string', true, 'FIT signing key "dir/hint": dir/hint.key signs, dir/hint.crt is the public half (-k overrides).'),
  k('FIT_ENC_UB_DTB', false, 'file', true, 'U-Boot control DTB that receives the FIT public key (-u overrides).'),
  k('NUM_DT_OVERLAY', false, 'count', true, 'Number of host DT overlays.', { default: '0' }),
  k('DT_OVERLAY', 'n', 'file', true, 'Host DT overlay i, applied at boot with "fdt apply".'),
  k('BITSTREAM', false, 'file', true, 'FPGA bitstream loaded after the DTB ("fpga load").'),
  k('NUM_DOMUS', false, 'count', true, 'Number of dom0less domUs.', { default: '0' }),
  k('XEN', false, 'file', true, 'Xen hypervisor image; selects Xen mode.'),
  k('LINUX', false, 'file', true, 'Linux kernel booted alone (Linux-only mode, when XEN is unset): no Xen, no domains.'),
  k('LINUX_RAMDISK', false, 'file', true, 'Initramfs of Linux-only mode (cpio, gzip\'d or not): /chosen linux,initrd-start/-end.'),
  k('LINUX_CMD', false, 'string', true, 'Kernel command line of Linux-only mode (/chosen bootargs); root= appended when it has none.',
    { default: 'earlycon console=ttyPS0,115200' }),
  k('LINUX_ROOTFS', false, 'file', true, 'Root filesystem of Linux-only mode: not loaded, it only makes root= the partition after LOAD_CMD\'s (mmc/scsi).'),
  // §4.2 Xen
  k('XEN_CMD', false, 'string', true, 'Xen command line (/chosen xen,xen-bootargs).',
    { default: 'console=dtuart dtuart=serial0 dom0_mem=${DOM0_MEM}M dom0_max_vcpus=${DOM0_VCPUS} bootscrub=0 vwfi=native sched=null' }),
  k('XEN_COLORS', false, 'list', true, 'Xen cache colours "0-3" (default XEN_CMD only): xen_colors= for Xen before 4.20 (Xilinx), llc-coloring=on xen-llc-colors= for 4.20+ (CONFIG_LLC_COLORING).'),
  k('XEN_STATIC_HEAP', false, 'list', true, 'Xen static heap "base size ...".'),
  k('XEN_POLICY', false, 'file', true, 'XSM/FLASK policy binary.'),
  k('PASSTHROUGH_DTS_REPO', false, 'string', true, '"DIR [SUBDIR]": folder of partial device trees <node>.dts, one per DOMU_PASSTHROUGH_PATHS entry; each domU\'s are merged and compiled with dtc into its passthrough DTB.'),
  k('LOPPER_PATH', false, 'string', true, 'lopper command that extracts each domU\'s partial device trees from DEVICE_TREE (when PASSTHROUGH_DTS_REPO is unset).'),
  k('LOPPER_CMD', false, 'string', true, 'Options of lopper\'s extract assist (with LOPPER_PATH).',
    { default: '-i zynqmp-firmware -x interrupt-controller -x pinctrl -x power-domains -x resets -x current-speed' }),
  k('NUM_CPUPOOLS', false, 'count', true, 'Number of boot-time cpupools (Xen 4.17+, CONFIG_BOOT_TIME_CPUPOOLS; ignored without it).', { default: '0' }),
  k('CPUPOOL', 'n', 'list', true, 'Cpupool i: "cpu@1,cpu@2 [scheduler]" (/cpus children of DEVICE_TREE; scheduler credit, credit2, rtds, arinc653 or null).'),
  // §4.3 dom0
  k('DOM0_KERNEL', false, 'file', true, 'Dom0 kernel; absent for a "true dom0less" system.'),
  k('DOM0_RAMDISK', false, 'file', true, 'Dom0 initrd.'),
  k('DOM0_CMD', false, 'string', true, 'Dom0 command line (/chosen xen,dom0-bootargs).',
    { default: 'console=hvc0 earlycon=xenboot earlyprintk clk_ignore_unused' }),
  k('DOM0_MEM', false, 'mib', true, 'Dom0 memory in MiB (only for the default XEN_CMD).', { default: '1024' }),
  k('DOM0_VCPUS', false, 'count', true, 'Dom0 vCPUs (only for the default XEN_CMD).', { default: '1' }),
  k('DOM0_COLORS', false, 'list', true, 'Dom0 cache colours "0-3" (default XEN_CMD only): dom0_colors= before Xen 4.20, dom0-llc-colors= for 4.20+.'),
  k('DOM0_ROOTFS', false, 'file', true, 'Dom0 root filesystem image (disk_image); drives the root= guess.'),
  // §4.4 dom0less domUs
  k('DOMU_KERNEL', 'n', 'file', true, 'Kernel of domU n.'),
  k('DOMU_RAMDISK', 'n', 'file', true, 'Initrd of domU n.'),
  k('DOMU_PASSTHROUGH_DTB', 'n', 'file', true, 'Partial device tree of domU n (passthrough).'),
  k('DOMU_PASSTHROUGH_PATHS', 'n', 'paths', true, 'Host DT paths given to domU n (get xen,passthrough).'),
  k('DOMU_CMD', 'n', 'string', true, 'Command line of domU n.', { default: 'console=ttyAMA0' }),
  k('DOMU_MEM', 'n', 'mib', true, 'Memory of domU n in MiB.', { default: '512' }),
  k('DOMU_VCPUS', 'n', 'count', true, 'vCPUs of domU n.', { default: '1' }),
  k('DOMU_VCPU_HARD_AFFINITY', 'n,m', 'list', true, 'pCPU list "0-2,5" for vCPU m of domU n (xen,vcpu node; read by Xen 4.21+).'),
  k('DOMU_STATIC_MEM', 'n', 'list', true, 'Static memory "base size ..." of domU n.'),
  k('DOMU_DIRECT_MAP', 'n', 'flag', true, 'Direct-map domU n (with static memory).', { default: '1' }),
  k('DOMU_ENHANCED', 'n', 'flag', true, '0, 1 (xen,enhanced "enabled") or 2 ("no-xenstore").', { default: '1 with dom0, else none' }),
  k('DOMU_VPL011', 'n', 'flag', true, 'Virtual PL011 UART for domU n.', { default: '1' }),
  k('DOMU_NR_SPIS', 'n', 'count', true, 'Number of SPIs of domU n.'),
  k('DOMU_GRANT_VER', 'n', 'count', true, 'Max grant table version of domU n.'),
  k('DOMU_GRANT_FRAMES', 'n', 'count', true, 'Max grant frames of domU n.'),
  k('DOMU_MAPTRACK_FRAMES', 'n', 'count', true, 'Max maptrack frames of domU n.'),
  k('DOMU_CAPS', 'n', 'list', true, 'Capabilities of domU n: control|hardware|xenstore|dom0|none or a number (read by Xen 4.21+).'),
  k('DOMU_TRAP_UNMAP', 'n', 'flag', true, 'Trap unmapped accesses of domU n.'),
  k('DOMU_DOMID', 'n', 'count', true, 'Explicit domid of domU n.'),
  k('DOMU_PASSTHROUGH_PROP', 'n', 'string', true, '"enabled": IOMMU passthrough permission for domU n.'),
  k('DOMU_P2M_MEM_MB', 'n', 'mib', true, 'P2M pool size of domU n.'),
  k('DOMU_SHARED_MEM', 'n', 'list', true, 'Static shared memory "ID [HPA] GPA SIZE" of domU n.'),
  k('DOMU_STATIC_EVTCHNS', 'n', 'list', true, 'Static event channels of domU n.'),
  k('DOMU_COLORS', 'n', 'list', true, 'Cache colours "0-3,8" of domU n: colors bitmask before Xen 4.20 (Xilinx), llc-colors for 4.20+ (CONFIG_LLC_COLORING).'),
  k('DOMU_CPUPOOL', 'n', 'count', true, 'Index of the CPUPOOL domU n joins (domain-cpupool).'),
  k('DOMU_NOBOOT', 'n', 'nonempty', true, 'Do not start domU n at boot (skipped entirely).'),
  k('DOMU_ROOTFS', 'n', 'file', true, 'Root filesystem image of domU n (disk_image); the domU is skipped.'),
  k('DOMU_DRIVER_DOMAIN', 'n', 'flag', true, 'disk_image only: driver domain flag.', { diskImageOnly: true }),
  // §4.7 disk_image only
  k('NUM_BOOT_AUX_FILE', false, 'count', true, 'disk_image only: number of extra boot files.', { diskImageOnly: true }),
  k('BOOT_AUX_FILE', 'n', 'file', true, 'disk_image only: extra boot partition file i.', { diskImageOnly: true }),
  k('GPT', false, 'string', true, 'disk_image only: use a GPT partition table.', { diskImageOnly: true }),
];

export const KEY_BY_NAME: ReadonlyMap<string, KeySpec> = new Map(KEYS.map((s) => [s.key, s]));

/**
 * Names that are not (or no longer) ImageBuilder options, with what to use instead
 * (imagebuilder.md §4.5, §4.6, §4.12).
 */
export const NOT_IMAGEBUILDER_KEYS: ReadonlyMap<string, string> = new Map([
  ['EFI', 'EFI=y was removed from ImageBuilder in 2022; use BOOT_CMD=bootefi'],
  ['XEN_PASSTHROUGH_PATHS', 'XEN_PASSTHROUGH_PATHS was replaced by DOMU_PASSTHROUGH_PATHS[n] (one entry per domU)'],
  ['DOMU_SHARED_EVTCHN', 'there is no DOMU_SHARED_EVTCHN; static event channels are DOMU_STATIC_EVTCHNS[n]'],
  ['DOMU_NAME', 'ImageBuilder has no DOMU_NAME: domU nodes are always named domU<n>'],
  ['DOM0_DTB', 'ImageBuilder has no DOM0_DTB: dom0 gets the host DEVICE_TREE'],
  ['XEN_DTB', 'ImageBuilder has no XEN_DTB: the host device tree is DEVICE_TREE'],
  ['PREPEND', 'PREPEND is not a config key; the prepend path is the -p option'],
  ['BOOTARGS', 'BOOTARGS is not an ImageBuilder key; use XEN_CMD, DOM0_CMD or DOMU_CMD[n]'],
  ['ENCRYPTED', 'ENCRYPTED is not an ImageBuilder key; FIT signing uses FIT_ENC_KEY_DIR'],
  ['UBOOT_DIR', 'UBOOT_DIR is not read by ImageBuilder; the output directory is the -d option'],
  ['DOMU_SVE', 'ImageBuilder has no DOMU_SVE option'],
  ['DOMU_XSM_LABEL', 'ImageBuilder has no DOMU_XSM_LABEL option'],
]);

/**
 * Keys of the Xilinx ImageBuilder fork (branch xlnx_rel_v2023.2, imagebuilder.md §4.12) that upstream
 * never had. Their meaning needs Xilinx's own Xen (vIOMMU, the "pl011" vpl011 value), so a config
 * that sets one is refused at its line rather than generated into a different script.
 */
export const XILINX_ONLY_KEYS: ReadonlyMap<string, { what: string; fix: string }> = new Map([
  ['DOM0_VIOMMU', {
    what: 'it adds dom0_viommu=1 to the default XEN_CMD, an option only Xilinx\'s Xen reads',
    fix: 'remove DOM0_VIOMMU, or generate with --dialect xilinx to write it as Xilinx\'s ImageBuilder does (for Xilinx\'s Xen)',
  }],
  ['DOMU_VIOMMU', {
    what: 'it writes a viommu property into /chosen/domU<n>, which only Xilinx\'s Xen reads',
    fix: 'remove DOMU_VIOMMU, or generate with --dialect xilinx to write it as Xilinx\'s ImageBuilder does (for Xilinx\'s Xen)',
  }],
  ['DOMU_VUART_PL011', {
    what: 'it turns every domU\'s vpl011 into vpl011 "pl011", a value only Xilinx\'s Xen reads (upstream Xen takes vpl011 as a flag)',
    fix: 'remove DOMU_VUART_PL011 (upstream\'s virtual PL011 is DOMU_VPL011[n], 1 by default), or generate with --dialect xilinx to write it as Xilinx\'s ImageBuilder does',
  }],
]);

/** Levenshtein distance (insert/delete/substitute, cost 1). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const sub = (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur.push(Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, sub));
    }
    prev = cur;
  }
  return prev[b.length] as number;
}

/** The closest known key, if it is close enough to be a plausible typo. */
export function suggestKey(name: string): string | undefined {
  const limit = Math.max(1, Math.min(3, Math.floor(name.length / 4)));
  const upper = name.toUpperCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const spec of KEYS) {
    // The distance is at least the length difference: keys that far apart cannot be the typo,
    // and skipping them keeps a config of many long unknown names linear.
    if (Math.abs(spec.key.length - upper.length) > limit) continue;
    const d = editDistance(upper, spec.key);
    if (d < bestD) { best = spec.key; bestD = d; }
  }
  return bestD <= limit ? best : undefined;
}
