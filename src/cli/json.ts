// The one JSON envelope every command prints with --json. Its shape is a contract:
// `schemaVersion` changes when a field is removed or changes meaning (adding one does not).
import type { Diagnostic } from '../config/types.js';
import { codeInfo } from '../errors.js';

export const JSON_SCHEMA_VERSION = 1;

export type CommandName = 'generate' | 'simulate' | 'qemu' | 'serve' | 'check' | 'inspect' | 'keys';

/** A finding in JSON: stable code, severity, position, the config key behind it and its fix. */
export interface JsonDiagnostic {
  code: string;
  level: 'error' | 'warning' | 'info';
  message: string;
  key?: string;
  where?: { file: string; line: number; col: number };
  hint?: string;
  fix?: string;
}

export interface JsonEnvelope {
  schemaVersion: typeof JSON_SCHEMA_VERSION;
  command: CommandName;
  ok: boolean;
  exitCode: number;
  diagnostics: JsonDiagnostic[];
  /** Command-specific sections: plan, outputs, verification, lab, results, … */
  [section: string]: unknown;
}

export function diagnosticToJson(d: Diagnostic): JsonDiagnostic {
  return { ...d, fix: codeInfo(d.code).fix };
}

export function envelope(command: CommandName, exitCode: number, diagnostics: JsonDiagnostic[], sections: Record<string, unknown> = {}): JsonEnvelope {
  return { schemaVersion: JSON_SCHEMA_VERSION, command, ok: exitCode === 0, exitCode, diagnostics, ...sections };
}

export function writeJson(e: JsonEnvelope): void {
  process.stdout.write(`${JSON.stringify(e, null, 2)}\n`);
}
