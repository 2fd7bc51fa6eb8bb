// Number formatting used in scripts, consoles and reports.

/** `0x1f` (lower case, as U-Boot's %lx and dtc print). */
export const hex = (n: number): string => `0x${n.toString(16)}`;
/** `0x1F` (upper case, as ImageBuilder's printf "0x%X"). */
export const hexUpper = (n: number): string => `0x${n.toString(16).toUpperCase()}`;
/** `1F` (upper case, no prefix: ImageBuilder node unit addresses, `module@4AE00000`). */
export const hexUpperBare = (n: number): string => n.toString(16).toUpperCase();
/** `1f` (lower case, no prefix: U-Boot env_set_hex(), `filesize`/`fileaddr`). */
export const hexBare = (n: number): string => n.toString(16);
/** Zero-padded lower-case hex without prefix, e.g. %08lx or %016lx. */
export const hexPad = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/** Human size: `32 MiB`, `1.5 KiB`, `200 B`. */
export function humanSize(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  const s = i === 0 ? String(v) : (Number.isInteger(v) ? String(v) : v.toFixed(1));
  return `${s} ${units[i]}`;
}
