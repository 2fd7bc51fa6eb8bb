// `uboot-gen simulate boot.scr --root DIR`: any script image, through the U-Boot
// simulator and the Xen model.
import { EXIT_CODE } from '../../errors.js';
import { simulate } from '../../api/simulate.js';
import { envelope, writeJson } from '../json.js';
import { makeStyle } from '../report.js';
import { parseNumberOption } from '../util.js';
import { ubootVersionOption } from '../uboot-version.js';
import { formatVerifyReport, verifyJson } from '../verify-report.js';

export interface SimulateCliOptions {
  root: string; prependPath?: string; then?: string; board?: string; scriptAddr: string; xenVersion?: string; xenConfig?: string; json?: boolean; report?: string;
  fitImage?: string; ubootDtb?: string; ubootVersion?: string; uboot?: string; hush?: 'old' | 'modern';
}

export async function runSimulate(script: string, o: SimulateCliOptions): Promise<void> {
  const report = simulate(script, {
    ...ubootVersionOption(o),
    root: o.root,
    ...(o.board ? { boardDtb: o.board } : {}),
    scriptAddr: parseNumberOption(o.scriptAddr, '--script-addr'),
    ...(o.xenVersion !== undefined ? { xenVersion: o.xenVersion } : {}), ...(o.xenConfig !== undefined ? { xenConfig: o.xenConfig } : {}),
    ...(o.prependPath !== undefined ? { prependPath: o.prependPath } : {}),
    ...(o.then !== undefined ? { then: o.then } : {}),
    ...(o.fitImage !== undefined ? { fitImage: o.fitImage } : {}),
    ...(o.ubootDtb !== undefined ? { ubootDtb: o.ubootDtb } : {}),
  });
  const wrapped = `${script} is script text: simulated as if wrapped by \`mkimage -A arm64 -T script -C none -d ${script}\` (U-Boot's \`source\` cannot run text)`;
  if (o.json) writeJson(envelope('simulate', report.ok ? EXIT_CODE.ok : EXIT_CODE.verify, [], { ...(report.wrappedText ? { wrappedText: wrapped } : {}), verification: verifyJson(report) }));
  else process.stdout.write(`${report.wrappedText ? `${wrapped}\n` : ''}${formatVerifyReport(report, makeStyle(process.stdout), true)}\n`);
  if (o.report) await (await import('../boot-report.js')).writeBootReport(o.report, { title: script, verification: report });
  if (!report.ok) process.exitCode = EXIT_CODE.verify;
}
