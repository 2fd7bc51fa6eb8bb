// The DTB growth measured on the rendered script, and the errors that name the template (or the
// APPEND_EXTRA_CMDS file) that wrote a command the measurement cannot apply.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generate } from '../../../src/api/generate.js';
import { measureScriptEdits } from '../../../src/emit/measure.js';
import { stripMarks } from '../../../src/emit/render.js';
import { UbootGenError } from '../../../src/errors.js';
import { getName, getprop, pathOffset, subnodes } from '../../../src/fdt/ro.js';
import { boardDtb, sampleCopy, tempDir } from '../../helpers/images.js';
import { REPO_ROOT } from '../../helpers/paths.js';

function thrown(fn: () => unknown): UbootGenError {
  try { fn(); } catch (e) { if (e instanceof UbootGenError) return e; throw e; }
  throw new Error('expected an error');
}

const shipped = (name: string): string => fs.readFileSync(path.join(REPO_ROOT, 'templates', name), 'utf8');
const sample = (templates: string, extra: string[] = []) => {
  const { config } = sampleCopy(extra);
  return generate(config, { env: {}, write: false, templates });
};
/** A template folder replacing one partial with `text`. */
function replacing(name: string, text: string): { dir: string; file: string } {
  const dir = tempDir();
  const file = path.join(dir, `${name}.hbs`);
  fs.writeFileSync(file, text);
  return { dir, file };
}
const measure = (script: string) => measureScriptEdits(script, stripMarks(script, 'test.source').owners, { dtb: boardDtb(), addr: 0x1000, label: 'DEVICE_TREE "b.dtb"' });

