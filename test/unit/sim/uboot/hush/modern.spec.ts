// The old and the modern hush against real U-Boot v2026.04 (sandbox, test/fixtures/uboot-real/hush):
// each script is sourced by the simulator under both parsers and must print what the real one did,
// line for line, up to and including the next prompt line.
import { expect } from 'chai';
import * as fs from 'node:fs';
import { createMachine, typeLine } from '../../../../../src/sim/uboot/index.js';
import { writeScriptImage } from '../../../../../src/images/uimage.js';
import { fixturePath } from '../../../../helpers/paths.js';

const DIR = fixturePath('uboot-real', 'hush');
const ADDR = 0x40200000;

/** Console after `## Executing script at …` for `source` of NAME.source, then `echo ==end` typed. */
function sourced(name: string, hush: 'old' | 'modern'): { real: string[]; simulated: string[] } {
  const real = fs.readFileSync(`${DIR}/${name}.${hush}.log`, 'latin1').split('\n');
  if (real.at(-1) === '') real.pop();
  const m = createMachine({ root: DIR, ubootVersion: '2026.04', build: { hush } });
  m.ram.write(ADDR, writeScriptImage(fs.readFileSync(`${DIR}/${name}.source`), { time: 0 }), `${name}.scr`);
  typeLine(m, `source ${ADDR.toString(16)}`);
  // U-Boot gives the prompt back after a syntax error; the simulator ends a verification there.
  if (m.stopped === 'syntax-error') m.stopped = undefined;
  typeLine(m, 'echo ==end');
  const out = m.console.transcript();
  return { real, simulated: out.slice(out.findIndex((l) => l.startsWith('## Executing script at ')) + 1) };
}

const CASES = ['andor', 'expand', 'setexpr', 'locals', 'continue', 'ifs', 'se-quote', 'se-fi', 'se-paren', 'gen-plain', 'gen-sized', 'gen-extra'];

describe('sim → uboot → hush → modern', () => {
  for (const name of CASES) {
    for (const hush of ['old', 'modern'] as const) {
      it(`${name}: ${hush} hush prints what U-Boot v2026.04's did`, () => {
        const { real, simulated } = sourced(name, hush);
        expect(simulated).to.deep.equal(real);
      });
    }
  }

  it('the two parsers differ where the fixtures say they do', () => {
    expect(sourced('andor', 'old').simulated.slice(0, 2)).to.deep.equal(['rc=1', '=> echo ==end']);
    expect(sourced('andor', 'modern').simulated.slice(0, 4)).to.deep.equal(['or2', 'rc=0', 'and1', 'yes']);
    expect(sourced('expand', 'modern').simulated[1]).to.equal('"x y"');
    expect(sourced('expand', 'old').simulated[1]).to.equal('x y');
    expect(sourced('continue', 'modern').simulated[0]).to.equal('one two');
    expect(sourced('se-fi', 'old').simulated.slice(0, 2)).to.deep.equal(['before', 'syntax error']);
    expect(sourced('se-fi', 'modern').simulated[0]).to.equal('syntax error: unterminated compound statement=> echo ==end');
  });

  it('generated scripts (plain, -s, APPEND_EXTRA_CMDS) do the same under both parsers', () => {
    for (const name of ['gen-plain', 'gen-sized', 'gen-extra']) {
      expect(sourced(name, 'modern').simulated).to.deep.equal(sourced(name, 'old').simulated);
    }
  });
});
