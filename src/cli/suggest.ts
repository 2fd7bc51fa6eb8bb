// "Did you mean" for the command word. generate is the default command, so without this a
// mistyped command (`uboot-gen simulat boot.scr`) is taken for a config file and ends in
// "too many arguments for 'generate'".

/**
 * Optimal-string-alignment distance: Levenshtein plus the swap of two neighbours (`smiulate`),
 * each costing 1. Commander has the same measure inside, but does not export it.
 */
export function damerauDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The command a word in command position (the first argument, when it is not an option) was
 * probably meant to be: within 2 edits of a command's name (for words of 3 characters or more),
 * or the start of exactly one. Undefined for a command itself, for anything that exists as a file
 * (`uboot-gen qemu.cfg` is a config) and for a word with a dot or a slash (a path, never a command).
 */
export function mistypedCommand(args: readonly string[], commands: readonly string[], exists: (path: string) => boolean): { word: string; command: string } | undefined {
  const word = args[0];
  if (word === undefined || word.startsWith('-') || commands.includes(word) || word === 'help') return undefined;
  if (/[./\\]/.test(word) || exists(word)) return undefined;
  const lower = word.toLowerCase();
  let best: { command: string; d: number } | undefined;
  for (const command of commands) {
    const d = damerauDistance(lower, command);
    if (lower.length >= 3 && d <= 2 && (!best || d < best.d)) best = { command, d };
  }
  if (best) return { word, command: best.command };
  const prefixed = commands.filter((c) => lower.length >= 2 && c.startsWith(lower));
  return prefixed.length === 1 ? { word, command: prefixed[0]! } : undefined;
}
