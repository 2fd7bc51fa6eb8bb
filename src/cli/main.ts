// The uboot-gen command line. The only place that calls process.exit.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { EXIT_CODE, UbootGenError, exitCodeFor } from '../errors.js';
import { exitHelp, type CommandName } from './exit-status.js';
import { examplesHelp } from './examples.js';
import { rejectImageBuilderFlags, rejectMisplacedImageBuilderFlags } from './imagebuilder-flags.js';
import { mistypedCommand } from './suggest.js';
import { boardListText, resolveBoardArgs } from './board-option.js';
import { errorEnvelope, JSON_COMMANDS, JSON_SCHEMA_FILE, summaryLine, writeJson, type CommandName as JsonCommandName } from './json.js';
import { formatError } from './report.js';
import { DEFAULT_UBOOT_VERSION, SUPPORTED_UBOOT_VERSIONS } from '../sim/uboot/version.js';
import { SUPPORTED_XEN_VERSIONS } from '../sim/xen/version.js';
// Command modules are imported when their command runs: `generate` need not load the lab.

function packageVersion(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const up of ['../../..', '../..']) {
    const p = path.resolve(here, up, 'package.json');
    if (fs.existsSync(p)) return (JSON.parse(fs.readFileSync(p, 'utf8')) as { version: string }).version;
  }
  return '0.0.0';
}

// What a real boot needs on this machine: it is not downloaded by uboot-gen.
const QEMU_HELP = `
What a real boot needs:
  qemu-system-aarch64 (Debian: qemu-system-arm) and a U-Boot built for QEMU arm64
  (Debian: u-boot-qemu, or --uboot FILE). The config's own files are booted: its XEN,
  kernels and ramdisks from the -d folder, served by QEMU's TFTP server, so LOAD_CMD must
  be TFTP. DEVICE_TREE must be the board QEMU emulates (virt, GICv3, 4 CPUs, 2 GiB at
  0x40000000): write it with --write-board-dtb FILE. Xen needs
  "console=dtuart dtuart=/pl011@9000000" in XEN_CMD; a domain counts as up when its
  initramfs prints "UBOOTGEN-LAB-UP token=<t>" for labtoken=<t> on its command line,
  otherwise it is judged from Xen's console only.
`;

const ENVIRONMENT_HELP = `
Environment:
  SOURCE_DATE_EPOCH  timestamp stored in boot.scr/xen.ub (default 0: outputs are reproducible)
  NO_COLOR           disable colour`;

/** The text after a command's options: its exit statuses (from the codes table) and the environment. */
export const helpAfter = (command: CommandName): string => `\n${exitHelp(command)}\n${ENVIRONMENT_HELP}`;

