// One config of a `check` batch, as the command prints it: the outcome of src/api/check.ts turned
// into plain data (it crosses from a worker thread by structured clone), with its first finding
// worded and, for --report, its boot report's model.
import { checkConfig, type CheckOptions } from '../api/check.js';
import { buildReportModel, type ReportModel } from '../report/model.js';
import { diagnosticToJson, errorToJson, type JsonDiagnostic } from './json.js';
import { formatDiagnostic } from './report.js';
import { verifySummary } from './verify-report.js';

export interface CheckRecord {
  config: string;
  ok: boolean;
  exitCode: number;
  durationMs: number;
  /** Domains that came up in the simulation, of those planned (total 0: no plan, or BOOT_CMD=none). */
  domains: { up: number; total: number; verdicts: Array<{ name: string; verdict: string }> };
  /** One line: what stopped the run or how the boot went, else the first warning. */
  finding: string;
  /** The config's warnings and notes, then what stopped the run (level `error`). */
  diagnostics: JsonDiagnostic[];
  /** --report: this config's boot report. */
  report?: ReportModel;
}

export function checkRecord(config: string, opts: CheckOptions, withReport: boolean, cwd = process.cwd()): CheckRecord {
  const o = checkConfig(config, opts, cwd);
  const v = o.verification;
  const planned = o.gen?.plan.domains.length ?? 0;
  const verdicts = v ? v.domains.map((d) => ({ name: d.name, verdict: d.verdict })) : [];
  const up = verdicts.filter((d) => d.verdict === 'up').length;
  const diagnostics = o.diagnostics.map(diagnosticToJson);
  if (o.error !== undefined) diagnostics.push(errorToJson(o.error));
  let finding: string;
  if (o.error !== undefined) {
    const d = diagnostics[diagnostics.length - 1]!;
    finding = `${d.where ? `${d.where.file}:${d.where.line}:${d.where.col}: ` : ''}${d.message}`;
  } else if (v && !v.ok) finding = verifySummary(v);
  else {
    const warning = o.diagnostics.find((d) => d.level === 'warning');
    finding = warning ? formatDiagnostic(warning) : v ? verifySummary(v) : '';
  }
  return {
    config, ok: o.ok, exitCode: o.exitCode, durationMs: o.durationMs,
    domains: { up, total: Math.max(planned, verdicts.length), verdicts },
    finding, diagnostics,
    ...(withReport ? { report: reportModel(config, o, finding) } : {}),
  };
}

/** The boot report of one config; a run stopped before the simulation shows what stopped it. */
function reportModel(config: string, o: ReturnType<typeof checkConfig>, finding: string): ReportModel {
  const v = o.verification;
  const model = buildReportModel({
    title: config, ...(o.gen ? { plan: o.gen.plan } : {}), ...(v ? { verification: v, summary: verifySummary(v) } : { summary: finding }),
    configFile: o.gen?.plan.config.configFile ?? config,
  });
  return { ...model, ok: model.ok && o.ok };
}
