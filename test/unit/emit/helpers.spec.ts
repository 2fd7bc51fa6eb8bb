// The template helpers' exact output, called directly and through a real render.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cells, eq, hex, prop, quote, stringList, TEMPLATE_HELPERS, unit } from '../../../src/emit/helpers.js';
import { forgetLoadedTemplates, renderScriptHint } from '../../../src/emit/render.js';
import { tempDir } from '../../helpers/images.js';

/** Handlebars appends an options object to every helper call. */
const OPTS = { hash: {} };

describe('emit → helpers', () => {
  it('hex: upper-case digits after 0x, as ImageBuilder\'s printf "0x%X"', () => {
    expect(hex(0x42a00000, OPTS)).to.equal('0x42A00000');
    expect(hex(0, OPTS)).to.equal('0x0');
    expect(hex(0x1_0000_0000, OPTS)).to.equal('0x100000000');
    expect(hex(1, 0xff, OPTS)).to.equal('0x1 0xFF');
  });

  it('unit: a node unit address, upper-case hex without 0x', () => {
    expect(unit(0x40400000, OPTS)).to.equal('40400000');
    expect(unit(0x8_4ae0_0000, OPTS)).to.equal('84AE00000');
  });

  it('cells: every value as two 32-bit cells, each followed by a space (split_value)', () => {
    expect(cells(0x40400000, 0x2010000, OPTS)).to.equal('0x0 0x40400000 0x0 0x2010000 ');
    expect(cells(0x40000, OPTS)).to.equal('0x0 0x40000 ');
    expect(cells(0x8_8000_0000, OPTS)).to.equal('0x8 0x80000000 ');
  });

  it('cells=1: one 32-bit cell per value, refusing a value that needs two', () => {
    expect(cells(0x40400000, 0x2010000, { hash: { cells: 1 } })).to.equal('0x40400000 0x2010000 ');
    expect(() => cells(0x1_0000_0000, { hash: { cells: 1 } })).to.throw(TypeError, '{{cells cells=1}} needs values below 2^32, got 0x100000000');
    expect(() => cells(1, { hash: { cells: 3 } })).to.throw(TypeError, '{{cells}} writes 1 or 2 cells per value, not 3');
  });

  it('quote: hush double quotes, escaping " and \\ but not $', () => {
    expect(quote('console=hvc0 root=/dev/ram0', OPTS)).to.equal('"console=hvc0 root=/dev/ram0"');
    expect(quote('a "b" c\\d $e', OPTS)).to.equal('"a \\"b\\" c\\\\d $e"');
    expect(quote('', OPTS)).to.equal('""');
  });

  it('strings: ImageBuilder\'s str_a, a space before each quoted element', () => {
    expect(stringList('multiboot,kernel', 'multiboot,module', OPTS)).to.equal(' "multiboot,kernel" "multiboot,module"');
    expect(stringList(OPTS)).to.equal('');
  });

  it('prop: escapes the first # of a property name (hush would read a comment)', () => {
    expect(prop('#address-cells', OPTS)).to.equal('\\#address-cells');
    expect(prop('a#b#c', OPTS)).to.equal('a\\#b#c');
    expect(prop('compatible', OPTS)).to.equal('compatible');
  });

  it('eq: strict equality of two values', () => {
    expect(eq('none', 'none', OPTS)).to.equal(true);
    expect(eq('none', 'booti', OPTS)).to.equal(false);
    expect(eq(2, '2', OPTS)).to.equal(false);
  });

  it('refuses a value of the wrong kind instead of printing it', () => {
    expect(() => hex('0x10', OPTS)).to.throw(TypeError, '{{hex}} needs non-negative integers, got "0x10"');
    expect(() => cells(-1, OPTS)).to.throw(TypeError, '{{cells}} needs non-negative integers, got -1');
    expect(() => quote(null, OPTS)).to.throw(TypeError, '{{quote}} needs strings, got null');
  });

  it('are exactly the helpers registered, and give the same text inside a rendered template', () => {
    expect(Object.keys(TEMPLATE_HELPERS).sort()).to.deep.equal(['cells', 'cellslower', 'eq', 'hex', 'hexlower', 'isset', 'prop', 'quote', 'strings', 'unit', 'var']);
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'hint.hbs'),
      '{{hex scriptAddr}}|{{hexlower scriptAddr}}|{{unit scriptAddr}}|<{{cells scriptAddr 16}}>|<{{cells 16 cells=1}}>|{{quote scriptFile}}|{{strings loadCmd scriptFile}}|{{prop "#x"}}|{{#if (eq loadCmd "tftpb")}}eq{{/if}}\n');
    forgetLoadedTemplates();
    expect(renderScriptHint({ loadCmd: 'tftpb', scriptAddr: 0x40200000, scriptFile: 'a "b".scr' }, { overrideDir: dir }))
      .to.equal('0x40200000|0x40200000|40200000|<0x0 0x40200000 0x0 0x10 >|<0x10 >|"a \\"b\\".scr"| "tftpb" "a \\"b\\".scr"|\\#x|eq');
  });
});
