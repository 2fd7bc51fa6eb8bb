// One error hierarchy and one table of codes for the whole tool. The `code` is the stable,
// documented identifier (tests assert it); the message is a whole sentence with the numbers
// in it. ERROR_CODES says, for every code, what it means, how to fix it and which exit
// status the CLI returns for it: the exit status follows the meaning (a DTB saved after an
// earlier boot is a bad input file, though the planner finds it), never the code's prefix.
// The CLI's --help exit tables, the README's code list and the JSON output are built from it.

/** Exit statuses of the CLI, by name. Only src/cli turns them into a process exit. */
export const EXIT_CODE = {
  ok: 0,
  failure: 1,
  usage: 2,
  config: 3,
  input: 4,
  plan: 5,
  verify: 6,
  internal: 70,
} as const;

export type ExitName = keyof typeof EXIT_CODE;

/** What each exit status means, in the order help tables list them. */
export const EXIT_STATUS: Readonly<Record<ExitName, string>> = {
  ok: 'success',
  failure: 'failure',
  usage: 'usage error',
  config: 'config error',
  input: 'input file error',
  plan: 'plan error',
  verify: 'verification failed',
  internal: 'internal error',
};

export interface CodeInfo {
  /** Exit status of the CLI when this code stops a run; `ok` for warnings and notes. */
  exit: ExitName;
  /** `error` stops the run (thrown); `warning`/`info` are diagnostics and the run goes on. */
  severity: 'error' | 'warning' | 'info';
  /** A few words for the --help exit table, e.g. "bad value". */
  label: string;
  /** What went wrong, as a sentence. */
  meaning: string;
  /** What to do about it, as a sentence. */
  fix: string;
}

/** The same entry for each libfdt error name: the message carries libfdt's own words. */
const libfdt = (exit: 'input' | 'internal', meaning: string): CodeInfo & { severity: 'error' } => ({
  exit, severity: 'error', label: exit === 'internal' ? 'libfdt misuse' : 'invalid device tree', meaning,
  fix: exit === 'internal'
    ? 'Report it with the --json output: uboot-gen called its device-tree library wrongly.'
    : 'Check the DTB with `dtc -I dtb -O dts`; rebuild it from its source, or pass the board\'s own DTB.',
});

/**
 * Every code uboot-gen raises. A test scans src/ and fails on a code raised but missing here,
 * or listed here but never raised. Keys stay in the stage prefix of where they are raised
 * (CONFIG_, IMAGE_, FDT_ERR_, PLAN_, EMIT_, OUTPUT_, SIM_, INSPECT_, LAB_, SERVE_), USAGE and INTERNAL.
 */
