// The checks table: every check fires on an input made for it, with its code, the config key it
// is about, that key's line and column, and its fix.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { planBoot, planScript } from '../../../src/api/generate.js';
import { parseConfigText } from '../../../src/config/index.js';
import { exitCodeFor, UbootGenError } from '../../../src/errors.js';
import { CHECKS, runChecks, type PlanContext } from '../../../src/plan/checks.js';
import { collect } from '../../../src/plan/collect.js';
import { place } from '../../../src/plan/place.js';
import { measureScriptEdits } from '../../../src/emit/measure.js';
import { stripMarks } from '../../../src/emit/render.js';
import { arm64Header, boardDtb, ramdiskFile, sparseFile, tempDir } from '../../helpers/images.js';
import { arm64Image } from '../../helpers/samples.js';
import { FdtWriter } from '../../../src/fdt/sw.js';
import { shippedBoardDtb } from '../../../src/plan/board.js';

const MiB = 1024 * 1024;

function folder(dtb: Uint8Array = boardDtb()): string {
  const dir = tempDir();
  sparseFile(path.join(dir, 'xen'), arm64Image({ fileSize: 4096, imageSize: 0x1360c8, textOffset: 0, flags: 0xa, code0: 0x91005a4d, fill: 9 }), 0x100000);
  sparseFile(path.join(dir, 'Image'), arm64Header({ imageSize: 30 * MiB }), 20 * MiB);
  ramdiskFile(path.join(dir, 'initrd.cpio.gz'));
  fs.writeFileSync(path.join(dir, 'virt.dtb'), dtb);
  return dir;
}

// Lines 1..7; a test's own lines start at line 8.
const BASE = ['MEMORY_START=0x40000000', 'MEMORY_END=0xC0000000', 'DEVICE_TREE=virt.dtb', 'XEN=xen', 'XEN_CMD="console=dtuart"', 'LOAD_CMD=tftpb', 'UBOOT_SOURCE=boot.source'];
const ONE_DOMU = ['NUM_DOMUS=1', 'DOMU_KERNEL[0]=Image'];

function load(dir: string, lines: string[]) {
  return parseConfigText(`${[...BASE, ...lines].join('\n')}\n`, path.join(dir, 'config'), { env: {} });
}
const plan = (dir: string, lines: string[]) => planBoot({ ...load(dir, lines), dir });

function thrown(fn: () => unknown): UbootGenError {
  try { fn(); } catch (e) { if (e instanceof UbootGenError) return e; throw e; }
  throw new Error('expected an error');
}

const fixOf = (name: string): string => CHECKS.find((c) => c.name === name)!.fix;
const tested: string[] = [];
function check(name: string, title: string, fn: () => void): void {
  tested.push(name);
  it(`${name}: ${title}`, fn);
}

