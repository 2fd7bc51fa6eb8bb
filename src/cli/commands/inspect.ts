// `uboot-gen inspect boot.scr|boot.source`: what a script does, read without booting it.
// All the words and the JSON shape of `inspect`; the data comes from src/api/inspect.ts.
import { codeInfo, EXIT_CODE } from '../../errors.js';
import { inspect, type ChosenNode, type InspectReport } from '../../api/inspect.js';
import { formatCtimeUtc, formatSizeUboot } from '../../images/uimage.js';
import { hexUpper, hexPad } from '../../util/hex.js';
import { envelope, writeJson } from '../json.js';
import { makeStyle, table, type Style } from '../report.js';

export interface InspectCliOptions { root?: string; prependPath?: string; board?: string; fitImage?: string; json?: boolean }

/** The exit status: that of the first error finding (from the codes table), else 0. */
export function inspectExitCode(r: InspectReport): number {
  const first = r.findings.find((f) => f.level === 'error');
  return first ? EXIT_CODE[codeInfo(first.code).exit] : EXIT_CODE.ok;
}

const crcText = (c: { stored: number; computed: number; ok: boolean }, s: Style): string => (c.ok
  ? `0x${hexPad(c.stored, 8)} ${s.green('correct')}`
  : `0x${hexPad(c.stored, 8)} ${s.red(`WRONG (computed 0x${hexPad(c.computed, 8)})`)}`);

function scriptLines(r: InspectReport, s: Style): string[] {
  const sc = r.script;
  const out: string[] = [];
  if (sc.kind === 'script-image' && sc.image) {
    const h = sc.image;
    out.push(`${s.bold(sc.file)}: legacy script image (${sc.bytes} bytes)`);
    const rows: [string, string][] = [
      ['Magic', `0x${hexPad(h.magic, 8)}`],
      ['Image Name', h.name === '' ? '(empty)' : h.name],
      ['Created', `${formatCtimeUtc(h.time)} UTC (${h.time})`],
      ['Image Type', `${h.arch.name} ${h.os.name} ${h.type.name} (${h.compression.name})`],
      ['Data Size', formatSizeUboot(h.size) === `${h.size} Bytes` ? `${h.size} Bytes` : `${h.size} Bytes = ${formatSizeUboot(h.size)}`],
      ['Load Address', `0x${hexPad(h.load, 8)}`],
      ['Entry Point', `0x${hexPad(h.entry, 8)}`],
      ['Header CRC', crcText(h.headerCrc, s)],
      ['Data CRC', crcText(h.dataCrc, s)],
    ];
    for (const [k, v] of rows) out.push(`  ${`${k}:`.padEnd(14)}${v}`);
    for (const p of h.parts) out.push(`  Part ${p.index}:${' '.repeat(Math.max(1, 8 - String(p.index).length))}${p.length} bytes at data offset ${p.offset}${p.runs ? ' (the script `source` runs)' : ''}`);
  } else if (sc.kind === 'fit' && sc.fit) {
    out.push(`${s.bold(sc.file)}: a FIT image (${sc.bytes} bytes) holding ${sc.fit.images.length} images; \`source ADDR:${sc.fit.script ?? 'NAME'}\` runs its script`);
    out.push(...table(sc.fit.images.map((i) => [i.name, i.type, String(i.size), i.description, i.script ? '← the script' : '']), ['image', 'type', 'bytes', 'description', ''])
      .split('\n').map((l) => `  ${l}`));
  } else {
    out.push(`${s.bold(sc.file)}: script text (${sc.bytes} bytes); U-Boot sources it only once mkimage wraps it (mkimage -A arm64 -T script -C none -d)`);
  }
  out.push(`  ${sc.text.lines} lines, ${sc.text.commands} commands`);
  return out;
}

function chosenLines(n: ChosenNode, depth: number): string[] {
  const ind = '    '.repeat(depth + 1);
  return [
    `${ind}${n.name} {`,
    ...n.props.map((p) => (p.value === '' ? `${ind}    ${p.name};` : `${ind}    ${p.name} = ${p.value};`)),
    ...n.children.flatMap((c) => chosenLines(c, depth + 1)),
    `${ind}};`,
  ];
}

