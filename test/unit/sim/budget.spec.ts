// The simulator's budgets (src/sim/budget.ts) and the scripts that crashed it before they
// existed: each ends in a verdict naming the line and command, or in what U-Boot itself does.
import { expect } from 'chai';
import * as fs from 'node:fs';
import { createMachine, runCommands, simulateUboot, type Machine } from '../../../src/sim/uboot/index.js';
import { verifyScript } from '../../../src/api/verify.js';
import { verifySummary } from '../../../src/cli/verify-report.js';
import { writeScriptImage, IH_ARCH_ARM64 } from '../../../src/images/uimage.js';
import { DEFAULT_BUDGETS, SimBudgetExceeded, formatBytes } from '../../../src/sim/budget.js';
import { makeServedFolder } from './uboot/helpers.js';

const image = (text: string): Uint8Array => writeScriptImage(text, { arch: IH_ARCH_ARM64, time: 0 });
const last = (m: Machine): string | undefined => m.console.transcript().at(-1);

/** A dom0-only boot in the style of ImageBuilder, with `reg` and `memory` lines to vary. */
const dom0Script = (reg: string): string => [
  'tftpb 0x40C00000 xen',
  'tftpb 0x41000000 virt.dtb',
  'fdt addr 0x41000000',
  'fdt resize 1024',
  'fdt set /chosen \\#address-cells <0x2>',
  'fdt set /chosen \\#size-cells <0x2>',
  'fdt set /chosen xen,xen-bootargs "console=dtuart dtuart=/pl011@9000000 dom0_mem=512M"',
  'fdt mknod /chosen dom0',
  'fdt set /chosen/dom0 compatible "xen,linux-zimage" "xen,multiboot-module" "multiboot,module"',
  `fdt set /chosen/dom0 reg ${reg}`,
  'tftpb 0x41200000 Image',
  'setenv fdt_high 0xffffffffffffffff',
  'booti 0x40C00000 - 0x41000000',
].join('\n');

