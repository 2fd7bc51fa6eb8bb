// How a verification is worded: the summary line for each way a boot ends, and the JSON.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generate } from '../../../src/api/generate.js';
import { verifyGenerated, verifyScript } from '../../../src/api/verify.js';
import { writeScriptImage } from '../../../src/images/uimage.js';
import { formatVerifyReport, verifyJson, verifySummary } from '../../../src/cli/verify-report.js';
import type { Style } from '../../../src/cli/report.js';
import { sampleCopy, tempDir } from '../../helpers/images.js';
import { expectSchemaValid } from '../../helpers/json-schema.js';
import { envelope } from '../../../src/cli/json.js';

const plain: Style = { bold: (s) => s, dim: (s) => s, red: (s) => s, green: (s) => s, yellow: (s) => s };

describe('cli → verify-report', () => {
  it('every domain up: the names in boot order, and the JSON the CLI prints', () => {
    const r = verifyGenerated(generate(sampleCopy().config, { env: {}, write: false }));
    expect(verifySummary(r)).to.equal('every domain comes up (dom0, domU1, domU0)');
    const json = verifyJson(r);
    expect(Object.keys(json)).to.deep.equal(['ok', 'summary', 'board', 'uboot', 'xen', 'domains']);
    expect(json.summary).to.equal('every domain comes up (dom0, domU1, domU0)');
    expect(Object.keys(json.uboot)).to.deep.equal(['version', 'hush', 'stoppedReason', 'bootAttempted', 'failures', 'console']);
    expect(json.domains.map((d) => [d.name, d.kind, d.domid, d.verdict])).to.deep.equal([['dom0', 'dom0', 0, 'up'], ['domU1', 'domU', 1, 'up'], ['domU0', 'domU', 2, 'up']]);
    expectSchemaValid(envelope('simulate', 0, [], { verification: json }));
    expect(formatVerifyReport(r, plain).split('\n').at(-1)).to.equal('  ✓ every domain comes up (dom0, domU1, domU0)');
  });

  it('a domain Xen cannot allocate: Xen\'s panic', () => {
    const r = verifyGenerated(generate(sampleCopy(['DOMU_MEM[1]=2048']).config, { env: {}, write: false }));
    expect(r.ok).to.equal(false);
    expect(verifySummary(r)).to.equal('Xen panics: Failed to allocate requested domain memory. 2097152KB unallocated. Fix the VMs configurations.');
    expect(formatVerifyReport(r, plain).split('\n').at(-1)).to.equal(`  ✗ ${verifySummary(r)}`);
  });

  it('a script that ends, or whose boot command fails, before Xen', () => {
    const dir = tempDir();
    const ended = verifyScript(writeScriptImage('echo hello\n', { time: 0 }), dir, undefined);
    expect(verifySummary(ended)).to.equal('U-Boot: the script ended without booting');
    expect(Object.keys(verifyJson(ended))).to.deep.equal(['ok', 'summary', 'board', 'uboot', 'domains']);
    expectSchemaValid(envelope('simulate', 6, [], { verification: verifyJson(ended) }));
    fs.writeFileSync(path.join(dir, 'x'), 'not an image');
    const failed = verifyScript(writeScriptImage('tftpb 0x40400000 x\nbooti 0x40400000 - 0x44000000\n', { time: 0 }), dir, undefined);
    expect(verifySummary(failed)).to.equal('U-Boot: the boot command failed at line 2 (`booti 0x40400000 - 0x44000000`): U-Boot returned to its prompt');
  });
});
