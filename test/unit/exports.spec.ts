// The library's public surface: adding or removing an export is a visible decision.
import { expect } from 'chai';

describe('exports', () => {
  it('exposes exactly the intended API', async () => {
    const api = await import('../../src/index.js');
    expect(Object.keys(api).sort()).to.deep.equal([
      'ConfigError', 'ERROR_CODES', 'EXIT_CODE', 'FdtError', 'ImageFormatError', 'PlanError', 'UbootGenError',
      'batchExitCode', 'boardFromDtb', 'boardFromRange', 'bootXen', 'checkConfig', 'checkRole', 'exitCodeFor', 'findConfigs', 'formatDomainTable', 'generate', 'inspect', 'loadConfig',
      'parseConfigText', 'parseUImageHeader', 'planBoot', 'qemuVirtBoard', 'simulate', 'simulateUboot', 'sizeImage',
      'verifyGenerated', 'verifyScript', 'writeScriptImage', 'writeUImage',
    ]);
  });
});
