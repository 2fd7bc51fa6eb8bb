// Reads a real serial log (U-Boot, then Xen, then guests) and turns it into
// per-domain verdicts in the simulator's vocabulary, so real and simulated
// boots can be compared domain by domain.
//
// Facts the parser relies on (all observed on Xen 4.17.7 release builds, QEMU virt):
// * Xen prefixes its own lines with `(XEN) `. A Xen line may start in the middle of
//   a line dom0 is printing through hvc0; dom0's line then continues after Xen's line.
// * domU consoles (vpl011 backed by Xen) come out as `(XEN) DOMn: text`, one line per
//   guest line, except that a guest line longer than 126 characters is flushed in
//   126-character pieces, each with its own prefix (Xen's vpl011 output buffer).
// * Domain builds: `*** LOADING DOMAIN 0 ***` or `*** LOADING DOMU cpus=N memory=HEXKB ***`,
//   then `Loading dN kernel from boot module @ ADDR`, ..., `Loading dN DTB to ...`.
// * Panics: a box of 40 `*` lines around `Panic on CPU n:` and the message.
import { LAB_MARKER_PREFIX, LAB_TOKEN_PARAM } from './marker.js';

/**
 * Verdict rules for a real log, first match wins:
 * - 'not started': U-Boot never printed "Starting kernel ..." (message: U-Boot's last error line);
 * - 'silent hang': Xen printed nothing at all after the hand-over;
 * - 'up': the domain printed its lab marker (or matched `upPattern`);
 * - 'xen panic': Xen panicked (the machine stops, so every domain not up gets it; message: the panic text);
 * - 'guest fails': the guest kernel panicked (message: its panic line) or printed output but no marker;
 * - 'silent hang': Xen built the domain but the guest printed nothing;
 * - 'dropped': Xen finished booting (`Freed ...kB init memory.`) without building the domain;
 * - 'silent hang': otherwise (Xen stopped printing mid-boot; message: its last line).
 */
export type DomainVerdictKind = 'up' | 'xen panic' | 'dropped' | 'guest fails' | 'silent hang' | 'not started';

/** Same shape as the simulator's per-domain verdict. */
export interface DomainVerdict {
  name: string;
  domid?: number;
  verdict: DomainVerdictKind;
  message?: string;
}

export interface LabMarker {
  token: string;
  /** 0 for a line printed directly (dom0 via hvc0), n for `(XEN) DOMn:` lines. */
  domid: number;
  cpus?: number;
  memKb?: number;
}

export interface XenPanic {
  cpu: number;
  /** Lines inside the box after `Panic on CPU n:`, without the `(XEN) ` prefix. */
  message: string;
  /** The closing `****` line was seen (the box is complete). */
  complete: boolean;
}

/** One domain build as Xen reported it. */
export interface XenDomainBuild {
  kind: 'dom0' | 'domU';
  domid?: number;
  cpus?: number;
  /** From the domU LOADING line; Xen 4.17 prints it as hex without `0x` (KiB). */
  memKb?: number;
  kernelModule?: number;
  ramdiskModule?: number;
  /** `Loading dN DTB to` was printed: Xen finished building the domain. */
  complete: boolean;
}

export interface GuestConsole {
  domid: number;
  /** Reassembled guest output (fragments joined, interleaved Xen lines removed). */
  text: string;
  /** Token from the guest's `Kernel command line:` line, if printed. */
  token?: string;
  /** First `Kernel panic - not syncing: ...` line of the guest. */
  kernelPanic?: string;
}

export interface XenConsoleReport {
  /** How far the boot got: U-Boot only, Xen entered but silent, or Xen printed. */
  stage: 'uboot' | 'xen-silent' | 'xen';
  ubootErrors: string[];
  xenVersion?: string;
  builds: XenDomainBuild[];
  /** `Freed NkB init memory.` seen: Xen finished booting and unpaused the domains. */
  xenBootComplete: boolean;
  panic?: XenPanic;
  /** Xen error lines outside the panic box (e.g. `Error building DomU: ...`, `Missing kernel boot module?`). */
  xenErrors: string[];
  guests: GuestConsole[];
  markers: LabMarker[];
  domains: DomainVerdict[];
}

/** Domain the caller expects, in the order Xen will see them (dom0 first, then /chosen order). */
export interface ExpectedDomain {
  name: string;
  token?: string;
  /** Domain id Xen should give it; if absent, dom0 is 0 and domUs count from 1 in list order. */
  domid?: number;
}

