// The facts table beside the keys table: one row per key, and every example a line that sets its key.
import { expect } from 'chai';
import { KEYS } from '../../../src/config/keys.js';
import { KEY_FACTS } from '../../../src/config/key-facts.js';
import { parseConfigRaw } from '../../../src/config/parse.js';

describe('config → key-facts', () => {
  it('has a row for every key of KEYS and none for a key KEYS lacks', () => {
    const keys = KEYS.map((k) => k.key).sort();
    const facts = Object.keys(KEY_FACTS).sort();
    expect(facts.filter((k) => !keys.includes(k)), 'facts rows without a key').to.deep.equal([]);
    expect(keys.filter((k) => !facts.includes(k)), 'keys without a facts row').to.deep.equal([]);
  });

  for (const spec of KEYS) {
    it(`${spec.key}: an example that sets it, a dated ImageBuilder version, a Kconfig symbol if any`, () => {
      const facts = KEY_FACTS[spec.key]!;
      const raw = parseConfigRaw(`${facts.example}\n`, 'example');
      expect(raw.assignments.map((a) => [a.name, a.indexed]), facts.example).to.deep.equal([[spec.key, spec.indexed !== false]]);
      expect(raw.diagnostics, facts.example).to.deep.equal([]);
      expect(facts.imagebuilder).to.match(/^20(19|2\d)-(0[1-9]|1[0-2]) \(([0-9a-f]{7}|upstream patch)\)$/);
      if (facts.kconfig !== null) expect(facts.kconfig).to.match(/^[A-Z][A-Z0-9_]+( \(4\.\d+\+\))?$/);
      if (facts.xen !== null) expect(facts.xen).to.match(/^(all|4\.\d+\+|none upstream|Xilinx downstream only)/);
    });
  }

  it('dates the keys ImageBuilder read from its first commit, and the 2025 load commands from their patch', () => {
    expect(KEY_FACTS['DOMU_KERNEL']).to.deep.equal({ imagebuilder: '2019-05 (0f395d1)', xen: 'all', kconfig: null, example: 'DOMU_KERNEL[0]="Image"' });
    expect(KEY_FACTS['DOMU_STATIC_MEM']?.kconfig).to.equal('STATIC_MEMORY');
    expect(KEY_FACTS['XEN_LOAD']?.imagebuilder).to.equal('2025-08 (upstream patch)');
    expect(KEY_FACTS['DOMU_GRANT_VER']?.xen).to.equal('4.18+ (4.17 ignores it)');
  });
});
