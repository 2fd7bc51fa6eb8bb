// Models U-Boot cmd/echo.c do_echo(): arguments joined by one space, newline unless `-n` first.
import { CMD_RET, SYS_MAXARGS, defineCommand } from '../command.js';

export default defineCommand({
  name: 'echo', maxArgs: SYS_MAXARGS, repeatable: true, source: 'cmd/echo.c',
  usage: 'echo args to console',
  help: '[-n] [args..]\n    - print the arguments separated by spaces; -n suppresses the newline',
  run(m, argv) {
    let args = argv.slice(1);
    let newline = true;
    if (args[0] === '-n') { newline = false; args = args.slice(1); }
    m.console.puts(args.join(' ') + (newline ? '\n' : ''));
    return CMD_RET.SUCCESS;
  },
});
