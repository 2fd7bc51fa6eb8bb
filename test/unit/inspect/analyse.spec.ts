// inspect → analyse: each check on a small script over the samples (real headers), and the
// input detection by content.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inspect } from '../../../src/api/inspect.js';
import { readScriptInput } from '../../../src/inspect/input.js';
import { writeScriptImage } from '../../../src/images/uimage.js';
import { REPO_ROOT } from '../../helpers/paths.js';
import { tempDir } from '../../helpers/images.js';

const GOOD = [
  'tftpb 0x40400000 samples/Image', 'tftpb 0x42600000 samples/initrd.cpio.gz', 'tftpb 0x42800000 samples/xen', 'tftpb 0x42A00000 samples/virt.dtb',
  'fdt addr 0x42A00000', 'fdt resize 0x1000',
  'fdt mknod /chosen domU0', 'fdt set /chosen/domU0 compatible "xen,domain"', 'fdt set /chosen/domU0 \\#address-cells <0x2>', 'fdt set /chosen/domU0 \\#size-cells <0x2>',
  'fdt set /chosen/domU0 memory <0x0 0x40000>', 'fdt set /chosen/domU0 cpus <1>',
  'fdt mknod /chosen/domU0 module@40400000', 'fdt set /chosen/domU0/module@40400000 compatible "multiboot,kernel" "multiboot,module"',
  'fdt set /chosen/domU0/module@40400000 reg <0x0 0x40400000 0x0 0x2010000>',
  'booti 0x42800000 - 0x42A00000',
];

function check(lines: string[], opts: { root?: boolean; prependPath?: string } = {}): string[] {
  const file = path.join(tempDir(), 'boot.source');
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  const r = inspect(file, { ...(opts.root === false ? {} : { root: REPO_ROOT }), ...(opts.prependPath ? { prependPath: opts.prependPath } : {}) });
  return r.findings.map((f) => `${f.line ?? '-'} ${f.code} ${f.check}`);
}

const edit = (find: string, replace: string): string[] => GOOD.map((l) => (l === find ? replace : l));

