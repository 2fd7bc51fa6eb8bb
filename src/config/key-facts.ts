// What each ImageBuilder key is, beyond what validation needs: when ImageBuilder first read it,
// which Xen releases read what it sets, the Xen Kconfig option behind it, and an example line.
// One row per row of KEYS (src/config/keys.ts; a test fails when the two differ). Read by
// `uboot-gen keys` and the README's key table. Dates and commits: ImageBuilder's history
// (Xilinx mirror, upstream commits to Dec 2022) and, for later keys, the month the upstream
// patch was posted to xen-devel; Xen versions and Kconfig gates from Xen's dom0less code.

export interface KeyFacts {
  /**
   * When ImageBuilder started reading the key. ImageBuilder has no releases: this is the month
   * of the first commit that reads it (with the commit), or the month of the upstream patch.
   */
  imagebuilder: string;
  /**
   * The Xen releases that read what the key sets ("all", "4.18+", …); null when only U-Boot,
   * the generator or the guest reads it.
   */
  xen: string | null;
  /**
   * The Xen Kconfig symbol the feature needs, when it has one, as Kconfig files name it (no
   * `CONFIG_` prefix: `STATIC_MEMORY` is `CONFIG_STATIC_MEMORY` in a build's .config).
   */
  kconfig: string | null;
  /** A config line using the key. */
  example: string;
}

const f = (imagebuilder: string, xen: string | null, kconfig: string | null, example: string): KeyFacts =>
  ({ imagebuilder, xen, kconfig, example });

/** Upstream ImageBuilder patches after the last commit of its history we read (Dec 2022). */
const upstream = (month: string): string => `${month} (upstream patch)`;

