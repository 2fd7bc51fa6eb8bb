// The -s script's U-Boot variables in fdt commands: measured where the value cannot change the
// bytes (the DTB's address variable, cells), refused everywhere else.
import { expect } from 'chai';
import { measureScriptEdits } from '../../../src/emit/measure.js';
import { stripMarks } from '../../../src/emit/render.js';
import { UbootGenError } from '../../../src/errors.js';
import { getprop, pathOffset } from '../../../src/fdt/ro.js';
import { boardDtb } from '../../helpers/images.js';

const measure = (script: string) => measureScriptEdits(script, stripMarks(script, 'test.source').owners,
  { dtb: boardDtb(), addr: 0x40a00000, label: 'DEVICE_TREE "b.dtb"', addrVar: 'host_fdt_addr' });

function thrown(fn: () => unknown): UbootGenError {
  try { fn(); } catch (e) { if (e instanceof UbootGenError) return e; throw e; }
  throw new Error('expected an error');
}

describe('emit → measure → U-Boot variables', () => {
  it('selects the DTB through its address variable and counts a variable cell as 4 bytes', () => {
    const withVars = measure('fdt addr ${host_fdt_addr}\nfdt mknod /chosen m@1\nfdt set /chosen/m@1 reg <0x${addr_hi} 0x${addr_lo} ${size_hi} 0x${size_lo}>\n');
    const fixed = measure('fdt addr 0x40a00000\nfdt mknod /chosen m@1\nfdt set /chosen/m@1 reg <0x1 0x40400000 0x0 0x40000>\n');
    expect(withVars.growth).to.equal(fixed.growth);
    expect(withVars.edits).to.equal(2);
    const reg = getprop(withVars.edited, pathOffset(withVars.edited, '/chosen/m@1'), 'reg') as Uint8Array;
    expect(reg.length).to.equal(16);
  });

  it('refuses a variable that could change a string, a path, or select another blob', () => {
    for (const [script, line] of [
      ['fdt addr ${host_fdt_addr}\nfdt set /chosen bootargs "${args}"\n', 2],
      ['fdt addr ${host_fdt_addr}\nfdt mknod /chosen ${name}\n', 2],
      ['fdt addr ${fdtcontroladdr}\n', 1],
    ] as const) {
      const e = thrown(() => measure(script));
      expect(e.code, script).to.equal('EMIT_FDT_UNMEASURABLE');
      expect(e.message, script).to.match(new RegExp(`^boot.source line ${line} \\(written by test.source\\): .* uses a U-Boot variable`));
    }
  });
});
