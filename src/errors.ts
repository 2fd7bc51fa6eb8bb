// One error hierarchy for the whole tool. The `code` is the stable, documented
// identifier (tests assert it); the message is a whole sentence with the numbers in it.

export type ErrorCode =
  | 'CONFIG_SYNTAX' | 'CONFIG_UNSAFE' | 'CONFIG_UNKNOWN_KEY' | 'CONFIG_BAD_VALUE' | 'CONFIG_MISSING'
  | 'CONFIG_CONFLICT' | 'CONFIG_UNSUPPORTED' | 'CONFIG_NOT_FOUND' | 'CONFIG_PASSTHROUGH_PATH'
  | 'CONFIG_NOT_REGULAR_FILE' | 'CONFIG_TOO_LARGE' | 'CONFIG_BAD_ENCODING' | 'CONFIG_TOO_COMPLEX' | 'CONFIG_OUT_OF_RANGE' | 'CONFIG_UNSAFE_PATH'
  | 'IMAGE_NOT_FOUND' | 'IMAGE_UNKNOWN_FORMAT' | 'IMAGE_WRONG_TYPE' | 'IMAGE_TRUNCATED' | 'IMAGE_BAD_MAGIC'
  | 'IMAGE_BAD_CRC' | 'IMAGE_UNSUPPORTED' | 'IMAGE_NOT_REGULAR_FILE' | 'IMAGE_TOO_LARGE' | 'IMAGE_OUT_OF_RANGE'
  | `FDT_ERR_${string}`
  | 'PLAN_OUT_OF_MEMORY' | 'PLAN_OVERLAP' | 'PLAN_RESERVED_CONFLICT' | 'PLAN_DTB_TOO_LARGE' | 'PLAN_DTB_EDITED'
  | 'PLAN_FIT_BOOTM' | 'PLAN_FIT_NO_ROOM'
  | 'EMIT_TEMPLATE' | 'EMIT_TEMPLATE_DIR' | 'EMIT_SCRIPT_SYNTAX' | 'EMIT_FDT_UNMEASURABLE' | 'EMIT_FDT_NO_NODE'
  | 'EMIT_FDT_EDIT_FAILS' | 'EMIT_EDITS_UNSTABLE'
  | 'OUTPUT_WRITE'
  | 'SIM_BAD_INPUT' | 'SIM_BUDGET'
  | 'LAB_SETUP' | 'LAB_BOOT'
  | 'SERVE_ROOT' | 'SERVE_LISTEN' | 'SERVE_PLAN'
  | 'USAGE'
  | 'INTERNAL';

/** Where an error points: a config position, a file offset, a config key. */
export interface Where { file?: string; line?: number; col?: number; offset?: number; key?: string }

export class UbootGenError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly data: Record<string, unknown> = {},
    readonly where?: Where,
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }

  /** `file:line:col: message` then the hint, the form compilers use. */
  describe(): string {
    const w = this.where;
    const at = w?.file ? `${w.file}${w.line !== undefined ? `:${w.line}` : ''}${w.col !== undefined ? `:${w.col}` : ''}: ` : '';
    return `${at}${this.message}${this.hint ? `\n  hint: ${this.hint}` : ''}`;
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, name: this.name, message: this.message, data: this.data, where: this.where, hint: this.hint };
  }
}

export class ConfigError extends UbootGenError {}
export class ImageFormatError extends UbootGenError {}
export class FdtError extends UbootGenError {}
export class PlanError extends UbootGenError {}
export class OutputError extends UbootGenError {}
export class LabError extends UbootGenError {}
export class ServeError extends UbootGenError {}
export class InternalError extends UbootGenError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('INTERNAL', `uboot-gen bug: ${message} (please report it with the --json output)`, data);
  }
}

/** Exit statuses of the CLI, documented in `--help`. Only src/cli reads this. */
export const EXIT_CODE = {
  ok: 0,
  failure: 1,
  usage: 2,
  config: 3,
  input: 4,
  plan: 5,
  verify: 6,
  internal: 70,
} as const;

export function exitCodeFor(err: unknown): number {
  if (!(err instanceof UbootGenError)) return EXIT_CODE.internal;
  if (err.code === 'USAGE') return EXIT_CODE.usage;
  if (err.code.startsWith('CONFIG_')) return EXIT_CODE.config;
  if (err.code.startsWith('IMAGE_') || err.code.startsWith('FDT_ERR_') || err.code === 'SIM_BAD_INPUT') return EXIT_CODE.input;
  if (err.code.startsWith('PLAN_')) return EXIT_CODE.plan;
  if (err.code === 'INTERNAL') return EXIT_CODE.internal;
  return EXIT_CODE.failure;
}