describe('plan → checks', () => {
  check('boot-cmd-simulated', 'says BOOT_CMD=none is generated but not simulated (info)', () => {
    const p = plan(folder(), ['BOOT_CMD=none', ...ONE_DOMU]);
    const d = p.diagnostics.find((x) => x.code === 'PLAN_BOOT_CMD');
    expect(d).to.deep.equal({
      level: 'info', code: 'PLAN_BOOT_CMD', key: 'BOOT_CMD', where: { file: path.join(p.dir, 'config'), line: 8, col: 10 },
      message: 'BOOT_CMD=none: the script is verified to its end; the simulator boots only with --then and a boot command on ${host_kernel_addr} and ${host_fdt_addr}', hint: fixOf('boot-cmd-simulated'),
    });
  });

  check('dtuart-is-console', 'warns when XEN_CMD\'s dtuart is not the board\'s console UART (KV260: serial0 is not its console, serial1 is)', () => {
    const kv260 = new Uint8Array(fs.readFileSync(shippedBoardDtb('smk-k26-revA-sm-k26-revA-sck-kv-g-revB.dtb')));
    const dir = folder(kv260);
    const warned = (dtuart: string) => plan(dir, [...ONE_DOMU, `XEN_CMD="console=dtuart dtuart=${dtuart} dom0_mem=512M"`])
      .diagnostics.filter((d) => d.code === 'PLAN_DTUART_NOT_CONSOLE');
    expect(warned('serial0')).to.deep.equal([{
      level: 'warning', code: 'PLAN_DTUART_NOT_CONSOLE', key: 'XEN_CMD', where: { file: path.join(dir, 'config'), line: 10, col: 9 },
      message: 'XEN_CMD\'s dtuart=serial0 is /axi/serial@ff000000, but the board\'s console is /axi/serial@ff010000 (/chosen stdout-path of DEVICE_TREE "virt.dtb"): '
        + 'Xen would print on a UART other than the one the board\'s console is on',
      hint: 'set dtuart=/axi/serial@ff010000 in XEN_CMD',
    }]);
    expect(warned('/axi/serial@ff000000:115200n8').map((d) => d.message)).to.deep.equal([
      'XEN_CMD\'s dtuart=/axi/serial@ff000000:115200n8 is /axi/serial@ff000000, but the board\'s console is /axi/serial@ff010000 (/chosen stdout-path of DEVICE_TREE "virt.dtb"): '
        + 'Xen would print on a UART other than the one the board\'s console is on',
    ]);
    for (const ok of ['serial1', '/axi/serial@ff010000', '/axi/serial@ff010000:115200n8', 'nosuchalias']) expect(warned(ok), ok).to.deep.equal([]);
  });

  it('boot-cmd-simulated: says nothing for BOOT_CMD=bootefi, which the simulator boots', () => {
    const p = plan(folder(), ['BOOT_CMD=bootefi', ...ONE_DOMU]);
    expect(p.diagnostics.filter((x) => x.code === 'PLAN_BOOT_CMD')).to.deep.equal([]);
  });

  check('dtb-unedited', 'refuses a board DTB an earlier script already edited', () => {
    const dir = folder();
    const first = planScript({ ...load(dir, ONE_DOMU), dir });
    const dtb = new Uint8Array(fs.readFileSync(path.join(dir, 'virt.dtb')));
    const edited = measureScriptEdits(first.source, stripMarks(first.source, 'boot.source').owners, { dtb, addr: first.plan.dtb.load.addr, label: 'x' }).edited;
    fs.writeFileSync(path.join(dir, 'virt.dtb'), edited);
    const e = thrown(() => plan(dir, ONE_DOMU));
    expect([e.code, e.where?.key, e.where?.line, e.where?.col, e.hint]).to.deep.equal(['PLAN_DTB_EDITED', 'DEVICE_TREE', 3, 13, 'pass the unedited board DTB']);
  });

  check('xen-matches-boot-cmd', 'refuses BOOT_CMD=bootz for an arm64 Xen, with the precise fix', () => {
    const e = thrown(() => plan(folder(), ['BOOT_CMD=bootz', ...ONE_DOMU]));
    expect([e.code, e.where?.key, e.where?.line, e.where?.col, e.hint]).to.deep.equal(['IMAGE_WRONG_TYPE', 'XEN', 4, 5, 'set BOOT_CMD=booti']);
    expect(e.message).to.equal('BOOT_CMD=bootz cannot boot XEN "xen": it is an arm64 Image');
  });

  check('passthrough-paths-exist', 'refuses a DOMU_PASSTHROUGH_PATHS entry the DTB lacks, as a config error at its value', () => {
    const dir = folder();
    const e = thrown(() => plan(dir, [...ONE_DOMU, 'DOMU_PASSTHROUGH_PATHS[0]="/pl011@9000000 /soc/eth"']));
    expect([e.name, e.code, e.where?.key, e.where?.line, e.where?.col, e.hint])
      .to.deep.equal(['ConfigError', 'CONFIG_PASSTHROUGH_PATH', 'DOMU_PASSTHROUGH_PATHS[0]', 10, 27, 'remove /soc/eth from DOMU_PASSTHROUGH_PATHS[0], or pass the DTB of the board that has the device']);
    // The smallest change: the other path stays.
    expect(e.data['edit']).to.deep.equal({ key: 'DOMU_PASSTHROUGH_PATHS[0]', value: '/pl011@9000000', where: { file: path.join(dir, 'config'), line: 10, col: 27 } });
    // A node of that name elsewhere in the tree is offered instead.
    const moved = thrown(() => plan(dir, [...ONE_DOMU, 'DOMU_PASSTHROUGH_PATHS[0]="/soc/pl011@9000000"']));
    expect([moved.hint, moved.data['edit']]).to.deep.equal(['write /pl011@9000000, the node of that name in DEVICE_TREE "virt.dtb"',
      { key: 'DOMU_PASSTHROUGH_PATHS[0]', value: '/pl011@9000000', where: { file: path.join(dir, 'config'), line: 10, col: 27 } }]);
    expect(e.message).to.equal('DOMU_PASSTHROUGH_PATHS[0] names /soc/eth, but DEVICE_TREE "virt.dtb" has no such node, so the script could not mark it xen,passthrough (FDT_ERR_NOTFOUND)');
    // The CLI's exit status for a config error, and the compiler-style position it prints.
    expect(exitCodeFor(e)).to.equal(3);
    expect(e.describe().split('\n')[0]).to.equal(`${path.join(dir, 'config')}:10:27: ${e.message}`);
  });

  check('xen-fixed-address', 'warns when booti must move a Xen that cannot be placed anywhere', () => {
    const dir = folder();
    sparseFile(path.join(dir, 'xen-fixed'), arm64Image({ fileSize: 4096, imageSize: 0x1360c8, textOffset: 0, flags: 0x2, code0: 0x91005a4d, fill: 9 }), 0x100000);
    const p = plan(dir, ['XEN=xen-fixed', ...ONE_DOMU]);
    const d = p.diagnostics.find((x) => x.code === 'PLAN_XEN_FIXED')!;
    expect([d.level, d.key, d.where?.line, d.where?.col, d.hint]).to.deep.equal(['warning', 'XEN', 8, 5, fixOf('xen-fixed-address')]);
    expect(d.message).to.equal('XEN\'s arm64 header does not allow placement anywhere (flags bit 3 clear): booti moves it to 0x40000000; that range is kept free');
  });

  check('dtb-size', 'refuses an edited DTB above Xen\'s 2 MiB', () => {
    // A board DTB using a little over 2 MiB - 12 KiB: with the domU's edits and the 80 bytes of memreserve
    // room, `fdt resize` ends it at 2 MiB - 8 KiB (the next 4 KiB boundary); booti's 0x3000 pad then passes 2 MiB.
    const w = new FdtWriter().finishReservemap();
    w.beginNode('').propertyU32('#size-cells', 2).propertyU32('#address-cells', 2);
    w.beginNode('memory@40000000').propertyCells('reg', [0, 0x40000000, 0, 0x80000000]).propertyString('device_type', 'memory').endNode();
    w.property('firmware-blob', new Uint8Array(2 * MiB - 12 * 1024 - 200));
    w.beginNode('chosen').endNode().endNode();
    const dtb = w.finish();
    const e = thrown(() => plan(folder(dtb), ONE_DOMU));
    expect([e.code, e.where?.key, e.where?.line, e.where?.col, e.hint]).to.deep.equal(['PLAN_DTB_TOO_LARGE', 'DEVICE_TREE', 3, 13, fixOf('dtb-size')]);
    expect(e.message).to.equal(`the edited device tree would be ${2 * MiB - 8 * 1024 + 0x3000} bytes, but Xen accepts at most 2097152 (2 MiB)`);
  });

  check('module-count', 'warns past Xen\'s 32 boot modules, at NUM_DOMUS', () => {
    const dir = folder();
    const lines = ['NUM_DOMUS=16'];
    for (let i = 0; i < 16; i++) {
      sparseFile(path.join(dir, `K${i}`), arm64Image({ fileSize: 4096, imageSize: 2 * MiB, textOffset: 0, flags: 0xa, code0: 0xfa405a4d, fill: 1000 + i }), MiB);
      lines.push(`DOMU_KERNEL[${i}]=K${i}`, `DOMU_RAMDISK[${i}]=r${i}.cpio.gz`);
      ramdiskFile(path.join(dir, `r${i}.cpio.gz`), 4096 + i);
    }
    const d = plan(dir, lines).diagnostics.find((x) => x.code === 'PLAN_TOO_MANY_MODULES')!;
    expect([d.level, d.key, d.where?.line, d.where?.col, d.hint]).to.deep.equal(['warning', 'NUM_DOMUS', 8, 11, fixOf('module-count')]);
    expect(d.message).to.contain('but this plan has 34:');
  });

  check('fits-below-memory-end', 'refuses a plan above MEMORY_END, pointing at MEMORY_END', () => {
    const e = thrown(() => plan(folder(), ['MEMORY_END=0x42000000', ...ONE_DOMU]));
    expect([e.code, e.where?.key, e.where?.line, e.where?.col, e.hint]).to.deep.equal(['PLAN_OUT_OF_MEMORY', 'MEMORY_END', 8, 12, fixOf('fits-below-memory-end')]);
  });

  check('loads-inside-ram', 'refuses a load below the board\'s RAM, pointing at that file\'s key', () => {
    const e = thrown(() => plan(folder(), ['MEMORY_START=0x20000000', ...ONE_DOMU]));
    expect([e.code, e.where?.key, e.where?.line, e.where?.col, e.hint]).to.deep.equal(['PLAN_OUT_OF_MEMORY', 'DOMU_KERNEL[0]', 10, 16, fixOf('loads-inside-ram')]);
    expect(e.message).to.equal('DOMU_KERNEL[0] at 0x20400000..0x22200000 is outside the board\'s RAM (0x40000000..0xC0000000)');
  });

  check('loads-avoid-reserved', 'refuses a load on a region the board keeps (the allocator never makes one: checked on a plan given one)', () => {
    const dir = folder();
    const { config, diagnostics } = load(dir, ONE_DOMU);
    const p = planBoot({ config, diagnostics, dir });
    const kernel = p.loads[0]!;
    const ctx = { collected: collect(config, dir, { share: true }), placed: place(collect(config, dir, { share: true }), {}),
      plan: { ...p, avoided: [...p.avoided, { start: kernel.addr + MiB, end: kernel.addr + 2 * MiB, label: '/reserved-memory/test@41400000' }] } } as PlanContext;
    const e = thrown(() => runChecks('plan', ctx, []));
    expect([e.code, e.where?.key, e.where?.line, e.where?.col, e.hint]).to.deep.equal(['PLAN_RESERVED_CONFLICT', 'DOMU_KERNEL[0]', 9, 16, fixOf('loads-avoid-reserved')]);
    expect(e.message).to.equal('DOMU_KERNEL[0] at 0x40400000 overlaps /reserved-memory/test@41400000');
  });

  check('loads-clear-of-xen', 'refuses a DTB that Xen overwrites once it runs 512 KiB above its load address', () => {
    const dir = folder();
    // "Place anywhere" with text_offset 0x80000: booti runs Xen at its 2 MiB slot + 0x80000, so a
    // 2 MiB image reaches 0x80000 into the next slot, where the DTB is.
    sparseFile(path.join(dir, 'xen-offset'), arm64Image({ fileSize: 4096, imageSize: 2 * MiB, textOffset: 0x80000, flags: 0xa, code0: 0x91005a4d, fill: 9 }), 0x100000);
    const e = thrown(() => plan(dir, ['XEN=xen-offset', ...ONE_DOMU]));
    expect([e.code, e.where?.key, e.where?.line, e.where?.col, e.hint]).to.deep.equal(['PLAN_OVERLAP', 'DEVICE_TREE', 3, 13, fixOf('loads-clear-of-xen')]);
    expect(e.message).to.equal('DEVICE_TREE at 0x42400000 overlaps Xen once it runs at 0x42280000..0x42480000');
  });

  check('runtime-layout-fits', 'with -s, names the file whose BSS reaches the next file U-Boot loads', () => {
    const dir = folder();
    sparseFile(path.join(dir, 'xen-bss'), arm64Image({ fileSize: 4096, imageSize: 3 * MiB, textOffset: 0, flags: 0xa, code0: 0x91005a4d, fill: 9 }), 0x100000);
    const loaded = parseConfigText(`${[...BASE, 'XEN=xen-bss', ...ONE_DOMU].join('\n')}\n`, path.join(dir, 'config'), { env: {}, runtimeSizing: true });
    const e = thrown(() => planBoot({ ...loaded, dir }));
    expect([e.code, e.where?.key, e.where?.line, e.where?.col, e.hint]).to.deep.equal(['PLAN_OVERLAP', 'XEN', 8, 5, fixOf('runtime-layout-fits')]);
    expect(e.message).to.equal('with -s, U-Boot loads DEVICE_TREE ("virt.dtb") at 0x41A00000, but XEN ("xen-bss") occupies 0x41800000..0x41B00000 once Xen runs (image_size 0x300000, BSS included): XEN would need 0x100000 (1048576) more bytes of room before the next file');
  });

  check('xen-cmd-build', 'warns about sched= of a scheduler the Xen build lacks (a header-only Xen: release defaults, no SCHED_NULL)', () => {
    const p = plan(folder(), ['XEN_CMD="console=dtuart sched=null"', ...ONE_DOMU]);
    expect(p.diagnostics.find((x) => x.code === 'PLAN_XEN_BUILD')).to.deep.equal({
      level: 'warning', code: 'PLAN_XEN_BUILD', key: 'XEN_CMD', where: { file: path.join(p.dir, 'config'), line: 8, col: 9 },
      message: 'XEN_CMD has sched=null, but this Xen 4.17 build has no null scheduler (CONFIG_SCHED_NULL is off): Xen prints "Could not find scheduler: null" and runs credit2',
      hint: 'drop sched=null from XEN_CMD, or boot a Xen built with CONFIG_SCHED_NULL=y',
    });
  });

  check('guest-dtb-fits', 'refuses a domU whose guest device tree cannot fit Xen 4.17\'s 4 KiB', () => {
    const dir = folder(boardDtb({ cpus: 4 }));
    // boardDtb()'s CPUs have no compatible, so each vCPU node takes 80 bytes: 37 fit (4049 bytes), 38 do not (4129).
    const e = thrown(() => plan(dir, [...ONE_DOMU, 'DOMU_VCPUS[0]=38']));
    expect([e.code, exitCodeFor(e), e.where]).to.deep.equal(['PLAN_DTB_TOO_LARGE', 5, { file: path.join(dir, 'config'), line: 10, col: 15, key: 'DOMU_VCPUS[0]' }]);
    expect(e.message).to.equal('domU0: the device tree Xen 4.17 writes for it needs 4129 bytes (38 vCPUs), more than its 4096-byte buffer (DOMU_DTB_SIZE); Xen would print "Device tree generation failed (-3)." and panic');
    expect(e.hint).to.equal('give domU0 at most 37 vCPUs (or a shorter DOMU_CMD)');
    expect(() => plan(dir, [...ONE_DOMU, 'DOMU_VCPUS[0]=37'])).to.not.throw();
  });

  check('domid-unique', 'refuses two domUs with the same DOMU_DOMID, at the second one', () => {
    const dir = folder();
    const e = thrown(() => plan(dir, ['NUM_DOMUS=2', 'DOMU_KERNEL[0]=Image', 'DOMU_KERNEL[1]=Image', 'DOMU_DOMID[0]=5', 'DOMU_DOMID[1]=5']));
    expect([e.code, exitCodeFor(e), e.where, e.hint]).to.deep.equal(['PLAN_DOMID_CONFLICT', 5, { file: path.join(dir, 'config'), line: 12, col: 15, key: 'DOMU_DOMID[1]' }, fixOf('domid-unique')]);
    expect(e.message).to.equal('DOMU_DOMID[1] = 5 is also the domid of domU0 (DOMU_DOMID[0]): two domains cannot share an id');
    expect(() => plan(dir, ['NUM_DOMUS=2', 'DOMU_KERNEL[0]=Image', 'DOMU_KERNEL[1]=Image', 'DOMU_DOMID[0]=5', 'DOMU_DOMID[1]=6'])).to.not.throw();
    // A domU that is not booted gets no node, so its domid takes no id.
    expect(() => plan(dir, ['NUM_DOMUS=2', 'DOMU_KERNEL[0]=Image', 'DOMU_KERNEL[1]=Image', 'DOMU_DOMID[0]=5', 'DOMU_DOMID[1]=5', 'DOMU_NOBOOT[1]=1'])).to.not.throw();
  });

  check('domain-props-read', 'warns, per key, about properties Xen 4.17 does not read, and names the id each domU really gets', () => {
    const p = plan(folder(), ['NUM_DOMUS=2', 'DOMU_KERNEL[0]=Image', 'DOMU_KERNEL[1]=Image', 'DOMU_DOMID[0]=5', 'DOMU_GRANT_FRAMES[1]=16', 'DOMU_NR_SPIS[1]=64',
      'DOMU_TRAP_UNMAP[1]=1', 'DOMU_PASSTHROUGH_PROP[0]=enabled', 'DOMU_P2M_MEM_MB[0]=8']);
    const cfg = path.join(p.dir, 'config');
    expect(p.diagnostics.filter((x) => x.code === 'PLAN_XEN_IGNORES_KEY').map((d) => [d.key, d.where, d.message])).to.deep.equal([
      ['DOMU_PASSTHROUGH_PROP[0]', { file: cfg, line: 15, col: 26 }, 'DOMU_PASSTHROUGH_PROP[0]: Xen 4.17 ignores the passthrough property (read from Xen 4.19 on)'],
      ['DOMU_DOMID[0]', { file: cfg, line: 11, col: 15 }, 'DOMU_DOMID[0] = 5: Xen 4.17 does not read the domid property (no upstream Xen does); domU0 will be d2'],
      ['DOMU_GRANT_FRAMES[1]', { file: cfg, line: 12, col: 22 }, 'DOMU_GRANT_FRAMES[1]: Xen 4.17 ignores the max_grant_frames property (read from Xen 4.18 on)'],
      ['DOMU_TRAP_UNMAP[1]', { file: cfg, line: 14, col: 20 }, 'DOMU_TRAP_UNMAP[1]: Xen 4.17 ignores the trap-unmapped-accesses property (read from Xen 4.21 on)'],
    ]);
    expect(p.diagnostics.find((x) => x.code === 'PLAN_XEN_IGNORES_KEY')!.hint).to.equal(fixOf('domain-props-read'));
    // 4.20 reads the grant limits and passthrough: only domid and trap-unmapped-accesses remain.
    const p20 = planBoot({ ...load(folder(), ['NUM_DOMUS=1', 'DOMU_KERNEL[0]=Image', 'DOMU_GRANT_FRAMES[0]=16', 'DOMU_TRAP_UNMAP[0]=0', 'DOMU_DOMID[0]=3']), dir: p.dir }, { xenVersion: '4.20' });
    expect(p20.diagnostics.filter((x) => x.code === 'PLAN_XEN_IGNORES_KEY').map((d) => d.key)).to.deep.equal(['DOMU_TRAP_UNMAP[0]', 'DOMU_DOMID[0]']);
  });

  check('domain-props-accepted', 'warns that Xen 4.18+ on Arm refuses grant table version 2; 4.17 does not read it', () => {
    const dir = folder();
    const lines = [...ONE_DOMU, 'DOMU_GRANT_VER[0]=2'];
    const p20 = planBoot({ ...load(dir, lines), dir }, { xenVersion: '4.20' });
    expect(p20.diagnostics.filter((x) => x.code === 'PLAN_XEN_REFUSES_VALUE').map((d) => [d.key, d.where?.line, d.where?.col, d.message])).to.deep.equal([
      ['DOMU_GRANT_VER[0]', 10, 19, 'DOMU_GRANT_VER[0] = 2: Xen on Arm supports grant table version 1 only, so Xen 4.20 stops with "Error creating domain domU0 (rc = -22)"'],
    ]);
    expect(plan(dir, lines).diagnostics.filter((x) => x.code === 'PLAN_XEN_REFUSES_VALUE')).to.deep.equal([]);
  });

  check('hardware-domain-shape', 'refuses, for Xen 4.21+, a hardware domU Xen panics on: not direct-mapped without an IOMMU, or with passthrough', () => {
    const dir = folder();
    const cfg = path.join(dir, 'config');
    const caps = [...ONE_DOMU, 'DOMU_CAPS[0]=hardware'];
    const e = thrown(() => planBoot({ ...load(dir, caps), dir }, { xenVersion: '4.21' }));
    expect([e.code, exitCodeFor(e), e.where]).to.deep.equal(['PLAN_HARDWARE_DOMAIN', 5, { file: cfg, line: 10, col: 14, key: 'DOMU_CAPS[0]' }]);
    expect(e.message).to.equal('DOMU_CAPS[0] = hardware makes domU0 the hardware domain, but it is not direct-mapped and the board (DEVICE_TREE "virt.dtb") has no IOMMU Xen drives: '
      + 'Xen 4.21 panics "non-direct mapped hardware domain requires iommu"');
    expect(e.hint).to.equal('direct-map domU0 (DOMU_STATIC_MEM[0] with DOMU_DIRECT_MAP[0]=1, on a Xen built with CONFIG_STATIC_MEMORY), boot a board with an IOMMU, or drop hardware from DOMU_CAPS[0]');
    expect(e.describe().split('\n')[0]).to.equal(`${cfg}:10:14: ${e.message}`);
    // Passthrough is refused first, at its own key.
    const pt = thrown(() => planBoot({ ...load(dir, [...caps, 'DOMU_PASSTHROUGH_PROP[0]=enabled']), dir }, { xenVersion: '4.22' }));
    expect([pt.code, pt.where, pt.hint]).to.deep.equal(['PLAN_HARDWARE_DOMAIN', { file: cfg, line: 11, col: 26, key: 'DOMU_PASSTHROUGH_PROP[0]' }, 'drop DOMU_PASSTHROUGH_PROP[0], or hardware from DOMU_CAPS[0]']);
    expect(pt.message).to.equal('DOMU_CAPS[0] = hardware makes domU0 the hardware domain, which has every device already, and DOMU_PASSTHROUGH_PROP[0] writes its passthrough property: '
      + 'Xen 4.22 panics "Don\'t specify passthrough for hardware domain"');
    // Direct-mapped static memory, a board with an SMMU (the ZCU102's mmu-500), or Xen 4.20 (which does not read capabilities): no refusal.
    expect(() => planBoot({ ...load(dir, [...caps, 'DOMU_STATIC_MEM[0]="0x50000000 0x10000000"']), dir }, { xenVersion: '4.21' })).to.not.throw();
    expect(() => planBoot({ ...load(dir, [...caps, 'DOMU_STATIC_MEM[0]="0x50000000 0x10000000"', 'DOMU_DIRECT_MAP[0]=0']), dir }, { xenVersion: '4.21' }))
      .to.throw('it is not direct-mapped');
    const zcu = folder(new Uint8Array(fs.readFileSync(shippedBoardDtb('zynqmp-zcu102-rev1.0.dtb'))));
    expect(() => planBoot({ ...load(zcu, caps), dir: zcu }, { xenVersion: '4.21' })).to.not.throw();
    expect(() => planBoot({ ...load(dir, caps), dir }, { xenVersion: '4.20' })).to.not.throw();
  });

  check('xenstore-domain', 'refuses, for Xen 4.21+, xen,enhanced with no xenstore domain, and a second xenstore domain', () => {
    const dir = folder();
    const cfg = path.join(dir, 'config');
    const enhanced = [...ONE_DOMU, 'DOMU_ENHANCED[0]=1'];
    const e = thrown(() => planBoot({ ...load(dir, enhanced), dir }, { xenVersion: '4.21' }));
    expect([e.code, exitCodeFor(e), e.where]).to.deep.equal(['PLAN_XENSTORE_DOMAIN', 5, { file: cfg, line: 10, col: 18, key: 'DOMU_ENHANCED[0]' }]);
    expect(e.message).to.equal('DOMU_ENHANCED[0] asks for xenstore (xen,enhanced "enabled"), but there is no dom0 and no domU with the xenstore capability: '
      + 'Xen 4.21 panics "xenstore requested, but xenstore domain not present"');
    expect(e.hint).to.equal('give one domU the xenstore capability (DOMU_CAPS[n]="xenstore"), boot a dom0, or set DOMU_ENHANCED[0]=2 (PV interfaces without xenstore) or 0');
    // A xenstore domU serves it; "no-xenstore" asks for none.
    expect(() => planBoot({ ...load(dir, [...enhanced, 'DOMU_CAPS[0]=xenstore']), dir }, { xenVersion: '4.22' })).to.not.throw();
    expect(() => planBoot({ ...load(dir, [...ONE_DOMU, 'DOMU_ENHANCED[0]=2']), dir }, { xenVersion: '4.21' })).to.not.throw();
    // Two xenstore domUs: domU1 comes first in /chosen (d1), so domU0 is the second.
    const two = ['NUM_DOMUS=2', 'DOMU_KERNEL[0]=Image', 'DOMU_KERNEL[1]=Image', 'DOMU_CAPS[0]=xenstore', 'DOMU_CAPS[1]="control|xenstore"'];
    const t = thrown(() => planBoot({ ...load(dir, two), dir }, { xenVersion: '4.21' }));
    expect([t.code, t.where, t.hint]).to.deep.equal(['PLAN_XENSTORE_DOMAIN', { file: cfg, line: 11, col: 14, key: 'DOMU_CAPS[0]' }, 'give the xenstore capability to one domain only: drop xenstore from DOMU_CAPS[0]']);
    expect(t.message).to.equal('DOMU_CAPS[0] = xenstore gives domU0 the xenstore capability, but domU1 (d1) is already the xenstore domain: Xen 4.21 panics "Only 1 xenstore domain can be specified! (1)"');
    // dom0 is the xenstore domain from 4.21.
    const d0 = thrown(() => planBoot({ ...load(dir, ['DOM0_KERNEL=Image', ...ONE_DOMU, 'DOMU_CAPS[0]="control|xenstore"']), dir }, { xenVersion: '4.21' }));
    expect(d0.message).to.equal('DOMU_CAPS[0] = control|xenstore gives domU0 the xenstore capability, but dom0 (d0) is already the xenstore domain: Xen 4.21 panics "Only 1 xenstore domain can be specified! (0)"');
    // Before 4.21 there is no xenstore domain to count (capabilities are not read).
    expect(() => planBoot({ ...load(dir, two), dir }, { xenVersion: '4.20' })).to.not.throw();
  });

  check('xen-policy-read', 'warns that a Xen without CONFIG_XSM_FLASK registers the policy and never reads it', () => {
    const dir = folder();
    const pol = Buffer.alloc(64);
    pol.writeUInt32LE(0xf97cff8c, 0);
    fs.writeFileSync(path.join(dir, 'xenpolicy'), pol);
    const p = plan(dir, [...ONE_DOMU, 'XEN_POLICY=xenpolicy']);
    expect(p.diagnostics.filter((x) => x.code === 'PLAN_XEN_IGNORES_KEY')).to.deep.equal([{
      level: 'warning', code: 'PLAN_XEN_IGNORES_KEY', key: 'XEN_POLICY', where: { file: path.join(dir, 'config'), line: 10, col: 12 },
      message: 'XEN_POLICY: this Xen 4.17 build has no FLASK (CONFIG_XSM_FLASK is off), so it registers the policy module and never reads it',
      hint: fixOf('xen-policy-read'),
    }]);
  });

  // The memory keys' checks (exact messages in test/unit/plan/static-mem.spec.ts).
  check('static-mem-build', 'warns that DOMU_STATIC_MEM needs CONFIG_STATIC_MEMORY, at the key', () => {
    const p = plan(folder(), [...ONE_DOMU, 'DOMU_STATIC_MEM[0]="0x50000000 0x10000000"']);
    const d = p.diagnostics.find((x) => x.code === 'PLAN_XEN_BUILD' && x.key === 'DOMU_STATIC_MEM[0]');
    expect(d?.where).to.deep.equal({ file: path.join(p.dir, 'config'), line: 10, col: 20 });
    expect(d?.hint).to.equal('boot a Xen built with CONFIG_STATIC_MEMORY=y (it needs CONFIG_UNSUPPORTED), or use DOMU_MEM without DOMU_STATIC_MEM');
  });

  check('static-mem-overlap', 'refuses a shared region over a static bank', () => {
    const e = thrown(() => plan(folder(), [...ONE_DOMU, 'DOMU_STATIC_MEM[0]="0x50000000 0x10000000"', 'DOMU_SHARED_MEM[0]="s 0x50000000 0x4000000 0x1000"']));
    expect([e.code, e.where?.line, e.hint]).to.deep.equal(['PLAN_STATIC_CONFLICT', 11, 'give each static range its own memory']);
  });

  check('static-heap-size', 'refuses a static heap smaller than the domains\' memory and P2M pools', () => {
    const e = thrown(() => plan(folder(), [...ONE_DOMU, 'DOMU_MEM[0]=256', 'XEN_STATIC_HEAP="0x80000000 0x10000000"']));
    expect([e.code, e.where?.line]).to.deep.equal(['PLAN_STATIC_CONFLICT', 11]);
    expect(e.message).to.equal('XEN_STATIC_HEAP holds 256 MiB, but the domains need 259 MiB from Xen\'s heap (their memory that is not static, and each domain\'s P2M pool), and with a static heap Xen takes nothing from the rest of RAM');
    expect(() => plan(folder(), [...ONE_DOMU, 'DOMU_MEM[0]=128', 'XEN_STATIC_HEAP="0x80000000 0x10000000"'])).to.not.throw();
  });

  check('static-mem-in-ram', 'refuses a shared region outside the board\'s RAM', () => {
    const e = thrown(() => plan(folder(), [...ONE_DOMU, 'DOMU_SHARED_MEM[0]="s 0x20000000 0x4000000 0x1000000"']));
    expect([e.code, e.where?.line, e.hint]).to.deep.equal(['PLAN_STATIC_CONFLICT', 10, fixOf('static-mem-in-ram')]);
  });

  // The lab's full-featured Xen 4.17.5 (BOOT_TIME_CPUPOOLS, SCHED_NULL; no RTDS): its real .config.
  const FULL = { xenConfig: path.resolve('test', 'fixtures', 'xen-build', 'full-4.17.5-arm64.config') };
  const POOL = ['NUM_DOMUS=1', 'DOMU_KERNEL[0]=Image', 'NUM_CPUPOOLS=1', 'DOMU_CPUPOOL[0]=0'];

  check('cpupool-cpus-exist', 'refuses a cpupool CPU the board DTB lacks (ImageBuilder: "/cpus/<cpu> does not exist")', () => {
    const dir = folder(boardDtb({ cpus: 2 }));
    const e = thrown(() => plan(dir, [...POOL, 'CPUPOOL[0]="cpu@1,cpu@3 null"']));
    expect(e.code).to.equal('CONFIG_CPUPOOL_CPU');
    expect(e.where).to.deep.equal({ file: path.join(dir, 'config'), line: 12, col: 12, key: 'CPUPOOL[0]' });
    expect(e.message).to.equal(`CPUPOOL[0] names /cpus/cpu@3, but DEVICE_TREE "virt.dtb" has no such CPU node (/cpus/cpu@3 does not exist); its CPUs are cpu@0, cpu@1`);
    expect(exitCodeFor(e)).to.equal(3);
  });

  check('cpu-keys-build', 'warns that a Xen without BOOT_TIME_CPUPOOLS ignores the pools, and that Xen 4.17 ignores capabilities', () => {
    const p = plan(folder(boardDtb({ cpus: 4 })), [...POOL, 'CPUPOOL[0]="cpu@1 null"', 'DOMU_CAPS[0]="control"']);
    expect(p.diagnostics.filter((d) => d.code === 'PLAN_XEN_BUILD').map((d) => [d.key, d.message, d.where?.line])).to.deep.equal([
      ['CPUPOOL[0]', 'this Xen 4.17 build has no boot-time cpupools (CONFIG_BOOT_TIME_CPUPOOLS is off): Xen ignores the xen,cpupool nodes and domain-cpupool without a word, and every domain runs in Pool-0 with the default scheduler', 12],
      ['DOMU_CAPS[0]', 'DOMU_CAPS[0]: Xen 4.17 does not read the capabilities property (it came in 4.21), so domU0 boots as a plain domU without the control capability', 13],
    ]);
  });

  check('cpu-keys-panic', 'refuses a pool scheduler the build lacks (Xen: "Scheduler rtds does not exists!")', () => {
    const dir = folder(boardDtb({ cpus: 4 }));
    const e = thrown(() => planBoot({ ...load(dir, [...POOL, 'CPUPOOL[0]="cpu@1 rtds"']), dir }, FULL));
    expect(e.code).to.equal('PLAN_CPU_PANIC');
    expect(e.message).to.equal('CPUPOOL[0] asks for the rtds scheduler, but this Xen 4.17.5 build has none (CONFIG_SCHED_RTDS is off): Xen panics "Scheduler rtds does not exists!"');
    expect(e.hint).to.equal('boot a Xen built with CONFIG_SCHED_RTDS=y, or name a scheduler it has');
    const m = thrown(() => planBoot({ ...load(dir, [...POOL, 'CPUPOOL[0]="cpu@1 null"', 'XEN_CMD="console=dtuart maxcpus=1"']), dir }, FULL));
    expect(m.message).to.equal('CPUPOOL[0] names cpu@1, but XEN_CMD has maxcpus=1, so Xen 4.17.5 never brings that CPU up and panics "Error retrieving logical cpu from node cpupool_0 (-2)"');
  });

  check('null-scheduler-vcpus', 'warns when a null-scheduler pool has fewer CPUs than its domains have vCPUs', () => {
    const dir = folder(boardDtb({ cpus: 4 }));
    const p = planBoot({ ...load(dir, [...POOL, 'CPUPOOL[0]="cpu@1 null"', 'DOMU_VCPUS[0]=3']), dir }, FULL);
    expect(p.diagnostics.filter((d) => d.code === 'PLAN_NULL_OVERCOMMIT').map((d) => [d.key, d.message])).to.deep.equal([[
      'CPUPOOL[0]', 'cpupool 0 (cpu@1) runs the null scheduler, which gives each vCPU a CPU of its own, but its domains have 3 vCPUs (domU0 (3)) for 1 CPU: 2 vCPUs never run (the guest reports its extra CPUs failed to come online)',
    ]]);
    expect(p.cpupools).to.deep.equal([{ index: 0, node: 'cpupool_0', phandle: 0xfffffffd, cpus: [{ name: 'cpu@1', hwid: 1, phandle: 0xfffffffe, added: true }], sched: 'null', domUs: [0] }]);
    // Static event channels take their phandles first: the pool's continue below them, never the same value.
    const withEvtchns = planBoot({ ...load(dir, [...POOL.map((l) => l.replace('NUM_DOMUS=1', 'NUM_DOMUS=2')), 'DOMU_KERNEL[1]=Image', 'DOMU_CPUPOOL[1]=0',
      'CPUPOOL[0]="cpu@1,cpu@2 null"', 'DOMU_STATIC_EVTCHNS[0]="10 1 11"', 'DOMU_STATIC_EVTCHNS[1]="11 0 10"']), dir }, FULL);
    expect(withEvtchns.cpupools?.[0]?.cpus.map((c) => c.phandle)).to.deep.equal([0xfffffffc, 0xfffffffb]);
    expect(withEvtchns.cpupools?.[0]?.phandle).to.equal(0xfffffffa);
  });

  check('domu-memory-fits', 'refuses a DOMU_MEM below the kernel + DTB + initrd, with the least that fits (Xen\'s place_modules())', () => {
    const dir = folder();
    // Image: image_size 30 MiB (reg 30 MiB) at the start of bank 0, then 2 MiB each for the initrd
    // and the DTB, strictly above the kernel's end: 35 MiB is the least.
    const lines = [...ONE_DOMU, 'DOMU_RAMDISK[0]=initrd.cpio.gz', 'DOMU_MEM[0]=34'];
    const e = thrown(() => plan(dir, lines));
    expect([e.code, exitCodeFor(e), e.where, e.hint]).to.deep.equal(['PLAN_DOMAIN_MEMORY', 5, { file: path.join(dir, 'config'), line: 11, col: 13, key: 'DOMU_MEM[0]' }, 'set DOMU_MEM[0] to at least 35']);
    expect(e.message).to.equal('DOMU_MEM[0]=34 is below the kernel\'s 30 MiB footprint (Image) + DTB + initrd: Xen would panic "Unable to find suitable location for dtb+initrd"');
    expect(e.data).to.deep.equal({
      memMiB: 34, leastMiB: 35, kernelBytes: 30 * MiB, kernelRoom: 30 * MiB, initrdBytes: fs.statSync(path.join(dir, 'initrd.cpio.gz')).size, dtbBytes: e.data['dtbBytes'],
      edit: { key: 'DOMU_MEM[0]', value: '35', where: { file: path.join(dir, 'config'), line: 11, col: 13 } },
    });
    expect(thrown(() => plan(dir, [...ONE_DOMU, 'DOMU_RAMDISK[0]=initrd.cpio.gz', 'DOMU_MEM[0]=32'])).message)
      .to.equal('DOMU_MEM[0]=32 is below the kernel\'s 30 MiB footprint (Image) + DTB + initrd: Xen would panic "Not enough memory in the first bank for the kernel+dtb+initrd"');
    expect(() => plan(dir, [...ONE_DOMU, 'DOMU_RAMDISK[0]=initrd.cpio.gz', 'DOMU_MEM[0]=35'])).to.not.throw();
    // DOMU_MEM left at its 512 MiB default, a kernel larger than that: the error points at the
    // kernel, and the fix adds the key after it.
    sparseFile(path.join(dir, 'Big'), arm64Header({ imageSize: 600 * MiB }), MiB);
    const big = thrown(() => plan(dir, ['NUM_DOMUS=1', 'DOMU_KERNEL[0]=Big']));
    expect([big.where, big.hint, big.data['edit']]).to.deep.equal([
      { file: path.join(dir, 'config'), line: 9, col: 16, key: 'DOMU_MEM[0]' }, 'set DOMU_MEM[0] to at least 603',
      { key: 'DOMU_MEM[0]', value: '603', after: { file: path.join(dir, 'config'), line: 9, col: 16 } },
    ]);
    expect(big.message).to.equal('DOMU_MEM[0]=512 (the default) is below the kernel\'s 600 MiB footprint (Big) + DTB + no initrd: Xen would panic "Not enough memory in the first bank for the kernel+dtb+initrd"');
  });

  check('vcpus-within-vgic', 'refuses more than 8 vCPUs on a board whose GIC Xen drives as a GICv2', () => {
    const w = new FdtWriter().finishReservemap();
    w.beginNode('').propertyU32('#address-cells', 2).propertyU32('#size-cells', 2);
    w.beginNode('memory@40000000').propertyString('device_type', 'memory').propertyCells('reg', [0, 0x40000000, 0, 0x80000000]).endNode();
    w.beginNode('intc@8000000').property('compatible', new TextEncoder().encode('arm,cortex-a15-gic\0')).property('interrupt-controller', new Uint8Array(0)).endNode();
    w.beginNode('chosen').endNode();
    w.endNode();
    const dir = folder(w.finish());
    const e = thrown(() => plan(dir, [...ONE_DOMU, 'DOMU_VCPUS[0]=9']));
    expect([e.code, exitCodeFor(e), e.where, e.hint, e.data['edit']]).to.deep.equal(['PLAN_DOMAIN_VCPUS', 5, { file: path.join(dir, 'config'), line: 10, col: 15, key: 'DOMU_VCPUS[0]' },
      'set DOMU_VCPUS[0] to at most 8', { key: 'DOMU_VCPUS[0]', value: '8', where: { file: path.join(dir, 'config'), line: 10, col: 15 } }]);
    expect(e.message).to.equal('DOMU_VCPUS[0]=9 is more than the 8 vCPUs a virtual GICv2 serves (the board\'s GIC is a GICv2): Xen would panic "Error creating domain domU0"');
    expect(() => plan(dir, [...ONE_DOMU, 'DOMU_VCPUS[0]=8'])).to.not.throw();
  });

  it('has a test above for every check, and unique names', () => {
    const names = CHECKS.map((c) => c.name);
    expect(new Set(names).size).to.equal(names.length);
    expect([...tested].sort()).to.deep.equal([...names].sort());
  });
});
