// `uboot-gen simulate boot.scr --root DIR`: any script image, through the U-Boot
// simulator and the Xen model.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT_CODE, UbootGenError } from '../../errors.js';
import { boardFromDtb } from '../../sim/uboot/index.js';
import { formatDomainTable } from '../../sim/xen/verdict.js';
import { MAX_SCRIPT_IMAGE_BYTES, readBoardDtb, readWholeInput } from '../../images/probe-file.js';
import { verifyScript, type VerifyReport } from '../../verify.js';
import { makeStyle, type Style } from '../report.js';
import { parseNumberOption } from '../util.js';

export interface SimulateCliOptions {
  root: string; prependPath?: string; then?: string; board?: string; scriptAddr: string; xenVersion: string; json?: boolean; report?: string;
  fitImage?: string; ubootDtb?: string;
}

/** A FIT holds every binary of the boot, so it may be as large as they are together. */
const MAX_FIT_IMAGE_BYTES = 512 * 1024 * 1024;

/** True when the file starts with the FDT magic: a FIT image rather than a legacy script image. */
function startsAsFdt(file: string): boolean {
  const head = Buffer.alloc(4);
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    return fs.readSync(fd, head, 0, 4, 0) === 4 && head.readUInt32BE(0) === 0xd00dfeed;
  } catch {
    return false; // readWholeInput() reports the file's problem with its own words
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export function formatVerifyReport(r: VerifyReport, style: Style, withConsole = false): string {
  const out: string[] = [];
  out.push(`${style.bold('Verification')}  U-Boot ${r.uboot.ubootVersion} simulation → Xen ${r.xen?.version ?? '-'} model`);
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
  // A FIT (ImageBuilder's -f) is run as `source ADDR:boot_scr` unless --fit-image names another image.
  const fit = o.fitImage !== undefined || startsAsFdt(script);
  const bytes = readWholeInput(script, 'SCRIPT', fit ? MAX_FIT_IMAGE_BYTES : MAX_SCRIPT_IMAGE_BYTES);
  const controlFdt = o.ubootDtb !== undefined ? readBoardDtb(o.ubootDtb, '--uboot-dtb') : undefined;
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
    scriptAddr: parseNumberOption(o.scriptAddr, '--script-addr'), xenVersion: o.xenVersion,
    ...(o.prependPath !== undefined ? { prependPath: o.prependPath } : {}),
    ...(o.then !== undefined ? { then: o.then } : {}),
    ...(fit ? { fitScript: o.fitImage ?? 'boot_scr', scriptName: path.basename(script) } : {}),
    ...(controlFdt ? { controlFdt } : {}),
  });
  if (o.json) process.stdout.write(`${JSON.stringify(report.json, null, 2)}\n`);
  else process.stdout.write(`${formatVerifyReport(report, makeStyle(process.stdout), true)}\n`);
  if (o.report) await (await import('../boot-report.js')).writeBootReport(o.report, { title: script, verification: report });
  if (!report.ok) process.exitCode = EXIT_CODE.verify;
}
