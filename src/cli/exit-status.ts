// Exit statuses as users read them: each command's --help table and the README's code
// list, both built from the codes table in src/errors.ts, so neither can drift from what
// exitCodeFor() returns.
import { ERROR_CODES, EXIT_CODE, EXIT_STATUS, type Code, type CodeInfo, type ExitName } from '../errors.js';

/** Where a code is raised, from its prefix: the commands that run a stage can return its codes. */
export type Stage = 'cli' | 'config' | 'image' | 'fdt' | 'plan' | 'emit' | 'output' | 'sim' | 'inspect' | 'lab' | 'serve' | 'internal';

const STAGE_BY_PREFIX: ReadonlyArray<readonly [string, Stage]> = [
  ['CONFIG_', 'config'], ['IMAGE_', 'image'], ['FDT_ERR_', 'fdt'], ['PLAN_', 'plan'], ['EMIT_', 'emit'],
  ['OUTPUT_', 'output'], ['SIM_', 'sim'], ['INSPECT_', 'inspect'], ['LAB_', 'lab'], ['SERVE_', 'serve'], ['USAGE', 'cli'], ['INTERNAL', 'internal'],
];

export function stageOf(code: Code): Stage {
  const hit = STAGE_BY_PREFIX.find(([prefix]) => code.startsWith(prefix));
  if (!hit) throw new RangeError(`${code} has no stage prefix`);
  return hit[1];
}

export type CommandName = 'generate' | 'simulate' | 'qemu' | 'serve' | 'keys' | 'inspect' | 'check';

interface CommandExits {
  /** The stages the command runs (which codes it can raise). */
  stages: readonly Stage[];
  /** What success (0) and a failed boot (6) mean for this command; a command that boots nothing has no 6. */
  ok: string;
  verify?: string;
}

const GENERATE_STAGES: readonly Stage[] = ['cli', 'config', 'image', 'fdt', 'plan', 'emit', 'output', 'sim', 'internal'];

export const COMMAND_EXITS: Readonly<Record<CommandName, CommandExits>> = {
  generate: {
    stages: GENERATE_STAGES,
    ok: 'success (and, unless --no-verify, every domain comes up in the simulation)',
    verify: 'the simulated boot does not bring every domain up',
  },
  simulate: {
    // Reads the script and the board DTB, then only simulates: no config, plan or output.
    stages: ['cli', 'image', 'fdt', 'sim', 'internal'],
    ok: 'success: every domain comes up in the simulation',
    verify: 'the simulated boot does not bring every domain up',
  },
  qemu: {
    stages: [...GENERATE_STAGES, 'lab'],
    ok: 'success: every domain comes up in the real boot',
    verify: 'the real boot does not bring every domain up',
  },
  serve: {
    // With --config it plans in memory (nothing written, nothing simulated) to know what to expect.
    stages: ['cli', 'serve', 'config', 'image', 'fdt', 'plan', 'emit', 'internal'],
    ok: 'served until stopped; with --config, every planned file fetched unchanged',
    verify: 'with --config, a stale boot.scr, or a missing, changed, failed or unplanned fetch',
  },
  keys: {
    // Reads only the keys table: a KEY it does not know is a usage error.
    stages: ['cli', 'internal'],
    ok: 'success',
  },
  inspect: {
    // Reads the script and the files it names, and runs the planner's checks on them: never boots.
    stages: ['cli', 'image', 'fdt', 'plan', 'inspect', 'internal'],
    ok: 'no finding is an error (warnings and notes may be printed)',
    verify: 'a finding of the script is an error: it would not boot as written',
  },
  check: {
    // Generates and verifies each config in memory: every stage of generate, outputs' paths checked but nothing written.
    stages: GENERATE_STAGES,
    ok: 'every config generates and every domain of each comes up in the simulation',
    verify: 'the simulated boot of a config does not bring every domain up',
  },
};

const ERROR_ENTRIES = (Object.entries(ERROR_CODES) as [Code, CodeInfo][]).filter(([, info]) => info.severity === 'error');
const STATUS_ORDER = (Object.keys(EXIT_CODE) as ExitName[]).sort((a, b) => EXIT_CODE[a] - EXIT_CODE[b]);

/** The statuses a command can return, each with the labels of the codes behind it. */
export function commandStatuses(command: CommandName): { status: number; name: ExitName; text: string }[] {
  const spec = COMMAND_EXITS[command];
  const rows: { status: number; name: ExitName; text: string }[] = [];
  for (const name of STATUS_ORDER) {
    let text: string | undefined;
    if (name === 'ok') text = spec.ok;
    else if (name === 'verify') text = spec.verify === undefined ? undefined : `${EXIT_STATUS.verify}: ${spec.verify}`;
    else {
      const labels = [...new Set(ERROR_ENTRIES.filter(([code, info]) => info.exit === name && spec.stages.includes(stageOf(code))).map(([, info]) => info.label))];
      if (labels.length) text = `${EXIT_STATUS[name]}: ${labels.join(', ')}`;
    }
    if (text !== undefined) rows.push({ status: EXIT_CODE[name], name, text });
  }
  return rows;
}

/** `lead` then `text` word-wrapped to `width` columns, continuation lines indented to the text. */
function wrap(lead: string, text: string, width: number): string {
  const lines: string[] = [];
  let line = lead;
  for (const word of text.split(' ')) {
    if (line.length > lead.length && line.length + 1 + word.length > width) {
      lines.push(line);
      line = ' '.repeat(lead.length) + word;
    } else line = line.length > lead.length ? `${line} ${word}` : line + word;
  }
  lines.push(line);
  return lines.join('\n');
}

/** The "Exit status:" block of a command's --help. */
export function exitHelp(command: CommandName): string {
  const rows = commandStatuses(command).map((r) => wrap(`  ${String(r.status).padEnd(4)}`, r.text, 100));
  return ['Exit status:', ...rows].join('\n');
}

const cell = (s: string): string => s.replace(/\|/g, '\\|');

/** The README's exit-status and code tables (markdown). */
export function errorCodesMarkdown(): string {
  const commands = Object.keys(COMMAND_EXITS) as CommandName[];
  const out: string[] = [
    '| status | meaning | returned by |', '| --- | --- | --- |',
  ];
  for (const name of STATUS_ORDER) {
    const by = commands.filter((c) => commandStatuses(c).some((r) => r.name === name));
    out.push(`| ${EXIT_CODE[name]} | ${EXIT_STATUS[name]} | ${by.map((c) => `\`${c}\``).join(', ')} |`);
  }
  out.push('', 'Errors stop the run; the exit status follows what the error means, not where it is found:', '',
    '| code | exit | meaning | fix |', '| --- | --- | --- | --- |');
  for (const [code, info] of ERROR_ENTRIES) out.push(`| \`${code}\` | ${EXIT_CODE[info.exit]} | ${cell(info.meaning)} | ${cell(info.fix)} |`);
  out.push('', 'Warnings and notes are printed (and listed in `--json` under `diagnostics`); the run goes on:', '',
    '| code | level | meaning | fix |', '| --- | --- | --- | --- |');
  for (const [code, info] of Object.entries(ERROR_CODES) as [Code, CodeInfo][]) {
    if (info.severity !== 'error') out.push(`| \`${code}\` | ${info.severity} | ${cell(info.meaning)} | ${cell(info.fix)} |`);
  }
  return out.join('\n');
}
