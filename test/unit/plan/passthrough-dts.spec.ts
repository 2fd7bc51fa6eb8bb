// PASSTHROUGH_DTS_REPO / LOPPER_PATH against the real tools: the blobs are compared with what dtc
// makes of the merged source and with what ImageBuilder itself made from the same repository.
// test/fixtures/passthrough-dts/README.md says how ImageBuilder's outputs were recorded.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generate, type GenerateOptions } from '../../../src/api/generate.js';
import { depfileInputs } from '../../../src/cli/depfile.js';
import { PlanError, UbootGenError } from '../../../src/errors.js';
import { runTool, type ToolRunner } from '../../../src/plan/passthrough-dts.js';
import { REPO_ROOT } from '../../helpers/paths.js';
import { tempDir } from '../../helpers/temp.js';
import { hasTool } from '../../helpers/tools.js';

const FIX = path.join(REPO_ROOT, 'test', 'fixtures', 'passthrough-dts');
const REPO = 'xen-passthrough-device-trees/device-trees-2021.2/zcu102';
const ETH = `${REPO}/ethernet@ff0e0000.dts`;
const SERIAL = `${REPO}/serial@ff000000.dts`;
const I2C = `${REPO}/i2c@ff020000.dts`;

/** The fixture config (18 lines) with its files in a fresh folder; `extra` lines appended. */
function folder(extra: string[] = []): string {
  const dir = tempDir('pdts-');
  for (const f of ['Image', 'initrd.cpio.gz', 'xen']) fs.copyFileSync(path.join(REPO_ROOT, 'samples', f), path.join(dir, f));
  fs.copyFileSync(path.join(FIX, 'zcu102-host.dtb'), path.join(dir, 'zcu102-host.dtb'));
  fs.cpSync(path.join(FIX, 'xen-passthrough-device-trees'), path.join(dir, 'xen-passthrough-device-trees'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'config'), `${fs.readFileSync(path.join(FIX, 'passthrough.config'), 'utf8')}${extra.map((l) => `${l}\n`).join('')}`);
  return dir;
}

const gen = (dir: string, opts: GenerateOptions = {}) => generate(path.join(dir, 'config'), { env: {}, write: false, dir, ...opts });

function thrown(fn: () => unknown): UbootGenError {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(UbootGenError);
    return e as UbootGenError;
  }
  throw new Error('expected an error');
}

/** Real dtc on a source file: the blob on stdout. */
function dtc(file: string): Uint8Array {
  const r = spawnSync('dtc', ['-I', 'dts', '-O', 'dtb', file], { stdio: ['ignore', 'pipe', 'ignore'] });
  expect(r.status, `dtc ${file}`).to.equal(0);
  return new Uint8Array(r.stdout);
}

const bytesOf = (f: string) => new Uint8Array(fs.readFileSync(f));

