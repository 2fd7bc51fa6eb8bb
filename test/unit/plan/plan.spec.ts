// Planner: ImageBuilder's layout, plus everything ImageBuilder does not check.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { generate } from '../../../src/api/generate.js';
import { planBoot } from '../../../src/api/generate.js';
import { parseConfigText } from '../../../src/config/index.js';
import { ConfigError, PlanError, UbootGenError } from '../../../src/errors.js';
import { measureScriptEdits } from '../../../src/emit/measure.js';
import { stripMarks } from '../../../src/emit/render.js';
import { arm64Header, boardDtb, ramdiskFile, sparseFile, tempDir, writeConfig } from '../../helpers/images.js';
import { arm64Image } from '../../helpers/samples.js';

const MiB = 1024 * 1024;

/** A folder with xen, a 30 MiB-footprint Image, an initramfs and a board DTB. */
function folder(dtb: Uint8Array = boardDtb()): string {
  const dir = tempDir();
  sparseFile(path.join(dir, 'xen'), arm64Image({ fileSize: 4096, imageSize: 0x1360c8, textOffset: 0, flags: 0xa, code0: 0x91005a4d, fill: 9 }), 0x100000);
  sparseFile(path.join(dir, 'Image'), arm64Header({ imageSize: 30 * MiB }), 20 * MiB);
  ramdiskFile(path.join(dir, 'initrd.cpio.gz'));
  fs.writeFileSync(path.join(dir, 'virt.dtb'), dtb);
  return dir;
}

const BASE = ['MEMORY_START=0x40000000', 'MEMORY_END=0xC0000000', 'DEVICE_TREE=virt.dtb', 'XEN=xen', 'XEN_CMD="console=dtuart"', 'LOAD_CMD=tftpb', 'UBOOT_SOURCE=boot.source'];

function plan(dir: string, lines: string[], opts = {}) {
  const { config, diagnostics } = parseConfigText(`${[...BASE, ...lines].join('\n')}\n`, path.join(dir, 'config'), { env: {} });
  return planBoot({ config, dir, diagnostics }, opts);
}

function thrown(fn: () => unknown): UbootGenError {
  try { fn(); } catch (e) { if (e instanceof UbootGenError) return e; throw e; }
  throw new Error('expected an error');
}

