// The plan's CPU lines and --json member: each pool with its CPUs, their phandles and its
// domains; colours, capabilities and hard affinity per domU.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generate } from '../../../src/api/generate.js';
import { cpuJson, cpuSummary } from '../../../src/cli/cpu-report.js';
import { envelope, planJson } from '../../../src/cli/json.js';
import { schemaErrors } from '../../helpers/json-schema.js';
import { REPO_ROOT } from '../../helpers/paths.js';
import { tempDir } from '../../helpers/temp.js';

describe('cli → cpu-report', () => {
  it('lists the pools, colours, capabilities and affinity of the README sample with CPU keys added', () => {
    const dir = tempDir();
    fs.cpSync(path.join(REPO_ROOT, 'samples'), path.join(dir, 'samples'), { recursive: true });
    const config = path.join(dir, 'config');
    fs.writeFileSync(config, `${fs.readFileSync(path.join(REPO_ROOT, 'config.example'), 'utf8')}${[
      'NUM_CPUPOOLS=2', 'CPUPOOL[0]="cpu@1,cpu@2 credit2"', 'CPUPOOL[1]="cpu@3"', 'DOMU_CPUPOOL[0]=0', 'DOMU_CPUPOOL[1]=1',
      'DOMU_CAPS[0]="control|xenstore"', 'DOMU_COLORS[1]="0-3"', 'DOMU_VCPU_HARD_AFFINITY[1,1]="3"',
    ].join('\n')}\n`);
    const { plan } = generate(config, { env: {}, write: false, dir });
    expect(cpuSummary(plan)).to.deep.equal([
      'cpupool 0 (/chosen/cpupool_0, phandle 0xfffffffe): cpu@1, cpu@2; credit2 scheduler; domU0',
      'cpupool 1 (/chosen/cpupool_1, phandle 0xfffffffd): cpu@3; default scheduler; domU1',
      'capabilities: domU0 5 (control|xenstore)',
      'colours: domU1 0-3 (ImageBuilder colours)',
      'hard affinity: domU1 vCPU 1 on pCPUs 3',
    ]);
    expect(cpuJson(plan)).to.deep.equal({
      cpupools: [
        { index: 0, node: 'cpupool_0', phandle: 0xfffffffe, cpus: [{ name: 'cpu@1', hwid: 1, phandle: 0x8011, added: false }, { name: 'cpu@2', hwid: 2, phandle: 0x8012, added: false }], sched: 'credit2', domUs: [0] },
        { index: 1, node: 'cpupool_1', phandle: 0xfffffffd, cpus: [{ name: 'cpu@3', hwid: 3, phandle: 0x8013, added: false }], domUs: [1] },
      ],
      colourForm: 'imagebuilder',
      domUs: [
        { index: 0, cpupool: 0, capabilities: 5, affinity: [] },
        { index: 1, cpupool: 1, colours: [0, 1, 2, 3], affinity: [{ vcpu: 1, pcpus: [3] }] },
      ],
    });
    // The plan section of --json carries it, and the shipped schema describes it.
    const p = planJson(plan);
    expect(p.cpu).to.deep.equal(cpuJson(plan));
    expect(schemaErrors(envelope('generate', 0, [], { plan: p, outputs: { source: 's', script: 'x', extra: [], written: [], keptFailed: [], installed: [], ubootCommand: 'x' } }))).to.deep.equal([]);
  });
});
