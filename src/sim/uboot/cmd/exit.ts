// Models U-Boot cmd/exit.c do_exit(). In U-Boot 2023.01 `exit` inside a sourced script does NOT stop
// it (verified on Debian's u-boot-qemu 2023.01: the next line still ran); the old-hush exit handling was
// repaired in v2023.04. We stop the script only for versions >= 2023.04.
import { defineCommand } from '../command.js';
import { atLeast } from '../version.js';

export default defineCommand({
  name: 'exit', maxArgs: 2, repeatable: true, source: 'cmd/exit.c',
  usage: 'exit script',
  help: '\n    - leave the running script',
  run(m, argv) {
    const r = argv[1] !== undefined ? Number.parseInt(argv[1], 10) || 0 : 0;
    if (!atLeast(m.version, '2023.04')) return 0;
    m.stopped = 'exit';
    return r;
  },
});
