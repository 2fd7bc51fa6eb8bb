// `--report FILE.html`: write the boot report next to whatever the command printed.
import { writeFileAtomic } from '../util/file.js';
import { OutputError } from '../errors.js';
import { buildReportModel, type ReportInputs } from '../report/model.js';
import { verifySummary } from './verify-report.js';

export async function writeBootReport(file: string, inputs: ReportInputs): Promise<void> {
  const { renderReportHtml } = await import('../report/html.js');
  const html = await renderReportHtml(buildReportModel({ ...inputs, ...(inputs.verification ? { summary: verifySummary(inputs.verification) } : {}) }));
  try {
    writeFileAtomic(file, html);
  } catch (e) {
    throw new OutputError('OUTPUT_WRITE', `cannot write the report ${file}: ${(e as Error).message}`, { path: file }, undefined, 'name a writable file with --report');
  }
}