describe('plan → planBoot', () => {
  it('puts the script at MEMORY_START + 2 MiB and files on 2 MiB steps of max(file, image_size)', () => {
    const p = plan(folder(), ['NUM_DOMUS=1', 'DOMU_KERNEL[0]=Image', 'DOMU_RAMDISK[0]=initrd.cpio.gz']);
    expect(p.scriptAddr).to.equal(0x40200000);
    expect(p.loads.map((l) => [l.id, l.addr, l.regSize])).to.deep.equal([
      ['domU0_kernel', 0x40400000, 30 * MiB],
      ['domU0_ramdisk', 0x42200000, fs.statSync(path.join(p.dir, 'initrd.cpio.gz')).size],
      ['host_kernel', 0x42400000, 0x1360c8],
      ['host_fdt', 0x42600000, p.dtb.load.footprint],
    ]);
  });

  it('keeps the 12 MiB floor when RAM starts at 0', () => {
    const dir = folder(boardDtb({ memStart: 0, memSize: 0x80000000 }));
    const p = plan(dir, ['MEMORY_START=0', 'MEMORY_END=0x80000000', 'NUM_DOMUS=1', 'DOMU_KERNEL[0]=Image']);
    expect(p.scriptAddr).to.equal(0xc00000);
    expect(p.loads[0]!.addr).to.equal(0xe00000);
  });

  it('skips a /reserved-memory region that the next file would overlap', () => {
    const dir = folder(boardDtb({ reserved: [{ start: 0x41000000, size: 0x100000 }] }));
    const p = plan(dir, ['NUM_DOMUS=1', 'DOMU_KERNEL[0]=Image']);
    // The kernel needs 30 MiB from 0x40400000, which covers 0x41000000: it moves past the region.
    expect(p.loads[0]!.addr).to.equal(0x41200000);
    expect(p.loads[0]!.note).to.equal('moved past /reserved-memory/region@41000000');
  });

  it('shares identical kernels and ramdisks, but never a gzip kernel', () => {
    const dir = folder();
    fs.writeFileSync(path.join(dir, 'Image.gz'), zlib.gzipSync(arm64Header({ imageSize: 30 * MiB })));
    const p = plan(dir, ['NUM_DOMUS=3', 'DOMU_KERNEL[0]=Image', 'DOMU_KERNEL[1]=Image', 'DOMU_KERNEL[2]=Image.gz', 'DOMU_KERNEL[3]=Image.gz',
      'DOMU_RAMDISK[0]=initrd.cpio.gz', 'DOMU_RAMDISK[1]=initrd.cpio.gz']);
    const ids = p.domains.map((d) => [d.name, d.kernel.addr, d.ramdisk?.addr]);
    expect(ids[0]![1]).to.equal(ids[1]![1]);
    expect(ids[0]![2]).to.equal(ids[1]![2]);
    expect(p.loads.find((l) => l.keys.includes('DOMU_KERNEL[2]'))!.keys).to.deep.equal(['DOMU_KERNEL[2]']);
  });

  it('shares a copy with identical bytes under another name, and not one of equal size with other bytes', () => {
    const dir = folder();
    fs.copyFileSync(path.join(dir, 'Image'), path.join(dir, 'Image-copy'));
    sparseFile(path.join(dir, 'Image-other'), arm64Header({ imageSize: 30 * MiB, textOffset: 0x80000 }), 20 * MiB);
    const p = plan(dir, ['NUM_DOMUS=3', 'DOMU_KERNEL[0]=Image', 'DOMU_KERNEL[1]=Image-copy', 'DOMU_KERNEL[2]=Image-other']);
    expect(p.loads.filter((l) => l.role === 'domU-kernel').map((l) => l.keys)).to.deep.equal([['DOMU_KERNEL[0]', 'DOMU_KERNEL[1]'], ['DOMU_KERNEL[2]']]);
  });

  it('--no-share loads each domain\'s copy, like ImageBuilder', () => {
    const p = plan(folder(), ['NUM_DOMUS=2', 'DOMU_KERNEL[0]=Image', 'DOMU_KERNEL[1]=Image'], { share: false });
    expect(p.loads.filter((l) => l.role === 'domU-kernel').map((l) => l.addr)).to.deep.equal([0x40400000, 0x42200000]);
  });

  it('refuses a plan that does not fit below MEMORY_END, with needed and available bytes', () => {
    const e = thrown(() => plan(folder(), ['MEMORY_END=0x42000000', 'NUM_DOMUS=1', 'DOMU_KERNEL[0]=Image']));
    expect(e).to.be.instanceOf(PlanError);
    expect(e.code).to.equal('PLAN_OUT_OF_MEMORY');
    expect(e.message).to.match(/^the binaries do not fit below MEMORY_END: they need \d+ bytes \([\d.]+ MiB\) from 0x40200000 up to 0x[0-9A-F]+, but only 31457280 bytes \(30 MiB\) are available below 0x42000000$/);
  });

  it('keeps U-Boot\'s area at the top of RAM free', () => {
    const dir = folder(boardDtb({ memSize: 0x4000000 }));
    // 64 MiB of RAM: U-Boot takes the top 36 MiB, so a 30 MiB kernel cannot be placed.
    const e = thrown(() => plan(dir, ['MEMORY_END=0x44000000', 'NUM_DOMUS=1', 'DOMU_KERNEL[0]=Image']));
    expect(e.code).to.equal('PLAN_OUT_OF_MEMORY');
  });

  it('warns when the plan exceeds Xen\'s 32 boot modules', () => {
    const dir = folder();
    const lines = ['NUM_DOMUS=16'];
    for (let i = 0; i < 16; i++) {
      sparseFile(path.join(dir, `K${i}`), arm64Image({ fileSize: 4096, imageSize: 2 * MiB, textOffset: 0, flags: 0xa, code0: 0xfa405a4d, fill: 1000 + i }), MiB);
      lines.push(`DOMU_KERNEL[${i}]=K${i}`, `DOMU_RAMDISK[${i}]=r${i}.cpio.gz`);
      ramdiskFile(path.join(dir, `r${i}.cpio.gz`), 4096 + i);
    }
    const p = plan(dir, lines);
    const w = p.diagnostics.find((d) => d.code === 'PLAN_TOO_MANY_MODULES');
    expect(w?.message).to.contain('Xen registers at most 32 boot modules (Xen and the DTB included) but this plan has 34');
  });

  it('names a DOMU_PASSTHROUGH_PATHS entry the DTB lacks at its config position, before anything is rendered', () => {
    const e = thrown(() => plan(folder(), ['NUM_DOMUS=1', 'DOMU_KERNEL[0]=Image', 'DOMU_PASSTHROUGH_PATHS[0]="/soc/ethernet@ff0e0000"']));
    expect(e).to.be.instanceOf(ConfigError);
    expect(e.code).to.equal('CONFIG_PASSTHROUGH_PATH');
    expect(e.message).to.equal('DOMU_PASSTHROUGH_PATHS[0] names /soc/ethernet@ff0e0000, but DEVICE_TREE "virt.dtb" has no such node, so the script could not mark it xen,passthrough (FDT_ERR_NOTFOUND)');
    expect(e.where).to.deep.include({ line: 10, col: 27, key: 'DOMU_PASSTHROUGH_PATHS[0]' });
  });

  it('refuses a DTB that an earlier script already edited (PLAN_DTB_EDITED)', () => {
    const dir = folder();
    const edited = generate(writeConfig(dir, [...BASE, 'NUM_DOMUS=1', 'DOMU_KERNEL[0]=Image']), { env: {}, write: false });
    // The DTB as the script leaves it, by the emitter's own measurement of the rendered script.
    const dtb = new Uint8Array(fs.readFileSync(path.join(dir, 'virt.dtb')));
    const { owners } = stripMarks(edited.outputs.source, 'boot.source');
    const after = measureScriptEdits(edited.outputs.source, owners, { dtb, addr: edited.plan.dtb.load.addr, label: 'x' }).edited;
    fs.writeFileSync(path.join(dir, 'virt.dtb'), after);
    const e = thrown(() => plan(dir, ['NUM_DOMUS=1', 'DOMU_KERNEL[0]=Image']));
    expect(e.code).to.equal('PLAN_DTB_EDITED');
    expect(e.message).to.equal('DEVICE_TREE "virt.dtb" already has /chosen/domU0: it looks edited by an earlier boot script, and creating that node again would fail with FDT_ERR_EXISTS');
    expect(e.where).to.deep.include({ line: 3, col: 13, key: 'DEVICE_TREE' });
    expect(e.hint).to.equal('pass the unedited board DTB');
  });

  it('creates /chosen first when the board DTB has none', () => {
    const dir = folder(boardDtb({ chosen: false }));
    const r = generate(writeConfig(dir, [...BASE, 'NUM_DOMUS=1', 'DOMU_KERNEL[0]=Image']), { env: {}, write: false });
    expect(r.outputs.source).to.contain(`\nfdt resize ${'0x' + r.plan.dtb.resizeExtra.toString(16).toUpperCase()}\nfdt mknod / chosen\nfdt set /chosen \\#address-cells <0x2>\n`);
    expect(r.plan.dtb.hasChosen).to.equal(false);
  });

  it('rejects a kernel that is really a DTB, naming the key and what the file is', () => {
    const e = thrown(() => plan(folder(), ['NUM_DOMUS=1', 'DOMU_KERNEL[0]=virt.dtb']));
    expect(e.code).to.equal('IMAGE_WRONG_TYPE');
    expect(e.message).to.match(/^DOMU_KERNEL\[0\] .*virt\.dtb.* is a device tree blob/);
    expect(e.where?.line).to.equal(9);
  });

  it('names a missing file with its config line', () => {
    const e = thrown(() => plan(folder(), ['NUM_DOMUS=1', 'DOMU_KERNEL[0]=nope']));
    expect(e.code).to.equal('IMAGE_NOT_FOUND');
    expect(e.message).to.match(/^DOMU_KERNEL\[0\] = "nope": no such file in /);
    expect([e.where?.line, e.where?.col]).to.deep.equal([9, 16]);
  });

  it('refuses BOOT_CMD=bootz for an arm64 Xen', () => {
    const e = thrown(() => plan(folder(), ['BOOT_CMD=bootz', 'NUM_DOMUS=1', 'DOMU_KERNEL[0]=Image']));
    expect(e.code).to.equal('IMAGE_WRONG_TYPE');
    expect(e.message).to.equal('BOOT_CMD=bootz cannot boot XEN "xen": it is an arm64 Image');
    expect(e.hint).to.equal('set BOOT_CMD=booti');
  });

  it('wraps Xen as a kernel uImage for bootm, loaded and run at its own slot', () => {
    const p = plan(folder(), ['BOOT_CMD=bootm', 'NUM_DOMUS=1', 'DOMU_KERNEL[0]=Image']);
    const ub = p.xen.uimage!;
    expect(ub.file).to.equal('xen.ub');
    const dv = new DataView(ub.bytes.buffer, ub.bytes.byteOffset);
    expect(dv.getUint32(0)).to.equal(0x27051956);
    expect([dv.getUint32(16), dv.getUint32(20)]).to.deep.equal([p.xen.load.addr, p.xen.load.addr]);
    expect([ub.bytes[28], ub.bytes[29], ub.bytes[30], ub.bytes[31]]).to.deep.equal([5, 22, 2, 0]); // linux, arm64, kernel, none
    expect(p.xen.runAddr).to.equal(p.xen.load.addr);
  });
});

