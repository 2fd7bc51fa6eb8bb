// ImageBuilder's uboot-script-gen flags (`getopts ":c:t:d:ho:k:u:fp:s"`, plus the `-e` its usage
// line still shows). A user switching from ImageBuilder passes them as they are, so a flag
// uboot-gen does not take gets a message naming the ImageBuilder feature and what to do, never
// commander's bare "unknown option". -c -d -t -o -p -s -f -k -u are options of `generate`; a flag
// that is an option of the command is skipped here. Given to another command that lacks them
// (`simulate -d`, `qemu -t`), they get the same kind of message, with what that command takes instead.
import { UbootGenError } from '../errors.js';

interface ImageBuilderFlag {
  /** The flag takes a value (`-k DIR/HINT`). */
  takesValue: boolean;
  /** What the flag does in ImageBuilder. */
  meaning: string;
  /** What to do instead. */
  hint: string;
}

export const IMAGEBUILDER_FLAGS: Readonly<Record<string, ImageBuilderFlag>> = {
  '-e': {
    takesValue: false, meaning: 'selected EFI boot, an option ImageBuilder itself removed in 2022',
    hint: 'set BOOT_CMD=bootefi in the config instead',
  },
};

/**
 * Throws a USAGE error for the first ImageBuilder flag in `args` (the arguments of `generate`)
 * that `isOption` says the command does not take. Stops at `--`; skips the values of options
 * (`takesValue` gets short flags and long options).
 */
export function rejectImageBuilderFlags(args: readonly string[], isOption: (flag: string) => boolean, takesValue: (flag: string) => boolean): void {
  for (const { flag, arg, next } of flagsNotTaken(args, isOption, takesValue)) {
    const known = IMAGEBUILDER_FLAGS[flag];
    if (!known) continue;
    const value = known.takesValue ? (arg.length > 2 ? arg.slice(2) : next) : undefined;
    throw new UbootGenError('USAGE',
      `${flag}${value !== undefined ? ` ${value}` : ''} is an ImageBuilder option (it ${known.meaning}) that uboot-gen does not take`,
      { flag, ...(value !== undefined ? { value } : {}) }, { key: flag }, known.hint);
  }
}

/** What each of uboot-script-gen's flags stands for, to name it when another command gets it. */
const IMAGEBUILDER_MEANING: Readonly<Record<string, { takesValue: boolean; meaning: string }>> = {
  '-c': { takesValue: true, meaning: 'the config file' },
  '-d': { takesValue: true, meaning: 'the folder the config\'s paths are relative to' },
  '-t': { takesValue: true, meaning: 'the load command' },
  '-o': { takesValue: true, meaning: 'the name of the outputs' },
  '-k': { takesValue: true, meaning: 'the FIT signing key' },
  '-u': { takesValue: true, meaning: 'U-Boot\'s DTB that receives the FIT key' },
  '-f': { takesValue: false, meaning: 'FIT mode' },
  '-p': { takesValue: true, meaning: 'the path prepended to every load' },
  '-s': { takesValue: false, meaning: 'runtime sizing' },
};

/**
 * For the commands other than generate: what to write instead of an ImageBuilder flag the command
 * does not take. A flag missing here gets the generic advice to run generate.
 */
const INSTEAD: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  simulate: {
    '-d': 'give the folder the script\'s files are served from as --root DIR',
    '-c': 'simulate runs a script image; run `uboot-gen CONFIG` to generate and verify a config',
    '-t': 'the script\'s own load commands are run; generate it with -t first',
  },
  qemu: {
    '-t': 'the lab boots over TFTP: LOAD_CMD must be tftpb',
    '-o': 'qemu boots the outputs the config names (UBOOT_SOURCE, UBOOT_SCRIPT)',
  },
  serve: {
    '-d': 'give the folder to serve as the first argument: serve DIR',
  },
};

/**
 * Throws a USAGE error for the first of uboot-script-gen's flags in `args` (the arguments after
 * `command`) that `command` does not take (`uboot-gen simulate boot.scr -d build`), saying what it
 * stood for and what to write instead, where commander would say only "unknown option".
 */
export function rejectMisplacedImageBuilderFlags(command: string, args: readonly string[], isOption: (flag: string) => boolean, takesValue: (flag: string) => boolean): void {
  for (const { flag } of flagsNotTaken(args, isOption, takesValue)) {
    const known = IMAGEBUILDER_MEANING[flag];
    if (!known) continue;
    const instead = INSTEAD[command]?.[flag] ?? `it is an option of generate (\`uboot-gen ${flag === '-c' ? '-c CONFIG' : `CONFIG ${flag}${known.takesValue ? ' …' : ''}`}\`)`;
    throw new UbootGenError('USAGE', `${flag} is ImageBuilder's ${flag} (${known.meaning}), which \`${command}\` does not take`, { flag, command }, { key: flag }, instead);
  }
}

/**
 * The short flags in `args` that `isOption` says the command does not take, with the word after
 * each. Stops at `--`; skips the values of options (`takesValue` gets short flags and long options).
 */
function* flagsNotTaken(args: readonly string[], isOption: (flag: string) => boolean, takesValue: (flag: string) => boolean): Generator<{ flag: string; arg: string; next: string | undefined }> {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return;
    // `--board -s`: the word after a long option that takes a value is that value.
    if (arg.startsWith('--')) { if (!arg.includes('=') && takesValue(arg)) i++; continue; }
    if (!/^-[A-Za-z]/.test(arg)) continue;
    const flag = arg.slice(0, 2);
    if (isOption(flag)) {
      // `-t tftp`: the next word is this option's value, not a flag.
      if (arg.length === 2 && takesValue(flag)) i++;
      continue;
    }
    yield { flag, arg, next: args[i + 1] };
  }
}