describe('plan → passthrough-dts (PASSTHROUGH_DTS_REPO, LOPPER_PATH)', function () {
  before(function () {
    if (!hasTool('dtc')) this.skip(); // dtc is what the feature runs: without it only the missing-tool error below applies
  });

  it('compiles each domU\'s partial device trees into the blob ImageBuilder xlnx_rel_v2023.2 made from them, byte for byte', () => {
    const r = gen(folder());
    expect(r.plan.generated?.map((g) => [g.ref.value, g.ref.key, path.relative(r.plan.dir, g.absPath)])).to.deep.equal([
      ['partial-dts-domU0.dtb', 'DOMU_PASSTHROUGH_DTB[0]', 'partial-dts-domU0.dtb'],
      ['partial-dts-domU1.dtb', 'DOMU_PASSTHROUGH_DTB[1]', 'partial-dts-domU1.dtb'],
    ]);
    expect(r.plan.generated?.[0]?.bytes).to.deep.equal(bytesOf(path.join(FIX, 'imagebuilder-partial-dts-domU0.dtb')));
    expect(r.plan.generated?.[1]?.bytes).to.deep.equal(bytesOf(path.join(FIX, 'imagebuilder-partial-dts-domU1.dtb')));
    expect(r.plan.generated?.[0]?.sources.map((s) => path.relative(r.plan.dir, s))).to.deep.equal([ETH, SERIAL]);
  });

  it('is what dtc makes of the /include/ source with /dts-v1/ dropped after the first file, byte for byte', () => {
    const dir = folder();
    const r = gen(dir);
    const second = path.join(dir, 'second.dts');
    fs.writeFileSync(second, fs.readFileSync(path.join(dir, SERIAL), 'utf8').replace('/dts-v1/;\n', ''));
    const merged = path.join(dir, 'merged.dts');
    fs.writeFileSync(merged, `/include/ "${path.join(dir, ETH)}"\n/include/ "${second}"\n`);
    expect(r.plan.generated?.[0]?.bytes).to.deep.equal(dtc(merged));
    expect(r.plan.generated?.[1]?.bytes).to.deep.equal(dtc(path.join(dir, I2C)));
  });

  it('accepts a file after the first that has no /dts-v1/ of its own (it does not compile alone, so it gives no cells)', () => {
    const dir = folder();
    fs.writeFileSync(path.join(dir, SERIAL), fs.readFileSync(path.join(dir, SERIAL), 'utf8').replace('/dts-v1/;\n', ''));
    expect(gen(dir).plan.generated?.[0]?.bytes).to.deep.equal(bytesOf(path.join(FIX, 'imagebuilder-partial-dts-domU0.dtb')));
  });

  it('loads each blob as DOMU_PASSTHROUGH_DTB[n]: ImageBuilder\'s domain commands, once its random names and its addresses are set aside', () => {
    const r = gen(folder());
    const theirs = fs.readFileSync(path.join(FIX, 'imagebuilder-xlnx_rel_v2023.2.source'), 'utf8');
    // The differences test/unit/emit/imagebuilder-static-mem.spec.ts lists (memory cells, module node
    // names, addresses), plus ImageBuilder's mktemp names partial-dtbs-XXX/partial-dts-domU<n>-XXX.dtb.
    const normalise = (l: string) => l
      .replace(/ memory <0 (\d+)>$/, (_m, kib: string) => ` memory <0x0 0x${Number(kib).toString(16).toUpperCase()} >`)
      .replace(/module(@|0x)[0-9A-Fa-f]+/g, 'module@ADDR')
      .replace(/ reg <[^>]*>$/, ' reg <REG>')
      .replace(/^tftpb 0x[0-9A-F]+ /, 'tftpb ADDR ')
      .replace(/partial-dtbs-[A-Za-z0-9]{3}\/(partial-dts-domU\d)-[A-Za-z0-9]{3}\.dtb/, '$1.dtb');
    const lines = (s: string) => s.split('\n').filter((l) => /^fdt (mknod|set) \/(chosen|axi)/.test(l) || l.includes('partial-dts-')).map(normalise);
    expect(lines(r.outputs.source)).to.deep.equal(lines(theirs));
    expect(lines(r.outputs.source).filter((l) => l.startsWith('tftpb'))).to.deep.equal(['tftpb ADDR partial-dts-domU0.dtb', 'tftpb ADDR partial-dts-domU1.dtb']);
    expect(r.plan.domains.map((d) => [d.name, d.passthroughDtb?.file, d.passthroughDtb?.transferSize])).to.deep.equal([
      ['domU0', 'partial-dts-domU0.dtb', 1281], ['domU1', 'partial-dts-domU1.dtb', 744],
    ]);
  });

  it('writes the blobs with the other outputs; a failed run leaves the earlier ones as they were', () => {
    const dir = folder();
    const first = gen(dir, { write: true });
    expect(first.written.map((w) => path.basename(w))).to.deep.equal(['boot.source', 'boot.scr', 'partial-dts-domU0.dtb', 'partial-dts-domU1.dtb']);
    expect(bytesOf(path.join(dir, 'partial-dts-domU1.dtb'))).to.deep.equal(bytesOf(path.join(FIX, 'imagebuilder-partial-dts-domU1.dtb')));
    const before = new Map(fs.readdirSync(dir).map((f) => [f, fs.statSync(path.join(dir, f)).isFile() ? bytesOf(path.join(dir, f)) : undefined]));
    // domU1's tree changes, then domU0's breaks: nothing of the second run may land.
    fs.writeFileSync(path.join(dir, I2C), fs.readFileSync(path.join(dir, I2C), 'utf8').replace('<0x61a80>', '<0x186a0>'));
    fs.writeFileSync(path.join(dir, SERIAL), fs.readFileSync(path.join(dir, SERIAL), 'utf8').replace('status = "okay";', 'status = "okay"'));
    expect(thrown(() => gen(dir, { write: true })).code).to.equal('PLAN_PARTIAL_DTS_COMPILE');
    expect(new Map(fs.readdirSync(dir).map((f) => [f, fs.statSync(path.join(dir, f)).isFile() ? bytesOf(path.join(dir, f)) : undefined]))).to.deep.equal(before);
  });

  it('names dtc\'s failing file and line (the original file, not a temporary copy) and gives dtc\'s message', () => {
    const dir = folder();
    fs.writeFileSync(path.join(dir, SERIAL), fs.readFileSync(path.join(dir, SERIAL), 'utf8').replace('status = "okay";', 'status = "okay"'));
    const e = thrown(() => gen(dir));
    expect(e).to.be.instanceOf(PlanError);
    expect([e.code, e.where]).to.deep.equal(['PLAN_PARTIAL_DTS_COMPILE', { file: path.join(dir, SERIAL), line: 22, col: 4, key: 'DOMU_PASSTHROUGH_PATHS[0]' }]);
    expect(e.message).to.equal('Could not compile the partial device trees of DOMU_PASSTHROUGH_PATHS[0] (ethernet@ff0e0000.dts, serial@ff000000.dts): dtc says:\n'
      + `    Error: ${path.join(dir, SERIAL)}:22.4-5 syntax error\n    FATAL ERROR: Unable to parse input tree`);
    expect(e.hint).to.equal('fix serial@ff000000.dts at line 22');
  });

  it('names a missing <node>.dts at its DOMU_PASSTHROUGH_PATHS value ("Device tree ... is not present")', () => {
    const dir = folder(['DOMU_PASSTHROUGH_PATHS[1]="/axi/serial@ff010000"']);
    const e = thrown(() => gen(dir));
    expect([e.code, e.where]).to.deep.equal(['PLAN_PARTIAL_DTS_NOT_FOUND', { file: path.join(dir, 'config'), line: 19, col: 27, key: 'DOMU_PASSTHROUGH_PATHS[1]' }]);
    expect(e.message).to.equal(`Device tree "${path.join(dir, REPO, 'serial@ff010000.dts')}" is not present (DOMU_PASSTHROUGH_PATHS[1] has /axi/serial@ff010000, so domU1 needs serial@ff010000.dts)`);
    expect(e.hint).to.equal(`add serial@ff010000.dts to ${REPO} (PASSTHROUGH_DTS_REPO, relative to ${dir}), or correct DOMU_PASSTHROUGH_PATHS[1]`);
  });

  it('refuses partial device trees of one domU whose /passthrough cells differ ("Size cells mismatch for ...")', () => {
    const dir = folder();
    // The first #size-cells at two tabs is /passthrough's.
    fs.writeFileSync(path.join(dir, SERIAL), fs.readFileSync(path.join(dir, SERIAL), 'utf8').replace('\t\t#size-cells = <0x2>;', '\t\t#size-cells = <0x1>;'));
    const e = thrown(() => gen(dir));
    expect([e.code, e.where?.line, e.message]).to.deep.equal(['PLAN_PARTIAL_DTS_CELLS', 11,
      'Size cells mismatch for DOMU_PASSTHROUGH_PATHS[0]: /passthrough #size-cells is 2 in ethernet@ff0e0000.dts but 1 in serial@ff000000.dts']);
  });

  it('lists the partial device trees in --depfile', () => {
    const dir = folder();
    expect(depfileInputs(gen(dir)).map((f) => path.relative(dir, f))).to.deep.equal(['config', 'zcu102-host.dtb', 'xen', 'Image', 'initrd.cpio.gz', ETH, SERIAL, I2C]);
  });

  it('puts the blobs in a FIT (-f) from memory, as they are not on disk before the outputs are written', () => {
    const dir = folder();
    const r = gen(dir, { fit: true });
    const fit = Buffer.from(r.fit!.bytes);
    for (const g of r.plan.generated!) expect(fit.indexOf(Buffer.from(g.bytes)), g.ref.value).to.be.above(0);
    expect(fs.existsSync(path.join(dir, 'partial-dts-domU0.dtb'))).to.equal(false);
  });
});

