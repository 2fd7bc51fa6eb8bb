// The memory map of a plan as regions and drawing geometry: every RAM bank to scale, and a
// zoomed view of the crowded window where the binaries sit. Geometry is computed here (plain
// numbers); the SVG markup lives in templates/report/.
import { hexUpper, humanSize } from '../util/hex.js';
import type { BootPlan } from '../plan/types.js';

export type RegionKind = 'load' | 'script' | 'reserved' | 'uboot' | 'xen-run' | 'dtb-growth' | 'static' | 'shared' | 'free';

export interface MapRegion {
  kind: RegionKind;
  start: number;
  /** Exclusive. */
  end: number;
  label: string;
  /** For loads: the load id (dom0_linux, host_fdt ...), the file, bytes on the wire and in RAM. */
  id?: string;
  file?: string;
  transferSize?: number;
  footprint?: number;
  keys?: string[];
}

export interface RegionShape {
  kind: RegionKind;
  id?: string;
  /** Rectangle of the whole region (its footprint for loads). */
  x: number; y: number; width: number; height: number;
  /** For loads: the part holding the file's bytes, at the bottom of the rectangle. */
  fileY?: number; fileWidth?: number; fileHeight?: number;
  text: string;
  detail: string;
  range: string;
}

export interface RegionLabel {
  kind: RegionKind;
  id?: string;
  text: string;
  detail: string;
  /** Leader line from the region (x1, y1) to the label (x2, y2). */
  x1: number; y1: number; x2: number; y2: number;
}

export interface MapView {
  title: string;
  start: number;
  end: number;
  width: number;
  height: number;
  bar: { x: number; y: number; width: number; height: number };
  shapes: RegionShape[];
  /** Only on the zoomed view: one label per region, spread so none overlap. */
  labels: RegionLabel[];
  ticks: Array<{ x: number; y: number; text: string }>;
  /** On a full-bank view: where the zoomed window lies. */
  zoomBracket?: { x: number; y1: number; y2: number; mid: number };
}

const VIEW_HEIGHT = 560;
const BAR_TOP = 20;
const LABEL_GAP = 15;
const MIB = 1024 * 1024;

/** Every region the plan knows of, inside RAM, in address order (free gaps included). */
export function planRegions(plan: BootPlan): MapRegion[] {
  const regions: MapRegion[] = [];
  regions.push({ kind: 'script', start: plan.scriptAddr, end: plan.scriptAddr + 2 * MIB, label: 'boot.scr slot' });
  for (const l of plan.loads) {
    regions.push({
      kind: 'load', start: l.addr, end: l.addr + Math.max(l.footprint, l.transferSize), label: l.file,
      id: l.id, file: l.file, transferSize: l.transferSize, footprint: l.footprint, keys: [...l.keys],
    });
  }
  const statics = new Set(plan.staticRegions.map((r) => `${r.start}:${r.end}:${r.label}`));
  for (const r of plan.staticRegions) {
    const same = plan.staticRegions.filter((o) => o.kind === r.kind && o.start === r.start && o.end === r.end);
    if (same[0] !== r) continue; // a region shared by several domUs is drawn once
    regions.push({ kind: r.kind === 'shared-mem' ? 'shared' : 'static', start: r.start, end: r.end, label: `${r.label} (${same.map((o) => o.key).join(', ')})`, keys: same.map((o) => o.key) });
  }
  for (const r of plan.avoided) {
    if (r.label === 'boot.scr') continue; // drawn as the script slot
    if (statics.has(`${r.start}:${r.end}:${r.label}`)) continue; // drawn as static memory above
    regions.push({ kind: /^U-Boot/.test(r.label) ? 'uboot' : 'reserved', start: r.start, end: r.end, label: r.label });
  }
  regions.push({ kind: 'xen-run', start: plan.xen.runAddr, end: plan.xen.runAddr + plan.xen.imageSize, label: `Xen running (${plan.bootCmd})` });
  const dtb = plan.dtb;
  const dtbGrownEnd = dtb.load.addr + dtb.resizedSize + dtb.bootPad;
  if (dtbGrownEnd > dtb.load.addr + dtb.originalSize) {
    regions.push({ kind: 'dtb-growth', start: dtb.load.addr + dtb.originalSize, end: dtbGrownEnd, label: `DTB growth (fdt resize ${hexUpper(dtb.resizeExtra)} + ${dtb.bootPad} pad)` });
  }
  const inRam = regions.filter((r) => plan.ram.some((b) => r.start < b.end && r.end > b.start));
  // Free space: what no region covers, per bank.
  for (const bank of plan.ram) {
    const covered = inRam.filter((r) => r.start < bank.end && r.end > bank.start).map((r) => [Math.max(r.start, bank.start), Math.min(r.end, bank.end)] as const).sort((a, b) => a[0] - b[0]);
    let at = bank.start;
    for (const [s, e] of covered) {
      if (s > at) inRam.push({ kind: 'free', start: at, end: s, label: 'free' });
      at = Math.max(at, e);
    }
    if (at < bank.end) inRam.push({ kind: 'free', start: at, end: bank.end, label: 'free' });
  }
  return inRam.sort((a, b) => a.start - b.start || b.end - a.end);
}