const HUSH_HELP = 'the hush that runs the script: old (CONFIG_HUSH_OLD_PARSER, U-Boot\'s default) or modern (CONFIG_HUSH_MODERN_PARSER, 2024.04 and later) (default: the board\'s)';
const UBOOT_VERSION_HELP = `U-Boot release modelled: ${SUPPORTED_UBOOT_VERSIONS.join(', ')} (default: read from --uboot, else ${DEFAULT_UBOOT_VERSION})`;
const UBOOT_FILE_HELP = 'the board\'s U-Boot binary (u-boot.bin): the release modelled is read from its version banner';

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
    .option('-p, --prepend-path <path>', 'every load (and the final hint) asks for PATH/file, as ImageBuilder\'s -p does')
    .option('-s, --runtime-sizing', 'let U-Boot compute load addresses and sizes at boot (ImageBuilder\'s -s); the layout is still checked against the real files')
    .option('--board <name|dtb>', 'the board (a name from `--board list`, or its DTB): its control DTB (U-Boot\'s ${fdtcontroladdr}) is edited in place by a -s script when the config has no DEVICE_TREE (default: qemu-virt, QEMU virt arm64, 2 GiB)')
    .option('-f, --fit', 'write a FIT image holding every binary and the script (FIT defaults to NAME.fit), loaded with source ADDR:boot_scr')
    .option('-k, --key-dir <dir/hint>', 'sign the FIT with dir/hint.key (dir/hint.crt is its certificate); overrides FIT_ENC_KEY_DIR')
    .option('-u, --uboot-dtb <file>', 'add the public key to this U-Boot DTB, required for every image (needs -k); overrides FIT_ENC_UB_DTB')
    .addOption(new Option('--fit-hash <algo>', 'hash of each image of an unsigned FIT (ImageBuilder writes md5)').choices(['md5', 'sha1', 'sha256']))
    .option('--json', `print one JSON document (plan, outputs, verification) on stdout; its schema: ${JSON_SCHEMA_FILE} in the package`)
    .option('--no-verify', 'skip the U-Boot + Xen simulation')
    .option('--then <commands>', 'typed at the simulated prompt after a script that does not boot (BOOT_CMD=none): the boot command, on ${host_kernel_addr} and ${host_fdt_addr}')
    .option('--no-share', 'load identical binaries once per domain, as ImageBuilder does')
    .option('--templates <dir>', 'folder of .hbs files replacing the shipped templates of the same name (see README "Templates")')
    .option('--uboot-reserve <bytes>', 'size of U-Boot\'s area at the top of RAM that loads must avoid', '0x2400000')
    .addOption(new Option('--xen-version <v>', 'Xen version modelled (default: read from the Xen image, else 4.17)').choices([...SUPPORTED_XEN_VERSIONS]))
    .option('--uboot-version <v>', UBOOT_VERSION_HELP)
    .addOption(new Option('--hush <flavour>', HUSH_HELP).choices(['old', 'modern']))
    .option('--uboot <file>', UBOOT_FILE_HELP)
    .option('--xen-config <file>', 'the Xen build\'s .config, for a Xen without an embedded one (default: read from the Xen image)')
    .addOption(new Option('--dialect <name>', 'read the keys of Xilinx\'s ImageBuilder branch (DOM0_VIOMMU, DOMU_VIOMMU, DOMU_VUART_PL011) and write what it writes for them').choices(['xilinx']))
    .option('--dry-run', 'plan and print, but write nothing')
    .option('--keep-failed', 'when verification fails, write the failing script as NAME.failed.source/.scr (the good outputs stay)')
    .option('--output-outside-dir', 'allow outputs outside the -d folder (absolute UBOOT_SCRIPT, -o ../x)')
    .option('-q, --quiet', 'print only errors and the final load command')
    .option('--fix', 'print the config lines that fix each finding with a computable fix, as -/+ lines with line numbers (the config is not changed)')
    .option('--map', 'draw the memory map in the terminal: a bar per RAM bank and a table of every region')
    .option('--report <file.html>', 'write a self-contained HTML boot report (memory map, /chosen, one card per domain, consoles)')
    .option('--install <tftp-root>', 'after a verified run, link (or copy) the script and every file it loads into this TFTP root, the script last')
    .option('--depfile <file>', 'with the outputs, write a make rule: every output depends on the config and every file the run reads (see README "From a Makefile")')
    .option('--watch', 'generate and verify again whenever the config or a file it names changes (Ctrl-C stops)')
    .addHelpText('after', examplesHelp('generate'))
    .addHelpText('after', () => helpAfter('generate'))
    .action(async (config: string | undefined, opts) => {
      if (opts.watch) return (await import('./watch.js')).watchGenerate(config, opts);
      await (await import('./commands/generate.js')).runGenerate(config, opts);
    });

  program.command('simulate <script>')
    .description('run a boot.scr (any legacy script image) in the U-Boot simulator, then boot the result in the Xen model')
    .requiredOption('-r, --root <dir>', 'folder the TFTP server serves (where the script\'s files are)')
    .option('--board <name|dtb>', 'the board (a name from `--board list`, or its DTB): RAM banks, CPUs, U-Boot\'s window and defaults (default: QEMU virt arm64, 2 GiB at 0x40000000)')
    .option('-p, --prepend-path <path>', 'the -p PATH the script was generated with: PATH/file is served from --root')
    .option('--script-addr <addr>', 'address boot.scr is loaded at before `source` (for a FIT: the address of the hint, e.g. 0x42c00000)', '0x40200000')
    .option('--then <commands>', 'typed at the prompt after the script ends without booting: the boot command, on ${host_kernel_addr} and ${host_fdt_addr}')
    .option('--fit-image <name>', 'the script is image NAME of a FIT: `source ADDR:NAME` (a FIT given as <script> uses boot_scr)')
    .option('--uboot-dtb <file>', 'U-Boot\'s own DTB, whose required /signature keys check FIT signatures (as written by -u)')
    .addOption(new Option('--xen-version <v>', 'Xen version modelled (default: read from the Xen image, else 4.17)').choices([...SUPPORTED_XEN_VERSIONS]))
    .option('--uboot-version <v>', UBOOT_VERSION_HELP)
    .addOption(new Option('--hush <flavour>', HUSH_HELP).choices(['old', 'modern']))
    .option('--uboot <file>', UBOOT_FILE_HELP)
    .option('--xen-config <file>', 'the Xen build\'s .config, for a Xen without an embedded one (default: read from the Xen image)')
    .option('--json', `print one JSON document (verification) on stdout; its schema: ${JSON_SCHEMA_FILE} in the package`)
    .option('--report <file.html>', 'write a self-contained HTML boot report')
    .addHelpText('after', examplesHelp('simulate'))
    .addHelpText('after', () => helpAfter('simulate'))
    .action(async (script: string, opts) => (await import('./commands/simulate.js')).runSimulate(script, opts));

  program.command('inspect <script>')
    .description('read a boot.scr, boot.source or FIT without booting it: header and CRCs, loads, the /chosen it builds, the memory map, findings')
    .option('-r, --root <dir>', 'folder the board fetches from: loads are sized from its files and the DTB is read from it')
    .option('-p, --prepend-path <path>', 'the -p PATH the script was generated with: PATH/file is read from --root')
    .option('--board <name|dtb>', 'the board (a name from `--board list`, or its DTB) giving RAM banks (default: QEMU virt arm64, 2 GiB at 0x40000000)')
    .option('--fit-image <name>', 'the FIT image holding the script (default boot_scr)')
    .option('--json', `print one JSON document (script, loads, chosen, memory map, findings) on stdout; its schema: ${JSON_SCHEMA_FILE} in the package`)
    .addHelpText('after', examplesHelp('inspect'))
    .addHelpText('after', () => helpAfter('inspect'))
    .action(async (script: string, opts) => (await import('./commands/inspect.js')).runInspect(script, opts));

  program.command('qemu [config]')
    .description('escalate to a real boot: generate, then boot real U-Boot + real Xen in QEMU and report each domain')
    .option('-c, --config <file>', 'ImageBuilder config file')
    .option('-d, --dir <dir>', 'folder the config\'s paths are relative to')
    .option('-s, --runtime-sizing', 'generate with ImageBuilder\'s -s (U-Boot computes the addresses at boot)')
    .option('--board <name|dtb>', 'the board (a name from `--board list`, or its DTB) whose control DTB a -s config without DEVICE_TREE edits (default: qemu-virt)')
    .option('-f, --fit', 'FIT mode, as for generate: boot `tftpb ADDR NAME.fit; source ADDR:boot_scr`')
    .option('-k, --key-dir <dir/hint>', 'sign the FIT (without -u, QEMU\'s own DTB holds no key, so U-Boot shows the signatures unchecked)')
    .option('-u, --uboot-dtb <file>', 'add the public key to this DTB and start U-Boot with it (QEMU -dtb), so it enforces the signatures: give it a copy of the board DTB (--write-board-dtb)')
    .option('--timeout <seconds>', 'give up after this long', '300')
    .option('--keep-log <file>', 'write the full serial log here')
    .option('--report <file.html>', 'write a self-contained HTML report with the real and simulated results side by side')
    .option('--uboot <file>', 'U-Boot for QEMU arm64 to boot (default: Debian\'s u-boot-qemu, /usr/lib/u-boot/qemu_arm64/u-boot.bin)')
    .option('--write-board-dtb <file>', 'write the device tree of the QEMU board the lab boots (use it as DEVICE_TREE), then exit')
    .option('--json', `print one JSON document (plan, verification, lab) on stdout; its schema: ${JSON_SCHEMA_FILE} in the package`)
    .addHelpText('after', examplesHelp('qemu'))
    .addHelpText('after', () => `${QEMU_HELP}${helpAfter('qemu')}`)
    .action(async (config: string | undefined, opts) => (await import('./commands/qemu.js')).runQemu(config, opts));

  program.command('check <pattern...>')
    .description('generate and verify every config matching the patterns (fast-glob, e.g. \'boards/**/config\'), writing no outputs; a table, or JSON lines')
    .option('-j, --jobs <n>', 'configs checked at once, each on a worker thread (default: the CPUs available)')
    .option('-s, --runtime-sizing', 'check every config as generated with ImageBuilder\'s -s')
    .option('--board <name|dtb>', 'the board (a name from `--board list`, or its DTB) whose control DTB a -s config without DEVICE_TREE edits (default: qemu-virt)')
    .option('--no-share', 'load identical binaries once per domain, as ImageBuilder does')
    .option('--templates <dir>', 'folder of .hbs files replacing the shipped templates of the same name')
    .option('--uboot-reserve <bytes>', 'size of U-Boot\'s area at the top of RAM that loads must avoid', '0x2400000')
    .addOption(new Option('--xen-version <v>', 'Xen version modelled (default: read from each Xen image, else 4.17)').choices([...SUPPORTED_XEN_VERSIONS]))
    .option('--uboot-version <v>', UBOOT_VERSION_HELP)
    .addOption(new Option('--hush <flavour>', HUSH_HELP).choices(['old', 'modern']))
    .option('--uboot <file>', UBOOT_FILE_HELP)
    .option('--xen-config <file>', 'the Xen build\'s .config, for Xen images without an embedded one')
    .option('--json', 'JSON lines on stdout: one per config (its result), then the summary')
    .option('--report <file.html>', 'write one self-contained HTML file: the table, linked to each config\'s boot report')
    .addHelpText('after', examplesHelp('check'))
    .addHelpText('after', () => `\nThe batch's exit status is the highest of its configs' statuses (0 when every config passes).\n${helpAfter('check')}`)
    .action(async (patterns: string[], opts) => (await import('./commands/check.js')).runCheck(patterns, opts));

  program.command('serve <dir>')
    .description('serve DIR read-only over TFTP to the board, log every fetch, and (with --config) check the fetches against the plan')
    .option('-p, --port <n>', 'UDP port (69 needs root; U-Boot reaches another port through tftpdstp)', '6969')
    .option('--host <addr>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
    .option('-c, --config <file>', 'the config whose plan the fetches are checked against (paths relative to DIR)')
    .option('--until-fetched', 'stop once every planned file has been fetched (needs --config)')
    .option('--timeout <seconds>', 'stop after this long')
    .option('--blksize <bytes>', 'largest block offered (RFC 2348)', '65464')
    .option('--windowsize <blocks>', 'largest window offered (RFC 7440)', '64')
    .option('--json', `one JSON object per line: listening, each transfer, the summary; its schema: ${JSON_SCHEMA_FILE} in the package`)
    .addHelpText('after', examplesHelp('serve'))
    .addHelpText('after', () => helpAfter('serve'))
    .action(async (dir: string, opts) => (await import('./commands/serve.js')).runServe(dir, opts));

  program.command('keys [key]')
    .description('list the ImageBuilder config keys (type, default, ImageBuilder and Xen versions, Kconfig, support), or one KEY in full')
    .option('--json', 'print one JSON document on stdout (the keys section of schema/keys.schema.json)')
    .addHelpText('after', examplesHelp('keys'))
    .addHelpText('after', () => helpAfter('keys'))
    .action(async (key: string | undefined, opts) => (await import('./commands/keys.js')).runKeys(key, opts));

  return program;
}

