// Models U-Boot cmd/fs.c (load) and fs/fs.c do_load() / fs_read_lmb_check(), plus the legacy
// per-filesystem commands (cmd/fat.c fatload, cmd/ext4.c ext4load / ext2load) that share it.
// The served folder plays the partition: any `<interface> <dev[:part]>` names it.
//   load <interface> [<dev[:part]> [<addr> [<filename> [bytes [pos]]]]]
// Success prints "%llu bytes read in %lu ms" (we print 0 ms; the real run adds a rate) and sets
// fileaddr/filesize; a missing file or a reserved/out-of-RAM destination fails and keeps them.
import { CMD_RET, defineCommand, type Command } from '../command.js';
import { efiSetBootdev } from './bootefi.js';
import type { Machine } from '../machine.js';
import { hexToUl } from '../env.js';

const INTERFACES = new Set(['mmc', 'usb', 'virtio', 'scsi', 'sata', 'nvme', 'host', 'ide', 'hostfs', 'ubi', 'pvblock']);

function doLoad(m: Machine, argv: readonly string[]): number {
  if (argv.length < 2) return CMD_RET.USAGE;
  const iface = argv[1]!;
  // fs_set_blk_dev() → blk_get_device_part_str(): a missing, empty or "-" dev:part falls back to $bootdevice;
  // without one it is "** No device specified **". Every failure there ends with "Couldn't find partition
  // <if> <dev>" (printf's "<NULL>" for a missing argument) and "Can't set block device" (seen on real 2023.01).
  const devArg = argv[2];
  const dev = devArg === undefined || devArg === '' || devArg === '-' ? m.env.get('bootdevice') : devArg;
  const badDevice = (reason: string): number => {
    m.console.line(reason);
    m.console.line(`Couldn't find partition ${iface} ${devArg ?? '<NULL>'}`);
    m.console.line("Can't set block device");
    return CMD_RET.FAILURE;
  };
  if (dev === undefined) return badDevice('** No device specified **');
  if (!INTERFACES.has(iface) || !/^[0-9a-fA-F]+(:[0-9a-fA-F]+|:auto)?$/.test(dev)) {
    return badDevice(`** Bad device specification ${iface} ${dev} **`);
  }
  let addr: number;
  if (argv[3] !== undefined) {
    const a = hexToUl(argv[3]);
    if (!a.whole) return CMD_RET.USAGE;
    addr = a.value;
  } else {
    const la = m.env.get('loadaddr');
    addr = la !== undefined ? hexToUl(la).value : m.build.loadAddr;
  }
  const filename = argv[4] ?? m.env.get('bootfile');
  if (filename === undefined) { m.console.line('** No boot file defined **'); return CMD_RET.FAILURE; }
  const bytes = argv[5] !== undefined ? hexToUl(argv[5]).value : 0;
  const pos = argv[6] !== undefined ? hexToUl(argv[6]).value : 0;
  const f = m.files.resolve(filename);
  if (!f) {
    // The FAT driver (fs/fat/fat.c) is silent about a missing file: real 2023.01 prints only this line.
    m.console.line(`Failed to load '${filename}'`);
    return CMD_RET.FAILURE;
  }
  const avail = Math.max(0, f.size - pos);
  const len = bytes > 0 ? Math.min(bytes, avail) : avail;
  if (!m.canLoad(addr, Math.max(len, 1))) {
    m.console.line('** Reading file would overwrite reserved memory **');
    m.console.line(`Failed to load '${filename}'`);
    return CMD_RET.FAILURE;
  }
  m.ram.writeFile(addr, f, pos, len);
  m.reserveLoaded(addr, len);
  m.console.line(`${len} bytes read in 0 ms`);
  m.env.setHex('fileaddr', addr);
  m.env.setHex('filesize', len);
  efiSetBootdev(m, addr, len, filename, 'block');
  return CMD_RET.SUCCESS;
}

const mk = (name: string, usage: string, source: string): Command => defineCommand({
  name, maxArgs: 7, repeatable: false, source, usage,
  help: '<interface> [<dev[:part]> [<addr> [<filename> [bytes [pos]]]]]\n    - load a file from a partition to addr',
  run: doLoad,
});

export const load = mk('load', 'load binary file from a filesystem', 'cmd/fs.c');
export const fatload = mk('fatload', 'load binary file from a dos filesystem', 'cmd/fat.c');
export const ext4load = mk('ext4load', 'load binary file from a Ext4 filesystem', 'cmd/ext4.c');
export const ext2load = mk('ext2load', 'load binary file from a Ext2 filesystem', 'cmd/ext4.c');