describe('sim → budget', () => {
  let root: string;
  let m: Machine;
  before(() => { root = makeServedFolder(); });
  after(() => { fs.rmSync(root, { recursive: true, force: true }); });
  beforeEach(() => { m = createMachine({ root }); });

  it('names its limits, each far above the 128-domU script (1,930 commands, 5,416 lines, 331 KB of output)', () => {
    expect(DEFAULT_BUDGETS).to.deep.equal({
      steps: 100_000, nesting: 64, consoleLines: 200_000, consoleBytes: 16 * 1024 * 1024,
      ramReadBytes: 64 * 1024 * 1024, ramHeldBytes: 256 * 1024 * 1024,
    });
    expect([formatBytes(12), formatBytes(0x1000), formatBytes(0x7001000)]).to.deep.equal(['12 bytes', '4 KiB', '112.0 MiB']);
  });

  it('stops `run` recursion at 64 levels with a verdict naming the script line', () => {
    const r = simulateUboot({ script: image("echo start\nsetenv a 'run a'\nrun a\necho never"), root });
    const verdict = "script nests if/run/source more than 64 levels deep (level 65: `run a`; real U-Boot 2023.01 recurses until hush's heap is gone, then prints \"ERROR : xrealloc failed\" and hangs): probably endless recursion at line 3 (`run a`)";
    expect(r.stoppedReason).to.equal('budget');
    expect(r.verdict).to.equal(verdict);
    expect(r.console.slice(-2)).to.deep.equal(['start', `## uboot-gen simulator: ${verdict}`]);
    expect(r.failures).to.deep.equal([{ line: 3, command: 'run a', rc: 1, message: [verdict, 'hint: a variable run with `run`, or a script sourced, must not run or source itself again'] }]);
  });

  it('stops a script that sources itself', () => {
    const r = simulateUboot({ script: image('source 40200000'), root });
    expect(r.verdict).to.equal("script nests if/run/source more than 64 levels deep (level 65: `source 40200000`; real U-Boot 2023.01 recurses until hush's heap is gone, then prints \"ERROR : xrealloc failed\" and hangs): probably endless recursion at line 1 (`source 40200000`)");
    expect(r.console.filter((l) => l === '## Executing script at 40200000')).to.have.length(64);
  });

  it('refuses `if` nested 20,000 deep while parsing, at its line', () => {
    const deep = `echo before\n${'if true; then '.repeat(20000)}echo x${'; fi'.repeat(20000)}`;
    const r = simulateUboot({ script: image(deep), root });
    expect(r.stoppedReason).to.equal('budget');
    const verdict = 'script nests `if` deeper than 64 levels at line 2, more than the simulator follows (real U-Boot 2023.01 runs it: 20,000 levels were checked)';
    expect(r.verdict).to.equal(verdict);
    expect(r.console.slice(-2)).to.deep.equal(['before', `## uboot-gen simulator: ${verdict}`]);
  });

  it('counts nesting across if and run together', () => {
    m = createMachine({ root, budgets: { nesting: 4 } });
    runCommands(m, "setenv a 'if true; then run a; fi'\nrun a");
    expect(m.verdict).to.equal("script nests if/run/source more than 4 levels deep (level 5: `if`; real U-Boot 2023.01 recurses until hush's heap is gone, then prints \"ERROR : xrealloc failed\" and hangs): probably endless recursion at line 2 (`run a`)");
  });

  it('stops a fan-out of runs after 100000 steps: "probably a loop at line L"', () => {
    const defs = ["setenv a0 'true'", ...Array.from({ length: 17 }, (_, i) => `setenv a${i + 1} 'run a${i}; run a${i}'`)];
    runCommands(m, `${defs.join('\n')}\nrun a17\necho never`);
    expect(m.stopped).to.equal('budget');
    expect(m.steps).to.equal(100_001);
    expect(m.verdict).to.equal('script exceeds 100000 steps (commands run): probably a loop at line 19 (`run a17`)');
    expect(last(m)).to.equal('## uboot-gen simulator: script exceeds 100000 steps (commands run): probably a loop at line 19 (`run a17`)');
  });

  it('bounds console lines and bytes', () => {
    m = createMachine({ root, budgets: { consoleLines: 3 } });
    runCommands(m, 'echo 1\necho 2\necho 3\necho 4\necho 5');
    expect(m.console.transcript()).to.deep.equal(['1', '2', '3', '4', '## uboot-gen simulator: script prints more than 3 console lines at line 4 (`echo 4`)']);
    m = createMachine({ root, budgets: { consoleBytes: 10 } });
    runCommands(m, 'echo 1234\necho 123456789');
    expect(m.verdict).to.equal('script prints more than 10 bytes on the console at line 2 (`echo 123456789`)');
  });

  it('a doubled variable fills U-Boot\'s 16 MiB heap: setenv fails with "## Can\'t malloc" and the script goes on (as on real 2023.01)', () => {
    // Real Debian u-boot-qemu 2023.01: from 64 bytes, the 16th doubling (a = 2 MiB) and every one
    // after it print "## Can't malloc 4194305 bytes"; `echo` still runs.
    const r = simulateUboot({ script: image(`setenv a ${'x'.repeat(64)}\n${'setenv a "${a}${a}"\n'.repeat(19)}echo doubled`), root });
    expect(r.stoppedReason).to.equal('end-of-script');
    expect(r.env['a']).to.have.length(2 * 1024 * 1024);
    expect(r.console.slice(-5)).to.deep.equal([...Array<string>(4).fill("## Can't malloc 4194305 bytes"), 'doubled']);
    expect(r.failures.map((f) => f.line)).to.deep.equal([17, 18, 19, 20]);
  });

  it('a command whose expansion cannot fit in the heap hangs hush (ERROR : xrealloc failed)', () => {
    const r = simulateUboot({ script: image(`setenv a ${'x'.repeat(64)}\n${'setenv a "${a}${a}"\n'.repeat(15)}echo \${a}\${a}\${a}\${a}\necho never`), root });
    expect(r.stoppedReason).to.equal('hang');
    expect(r.console.at(-1)).to.equal('ERROR : xrealloc failed');
    expect(r.verdict).to.equal("expanding the variables of this command needs 25165842 bytes (3 copies), more than the 14679637 left in U-Boot's 16777216-byte heap (CONFIG_SYS_MALLOC_LEN): hush prints \"ERROR : xrealloc failed\" and hangs at line 17 (`echo ${a}${a}${a}${a}`)");
  });

  it('setenv: "## Can\'t malloc" when the joined value does not fit, errno=12 when its copy does not', () => {
    m = createMachine({ root, build: { mallocLen: 8192 } });
    expect(runCommands(m, `setenv big ${'y'.repeat(3000)}`)).to.equal(1);
    expect(runCommands(m, `setenv huge ${'y'.repeat(4000)}`)).to.equal(1);
    expect(m.console.transcript()).to.deep.equal(['## Error inserting "big" variable, errno=12', "## Can't malloc 4001 bytes"]);
    expect(m.env.get('big')).to.equal(undefined);
  });

  it('an unquoted variable holding a quote: the re-parse prints "syntax error", runs nothing, and the script goes on', () => {
    // Real 2023.01 prints the same for `setenv q \'` then `echo $q x`.
    runCommands(m, "false\nsetenv q \\'\necho $q x\necho \"rc=$?\"\necho after");
    expect(m.console.transcript()).to.deep.equal(['syntax error', 'rc=0', 'after']);
    expect(m.stopped).to.equal(undefined);
  });

  it('a huge `fdt resize` is refused by the RAM budget at the next edit, not materialised', () => {
    runCommands(m, 'tftpb 0x44a00000 virt.dtb\nfdt addr 0x44a00000\nfdt resize 0x7000000\nfdt print /chosen\necho never');
    const verdict = 'the device tree at 44a00000 has a totalsize of 112.0 MiB, more than the 64 MiB the simulator edits (Xen and Linux accept at most 2 MiB) at line 4 (`fdt print /chosen`)';
    expect(m.verdict).to.equal(verdict);
    expect(last(m)).to.equal(`## uboot-gen simulator: ${verdict}`);
    expect(m.ram.heldBytes).to.be.below(0x10000);
  });

  it('a `reg` written without < > is a string: Xen finds no kernel there and panics (no crash)', () => {
    const r = verifyScript(image(dom0Script('0x41200000 0x1a0000')), root, undefined);
    expect(verifySummary(r)).to.equal('Xen panics: Could not set up DOM0 guest OS');
    expect(r.domains[0]).to.include({ name: 'dom0', verdict: 'xen panic' });
    // "0x41200000\0" read as cells by Xen: 0x30783431 0x32303030 ...
    expect(r.domains[0]!.kernel?.start).to.equal(Number(0x3078343132303030n));
  });

  // Xen 4.17.7 domain_build.c: allocate_bank_memory() makes no zero-size bank, and prepare_dtb_domU()
  // runs before construct_domain(): make_memory_node() returns -ENOENT for no bank, so Xen prints
  // "Device tree generation failed (-2)." and construct_domU() fails before place_modules().
  it('a domU with memory <0 0> panics as Xen does: no bank, so its device tree cannot be written', () => {
    const text = [
      'tftpb 0x40C00000 xen', 'tftpb 0x41000000 virt.dtb', 'tftpb 0x41200000 Image', 'fdt addr 0x41000000', 'fdt resize 0x2000',
      'fdt set /chosen \\#address-cells <0x2>', 'fdt set /chosen \\#size-cells <0x2>',
      'fdt set /chosen xen,xen-bootargs "console=dtuart dtuart=/pl011@9000000"',
      'fdt mknod /chosen domU0', 'fdt set /chosen/domU0 compatible "xen,domain"',
      'fdt set /chosen/domU0 \\#address-cells <0x2>', 'fdt set /chosen/domU0 \\#size-cells <0x2>',
      'fdt set /chosen/domU0 memory <0 0>', 'fdt set /chosen/domU0 cpus <1>',
      'fdt mknod /chosen/domU0 module@41200000',
      'fdt set /chosen/domU0/module@41200000 compatible "multiboot,kernel" "multiboot,module"',
      'fdt set /chosen/domU0/module@41200000 reg <0x0 0x41200000 0x0 0x1e00000>',
      'setenv fdt_high 0xffffffffffffffff', 'booti 0x40C00000 - 0x41000000',
    ].join('\n');
    const r = verifyScript(image(text), root, undefined);
    expect(verifySummary(r)).to.equal('Xen panics: Could not set up domain domU0');
    expect(r.xen!.console).to.include('(XEN) Device tree generation failed (-2).');
  });

  it('SimBudgetExceeded is a typed error with code SIM_BUDGET', () => {
    const e = new SimBudgetExceeded('ram', 'too much', 'less');
    expect(e.code).to.equal('SIM_BUDGET');
    expect(e.data).to.deep.equal({ kind: 'ram' });
  });
});
