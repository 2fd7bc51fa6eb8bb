// Models U-Boot cmd/booti.c do_booti(): argv shell over boot/booti.ts.
import { SYS_MAXARGS, defineCommand } from '../command.js';
import { bootiStart } from '../boot/booti.js';

export default defineCommand({
  name: 'booti', maxArgs: SYS_MAXARGS, repeatable: true, source: 'cmd/booti.c',
  usage: "boot Linux kernel 'Image' format from memory",
  help: '[addr [initrd[:size]] [fdt]]\n    - boot an arm64 Image at addr with an optional ramdisk (- for none) and device tree',
  run(m, argv) {
    const [, addrImg, confRamdisk, confFdt] = argv;
    return bootiStart(m, { addrImg, confRamdisk, confFdt });
  },
});