const START_MARK = 'Starting kernel ...';
/** After bootefi U-Boot prints no "Starting kernel ...": Xen's EFI stub announces itself instead. */
const EFI_START = /^Xen [^\n]* EFI loader\r?$/m;

/** Where the hand-over line is in a serial log, and its length; undefined when the kernel never started. */
export function kernelStartMark(log: string): { at: number; length: number } | undefined {
  const i = log.indexOf(START_MARK);
  if (i >= 0) return { at: i, length: START_MARK.length };
  const e = EFI_START.exec(log);
  return e ? { at: e.index, length: e[0].length } : undefined;
}
const VPL011_CHUNK = 126;

const XEN_TIMESTAMP = /\(XEN\) \[ *\d+\.\d+\] /g;

/**
 * Xen's `console_timestamps=boot` (Xen CI's XEN_CMD) puts `[    7.217780] ` after each `(XEN) `;
 * the parsers read the lines without it. Only when Xen's first line has one: without the option, a
 * guest's own Linux timestamp can follow `(XEN) ` (Xen 4.20 prints the console-focus domain so).
 */
export function stripXenTimestamps(text: string): string {
  const first = /\(XEN\) [^\n]*/.exec(text)?.[0];
  if (first === undefined || !/^\(XEN\) \[ *\d+\.\d+\] /.test(first)) return text;
  return text.replace(XEN_TIMESTAMP, '(XEN) ');
}

/** Split the log at U-Boot's hand-over line; Xen's console timestamps are dropped from what follows. */
export function splitAtKernelStart(log: string): { uboot: string; after?: string } {
  const mark = kernelStartMark(log);
  if (!mark) return { uboot: log };
  return { uboot: log.slice(0, mark.at), after: stripXenTimestamps(log.slice(mark.at + mark.length)) };
}

const UBOOT_ERROR_PATTERNS: readonly RegExp[] = [
  /^libfdt /, /^ERROR\b/, /^Error\b/, /^## Error/, /^Wrong Image/, /^Bad /, /^TFTP error/, /^Unknown command/,
  /^Could not/, /^Failed/, /FDT_ERR_/, /^Must RESET/, /^Ramdisk image is corrupt/, /overlaps/, /^Image too large/,
  /^syntax error/, /^\*\* /, /^Resetting/, /^Wrong Ramdisk/, /^No /,
];

/** U-Boot error lines before the hand-over (the default-environment warning is not an error). */
export function findUbootErrors(log: string): string[] {
  const { uboot } = splitAtKernelStart(log);
  return uboot.split('\n').filter((l) => !/using default environment/.test(l) && UBOOT_ERROR_PATTERNS.some((re) => re.test(l)));
}

/** Xen's own lines (prefix removed), wherever they start, in order. */
export function xenLines(log: string): string[] {
  const out: string[] = [];
  for (const m of stripXenTimestamps(log).matchAll(/\(XEN\) ([^\n]*)(?:\n|$)/g)) out.push(m[1]!);
  return out;
}

export function findXenPanic(log: string): XenPanic | undefined {
  const lines = xenLines(log);
  const at = lines.findIndex((l) => /^Panic on CPU \d+:$/.test(l));
  if (at < 0) return undefined;
  const cpu = Number(/\d+/.exec(lines[at]!)![0]);
  const msg: string[] = [];
  let complete = false;
  for (const l of lines.slice(at + 1)) {
    if (/^\*{10,}$/.test(l)) { complete = true; break; }
    // A message printed without its final newline (4.17's static-memory panics) runs into the rule.
    const glued = /^(.*[^*])\*{40}$/.exec(l);
    if (glued) { msg.push(glued[1]!); complete = true; break; }
    msg.push(l);
  }
  return { cpu, message: msg.join('\n').trim(), complete };
}

