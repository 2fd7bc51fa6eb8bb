// `--board NAME|FILE.dtb`: a known board's name (src/boards) stands for the DTB shipped for it;
// `--board list` prints the known boards. Resolved on the command line before commander parses
// it, so every command that takes --board (generate, simulate, inspect, check, qemu) agrees.
import * as fs from 'node:fs';
import { BOARDS, boardByName, boardNames, ramTop, ubootWindow } from '../boards/index.js';
import { UbootGenError } from '../errors.js';
import { shippedBoardDtb } from '../plan/board.js';
import { damerauDistance } from './suggest.js';

const hex = (n: number): string => `0x${n.toString(16)}`;

/** The `--board list` table: name, DTB, banks, U-Boot's window, release and defconfig. */
export function boardListText(): string {
  const lines = ['Boards (--board NAME; or --board FILE.dtb for any other board):', ''];
  const width = Math.max(...BOARDS.map((b) => b.name.length));
  for (const b of BOARDS) {
    const w = ubootWindow(b);
    lines.push(`  ${b.name.padEnd(width)} ${b.description}`);
    lines.push(`  ${''.padEnd(width)} boards/${b.dtb}; RAM ${b.banks.map((k) => `${hex(k.start)}+${hex(k.size)}`).join(', ')}; ${b.pcpus} CPUs; console ${b.uart}`);
    lines.push(`  ${''.padEnd(width)} U-Boot ${b.ubootVersion} (${b.defconfig}) at ${hex(w.start)}..${hex(ramTop(b.banks))}; ${b.net === 'lwip' ? 'lwIP' : 'legacy'} network stack, ${b.hush} hush`);
  }
  return `${lines.join('\n')}\n`;
}

/** The DTB path a `--board` value names: a known board's shipped DTB, else the value as a file. */
export function resolveBoardValue(value: string): string {
  const entry = boardByName(value);
  if (entry) return shippedBoardDtb(entry.dtb);
  if (fs.existsSync(value) || value.includes('/') || /\.dtbo?$/i.test(value)) return value;
  const near = boardNames().map((n) => ({ n, d: damerauDistance(value.toLowerCase(), n) })).sort((a, b) => a.d - b.d)[0];
  const hint = near && near.d <= 3 ? ` Did you mean '${near.n}'?` : '';
  throw new UbootGenError('USAGE', `--board ${value}: no such board and no such file.${hint} Known boards: ${boardNames().join(', ')} (--board list)`, { board: value });
}

/**
 * argv with every `--board NAME` / `--board=NAME` replaced by its DTB path; 'list' when the
 * command line asks for the list (the caller prints it and stops).
 */
export function resolveBoardArgs(argv: readonly string[]): string[] | 'list' {
  const out = [...argv];
  for (let i = 0; i < out.length; i++) {
    const a = out[i]!;
    if (a === '--') break;
    if (a === '--board' && i + 1 < out.length) {
      if (out[i + 1] === 'list') return 'list';
      out[i + 1] = resolveBoardValue(out[i + 1]!);
      i++;
    } else if (a.startsWith('--board=')) {
      const v = a.slice('--board='.length);
      if (v === 'list') return 'list';
      out[i] = `--board=${resolveBoardValue(v)}`;
    }
  }
  return out;
}
