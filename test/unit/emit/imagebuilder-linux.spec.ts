// Against ImageBuilder itself: Xilinx/imagebuilder branch xlnx_rel_v2023.2 (commit 297a48f8635713a14469a92d49f7e292554dedc9,
// the newest branch with Linux-only mode), scripts/uboot-script-gen run over samples/{Image,initrd.cpio.gz,virt.dtb} as
// test/fixtures/imagebuilder-linux/README.md records. Each script is compared command by command once the listed
// differences are applied; each difference is checked on its own.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generate } from '../../../src/api/generate.js';
import { REPO_ROOT } from '../../helpers/paths.js';
import { tempDir } from '../../helpers/images.js';

const FIX = path.join(REPO_ROOT, 'test', 'fixtures', 'imagebuilder-linux');

/**
 * Intended differences, as rewrites applied to both scripts:
 * - addresses: ImageBuilder steps 2 MiB past each file's size, so the ramdisk lands inside the
 *   kernel's image_size (samples/Image: 32 MiB with BSS; the kernel clears it before unpacking),
 *   while uboot-gen steps past the footprint; every address becomes the name of the file loaded
 *   there (an initrd end: that name plus the size);
 * - `fdt resize` is exact (hex bytes) instead of ImageBuilder's 1024.
 */
function normalise(source: string): string[] {
  const at = new Map<number, string>();
  for (const l of source.split('\n')) {
    const m = /^(?:tftpb|load mmc 0:1|imxtract \$fit_addr \S+) (0x[0-9A-Fa-f]+)(?: (\S+))?$/.exec(l);
    if (m) at.set(Number(m[1]), m[2] ?? l.split(' ')[2]!);
  }
  const name = (v: number, end: boolean): string => {
    if (at.has(v)) return `@${at.get(v)}`;
    const base = end ? [...at.keys()].filter((a) => a < v).sort((a, b) => b - a)[0] : undefined;
    return base === undefined ? `0x${v.toString(16)}` : `@${at.get(base)}+0x${(v - base).toString(16)}`;
  };
  return source.split('\n').filter((l) => l !== '')
    .map((l) => l.replace(/^fdt resize \S+$/, 'fdt resize N').replace(/0x[0-9A-Fa-f]+/g, (h) => name(Number(h), l.includes('linux,initrd-end'))));
}

function ours(config: string, opts: Parameters<typeof generate>[1] = {}): string {
  const dir = tempDir();
  for (const f of ['Image', 'initrd.cpio.gz', 'virt.dtb']) fs.copyFileSync(path.join(REPO_ROOT, 'samples', f), path.join(dir, f));
  fs.copyFileSync(path.join(FIX, config), path.join(dir, 'config'));
  return generate(path.join(dir, 'config'), { env: {}, write: false, dir, ...opts }).outputs.source;
}
const theirs = (name: string): string => fs.readFileSync(path.join(FIX, name), 'utf8');

describe('emit → against ImageBuilder xlnx_rel_v2023.2: Linux-only mode', () => {
  it('LINUX + LINUX_RAMDISK + LINUX_CMD: the same commands, the ramdisk past the kernel\'s BSS', () => {
    const source = ours('linux-only.config');
    expect(normalise(source)).to.deep.equal(normalise(theirs('linux-only.source')));
    expect(source).to.equal([
      'tftpb 0x40400000 Image', 'tftpb 0x42600000 initrd.cpio.gz', 'tftpb 0x42800000 virt.dtb', 'fdt addr 0x42800000', 'fdt resize 0x79',
      'fdt set /chosen bootargs "console=ttyAMA0 root=/dev/ram0"', 'fdt set /chosen linux,initrd-start <0x42600000>',
      'fdt set /chosen linux,initrd-end <0x42600127>', 'setenv fdt_high 0xffffffffffffffff', 'booti 0x40400000 - 0x42800000', '',
    ].join('\n'));
    // ImageBuilder's ramdisk at 0x40600000 lies inside the kernel's 0x40400000 + 0x2010000.
    expect(theirs('linux-only.source')).to.include('tftpb 0x40600000 initrd.cpio.gz');
  });

  it('no LINUX_CMD: ImageBuilder\'s default command line, root=/dev/ram0', () => {
    const source = ours('linux-default.config');
    expect(normalise(source)).to.deep.equal(normalise(theirs('linux-default.source')));
  });

  it('LINUX_ROOTFS with LOAD_CMD "load mmc 0:1": root= is the next partition, nothing else is loaded', () => {
    const source = ours('linux-rootfs.config');
    expect(normalise(source)).to.deep.equal(normalise(theirs('linux-rootfs.source')));
    expect(source).to.include('fdt set /chosen bootargs "console=ttyAMA0 root=/dev/mmcblk0p2"\n');
  });

  it('FIT (-f): the same .its (images, descriptions, configuration), with the listed differences', () => {
    const dir = tempDir();
    for (const f of ['Image', 'initrd.cpio.gz', 'virt.dtb']) fs.copyFileSync(path.join(REPO_ROOT, 'samples', f), path.join(dir, f));
    fs.copyFileSync(path.join(FIX, 'linux-only.config'), path.join(dir, 'config'));
    const r = generate(path.join(dir, 'config'), { env: {}, write: false, dir, fit: true });
    const its = r.fit?.extra.find((e) => e.path.endsWith('.its'));
    expect(its?.path).to.equal(path.join(dir, 'boot.its'));
    // Differences: uboot-gen's addresses (see above), and the DTB is the board's own virt.dtb edited by the
    // script at boot, where ImageBuilder bakes the /chosen edits into virt-fit.dtb (FDTEDIT) and drops them from the script.
    const norm = (t: string): string => t.replace(/load = <0x[0-9a-f]+>;/g, 'load = <ADDR>;').replace(/entry = <0x[0-9a-f]+>;/g, 'entry = <ADDR>;')
      .replace('virt-fit.dtb', 'virt.dtb').replace(/\/incbin\/\("[^"]*\.source"\)/, '/incbin/("SCRIPT")');
    expect(norm(new TextDecoder().decode(its?.bytes))).to.equal(norm(theirs('linux-only-fit.its')));
    expect(theirs('linux-only-fit.source')).to.not.include('fdt set');
    expect(r.outputs.source).to.include('imxtract $fit_addr host_ramdisk 0x42600000\n');
  });
});