/** The arguments given to the default `generate` command, or undefined when another command runs. */
function generateArgs(program: Command, argv: string[]): string[] | undefined {
  const args = argv.slice(2);
  const first = args.find((a) => !a.startsWith('-'));
  const other = program.commands.find((c) => c.name() !== 'generate' && c.name() === first);
  if (other) return undefined;
  return args[0] === 'generate' ? args.slice(1) : args;
}

/** The command an argv runs, for the envelope of an error. */
function jsonCommandOf(program: Command, argv: string[]): JsonCommandName {
  if (generateArgs(program, argv) !== undefined) return 'generate';
  const first = argv.slice(2).find((a) => !a.startsWith('-'));
  return (JSON_COMMANDS as readonly string[]).includes(first ?? '') ? first as JsonCommandName : 'generate';
}

function writeErrorJson(command: JsonCommandName, err: unknown): void {
  const e = errorEnvelope(command, err);
  if (command === 'serve') writeJson(summaryLine(e), { line: true });
  else writeJson(e);
}

/**
 * A reader that stops early (`uboot-gen keys | head`) closes the pipe: what is left to print has
 * nowhere to go, which is the reader's choice, not a failure of the run. End quietly with the run's
 * status instead of an unhandled EPIPE.
 */
function endQuietlyOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      process.exit(typeof process.exitCode === 'number' ? process.exitCode : EXIT_CODE.ok);
    });
  }
}

