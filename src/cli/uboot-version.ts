// --uboot-version V and --uboot FILE: which U-Boot release the simulation models. A named release
// is checked against the table (with a did-you-mean); a binary is read for its version banner.
// --uboot-version wins over --uboot, so a binary newer than every modelled release can still be
// simulated as a chosen one.
import { ubootBinaryVersion } from '../api/uboot-binary.js';
import { checkUbootVersion } from '../sim/uboot/version.js';

export function ubootVersionOption(o: { ubootVersion?: string; uboot?: string }): { ubootVersion?: string } {
  if (o.ubootVersion !== undefined) return { ubootVersion: checkUbootVersion(o.ubootVersion) };
  if (o.uboot !== undefined) return { ubootVersion: ubootBinaryVersion(o.uboot).modelled };
  return {};
}
