// `uboot-gen keys [KEY]`: the keys table as users read it, in text, on a terminal and as JSON.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { KEYS, KEY_BY_NAME } from '../../../../src/config/keys.js';
import { formatKey, keyJson, keysMarkdown, lookupKey } from '../../../../src/cli/commands/keys.js';
import { makeStyle } from '../../../../src/cli/report.js';
import { REPO_ROOT } from '../../../helpers/paths.js';

const BIN = path.join(REPO_ROOT, 'bin', 'uboot-gen');
const run = (args: string[]) => spawnSync(BIN, args, { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CI: '1' } });
const plain = makeStyle({ isTTY: false } as NodeJS.WriteStream);

const keysSchema = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'schema', 'keys.schema.json'), 'utf8')) as Record<string, unknown>;
const validate = new Ajv2020({ strict: true, allErrors: true }).compile(keysSchema);

const DOMU_MEM_TEXT = [
  'DOMU_MEM[n]',
  '  Memory of domU n in MiB.',
  '  type          mib (one value per index: DOMU_MEM[n])',
  '  default       512',
  '  ImageBuilder  since 2020-10 (04f5034)',
  '  Xen           all',
  '  Kconfig       (none)',
  '  uboot-gen     supported',
  '  example       DOMU_MEM[0]=256',
  '',
].join('\n');

