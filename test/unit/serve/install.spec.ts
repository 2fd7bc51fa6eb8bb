import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { installForTftp } from '../../../src/serve/install.js';
import { sampleCopy, tempDir } from '../../helpers/images.js';
import { REPO_ROOT } from '../../helpers/paths.js';
import { parseJsonOutput } from '../../helpers/json-schema.js';

const cli = (args: string[]) => spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'uboot-gen.js'), ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
const inode = (f: string): number => fs.statSync(f).ino;

describe('serve → install (--install TFTP_ROOT)', function () {
  this.timeout(30000);

  it('links the verified script and every file it loads into the TFTP root, the script last', () => {
    const { dir, config } = sampleCopy();
    const root = tempDir('tftp-root-');
    const r = cli([config, '-q', '--install', root, '--json']);
    expect(r.status, r.stderr).to.equal(0);
    const doc = parseJsonOutput<{ outputs: { installed: string[] } }>(r.stdout);
    expect(doc.outputs.installed.map((p) => path.relative(fs.realpathSync(root), p))).to.deep.equal([
      'samples/Image', 'samples/initrd.cpio.gz', 'samples/xen', 'samples/virt.dtb', 'boot.scr',
    ]);
    for (const f of ['boot.scr', 'samples/Image', 'samples/xen', 'samples/virt.dtb', 'samples/initrd.cpio.gz']) {
      expect(inode(path.join(root, f)), f).to.equal(inode(path.join(dir, f)));
    }
    expect(fs.readdirSync(root).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
  });

  it('puts files under the -p prefix the script asks for', () => {
    const { config } = sampleCopy();
    const root = tempDir('tftp-root-');
    const r = cli([config, '-q', '-p', 'board7', '--install', root]);
    expect(r.status, r.stderr).to.equal(0);
    expect(fs.existsSync(path.join(root, 'board7', 'boot.scr'))).to.equal(true);
    expect(fs.existsSync(path.join(root, 'board7', 'samples', 'Image'))).to.equal(true);
    expect(r.stdout).to.contain(`Installed into ${root}: board7/samples/Image (link)`);
  });

  it('installs nothing when the verification fails', () => {
    const { config } = sampleCopy(['DOMU_MEM[1]=4096']);
    const root = tempDir('tftp-root-');
    const r = cli([config, '-q', '--install', root]);
    expect(r.status).to.equal(6);
    expect(fs.readdirSync(root)).to.deep.equal([]);
  });

  it('replaces an installed file in one rename, and refuses names that leave the root', () => {
    const src = tempDir('src-');
    const root = tempDir('tftp-root-');
    fs.writeFileSync(path.join(src, 'a'), 'new');
    fs.writeFileSync(path.join(root, 'a'), 'old');
    const done = installForTftp(root, [], { name: 'a', from: path.join(src, 'a') });
    expect(done.map((d) => d.how)).to.deep.equal(['link']);
    expect(fs.readFileSync(path.join(root, 'a'), 'utf8')).to.equal('new');
    expect(installForTftp(root, [], { name: 'a', from: path.join(src, 'a') }).map((d) => d.how)).to.deep.equal(['unchanged']);
    expect(() => installForTftp(root, [], { name: '../escape', from: path.join(src, 'a') })).to.throw(/outside the TFTP root/);
  });
});
