import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fetchScriptCommands, FETCH_SCRIPT_TEMPLATE } from '../../../src/lab/console-commands.js';
import { REPO_ROOT } from '../../helpers/paths.js';

describe('lab/console-commands: what is typed at the real U-Boot prompt', () => {
  it('renders templates/lab/fetch-script.hbs with QEMU user networking and the script address', () => {
    expect(fetchScriptCommands({ scriptName: 'boot.scr', scriptAddr: 0x40200000 })).to.deep.equal([
      'setenv ipaddr 10.0.2.15; setenv serverip 10.0.2.2; tftpb 0x40200000 boot.scr; source 0x40200000',
    ]);
    expect(fetchScriptCommands({ scriptName: 'my.scr', scriptAddr: 0x80200000 })).to.deep.equal([
      'setenv ipaddr 10.0.2.15; setenv serverip 10.0.2.2; tftpb 0x80200000 my.scr; source 0x80200000',
    ]);
  });

  it('the words come from the template file: another template folder gives other commands, one per line', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uboot-gen-lab-tpl-'));
    try {
      fs.mkdirSync(path.join(dir, 'lab'));
      fs.writeFileSync(path.join(dir, FETCH_SCRIPT_TEMPLATE), 'dhcp\nload virtio 0 {{scriptAddr}} {{scriptName}}\n\nsource {{scriptAddr}}\n');
      expect(fetchScriptCommands({ scriptName: 'b.scr', scriptAddr: 0x40200000 }, dir)).to.deep.equal(['dhcp', 'load virtio 0 0x40200000 b.scr', 'source 0x40200000']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a missing template is a LAB_SETUP error naming the file', () => {
    const dir = path.join(os.tmpdir(), 'uboot-gen-no-such-templates');
    try {
      fetchScriptCommands({ scriptName: 'boot.scr', scriptAddr: 0x40200000 }, dir);
      expect.fail('no error');
    } catch (e) {
      const err = e as { code: string; message: string };
      expect(err.code).to.equal('LAB_SETUP');
      expect(err.message).to.match(new RegExp(`^The lab console template ${path.join(dir, 'lab', 'fetch-script.hbs').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} cannot be read: ENOENT`));
    }
  });
});

describe('lab layering: the package ships only what `uboot-gen qemu` needs', () => {
  const walk = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : e.name.endsWith('.ts') ? [path.join(d, e.name)] : []));

  it('no module under src/ imports from scripts/ (CI code is not in the package)', () => {
    const bad = walk(path.join(REPO_ROOT, 'src')).filter((f) => /from '(\.\.\/)+scripts\//.test(fs.readFileSync(f, 'utf8')));
    expect(bad).to.deep.equal([]);
  });

  it('package.json "files" carries no build output of scripts/', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { files: string[] };
    expect(pkg.files.filter((f) => /^(dist\/)?scripts\b|^dist\/?$/.test(f))).to.deep.equal([]);
  });
});
