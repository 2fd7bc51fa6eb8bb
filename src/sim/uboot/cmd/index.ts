// THE command table (U-Boot's linker list of U_BOOT_CMD entries). Modelled commands come from one
// file per U-Boot source file. Every other command of Debian's qemu_arm64 U-Boot 2023.01 (names from
// its `help` output) is listed as "not modelled": it exists, so prefix matching is as ambiguous as on
// the board (`e` is ambiguous, `tftp` is tftpboot), and running it fails visibly.
import { defineCommand, type Command } from '../command.js';
import booti from './booti.js';
import bootefi from './bootefi.js';
import bootm from './bootm.js';
import bootz from './bootz.js';
import echo from './echo.js';
import exit from './exit.js';
import fdt from './fdt.js';
import fpga from './fpga.js';
import imxtract from './imxtract.js';
import { ext2load, ext4load, fatload, load } from './fs.js';
import { tftpboot } from './net.js';
import { env, printenv, run, setenv } from './nvedit.js';
import setexpr from './setexpr.js';
import source from './source.js';
import { falseCmd, test, trueCmd } from './test.js';

export const MODELLED_COMMANDS: readonly Command[] = [
  bootefi, booti, bootm, bootz, echo, env, exit, ext2load, ext4load, falseCmd, fatload, fdt, fpga, imxtract, load, printenv, run, setenv,
  setexpr, source, test, tftpboot, trueCmd,
].sort((a, b) => (a.name < b.name ? -1 : 1));

/** Commands present in qemu_arm64 U-Boot 2023.01 that the simulator does not model. */
export const UNMODELLED_COMMAND_NAMES: readonly string[] = [
  '?', 'base', 'bdinfo', 'blkcache', 'boot', 'bootd', 'bootelf', 'bootflow', 'bootp', 'bootvx', 'chpart',
  'cmp', 'coninfo', 'cp', 'crc32', 'date', 'dfu', 'dhcp', 'dm', 'editenv', 'erase', 'ext2ls', 'ext4ls', 'ext4size',
  'fatinfo', 'fatls', 'fatmkdir', 'fatrm', 'fatsize', 'fatwrite', 'flinfo', 'fstype', 'fstypes', 'go', 'gzwrite',
  'help', 'iminfo', 'itest', 'ln', 'loadb', 'loads', 'loadx', 'loady', 'loop', 'ls', 'lzmadec', 'md',
  'mii', 'mm', 'mtd', 'mtdparts', 'mw', 'net', 'nfs', 'nm', 'nvme', 'panic', 'part', 'pci', 'ping', 'poweroff',
  'protect', 'pxe', 'qfw', 'random', 'reset', 'save', 'saveenv', 'scsi', 'scsiboot', 'showvar', 'size', 'sleep',
  'sysboot', 'tpm', 'tpm2', 'unlz4', 'unzip', 'usb', 'usbboot', 'version', 'virtio',
];

const unmodelled = (name: string): Command => defineCommand({
  name, maxArgs: 255, repeatable: false, source: 'not modelled', usage: 'not modelled by the simulator',
  run(m) {
    m.console.line(`## uboot-gen simulator: command '${name}' is not modelled`);
    return 1;
  },
});

/** Every command name of the real build: modelled ones plus placeholders. */
export const COMMANDS: readonly Command[] = [
  ...MODELLED_COMMANDS,
  ...UNMODELLED_COMMAND_NAMES.map(unmodelled),
].sort((a, b) => (a.name < b.name ? -1 : 1));

/** The table of a build: `exclude` drops commands not compiled in (Debian's qemu_arm64 has no bootz). */
export function commandTable(exclude: readonly string[]): readonly Command[] {
  return COMMANDS.filter((c) => !exclude.includes(c.name));
}
