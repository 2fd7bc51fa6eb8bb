// -s: the runtime layout checked from the real files (what ImageBuilder's -s does not look at).
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, PlanError } from '../../../src/errors.js';
import { generate } from '../../../src/api/generate.js';
import { REPO_ROOT } from '../../helpers/paths.js';
import { arm64Header, sparseFile, tempDir, writeConfig } from '../../helpers/images.js';

function setup(xen: { fileSize: number; imageSize: number }, extra: string[] = []): string {
  const dir = tempDir();
  fs.cpSync(path.join(REPO_ROOT, 'samples'), path.join(dir, 'samples'), { recursive: true });
  sparseFile(path.join(dir, 'bigxen'), arm64Header({ imageSize: xen.imageSize }), xen.fileSize);
  return writeConfig(dir, [
    'MEMORY_START=0x40000000', 'MEMORY_END=0xC0000000', 'DEVICE_TREE=samples/virt.dtb', 'XEN=bigxen',
    'XEN_CMD="console=dtuart dtuart=/pl011@9000000"', 'DOM0_KERNEL=samples/Image', 'LOAD_CMD=tftpb', 'UBOOT_SOURCE=boot.source', ...extra,
  ]);
}

function planError(fn: () => unknown): PlanError {
  try { fn(); } catch (e) { if (e instanceof PlanError) return e; throw e; }
  throw new Error('no PlanError');
}

describe('plan → runtime-layout (-s)', () => {
  it('says Xen would need more room when the DTB U-Boot loads next lies in its BSS', () => {
    const config = setup({ fileSize: 0x20000, imageSize: 0x300000 });
    const e = planError(() => generate(config, { env: {}, runtimeSizing: true, write: false }));
    expect(e.code).to.equal('PLAN_OVERLAP');
    expect(e.message).to.equal('with -s, U-Boot loads DEVICE_TREE ("samples/virt.dtb") at 0x40800000, but XEN ("bigxen") occupies 0x40600000..0x40900000 once Xen runs (image_size 0x300000, BSS included): XEN would need 0x100000 (1048576) more bytes of room before the next file');
    expect(e.where).to.deep.include({ key: 'XEN', line: 4, col: 5 });
    expect(e.hint).to.equal('drop -s, so uboot-gen places each file by what it occupies (the -s script advances by file sizes only and cannot leave more room)');
    // Without -s the same files are placed around Xen's footprint and boot.
    expect(generate(config, { env: {}, write: false }).plan.dtb.load.addr).to.equal(0x42a00000);
  });

  it('accepts a Xen whose BSS still ends inside its own 2 MiB slot', () => {
    const gen = generate(setup({ fileSize: 0x20000, imageSize: 0x200000 }), { env: {}, runtimeSizing: true, write: false });
    expect(gen.plan.dtb.load.addr).to.equal(0x40800000);
  });

  it('names U-Boot\'s area when the runtime layout reaches it', () => {
    const config = setup({ fileSize: 0x20000, imageSize: 0x100000 });
    const e = planError(() => generate(config, { env: {}, runtimeSizing: true, ubootReserve: 0x7f980000, write: false }));
    expect(e.code).to.equal('PLAN_OVERLAP');
    expect(e.message).to.equal('with -s, U-Boot puts XEN ("bigxen") at 0x40600000..0x40700000 (once Xen runs (image_size 0x100000, BSS included)), which overlaps U-Boot (relocated code, stack, heap) at 0x40680000..0xC0000000');
  });

  it('refuses bootm with -s, as ImageBuilder does', () => {
    const config = setup({ fileSize: 0x20000, imageSize: 0x100000 }, ['BOOT_CMD=bootm']);
    let caught: unknown;
    try { generate(config, { env: {}, runtimeSizing: true, write: false }); } catch (e) { caught = e; }
    expect(caught).to.be.instanceOf(ConfigError);
    expect((caught as ConfigError).code).to.equal('CONFIG_CONFLICT');
    expect((caught as ConfigError).message).to.equal('BOOT_CMD=bootm is not compatible with -s: bootm needs Xen wrapped in a uImage whose load address is fixed when the script is generated');
    expect((caught as ConfigError).where).to.deep.include({ line: 9, col: 10, key: 'BOOT_CMD' });
  });
});
