// Models U-Boot cmd/net.c do_tftpb() / netboot_common() and net/tftp.c as a QEMU user-mode
// network (slirp TFTP) presents them. Console text verified on U-Boot 2023.01:
//   Using virtio-net#32 device
//   TFTP from server 10.0.2.2; our IP address is 10.0.2.15
//   Filename 'virt.dtb'.
//   Load address: 0x44a00000
//   Loading: *#
//   done
//   Bytes transferred = 1251 (4e3 hex)
// (the real console also prints a transfer-rate line such as "\t 1.2 MiB/s" before "done"; it is timing
// and is not reproduced). Failures: a missing file → "TFTP error: 'File not found' (1)" + "Not retrying...";
// a destination outside RAM or inside U-Boot's window → an empty line + "TFTP error: trying to overwrite
// reserved memory..." before any "Load address" line; a file that runs INTO the window fails after the
// blocks that fit. filesize/fileaddr change only on success. env autostart=yes boots the file (bootm).
import { CMD_RET, defineCommand } from '../command.js';
import type { Machine } from '../machine.js';
import { hexToUl } from '../env.js';
import { hexBare } from '../../../util/hex.js';
import { cmdProcess } from '../command.js';
import type { Served } from '../files.js';
import { lwipTftpTransfer } from '../net-lwip.js';
import { atLeast } from '../version.js';
import { efiSetBootdev } from './bootefi.js';

/** CONFIG_TFTP_BLOCKSIZE default; '#' every 10 blocks, 65 per line (net/tftp.c show_block_marker()). */
const TFTP_BLOCKSIZE = 1468;
const HASHES_PER_LINE = 65;

function progress(m: Machine, blocks: number): void {
  // One '#' per 10 blocks, HASHES_PER_LINE to a line; built as one string (a 32 MiB file is 2286 hashes).
  const hashes = Math.ceil(blocks / 10);
  let text = 'Loading: *';
  for (let h = 0; h < hashes; h++) text += h > 0 && h % HASHES_PER_LINE === 0 ? '\n\t #' : '#';
  m.console.puts(text);
}

/** Store the first `length` bytes of what is served at `addr` (files stay file-backed). */
function store(m: Machine, addr: number, served: Served, length: number): void {
  if ('bytes' in served) m.ram.write(addr, served.bytes.subarray(0, length), served.name);
  else m.ram.writeFile(addr, served, 0, length);
  m.reserveLoaded(addr, length);
}

/**
 * The transfer part of tftpboot once the file exists: blocks are stored one by one; the first block
 * that would reach reserved memory stops it. Prints from "Loading:" on; sets filesize/fileaddr on success.
 */
export function tftpLoadServed(m: Machine, addr: number, served: Served): number {
  const totalBlocks = Math.floor(served.size / TFTP_BLOCKSIZE) + 1;
  let okBlocks = totalBlocks;
  if (!m.canLoad(addr, Math.max(served.size, 1))) {
    for (let b = 0; b < totalBlocks; b++) {
      const len = Math.min(TFTP_BLOCKSIZE, served.size - b * TFTP_BLOCKSIZE);
      if (len > 0 && !m.canLoad(addr + b * TFTP_BLOCKSIZE, len)) { okBlocks = b; break; }
    }
  }
  if (okBlocks < totalBlocks) {
    store(m, addr, served, okBlocks * TFTP_BLOCKSIZE);
    progress(m, okBlocks + 1);
    m.console.puts('\n');
    m.console.line('TFTP error: trying to overwrite reserved memory...');
    return CMD_RET.FAILURE;
  }
  store(m, addr, served, served.size);
  progress(m, totalBlocks);
  m.console.puts('\n');
  m.console.line('done');
  m.console.line(`Bytes transferred = ${served.size} (${hexBare(served.size)} hex)`);
  if (served.size > 0) {
    m.env.setHex('filesize', served.size);
    m.env.setHex('fileaddr', addr);
  }
  efiSetBootdev(m, addr, served.size, served.name, 'net');
  return CMD_RET.SUCCESS;
}

