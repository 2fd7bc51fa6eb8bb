// The lwIP network stack's tftpboot (net/lwip/tftp.c, CONFIG_NET_LWIP), which boards that select
// it run instead of the legacy net/tftp.c. Same command, same addresses and file names; its own
// progress and error text, read in U-Boot's source at the tags named:
//   "Loading: " without the legacy '*'; '#' every 10 blocks and "\n\t " every 650 (v2025.01 on);
//   v2026.04: the client asks for the file size (tsize) and prints 50 '#' and "  <size>" instead;
//   a server error is "\nTFTP error: <code> (<message>)" (the legacy stack: "TFTP error: '<message>' (<code>)"
//   then "Not retrying..."), with no retry line; <code> is the packet's 16-bit field as it lies in
//   memory (lib/lwip/.../apps/tftp/tftp.c passes sbuf[1] unconverted), so on the little-endian Arm
//   boards "File not found" (1) prints as 256 (a real v2026.04 lwIP boot);
//   a store into reserved memory is refused only from v2025.07 (store_block() gained the LMB check),
//   with the legacy text; v2025.04's lwIP stores it. The refused write makes the lwIP client send an
//   error and close the transfer, and tftp_close() has no failure on record: it finishes the marks,
//   prints "done" and the bytes stored before the refused block, and tftpboot succeeds (real v2026.04).
//   tftpblocksize is honoured; filesize and fileaddr are set on success only.
// Transfer-rate lines ("\t 1.2 MiB/s") are timing and are not reproduced, as for the legacy stack.
import type { Machine } from './machine.js';
import type { Served } from './files.js';
import { atLeast } from './version.js';

/** CONFIG_TFTP_BLOCKSIZE default. */
const TFTP_BLOCKSIZE = 1468;

/** lib/display_options.c print_size(): "1.2 KiB", "32 MiB", "512 Bytes". */
export function printSize(size: number, suffix = ''): string {
  const names = ['E', 'P', 'T', 'G', 'M', 'K'];
  const big = BigInt(size);
  for (let i = 0; i < names.length; i++) {
    const d = BigInt(10 * (names.length - i));
    if ((big >> d) === 0n) continue;
    let n = big >> d;
    const f = big & ((1n << d) - 1n);
    let m = 0n;
    let c = names[i]!;
    if (f) {
      m = (10n * f + (1n << (d - 1n))) >> d;
      if (m >= 10n) {
        m -= 10n;
        n += 1n;
        if (n === 1024n && i > 0) { n = 1n; m = 0n; c = names[i - 1]!; }
      }
    }
    return `${n}${m ? `.${m}` : ''} ${c}iB${suffix}`;
  }
  return `${size} Bytes${suffix}`;
}

/** tftpblocksize from the environment (decimal, simple_strtol), else the default. */
function blockSize(m: Machine): number {
  const v = m.env.get('tftpblocksize');
  const n = v !== undefined ? Number.parseInt(v, 10) : NaN;
  return Number.isFinite(n) && n > 0 ? n : TFTP_BLOCKSIZE;
}

/** The lwIP transfer once the header lines are printed; 0 on success, 1 on failure. */
export function lwipTftpTransfer(m: Machine, addr: number, served: Served | undefined, store: (len: number) => void): number {
  m.console.puts('Loading: ');
  if (!served) {
    // slirp's and tftpd's answer to a missing file: error 1, "File not found".
    m.console.puts('\n');
    m.console.line(`TFTP error: ${wireOrder16(1)} (File not found)`);
    return 1;
  }
  const bs = blockSize(m);
  const blocks = Math.ceil(served.size / bs);
  let stored = served.size;
  // Before v2025.07 nothing is checked and a store outside RAM is undefined; the simulator stops it with the same text.
  const fits = (a: number, len: number): boolean => (atLeast(m.version, '2025.07') ? m.canLoad(a, len) : m.ram.inRam(a, len));
  for (let b = 0; b < blocks; b++) {
    const len = Math.min(bs, served.size - b * bs);
    if (!fits(addr + b * bs, len)) { stored = b * bs; break; }
  }
  const tsize = atLeast(m.version, '2026.04') && served.size > 0;
  // With tsize, store_block() keeps hash_count at 50 marks per file size stored.
  const hashCount = tsize ? Math.floor((stored * 50) / served.size) : 0;
  let text = '';
  if (tsize) {
    text += '#'.repeat(hashCount);
  } else {
    for (let b = 1; b <= Math.ceil(stored / bs); b++) {
      if (b % 10 === 0) text += '#';
      if (b % 650 === 0) text += '\n\t ';
    }
  }
  m.console.puts(text);
  store(stored);
  if (stored < served.size) {
    m.console.puts('\n');
    m.console.line('TFTP error: trying to overwrite reserved memory...');
    // Before v2025.07 nothing refuses the store (the simulator stops it there and says so above).
    if (!atLeast(m.version, '2025.07')) return 1;
    // tftp_close() after the refused write: the marks up to 49, then as after a whole transfer.
    if (tsize) m.console.puts('#'.repeat(Math.max(0, 49 - hashCount)));
  }
  // tftp_close(): after a whole transfer the 50th '#' is already out; then two spaces and the size.
  if (tsize) m.console.puts(`  ${printSize(served.size)}`);
  m.console.puts('\n');
  m.console.line('done');
  m.console.line(`Bytes transferred = ${stored} (${stored.toString(16)} hex)`);
  m.env.setHex('filesize', stored);
  m.env.setHex('fileaddr', addr);
  return 0;
}

/** A 16-bit protocol field read in place on a little-endian CPU: its two bytes swapped. */
const wireOrder16 = (v: number): number => ((v & 0xff) << 8) | ((v >> 8) & 0xff);
