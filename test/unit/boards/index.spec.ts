// Each board profile against its real DTB, read with the host's dtc tools (fdtget, dtc): the
// banks, reserved memory, CPUs, console UART and compatible in the table are what the DTB says.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BOARDS, boardByDtb, boardByName, consoleUartPath, countCpus, ramTop, ubootWindow, UBOOT_OVERHEAD_BYTES } from '../../../src/boards/index.js';
import { fixturePath, REPO_ROOT } from '../../helpers/paths.js';

const dtbFile = (file: string): string => path.join(REPO_ROOT, 'boards', file);
const fdtget = (file: string, ...args: string[]): string => execFileSync('fdtget', [dtbFile(file), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
const fdtlist = (file: string, node: string): string[] => execFileSync('fdtget', ['-l', dtbFile(file), node], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter(Boolean);
const tryFdt = <T>(fn: () => T): T | undefined => { try { return fn(); } catch { return undefined; } };

/** `reg` cells (fdtget -t x) as banks, #address-cells/#size-cells of `parent`. */
function regBanks(file: string, node: string, parent: string): { start: number; size: number }[] {
  const cells = fdtget(file, '-t', 'x', node, 'reg').split(/\s+/).map((h) => parseInt(h, 16));
  const ac = Number(fdtget(file, parent, '#address-cells'));
  const sc = Number(fdtget(file, parent, '#size-cells'));
  const num = (c: number[]): number => c.reduce((v, x) => v * 0x1_0000_0000 + x, 0);
  const out = [];
  for (let i = 0; i + ac + sc <= cells.length; i += ac + sc) out.push({ start: num(cells.slice(i, i + ac)), size: num(cells.slice(i + ac, i + ac + sc)) });
  return out;
}

describe('boards: profiles checked against their real DTBs (fdtget, dtc)', () => {
  for (const b of BOARDS) {
    describe(b.name, () => {
      const bytes = new Uint8Array(fs.readFileSync(dtbFile(b.dtb)));

      it('compatible, CPUs and console UART are the DTB\'s', () => {
        expect(fdtget(b.dtb, '/', 'compatible').split(' ')[0]).to.equal(b.compatible);
        expect(fdtlist(b.dtb, '/cpus').filter((n) => n.startsWith('cpu@')).length).to.equal(b.pcpus);
        expect(countCpus(bytes)).to.equal(b.pcpus);
        const stdout = fdtget(b.dtb, '/chosen', 'stdout-path').split(':')[0]!;
        expect(stdout.startsWith('/') ? stdout : fdtget(b.dtb, '/aliases', stdout)).to.equal(b.uart);
        expect(consoleUartPath(bytes)).to.equal(b.uart);
        expect(boardByDtb(bytes)?.name).to.equal(b.recognise ? b.name : undefined);
      });

      it('RAM banks are the DTB\'s /memory (or, when it is empty, what the firmware writes)', () => {
        const banks = fdtlist(b.dtb, '/').filter((n) => n.startsWith('memory')).flatMap((n) => regBanks(b.dtb, `/${n}`, '/')).filter((k) => k.size > 0);
        if (b.firmwareBanks) expect(banks).to.deep.equal([]);
        else expect(banks).to.deep.equal(b.banks);
      });

      it('reserved memory is the DTB\'s /memreserve/ and /reserved-memory children with a reg', () => {
        const dts = execFileSync('dtc', ['-I', 'dtb', '-O', 'dts', dtbFile(b.dtb)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
        const rsv = [...dts.matchAll(/^\/memreserve\/\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+);/gm)].map((m, i) => ({ start: Number(m[1]), size: Number(m[2]), label: `/memreserve/ ${i}` }));
        const children = tryFdt(() => fdtlist(b.dtb, '/reserved-memory')) ?? [];
        const rm = children.flatMap((n) => (tryFdt(() => regBanks(b.dtb, `/reserved-memory/${n}`, '/reserved-memory')) ?? [])
          .filter((k) => k.size > 0).map((k) => ({ ...k, label: `/reserved-memory/${n}` })));
        expect([...rsv, ...rm]).to.deep.equal(b.reserved);
      });
    });
  }

  it('U-Boot relocates to the top of the first bank, below 4 GiB, its window its heap plus the overhead measured on QEMU', () => {
    expect(UBOOT_OVERHEAD_BYTES).to.equal(0x124e000);
    expect(ubootWindow(boardByName('zcu102')!)).to.deep.equal({ start: 0x7ac00000, end: 0x80000000 });
    expect(ubootWindow(boardByName('imx8mp-evk')!)).to.deep.equal({ start: 0xfcc00000, end: 0x100000000 });
    expect(ubootWindow(boardByName('rpi4')!)).to.deep.equal({ start: 0x39c00000, end: 0x3b400000 });
    expect(ubootWindow(boardByName('hihope-rzg2m')!)).to.deep.equal({ start: 0xbac00000, end: 0xc0000000 });
    expect(ubootWindow(boardByName('salvator-xs-h3')!)).to.deep.equal({ start: 0x7ac00000, end: 0x80000000 });
    // QEMU: the window measured on a real boot (bdinfo's lmb reservation).
    expect(ubootWindow(boardByName('qemu-virt')!)).to.deep.equal({ start: 0xbddb2000, end: 0xc0000000 });
    expect(ramTop([{ start: 0x40000000, size: 0x200000000 }])).to.equal(0x100000000);
  });
});

/** `CONFIG_X=value` lines of a resolved U-Boot .config; `# CONFIG_X is not set` as 'n'. */
function kconfig(file: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const set = /^CONFIG_(\w+)=(.*)$/.exec(line);
    if (set) out.set(set[1]!, set[2]!.replace(/^"(.*)"$/, '$1'));
    const unset = /^# CONFIG_(\w+) is not set$/.exec(line);
    if (unset) out.set(unset[1]!, 'n');
  }
  return out;
}

describe('boards: R-Car profiles against U-Boot v2025.01 configured for them (make <defconfig>; make u-boot-initial-env)', () => {
  const rcar: [board: string, platform: string][] = [['hihope-rzg2m', 'r8a774a1'], ['salvator-xs-h3', 'r8a7795']];
  for (const [name, platform] of rcar) {
    const b = boardByName(name)!;
    const config = kconfig(fixturePath('boards', `${b.defconfig}.config`));

    it(`${name}: build options are ${b.defconfig}'s as Kconfig resolves them`, () => {
      expect(b.build.loadAddr).to.equal(Number(config.get('SYS_LOAD_ADDR')));
      expect(b.build.mallocLen).to.equal(Number(config.get('SYS_MALLOC_LEN')));
      expect(b.build.bootmLen).to.equal(Number(config.get('SYS_BOOTM_LEN')));
      expect(b.build.rawInitrd).to.equal(config.get('SUPPORT_RAW_INITRD') === 'y');
      expect(b.fdtOverlay).to.equal(config.get('OF_LIBFDT_OVERLAY') === 'y');
      expect(b.fdtOverlay).to.equal(true);
      expect(b.net).to.equal(config.get('NET_LWIP') === 'y' ? 'lwip' : 'legacy');
      expect(b.hush).to.equal(config.get('HUSH_MODERN_PARSER') === 'y' ? 'modern' : 'old');
      expect([config.get('HUSH_OLD_PARSER'), config.get('ENV_VARS_UBOOT_CONFIG'), config.get('OF_UPSTREAM')]).to.deep.equal(['y', 'n', 'y']);
    });

    it(`${name}: the environment is U-Boot's default one (empty values dropped, bootcmd left out) plus what it sets at start`, () => {
      const initial = fs.readFileSync(fixturePath('boards', `${b.defconfig}.u-boot-initial-env`), 'utf8').split('\n').filter(Boolean)
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const).filter(([k, v]) => v !== '' && k !== 'bootcmd');
      expect(initial.length).to.equal(4);
      expect(b.env).to.deep.equal({ ...Object.fromEntries(initial), stdin: 'serial', stdout: 'serial', stderr: 'serial', platform });
    });
  }

  it('salvator-xs-h3: the defconfig builds U-Boot\'s DTB from dts/upstream; the board DTB has 4 Cortex-A57 and 4 Cortex-A53', () => {
    const config = kconfig(fixturePath('boards', 'rcar3_salvator-x_defconfig.config'));
    expect([config.get('DEFAULT_DEVICE_TREE'), config.get('SYS_BOARD'), config.get('SYS_VENDOR')]).to.deep.equal(['renesas/r8a77951-salvator-x', 'salvator-x', 'renesas']);
    const file = boardByName('salvator-xs-h3')!.dtb;
    const cpus = fdtlist(file, '/cpus').filter((n) => n.startsWith('cpu@'));
    expect(cpus.map((c) => `${c}:${fdtget(file, `/cpus/${c}`, 'compatible')}`)).to.deep.equal([
      'cpu@0:arm,cortex-a57', 'cpu@1:arm,cortex-a57', 'cpu@2:arm,cortex-a57', 'cpu@3:arm,cortex-a57',
      'cpu@100:arm,cortex-a53', 'cpu@101:arm,cortex-a53', 'cpu@102:arm,cortex-a53', 'cpu@103:arm,cortex-a53',
    ]);
    expect(fdtget(file, '/', 'model')).to.equal('Renesas Salvator-X 2nd version board based on r8a77951');
  });
});
