// Expected texts from a real U-Boot 2023.01 session on virt.dtb (test/fixtures/scripts/virt.dts).
import { expect } from 'chai';
import { createMachine, runCommands, type Machine } from '../../../../../src/sim/uboot/index.js';
import { totalsize } from '../../../../../src/fdt/header.js';
import { expectConsole, makeServedFolder } from '../helpers.js';
import * as fs from 'node:fs';

describe('sim → uboot → cmd → fdt', () => {
  let root: string;
  let m: Machine;
  before(() => { root = makeServedFolder(); });
  after(() => { fs.rmSync(root, { recursive: true, force: true }); });
  beforeEach(() => {
    m = createMachine({ root });
    const f = m.files.resolve('virt.dtb')!;
    m.ram.writeFile(0x44a00000, f);
  });

  it('needs a working FDT first', () => {
    expect(runCommands(m, 'fdt print /chosen')).to.equal(1);
    expectConsole(m).nextLine('No FDT memory address configured. Please configure')
      .nextLine('the FDT address via "fdt addr <address>" command.').nextLine('Aborting!').end();
  });

  it('fdt addr sets the working FDT and fdtaddr; bad magic is rejected', () => {
    runCommands(m, 'fdt addr 0x44A00000\nfdt addr\nfdt addr 0x50000000');
    expectConsole(m).nextLine('Working FDT set to 44a00000').nextLine('Working fdt: 44a00000')
      .nextLine('libfdt fdt_check_header(): FDT_ERR_BADMAGIC').end();
    expect(m.env.get('fdtaddr')).to.equal('44a00000');
  });

  it('prints header, lists and properties in U-Boot format', () => {
    runCommands(m, 'fdt addr 44a00000\nfdt header\nfdt list /cpus\nfdt print /pl011@9000000 reg\nfdt print /pl011@9000000 compatible\nfdt print /nosuch\nfdt print nosuch');
    expectConsole(m).nextLine('Working FDT set to 44a00000')
      .nextLine('magic:\t\t\t0xd00dfeed').nextLine('totalsize:\t\t0x4e3 (1251)').nextLine('off_dt_struct:\t\t0x38')
      .nextLine('off_dt_strings:\t\t0x414').nextLine('off_mem_rsvmap:\t\t0x28').nextLine('version:\t\t17')
      .nextLine('last_comp_version:\t16').nextLine('boot_cpuid_phys:\t0x0').nextLine('size_dt_strings:\t0xcf')
      .nextLine('size_dt_struct:\t\t0x3dc').nextLine('number mem_rsv:\t\t0x0').nextLine('')
      .nextLine('cpus {').nextLine('\t#address-cells = <0x00000001>;').nextLine('\t#size-cells = <0x00000000>;')
      .nextLine('\tcpu@0 {').nextLine('\t};').nextLine('\tcpu@1 {').nextLine('\t};').nextLine('\tcpu@2 {').nextLine('\t};')
      .nextLine('\tcpu@3 {').nextLine('\t};').nextLine('};')
      .nextLine('reg = <0x00000000 0x09000000 0x00000000 0x00001000>')
      .nextLine('compatible = "arm,pl011", "arm,primecell"')
      .nextLine('libfdt fdt_path_offset() returned FDT_ERR_NOTFOUND')
      .nextLine('libfdt fdt_path_offset() returned FDT_ERR_BADPATH').end();
  });

  it('resize takes its extra size in hex', () => {
    runCommands(m, 'fdt addr 44a00000\nfdt resize');
    expect(totalsize(m.readFdt(0x44a00000)!)).to.equal(0x1000);
    runCommands(m, 'fdt resize 1024');
    expect(totalsize(m.readFdt(0x44a00000)!)).to.equal(0x2000);
  });

  it('resize adds and aligns in uint like fdt_shrink_to_minimum(), so huge extras wrap', () => {
    runCommands(m, 'fdt addr 44a00000\nfdt resize 0xffffffff');
    expect(totalsize(m.readFdt(0x44a00000)!)).to.equal(0x1000);
    // data + 80 + 0xfffff000 wraps below 4 GiB, then ALIGN() wraps to 0: real U-Boot writes totalsize 0,
    // and the next lookup finds no node (fdt_offset_ptr() refuses every offset past totalsize).
    runCommands(m, 'fdt resize 0xfffff000\nfdt print /chosen');
    expect(totalsize(m.ram.read(0x44a00000, 40))).to.equal(0);
    expect(m.console.transcript().at(-1)).to.equal('libfdt fdt_path_offset() returned FDT_ERR_BADOFFSET');
  });

  it('addr LEN takes LEN as an int: all ones is -1, so fdt_open_into() fails and addr still succeeds', () => {
    expect(runCommands(m, 'fdt addr 44a00000 0xffffffffffffffff')).to.equal(0);
    expectConsole(m).nextLine('Working FDT set to 44a00000').nextLine('libfdt fdt_open_into(): FDT_ERR_NOSPACE').end();
    expect(runCommands(m, 'fdt addr 44a00000 10\nfdt addr 44a00000 2000')).to.equal(0);
    expectConsole(m).nextLine('Working FDT set to 44a00000').nextLine('New length 16 < existing length 1251, ignoring')
      .nextLine('Working FDT set to 44a00000').end();
    expect(totalsize(m.readFdt(0x44a00000)!)).to.equal(0x2000);
  });

  it('memory takes 64-bit values and packs them in the root\'s cells (fdt_pack_reg())', () => {
    runCommands(m, 'fdt addr 44a00000\nfdt resize\nfdt memory 0x100000000 0x20000000000000\nfdt print /memory@40000000 reg');
    expect(m.console.transcript().at(-1)).to.equal('reg = <0x00000001 0x00000000 0x00200000 0x00000000>');
  });

  it('edits the working FDT in place: 2000 mknod after a 1 MiB resize hold one copy of the blob', () => {
    runCommands(m, 'fdt addr 44a00000\nfdt resize 0x100000');
    runCommands(m, Array.from({ length: 2000 }, (_, i) => `fdt mknod /chosen d${i}`).join('\n'));
    runCommands(m, 'fdt get size n /chosen');
    expect(m.failures).to.deep.equal([]);
    expect(m.env.get('n')).to.equal('7d0');
    const size = totalsize(m.readFdt(0x44a00000)!);
    expect(size).to.equal(0x101000);
    expect(m.ram.heldBytes).to.equal(size);
  });

  it('parses values like fdt_parse_prop() and prints them back', () => {
    runCommands(m, [
      'fdt addr 44a00000', 'fdt resize', 'fdt mknod / zz', 'fdt mknod / zz', 'fdt mknod /nosuch zz', 'fdt set /zz a',
      'fdt set /zz b <1 0x10 010 0xffffffffff>', 'fdt set /zz c [01 2 ab]', 'fdt set /zz d "x y" z',
      'fdt set /zz f <1 q>', 'fdt set /zz g "< 1>"', 'fdt set /zz h abc', 'fdt print /zz',
      'fdt get value v /zz b', 'fdt get value w /zz d', 'fdt get value u /zz c',
    ].join('\n'));
    expectConsole(m).nextLine('Working FDT set to 44a00000')
      .nextLine('libfdt fdt_add_subnode(): FDT_ERR_EXISTS')
      .nextLine('libfdt fdt_path_offset() returned FDT_ERR_NOTFOUND')
      .nextLine('Sorry, I could not convert "q>"').nextLine('Sorry, I could not convert " 1>"')
      .nextLine('zz {').nextLine('\th = "abc";').nextLine('\td = "x y", "z";').nextLine('\tc = [01 02 ab];')
      .nextLine('\tb = <0x00000001 0x00000010 0x00000008 0xffffffff>;').nextLine('\ta;').nextLine('};')
      .nextLine('error: unprintable value').end();
    expect(m.env.get('v')).to.equal('010000001000000008000000ffffffff');
    expect(m.env.get('w')).to.equal('x y');
  });

  it('rm of a missing property prints two spaces and the usage (rc -1 = CMD_RET_USAGE)', () => {
    runCommands(m, 'fdt addr 44a00000\nfdt rm /chosen nothere');
    expectConsole(m).nextLine('Working FDT set to 44a00000').nextLine('libfdt fdt_delprop():  FDT_ERR_NOTFOUND')
      .nextLine('fdt - flattened device tree utility commands');
  });

  // cmd/fdt.c fdt_value_env_set() at v2023.04 (a given index picks one cell) and v2026.04 (big-endian, any length).
  it('fdt get value by release: 2023.04 indexes cells, 2026.04 prints them big-endian and any length', () => {
    const script = ['fdt addr 44a00000', 'fdt resize', 'fdt mknod / zz', 'fdt set /zz b <1 0x10 010 0xffffffff>',
      'fdt set /zz c [01 2 ab]', 'fdt set /zz l <1 2 3 4 5 6>',
      'fdt get value v /zz b', 'fdt get value i /zz b 3', 'fdt get value j /zz b 4', 'fdt get value u /zz c', 'fdt get value w /zz l'].join('\n');
    const values = (version: string): (string | undefined)[] => {
      m = createMachine({ root, ubootVersion: version });
      m.ram.writeFile(0x44a00000, m.files.resolve('virt.dtb')!);
      runCommands(m, script);
      return ['v', 'i', 'j', 'u', 'w'].map((n) => m.env.get(n));
    };
    expect(values('2024.04')).to.deep.equal(['010000001000000008000000ffffffff', '0xFFFFFFFF', undefined, undefined, undefined]);
    expect(m.console.transcript().filter((l) => l.startsWith('error'))).to.deep.equal(['error: unprintable value', 'error: unprintable value']);
    expect(values('2026.04')).to.deep.equal(['000000010000001000000008ffffffff', '0xFFFFFFFF', undefined, '0102ab', '000000010000000200000003000000040000000500000006']);
    expect(m.console.transcript().filter((l) => l.startsWith('error'))).to.deep.equal([]);
  });

  it('from 2023.04 the libfdt errors of rm have one space after the colon', () => {
    m = createMachine({ root, ubootVersion: '2023.04' });
    m.ram.writeFile(0x44a00000, m.files.resolve('virt.dtb')!);
    runCommands(m, 'fdt addr 44a00000\nfdt rm /chosen nothere');
    expectConsole(m).nextLine('Working FDT set to 44a00000').nextLine('libfdt fdt_delprop(): FDT_ERR_NOTFOUND');
  });

  it('fdt chosen adds u-boot,version first', () => {
    runCommands(m, 'fdt addr 44a00000\nfdt resize\nfdt chosen\nfdt print /chosen');
    expectConsole(m).nextLine('Working FDT set to 44a00000').nextLine('chosen {')
      .nextLine('\tu-boot,version = "2023.01+dfsg-2+deb12u3";').nextLine('\tstdout-path = "/pl011@9000000";').nextLine('};').end();
  });
});
