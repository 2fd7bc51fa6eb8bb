// ImageBuilder's FIT flags on uboot-gen's command line: -f, -k KEY_DIR/HINT, -u U-BOOT_DTB, and --fit-hash.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../../helpers/paths.js';
import { sampleCopy } from '../../helpers/images.js';
import { parseJsonOutput } from '../../helpers/json-schema.js';

const BIN = path.join(REPO_ROOT, 'bin', 'uboot-gen');
const run = (args: string[], cwd: string) => spawnSync(BIN, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CI: '1' } });

describe('fit: -f / -k / -u on the command line', () => {
  it('-f writes boot.fit and boot.its (no boot.scr) and prints ImageBuilder\'s final lines', () => {
    const { dir } = sampleCopy();
    const r = run(['-c', 'config', '-d', '.', '-f', '-q'], dir);
    expect(r.stderr).to.equal('');
    expect(r.status).to.equal(0);
    expect(r.stdout).to.equal('Generated uboot FIT image boot.fit, to be loaded at or after address 0x42c00000:\ntftpb 0x42c00000 boot.fit; source 0x42c00000:boot_scr\n');
    expect(fs.existsSync(path.join(dir, 'boot.its'))).to.equal(true);
    expect(fs.existsSync(path.join(dir, 'boot.scr'))).to.equal(false);
  });

  it('--json names the FIT, its address and whether it is signed; --fit-hash changes the hash nodes', () => {
    const { dir } = sampleCopy();
    const r = run(['config', '-f', '--fit-hash', 'sha256', '--json', '--no-verify'], dir);
    expect(r.status).to.equal(0);
    const j = parseJsonOutput<{ outputs: { fit: { file: string; addr: number; signed: boolean }; ubootCommand: string } }>(r.stdout);
    expect(j.outputs.fit).to.deep.equal({ file: path.join(fs.realpathSync(dir), 'boot.fit'), addr: 0x42c00000, addrHex: '0x42C00000', signed: false });
    expect(j.outputs.ubootCommand).to.equal('tftpb 0x42c00000 boot.fit; source 0x42c00000:boot_scr');
    expect(fs.readFileSync(path.join(dir, 'boot.its'), 'utf8')).to.contain('algo = "sha256";');
  });

  it('-u without -k is a config error with ImageBuilder\'s reason (exit 3)', () => {
    const { dir } = sampleCopy();
    const r = run(['config', '-f', '-u', 'samples/virt.dtb', '--no-verify'], dir);
    expect(r.status).to.equal(3);
    expect(r.stderr).to.contain('FIT_ENC_UB_DTB (-u) is set but FIT_ENC_KEY_DIR (-k) is not');
  });

  it('simulate runs a FIT as source ADDR:boot_scr', () => {
    const { dir } = sampleCopy();
    expect(run(['config', '-f', '-q', '--no-verify'], dir).status).to.equal(0);
    const r = run(['simulate', 'boot.fit', '--root', '.', '--script-addr', '0x42c00000'], dir);
    expect(r.status).to.equal(0);
    expect(r.stdout).to.contain('  => source 42c00000:boot_scr\n  ## Executing script at 42c00000\n');
    expect(r.stdout).to.contain('✓ every domain comes up (dom0, domU1, domU0)');
  });
});
