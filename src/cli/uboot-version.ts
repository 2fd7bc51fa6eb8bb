// --uboot-version V and --uboot FILE: which U-Boot release the simulation models. A named release
// is checked against the table (with a did-you-mean); a binary is read for its version banner.
// --uboot-version wins over --uboot, so a binary newer than every modelled release can still be
// simulated as a chosen one; a binary built with lwIP (CONFIG_NET_LWIP) runs its tftpboot texts.
import { ubootBinaryVersion } from '../api/uboot-binary.js';
import { atLeast, checkUbootVersion, DEFAULT_UBOOT_VERSION, parseUbootVersion } from '../sim/uboot/version.js';
import { UbootGenError } from '../errors.js';

export function ubootVersionOption(o: { ubootVersion?: string; uboot?: string; hush?: 'old' | 'modern' }): { ubootVersion?: string; hush?: 'old' | 'modern'; netStack?: 'legacy' | 'lwip' } {
  const binary = o.uboot !== undefined ? ubootBinaryVersion(o.uboot) : undefined;
  const version = o.ubootVersion !== undefined ? checkUbootVersion(o.ubootVersion) : binary?.modelled;
  // CONFIG_HUSH_MODERN_PARSER first shipped in v2024.04 (cmd/Kconfig).
  if (o.hush === 'modern' && !atLeast(parseUbootVersion(version ?? DEFAULT_UBOOT_VERSION), '2024.04')) {
    throw new UbootGenError('USAGE', `--hush modern: U-Boot ${version ?? DEFAULT_UBOOT_VERSION} has only the old hush (the modern parser came with 2024.04)`, { hush: o.hush, ubootVersion: version ?? DEFAULT_UBOOT_VERSION }, undefined,
      'add --uboot-version 2024.04 or later (or --uboot with such a binary)');
  }
  // The binary's network stack holds even when --uboot-version names the release.
  return { ...(version !== undefined ? { ubootVersion: version } : {}), ...(o.hush !== undefined ? { hush: o.hush } : {}),
    ...(binary?.netStack === 'lwip' ? { netStack: 'lwip' as const } : {}) };
}
