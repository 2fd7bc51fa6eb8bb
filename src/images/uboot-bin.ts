// The version a U-Boot binary (u-boot.bin, u-boot.elf, a flash image holding one) says it is:
// U-Boot's banner, U_BOOT_VERSION_STRING (include/version.h), is stored as plain text,
// "U-Boot 2025.01-3+deb13u1 (Jun 24 2026 - 09:07:15 +0000)", and printed at every start.
// The reader scans the bytes it is given and reads nothing past their end.

const PREFIX = Buffer.from('U-Boot ', 'latin1');
/** The banner's longest plausible length (version, local version, date): bounds the text read. */
const BANNER_MAX = 160;

export interface UbootBanner {
  /** "2025.01" */
  release: string;
  /** The whole version as the binary prints it: "2025.01-3+deb13u1". */
  version: string;
  /** The banner up to its NUL or end of line: "U-Boot 2025.01-3+deb13u1 (Jun 24 2026 - 09:07:15 +0000)". */
  banner: string;
}

/**
 * The first "U-Boot YYYY.MM…" banner in `bytes`, or undefined when there is none. Other strings
 * that start "U-Boot " (help texts, "U-Boot SPL") are skipped: the year must follow at once.
 */
export function ubootBanner(bytes: Uint8Array): UbootBanner | undefined {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = buf.indexOf(PREFIX); at >= 0; at = buf.indexOf(PREFIX, at + 1)) {
    const end = Math.min(buf.length, at + BANNER_MAX);
    let stop = at + PREFIX.length;
    while (stop < end && buf[stop]! >= 0x20 && buf[stop]! < 0x7f) stop++;
    const text = buf.toString('latin1', at, stop);
    const m = /^U-Boot ((\d{4}\.\d{2})[^\s()]*)/.exec(text);
    if (m) return { release: m[2]!, version: m[1]!, banner: text.trimEnd() };
  }
  return undefined;
}

/**
 * A message only the lwIP stack's net/lwip/net-lwip.c (net_lwip_get_netif(), built with every
 * CONFIG_NET_LWIP networking build from v2025.01 to v2026.04) prints; the legacy stack has no such text.
 */
const LWIP_MARK = Buffer.from('more than one netif in lwIP', 'latin1');

/** The network stack a U-Boot binary was built with: 'lwip' (CONFIG_NET_LWIP) or the legacy stack of net/. */
export function ubootNetStack(bytes: Uint8Array): 'legacy' | 'lwip' {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return buf.indexOf(LWIP_MARK) >= 0 ? 'lwip' : 'legacy';
}