/** Reassemble each guest's console: domUs from `(XEN) DOMn:` pieces, dom0 from the direct text. */
export function guestConsoles(log: string): GuestConsole[] {
  const { after } = splitAtKernelStart(log);
  if (after === undefined) return [];
  const byDom = new Map<number, string>();
  for (const m of after.matchAll(/\(XEN\) DOM(\d+): ([^\n]*)\n/g)) {
    const id = Number(m[1]);
    const piece = m[2]!;
    // A piece of exactly the buffer size is a flush of a longer line, not a line end.
    byDom.set(id, (byDom.get(id) ?? '') + piece + (piece.length === VPL011_CHUNK ? '' : '\n'));
  }
  // Xen 4.20 prints the console-focus domU (the one `*** Serial input to DOMn` names) without
  // the `DOMn: ` tag: its characters go out as they come, each line started with `(XEN) `, and
  // other domains' whole lines can land in the middle of one of its lines. Its console is then
  // everything after the focus line minus the tagged lines, with the prefixes dropped, and
  // minus the whole lines Xen itself prints once domains run (init memory freed, per-vCPU
  // warnings such as `d2v0: vGICD: ...`), so a guest that printed nothing still reads as silent.
  const focus = /\(XEN\) \*\*\* Serial input to DOM(\d+)\b[^\n]*\n/.exec(after);
  const focusId = focus ? Number(focus[1]) : 0;
  if (focus && focusId > 0 && !byDom.has(focusId)) {
    const text = after.slice(focus.index + focus[0].length)
      .replace(/\(XEN\) DOM\d+: [^\n]*(?:\n|$)/g, '')
      .replace(/(^|\n)\(XEN\) (?:Freed \d+kB init memory\.|d\d+v\d+: [^\n]*|\*\*\* [^\n]*)(?=\n|$)/g, '$1')
      .replace(/\(XEN\) /g, '')
      .replace(/\n{2,}/g, '\n').replace(/^\n+/, '');
    if (text.trim().length > 0) byDom.set(focusId, text);
  } else {
    const direct = after.replace(/\(XEN\) [^\n]*(?:\n|$)/g, '').replace(/^\n+/, '');
    if (direct.trim().length > 0) byDom.set(0, direct);
  }
  return [...byDom.keys()].sort((a, b) => a - b).map((domid) => {
    const text = byDom.get(domid)!;
    const g: GuestConsole = { domid, text };
    const cmd = new RegExp(`Kernel command line:.*\\b${LAB_TOKEN_PARAM}=(\\S+)`).exec(text);
    if (cmd) g.token = cmd[1]!;
    const panic = /Kernel panic - not syncing: ?([^\n]*)/.exec(text);
    if (panic) g.kernelPanic = `Kernel panic - not syncing: ${panic[1]!.trim()}`;
    return g;
  });
}

const MARKER_RE = new RegExp(`${LAB_MARKER_PREFIX} token=(\\S+) cpus=(\\d+) memkb=(\\d+)`);

/** Marker lines of every guest (after reassembly, so interleaving cannot hide them). */
export function findMarkers(log: string): LabMarker[] {
  const out: LabMarker[] = [];
  for (const g of guestConsoles(log)) {
    for (const line of g.text.split('\n')) {
      const m = MARKER_RE.exec(line);
      if (m) out.push({ token: m[1]!, domid: g.domid, cpus: Number(m[2]), memKb: Number(m[3]) });
    }
  }
  return out;
}

function parseBuilds(lines: readonly string[]): XenDomainBuild[] {
  const builds: XenDomainBuild[] = [];
  let cur: XenDomainBuild | undefined;
  for (const l of lines) {
    let m: RegExpExecArray | null;
    if (l === '*** LOADING DOMAIN 0 ***') {
      cur = { kind: 'dom0', domid: 0, complete: false };
      builds.push(cur);
    } else if ((m = /^\*\*\* LOADING DOMU cpus=(\d+) memory=(?:0x)?([0-9a-fA-F]+)KB \*\*\*$/.exec(l))) {
      cur = { kind: 'domU', cpus: Number(m[1]), memKb: Number.parseInt(m[2]!, 16), complete: false };
      builds.push(cur);
    } else if (cur && (m = /^Loading d(\d+) kernel from boot module @ ([0-9a-fA-F]+)$/.exec(l))) {
      cur.domid = Number(m[1]);
      cur.kernelModule = Number.parseInt(m[2]!, 16);
    } else if (cur && (m = /^Loading ramdisk from boot module @ ([0-9a-fA-F]+)$/.exec(l))) {
      cur.ramdiskModule = Number.parseInt(m[1]!, 16);
    } else if (cur && /^Loading d\d+ DTB to /.test(l)) {
      cur.complete = true;
    }
  }
  return builds;
}

const XEN_ERROR_RE = /^(Error building|Missing kernel|Unable to|Failed to|Could not|Not enough memory|Invalid |Unsupported |fdt: |ERROR|No valid device tree|Early FDT)/;