/** tftpboot semantics (netboot_common()). Returns the command status. */
export function tftpLoad(m: Machine, argv: readonly string[]): number {
  let addr = hexToUl(m.env.get('loadaddr') ?? '').digits > 0 ? hexToUl(m.env.get('loadaddr')!).value : m.build.loadAddr;
  let file: string | undefined;
  if (argv.length === 2) {
    const a = hexToUl(argv[1]!);
    if (a.whole) addr = a.value; else file = argv[1];
  } else if (argv.length === 3) {
    addr = hexToUl(argv[1]!).value;
    file = argv[2];
  }
  const ip = m.env.get('ipaddr') ?? m.build.ipAddr;
  let server = m.env.get('serverip') ?? m.build.serverIp;
  if (file === undefined) {
    file = m.env.get('bootfile');
    if (file === undefined) {
      file = `${ip.split('.').map((p) => Number(p).toString(16).toUpperCase().padStart(2, '0')).join('')}.img`;
      m.console.line(`*** Warning: no boot file name; using '${file}'`);
    }
  }
  const colon = file.indexOf(':');
  if (colon > 0) { server = file.slice(0, colon); file = file.slice(colon + 1); }
  m.console.line(`Using ${m.build.ethDevice} device`);
  m.console.line(`TFTP from server ${server}; our IP address is ${ip}`);
  m.console.line(`Filename '${file}'.`);
  if (m.build.netStack === 'lwip') {
    // net/lwip/tftp.c tftp_loop(): no reserved-memory check before the transfer, "Load address" always.
    m.console.line(`Load address: 0x${hexBare(addr)}`);
    const lwipServed = m.files.resolve(file);
    const rc = lwipTftpTransfer(m, addr, lwipServed, (len) => { if (lwipServed && len > 0) store(m, addr, lwipServed, len); });
    // net/lwip/tftp.c remembers the file for bootefi as net/tftp.c does.
    // (with the bytes stored: 0 after a refused first block, which lwIP still reports as done)
    if (rc === 0 && lwipServed) efiSetBootdev(m, addr, Number.parseInt(m.env.get('filesize') ?? '0', 16), lwipServed.name, 'net');
    return rc === 0 ? autostart(m, addr) : CMD_RET.FAILURE;
  }
  // Until v2024.10, tftp_init_load_addr() (net/tftp.c) refused a load address inside U-Boot's LMB
  // reservations before printing it. From v2025.01 it always succeeds: the first block's store fails
  // instead (lmb_read_check() in store_block()), after "Load address" and "Loading: *#".
  if (!atLeast(m.version, '2025.01') && !m.canLoad(addr, 1)) {
    m.console.line('');
    m.console.line('TFTP error: trying to overwrite reserved memory...');
    return CMD_RET.FAILURE;
  }
  m.console.line(`Load address: 0x${hexBare(addr)}`);
  const served = m.files.resolve(file);
  if (!served) {
    m.console.puts('Loading: *\n');
    m.console.line("TFTP error: 'File not found' (1)");
    m.console.line('Not retrying...');
    return CMD_RET.FAILURE;
  }
  const rc = tftpLoadServed(m, addr, served);
  if (rc !== 0) return rc;
  return autostart(m, addr);
}

/** env autostart=yes boots what was loaded (netboot_common()). */
function autostart(m: Machine, addr: number): number {
  if (m.env.get('autostart') === 'yes') {
    m.console.line(`Automatic boot of image at addr 0x${addr.toString(16).toUpperCase().padStart(8, '0')} ...`);
    return cmdProcess(m, m.commands, ['bootm', hexBare(addr)]);
  }
  return CMD_RET.SUCCESS;
}

export const tftpboot = defineCommand({
  name: 'tftpboot', maxArgs: 3, repeatable: true, source: 'cmd/net.c',
  usage: 'load file via network using TFTP protocol',
  help: '[loadAddress] [[hostIPaddr:]bootfilename]',
  run(m, argv) { return tftpLoad(m, argv); },
});