describe('inspect → analyse', () => {
  it('finds nothing in a well-formed script', () => expect(check(GOOD)).to.deep.equal([]));

  it('reads names under -p PATH from --root', () => {
    expect(check(GOOD.map((l) => l.replace(' samples/', ' tftp/dir/samples/')), { prependPath: 'tftp/dir/' })).to.deep.equal([]);
  });

  it('a load over the DTB\'s growth', () => {
    expect(check([...GOOD.slice(0, 4), 'tftpb 0x42A01000 samples/initrd.cpio.gz', ...GOOD.slice(4)])).to.deep.equal(['5 INSPECT_LOAD_OVER_DTB load-over-dtb']);
  });

  it('a module whose reg starts where nothing is loaded', () => {
    expect(check(edit('fdt set /chosen/domU0/module@40400000 reg <0x0 0x40400000 0x0 0x2010000>', 'fdt set /chosen/domU0/module@40400000 reg <0x0 0x40600000 0x0 0x2010000>')))
      .to.deep.equal(['15 INSPECT_MODULE_NOT_LOADED module-loaded']);
  });

  it('a reg longer than the file\'s footprint (warning: exit 0)', () => {
    expect(check(edit('fdt set /chosen/domU0/module@40400000 reg <0x0 0x40400000 0x0 0x2010000>', 'fdt set /chosen/domU0/module@40400000 reg <0x0 0x40400000 0x0 0x2100000>')))
      .to.deep.equal(['15 INSPECT_REG_LONG reg-size']);
  });

  it('a domain without memory and without a kernel', () => {
    expect(check(GOOD.filter((l) => !l.includes('memory') && !l.includes('module@'))))
      .to.deep.equal(['8 INSPECT_DOMAIN_PROPERTY domain-properties', '8 INSPECT_DOMAIN_NO_KERNEL domain-kernel']);
  });

  it('an fdt command that fails on the DTB, and one with a variable', () => {
    expect(check([...GOOD.slice(0, -1), 'fdt set /soc/nothing status "okay"', 'fdt set /chosen x ${v}', GOOD[GOOD.length - 1]!]))
      .to.deep.equal(['16 INSPECT_FDT_EDIT fdt-edit', '17 INSPECT_FDT_UNMEASURED fdt-applied']);
  });

  it('an unaligned load, a DTB that is not 8-byte aligned, the boot DTB not the edited one', () => {
    expect(check(GOOD.map((l) => l.replace('0x42600000', '0x42600100').replace(/0x42A00000/g, '0x42A00004')).map((l) => (l.startsWith('booti') ? 'booti 0x42800000 - 0x42C00000' : l))))
      .to.deep.equal(['2 INSPECT_UNALIGNED load-aligned', '5 FDT_ERR_ALIGNMENT dtb-aligned', '16 INSPECT_BOOT_TARGET boot-target']);
  });

  it('the planner\'s checks: a load outside RAM, booti of a file that is not an arm64 Image, a load where booti runs Xen', () => {
    expect(check([...GOOD.slice(0, 4), 'tftpb 0x30000000 samples/initrd.cpio.gz', ...GOOD.slice(4)]))
      .to.deep.equal(['5 PLAN_OUT_OF_MEMORY loads-inside-ram']);
    expect(check(edit('booti 0x42800000 - 0x42A00000', 'booti 0x42600000 - 0x42A00000'))).to.deep.equal(['16 IMAGE_WRONG_TYPE xen-matches-boot-cmd']);
    // The sample Xen may be placed anywhere: booti runs it at ALIGN(load - text_offset, 2 MiB) + text_offset.
    expect(check([...GOOD.slice(0, 4), 'tftpb 0x42900000 samples/initrd.cpio.gz', ...GOOD.slice(4)]))
      .to.deep.equal(['5 INSPECT_LOADS_OVERLAP loads-overlap', '5 PLAN_OVERLAP loads-clear-of-xen']);
  });

  it('a syntax error stops the analysis at its line; no boot command is a note', () => {
    expect(check(['tftpb 0x40400000 samples/Image', 'echo "open'])).to.deep.equal(['2 INSPECT_SCRIPT_SYNTAX hush-syntax', '- INSPECT_NO_BOOT boot-command']);
  });

  it('without --root, sizes come from the reg values and missing files are not reported', () => {
    const file = path.join(tempDir(), 'boot.source');
    fs.writeFileSync(file, `${GOOD.join('\n')}\n`);
    const r = inspect(file);
    expect(r.loads.map((l) => `${l.file} ${l.sizeFrom} ${l.size ?? '?'}`)).to.deep.equal([
      'samples/Image reg 33619968', 'samples/initrd.cpio.gz unknown ?', 'samples/xen unknown ?', 'samples/virt.dtb unknown ?',
    ]);
    expect(r.dtb!.from).to.equal('empty-tree');
    expect(r.findings).to.deep.equal([]);
  });
});

describe('inspect → input', () => {
  it('tells a script image from text by content, not by name', () => {
    const text = 'echo hi\n';
    expect(readScriptInput(Buffer.from(text), 'boot.scr').section.kind).to.equal('text');
    const img = readScriptInput(writeScriptImage(text, { time: 0 }), 'boot.source');
    expect([img.section.kind, img.text, img.findings]).to.deep.equal(['script-image', text, []]);
  });

  it('says a legacy image of another type is not a script', () => {
    const r = readScriptInput(fs.readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'images', 'multi-3-5-2.ub')), 'multi.ub');
    expect([r.section.image!.type.name, r.text, r.findings.map((f) => f.code)]).to.deep.equal(['Multi-File Image', undefined, ['IMAGE_WRONG_TYPE']]);
    expect(r.section.image!.parts.map((p) => p.length)).to.deep.equal([3, 5, 2]);
  });
});