describe('cli → commands → keys', () => {
  it('finds a key by name, in any case, with or without an index', () => {
    expect(lookupKey('DOMU_MEM')?.key).to.equal('DOMU_MEM');
    expect(lookupKey('domu_mem[0]')?.key).to.equal('DOMU_MEM');
    expect(lookupKey('DOMU_VCPU_HARD_AFFINITY[1,2]')?.key).to.equal('DOMU_VCPU_HARD_AFFINITY');
    expect(lookupKey('DOMU_MEMS')).to.equal(undefined);
  });

  it('shows one key with its type, default, versions, Kconfig gate, support and example', () => {
    expect(`${formatKey(KEY_BY_NAME.get('DOMU_MEM')!, 100, plain)}\n`).to.equal(DOMU_MEM_TEXT);
    expect(formatKey(KEY_BY_NAME.get('DOMU_STATIC_MEM')!, 100, plain).split('\n').slice(4)).to.deep.equal([
      '  ImageBuilder  since 2022-06 (66b9bd9)',
      '  Xen           4.17+',
      '  Kconfig       CONFIG_STATIC_MEMORY',
      '  uboot-gen     supported',
      '  example       DOMU_STATIC_MEM[0]="0x50000000 0x10000000"',
    ]);
  });

  it('`keys DOMU_MEM` and `keys DOMU_MEM[0]` print the same text on a pipe', () => {
    for (const q of ['DOMU_MEM', 'DOMU_MEM[0]']) {
      const r = run(['keys', q]);
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.equal(DOMU_MEM_TEXT);
      expect(r.stderr).to.equal('');
    }
  });

  it('lists every key, one head line each, descriptions wrapped within 100 columns on a pipe', () => {
    const r = run(['keys']);
    expect(r.status, r.stderr).to.equal(0);
    const lines = r.stdout.split('\n');
    const heads = lines.filter((l) => /^[A-Z]/.test(l));
    expect(heads).to.have.length(KEYS.length);
    expect(heads[0]).to.equal('MEMORY_START                  address   supported');
    expect(heads.find((l) => l.startsWith('DOMU_STATIC_MEM'))).to.equal('DOMU_STATIC_MEM[n]            list      supported');
    expect(heads.at(-1)).to.equal('GPT                           string    disk_image only');
    expect(r.stdout).to.contain('\nDOMU_GRANT_VER[n]             count     supported\n    Max grant table version of domU n. ImageBuilder since 2024-04 (upstream patch). Xen: 4.18+ (4.17\n    ignores it), CONFIG_GRANT_TABLE.\n');
    expect(Math.max(...lines.map((l) => l.length))).to.be.at.most(100);
  });

  it('wraps to the terminal width on a terminal (60 columns, under script)', function () {
    if (spawnSync('script', ['--version']).error) this.skip();
    const r = spawnSync('script', ['-qfec', `stty cols 60; ${BIN} keys DOMU_PASSTHROUGH_PATHS`, '/dev/null'], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', TERM: 'xterm' } });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.equal([
      'DOMU_PASSTHROUGH_PATHS[n]',
      '  Host DT paths given to domU n (get xen,passthrough).',
      '  type          paths (one value per index:',
      '                DOMU_PASSTHROUGH_PATHS[n])',
      '  default       (none)',
      '  ImageBuilder  since 2021-12 (7ba9b41)',
      '  Xen           all',
      '  Kconfig       (none)',
      '  uboot-gen     supported',
      '  example       DOMU_PASSTHROUGH_PATHS[0]="/amba/ethernet@ff0e0000"',
      '',
    ].join('\r\n'));
  });

  it('an unknown key is a usage error (exit 2) naming the nearest key', () => {
    const r = run(['keys', 'DOMU_MEMS']);
    expect(r.status).to.equal(2);
    expect(r.stdout).to.equal('');
    expect(r.stderr).to.equal('error: DOMU_MEMS is not an ImageBuilder config key. Did you mean DOMU_MEM?\n  fix: run `uboot-gen keys` for the list of keys\n');
    expect(run(['keys', 'NOTHING_LIKE_IT']).stderr).to.equal('error: NOTHING_LIKE_IT is not an ImageBuilder config key\n  fix: run `uboot-gen keys` for the list of keys\n');
  });

  it('--json: the envelope with a keys section that keys.schema.json validates', () => {
    const r = run(['keys', '--json']);
    expect(r.status, r.stderr).to.equal(0);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(validate(doc), JSON.stringify(validate.errors)).to.equal(true);
    expect({ ...doc, keys: undefined }).to.deep.equal({ schemaVersion: 1, command: 'keys', ok: true, exitCode: 0, diagnostics: [], keys: undefined });
    expect(doc['keys']).to.deep.equal(KEYS.map(keyJson));
    expect((doc['keys'] as { key: string }[]).find((k) => k.key === 'DOMU_SHARED_MEM')).to.deep.equal({
      key: 'DOMU_SHARED_MEM', indexed: 'n', type: 'list', default: null, description: 'Static shared memory "ID [HPA] GPA SIZE" of domU n.',
      supported: KEY_BY_NAME.get('DOMU_SHARED_MEM')!.supported, diskImageOnly: false, imagebuilder: '2023-03 (upstream patch)', xen: '4.17+',
      kconfig: 'CONFIG_STATIC_SHM', example: 'DOMU_SHARED_MEM[0]="my-shared-mem-0 0x50000000 0x4000000 0x10000000"',
    });
  });

  it('--json with an unknown key: exit 2, a USAGE diagnostic and no keys', () => {
    const r = run(['keys', 'DOMU_MEMS', '--json']);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.equal('');
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(validate(doc), JSON.stringify(validate.errors)).to.equal(true);
    expect(doc).to.deep.equal({
      schemaVersion: 1, command: 'keys', ok: false, exitCode: 2, keys: [],
      diagnostics: [{ code: 'USAGE', level: 'error', message: 'DOMU_MEMS is not an ImageBuilder config key. Did you mean DOMU_MEM?', hint: 'run `uboot-gen keys` for the list of keys', fix: 'Run `uboot-gen COMMAND --help` for the options each command takes.' }],
    });
  });

  it('the schema refuses a key row that lacks a field or has one it does not know', () => {
    const row = keyJson(KEY_BY_NAME.get('XEN')!);
    expect(validate({ keys: [row] })).to.equal(true);
    const { kconfig: _k, ...lacking } = row;
    expect(validate({ keys: [lacking] })).to.equal(false);
    expect(validate({ keys: [{ ...row, extra: 1 }] })).to.equal(false);
    expect(validate({ keys: [{ ...row, indexed: 'm' }] })).to.equal(false);
  });

  it('writes the README table row from the same facts', () => {
    const md = keysMarkdown().split('\n');
    expect(md[0]).to.equal('| key | type | default | uboot-gen | ImageBuilder since | Xen | Kconfig | meaning |');
    expect(md).to.have.length(KEYS.length + 2);
    expect(md).to.include('| `DOMU_STATIC_EVTCHNS[n]` | list |  | ' + (KEY_BY_NAME.get('DOMU_STATIC_EVTCHNS')!.supported ? 'yes' : 'not yet') + ' | 2025-09 (upstream patch) | 4.17+ | `CONFIG_STATIC_EVTCHN` (4.19+) | Static event channels of domU n. |');
    expect(md).to.include('| `DOMU_CAPS[n]` | list |  | ' + (KEY_BY_NAME.get('DOMU_CAPS')!.supported ? 'yes' : 'not yet') + ' | 2025-03 (upstream patch) | 4.21+ (older releases ignore it; hardware needs an IOMMU or direct-map) |  | Capabilities of domU n: control\\|hardware\\|xenstore\\|dom0\\|none or a number (read by Xen 4.21+). |');
  });
});