export const ERROR_CODES = {
  USAGE: { exit: 'usage', severity: 'error', label: 'bad option or argument',
    meaning: 'A command-line option or argument is missing, repeated or malformed.',
    fix: 'Run `uboot-gen COMMAND --help` for the options each command takes.' },

  CONFIG_NOT_FOUND: { exit: 'config', severity: 'error', label: 'config file not found',
    meaning: 'The config file does not exist or cannot be read.',
    fix: 'Pass the path of an ImageBuilder config file (`uboot-gen CONFIG` or `-c CONFIG`).' },
  CONFIG_SYNTAX: { exit: 'config', severity: 'error', label: 'syntax',
    meaning: 'The config is not text made of shell variable assignments (a quote left open, a bad array index, NUL bytes).',
    fix: 'Fix the assignment at the line and column given; ImageBuilder configs are `KEY=value` lines.' },
  CONFIG_UNSAFE: { exit: 'config', severity: 'error', label: 'unsafe shell',
    meaning: 'The config would run a command (`$(...)`, backticks, `;`, `&&`, pipes, redirections, `if`, functions, `source`), which uboot-gen never does.',
    fix: 'Write the value literally; compute it before writing the config.' },
  CONFIG_BAD_INDEX: { exit: 'config', severity: 'error', label: 'misused key',
    meaning: 'A key is written with the wrong index: an index on a plain key, none on a per-domain array.',
    fix: 'Write `KEY=value` for plain keys and `KEY[n]=value` for per-domain keys, as the message shows.' },
  CONFIG_BAD_VALUE: { exit: 'config', severity: 'error', label: 'bad value',
    meaning: 'A key has a value of the wrong form (not a number, an address, a known command or an allowed word).',
    fix: 'Write the value in the form the message names.' },
  CONFIG_MISSING: { exit: 'config', severity: 'error', label: 'missing key',
    meaning: 'A key the boot needs is not set (XEN, DEVICE_TREE, a load command, a domain kernel, UBOOT_SOURCE).',
    fix: 'Set the key named in the message, or pass the matching option (-t, -o).' },
  CONFIG_CONFLICT: { exit: 'config', severity: 'error', label: 'conflicting keys',
    meaning: 'Keys contradict each other (XEN_CMD with DOM0_MEM, dom0 keys without a dom0, MEMORY_END not above MEMORY_START).',
    fix: 'Change one of the keys the message names.' },
  CONFIG_UNSUPPORTED: { exit: 'config', severity: 'error', label: 'unsupported key',
    meaning: 'The config uses an ImageBuilder feature uboot-gen does not support yet; it is refused rather than silently ignored.',
    fix: 'Remove the key, or use ImageBuilder for this config.' },
  CONFIG_PASSTHROUGH_PATH: { exit: 'config', severity: 'error', label: 'path not in DEVICE_TREE',
    meaning: 'The config names a device-tree node (DOMU_PASSTHROUGH_PATHS) that DEVICE_TREE does not have, so the script\'s `fdt set` would fail on the board.',
    fix: 'Correct the path, or pass the DTB of the board that has the device.' },
  CONFIG_CPUPOOL_CPU: { exit: 'config', severity: 'error', label: 'cpupool CPU not in DEVICE_TREE',
    meaning: 'A CPUPOOL names a CPU node that the board DTB\'s /cpus does not have, so the pool could not list it (ImageBuilder: "/cpus/<cpu> does not exist").',
    fix: 'Name the CPUs as the board DTB does under /cpus (e.g. cpu@1), or pass the DTB of the board that has them.' },
  CONFIG_NOT_REGULAR_FILE: { exit: 'config', severity: 'error', label: 'not a file',
    meaning: 'The path given as the config is a folder, a device or a FIFO, not a regular file.',
    fix: 'Give the path of the config file itself.' },
  CONFIG_TOO_LARGE: { exit: 'config', severity: 'error', label: 'too large',
    meaning: 'The config file is larger than any ImageBuilder config could be.',
    fix: 'Check the path: an ImageBuilder config is a short list of KEY=value lines.' },
  CONFIG_BAD_ENCODING: { exit: 'config', severity: 'error', label: 'not UTF-8',
    meaning: 'The config is not valid UTF-8 text.',
    fix: 'Save the config as UTF-8 or plain ASCII (for example with iconv).' },
  CONFIG_TOO_COMPLEX: { exit: 'config', severity: 'error', label: 'expansions too deep',
    meaning: 'Expansions nest too deeply, or expand to more text than a config value can hold.',
    fix: 'Write the value with fewer nested or repeated expansions (one intermediate variable per level).' },
  CONFIG_OUT_OF_RANGE: { exit: 'config', severity: 'error', label: 'out of range',
    meaning: 'A number is outside what its key allows (or does not fit in 64 bits).',
    fix: 'Write a number within the range the message gives.' },
  CONFIG_UNSAFE_PATH: { exit: 'config', severity: 'error', label: 'unsafe name',
    meaning: 'A file name or device-tree path would not stay one plain word in the boot script (spaces, quotes, `;`, `$`, control characters).',
    fix: 'Rename the file (or link it) to a plain name, and write device-tree paths in full, e.g. /soc/serial@ff000000.' },
  CONFIG_UNKNOWN_KEY: { exit: 'ok', severity: 'warning', label: 'unknown key',
    meaning: 'A key is not an ImageBuilder option, so it is ignored.',
    fix: 'Check its spelling (the warning suggests the nearest option) or remove it.' },
  CONFIG_XILINX_DIALECT: { exit: 'ok', severity: 'warning', label: 'Xilinx-only setting',
    meaning: 'With --dialect xilinx, DOM0_VIOMMU, DOMU_VIOMMU or DOMU_VUART_PL011 writes what only Xilinx\'s Xen reads: upstream Xen ignores dom0_viommu and viommu, and reads vpl011 "pl011" as the plain flag.',
    fix: 'Boot Xilinx\'s Xen, or remove the key.' },
  CONFIG_PARTIAL_DTS_IGNORED: { exit: 'ok', severity: 'warning', label: 'partial DT key ignored',
    meaning: 'LOPPER_PATH or LOPPER_CMD has no effect: PASSTHROUGH_DTS_REPO takes precedence over lopper, LOPPER_CMD is read only with LOPPER_PATH, or PASSTHROUGH_DTS_REPO has words past its sub-folder.',
    fix: 'Remove the key (or the extra words) that is ignored.' },
  CONFIG_IGNORED_INDEX: { exit: 'ok', severity: 'warning', label: 'ignored domain',
    meaning: 'A per-domain key is set for an index at or above NUM_DOMUS, so it is ignored.',
    fix: 'Raise NUM_DOMUS or remove the key.' },
  CONFIG_UNSET_VARIABLE: { exit: 'ok', severity: 'warning', label: 'unset variable',
    meaning: 'A value expands a variable that is set neither in the config nor in the environment; it expands to nothing, as in bash.',
    fix: 'Set the variable, or give a default with `${VAR:-default}`.' },
  CONFIG_SPLIT_VALUE: { exit: 'ok', severity: 'warning', label: 'unquoted value split',
    meaning: 'An unquoted value has a blank in it: bash (and uboot-gen, which reads the config as bash does) takes the words after the blank as assignments of their own, so they are missing from the key (`DOMU_CMD[0]=console=ttyAMA0 root=/dev/ram0` sets a variable named root).',
    fix: 'Quote the whole value: KEY="word1 word2", as the warning shows.' },
  CONFIG_OCTAL: { exit: 'ok', severity: 'warning', label: 'octal number',
    meaning: 'A number with a leading 0 is read as octal, as bash does.',
    fix: 'Write 0x... for hex, or drop the leading 0.' },
  CONFIG_CRLF: { exit: 'ok', severity: 'warning', label: 'CRLF line endings',
    meaning: 'The config has Windows line endings; bash would keep the \\r in values, uboot-gen ignores it.',
    fix: 'Convert the file to Unix line endings (`dos2unix`).' },
  CONFIG_LOAD_CMD_FROM_ENV: { exit: 'ok', severity: 'info', label: 'LOAD_CMD from the environment',
    meaning: 'LOAD_CMD is not in the config, so the environment\'s LOAD_CMD is used, as ImageBuilder does.',
    fix: 'Set LOAD_CMD in the config (or pass -t) to make the config self-contained.' },
  CONFIG_TRUE_DOM0LESS: { exit: 'ok', severity: 'info', label: 'no dom0',
    meaning: 'No DOM0_KERNEL is set: the system boots domUs only (true dom0less).',
    fix: 'Nothing to do if that is intended; set DOM0_KERNEL for a dom0.' },
  CONFIG_DOMU_NOBOOT: { exit: 'ok', severity: 'info', label: 'domain not booted',
    meaning: 'DOMU_NOBOOT[n] is set: the domU gets no files and no /chosen node (its passthrough paths are still marked).',
    fix: 'Nothing to do if that is intended; unset DOMU_NOBOOT[n] to boot it.' },
  CONFIG_DOMU_NOBOOT_VALUE: { exit: 'ok', severity: 'warning', label: 'DOMU_NOBOOT value',
    meaning: 'DOMU_NOBOOT[n] is set to a value such as 0 that reads as "no", but ImageBuilder skips the domU for any non-empty value.',
    fix: 'Remove DOMU_NOBOOT[n] to boot the domU.' },
  CONFIG_DOMU_SKIPPED_ROOTFS: { exit: 'ok', severity: 'warning', label: 'domain skipped',
    meaning: 'A domU with DOMU_ROOTFS[n] is skipped, as ImageBuilder\'s boot script skips it (a rootfs is a disk_image feature).',
    fix: 'Give the domU a DOMU_RAMDISK[n] instead to boot it.' },
  CONFIG_DOMU_ENHANCED_QUIRK: { exit: 'ok', severity: 'warning', label: 'xen,enhanced quirk',
    meaning: 'DOMU_ENHANCED[n]=2 with a dom0 gives xen,enhanced "enabled", not "no-xenstore", as ImageBuilder does.',
    fix: 'Write DOMU_ENHANCED[n]=1 to say what the boot does, or boot without a dom0 for "no-xenstore".' },
  CONFIG_STATIC_IGNORED: { exit: 'ok', severity: 'warning', label: 'ignored for static memory',
    meaning: 'A key is ignored as ImageBuilder ignores it: DOMU_MEM that differs from the sum of DOMU_STATIC_MEM (memory is the sum), or DOMU_DIRECT_MAP without DOMU_STATIC_MEM.',
    fix: 'Make DOMU_MEM match the static banks (or remove it); set DOMU_DIRECT_MAP only with DOMU_STATIC_MEM.' },
  CONFIG_MODE_IGNORED: { exit: 'ok', severity: 'warning', label: 'ignored for the boot mode',
    meaning: 'Keys of the mode that is not booted are set: LINUX, LINUX_RAMDISK, LINUX_CMD or LINUX_ROOTFS next to XEN (Xen mode wins), or Xen keys (XEN_CMD, XEN_POLICY, ...) in Linux-only mode; ImageBuilder reads neither.',
    fix: 'Remove the keys of the mode not booted, or set XEN to boot Xen.' },
  CONFIG_DISK_IMAGE_ONLY: { exit: 'ok', severity: 'info', label: 'disk_image key',
    meaning: 'The key is read only by ImageBuilder\'s disk_image tool and does not change the boot script.',
    fix: 'Nothing to do; remove the key if the config is only used for boot scripts.' },

  IMAGE_NOT_FOUND: { exit: 'input', severity: 'error', label: 'missing file',
    meaning: 'A file named by the config or on the command line does not exist or cannot be read.',
    fix: 'Check the path: paths in the config are relative to the -d folder (default: the config\'s folder).' },
  IMAGE_WRONG_TYPE: { exit: 'input', severity: 'error', label: 'wrong type',
    meaning: 'A file is of another kind than its key needs (a DTB given as a kernel, a gzip\'d Xen for booti).',
    fix: 'Point the key at the right file; the message says what the file really is.' },
  IMAGE_TRUNCATED: { exit: 'input', severity: 'error', label: 'truncated',
    meaning: 'A file ends before the size its header declares.',
    fix: 'Copy or rebuild the file again; it was cut short.' },
  IMAGE_BAD_MAGIC: { exit: 'input', severity: 'error', label: 'bad magic',
    meaning: 'A file does not start with the magic number of the format it should have.',
    fix: 'Point the key at a file of the format the message names.' },
  IMAGE_BAD_CRC: { exit: 'input', severity: 'error', label: 'bad checksum',
    meaning: 'A uImage or script image fails its header or data CRC.',
    fix: 'Rebuild the image with mkimage; it was corrupted or edited after wrapping.' },
  IMAGE_NOT_REGULAR_FILE: { exit: 'input', severity: 'error', label: 'not a file',
    meaning: 'A path named as a boot file is a folder, a device or a FIFO, not a regular file.',
    fix: 'Name a regular file (a copy of the image); uboot-gen never reads devices, FIFOs or folders.' },
  IMAGE_TOO_LARGE: { exit: 'input', severity: 'error', label: 'too large',
    meaning: 'A file is larger than its role allows (a device tree over the 2 MiB Xen accepts, a boot file beyond any real one).',
    fix: 'Check the path; the message gives the largest size the role allows.' },
  IMAGE_OUT_OF_RANGE: { exit: 'input', severity: 'error', label: 'corrupt header',
    meaning: 'A header field holds a value no real image has (an offset or size beyond any address).',
    fix: 'The header is corrupt: rebuild the file, or take it from its distribution package.' },
  IMAGE_UNSUPPORTED: { exit: 'input', severity: 'error', label: 'unsupported format',
    meaning: 'A file uses a variant of its format uboot-gen cannot read or write (a field too large, a compression other than deflate).',
    fix: 'Convert the file to a supported form (uncompressed or gzip, newc cpio, arm64 Image).' },

  FDT_ERR_NOTFOUND: libfdt('input', 'A device tree lacks a node or property that must be there.'),
  FDT_ERR_EXISTS: libfdt('input', 'A device tree already has a node or property that is to be created.'),
  FDT_ERR_NOSPACE: libfdt('input', 'A device tree has no room for a change.'),
  FDT_ERR_BADOFFSET: libfdt('input', 'A device tree points outside its structure block.'),
  FDT_ERR_BADPATH: libfdt('input', 'A device-tree path is malformed or names an alias the tree lacks.'),
  FDT_ERR_BADPHANDLE: libfdt('input', 'A device tree has an invalid phandle.'),
  FDT_ERR_BADSTATE: libfdt('internal', 'A device tree under construction was used before it was finished.'),
  FDT_ERR_TRUNCATED: libfdt('input', 'A device tree blob ends before its structure does.'),
  FDT_ERR_BADMAGIC: libfdt('input', 'A file given as a device tree does not start with the FDT magic 0xd00dfeed.'),
  FDT_ERR_BADVERSION: libfdt('input', 'A device tree blob has a version libfdt cannot handle.'),
  FDT_ERR_BADSTRUCTURE: libfdt('input', 'A device tree\'s structure block is corrupt.'),
  FDT_ERR_BADLAYOUT: libfdt('input', 'A device tree\'s blocks are not in the order needed to edit it.'),
  FDT_ERR_INTERNAL: libfdt('internal', 'The libfdt port found itself inconsistent.'),
  FDT_ERR_BADNCELLS: libfdt('input', 'A device tree has a missing or out-of-range #address-cells or #size-cells.'),
  FDT_ERR_BADVALUE: libfdt('input', 'A device-tree property has an unexpected value.'),
  FDT_ERR_BADOVERLAY: libfdt('input', 'A device-tree overlay is malformed.'),
  FDT_ERR_NOPHANDLES: libfdt('input', 'A device tree has no phandle values left.'),
  FDT_ERR_BADFLAGS: libfdt('internal', 'The libfdt port was called with unknown flags.'),
  FDT_ERR_ALIGNMENT: libfdt('input', 'A device tree blob is not 8-byte aligned.'),
  FDT_ERR_UNKNOWN: libfdt('internal', 'The libfdt port returned an error number it does not define.'),

  PLAN_DTB_EDITED: { exit: 'input', severity: 'error', label: 'DTB already edited',
    meaning: 'DEVICE_TREE already has the /chosen nodes a boot script creates: it was saved after an earlier boot.',
    fix: 'Pass the board\'s unedited DTB.' },
  PLAN_OUT_OF_MEMORY: { exit: 'plan', severity: 'error', label: 'does not fit in RAM',
    meaning: 'The binaries do not fit in the board\'s RAM below MEMORY_END, around U-Boot\'s own area.',
    fix: 'Raise MEMORY_END (it should match the board\'s /memory), share identical binaries, or use smaller images.' },
  PLAN_OVERLAP: { exit: 'plan', severity: 'error', label: 'overlaps',
    meaning: 'A load would overlap the place Xen moves itself to when it starts.',
    fix: 'Use a Xen image whose arm64 header allows placement anywhere, or give the board more RAM.' },
  PLAN_RESERVED_CONFLICT: { exit: 'plan', severity: 'error', label: 'reserved memory',
    meaning: 'A load would land in memory the DTB reserves (/memreserve/ or /reserved-memory).',
    fix: 'Check MEMORY_START and the DTB\'s reserved regions; the message names the region.' },
  PLAN_DTB_TOO_LARGE: { exit: 'plan', severity: 'error', label: 'device tree too large',
    meaning: 'The edited device tree would be larger than the 2 MiB Xen accepts, or a domain\'s guest device tree would not fit the space its Xen release gives it (DOMU_DTB_SIZE).',
    fix: 'Use a smaller board DTB or shorter command lines; for a guest device tree, give the domain fewer vCPUs (the message names how many fit) or a smaller passthrough DTB.' },
  PLAN_STATIC_CONFLICT: { exit: 'plan', severity: 'error', label: 'static memory conflict',
    meaning: 'A DOMU_STATIC_MEM bank, XEN_STATIC_HEAP bank or DOMU_SHARED_MEM region lies outside the board\'s RAM, in its reserved memory, or over another static range: Xen refuses it or panics.',
    fix: 'Give each static range its own memory inside the board\'s RAM; the message names both ranges.' },
  PLAN_DOMAIN_MEMORY: { exit: 'plan', severity: 'error', label: 'domain memory too small',
    meaning: 'A domU\'s memory is too small for its kernel, initrd and device tree, which Xen places in its first RAM bank ("Not enough memory in the first bank for the kernel+dtb+initrd").',
    fix: 'Raise DOMU_MEM[n] to the value the message gives (the least that fits, in MiB).' },
  PLAN_DOMAIN_VCPUS: { exit: 'plan', severity: 'error', label: 'too many vCPUs',
    meaning: 'A domU has more vCPUs than the board\'s interrupt controller lets Xen give a domain (8 with a GICv2).',
    fix: 'Lower DOMU_VCPUS[n] to the limit the message gives.' },
  PLAN_BOOT_CMD: { exit: 'ok', severity: 'info', label: 'boot command not simulated',
    meaning: 'The script is generated for a BOOT_CMD the simulator does not boot, so it is not verified.',
    fix: 'Use BOOT_CMD=booti or bootm to have the boot verified.' },
  PLAN_XEN_FIXED: { exit: 'ok', severity: 'warning', label: 'Xen moved by booti',
    meaning: 'Xen\'s arm64 header does not allow placement anywhere, so booti moves it; that range is kept free.',
    fix: 'Nothing to do; a Xen built with the placement flag leaves more room.' },
  PLAN_DTUART_NOT_CONSOLE: { exit: 'ok', severity: 'warning', label: 'dtuart is not the console',
    meaning: 'XEN_CMD\'s dtuart= names another UART than the board DTB\'s /chosen stdout-path: Xen\'s messages go where nobody reads them.',
    fix: 'Set dtuart= to the console UART\'s path or alias.' },
  PLAN_TOO_MANY_MODULES: { exit: 'ok', severity: 'warning', label: 'too many boot modules',
    meaning: 'The plan has more boot modules than the 32 Xen registers; the last domains will fail to start.',
    fix: 'Share identical kernels and ramdisks (the default), or boot fewer domains.' },
  PLAN_TOOL_MISSING: { exit: 'failure', severity: 'error', label: 'tool not installed',
    meaning: 'A program the config needs at generation time is not installed: dtc (PASSTHROUGH_DTS_REPO, LOPPER_PATH) or the lopper command LOPPER_PATH names.',
    fix: 'Install it (Debian: apt install device-tree-compiler for dtc; lopper: pip install lopper), or correct LOPPER_PATH.' },
  PLAN_PARTIAL_DTS_NOT_FOUND: { exit: 'input', severity: 'error', label: 'partial DT missing',
    meaning: 'A DOMU_PASSTHROUGH_PATHS entry has no partial device tree <node>.dts in the PASSTHROUGH_DTS_REPO folder (or lopper wrote none).',
    fix: 'Add <node>.dts (named after the last component of the path) to the folder, or correct the path or PASSTHROUGH_DTS_REPO.' },
  PLAN_PARTIAL_DTS_COMPILE: { exit: 'input', severity: 'error', label: 'partial DT does not compile',
    meaning: 'The device tree compiler (dtc) could not compile a domU\'s partial device trees merged into one source; the message is dtc\'s, naming the .dts file and line.',
    fix: 'Fix the .dts file at the line dtc names (a file after the first may not repeat a label or node property of an earlier one).' },
  PLAN_PARTIAL_DTS_CELLS: { exit: 'input', severity: 'error', label: 'partial DT cells differ',
    meaning: 'The partial device trees merged for one domU give /passthrough different #address-cells or #size-cells.',
    fix: 'Write the same #address-cells and #size-cells in /passthrough of every partial device tree a domU gets.' },
  PLAN_LOPPER_FAILED: { exit: 'input', severity: 'error', label: 'lopper failed',
    meaning: 'The lopper command (LOPPER_PATH) exited with an error while extracting a passthrough device from DEVICE_TREE; its own message follows.',
    fix: 'Check the DOMU_PASSTHROUGH_PATHS entry exists in DEVICE_TREE and the LOPPER_CMD options, as lopper\'s message says.' },
  PLAN_FIT_BOOTM: { exit: 'plan', severity: 'error', label: 'FIT with bootm',
    meaning: 'BOOT_CMD=bootm cannot boot from a FIT made by FIT mode: bootm would need Xen wrapped as a uImage inside the FIT.',
    fix: 'Use BOOT_CMD=booti with FIT mode, or leave FIT mode off for bootm.' },
  PLAN_FIT_NO_ROOM: { exit: 'plan', severity: 'error', label: 'no room for the FIT',
    meaning: 'The FIT image (the script and every binary in one file) does not fit in RAM below the binaries it is unpacked to.',
    fix: 'Raise MEMORY_END to the board\'s RAM, or make the binaries smaller.' },
  PLAN_FIT_KEY_NOT_INSTALLED: { exit: 'ok', severity: 'warning', label: 'FIT signed, key not installed',
    meaning: 'The FIT is signed (-k) but no U-Boot DTB was given (-u), so U-Boot has no key and boots the FIT without checking its signatures.',
    fix: 'Pass -u U-BOOT_DTB (FIT_ENC_UB_DTB) so the public key goes into the DTB U-Boot runs with.' },
  CONFIG_FIT_KEY_UNUSED: { exit: 'ok', severity: 'warning', label: 'signing key without FIT mode',
    meaning: 'FIT_ENC_KEY_DIR (-k) is set but FIT mode is not (no FIT, no -f), so nothing is signed.',
    fix: 'Add -f (or FIT) to make a signed FIT, or drop -k.' },
  PLAN_XEN_BUILD: { exit: 'ok', severity: 'warning', label: 'option the Xen build lacks',
    meaning: 'XEN_CMD or a key asks for something the Xen build that will run does not have compiled in (its embedded .config says so), e.g. sched=null without SCHED_NULL.',
    fix: 'Use a Xen built with the option the message names, or drop the setting: that Xen falls back as the message says.' },
  PLAN_DOMID_CONFLICT: { exit: 'plan', severity: 'error', label: 'domid used twice',
    meaning: 'Two domUs ask for the same DOMU_DOMID; no two domains can share an id.',
    fix: 'Give every domU its own DOMU_DOMID (1 to 32751), or leave DOMU_DOMID unset.' },
  PLAN_XEN_IGNORES_KEY: { exit: 'ok', severity: 'warning', label: 'property the Xen ignores',
    meaning: 'A per-domain key writes a property the Xen release that will run does not read (e.g. max_grant_frames before 4.18, trap-unmapped-accesses before 4.21, domid in any upstream Xen): the domain is built as if it were unset.',
    fix: 'Boot a Xen release that reads the property (the message names it), or drop the key.' },
  PLAN_XEN_REFUSES_VALUE: { exit: 'ok', severity: 'warning', label: 'value the Xen refuses',
    meaning: 'A per-domain key has a value the Xen that will run reads and refuses, so the boot stops at that domain (e.g. grant table version 2 on Arm).',
    fix: 'Use a value that Xen accepts; the message names the limit.' },

  PLAN_CPU_PANIC: { exit: 'plan', severity: 'error', label: 'Xen panics on a CPU key',
    meaning: 'A cpupool, capability or vCPU affinity is one the Xen build that will run it panics on: a pool scheduler it was built without, a capability bit it does not define, a second hardware domain, a pCPU the board lacks or outside the domain\'s pool.',
    fix: 'Change the key the message names, as its hint says.' },
  PLAN_HARDWARE_DOMAIN: { exit: 'plan', severity: 'error', label: 'hardware domain Xen refuses',
    meaning: 'A domU given the hardware capability (DOMU_CAPS, Xen 4.21+) is one Xen refuses as the hardware domain: not direct-mapped on a board without an IOMMU, with the passthrough property, or with a passthrough device tree.',
    fix: 'Change the key the message names, as its hint says (direct-map the domain, drop passthrough, or drop the hardware capability).' },
  PLAN_XENSTORE_DOMAIN: { exit: 'plan', severity: 'error', label: 'no xenstore domain, or two',
    meaning: 'A domU asks for xenstore (xen,enhanced "enabled") but no domain provides it (no dom0, and from Xen 4.21 no domU with the xenstore capability), or two domains provide it: Xen panics.',
    fix: 'Give exactly one domain xenstore: boot a dom0, or give one domU the xenstore capability (DOMU_CAPS[n]="xenstore"); or set DOMU_ENHANCED[n]=2 or 0.' },
  PLAN_NULL_OVERCOMMIT: { exit: 'ok', severity: 'warning', label: 'null scheduler short of CPUs',
    meaning: 'A cpupool (or Pool-0) runs the null scheduler, which gives each vCPU a CPU of its own, but its domains have more vCPUs than it has CPUs: the extra vCPUs never run.',
    fix: 'Give the pool as many CPUs as its domains have vCPUs, lower DOMU_VCPUS, or use another scheduler for the pool.' },

  EMIT_TEMPLATE: { exit: 'input', severity: 'error', label: 'bad template',
    meaning: 'A template of boot.source cannot be found, compiled or rendered.',
    fix: 'Fix the template the message names (or reinstall uboot-gen when it is a shipped one).' },
  EMIT_TEMPLATE_DIR: { exit: 'input', severity: 'error', label: 'bad --templates folder',
    meaning: 'The --templates folder cannot be read, or a file in it replaces no template or the same one as another file.',
    fix: 'Give --templates a folder of .hbs files named like the shipped templates, one file per template.' },
  EMIT_SCRIPT_SYNTAX: { exit: 'input', severity: 'error', label: 'bad hush in a template',
    meaning: 'A template or APPEND_EXTRA_CMDS writes a line U-Boot\'s hush cannot parse.',
    fix: 'Fix the line the message names: quotes must close, and `&` or `|` only appear doubled.' },
  EMIT_FDT_UNMEASURABLE: { exit: 'input', severity: 'error', label: 'bad fdt command in a template',
    meaning: 'A script fdt command uses a U-Boot variable, or is one uboot-gen cannot apply, so the `fdt resize` cannot be computed.',
    fix: 'Write the value itself in the template, and keep fdt commands to addr, resize, set, mknod, rm and rsvmem.' },
  EMIT_FDT_NO_NODE: { exit: 'input', severity: 'error', label: 'bad fdt command in a template',
    meaning: 'A script fdt command names a node the board DTB does not have at that point of the script.',
    fix: 'Create the node first (`fdt mknod`) or correct the path in the template or APPEND_EXTRA_CMDS file.' },
  EMIT_FDT_EDIT_FAILS: { exit: 'input', severity: 'error', label: 'bad fdt command in a template',
    meaning: 'A script fdt command fails on the board DTB with a libfdt error (a node created twice, a bad value).',
    fix: 'Correct the command in the template or APPEND_EXTRA_CMDS file the message names.' },
  EMIT_EDITS_UNSTABLE: { exit: 'input', severity: 'error', label: 'bad fdt command in a template',
    meaning: 'The templates write the DTB\'s own address or resize into the device tree, so its size never settles.',
    fix: 'Keep dtb.addr and dtb.resize out of the values the templates set in the device tree.' },
  OUTPUT_WRITE: { exit: 'failure', severity: 'error', label: 'output not writable',
    meaning: 'An output file (boot.source, boot.scr, xen.ub) cannot be written.',
    fix: 'Check that the -d folder exists and is writable, and that the disk has room.' },
  OUTPUT_LOCKED: { exit: 'failure', severity: 'error', label: 'outputs locked by another run',
    meaning: 'Another run is writing the same outputs and still holds the folder\'s lock (.uboot-gen.lock) after the bounded wait.',
    fix: 'Wait for that run to finish; if no uboot-gen is running, delete the lock file the message names.' },
  OUTPUT_OUTSIDE_DIR: { exit: 'failure', severity: 'error', label: 'output outside the -d folder',
    meaning: 'An output (UBOOT_SOURCE, UBOOT_SCRIPT, -o) is an absolute path or leads out of the output folder.',
    fix: 'Name outputs relative to the -d folder, or pass --output-outside-dir to write there on purpose.' },
  OUTPUT_NO_FOLDER: { exit: 'failure', severity: 'error', label: 'output folder missing',
    meaning: 'The folder an output goes into does not exist (uboot-gen creates no folders) or is not a folder.',
    fix: 'Create the folder first, or name outputs in an existing one.' },
  OUTPUT_NOT_A_FILE: { exit: 'failure', severity: 'error', label: 'output name taken by a non-file',
    meaning: 'A folder, FIFO, socket or device has the name an output would be written under.',
    fix: 'Choose an output name that is free or a regular file.' },
  OUTPUT_OVERWRITES_INPUT: { exit: 'failure', severity: 'error', label: 'output would replace an input',
    meaning: 'An output names the config or a file the config reads (the same path, or the same file through a hard link).',
    fix: 'Give the output another name.' },
  OUTPUT_SAME_FILE: { exit: 'failure', severity: 'error', label: 'two outputs name one file',
    meaning: 'Two outputs (boot.source, boot.scr, xen.ub) name the same file.',
    fix: 'Give each output its own name.' },
  OUTPUT_UNSAFE_NAME: { exit: 'failure', severity: 'error', label: 'unsafe output name',
    meaning: 'An output name holds a character that would change the U-Boot command line it is written on (space, ;, quotes, $, #, ...).',
    fix: 'Use letters, digits, ., -, _ and / in output names.' },

  SIM_BAD_INPUT: { exit: 'input', severity: 'error', label: 'bad board or version',
    meaning: 'The simulator was given a board without usable RAM, or a U-Boot or Xen version it does not model.',
    fix: 'Pass a board DTB with a /memory node, and a version from the list the message gives.' },

  SIM_BUDGET: { exit: 'verify', severity: 'error', label: 'beyond the simulator\'s limits',
    meaning: 'The script crosses one of the simulator\'s limits (steps, nesting, console, RAM it edits); the simulation stops there and the boot counts as not proven.',
    fix: 'Look for an endless loop or runaway recursion in the script; the message names the limit crossed.' },

  INSPECT_SCRIPT_SYNTAX: { exit: 'verify', severity: 'error', label: 'script is not valid hush',
    meaning: 'The script is not text U-Boot\'s hush can parse (a quote left open, a lone `&` or `|`), so the board stops at that line.',
    fix: 'Fix the line the finding names: quotes must close, and `&` or `|` only appear doubled.' },
  INSPECT_LOADS_OVERLAP: { exit: 'verify', severity: 'error', label: 'loads overlap',
    meaning: 'Two files the script loads overlap in RAM (each taken at its footprint: arm64 image_size, else its size), so the later load overwrites the earlier file.',
    fix: 'Load one of the files at or above the end of the other; the finding gives both ranges.' },
  INSPECT_LOAD_OVER_DTB: { exit: 'verify', severity: 'error', label: 'load over the DTB\'s growth',
    meaning: 'A file is loaded into the room the device tree grows into (its `fdt resize` and the pad U-Boot adds at boot), so the edits or the boot overwrite it.',
    fix: 'Load the file above the end of the grown device tree, or load the device tree last, at the top.' },
  INSPECT_MODULE_NOT_LOADED: { exit: 'verify', severity: 'error', label: 'module not loaded',
    meaning: 'A /chosen module node\'s `reg` starts where the script loads no file, so Xen hands the domain whatever is in that memory.',
    fix: 'Make the node\'s reg start at the address the file is loaded at.' },
  INSPECT_REG_SHORT: { exit: 'verify', severity: 'error', label: 'reg shorter than the file',
    meaning: 'A /chosen module node\'s `reg` size is smaller than the file loaded there, so Xen gives the domain a truncated kernel or ramdisk.',
    fix: 'Set the reg size to the file\'s size (for an arm64 Image, ImageBuilder writes its image_size).' },
  INSPECT_REG_LONG: { exit: 'ok', severity: 'warning', label: 'reg longer than the file',
    meaning: 'A /chosen module node\'s `reg` size is larger than the footprint of the file loaded there, so Xen copies memory beyond the file into the domain.',
    fix: 'Set the reg size to the file\'s size (for an arm64 Image, its image_size).' },
  INSPECT_FDT_RESIZE: { exit: 'verify', severity: 'error', label: 'fdt resize too small',
    meaning: 'The room `fdt resize` gives is smaller than what the script\'s fdt edits add, so an edit fails on the board with FDT_ERR_NOSPACE.',
    fix: 'Give `fdt resize` at least the bytes the finding names (U-Boot reads the number as hex).' },
  INSPECT_FDT_EDIT: { exit: 'verify', severity: 'error', label: 'fdt command fails',
    meaning: 'An fdt command of the script fails on the device tree it edits (a node missing at that point, created twice, a bad value).',
    fix: 'Correct the command the finding names, or create the node it needs earlier in the script.' },
  INSPECT_FDT_UNMEASURED: { exit: 'ok', severity: 'warning', label: 'fdt command not applied',
    meaning: 'An fdt command uses a U-Boot variable or a sub-command uboot-gen does not model, so inspect cannot apply it before boot; the /chosen shown lacks its effect.',
    fix: 'Nothing to do if the command is right; `uboot-gen simulate` runs it with the variables U-Boot would have.' },
  INSPECT_UNALIGNED: { exit: 'ok', severity: 'warning', label: 'unaligned load address',
    meaning: 'A file is loaded at an address that is not a multiple of 4 KiB; ImageBuilder aligns every load to 2 MiB, and Xen and Linux map boot modules by pages.',
    fix: 'Load the file at a 2 MiB boundary.' },
  INSPECT_DOMAIN_PROPERTY: { exit: 'verify', severity: 'error', label: 'domain node incomplete',
    meaning: 'A xen,domain node in /chosen lacks a property Xen requires (`cpus`, `memory`), so Xen panics while building the domains.',
    fix: 'Add the property the finding names to the domain node: `cpus` (the vCPU count, e.g. <1>), `memory` (two cells, in KiB).' },
  INSPECT_DOMAIN_NO_KERNEL: { exit: 'verify', severity: 'error', label: 'domain without a kernel',
    meaning: 'A xen,domain node has no module node with "multiboot,kernel", so Xen has no kernel to start it with.',
    fix: 'Add the kernel\'s module node (compatible "multiboot,kernel" "multiboot,module", reg, bootargs) under the domain.' },
  INSPECT_MODULE_COMPATIBLE: { exit: 'verify', severity: 'error', label: 'module node Xen skips',
    meaning: 'A module node lacks "multiboot,module" in its compatible, so Xen does not register it (its bootargs are never read).',
    fix: 'Write the compatible as ImageBuilder does: "multiboot,kernel" "multiboot,module" (or "multiboot,ramdisk" "multiboot,module").' },
  INSPECT_BOOT_TARGET: { exit: 'verify', severity: 'error', label: 'boot command target',
    meaning: 'The boot command names an image or a device tree at an address where the script loads no file, or a device tree other than the one it edited.',
    fix: 'Boot the addresses the script loads Xen and the edited device tree at (`booti XEN_ADDR - DTB_ADDR`).' },
  INSPECT_NO_BOOT: { exit: 'ok', severity: 'info', label: 'no boot command',
    meaning: 'The script ends without a boot command (booti, bootm, bootz, bootefi); what boots is typed afterwards.',
    fix: 'Nothing to do if that is intended; the boot checks need the boot command in the script.' },

  LAB_SETUP: { exit: 'failure', severity: 'error', label: 'lab host tools missing',
    meaning: 'The real-boot lab lacks a host tool or package it needs.',
    fix: 'Install what the message names (its hint gives the apt-get command).' },
  LAB_BOOT: { exit: 'failure', severity: 'error', label: 'real boot could not run',
    meaning: 'The real boot in QEMU could not be started or watched (no script, no serial output, another boot holding the lab).',
    fix: 'Generate the boot script into the -d folder first, and run one lab boot at a time.' },

  SERVE_ROOT: { exit: 'usage', severity: 'error', label: 'not a folder',
    meaning: 'The folder to serve does not exist or is not a folder.',
    fix: 'Name the folder that holds boot.scr and the files it loads.' },
  SERVE_LISTEN: { exit: 'failure', severity: 'error', label: 'cannot listen',
    meaning: 'The TFTP server cannot listen on the address and port asked for (in use, or below 1024 without root).',
    fix: 'Pick a free port with --port (U-Boot reaches it through tftpdstp), or stop the other server.' },

  INTERNAL: { exit: 'internal', severity: 'error', label: 'a bug',
    meaning: 'Something that cannot happen did: a bug in uboot-gen.',
    fix: 'Please report it with the --json output and the config.' },
} as const satisfies Record<string, CodeInfo>;

