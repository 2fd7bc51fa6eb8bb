// `--map`: the memory map in a terminal. One proportional bar per RAM bank, one for the window
// where the binaries sit, and a table of every region whose "used by" column wraps to the
// terminal's width. Letters mark the regions, so the picture survives a pipe or a log file;
// colour is added only on a terminal that wants it.
import { hexUpper, humanSize } from '../util/hex.js';
import type { BootPlan } from '../plan/types.js';
import { planRegions, zoomWindow, type MapRegion, type RegionKind } from '../report/memory-map.js';

const LETTER: Record<RegionKind, string> = {
  load: '#', script: 's', reserved: 'r', uboot: 'U', 'xen-run': 'X', 'dtb-growth': 'g', static: 'S', shared: 'H', free: '.',
};
const NAME: Record<RegionKind, string> = {
  load: 'binary', script: 'boot.scr', reserved: 'reserved', uboot: 'U-Boot', 'xen-run': 'Xen running', 'dtb-growth': 'DTB growth', static: 'static memory', shared: 'shared memory', free: 'free',
};
/** ANSI background colours per kind. */
const COLOUR: Record<RegionKind, number> = { load: 44, script: 46, reserved: 100, uboot: 43, 'xen-run': 45, 'dtb-growth': 105, static: 42, shared: 102, free: 49 };
/** When regions share a cell, the one drawn is the one that matters most. */
const PRIORITY: RegionKind[] = ['xen-run', 'load', 'dtb-growth', 'script', 'uboot', 'reserved', 'static', 'shared', 'free'];

export interface MapStyle { colour: boolean; width: number }

function bar(regions: MapRegion[], start: number, end: number, width: number, colour: boolean): string {
  const cells: RegionKind[] = [];
  const step = (end - start) / width;
  for (let i = 0; i < width; i++) {
    const a = start + i * step;
    const b = a + step;
    const here = regions.filter((r) => r.start < b && r.end > a).map((r) => r.kind);
    cells.push(PRIORITY.find((k) => here.includes(k)) ?? 'free');
  }
  // A region smaller than one cell still gets a cell, so no binary disappears from the picture.
  for (const r of regions) {
    if (r.kind === 'free' || r.end <= start || r.start >= end) continue;
    const i = Math.min(width - 1, Math.max(0, Math.floor((r.start - start) / step)));
    if (!cells.slice(i, i + 1).includes(r.kind) && PRIORITY.indexOf(r.kind) < PRIORITY.indexOf(cells[i]!)) cells[i] = r.kind;
  }
  return cells.map((k) => (colour ? `\x1b[${COLOUR[k]}m${LETTER[k]}\x1b[0m` : LETTER[k])).join('');
}

/** Break `text` at ", " into lines no longer than `width`. */
export function wrapList(text: string, width: number): string[] {
  const parts = text.split(', ');
  const lines: string[] = [];
  let cur = '';
  for (const p of parts) {
    const next = cur ? `${cur}, ${p}` : p;
    if (cur && next.length > width) { lines.push(`${cur},`); cur = p; } else cur = next;
  }
  if (cur) lines.push(cur);
  return lines;
}

function usedBy(r: MapRegion): string {
  if (r.kind === 'load') return `${r.file} (${(r.keys ?? []).join(', ')})`;
  if (r.kind === 'free') return '';
  return r.label;
}

export function formatMemoryMap(plan: BootPlan, style: MapStyle): string {
  const regions = planRegions(plan);
  const barWidth = Math.max(20, Math.min(style.width, 160) - 24);
  const out: string[] = [];
  plan.ram.forEach((b, i) => {
    out.push(`RAM bank ${i}  ${hexUpper(b.start)}..${hexUpper(b.end)} (${humanSize(b.end - b.start)}), low addresses on the left`);
    out.push(`  |${bar(regions, b.start, b.end, barWidth, style.colour)}|`);
  });
  const zoom = zoomWindow(regions);
  if (zoom) {
    out.push(`Binaries  ${hexUpper(zoom.start)}..${hexUpper(zoom.end)} (${humanSize(zoom.end - zoom.start)})`);
    out.push(`  |${bar(regions, zoom.start, zoom.end, barWidth, style.colour)}|`);
  }
  const kinds = [...new Set(regions.map((r) => r.kind))];
  out.push(`  ${kinds.map((k) => `${style.colour ? `\x1b[${COLOUR[k]}m${LETTER[k]}\x1b[0m` : LETTER[k]} ${NAME[k]}`).join('   ')}`);
  out.push('');
  const rows = regions.filter((r) => r.kind !== 'free' || r.end - r.start >= 1024 * 1024).map((r) => [`${hexUpper(r.start)}..${hexUpper(r.end)}`, humanSize(r.end - r.start), NAME[r.kind], usedBy(r)] as const);
  const w0 = Math.max(5, ...rows.map((r) => r[0].length));
  const w1 = Math.max(4, ...rows.map((r) => r[1].length));
  const w2 = Math.max(4, ...rows.map((r) => r[2].length));
  const usedWidth = Math.max(24, style.width - w0 - w1 - w2 - 6);
  out.push(`${'RANGE'.padEnd(w0)}  ${'SIZE'.padEnd(w1)}  ${'KIND'.padEnd(w2)}  USED BY`);
  for (const [range, size, kind, used] of rows) {
    const lines = wrapList(used, usedWidth);
    out.push(`${range.padEnd(w0)}  ${size.padEnd(w1)}  ${kind.padEnd(w2)}  ${lines[0] ?? ''}`.trimEnd());
    for (const l of lines.slice(1)) out.push(`${''.padEnd(w0 + w1 + w2 + 6)}${l}`);
  }
  return out.join('\n');
}
