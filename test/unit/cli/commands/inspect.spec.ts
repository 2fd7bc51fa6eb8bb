// `uboot-gen inspect` as users run it: the text layout, the JSON envelope and the exit status.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixturePath, REPO_ROOT } from '../../../helpers/paths.js';
import { tempDir } from '../../../helpers/images.js';

const BIN = path.join(REPO_ROOT, 'bin', 'uboot-gen');
const run = (args: string[]) => {
  const r = spawnSync(BIN, args, { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CI: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('cli → commands → inspect', () => {
  it('prints the header, the loads and no finding for the config.example boot.scr, exit 0', () => {
    const r = run(['inspect', fixturePath('inspect', 'config.example.scr'), '--root', '.']);
    expect(r.status, r.stderr).to.equal(0);
    const lines = r.stdout.split('\n');
    expect(lines.slice(1, 15)).to.deep.equal([
      '  Magic:        0x27051956',
      '  Image Name:   (empty)',
      '  Created:      Thu Jan  1 00:00:00 1970 UTC (0)',
      '  Image Type:   AArch64 Linux Script (uncompressed)',
      '  Data Size:    2514 Bytes = 2.5 KiB',
      '  Load Address: 0x00000000',
      '  Entry Point:  0x00000000',
      '  Header CRC:   0x1e3d819f correct',
      '  Data CRC:     0x964ffba5 correct',
      '  Part 0:       2506 bytes at data offset 8 (the script `source` runs)',
      '  48 lines, 48 commands',
      '',
      'Loads',
      '  line  command  address     file                    bytes   footprint  what                                               used as',
    ]);
    expect(lines).to.include('  fdt resize 0x4FF (line 6) gives 0x4FF bytes; the 40 edits add 1279 bytes → totalsize 4096 (+12288 U-Boot pad at boot)');
    expect(lines).to.include('Boot  line 48: booti 0x42800000 - 0x42A00000');
    expect(lines.slice(-3)).to.deep.equal(['Findings', '  ✓ none: nothing found that would stop this script', '']);
  });

  it('--json: the envelope with the inspect sections, exit 6 for a script defect', () => {
    const r = run(['inspect', fixturePath('corpus', 'domu-without-cpus.source'), '--json']);
    expect(r.status, r.stderr).to.equal(6);
    const j = JSON.parse(r.stdout) as Record<string, unknown> & { findings: { code: string; line: number; level: string }[]; loads: unknown[]; script: { kind: string } };
    expect(Object.keys(j)).to.deep.equal(['schemaVersion', 'command', 'ok', 'exitCode', 'diagnostics', 'script', 'board', 'loads', 'dtb', 'chosen', 'boot', 'memoryMap', 'findings']);
    // The sections are the ones schema/inspect.schema.json describes, each required.
    const schema = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'schema', 'inspect.schema.json'), 'utf8')) as { $id: string; required: string[]; properties: Record<string, unknown> };
    expect(schema.$id).to.equal('inspect.schema.json');
    expect(schema.required).to.deep.equal(Object.keys(j).slice(5));
    expect(Object.keys(schema.properties)).to.deep.equal(Object.keys(j).slice(5));
    expect([j['schemaVersion'], j['command'], j['ok'], j['exitCode'], j['diagnostics']]).to.deep.equal([1, 'inspect', false, 6, []]);
    expect(j.script.kind).to.equal('text');
    expect(j.loads).to.have.length(4);
    expect(j.findings.map((f) => `${f.line} ${f.level} ${f.code}`)).to.deep.equal(['25 error INSPECT_DOMAIN_PROPERTY']);
  });

  it('exits 4 with IMAGE_BAD_CRC for a script image whose data was changed after wrapping', () => {
    const bytes = fs.readFileSync(fixturePath('inspect', 'config.example.scr'));
    bytes.writeUInt8(bytes.readUInt8(100) ^ 0x20, 100);
    const file = path.join(tempDir(), 'boot.scr');
    fs.writeFileSync(file, bytes);
    const r = run(['inspect', file]);
    expect(r.status).to.equal(4);
    expect(r.stdout).to.match(/ {2}Data CRC: {5}0x964ffba5 WRONG \(computed 0x[0-9a-f]{8}\)\n/);
    expect(r.stdout).to.contain('  error IMAGE_BAD_CRC (script-image): boot.scr: bad data CRC (stored 0x964ffba5');
  });

  it('simulate says on its first line that a text script was wrapped as mkimage would', () => {
    const r = run(['simulate', fixturePath('inspect', 'config.example.source'), '--root', '.']);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout.split('\n')[0]).to.equal(`${fixturePath('inspect', 'config.example.source')} is script text: simulated as if wrapped by \`mkimage -A arm64 -T script -C none -d ${fixturePath('inspect', 'config.example.source')}\` (U-Boot's \`source\` cannot run text)`);
  });

  it('refuses a missing file with exit 4', () => {
    const r = run(['inspect', 'no-such.scr']);
    expect(r.status).to.equal(4);
    expect(r.stderr).to.contain('no-such.scr');
  });
});
