// `source` texts checked against real U-Boot 2023.01 (Debian u-boot-qemu, QEMU virt): every message below was
// produced there with the same images (written by writeUImage/writeScriptImage, byte-identical to mkimage).
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createMachine, runCommands, type Machine } from '../../../../../src/sim/uboot/index.js';
import {
  writeUImage, writeScriptImage, buildMultiPayload, IH_OS_LINUX, IH_ARCH_ARM64, IH_TYPE_SCRIPT, IH_TYPE_KERNEL, IH_COMP_NONE,
} from '../../../../../src/images/uimage.js';
import { expectConsole, makeServedFolder } from '../helpers.js';

const HELLO = 'echo hello from script\nsetenv fromscript yes\n';

describe('sim → uboot → cmd → source', () => {
  let root: string;
  let m: Machine;
  const place = (addr: number, name: string): void => { m.ram.writeFile(addr, m.files.resolve(name)!); };
  const write = (name: string, data: Uint8Array | string): void => { fs.writeFileSync(path.join(root, name), data); };
  const scriptImage = (type: number, parts: string[]): Uint8Array =>
    writeUImage({ os: IH_OS_LINUX, arch: IH_ARCH_ARM64, type, comp: IH_COMP_NONE, load: 0, ep: 0, name: '', time: 0 }, buildMultiPayload(parts.map((p) => Buffer.from(p))));
  before(() => {
    root = makeServedFolder();
    const hello = Buffer.from(writeScriptImage(HELLO, { time: 0 }));
    write('hello.scr', hello);
    const badHeader = Buffer.from(hello); badHeader[9]! ^= 1; write('hello-badhdr.scr', badHeader);
    const badData = Buffer.from(hello); badData[0x4d]! ^= 0x20; write('hello-baddata.scr', badData); // "hello" → "Hello"
    const nulData = Buffer.from(hello); nulData[0x4c]! ^= 0x20; write('hello-nul.scr', nulData); // "echo hello" → "echo\0hello"
    write('kernel-type.scr', scriptImage(IH_TYPE_KERNEL, ['echo x\n']));
    write('empty.scr', scriptImage(IH_TYPE_SCRIPT, []));
    write('multi.scr', scriptImage(IH_TYPE_SCRIPT, ['echo part0\n', 'echo part1\n']));
    write('text.txt', 'echo plain\n');
  });
  after(() => { fs.rmSync(root, { recursive: true, force: true }); });
  beforeEach(() => { m = createMachine({ root }); });

  it('prints the banner and runs the script (env changes persist)', () => {
    place(0x40200000, 'hello.scr');
    expect(runCommands(m, 'source 0x40200000')).to.equal(0);
    expectConsole(m).nextLine('## Executing script at 40200000').nextLine('hello from script').end();
    expect(m.env.get('fromscript')).to.equal('yes');
  });

  it('defaults to the load address 0x40200000, even after a tftpb elsewhere', () => {
    runCommands(m, 'tftpb 0x44000000 hello.scr');
    const mark = m.console.mark();
    expect(runCommands(m, 'source')).to.equal(1);
    expect(m.console.since(mark)).to.deep.equal(['## Executing script at 40200000', 'Wrong image format for "source" command']);
  });

  it('rejects a corrupted header with "Bad header crc"', () => {
    place(0x40200000, 'hello-badhdr.scr');
    expect(runCommands(m, 'source 40200000')).to.equal(1);
    expectConsole(m).nextLine('## Executing script at 40200000').nextLine('Bad header crc').end();
    expect(m.env.get('fromscript')).to.equal(undefined);
  });

  it('rejects corrupted data with "Bad data crc", and runs it with verify=n', () => {
    place(0x40200000, 'hello-baddata.scr');
    expect(runCommands(m, 'source 40200000')).to.equal(1);
    expect(runCommands(m, 'setenv verify n\nsource 40200000')).to.equal(0);
    expectConsole(m).nextLine('## Executing script at 40200000').nextLine('Bad data crc')
      .nextLine('## Executing script at 40200000').nextLine('Hello from script').end();
    expect(m.env.get('fromscript')).to.equal('yes');
  });

  // Real 2023.01 runs the script as a C string, so it ends at
  // the first NUL byte: with verify=n, "echo\0hello from script\nsetenv fromscript yes" prints an empty line and
  // nothing after the NUL runs (fromscript stays undefined), not "Unknown command 'echo\0hello'".
  it('stops the script text at the first NUL byte (verify=n)', () => {
    place(0x40200000, 'hello-nul.scr');
    runCommands(m, 'setenv verify n\nsource 40200000');
    expectConsole(m).nextLine('## Executing script at 40200000').nextLine('').end();
    expect(m.env.get('fromscript')).to.equal(undefined);
  });

  it('rejects a non-script uImage with "Bad image type"', () => {
    place(0x40200000, 'kernel-type.scr');
    expect(runCommands(m, 'source 40200000')).to.equal(1);
    expectConsole(m).nextLine('## Executing script at 40200000').nextLine('Bad image type').end();
  });

  it('says "Empty Script" when the first length entry is 0', () => {
    place(0x40200000, 'empty.scr');
    expect(runCommands(m, 'source 40200000')).to.equal(1);
    expectConsole(m).nextLine('## Executing script at 40200000').nextLine('Empty Script').end();
  });

  it('takes a plain DTB for a FIT and says "Bad FIT image format"', () => {
    place(0x40200000, 'virt.dtb');
    expect(runCommands(m, 'source 40200000')).to.equal(1);
    expectConsole(m).nextLine('## Executing script at 40200000').nextLine('Bad FIT image format').end();
  });

  it('rejects plain text with \'Wrong image format for "source" command\'', () => {
    place(0x40200000, 'text.txt');
    expect(runCommands(m, 'source 40200000')).to.equal(1);
    expectConsole(m).nextLine('## Executing script at 40200000').nextLine('Wrong image format for "source" command').end();
  });

  it('runs only part 0 of a multi-part script image', () => {
    place(0x40200000, 'multi.scr');
    expect(runCommands(m, 'source 40200000')).to.equal(0);
    expectConsole(m).nextLine('## Executing script at 40200000').nextLine('part0').end();
  });

  it('prints the usage for a second argument (maxargs 2)', () => {
    place(0x40200000, 'hello.scr');
    expect(runCommands(m, 'source 40200000 extra')).to.equal(1);
    expectConsole(m).nextLine('source - run script from memory').nextLine('').nextLine('Usage:');
    expect(m.env.get('fromscript')).to.equal(undefined);
  });
});