/** The text report of `inspect`. */
export function formatInspectReport(r: InspectReport, s: Style): string {
  const out: string[] = [...scriptLines(r, s), ''];
  out.push(s.bold('Loads'));
  if (r.loads.length === 0) out.push('  (none)');
  else {
    out.push(...table(r.loads.map((l) => [
      String(l.line), l.command, l.addr !== undefined ? hexUpper(l.addr) : l.addrText, l.file,
      l.size !== undefined ? String(l.size) : '?', l.footprint !== undefined ? hexUpper(l.footprint) : '?',
      l.sizeFrom === 'file' ? (l.description ?? '') : l.sizeFrom === 'reg' ? 'size from reg' : l.sizeFrom === 'fit' ? `FIT image${l.format ? `, ${l.format}` : ''}` : 'size unknown (no --root)',
      l.role ?? '',
    ]), ['line', 'command', 'address', 'file', 'bytes', 'footprint', 'what', 'used as']).split('\n').map((x) => `  ${x}`));
  }
  out.push('');
  if (r.dtb) {
    const d = r.dtb;
    const what = d.from === 'file' ? `"${d.file}"` : d.from === 'board' ? 'the --board DTB' : 'an empty tree (the DTB is not under --root)';
    out.push(`${s.bold('DTB')}  ${what} at ${hexUpper(d.addr)}, ${d.size} bytes`);
    out.push(`  ${d.resize ? `fdt resize ${d.resize.arg} (line ${d.resize.line}) gives 0x${d.resize.bytes.toString(16).toUpperCase()} bytes; ` : 'no fdt resize; '}the ${d.edits} edits add ${d.growth} bytes → totalsize ${d.sizeAfter} (+${d.bootPad} U-Boot pad at boot)`);
    out.push('');
  }
  if (r.chosen) {
    out.push(`${s.bold('/chosen')} as the script leaves it${r.dtb?.from === 'empty-tree' ? ' (applied to an empty tree)' : ''}`);
    out.push(...chosenLines(r.chosen, 0), '');
  }
  out.push(r.boot ? `${s.bold('Boot')}  line ${r.boot.line}: ${r.boot.command}` : `${s.bold('Boot')}  none: the script does not boot`, '');
  out.push(s.bold('Memory map'));
  out.push(...table(r.memoryMap.map((m) => [hexUpper(m.start), hexUpper(m.end), m.kind, m.label]), ['start', 'end', 'kind', 'what']).split('\n').map((x) => `  ${x}`), '');
  out.push(s.bold('Findings'));
  if (r.findings.length === 0) out.push(`  ${s.green('✓')} none: nothing found that would stop this script`);
  for (const f of r.findings) {
    const level = f.level === 'error' ? s.red('error') : f.level === 'warning' ? s.yellow('warning') : s.dim('info');
    const at = f.line !== undefined && !f.message.includes(`line ${f.line}`) ? `line ${f.line}: ` : '';
    out.push(`  ${level} ${f.code} (${f.check}): ${at}${f.message}`);
    out.push(`    fix: ${f.fix}`);
  }
  const errors = r.findings.filter((f) => f.level === 'error').length;
  if (r.findings.length > 0) out.push('', errors > 0 ? s.red(`${errors} error${errors === 1 ? '' : 's'}: the script would not boot as written`) : s.green('no errors'));
  return out.join('\n');
}

export function runInspect(file: string, o: InspectCliOptions): void {
  const report = inspect(file, {
    ...(o.root !== undefined ? { root: o.root } : {}),
    ...(o.prependPath !== undefined ? { prependPath: o.prependPath } : {}),
    ...(o.board !== undefined ? { boardDtb: o.board } : {}),
    ...(o.fitImage !== undefined ? { fitImage: o.fitImage } : {}),
  });
  const code = inspectExitCode(report);
  if (o.json) {
    writeJson(envelope('inspect', code, [], {
      script: report.script, board: report.board, loads: report.loads, dtb: report.dtb ?? null, chosen: report.chosen ?? null,
      boot: report.boot ?? null, memoryMap: report.memoryMap, findings: report.findings,
    }));
  } else process.stdout.write(`${formatInspectReport(report, makeStyle(process.stdout))}\n`);
  process.exitCode = code;
}
