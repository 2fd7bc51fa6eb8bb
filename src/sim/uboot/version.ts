// U-Boot versions as comparable numbers: "2023.01" → 202301, "v2024.04-rc2" → 202404.
import { UbootGenError } from '../../errors.js';

export function parseUbootVersion(v: string): number {
  const m = /^v?(\d{4})\.(\d{2})/.exec(v.trim());
  if (!m) throw new UbootGenError('SIM_BAD_INPUT', `U-Boot version "${v}" is not of the form YYYY.MM (e.g. 2023.01)`);
  return Number(m[1]) * 100 + Number(m[2]);
}

/** True when `version` (a parsed number) is at least `since` ("2024.04"). */
export const atLeast = (version: number, since: string): boolean => version >= parseUbootVersion(since);
