// Fuzz target: the simulated `fdt` command on mutated arguments. The sample DTB is loaded and made
// the working FDT as boot scripts do, then a sequence of `fdt` commands runs with arguments drawn
// from the DTB's real paths and properties, value syntaxes and boundary numbers.
import fc from 'fast-check';
import type { FuzzTarget } from '../target.js';
import { createMachine, runCommands } from '../../../src/sim/uboot/index.js';
import { runArgv } from '../../../src/sim/uboot/hush/run.js';
import { sampleBoard, servedFolder } from '../sim-inputs.js';
import * as path from 'node:path';

const SUBCOMMANDS = ['addr', 'ad', 'move', 'resize', 're', 'print', 'list', 'set', 'get', 'mknode', 'mknod', 'rm', 'header', 'bootcpu',
  'memory', 'rsvmem', 'chosen', 'apply', 'checksign', 'x', ''];
const WORDS = [
  '/', '/chosen', '/memory@40000000', '/memory', '/cpus', '/cpus/cpu@0', '/pl011@9000000', '/chosen/dom0', 'serial0', 'nosuch', '/nosuch/x', '//',
  'reg', 'compatible', '#address-cells', '#size-cells', 'bootargs', 'xen,xen-bootargs', 'memory', 'cpus', 'status', 'linux,initrd-start',
  'value', 'size', 'addr', 'name', 'print', 'add', 'delete', 'v', 's',
  '<', '>', '<0>', '<0 0>', '<0x0 0x40000000 0x0 0x1000>', '<0x1', '0x2>', '<?>', '<-1>', '<0xffffffffffffffff>', '[', ']', '[00 11 22]', '[0g]', '"a"',
  'multiboot,module', 'xen,domain', 'disabled', '', ' ', '-c', '-q', '-cq', '-z',
  '0', '1', '10', '1024', '0x44000000', '44000000', '0x44000004', '0x40000000', '0x7fffffff', '0x80000000', '0xffffffff', '0x100000000',
  '0xfffff000', '0xffffffffffffffff', '0x3fffffff', 'zz',
];
const word = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...WORDS) }, fc.string({ maxLength: 12 }),
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((n) => `0x${n.toString(16)}`));
const command = fc.tuple(fc.constantFrom(...SUBCOMMANDS), fc.array(word, { maxLength: 6 })).map(([sub, args]) => [sub, ...args]);

export const target: FuzzTarget<string[][]> = {
  name: path.basename(new URL(import.meta.url).pathname).replace(/\.[jt]s$/, ''),
  arbitrary: fc.array(command, { minLength: 1, maxLength: 12 }),
  run(input) {
    const m = createMachine({ root: servedFolder(), board: sampleBoard() });
    runCommands(m, 'tftpb 0x44000000 virt.dtb\nfdt addr 0x44000000');
    for (const args of input) {
      runArgv(m, ['fdt', ...args]);
      if (m.stopped) break;
    }
  },
  encode: (input) => new Uint8Array(Buffer.from(JSON.stringify(input), 'utf8')),
  decode: (bytes) => JSON.parse(Buffer.from(bytes).toString('utf8')) as string[][],
};