export async function main(argv: string[]): Promise<void> {
  endQuietlyOnClosedPipe();
  const program = buildProgram();
  let code: number;
  try {
    // `uboot-gen simulat x` would run generate (the default command) on two configs: a word where a
    // command goes that is close to a command's name, and is no file, is a mistyped command.
    const names = program.commands.flatMap((c) => [c.name(), ...c.aliases()]);
    const mistyped = mistypedCommand(argv.slice(2), names, (p) => fs.existsSync(p));
    if (mistyped) throw new UbootGenError('USAGE', `unknown command '${mistyped.word}'. Did you mean '${mistyped.command}'?`, { ...mistyped });
    // `uboot-gen simulate boot.scr -d build`: ImageBuilder's flag, given to a command without it.
    const other = program.commands.find((c) => c.name() !== 'generate' && c.name() === argv[2]);
    if (other) {
      const option = (flag: string) => other.options.find((o) => o.short === flag || o.long === flag);
      rejectMisplacedImageBuilderFlags(other.name(), argv.slice(3), (f) => option(f) !== undefined || f === '-h', (f) => Boolean(option(f)?.required || option(f)?.optional));
    }
    const args = generateArgs(program, argv);
    const generateCmd = program.commands.find((c) => c.name() === 'generate');
    if (args && generateCmd) {
      const option = (flag: string) => generateCmd.options.find((o) => o.short === flag || o.long === flag);
      rejectImageBuilderFlags(args, (f) => option(f) !== undefined, (f) => Boolean(option(f)?.required || option(f)?.optional));
    }
    // `--board zcu102` names the DTB shipped for it; `--board list` lists the known boards.
    const boardArgs = resolveBoardArgs(argv);
    if (boardArgs === 'list') process.stdout.write(boardListText());
    else await program.parseAsync(boardArgs);
    code = process.exitCode === undefined ? EXIT_CODE.ok : Number(process.exitCode);
  } catch (err) {
    // Under --json an error is an envelope too (one line for serve, whose output is JSON lines).
    const json = argv.includes('--json') ? jsonCommandOf(program, argv) : undefined;
    if (err instanceof CommanderError) {
      code = err.exitCode === 0 ? EXIT_CODE.ok : EXIT_CODE.usage;
      if (json && code !== EXIT_CODE.ok) writeErrorJson(json, new UbootGenError('USAGE', err.message.replace(/^error: /, '')));
    } else {
      if (json) writeErrorJson(json, err);
      else process.stderr.write(`${formatError(err)}\n`);
      code = exitCodeFor(err);
    }
  }
  process.exitCode = code;
}