/** The crowded window: from the script slot to the end of the highest binary, on 1 MiB bounds. */
export function zoomWindow(regions: MapRegion[]): { start: number; end: number } | undefined {
  const busy = regions.filter((r) => r.kind === 'load' || r.kind === 'script' || r.kind === 'xen-run' || r.kind === 'dtb-growth');
  if (busy.length === 0) return undefined;
  const start = Math.floor(Math.min(...busy.map((r) => r.start)) / MIB) * MIB;
  const end = Math.ceil(Math.max(...busy.map((r) => r.end)) / MIB) * MIB;
  return { start, end };
}

function describe(r: MapRegion): { text: string; detail: string } {
  switch (r.kind) {
    case 'load':
      return {
        text: `${r.file}`,
        detail: `${(r.keys ?? []).join(', ')}: ${humanSize(r.transferSize ?? 0)} file${r.footprint !== undefined && r.footprint !== r.transferSize ? `, ${humanSize(r.footprint)} in RAM` : ''}`,
      };
    case 'free':
      return { text: 'free', detail: humanSize(r.end - r.start) };
    default:
      return { text: r.label, detail: humanSize(r.end - r.start) };
  }
}

/** Spread label positions so that no two are closer than LABEL_GAP, keeping their order. */
function spreadLabels(wanted: number[], top: number, bottom: number): number[] {
  const out = [...wanted];
  for (let i = 1; i < out.length; i++) out[i] = Math.max(out[i]!, out[i - 1]! + LABEL_GAP);
  const overflow = out.length ? out[out.length - 1]! - bottom : 0;
  if (overflow > 0) {
    out[out.length - 1] = bottom;
    for (let i = out.length - 2; i >= 0; i--) out[i] = Math.min(out[i]!, out[i + 1]! - LABEL_GAP);
  }
  for (let i = 0; i < out.length; i++) out[i] = Math.max(out[i]!, top);
  return out;
}

/**
 * Lay out one view: address grows upwards, as memory maps are drawn in SoC manuals. Regions
 * get at least `minHeight` pixels so a 300-byte initramfs stays visible next to 2 GiB.
 */
