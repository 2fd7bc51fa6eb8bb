// Option negotiation for a read request: RFC 2347 (the OACK), RFC 2348 blksize, RFC 2349 tsize
// and timeout, RFC 7440 windowsize. An option the server cannot honour as asked is either
// lowered (blksize, windowsize: the RFCs let the server answer with a smaller value) or left
// out of the OACK, which tells the client to use the default.

export const DEFAULT_BLKSIZE = 512;
/** RFC 2348: 8 to 65464 bytes (65464 = the largest DATA that fits one IPv4 UDP datagram). */
export const MIN_BLKSIZE = 8;
export const MAX_BLKSIZE = 65464;
/** RFC 2349: 1 to 255 seconds. */
export const MIN_TIMEOUT_S = 1;
export const MAX_TIMEOUT_S = 255;
/** RFC 7440: 1 to 65535 blocks. */
export const MAX_WINDOWSIZE = 65535;

export interface ServerLimits {
  /** Largest block the server offers (clients asking more get this). */
  maxBlksize: number;
  /** Largest window the server offers. */
  maxWindowsize: number;
  /**
   * Largest window in bytes (windowsize × blksize). A window arrives as one burst; a burst
   * larger than the client's receive buffer loses its tail every time (Linux's default UDP
   * receive buffer is 208 KiB, and a 64 KiB datagram takes about twice that in kernel memory;
   * U-Boot holds only a few packets), so the window offered shrinks to fit.
   */
  maxWindowBytes: number;
}

/** 128 KiB in flight: 16 blocks of 1468 bytes pass whole, 16 of 65464 become 2. */
export const DEFAULT_MAX_WINDOW_BYTES = 128 * 1024;

export interface Negotiated {
  blksize: number;
  windowsize: number;
  /** Retransmission timeout in milliseconds. */
  timeoutMs: number;
  /** What goes into the OACK; empty means no OACK (DATA 1 is sent at once). */
  oack: Map<string, string>;
}

function wholeNumber(v: string): number | undefined {
  return /^[0-9]{1,10}$/.test(v) ? Number(v) : undefined;
}

export function negotiate(options: ReadonlyMap<string, string>, transferSize: number, limits: ServerLimits, defaultTimeoutMs: number): Negotiated {
  const oack = new Map<string, string>();
  let blksize = DEFAULT_BLKSIZE;
  let windowsize = 1;
  let timeoutMs = defaultTimeoutMs;
  // Walk in the client's order so the OACK lists options as they were asked.
  for (const [name, value] of options) {
    const n = wholeNumber(value);
    switch (name) {
      case 'blksize':
        if (n !== undefined && n >= MIN_BLKSIZE) {
          blksize = Math.min(n, limits.maxBlksize, MAX_BLKSIZE);
          oack.set(name, String(blksize));
        }
        break;
      case 'tsize':
        // A reader sends 0 and learns the size; any other value is only meaningful for writes.
        if (n === 0) oack.set(name, String(transferSize));
        break;
      case 'timeout':
        if (n !== undefined && n >= MIN_TIMEOUT_S && n <= MAX_TIMEOUT_S) {
          timeoutMs = n * 1000;
          oack.set(name, String(n));
        }
        break;
      case 'windowsize':
        if (n !== undefined && n >= 1) {
          windowsize = Math.min(n, limits.maxWindowsize, MAX_WINDOWSIZE);
          oack.set(name, String(windowsize));
        }
        break;
      default:
        break; // unknown options are ignored (RFC 2347)
    }
  }
  if (oack.has('windowsize')) {
    windowsize = Math.max(1, Math.min(windowsize, Math.floor(limits.maxWindowBytes / blksize)));
    oack.set('windowsize', String(windowsize));
  }
  return { blksize, windowsize, timeoutMs, oack };
}
