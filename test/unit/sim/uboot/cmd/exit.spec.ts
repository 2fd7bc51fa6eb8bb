// `exit` in U-Boot 2023.01 (Debian u-boot-qemu, checked on QEMU virt): inside a sourced script it does NOT stop
// the script, and the status afterwards is that of the last command. The old-hush fix came in v2023.04, which
// the simulator follows when asked for that version.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createMachine, runCommands, type Machine } from '../../../../../src/sim/uboot/index.js';
import { writeScriptImage } from '../../../../../src/images/uimage.js';
import { expectConsole, makeServedFolder } from '../helpers.js';

const SCRIPT = 'echo before\nexit\necho after-exit\nexit 1\necho after-exit1\nfalse\necho end\n';

describe('sim → uboot → cmd → exit', () => {
  let root: string;
  let m: Machine;
  before(() => {
    root = makeServedFolder();
    fs.writeFileSync(path.join(root, 'exit.scr'), writeScriptImage(SCRIPT, { time: 0 }));
  });
  after(() => { fs.rmSync(root, { recursive: true, force: true }); });

  it('does not stop a sourced script in 2023.01 (every line runs, $? = 0 after)', () => {
    m = createMachine({ root });
    m.ram.writeFile(0x40200000, m.files.resolve('exit.scr')!);
    const rc = runCommands(m, 'source 40200000\necho rc=$?');
    expect(rc).to.equal(0);
    expectConsole(m).nextLine('## Executing script at 40200000').nextLine('before').nextLine('after-exit')
      .nextLine('after-exit1').nextLine('end').nextLine('rc=0').end();
    expect(m.stopped).to.equal(undefined);
    // Only `false` failed; `exit 1` returned 0.
    expect(m.failures.map((f) => [f.line, f.command, f.rc])).to.deep.equal([[6, 'false', 1]]);
  });

  it('does not stop plain commands either in 2023.01', () => {
    m = createMachine({ root });
    expect(runCommands(m, 'echo a; exit; echo b')).to.equal(0);
    expectConsole(m).nextLine('a').nextLine('b').end();
  });

  it('stops the script with its status from v2023.04 on', () => {
    m = createMachine({ root, ubootVersion: '2023.04' });
    m.ram.writeFile(0x40200000, m.files.resolve('exit.scr')!);
    runCommands(m, 'source 40200000');
    expectConsole(m).nextLine('## Executing script at 40200000').nextLine('before').end();
    expect(m.stopped).to.equal('exit');
    expect(m.lastRc).to.equal(0);
  });

  it('exit N (v2023.04+) stops with status N', () => {
    m = createMachine({ root, ubootVersion: '2023.04' });
    expect(runCommands(m, 'echo a; exit 3; echo b')).to.equal(3);
    expectConsole(m).nextLine('a').end();
  });
});
