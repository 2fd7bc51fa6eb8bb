// Injection attempts: every one is rejected before anything is evaluated, and nothing runs.
// Each case is first run through real bash (when present) to prove the text WOULD have
// executed, so the "marker not created" assertion is meaningful.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect } from 'chai';
import { loadConfig, parseConfigText } from '../../../src/config/index.js';
import { ConfigError } from '../../../src/errors.js';
import { BASE } from './helpers.js';

const HAVE_BASH = spawnSync('bash', ['-c', 'exit 0']).status === 0;

describe('config: nothing in a config is ever executed', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uboot-gen-inject-')); });
  afterEach(() => { fs.rmSync(dir, { recursive: true, force: true }); });

  const attacks: Array<[string, (marker: string) => string]> = [
    ['$(...)', (m) => `XEN=$(touch ${m})`],
    ['backticks', (m) => `XEN=\`touch ${m}\``],
    ['$(...) inside double quotes', (m) => `XEN="xen$(touch ${m})"`],
    ['; command', (m) => `XEN=xen; touch ${m}`],
    ['&& command', (m) => `XEN=xen && touch ${m}`],
    ['|| command', (m) => `false || touch ${m}`],
    ['pipeline', (m) => `echo x | tee ${m}`],
    ['redirection', (m) => `XEN=xen > ${m}`],
    ['bare command', (m) => `touch ${m}`],
    ['function + call', (m) => `f() { touch ${m}; }\nf`],
    ['${VAR:-$(...)} default', (m) => `XEN=\${NOPE:-$(touch ${m})}`],
    ['$(( )) with command substitution', (m) => `X=$(( $(touch ${m}) 1 ))`],
    ['if block', (m) => `if true; then touch ${m}; fi`],
    ['source', (m) => `source ${m}.src`],
  ];

  for (const [name, make] of attacks) {
    it(name, function () {
      const marker = path.join(dir, 'pwned');
      const text = `${BASE}${make(marker)}\n`;
      if (name === 'source') fs.writeFileSync(`${marker}.src`, `touch ${marker}\n`);
      if (HAVE_BASH) {
        // Prove the text is dangerous: bash sourcing it creates the marker.
        const file = path.join(dir, 'bash.cfg');
        fs.writeFileSync(file, text);
        spawnSync('bash', ['--noprofile', '--norc', '-c', 'source "$1"', 'bash', file], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' } });
        expect(fs.existsSync(marker), 'bash should have created the marker').to.equal(true);
        fs.rmSync(marker);
      }
      const file = path.join(dir, 'evil.cfg');
      fs.writeFileSync(file, text);
      let err: unknown;
      try { loadConfig(file); } catch (e) { err = e; }
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as ConfigError).code).to.equal('CONFIG_UNSAFE');
      expect((err as ConfigError).where?.file).to.equal(file);
      expect((err as ConfigError).where?.line).to.equal(8);
      expect(fs.existsSync(marker), 'uboot-gen must not run anything').to.equal(false);
    });
  }

  it('quoted metacharacters are plain data', () => {
    const { config } = parseConfigText(`${BASE}XEN_CMD='console=dtuart; reboot && $(id) | x > y'\nDOMU_CMD[0]="a;b|c>d<e&f \\\`g\\\`"\n`, 'c');
    expect(config.xenCmd).to.equal('console=dtuart; reboot && $(id) | x > y');
    expect(config.domUs[0]?.cmd).to.equal('a;b|c>d<e&f `g`');
  });
});