describe('emit → measure the script\'s fdt edits', () => {
  it('counts the peak growth, so a property set and then removed still needs its room', () => {
    const r = measure('fdt addr 0x1000\nfdt set /chosen blob [00 01 02 03 04]\nfdt rm /chosen blob\nfdt print /chosen\n');
    // 12 (property header) + 8 (5 bytes, 4-aligned) + 5 ("blob\0" into the strings block)
    expect([r.growth, r.edits]).to.deep.equal([25, 2]);
  });

  it('reads values as U-Boot does: <cells> in any base, [bytes], or NUL-terminated strings', () => {
    const before = measure('fdt addr 0x1000\n').edited;
    expect(before.length).to.be.greaterThan(0);
    const r = measure('fdt addr 0x1000\nfdt set /chosen c <0x10 010 10>\nfdt set /chosen b [0a 0B]\nfdt set /chosen s "x y" z\n');
    // c: 12 + 12 + "c\0"; b: 12 + 4 + "b\0"; s: 12 + 8 ("x y\0z\0" = 6 → 8), and no string bytes:
    // libfdt finds "s" as the tail of "#size-cells".
    expect(r.growth).to.equal(26 + 18 + 20);
  });

  it('edits the node libfdt finds, also when a new node starts to answer an earlier unit-less path', () => {
    // libfdt matches "foo" against "foo@1" too, and takes the first child in order: once foo@1 is
    // created (before its siblings), /chosen/foo names foo@1, on the board as here.
    const r = measure('fdt addr 0x1000\nfdt mknod /chosen foo\nfdt set /chosen/foo x "1"\nfdt mknod /chosen foo@1\nfdt set /chosen/foo y "2"\n');
    const chosen = pathOffset(r.edited, '/chosen');
    const byName = new Map([...subnodes(r.edited, chosen)].map((o) => [getName(r.edited, o), o]));
    const text = (v: Uint8Array | number) => (typeof v === 'number' ? v : Buffer.from(v).toString());
    expect([...byName.keys()]).to.deep.equal(['foo@1', 'foo']);
    expect([text(getprop(r.edited, byName.get('foo@1')!, 'y')), text(getprop(r.edited, byName.get('foo')!, 'x'))]).to.deep.equal(['2\0', '1\0']);
    expect(getprop(r.edited, byName.get('foo')!, 'y')).to.equal(-1);
  });

  it('names the template that edits a node the DTB lacks', () => {
    const { dir, file } = replacing('domu', `${shipped('partials/domu.hbs')}fdt set /soc/nothing status "okay"\n`);
    const e = thrown(() => sample(dir));
    expect([e.code, e.where?.file]).to.deep.equal(['EMIT_FDT_NO_NODE', file]);
    expect(e.message).to.equal(`boot.source line 32 (written by ${file}): \`fdt set /soc/nothing status "okay"\` names /soc/nothing, which DEVICE_TREE "samples/virt.dtb" does not have at that point of the script (FDT_ERR_NOTFOUND)`);
  });

  it('names the APPEND_EXTRA_CMDS file, not the template, for a command copied from it', () => {
    const { dir: cfgDir, config } = sampleCopy(['APPEND_EXTRA_CMDS="extra.cmds"']);
    fs.writeFileSync(path.join(cfgDir, 'extra.cmds'), 'fdt set /no-such-node status "disabled"\n');
    const e = thrown(() => generate(config, { env: {}, write: false }));
    expect([e.code, e.where?.file]).to.deep.equal(['EMIT_FDT_NO_NODE', path.join(cfgDir, 'extra.cmds')]);
  });

  it('counts APPEND_EXTRA_CMDS edits in the resize (a new status property: 12 + 12 + "status\\0")', () => {
    const { dir: cfgDir, config } = sampleCopy(['APPEND_EXTRA_CMDS="extra.cmds"']);
    fs.writeFileSync(path.join(cfgDir, 'extra.cmds'), 'fdt set /pl011@9000000 status "disabled"\n');
    const r = generate(config, { env: {}, write: false });
    expect(r.plan.dtb.growth).to.equal(1279 + 31);
    expect(r.outputs.source).to.contain('\nfdt resize 0x51E\n');
  });

  it('converges when a template writes the resize itself into the tree (its digits count too)', () => {
    const { dir } = replacing('fdt-high', 'fdt set /chosen x-resize "{{dtb.resize}}"\nsetenv fdt_high 0xffffffffffffffff\n');
    const r = sample(dir);
    // 1279 + a new property: 12 + "1308\0" (5 → 8) + "x-resize\0" (9): the value is its own size's.
    expect(r.plan.dtb.growth).to.equal(1279 + 12 + 8 + 9);
    expect(r.outputs.source).to.contain('\nfdt resize 0x51C\n').and.to.contain('\nfdt set /chosen x-resize "1308"\n');
  });

  it('refuses an `fdt apply` of an address where no DT_OVERLAY is loaded, naming the template', () => {
    const { dir, file } = replacing('fdt-high', 'fdt apply 0x50000000\nsetenv fdt_high 0xffffffffffffffff\n');
    const e = thrown(() => sample(dir));
    expect([e.code, e.where?.file]).to.deep.equal(['EMIT_FDT_UNMEASURABLE', file]);
    expect(e.message).to.equal(`boot.source line 47 (written by ${file}): \`fdt apply 0x50000000\` applies the overlay at 0x50000000, but no DT_OVERLAY is loaded there`);
  });

  it('refuses an fdt command it cannot model, naming the template', () => {
    const { dir, file } = replacing('fdt-high', 'fdt move 0x50000000 0x51000000\nsetenv fdt_high 0xffffffffffffffff\n');
    const e = thrown(() => sample(dir));
    expect([e.code, e.where?.file]).to.deep.equal(['EMIT_FDT_UNMEASURABLE', file]);
    expect(e.message).to.equal(`boot.source line 47 (written by ${file}): \`fdt move 0x50000000 0x51000000\` is an fdt command whose effect on the device tree uboot-gen does not model`);
  });

  it('refuses an fdt command built from a U-Boot variable', () => {
    const { dir, file } = replacing('passthrough', 'fdt set /chosen x-addr ${fileaddr}\n');
    const e = thrown(() => sample(dir));
    expect([e.code, e.where?.file]).to.deep.equal(['EMIT_FDT_UNMEASURABLE', file]);
    expect(e.message).to.contain('uses a U-Boot variable, so its effect on the device tree cannot be measured before boot');
  });

  it('refuses a node created twice (FDT_ERR_EXISTS)', () => {
    const { dir, file } = replacing('fdt-high', 'fdt mknod /chosen domU0\n');
    const e = thrown(() => sample(dir));
    expect([e.code, e.where?.file, e.data['fdtError']]).to.deep.equal(['EMIT_FDT_EDIT_FAILS', file, 'FDT_ERR_EXISTS']);
  });

  it('refuses an edit before `fdt addr`', () => {
    const { dir, file } = replacing('loads', '{{#each loads}}\n{{cmd}} {{hex addr}} {{file}}\n{{/each}}\nfdt set /chosen early "1"\n');
    const e = thrown(() => sample(dir));
    expect([e.code, e.where?.file]).to.deep.equal(['EMIT_FDT_UNMEASURABLE', file]);
    expect(e.message).to.contain('comes before `fdt addr`');
  });

  it('refuses a template whose output U-Boot\'s hush cannot parse, naming it', () => {
    const { dir, file } = replacing('boot', '{{bootCmd}} {{hex xen.addr}} - "{{hex dtb.addr}}\n');
    const e = thrown(() => sample(dir));
    expect([e.code, e.where?.file]).to.deep.equal(['EMIT_SCRIPT_SYNTAX', file]);
    expect(e.message).to.equal(`boot.source line 48 (written by ${file}) is not valid U-Boot hush: syntax error (unterminated quote)`);
  });

  it('refuses handlebars syntax errors and unknown fields, naming the template', () => {
    const bad = replacing('domu', '{{#if boot}}\n');
    const e1 = thrown(() => sample(bad.dir));
    expect([e1.code, e1.where?.file]).to.deep.equal(['EMIT_TEMPLATE', bad.file]);
    expect(e1.message).to.match(new RegExp(`^${bad.file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a valid handlebars template: `));
    const unknown = replacing('domu', '# {{memMiB}}\n');
    const e2 = thrown(() => sample(unknown.dir));
    expect([e2.code, e2.where?.file]).to.deep.equal(['EMIT_TEMPLATE', unknown.file]);
    expect(e2.message).to.contain('"memMiB" not defined');
  });

  it('refuses a file that replaces no template, and two files for one template', () => {
    const { dir } = replacing('domU', 'x\n');
    const e = thrown(() => sample(dir));
    expect(e.code).to.equal('EMIT_TEMPLATE_DIR');
    expect(e.message).to.equal(`${path.join(dir, 'domU.hbs')} does not replace any template: there is no template called "domU"`);
    expect(e.hint).to.match(/^name each file after the template it replaces: boot\.source\.hbs, hint\.hbs, boot\.hbs, cpupools\.hbs, dom0\.hbs, domu-caps\.hbs, domu-evtchns\.hbs, domu-shared-mem\.hbs, domu-static-mem\.hbs, domu-vcpus\.hbs, domu\.hbs, /);
    const two = replacing('domu', shipped('partials/domu.hbs'));
    fs.mkdirSync(path.join(two.dir, 'partials'));
    fs.writeFileSync(path.join(two.dir, 'partials', 'domu.hbs'), shipped('partials/domu.hbs'));
    expect(thrown(() => sample(two.dir)).message).to.equal(`${two.file} and ${path.join(two.dir, 'partials', 'domu.hbs')} both replace the template "domu"`);
    expect(thrown(() => sample(path.join(two.dir, 'missing'))).code).to.equal('EMIT_TEMPLATE_DIR');
  });
});
