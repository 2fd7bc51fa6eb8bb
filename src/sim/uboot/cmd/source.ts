// Models U-Boot cmd/source.c do_source() + common/command.c cmd_source_script(): print the banner,
// locate the script (boot/image-board.ts) and run it through hush. Observed on 2023.01: a DTB at the
// address gives "Bad FIT image format" (it passes fdt_check_header, so the FIT path is taken).
import { CMD_RET, defineCommand } from '../command.js';
import { hexToUl } from '../env.js';
import { hexPad } from '../../../util/hex.js';
import { locateScript } from '../boot/image-board.js';
import { runHush } from '../hush/run.js';

export default defineCommand({
  name: 'source', maxArgs: 2, repeatable: false, source: 'cmd/source.c',
  usage: 'run script from memory',
  help: '[addr]\n    - run the script image at addr (default: the load address)',
  run(m, argv) {
    const addr = argv[1] !== undefined ? hexToUl(argv[1]).value : m.build.loadAddr;
    m.console.line(`## Executing script at ${hexPad(addr, 8)}`);
    const script = locateScript(m, addr);
    if (!script) return CMD_RET.FAILURE;
    const text = Buffer.from(script).toString('latin1');
    return runHush(m, text, { recordFailures: m.depth <= 1 });
  },
});