/** Per-domain verdicts from a real serial log. See DomainVerdictKind for the rules. */
export interface ParseXenConsoleOptions {
  domains?: readonly ExpectedDomain[];
  /** Guests without the lab marker count as up when their console matches this. */
  upPattern?: RegExp;
}

export function parseXenConsole(log: string, opts: ParseXenConsoleOptions = {}): XenConsoleReport {
  const { after } = splitAtKernelStart(log);
  const ubootErrors = findUbootErrors(log);
  const lines = after === undefined ? [] : xenLines(after);
  const stage: XenConsoleReport['stage'] = after === undefined ? 'uboot' : lines.length === 0 ? 'xen-silent' : 'xen';
  const builds = parseBuilds(lines);
  const panic = findXenPanic(after ?? '');
  const guests = guestConsoles(log);
  const markers = findMarkers(log);
  const xenBootComplete = lines.some((l) => /^Freed \d+kB init memory\.$/.test(l));
  const panicAt = lines.findIndex((l) => /^Panic on CPU \d+:$/.test(l));
  const xenErrors = lines.filter((l, i) => (panicAt < 0 || i < panicAt - 2) && XEN_ERROR_RE.test(l));
  const version = /^Xen version (\S+)/.exec(lines.find((l) => l.startsWith('Xen version ')) ?? '');

  // Which domains to judge: the caller's list, or every domain Xen or a guest mentioned.
  let expected: ExpectedDomain[];
  if (opts.domains) {
    let nextDomU = 1;
    expected = opts.domains.map((d) => ({ ...d, domid: d.domid ?? (d.name === 'dom0' ? 0 : nextDomU++) }));
  } else {
    const ids = new Set<number>();
    for (const b of builds) if (b.domid !== undefined) ids.add(b.domid);
    for (const g of guests) ids.add(g.domid);
    expected = [...ids].sort((a, b) => a - b).map((id) => ({ name: id === 0 ? 'dom0' : `d${id}`, domid: id }));
  }

  const lastUbootError = ubootErrors[ubootErrors.length - 1];
  const domains: DomainVerdict[] = expected.map((e) => {
    // A guest that printed its token is identified by it, whatever id it got.
    const byToken = e.token !== undefined ? guests.find((g) => g.token === e.token) : undefined;
    const markerByToken = e.token !== undefined ? markers.find((m) => m.token === e.token) : undefined;
    const domid = markerByToken?.domid ?? byToken?.domid ?? e.domid;
    const v = (verdict: DomainVerdictKind, message?: string): DomainVerdict => {
      const r: DomainVerdict = { name: e.name, verdict };
      if (domid !== undefined) r.domid = domid;
      if (message !== undefined) r.message = message;
      return r;
    };
    if (stage === 'uboot') return v('not started', lastUbootError);
    if (stage === 'xen-silent') return v('silent hang', `no output after "${START_MARK}"`);
    const marker = markerByToken ?? (e.token === undefined ? markers.find((m) => m.domid === domid) : undefined);
    if (marker) return v('up');
    const upGuest = byToken ?? guests.find((g) => g.domid === domid);
    if (opts.upPattern && upGuest && opts.upPattern.test(upGuest.text)) return v('up');
    if (panic) return v('xen panic', panic.message);
    const build = builds.find((b) => b.domid === domid);
    const guest = byToken ?? guests.find((g) => g.domid === domid);
    if (guest?.kernelPanic) return v('guest fails', guest.kernelPanic);
    if (build?.complete || guest) {
      // Xen built and started the domain (its console works), and the guest never printed: the
      // guest died before its console came up (e.g. a truncated or overwritten kernel). That is a
      // guest failure, not a hang of the system; 'silent hang' is kept for a Xen with no console.
      if (!guest) return v('guest fails', 'built by Xen but printed nothing');
      const last = guest.text.trimEnd().split('\n').pop() ?? '';
      return v('guest fails', `no userspace marker; last output: ${last}`);
    }
    if (xenBootComplete) return v('dropped', 'Xen finished booting without building this domain');
    return v('silent hang', `Xen stopped printing: ${lines[lines.length - 1] ?? ''}`);
  });

  const report: XenConsoleReport = { stage, ubootErrors, builds, xenBootComplete, xenErrors, guests, markers, domains };
  if (version) report.xenVersion = version[1]!;
  if (panic) report.panic = panic;
  return report;
}