describe('plan → passthrough-dts: tools', () => {
  /** The real runner, with dtc asked for under a name no machine has: a real ENOENT from spawn. */
  const withoutDtc: ToolRunner = (file, args, cwd) => runTool(file === 'dtc' ? 'dtc-not-installed-uboot-gen-test' : file, args, cwd);

  it('says dtc is not installed, with the Debian package, at PASSTHROUGH_DTS_REPO', () => {
    const e = thrown(() => gen(folder(), { runTool: withoutDtc }));
    expect([e.code, e.where?.line, e.where?.col, e.where?.key]).to.deep.equal(['PLAN_TOOL_MISSING', 6, 22, 'PASSTHROUGH_DTS_REPO']);
    expect(e.message).to.equal('dtc is not installed (no dtc in any folder of PATH): PASSTHROUGH_DTS_REPO needs it to compile the domUs\' partial device trees');
    expect(e.hint).to.equal('install the device tree compiler (Debian: apt install device-tree-compiler)');
  });

  const lopperConfig = (lines: string[]) => {
    const dir = folder(lines);
    fs.writeFileSync(path.join(dir, 'config'), fs.readFileSync(path.join(dir, 'config'), 'utf8').replace(/^PASSTHROUGH_DTS_REPO=.*\n/m, '\n'));
    return dir;
  };

  it('says lopper is not installed when LOPPER_PATH names no program (a real spawn)', () => {
    const e = thrown(() => gen(lopperConfig(['LOPPER_PATH=lopper-not-installed-uboot-gen-test'])));
    expect([e.code, e.where?.line, e.where?.col, e.where?.key]).to.deep.equal(['PLAN_TOOL_MISSING', 19, 13, 'LOPPER_PATH']);
    expect(e.message).to.equal('lopper is not installed: LOPPER_PATH names "lopper-not-installed-uboot-gen-test", which does not exist in any folder of PATH');
  });

  it('runs lopper with ImageBuilder\'s argument vector per device (checked by a runner that records argv and runs nothing)', () => {
    const calls: Array<{ file: string; args: readonly string[]; cwd: string }> = [];
    const recordArgvRunNothing: ToolRunner = (file, args, cwd) => {
      calls.push({ file, args, cwd });
      return { status: 2, stdout: new Uint8Array(), stderr: 'argv recorded by the test; lopper not run\n' };
    };
    const dir = lopperConfig(['LOPPER_PATH="python3 /opt/lopper/lopper.py"']);
    const e = thrown(() => gen(dir, { runTool: recordArgvRunNothing }));
    expect([e.code, e.where?.line, e.where?.key]).to.deep.equal(['PLAN_LOPPER_FAILED', 11, 'DOMU_PASSTHROUGH_PATHS[0]']);
    expect(e.message).to.equal('lopper failed (exit status 2) extracting /axi/ethernet@ff0e0000 from DEVICE_TREE for DOMU_PASSTHROUGH_PATHS[0]\n    argv recorded by the test; lopper not run');
    expect(calls).to.have.length(1);
    const { file, args, cwd } = calls[0]!;
    const out = args[args.length - 1]!;
    expect([file, cwd, path.basename(out), path.basename(path.dirname(out))]).to.deep.equal(['python3', dir, 'ethernet@ff0e0000.dts', 'lopper']);
    expect(args).to.deep.equal(['/opt/lopper/lopper.py', '--permissive', '-f', path.join(dir, 'zcu102-host.dtb'), '--', 'extract', '-t', '/axi/ethernet@ff0e0000',
      '-i', 'zynqmp-firmware', '-x', 'interrupt-controller', '-x', 'pinctrl', '-x', 'power-domains', '-x', 'resets', '-x', 'current-speed',
      '--', 'extract-xen', '-t', 'ethernet@ff0e0000', '-o', out]);
    // The temporary folder lopper wrote into is gone with the run.
    expect(fs.existsSync(path.dirname(out))).to.equal(false);

    calls.length = 0;
    thrown(() => gen(lopperConfig(['LOPPER_PATH=lopper', 'LOPPER_CMD="-i zynqmp-firmware -x pinctrl"']), { runTool: recordArgvRunNothing }));
    expect(calls[0]?.file).to.equal('lopper');
    expect(calls[0]?.args.slice(4, 12)).to.deep.equal(['extract', '-t', '/axi/ethernet@ff0e0000', '-i', 'zynqmp-firmware', '-x', 'pinctrl', '--']);
  });

  it('turns real lopper output into the passthrough DTB that booted on QEMU (lopper 11977ab\'s extraction of /pl061@9030000, replayed)', () => {
    const fixture = path.join(FIX, 'lopper-qemu-virt');
    const dir = tempDir('pdts-');
    fs.copyFileSync(path.join(fixture, 'config'), path.join(dir, 'config'));
    fs.copyFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'dtb', 'qemu-virt-gicv3-2g.dtb'), path.join(dir, 'virt.dtb'));
    // The sample binaries stand in for the lab's (the partial DTB does not depend on them).
    for (const [f, sample] of [['Image', 'Image'], ['initramfs.cpio.gz', 'initrd.cpio.gz'], ['xen', 'xen']] as const) {
      fs.copyFileSync(path.join(REPO_ROOT, 'samples', sample), path.join(dir, f));
    }
    const lopperCalls: Array<readonly string[]> = [];
    // lopper's recorded output for ImageBuilder's call, written where -o asks; dtc really runs.
    const replayLopper: ToolRunner = (file, args, cwd) => {
      if (file !== 'lopper') return runTool(file, args, cwd);
      lopperCalls.push(args);
      fs.copyFileSync(path.join(fixture, 'pl061@9030000.dts'), args[args.length - 1]!);
      return { status: 0, stdout: new Uint8Array(), stderr: '' };
    };
    const r = gen(dir, { runTool: replayLopper });
    expect(lopperCalls.map((a) => a.slice(0, 9))).to.deep.equal([['--permissive', '-f', path.join(dir, 'virt.dtb'), '--', 'extract', '-t', '/pl061@9030000', '-i', 'zynqmp-firmware']]);
    expect(lopperCalls[0]!.slice(-6, -1)).to.deep.equal(['--', 'extract-xen', '-t', 'pl061@9030000', '-o']);
    const blob = r.plan.generated!.find((g) => g.ref.value === 'partial-dts-domU0.dtb')!.bytes;
    expect(Buffer.from(blob).equals(fs.readFileSync(path.join(fixture, 'booted-partial-dts-domU0.dtb')))).to.equal(true);
    expect(r.outputs.source).to.include('fdt set /pl061@9030000 xen,passthrough \n');
  });
});
