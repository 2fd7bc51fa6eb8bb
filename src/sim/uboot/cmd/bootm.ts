// Models U-Boot cmd/bootm.c do_bootm(): argv shell over boot/bootm-legacy.ts.
import { SYS_MAXARGS, defineCommand } from '../command.js';
import { bootmStart } from '../boot/bootm-legacy.js';

export default defineCommand({
  name: 'bootm', maxArgs: SYS_MAXARGS, repeatable: true, source: 'cmd/bootm.c',
  usage: 'boot application image from memory',
  help: '[addr [arg ...]]\n    - boot a legacy uImage at addr; then the ramdisk (- for none) and the device tree',
  run(m, argv) {
    const [name, addr, ramdisk, fdt] = argv;
    return bootmStart(m, { addr, ramdisk, fdt, cmdName: name === undefined ? 'bootm' : 'bootm' });
  },
});
