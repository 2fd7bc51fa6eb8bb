// Models U-Boot cmd/setexpr.c do_setexpr() for integer expressions: `setexpr NAME VALUE` and
// `setexpr NAME A OP B` with OP in + - * / % & | ^. Operands are hex (hextoul, 0x optional), the
// result is stored as env_set_hex() does: lower-case hex without 0x. Arithmetic is 64-bit unsigned
// (ulong on arm64); division by zero yields 0 and modulo by zero yields A, as the AArch64 UDIV
// instruction does (observed: `setexpr r 7 / 0` → r=0 on U-Boot 2023.01 in QEMU). Operands are kept exact as
// BigInt (real 2023.01: `setexpr r ffffffffffffffff + 2` → 1). do_setexpr() prints the usage for a wrong argument
// count or an operator longer than one character (`==`), and "invalid op" (rc 1) for an unknown single
// character (`?`, `<`), both seen on real 2023.01.
import { CMD_RET, defineCommand } from '../command.js';
import { hexToUl } from '../env.js';

const U64 = 1n << 64n;

export default defineCommand({
  name: 'setexpr', maxArgs: 6, repeatable: false, source: 'cmd/setexpr.c',
  usage: 'set environment variable as the result of eval expression',
  help: 'name value1 <op> value2\n    - set name to value1 <op> value2 (hex); <op> one of + - * / % & | ^\nsetexpr name value\n    - set name to value',
  run(m, argv) {
    if (argv.length !== 3 && argv.length !== 5) return CMD_RET.USAGE;
    if (argv.length === 5 && argv[3]!.length !== 1) return CMD_RET.USAGE;
    const name = argv[1]!;
    const a = hexToUl(argv[2]!).big;
    if (argv.length === 3) { m.env.set(name, a.toString(16)); return CMD_RET.SUCCESS; }
    const op = argv[3]!;
    const b = hexToUl(argv[4]!).big;
    let v: bigint;
    switch (op) {
      case '+': v = a + b; break;
      case '-': v = a - b; break;
      case '*': v = a * b; break;
      case '/': v = b === 0n ? 0n : a / b; break;
      case '%': v = b === 0n ? a : a % b; break;
      case '&': v = a & b; break;
      case '|': v = a | b; break;
      case '^': v = a ^ b; break;
      default: m.console.line('invalid op'); return CMD_RET.FAILURE;
    }
    v = ((v % U64) + U64) % U64;
    m.env.set(name, v.toString(16));
    return CMD_RET.SUCCESS;
  },
});
