// Real U-Boot 2023.01 consoles (test/fixtures/uboot-real) replayed through the simulator: each
// command typed at the real prompt is typed into the simulated one, and every line must match.
import { expect } from 'chai';
import * as fs from 'node:fs';
import { createMachine, typeLine } from '../../../../../src/sim/uboot/index.js';
import { fixturePath } from '../../../../helpers/paths.js';

/** TFTP progress ("Loading: *#", hashes) and the transfer rate depend on timing, not on the script. */
const timing = (l: string): boolean => l.startsWith('Loading: ') || /^\t .*[KM]iB\/s$/.test(l);

function replay(log: string): { real: string[]; simulated: string[] } {
  const real = log.replaceAll('\b', '').split('\n');
  if (real.at(-1) === '') real.pop();
  const m = createMachine({ root: fixturePath('uboot-real') });
  for (const l of real) if (l.startsWith('=> ')) typeLine(m, l.slice(3));
  return { real: real.filter((l) => !timing(l)), simulated: m.console.transcript().filter((l) => !timing(l)) };
}

describe('sim → uboot → hush → real consoles', () => {
  for (const name of ['quotes-console.log', 'heap-console.log']) {
    it(`prints what real U-Boot 2023.01 printed: ${name}`, () => {
      const { real, simulated } = replay(fs.readFileSync(fixturePath('uboot-real', name), 'latin1'));
      expect(simulated).to.deep.equal(real);
    });
  }
});
