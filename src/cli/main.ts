// The uboot-gen command line. The only place that calls process.exit.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { EXIT_CODE, UbootGenError, exitCodeFor } from '../errors.js';
import { formatError } from './report.js';
// Command modules are imported when their command runs: `generate` need not load the lab.

function packageVersion(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const up of ['../../..', '../..']) {
    const p = path.resolve(here, up, 'package.json');
    if (fs.existsSync(p)) return (JSON.parse(fs.readFileSync(p, 'utf8')) as { version: string }).version;
  }
  return '0.0.0';
}

const EXIT_HELP = `
Exit status:
  0   success (and, unless --no-verify, every domain comes up in the simulation)
  1   failure (output could not be written, lab boot failed, ...)
  2   usage error
  3   config error (syntax, unsafe shell, unknown/unsupported key, bad value)
  4   input file error (missing, wrong type, truncated, bad checksum)
  5   plan error (does not fit in RAM, overlaps, DTB too large)
  6   verification failed: the simulated boot does not bring every domain up
  70  internal error (a bug: please report it)

Environment:
  SOURCE_DATE_EPOCH  timestamp stored in boot.scr/xen.ub (default 0: outputs are reproducible)
  NO_COLOR           disable colour`;

export function buildProgram(): Command {
  const program = new Command('uboot-gen')
    .description('Generate U-Boot boot scripts for Xen dom0less systems from an ImageBuilder config, and prove them by simulating U-Boot and Xen.')
    .version(packageVersion(), '-V, --version')
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program.command('generate [config]', { isDefault: true })
    .description('plan, write boot.source + boot.scr, then verify them in the simulator (the default command)')
    .option('-c, --config <file>', 'ImageBuilder config file (same as the positional argument)')
    .option('-d, --dir <dir>', 'folder the config\'s paths are relative to, and where outputs go (default: the config\'s folder)')
    .option('-t, --load-cmd <cmd>', 'U-Boot load command, overrides LOAD_CMD (aliases: tftp, sd, scsi, usb, virtio)')
    .option('-o, --output <name>', 'write NAME.source and NAME.scr (overrides UBOOT_SOURCE/UBOOT_SCRIPT)')
    .option('--json', 'print one JSON document (plan, outputs, verification) on stdout')
    .option('--no-verify', 'skip the U-Boot + Xen simulation')
    .option('--no-share', 'load identical binaries once per domain, as ImageBuilder does')
    .option('--templates <dir>', 'folder of .hbs files replacing the shipped templates of the same name (see README "Templates")')
    .option('--uboot-reserve <bytes>', 'size of U-Boot\'s area at the top of RAM that loads must avoid', '0x2400000')
    .addOption(new Option('--xen-version <v>', 'Xen version modelled by the simulator').choices(['4.17', '4.18', '4.19', '4.20']).default('4.17'))
    .option('--dry-run', 'plan and print, but write nothing')
    .option('--keep-failed', 'when verification fails, write the failing script as NAME.failed.source/.scr (the good outputs stay)')
    .option('--output-outside-dir', 'allow outputs outside the -d folder (absolute UBOOT_SCRIPT, -o ../x)')
    .option('-q, --quiet', 'print only errors and the final load command')
    .option('--map', 'draw the memory map in the terminal: a bar per RAM bank and a table of every region')
    .option('--report <file.html>', 'write a self-contained HTML boot report (memory map, /chosen, one card per domain, consoles)')
    .addHelpText('after', EXIT_HELP)
    .action(async (config: string | undefined, opts) => (await import('./commands/generate.js')).runGenerate(config, opts));

  program.command('simulate <script>')
    .description('run a boot.scr (any legacy script image) in the U-Boot simulator, then boot the result in the Xen model')
    .requiredOption('-r, --root <dir>', 'folder the TFTP server serves (where the script\'s files are)')
    .option('--board <dtb>', 'board DTB giving RAM banks and CPUs (default: QEMU virt arm64, 2 GiB at 0x40000000)')
    .option('--script-addr <addr>', 'address boot.scr is loaded at before `source`', '0x40200000')
    .addOption(new Option('--xen-version <v>', 'Xen version modelled').choices(['4.17', '4.18', '4.19', '4.20']).default('4.17'))
    .option('--json', 'print one JSON document on stdout')
    .option('--report <file.html>', 'write a self-contained HTML boot report')
    .addHelpText('after', EXIT_HELP)
    .action(async (script: string, opts) => (await import('./commands/simulate.js')).runSimulate(script, opts));

  program.command('qemu [config]')
    .description('escalate to a real boot: generate, then boot real U-Boot + real Xen in QEMU and report each domain')
    .option('-c, --config <file>', 'ImageBuilder config file')
    .option('-d, --dir <dir>', 'folder the config\'s paths are relative to')
    .option('--timeout <seconds>', 'give up after this long', '300')
    .option('--keep-log <file>', 'write the full serial log here')
    .option('--report <file.html>', 'write a self-contained HTML report with the real and simulated results side by side')
    .option('--json', 'print one JSON document on stdout')
    .action(async (config: string | undefined, opts) => (await import('./commands/qemu.js')).runQemu(config, opts));

  program.command('serve <dir>')
    .description('serve DIR read-only over TFTP to the board, log every fetch, and (with --config) check the fetches against the plan')
    .option('-p, --port <n>', 'UDP port (69 needs root; U-Boot reaches another port through tftpdstp)', '6969')
    .option('--host <addr>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
    .option('-c, --config <file>', 'the config whose plan the fetches are checked against (paths relative to DIR)')
    .option('--until-fetched', 'stop once every planned file has been fetched (needs --config)')
    .option('--timeout <seconds>', 'stop after this long')
    .option('--blksize <bytes>', 'largest block offered (RFC 2348)', '65464')
    .option('--windowsize <blocks>', 'largest window offered (RFC 7440)', '64')
    .option('--json', 'one JSON object per line: listening, each transfer, the summary')
    .addHelpText('after', `
Exit status:
  0   served until stopped; with --config, every planned file fetched unchanged
  2   usage error
  6   with --config: a stale boot.scr, a missing, changed, failed or unplanned fetch
  1   cannot listen (port in use, or below 1024 without root)`)
    .action(async (dir: string, opts) => (await import('./commands/serve.js')).runServe(dir, opts));

  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  let code: number;
  try {
    await program.parseAsync(argv);
    code = process.exitCode === undefined ? EXIT_CODE.ok : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) {
      code = err.exitCode === 0 ? EXIT_CODE.ok : EXIT_CODE.usage;
    } else {
      const json = argv.includes('--json');
      if (json) process.stdout.write(`${JSON.stringify({ ok: false, error: err instanceof UbootGenError ? err.toJSON() : { code: 'INTERNAL', message: String(err) } }, null, 2)}\n`);
      else process.stderr.write(`${formatError(err)}\n`);
      code = exitCodeFor(err);
    }
  }
  process.exitCode = code;
}
