// `check --report FILE.html`: the batch's table, each row linked to that config's boot report, in
// one self-contained file.
import { OutputError } from '../errors.js';
import type { BatchReportModel } from '../report/model.js';
import { writeFileAtomic } from '../util/file.js';
import type { CheckRecord } from './check-record.js';

export function batchReportModel(records: readonly CheckRecord[], summary: string): BatchReportModel {
  return {
    title: 'uboot-gen check',
    ok: records.every((r) => r.ok),
    summary,
    configs: records.map((r, i) => ({
      config: r.config, anchor: `config-${i + 1}`, prefix: `config-${i + 1}-`, ok: r.ok, exitCode: r.exitCode,
      domains: r.domains.total ? `${r.domains.up}/${r.domains.total}` : '-', finding: r.finding.split('\n')[0]!, report: r.report!,
    })),
  };
}

export async function writeCheckReport(file: string, records: readonly CheckRecord[], summary: string): Promise<void> {
  const { renderBatchReportHtml } = await import('../report/html.js');
  const html = await renderBatchReportHtml(batchReportModel(records, summary));
  try {
    writeFileAtomic(file, html);
  } catch (e) {
    throw new OutputError('OUTPUT_WRITE', `cannot write the report ${file}: ${(e as Error).message}`, { path: file }, undefined, 'name a writable file with --report');
  }
}