export function layoutView(title: string, regions: MapRegion[], start: number, end: number, opts: { labelled: boolean; minHeight: number; zoom?: { start: number; end: number } }): MapView {
  const barX = 90;
  const barWidth = opts.labelled ? 150 : 60;
  const labelX = barX + barWidth + 40;
  const width = opts.labelled ? 820 : 200;
  const height = VIEW_HEIGHT + BAR_TOP * 2;
  const span = end - start;
  const y = (addr: number): number => BAR_TOP + VIEW_HEIGHT * (1 - (Math.min(Math.max(addr, start), end) - start) / span);
  const visible = regions.filter((r) => r.start < end && r.end > start && (opts.labelled || r.kind !== 'free'));
  const shapes: RegionShape[] = visible.map((r) => {
    const top = y(r.end);
    const bottom = y(r.start);
    const h = Math.max(bottom - top, opts.minHeight);
    // Xen's running range and the DTB's growth overlap loads: drawn as a narrow strip on the right.
    const overlay = r.kind === 'xen-run' || r.kind === 'dtb-growth';
    const x = overlay ? barX + barWidth * 0.62 : barX;
    const w = overlay ? barWidth * 0.38 : barWidth;
    const { text, detail } = describe(r);
    const shape: RegionShape = { kind: r.kind, ...(r.id ? { id: r.id } : {}), x, y: bottom - h, width: w, height: h, text, detail, range: `${hexUpper(r.start)}..${hexUpper(r.end)}` };
    if (r.kind === 'load' && r.transferSize !== undefined && r.end > r.start) {
      const fh = Math.min(h, Math.max((h * r.transferSize) / (r.end - r.start), Math.min(h, opts.minHeight)));
      Object.assign(shape, { fileY: bottom - fh, fileWidth: w * 0.5, fileHeight: fh });
    }
    return shape;
  });
  const labels: RegionLabel[] = [];
  if (opts.labelled) {
    // Labels in screen order (top to bottom), spread apart, each tied to its region by a line.
    const order = shapes.map((s, i) => [s.y + s.height / 2, i] as const).sort((a, b) => a[0] - b[0]);
    const spread = spreadLabels(order.map(([v]) => v), BAR_TOP + 6, BAR_TOP + VIEW_HEIGHT);
    order.forEach(([mid, i], k) => {
      const s = shapes[i]!;
      labels.push({ kind: s.kind, ...(s.id ? { id: s.id } : {}), text: s.text, detail: s.detail, x1: s.x + s.width, y1: mid, x2: labelX, y2: spread[k]! });
    });
  }
  const ticks = [start, start + span / 2, end].map((a) => ({ x: barX - 6, y: y(a), text: hexUpper(Math.round(a)) }));
  let zoomBracket: MapView['zoomBracket'];
  if (opts.zoom) {
    const y1 = y(opts.zoom.end);
    // A window of a few MiB in a GiB bank is a sliver: draw the bracket at least 6 px tall.
    const y2 = Math.max(y(opts.zoom.start), y1 + 6);
    zoomBracket = { x: barX + barWidth + 2, y1, y2, mid: (y1 + y2) / 2 };
  }
  return { title, start, end, width, height, bar: { x: barX, y: BAR_TOP, width: barWidth, height: VIEW_HEIGHT }, shapes, labels, ticks, ...(zoomBracket ? { zoomBracket } : {}) };
}

export interface MemoryMap {
  banks: MapView[];
  zoom?: MapView;
  regions: MapRegion[];
}

export function memoryMap(plan: BootPlan): MemoryMap {
  const regions = planRegions(plan);
  const zoom = zoomWindow(regions);
  const banks = plan.ram.map((b, i) => layoutView(`RAM bank ${i} ${hexUpper(b.start)}..${hexUpper(b.end)} (${humanSize(b.end - b.start)})`, regions, b.start, b.end,
    { labelled: false, minHeight: 1, ...(zoom && zoom.start < b.end && zoom.end > b.start ? { zoom } : {}) }));
  return {
    banks, regions,
    ...(zoom ? { zoom: layoutView(`Where the binaries are: ${hexUpper(zoom.start)}..${hexUpper(zoom.end)} (${humanSize(zoom.end - zoom.start)})`, regions, zoom.start, zoom.end, { labelled: true, minHeight: 3 }) } : {}),
  };
}
