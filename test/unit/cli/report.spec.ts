// The JSON shapes of errors and diagnostics: code, exit status and fix from the codes table.
import { expect } from 'chai';
import { ConfigError } from '../../../src/errors.js';
import { diagnosticJson, errorJson } from '../../../src/cli/report.js';

describe('cli → report', () => {
  it('an error carries its code, position, hint, exit status and the table\'s fix', () => {
    const e = new ConfigError('CONFIG_UNSAFE', 'XEN runs a command', { reason: 'r' }, { file: 'c', line: 2, col: 6 }, 'write it literally');
    expect(errorJson(e)).to.deep.equal({
      code: 'CONFIG_UNSAFE', name: 'ConfigError', message: 'XEN runs a command', data: { reason: 'r' }, where: { file: 'c', line: 2, col: 6 },
      hint: 'write it literally', exitStatus: 3, fix: 'Write the value literally; compute it before writing the config.',
    });
  });

  it('anything else thrown is an INTERNAL error (70) that keeps its stack for the report', () => {
    const boom = new TypeError('x is undefined');
    const j = errorJson(boom);
    expect([j['code'], j['name'], j['message'], j['exitStatus']]).to.deep.equal(
      ['INTERNAL', 'InternalError', 'uboot-gen bug: x is undefined (please report it with the --json output)', 70]);
    expect((j['data'] as { stack: string }).stack).to.equal(boom.stack);
    expect(errorJson('a string')['message']).to.equal('uboot-gen bug: a string (please report it with the --json output)');
  });

  it('a diagnostic keeps its fields and gains the table\'s fix', () => {
    expect(diagnosticJson({ level: 'warning', code: 'CONFIG_OCTAL', message: 'm', where: { file: 'c', line: 1, col: 1 } })).to.deep.equal({
      level: 'warning', code: 'CONFIG_OCTAL', message: 'm', where: { file: 'c', line: 1, col: 1 }, fix: 'Write 0x... for hex, or drop the leading 0.',
    });
  });
});