type Codes = typeof ERROR_CODES;
/** Every code uboot-gen raises: errors and diagnostics alike. */
export type Code = keyof Codes;
/** Codes that stop a run (thrown as UbootGenError). */
export type ErrorCode = { [K in Code]: Codes[K]['severity'] extends 'error' ? K : never }[Code];
/** Codes of warnings and notes (a Diagnostic's code); the run goes on. */
export type DiagnosticCode = Exclude<Code, ErrorCode>;

/** The table entry for a code. */
export const codeInfo = (code: Code): CodeInfo => ERROR_CODES[code];

/** Where an error points: a config position, a file offset, a config key. */
export interface Where { file?: string; line?: number; col?: number; offset?: number; key?: string }

export class UbootGenError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly data: Record<string, unknown> = {},
    readonly where?: Where,
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }

  /** `file:line:col: message` then the hint, the form compilers use. */
  describe(): string {
    const w = this.where;
    const at = w?.file ? `${w.file}${w.line !== undefined ? `:${w.line}` : ''}${w.col !== undefined ? `:${w.col}` : ''}: ` : '';
    return `${at}${this.message}${this.hint ? `\n  hint: ${this.hint}` : ''}`;
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, name: this.name, message: this.message, data: this.data, where: this.where, hint: this.hint };
  }
}

export class ConfigError extends UbootGenError {}
export class ImageFormatError extends UbootGenError {}
export class FdtError extends UbootGenError {}
export class PlanError extends UbootGenError {}
export class OutputError extends UbootGenError {}
export class LabError extends UbootGenError {}
export class ServeError extends UbootGenError {}
/** A "can't happen" path was taken, or something other than a UbootGenError was thrown. */
export class InternalError extends UbootGenError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('INTERNAL', `uboot-gen bug: ${message} (please report it with the --json output)`, data);
  }
}

/** The CLI's exit status for an error: the table's, and `internal` for anything not ours. */
export function exitCodeFor(err: unknown): number {
  if (!(err instanceof UbootGenError)) return EXIT_CODE.internal;
  // A code outside the table (a libfdt number our port does not name) is a bug too.
  const info: CodeInfo | undefined = ERROR_CODES[err.code];
  return info ? EXIT_CODE[info.exit] : EXIT_CODE.internal;
}
