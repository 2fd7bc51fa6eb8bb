// ImageBuilder's uboot-script-gen flags (`getopts ":c:t:d:ho:k:u:fp:s"`, plus the `-e` its usage
// line still shows). A user switching from ImageBuilder passes them as they are, so a flag
// uboot-gen does not take gets a message naming the ImageBuilder feature and what to do, never
// commander's bare "unknown option". -c -d -t -o -p -s -f -k -u are options of `generate`; a flag
// that is an option of the command is skipped here.
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
 * that `isOption` says the command does not take. Stops at `--`; skips the values of options.
 */
export function rejectImageBuilderFlags(args: readonly string[], isOption: (flag: string) => boolean, takesValue: (flag: string) => boolean): void {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return;
    if (!/^-[A-Za-z]/.test(arg)) continue;
    const flag = arg.slice(0, 2);
    if (isOption(flag)) {
      // `-t tftp`: the next word is this option's value, not a flag.
      if (arg.length === 2 && takesValue(flag)) i++;
      continue;
    }
    const known = IMAGEBUILDER_FLAGS[flag];
    if (!known) continue;
    const value = known.takesValue ? (arg.length > 2 ? arg.slice(2) : args[i + 1]) : undefined;
    throw new UbootGenError('USAGE',
      `${flag}${value !== undefined ? ` ${value}` : ''} is an ImageBuilder option (it ${known.meaning}) that uboot-gen does not take`,
      { flag, ...(value !== undefined ? { value } : {}) }, { key: flag }, known.hint);
  }
}