export const KEY_FACTS: Readonly<Record<string, KeyFacts>> = {
  MEMORY_START: f('2019-05 (0f395d1)', null, null, 'MEMORY_START=0x40000000'),
  MEMORY_END: f('2019-05 (0f395d1)', null, null, 'MEMORY_END=0xC0000000'),
  LOAD_CMD: f('2019-05 (0f395d1)', null, null, 'LOAD_CMD="tftpb"'),
  XEN_LOAD: f(upstream('2025-08'), null, null, 'XEN_LOAD="load mmc 0:1"'),
  DOM0_LOAD: f(upstream('2025-08'), null, null, 'DOM0_LOAD="load mmc 0:2"'),
  DOMU_LOAD: f(upstream('2025-08'), null, null, 'DOMU_LOAD[0]="tftpb"'),
  BOOT_CMD: f('2022-03 (3fa89f8)', null, null, 'BOOT_CMD="booti"'),
  UBOOT_SOURCE: f('2019-05 (0f395d1)', null, null, 'UBOOT_SOURCE="boot.source"'),
  UBOOT_SCRIPT: f('2019-05 (0f395d1)', null, null, 'UBOOT_SCRIPT="boot.scr"'),
  DEVICE_TREE: f('2019-05 (0f395d1)', 'all', null, 'DEVICE_TREE="virt.dtb"'),
  APPEND_EXTRA_CMDS: f('2022-07 (f619934)', null, null, 'APPEND_EXTRA_CMDS="extra-cmds.txt"'),
  DBG_FDT_PRINT_CHOSEN: f(upstream('2025-03'), null, null, 'DBG_FDT_PRINT_CHOSEN=1'),
  FDTEDIT: f('2021-07 (d4f6128)', null, null, 'FDTEDIT="virt-edited.dtb"'),
  FIT: f('2021-09 (23d6776)', null, null, 'FIT="boot.fit"'),
  FIT_ENC_KEY_DIR: f('2021-07 (a0db111)', null, null, 'FIT_ENC_KEY_DIR="keys/dev"'),
  FIT_ENC_UB_DTB: f('2021-07 (a0db111)', null, null, 'FIT_ENC_UB_DTB="u-boot.dtb"'),
  NUM_DT_OVERLAY: f('2021-07 (4498e91)', null, null, 'NUM_DT_OVERLAY=1'),
  DT_OVERLAY: f('2021-07 (4498e91)', null, null, 'DT_OVERLAY[0]="uart1.dtbo"'),
  BITSTREAM: f('2021-09 (18bf234)', null, null, 'BITSTREAM="design.bit"'),
  NUM_DOMUS: f('2019-05 (0f395d1)', 'all', null, 'NUM_DOMUS=2'),
  XEN: f('2019-05 (0f395d1)', 'all', null, 'XEN="xen"'),
  LINUX: f('2021-09 (10302c8)', null, null, 'LINUX="Image"'),
  LINUX_RAMDISK: f('2021-09 (10302c8)', null, null, 'LINUX_RAMDISK="initrd.cpio.gz"'),
  LINUX_CMD: f('2021-09 (10302c8)', null, null, 'LINUX_CMD="console=ttyAMA0 root=/dev/ram0"'),
  LINUX_ROOTFS: f('2021-09 (10302c8)', null, null, 'LINUX_ROOTFS="rootfs.ext4"'),
  XEN_CMD: f('2020-10 (6e1ece2)', 'all', null, 'XEN_CMD="console=dtuart dtuart=serial0 dom0_mem=512M bootscrub=0"'),
  XEN_COLORS: f('2022-06 (6f5ecb4)', '4.20+ as llc-coloring=on xen-llc-colors= (the form uboot-gen writes for it); before 4.20 Xilinx downstream only (xen_colors=)', 'LLC_COLORING', 'XEN_COLORS="0-0"'),
  XEN_STATIC_HEAP: f(upstream('2023-03'), '4.17+', null, 'XEN_STATIC_HEAP="0x50000000 0x30000000"'),
  XEN_POLICY: f(upstream('2025-04'), 'all (with flask= on XEN_CMD)', 'XSM_FLASK', 'XEN_POLICY="xenpolicy-4.20"'),
  PASSTHROUGH_DTS_REPO: f('2021-12 (7ba9b41)', null, null, 'PASSTHROUGH_DTS_REPO="xen-passthrough-device-trees device-trees-2021.2/zcu102"'),
  LOPPER_PATH: f('2022-09 (232aa4c)', null, null, 'LOPPER_PATH="/usr/bin/lopper"'),
  LOPPER_CMD: f('2022-09 (232aa4c)', null, null, 'LOPPER_CMD="-i zynqmp-firmware -x interrupt-controller"'),
  NUM_CPUPOOLS: f('2022-09 (b687773)', '4.17+', 'BOOT_TIME_CPUPOOLS', 'NUM_CPUPOOLS=1'),
  CPUPOOL: f('2022-09 (b687773)', '4.17+', 'BOOT_TIME_CPUPOOLS', 'CPUPOOL[0]="cpu@1,cpu@2 null"'),
  DOM0_KERNEL: f('2019-05 (0f395d1)', 'all', null, 'DOM0_KERNEL="Image"'),
  DOM0_RAMDISK: f('2019-05 (0f395d1)', 'all', null, 'DOM0_RAMDISK="dom0-rootfs.cpio.gz"'),
  DOM0_CMD: f('2020-10 (6e1ece2)', 'all', null, 'DOM0_CMD="console=hvc0 earlycon=xenboot clk_ignore_unused root=/dev/ram0"'),
  DOM0_MEM: f('2022-01 (3780f67)', 'all', null, 'DOM0_MEM=1024'),
  DOM0_VCPUS: f('2022-01 (3780f67)', 'all', null, 'DOM0_VCPUS=2'),
  DOM0_COLORS: f('2022-06 (6f5ecb4)', '4.20+ as dom0-llc-colors= (the form uboot-gen writes for it); before 4.20 Xilinx downstream only (dom0_colors=)', 'LLC_COLORING', 'DOM0_COLORS="1-4"'),
  DOM0_ROOTFS: f('2021-04 (5629a7a)', null, null, 'DOM0_ROOTFS="dom0-rootfs.ext4"'),
  DOMU_KERNEL: f('2019-05 (0f395d1)', 'all', null, 'DOMU_KERNEL[0]="Image"'),
  DOMU_RAMDISK: f('2019-05 (0f395d1)', 'all', null, 'DOMU_RAMDISK[0]="initrd.cpio.gz"'),
  DOMU_PASSTHROUGH_DTB: f('2019-05 (0f395d1)', 'all', null, 'DOMU_PASSTHROUGH_DTB[0]="eth0.dtb"'),
  DOMU_PASSTHROUGH_PATHS: f('2021-12 (7ba9b41)', 'all', null, 'DOMU_PASSTHROUGH_PATHS[0]="/amba/ethernet@ff0e0000"'),
  DOMU_CMD: f('2021-04 (a2f4523)', 'all', null, 'DOMU_CMD[0]="console=ttyAMA0 root=/dev/ram0"'),
  DOMU_MEM: f('2020-10 (04f5034)', 'all', null, 'DOMU_MEM[0]=256'),
  DOMU_VCPUS: f('2020-10 (04f5034)', 'all (its device tree holds about 31 vCPUs before 4.22, 128 from 4.22)', null, 'DOMU_VCPUS[0]=2'),
  DOMU_VCPU_HARD_AFFINITY: f(upstream('2025-03'), '4.21+ (older releases ignore it)', null, 'DOMU_VCPU_HARD_AFFINITY[0,1]="2-3"'),
  DOMU_STATIC_MEM: f('2022-06 (66b9bd9)', '4.17+', 'STATIC_MEMORY', 'DOMU_STATIC_MEM[0]="0x50000000 0x10000000"'),
  DOMU_DIRECT_MAP: f('2022-06 (d7ed861)', '4.17+', 'STATIC_MEMORY', 'DOMU_DIRECT_MAP[0]=0'),
  DOMU_ENHANCED: f('2022-07 (648a850)', 'all (without a dom0: "no-xenstore" only; 4.21+: or a domU with the xenstore capability)', 'GRANT_TABLE', 'DOMU_ENHANCED[0]=2'),
  DOMU_VPL011: f(upstream('2024-04'), 'all', 'SBSA_VUART_CONSOLE', 'DOMU_VPL011[0]=0'),
  DOMU_NR_SPIS: f(upstream('2024-04'), 'all', null, 'DOMU_NR_SPIS[0]=64'),
  DOMU_GRANT_VER: f(upstream('2024-04'), '4.18+ (4.17 ignores it)', 'GRANT_TABLE', 'DOMU_GRANT_VER[0]=1'),
  DOMU_GRANT_FRAMES: f(upstream('2024-04'), '4.18+ (4.17 ignores it)', 'GRANT_TABLE', 'DOMU_GRANT_FRAMES[0]=64'),
  DOMU_MAPTRACK_FRAMES: f(upstream('2024-04'), '4.18+ (4.17 ignores it)', 'GRANT_TABLE', 'DOMU_MAPTRACK_FRAMES[0]=1024'),
  DOMU_CAPS: f(upstream('2025-03'), '4.21+ (older releases ignore it; hardware needs an IOMMU or direct-map)', null, 'DOMU_CAPS[0]="hardware|xenstore"'),
  DOMU_TRAP_UNMAP: f(upstream('2025-11'), '4.21+ (older releases ignore it)', null, 'DOMU_TRAP_UNMAP[0]=0'),
  DOMU_DOMID: f(upstream('2025-12'), 'none upstream (downstream trees only)', null, 'DOMU_DOMID[0]=5'),
  DOMU_PASSTHROUGH_PROP: f(upstream('2025-12'), '4.19+ (older releases ignore it; 4.21+ refuses it on a hardware domain)', null, 'DOMU_PASSTHROUGH_PROP[0]="enabled"'),
  DOMU_P2M_MEM_MB: f(upstream('2026-01'), '4.17+', null, 'DOMU_P2M_MEM_MB[0]=16'),
  DOMU_SHARED_MEM: f(upstream('2023-03'), '4.17+', 'STATIC_SHM', 'DOMU_SHARED_MEM[0]="my-shared-mem-0 0x50000000 0x4000000 0x10000000"'),
  DOMU_STATIC_EVTCHNS: f(upstream('2025-09'), '4.17+', 'STATIC_EVTCHN (4.19+)', 'DOMU_STATIC_EVTCHNS[0]="10 1 11"'),
  DOMU_COLORS: f('2022-06 (6f5ecb4)', '4.20+ as llc-colors (the form uboot-gen writes for it); before 4.20 Xilinx downstream only (colors bitmask)', 'LLC_COLORING', 'DOMU_COLORS[0]="5-8"'),
  DOMU_CPUPOOL: f('2022-09 (b687773)', '4.17+', 'BOOT_TIME_CPUPOOLS', 'DOMU_CPUPOOL[0]=0'),
  DOMU_NOBOOT: f('2021-04 (95ba62e)', null, null, 'DOMU_NOBOOT[1]=1'),
  DOMU_ROOTFS: f('2021-04 (5629a7a)', null, null, 'DOMU_ROOTFS[1]="domu1-rootfs.ext4"'),
  DOMU_DRIVER_DOMAIN: f('2022-11 (87c8ca0)', null, null, 'DOMU_DRIVER_DOMAIN[1]=1'),
  NUM_BOOT_AUX_FILE: f('2021-09 (743cd04)', null, null, 'NUM_BOOT_AUX_FILE=1'),
  BOOT_AUX_FILE: f('2021-09 (743cd04)', null, null, 'BOOT_AUX_FILE[0]="uEnv.txt"'),
  GPT: f('2019-07 (83334cb)', null, null, 'GPT=1'),
};
