// `-p PREPEND_PATH`: read as ImageBuilder's prefix, checked like a file name.
import { expect } from 'chai';
import { parseConfigText } from '../../../src/config/index.js';
import { BASE, expectConfigError } from './helpers.js';

const load = (prependPath?: string) => parseConfigText(BASE, 'c.cfg', prependPath === undefined ? {} : { prependPath }).config;

describe('config → -p PREPEND_PATH', () => {
  it('is absent without -p and with an empty -p ""', () => {
    expect(load().prependPath).to.equal(undefined);
    expect(load('').prependPath).to.equal(undefined);
  });

  it('keeps the prefix as given, without trailing slashes', () => {
    expect(load('/srv/tftp').prependPath).to.equal('/srv/tftp');
    expect(load('board1/').prependPath).to.equal('board1');
    expect(load('/').prependPath).to.equal('');
  });

  it('refuses a prefix U-Boot would not read as one word, naming -p', () => {
    expectConfigError(() => load('my boot'), {
      code: 'CONFIG_UNSAFE_PATH', file: '<command line>',
      message: '-p = "my boot" contains a space at character 3, which splits the name into two words in the U-Boot command; the name is written into the boot script, so it must be one plain word',
    });
    expectConfigError(() => load('x;reset'), { code: 'CONFIG_UNSAFE_PATH', message: /^-p = "x;reset" contains ";" at character 2, which ends the U-Boot command there/ });
  });
});
