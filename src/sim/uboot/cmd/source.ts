// Models U-Boot cmd/source.c do_source() + common/command.c cmd_source_script(): print the banner,
// locate the script (boot/image-board.ts) and run it through hush. Observed on 2023.01: a DTB at the
// address gives "Bad FIT image format" (it passes fdt_check_header, so the FIT path is taken).
// `source ADDR:NAME` runs the script image NAME of the FIT at ADDR (fit_parse_subimage(): an empty ADDR
// means the current load address), as ImageBuilder's FIT mode boots.
import { CMD_RET, defineCommand } from '../command.js';
import { hexToUl } from '../env.js';
import { hexBare, hexPad } from '../../../util/hex.js';
import { locateScript } from '../boot/image-board.js';
import { runHush } from '../hush/run.js';

export default defineCommand({
  name: 'source', maxArgs: 2, repeatable: false, source: 'cmd/source.c',
  usage: 'run script from memory',
  help: '[addr]\n    - run the script image at addr (default: the load address)\n'
    + 'For FIT format uImage addr must include subimage\nunit name in the form of addr:<subimg_uname>',
  run(m, argv) {
    let addr = m.build.loadAddr;
    let fitUname: string | undefined;
    const arg = argv[1];
    if (arg !== undefined) {
      const colon = arg.indexOf(':');
      if (colon >= 0) {
        const loadaddr = m.env.get('loadaddr');
        if (colon > 0) addr = hexToUl(arg.slice(0, colon)).value;
        else if (loadaddr !== undefined) addr = hexToUl(loadaddr).value;
        fitUname = arg.slice(colon + 1);
      } else {
        addr = hexToUl(arg).value;
      }
    }
    m.console.line(`## Executing script at ${hexPad(addr, 8)}`);
    const script = locateScript(m, addr, fitUname);
    if (!script) return CMD_RET.FAILURE;
    // run_command_list() copies the script into the heap first and returns 1, silently, when
    // malloc fails; parse_string_outer() then copies it again with xmalloc(), which hangs on failure.
    if (script.len + 1 > m.heapFree()) return CMD_RET.FAILURE;
    if (2 * script.len + 3 > m.heapFree()) {
      m.hang('ERROR : xmalloc failed', `the ${script.len}-byte script does not fit twice in U-Boot's ${m.build.mallocLen}-byte heap (CONFIG_SYS_MALLOC_LEN): hush prints "ERROR : xmalloc failed" and hangs${m.where()}`);
      return CMD_RET.FAILURE;
    }
    const bytes = m.ram.read(script.addr, script.len);
    // cmd_source_script() hands the script to run_command_list() as a C string, so it ends at the first NUL
    // byte (seen on real 2023.01 with verify=n: "echo\0hello…" runs `echo` alone and nothing after it).
    const nul = bytes.indexOf(0);
    const text = Buffer.from(nul >= 0 ? bytes.subarray(0, nul) : bytes).toString('latin1');
    return runHush(m, text, { recordFailures: m.depth <= 1, what: `source ${hexBare(addr)}` });
  },
});
