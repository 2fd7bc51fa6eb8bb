// Models U-Boot cmd/bootz.c do_bootz(): argv shell over boot/bootz.ts.
import { SYS_MAXARGS, defineCommand } from '../command.js';
import { bootzStart } from '../boot/bootz.js';

export default defineCommand({
  name: 'bootz', maxArgs: SYS_MAXARGS, repeatable: true, source: 'cmd/bootz.c',
  usage: "boot Linux zImage image from memory",
  help: '[addr [initrd[:size]] [fdt]]\n    - boot an arm zImage at addr',
  run(m, argv) {
    const [, addr, ramdisk, fdt] = argv;
    return bootzStart(m, { addr, ramdisk, fdt });
  },
});
