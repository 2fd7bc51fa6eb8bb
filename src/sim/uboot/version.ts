// U-Boot versions: the releases the simulator models, what each changed for boot scripts, and
// the comparison the version switches use ("2023.01" → 202301, "v2024.04-rc2" → 202404).
//
// Every change below was read in U-Boot's own source at the tags named (file and tag in each
// entry); the switches that implement them cite the same place.
import { UbootGenError } from '../../errors.js';

/** Default U-Boot version modelled: Debian bookworm's u-boot-qemu (what the lab runs). */
export const DEFAULT_UBOOT_VERSION = '2023.01';

export function parseUbootVersion(v: string): number {
  const m = /^v?(\d{4})\.(\d{2})/.exec(v.trim());
  if (!m) throw new UbootGenError('SIM_BAD_INPUT', `U-Boot version "${v}" is not of the form YYYY.MM (e.g. 2023.01)`);
  return Number(m[1]) * 100 + Number(m[2]);
}

/** True when `version` (a parsed number) is at least `since` ("2024.04"). */
export const atLeast = (version: number, since: string): boolean => version >= parseUbootVersion(since);

/** One modelled release: where it ships, and what it changed that a boot script can see. */
export interface UbootRelease {
  version: string;
  /** Boards and distributions that ship it. */
  shippedBy: string;
  /** What this release changed in the commands the simulator runs (empty: nothing modelled changed). */
  changes: readonly string[];
}

/** The releases `--uboot-version` accepts, oldest first. */
export const UBOOT_RELEASES: readonly UbootRelease[] = [
  { version: '2023.01', shippedBy: 'Debian 12 (bookworm), AMD/Xilinx 2023.x', changes: [] },
  { version: '2024.01', shippedBy: 'Ubuntu 24.04, AMD/Xilinx 2024.x', changes: [
    '`fdt apply` keeps the base tree\'s phandles when the overlay brings its own (lib/libfdt/fdt_overlay.c, v2024.01)',
  ] },
  { version: '2024.04', shippedBy: 'TI SDK 10, NXP LF 6.6', changes: [
    'bootm of a legacy image of the wrong type: "Wrong Image Type for bootm command" and "ERROR -91: can\'t get kernel image!" (boot/bootm.c, v2024.04)',
    '"ERROR: RD/FDT image overlaps OS image (OS=…)" prints the OS range without 0x, and the FDT end check compares the DTB\'s length, not its end (boot/bootm.c check_overlap(), v2024.04)',
  ] },
  { version: '2025.01', shippedBy: 'Debian 13 (trixie), AMD/Xilinx 2025.x, TI SDK 11', changes: [
    'the LMB is persistent: every tftpboot/load reserves what it loaded, and relocations at boot (initrd_high, fdt_high unset) avoid it (lib/lmb.c, v2025.01)',
    'booti prints "Moving Image from … end=0x…" (cmd/booti.c, v2025.01)',
  ] },
  { version: '2025.04', shippedBy: 'NXP LF 6.12, Alpine 3.22; AMD/Xilinx boards switch to the lwIP network stack', changes: [
    'lwIP tftpboot (boards with CONFIG_NET_LWIP) prints its own progress and errors (net/lwip/tftp.c, v2025.04)',
  ] },
  { version: '2025.10', shippedBy: 'Alpine 3.23', changes: [
    'booti/bootz: "Failed to allocate memory for the image at 0x…" when the Image\'s place is reserved (cmd/booti.c, v2025.10)',
    'fdt_high=~0: "Failed to reserve memory for fdt at 0x…" when the DTB\'s place is reserved (boot/image-fdt.c, v2025.10)',
  ] },
  { version: '2026.01', shippedBy: 'AMD/Xilinx 2026.x, TI SDK 12', changes: [] },
  { version: '2026.04', shippedBy: 'NXP (u-boot-imx 2026.04)', changes: [
    'booti/bootm with fdt_high=~0 print a five-line WARNING about non-8-byte-aligned device trees (boot/image-fdt.c, v2026.04)',
  ] },
];

export const SUPPORTED_UBOOT_VERSIONS: readonly string[] = UBOOT_RELEASES.map((r) => r.version);

/** The newest modelled release not newer than `version` (parsed), if any. */
function releaseAtOrBefore(version: number): string | undefined {
  let best: string | undefined;
  for (const v of SUPPORTED_UBOOT_VERSIONS) if (parseUbootVersion(v) <= version) best = v;
  return best;
}

/**
 * The release a user's `--uboot-version` names, or a USAGE error with a did-you-mean:
 * "2025.1" or "25.01" → 2025.01, an unmodelled release such as 2025.07 → the newest modelled one
 * before it (it has the same modelled behaviour), a leading "v" and a "-rc…" suffix are dropped.
 */
export function checkUbootVersion(given: string, option = '--uboot-version'): string {
  const s = given.trim();
  const exact = /^v?(\d{4}\.\d{2})(?:-rc\d+)?$/.exec(s);
  if (exact && SUPPORTED_UBOOT_VERSIONS.includes(exact[1]!)) return exact[1]!;
  const loose = /^v?(\d{2}|\d{4})[.\-_/ ]?(\d{1,2})(?:-rc\d+)?$/.exec(s);
  let suggestion: string | undefined;
  let older = false;
  if (loose) {
    const year = loose[1]!.length === 2 ? 2000 + Number(loose[1]) : Number(loose[1]);
    const canonical = `${year}.${loose[2]!.padStart(2, '0')}`;
    if (SUPPORTED_UBOOT_VERSIONS.includes(canonical)) suggestion = canonical;
    else { suggestion = releaseAtOrBefore(year * 100 + Number(loose[2])); older = suggestion !== undefined; }
  }
  const why = older ? ', the newest modelled release before it' : '';
  throw new UbootGenError('USAGE', `${option} ${given}: not a modelled U-Boot release${suggestion ? `. Did you mean ${suggestion}${why}?` : ''}`,
    { given, supported: [...SUPPORTED_UBOOT_VERSIONS], ...(suggestion ? { suggestion } : {}) }, undefined,
    `give one of ${SUPPORTED_UBOOT_VERSIONS.join(', ')}`);
}

/**
 * The modelled release for a version read from a binary ("2025.01-3+deb13u1" → 2025.01): the
 * release itself when modelled, else the newest modelled one before it; undefined before 2023.01.
 */
export function modelledRelease(version: string): string | undefined {
  return releaseAtOrBefore(parseUbootVersion(version));
}
