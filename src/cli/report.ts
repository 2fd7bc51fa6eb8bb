// Human-readable reports: the plan table and diagnostics. Colour only on a TTY
// without NO_COLOR; JSON mode never calls these.
import { hexUpper, humanSize } from '../util/hex.js';
import type { Diagnostic } from '../config/types.js';
import type { BootPlan } from '../plan/types.js';
import { UbootGenError } from '../errors.js';
import { cpuSummary } from './cpu-report.js';

export interface Style { bold(s: string): string; dim(s: string): string; red(s: string): string; green(s: string): string; yellow(s: string): string }

export function makeStyle(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): Style {
  const on = Boolean(stream.isTTY) && !env['NO_COLOR'] && env['TERM'] !== 'dumb';
  const wrap = (a: number, b: number) => (s: string) => (on ? `\x1b[${a}m${s}\x1b[${b}m` : s);
  return { bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39) };
}

/** Left-aligned text table; the last column is not padded. */
export function table(rows: string[][], header: string[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

/** `fitAddr`: FIT mode, where the FIT (`scriptName`) goes; the files are extracted from it. */
export function planTable(plan: BootPlan, scriptName: string, scriptSize: number, fitAddr?: number): string {
  const rows: string[][] = fitAddr === undefined
    ? [[hexUpper(plan.scriptAddr), hexUpper(plan.scriptAddr + 0x200000), humanSize(scriptSize), '', scriptName, 'U-Boot script']] : [];
  for (const l of plan.loads) {
    const fp = l.footprint !== l.transferSize ? `${humanSize(l.footprint)}` : '';
    rows.push([hexUpper(l.addr), hexUpper(l.reservedEnd), humanSize(l.transferSize), fp, l.file, l.keys.join(', ') + (l.note ? ` (${l.note})` : '')]);
  }
  // Memory the config's static keys give Xen or a domain: no load goes there.
  const seen = new Set<string>();
  for (const r of [...plan.staticRegions].sort((a, b) => a.start - b.start)) {
    const k = `${r.kind}:${r.start}:${r.end}`;
    if (seen.has(k)) continue;
    seen.add(k);
    const also = plan.staticRegions.filter((o) => o !== r && `${o.kind}:${o.start}:${o.end}` === k).map((o) => o.key);
    const what = r.kind === 'static-heap' ? 'Xen\'s heap (only these banks)'
      : r.kind === 'shared-mem' ? `shared memory "${r.shmId ?? ''}", guest address ${hexUpper(r.guestAddr ?? 0)}`
        : `${r.owner}'s RAM${r.directMap ? ', direct-mapped' : `, guest address from ${hexUpper(0x40000000)}`}`;
    rows.push([hexUpper(r.start), hexUpper(r.end), humanSize(r.end - r.start), '', `(${r.kind})`, `${[r.key, ...also].join(', ')}: ${what}`]);
  }
  if (fitAddr !== undefined) rows.push([hexUpper(fitAddr), hexUpper(fitAddr + scriptSize), humanSize(scriptSize), '', scriptName, 'FIT image: the files above and the script (boot_scr)']);
  return table(rows, ['ADDRESS', 'RESERVED TO', 'SIZE', 'IN RAM', 'FILE', 'FOR']);
}

/** A domU's per-domain properties as the device tree names them, in ImageBuilder's order. */
export function domainPropsText(p: NonNullable<BootPlan['domains'][number]['props']>): string {
  const parts: string[] = [];
  if (p.nrSpis !== undefined) parts.push(`nr_spis ${p.nrSpis}`);
  if (p.grantVersion !== undefined) parts.push(`max_grant_version ${p.grantVersion}`);
  if (p.grantFrames !== undefined) parts.push(`max_grant_frames ${p.grantFrames}`);
  if (p.maptrackFrames !== undefined) parts.push(`max_maptrack_frames ${p.maptrackFrames}`);
  if (p.trapUnmap !== undefined) parts.push(`trap-unmapped-accesses ${p.trapUnmap}`);
  if (p.domid !== undefined) parts.push(`domid ${p.domid}`);
  if (p.passthrough !== undefined) parts.push(`passthrough "${p.passthrough}"`);
  if (p.p2mMemMB !== undefined) parts.push(`P2M pool ${p.p2mMemMB} MiB`);
  return parts.join(', ');
}

export function planSummary(plan: BootPlan): string[] {
  const doms = plan.domains;
  const dom0 = doms.some((d) => d.kind === 'dom0');
  const domUs = doms.filter((d) => d.kind === 'domU').length;
  const runs = `${hexUpper(plan.xen.runAddr)}..${hexUpper(plan.xen.runAddr + plan.xen.imageSize)}`;
  const lines = [
    plan.linux
      ? `Linux alone (no Xen)${plan.linux.ramdisk ? ' with an initramfs' : ''}, ${plan.bootCmd}; Linux runs at ${runs}`
      : `${dom0 ? 'dom0' : 'no dom0 (true dom0less)'} + ${domUs} domU${domUs === 1 ? '' : 's'}, ${plan.bootCmd}; Xen runs at ${runs}`,
    `DTB: ${plan.dtb.originalSize} bytes; the fdt edits add ${plan.dtb.growth} bytes → fdt resize ${hexUpper(plan.dtb.resizeExtra)} (totalsize ${plan.dtb.resizedSize}, +${plan.dtb.bootPad} U-Boot pad at boot)`,
  ];
  const shared = plan.loads.filter((l) => l.keys.length > 1);
  for (const s of shared) lines.push(`shared: ${s.file} is loaded once for ${s.keys.join(', ')}`);
  for (const d of doms) if (d.props) lines.push(`${d.name}: ${domainPropsText(d.props)}`);
  lines.push(...cpuSummary(plan));
  return lines;
}

export function formatDiagnostic(d: Diagnostic): string {
  const at = d.where ? `${d.where.file}:${d.where.line}:${d.where.col}: ` : '';
  return `${at}${d.level}: ${d.message}`;
}

/**
 * `file:line:col: error: message` (the compilers' form) and, below it, the fix. An error with
 * no position in a file starts with `error:`.
 */
export function formatError(err: unknown): string {
  if (err instanceof UbootGenError) {
    const w = err.where;
    const at = w?.file ? `${w.file}${w.line !== undefined ? `:${w.line}` : ''}${w.col !== undefined ? `:${w.col}` : ''}: ` : '';
    return `${at}error: ${err.message}${err.hint ? `\n  fix: ${err.hint}` : ''}`;
  }
  if (err instanceof Error) return `error: ${err.stack ?? err.message}`;
  return `error: ${String(err)}`;
}
