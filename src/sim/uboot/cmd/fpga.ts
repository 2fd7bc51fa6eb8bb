// Models U-Boot cmd/fpga.c `fpga load DEV ADDR SIZE` (do_fpga_wrapper → do_fpga_check_params →
// drivers/fpga/fpga.c fpga_load()): exactly three parameters; DEV from the `fpga` variable when
// set, else the first parameter (hex); a zero address or size is refused; fpga_validate() says
// "Invalid device number N" for a device the board does not have. The programming itself is not
// modelled: a device accepts the bytes when every one of them was loaded into RAM (a bitstream
// that was never fully loaded would program garbage). Only `load` is modelled; Debian's
// qemu_arm64 build has no fpga command at all (the table leaves it out for QEMU).
import { CMD_RET, defineCommand } from '../command.js';
import { hexToUl } from '../env.js';

const SUBCOMMANDS = ['info', 'dump', 'load', 'loadb', 'loadp', 'loadbp', 'loadmk', 'loads'];

/** simple_strtol(s, NULL, 16): optional sign and 0x, hex digits up to the first other character. */
function strtolHex(s: string): number {
  const m = /^\s*([+-]?)(?:0[xX])?([0-9a-fA-F]*)/.exec(s)!;
  const v = m[2] ? parseInt(m[2], 16) : 0;
  return m[1] === '-' ? -v : v;
}

export default defineCommand({
  name: 'fpga', maxArgs: 6, repeatable: false, source: 'cmd/fpga.c',
  usage: 'loadable FPGA image support',
  help: 'load <dev> <address> <size>\n    - load a bitstream of <size> bytes at <address> into FPGA device <dev>',
  run(m, argv) {
    if (argv.length < 2) return CMD_RET.USAGE;
    // find_cmd_tbl(): an exact name, else a unique prefix.
    const word = argv[1]!;
    const matches = SUBCOMMANDS.filter((c) => c.startsWith(word));
    const sub = SUBCOMMANDS.includes(word) ? word : matches.length === 1 ? matches[0]! : undefined;
    if (sub === undefined) { m.console.line('Non existing command'); return CMD_RET.FAILURE; }
    if (sub !== 'load') { m.console.line(`## uboot-gen simulator: fpga ${sub} is not modelled`); return CMD_RET.FAILURE; }
    const args = argv.slice(2);
    if (args.length > 3) { m.console.line('Too many parameters passed'); return CMD_RET.FAILURE; }
    if (args.length !== 3) { m.console.line('Incorrect number of parameters passed'); return CMD_RET.FAILURE; }
    const fromEnv = m.env.get('fpga');
    const dev = fromEnv !== undefined ? strtolHex(fromEnv) : strtolHex(args[0]!);
    const addr = strtolHex(args[1]!);
    if (addr === 0) { m.console.line('Zero fpga_data address'); return CMD_RET.FAILURE; }
    const size = hexToUl(args[2]!).value;
    if (size === 0) { m.console.line('Zero size'); return CMD_RET.FAILURE; }
    if (dev < 0 || dev >= (m.board.fpgaDevices ?? 0)) { m.console.line(`Invalid device number ${dev}`); return CMD_RET.FAILURE; }
    let covered = 0;
    for (const seg of m.ram.segments(addr, size)) covered += seg.length;
    if (covered < size) {
      m.console.line(`## uboot-gen simulator: only ${covered} of the ${size} bytes at 0x${addr.toString(16)} were loaded, so FPGA ${dev} would be programmed with garbage`);
      return CMD_RET.FAILURE;
    }
    m.fpgaLoads.push({ device: dev, addr, size });
    return CMD_RET.SUCCESS;
  },
});
