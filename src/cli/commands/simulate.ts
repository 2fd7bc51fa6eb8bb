// `uboot-gen simulate boot.scr --root DIR`: any script image, through the U-Boot
// simulator and the Xen model.
import * as fs from 'node:fs';
import { EXIT_CODE, UbootGenError } from '../../errors.js';
import { boardFromDtb } from '../../sim/uboot/index.js';
import { formatDomainTable } from '../../sim/xen/verdict.js';
import { MAX_SCRIPT_IMAGE_BYTES, readBoardDtb, readWholeInput } from '../../images/probe-file.js';
import { verifyScript, type VerifyReport } from '../../verify.js';
import { makeStyle, type Style } from '../report.js';
import { parseNumberOption } from '../util.js';

export interface SimulateCliOptions { root: string; prependPath?: string; then?: string; board?: string; scriptAddr: string; xenVersion?: string; xenConfig?: string; json?: boolean; report?: string }

export function formatVerifyReport(r: VerifyReport, style: Style, withConsole = false): string {
  const out: string[] = [];
  // Exactly what was modelled: the U-Boot and board, and the Xen release and build options.
  out.push(`${style.bold('Verification')}  U-Boot ${r.uboot.ubootVersion} (${r.board}) → ${r.xen?.build ?? 'Xen not started'}`);
  if (withConsole) out.push('', ...r.uboot.console.map((l) => `  ${l}`));
  for (const f of r.uboot.failures) out.push(`  ${style.red('✗')} script line ${f.line}: \`${f.command}\` failed${f.message.length ? `: ${f.message.join(' | ')}` : ''}`);
  if (r.xen) {
    if (withConsole && r.xen.console.length) out.push('', ...r.xen.console.map((l) => `  ${l}`));
    for (const f of r.xen.findings) out.push(`  ${style.yellow('!')} ${f}`);
    if (r.xen.domains.length) out.push('', ...formatDomainTable(r.xen).split('\n').map((l) => `  ${l}`));
  }
  out.push('', `  ${r.ok ? style.green('✓') : style.red('✗')} ${r.summary}`);
  return out.join('\n');
}

export async function runSimulate(script: string, o: SimulateCliOptions): Promise<void> {
  const bytes = readWholeInput(script, 'SCRIPT', MAX_SCRIPT_IMAGE_BYTES);
  if (!fs.existsSync(o.root) || !fs.statSync(o.root).isDirectory()) throw new UbootGenError('USAGE', `--root ${o.root} is not a folder`);
  let board;
  if (o.board) {
    try {
      board = boardFromDtb(readBoardDtb(o.board, '--board'), o.board);
    } catch (e) {
      if (e instanceof UbootGenError) throw e;
      throw new UbootGenError('IMAGE_NOT_FOUND', `cannot read --board ${o.board}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  }
  const report = verifyScript(bytes, o.root, board, {
    scriptAddr: parseNumberOption(o.scriptAddr, '--script-addr'),
    ...(o.xenVersion !== undefined ? { xenVersion: o.xenVersion } : {}), ...(o.xenConfig !== undefined ? { xenConfig: o.xenConfig } : {}),
    ...(o.prependPath !== undefined ? { prependPath: o.prependPath } : {}),
    ...(o.then !== undefined ? { then: o.then } : {}),
  });
  if (o.json) process.stdout.write(`${JSON.stringify(report.json, null, 2)}\n`);
  else process.stdout.write(`${formatVerifyReport(report, makeStyle(process.stdout), true)}\n`);
  if (o.report) await (await import('../boot-report.js')).writeBootReport(o.report, { title: script, verification: report });
  if (!report.ok) process.exitCode = EXIT_CODE.verify;
}
