// Models U-Boot cmd/nvedit.c: setenv (env_do_env_set()), printenv, `env` sub-commands and `run`.
// Messages verified against U-Boot 2023.01 (note the missing space in "'='in variable name").
import { CMD_RET, SYS_MAXARGS, defineCommand, findCommand, type Command } from '../command.js';
import type { Machine } from '../machine.js';
import { runHush } from '../hush/run.js';

/** ENV_SIZE of Debian's qemu_arm64 (flash env, 256 KiB minus the CRC word), printed by printenv. */
const ENV_SIZE = 262140;

function envSet(m: Machine, argv: readonly string[]): number {
  let args = argv.slice(1);
  while (args[0]?.startsWith('-')) {
    if (args[0] !== '-f') return CMD_RET.USAGE;
    args = args.slice(1);
  }
  const name = args[0];
  if (name === undefined) return CMD_RET.USAGE;
  if (name.includes('=')) {
    m.console.line(`## Error: illegal character '='in variable name "${name}"`);
    return CMD_RET.FAILURE;
  }
  if (args.length === 1) { m.env.delete(name); return CMD_RET.SUCCESS; }
  const value = args.slice(1).join(' ');
  // _do_env_set() first mallocs the joined value (len = sum of strlen(arg) + 1), then hsearch_r()
  // strdup()s it into the table before the first copy is freed: either can fail on a full heap.
  const len = value.length + 1;
  if (len > m.heapFree()) {
    m.console.line(`## Can't malloc ${len} bytes`);
    return CMD_RET.FAILURE;
  }
  if (2 * len + name.length + 1 > m.heapFree()) {
    m.console.line(`## Error inserting "${name}" variable, errno=12`);
    return CMD_RET.FAILURE;
  }
  m.env.set(name, value);
  return CMD_RET.SUCCESS;
}

function envPrint(m: Machine, names: readonly string[]): number {
  if (names.length === 0) {
    let size = 0;
    for (const [k, v] of m.env.entries()) {
      m.console.line(`${k}=${v}`);
      size += k.length + v.length + 2;
    }
    m.console.line('');
    m.console.line(`Environment size: ${size}/${ENV_SIZE} bytes`);
    return CMD_RET.SUCCESS;
  }
  let rc = CMD_RET.SUCCESS as number;
  for (const n of names) {
    const v = m.env.get(n);
    if (v === undefined) { m.console.line(`## Error: "${n}" not defined`); rc = CMD_RET.FAILURE; } else m.console.line(`${n}=${v}`);
  }
  return rc;
}

export const setenv = defineCommand({
  name: 'setenv', maxArgs: SYS_MAXARGS, repeatable: false, source: 'cmd/nvedit.c',
  usage: 'set environment variables',
  help: '[-f] name value ...\n    - set environment variable name to the arguments joined by spaces\nsetenv [-f] name\n    - delete environment variable name',
  run(m, argv) { return argv.length < 2 ? CMD_RET.USAGE : envSet(m, argv); },
});

export const printenv = defineCommand({
  name: 'printenv', maxArgs: SYS_MAXARGS, repeatable: true, source: 'cmd/nvedit.c',
  usage: 'print environment variables',
  help: '[name ...]\n    - print the values of all (or the named) environment variables',
  run(m, argv) { return envPrint(m, argv.slice(1)); },
});

const ENV_SUBCOMMANDS: readonly Command[] = [
  defineCommand({ name: 'delete', maxArgs: SYS_MAXARGS, repeatable: false, source: 'cmd/nvedit.c', usage: '', run(m, argv) {
    const names = argv.slice(1).filter((a) => a !== '-f');
    if (names.length === 0) return CMD_RET.USAGE;
    let rc = 0;
    for (const n of names) if (!m.env.delete(n)) rc = 1;
    return rc;
  } }),
  defineCommand({ name: 'exists', maxArgs: 2, repeatable: false, source: 'cmd/nvedit.c', usage: '', run(m, argv) {
    if (argv.length < 2) return CMD_RET.USAGE;
    return m.env.has(argv[1]!) ? 0 : 1;
  } }),
  defineCommand({ name: 'print', maxArgs: SYS_MAXARGS, repeatable: true, source: 'cmd/nvedit.c', usage: '', run(m, argv) {
    return envPrint(m, argv.slice(1).filter((a) => a !== '-a'));
  } }),
  defineCommand({ name: 'set', maxArgs: SYS_MAXARGS, repeatable: false, source: 'cmd/nvedit.c', usage: '', run(m, argv) {
    return argv.length < 2 ? CMD_RET.USAGE : envSet(m, argv);
  } }),
];

export const env = defineCommand({
  name: 'env', maxArgs: SYS_MAXARGS, repeatable: true, source: 'cmd/nvedit.c',
  usage: 'environment handling commands',
  help: 'delete [-f] var [...] - delete variables\nenv exists name - status 0 when name is set\nenv print [name ...] - print variables\nenv set [-f] name [arg ...] - set or delete a variable',
  run(m, argv) {
    if (argv.length < 2) return CMD_RET.USAGE;
    const sub = findCommand(argv[1]!, ENV_SUBCOMMANDS);
    if (!sub) return CMD_RET.USAGE;
    const rc = argv.length - 1 > sub.maxArgs ? CMD_RET.USAGE : sub.run(m, argv.slice(1), 0);
    return rc;
  },
});

export const run = defineCommand({
  name: 'run', maxArgs: SYS_MAXARGS, repeatable: true, source: 'cmd/nvedit.c',
  usage: 'run commands in an environment variable',
  help: 'var [...]\n    - run the commands stored in the environment variable(s) var',
  run(m, argv) {
    if (argv.length < 2) return CMD_RET.USAGE;
    for (const name of argv.slice(1)) {
      const text = m.env.get(name);
      if (text === undefined) { m.console.line(`## Error: "${name}" not defined`); return CMD_RET.FAILURE; }
      const rc = runHush(m, text, { what: `run ${name}` });
      if (m.stopped) return rc;
      if (rc !== 0) return CMD_RET.FAILURE;
    }
    return CMD_RET.SUCCESS;
  },
});
