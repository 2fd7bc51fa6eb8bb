// `--board NAME|FILE.dtb`: names stand for the DTBs in boards/, `--board list` lists them, and an
// unknown name is a usage error naming the nearest board.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { boardListText, resolveBoardArgs, resolveBoardValue } from '../../../src/cli/board-option.js';
import { UbootGenError } from '../../../src/errors.js';
import { REPO_ROOT } from '../../helpers/paths.js';
import { sampleCopy } from '../../helpers/images.js';

const BIN = path.join(REPO_ROOT, 'bin', 'uboot-gen');
const run = (args: string[]) => spawnSync(BIN, args, { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CI: '1' } });

describe('cli → --board NAME|FILE.dtb', () => {
  it('resolves a board name to its shipped DTB and leaves files alone', () => {
    expect(resolveBoardValue('zcu102')).to.equal(path.join(REPO_ROOT, 'boards', 'zynqmp-zcu102-rev1.0.dtb'));
    expect(resolveBoardValue('my.dtb')).to.equal('my.dtb');
    expect(resolveBoardValue('dir/board')).to.equal('dir/board');
    expect(resolveBoardArgs(['node', 'x', 'cfg', '--board=rpi4', '-s'])).to.deep.equal(['node', 'x', 'cfg', `--board=${path.join(REPO_ROOT, 'boards', 'bcm2711-rpi-4-b.dtb')}`, '-s']);
    expect(resolveBoardArgs(['node', 'x', '--board', 'list'])).to.equal('list');
  });

  it('names the nearest board for an unknown name', () => {
    let err: unknown;
    try { resolveBoardValue('zcu12'); } catch (e) { err = e; }
    expect(err).to.be.instanceOf(UbootGenError);
    expect((err as UbootGenError).code).to.equal('USAGE');
    expect((err as UbootGenError).message).to.equal("--board zcu12: no such board and no such file. Did you mean 'zcu102'? Known boards: qemu-virt, zcu102, kv260, rpi4, imx8mp-evk, hihope-rzg2m, salvator-xs-h3 (--board list)");
  });

  it('lists the boards with their memory, console and U-Boot', () => {
    const r = run(['--board', 'list']);
    expect(r.status).to.equal(0);
    expect(r.stdout).to.equal(boardListText());
    expect(r.stdout).to.include('  zcu102         AMD/Xilinx ZCU102 rev1.0 (ZynqMP), 4 GiB: 2 GiB below 4 GiB and 2 GiB at 0x800000000\n');
    expect(r.stdout).to.include('U-Boot 2025.01 (xilinx_zynqmp_virt_defconfig) at 0x7ac00000..0x80000000; legacy network stack, old hush\n');
    expect(r.stdout).to.include('  salvator-xs-h3 Renesas Salvator-XS with R-Car H3 ES2.0+ (r8a77951), 4 GiB: 896 MiB at 0x48000000 and 1 GiB each at 0x500000000, 0x600000000, 0x700000000\n');
    expect(r.stdout).to.include('U-Boot 2025.01 (rcar3_salvator-x_defconfig) at 0x7ac00000..0x80000000; legacy network stack, old hush\n');
  });

  it('generate --board zcu102 -s verifies on the ZCU102 and names it in the header; a wrong name exits 2', () => {
    const { config } = sampleCopy(['MEMORY_START="0x0"', 'MEMORY_END="0x80000000"', 'XEN_CMD="console=dtuart dtuart=serial0 dom0_mem=512M bootscrub=0"']);
    fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace(/^DEVICE_TREE=.*\n/m, ''));
    const r = run([config, '-s', '--board', 'zcu102', '--dry-run']);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^Verification {2}U-Boot 2025\.01 \(zcu102\) → Xen 4\.17 /m);
    const json = run([config, '-s', '--board', 'zcu102', '--dry-run', '--json']);
    const doc = JSON.parse(json.stdout) as { plan: { board: unknown; ram: unknown }; verification: { board: string } };
    expect(doc.plan.board).to.deep.equal({
      name: 'zcu102', uart: '/axi/serial@ff000000',
      ubootWindow: { start: 0x7ac00000, end: 0x80000000, label: 'U-Boot 2025.01 on zcu102 (relocated code, heap, stack)' },
    });
    expect(doc.plan.ram).to.deep.equal([{ start: 0, end: 0x80000000, label: 'RAM' }, { start: 0x800000000, end: 0x880000000, label: 'RAM' }]);
    expect(doc.verification.board).to.equal('zcu102');
    const bad = run([config, '-s', '--board', 'zcu12']);
    expect(bad.status).to.equal(2);
    expect(bad.stderr).to.include("Did you mean 'zcu102'?");
  });

  it('generate --board salvator-xs-h3 -s: the example config, moved into the H3\'s first bank, verifies on the R-Car H3', () => {
    const { config } = sampleCopy(['MEMORY_START="0x48000000"', 'MEMORY_END="0x80000000"', 'XEN_CMD="console=dtuart dtuart=serial0 dom0_mem=512M bootscrub=0"']);
    fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace(/^DEVICE_TREE=.*\n/m, ''));
    const json = run([config, '-s', '--board', 'salvator-xs-h3', '--dry-run', '--json']);
    expect(json.status, json.stderr).to.equal(0);
    const doc = JSON.parse(json.stdout) as { plan: { board: unknown }; verification: { ok: boolean; board: string; summary: string; domains: { name: string; verdict: string }[] } };
    expect(doc.plan.board).to.deep.equal({
      name: 'salvator-xs-h3', uart: '/soc/serial@e6e88000',
      ubootWindow: { start: 0x7ac00000, end: 0x80000000, label: 'U-Boot 2025.01 on salvator-xs-h3 (relocated code, heap, stack)' },
    });
    expect([doc.verification.ok, doc.verification.board, doc.verification.summary]).to.deep.equal([true, 'salvator-xs-h3', 'every domain comes up (dom0, domU1, domU0)']);
    expect(doc.verification.domains.map((d) => `${d.name}:${d.verdict}`)).to.deep.equal(['dom0:up', 'domU1:up', 'domU0:up']);
  });
});
