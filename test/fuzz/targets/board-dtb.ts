// A board DTB through the reader (sizeImage + the 'dtb' role check), then, if the reader
// accepts it, through the two consumers that trust it: the planner's board reader and the
// simulator's board profile. Whatever the reader lets through must be safe for both.
import { UbootGenError } from '../../../src/errors.js';
import { checkRole } from '../../../src/images/roles.js';
import { sizeImage } from '../../../src/images/probe-file.js';
import { readBoard } from '../../../src/plan/board.js';
import { boardFromDtb } from '../../../src/sim/uboot/board.js';
import { bytesCodec, mutatedBytes, seedFiles, seedFolder } from '../byte-mutations.js';
import { hostileDtbs } from '../hostile-dtbs.js';
import type { FuzzTarget } from '../target.js';
import { memoryIo } from './images-probe.js';

const seeds = [
  ...seedFolder('test/fixtures/dtb', (n) => n.endsWith('.dtb') && n !== 'qemu-virt-gicv3-2g.dtb'),
  ...seedFiles('samples/virt.dtb'),
  ...hostileDtbs(),
];

export const target: FuzzTarget<Uint8Array> = {
  name: 'board-dtb',
  arbitrary: mutatedBytes(seeds),
  run(bytes) {
    try {
      checkRole(sizeImage('board.dtb', 'DEVICE_TREE', memoryIo(bytes)), 'dtb', 'DEVICE_TREE');
    } catch (e) {
      if (e instanceof UbootGenError) return; // refused with a reason: nothing downstream sees it
      throw e;
    }
    const fdt = bytes.slice();
    const board = readBoard(fdt, 'DEVICE_TREE "board.dtb"');
    board.hasPath('/chosen');
    boardFromDtb(fdt, 'board.dtb');
  },
  ...bytesCodec,
};
