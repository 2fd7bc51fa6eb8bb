import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createMachine, runCommands } from '../../../../../src/sim/uboot/index.js';
import { expectConsole } from '../helpers.js';

describe('sim → uboot → cmd → nvedit / setexpr', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nv-'));
  after(() => { fs.rmSync(root, { recursive: true, force: true }); });

  it('sets, prints, deletes and rejects "=" in names with the 2023.01 texts', () => {
    const m = createMachine({ root });
    runCommands(m, 'setenv a=b c\nsetenv -f q 1\nenv set q 2 3\nenv print q\nenv print nonexist\nsetenv q\nprintenv q');
    expectConsole(m).nextLine('## Error: illegal character \'=\'in variable name "a=b"').nextLine('q=2 3')
      .nextLine('## Error: "nonexist" not defined').nextLine('## Error: "q" not defined').end();
  });

  it('runs variables with run and reports missing ones', () => {
    const m = createMachine({ root });
    runCommands(m, 'setenv cmd "echo in-run; echo two"\nrun cmd\nrun nonexist');
    expectConsole(m).nextLine('in-run').nextLine('two').nextLine('## Error: "nonexist" not defined').end();
  });

  it('computes setexpr in hex like U-Boot 2023.01 on arm64', () => {
    const m = createMachine({ root });
    runCommands(m, 'setexpr r 0x10 + 0x20; echo $r\nsetexpr r 10 - 1; echo $r\nsetexpr r ${r} \\* 3; echo $r\nsetexpr r 0x40400000 + 1f6dfc0; echo $r\nsetexpr r 7; echo $r\nsetexpr r 7 / 0; echo $r');
    expectConsole(m).nextLine('30').nextLine('f').nextLine('2d').nextLine('4236dfc0').nextLine('7').nextLine('0').end();
    expect(m.env.get('r')).to.equal('0');
  });
});
