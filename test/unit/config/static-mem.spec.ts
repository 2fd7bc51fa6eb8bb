// The memory keys as read (src/config/static-mem.ts): values, ImageBuilder's defaults and the
// positioned errors for what Xen would refuse.
import { expect } from 'chai';
import { parseConfigText } from '../../../src/config/index.js';
import { BASE, expectConfigError } from './helpers.js';

const load = (extra: string) => parseConfigText(`${BASE}${extra}`, 'c.cfg', { env: {} });
// BASE has 7 lines: a test's own lines start at line 8.

describe('config/static-mem', () => {
  it('DOMU_STATIC_MEM: banks, direct-map by default, memory = the banks\' sum in KiB', () => {
    const { config, diagnostics } = load('DOMU_STATIC_MEM[0]="0x50000000 0x10000000 0x70000000 0x8000000"\n');
    expect(config.domUs[0]!.staticMem).to.deep.equal({ banks: [{ start: 0x50000000, size: 0x10000000 }, { start: 0x70000000, size: 0x8000000 }], directMap: true, memKiB: 0x60000 });
    expect(config.domUs[0]!.memMB).to.equal(384);
    expect(diagnostics.filter((d) => d.code === 'CONFIG_STATIC_IGNORED')).to.deep.equal([]);
  });

  it('DOMU_DIRECT_MAP=0 turns direct-map off; without DOMU_STATIC_MEM it is ignored with a warning', () => {
    expect(load('DOMU_STATIC_MEM[0]="0x50000000 0x10000000"\nDOMU_DIRECT_MAP[0]=0\n').config.domUs[0]!.staticMem!.directMap).to.equal(false);
    const { config, diagnostics } = load('DOMU_DIRECT_MAP[0]=1\n');
    expect(config.domUs[0]!.staticMem).to.equal(undefined);
    expect(diagnostics.find((d) => d.code === 'CONFIG_STATIC_IGNORED')).to.deep.include({
      level: 'warning', key: 'DOMU_DIRECT_MAP[0]', where: { file: 'c.cfg', line: 8, col: 1 },
      message: 'DOMU_DIRECT_MAP[0] is set but DOMU_STATIC_MEM[0] is not: ImageBuilder writes direct-map only for a domain with static memory, so it is ignored',
    });
  });

  it('DOMU_MEM that differs from the banks: ImageBuilder\'s message, memory stays the sum', () => {
    const { config, diagnostics } = load('DOMU_MEM[0]=128\nDOMU_STATIC_MEM[0]="0x50000000 0x10000000"\n');
    expect(config.domUs[0]!.staticMem!.memKiB).to.equal(0x40000);
    const w = diagnostics.find((d) => d.code === 'CONFIG_STATIC_IGNORED')!;
    expect(w.message).to.equal('/chosen/domU0: specified DOMU_MEM does not match DOMU_STATIC_MEM amount. Ignoring DOMU_MEM. (DOMU_MEM[0]=128 MiB, the static banks hold 256 MiB; memory is set to the banks\' sum, as Xen requires)');
    expect(w.where).to.deep.equal({ file: 'c.cfg', line: 8, col: 1 });
  });

  it('refuses odd counts, unaligned, empty and overlapping banks at the value', () => {
    expectConfigError(() => load('DOMU_STATIC_MEM[0]="0x50000000"\n'), { code: 'CONFIG_BAD_VALUE', line: 8, col: 20, message: 'DOMU_STATIC_MEM[0]: has 1 numbers; it needs pairs of "base size"' });
    expectConfigError(() => load('DOMU_STATIC_MEM[0]="0x50000800 0x10000000"\n'), { code: 'CONFIG_BAD_VALUE', message: 'DOMU_STATIC_MEM[0]: static memory bank 0 0x50000800+0x10000000 is not 4 KiB aligned: Xen maps it in whole pages' });
    expectConfigError(() => load('DOMU_STATIC_MEM[0]="0x50000000 0"\n'), { code: 'CONFIG_BAD_VALUE', message: 'DOMU_STATIC_MEM[0]: static memory bank 0 (0x50000000) has size 0' });
    expectConfigError(() => load('DOMU_STATIC_MEM[0]="0x50000000 0x10000000 0x58000000 0x1000"\n'), { code: 'CONFIG_CONFLICT', message: 'DOMU_STATIC_MEM[0]: static memory bank 1 0x58000000..0x58001000 overlaps static memory bank 0 0x50000000..0x60000000' });
    expectConfigError(() => load('DOMU_STATIC_MEM[0]="0x50000000 0xZZ"\n'), { code: 'CONFIG_BAD_VALUE', message: /^DOMU_STATIC_MEM\[0\]: the 2nd word "0xZZ" is not a number/ });
    expectConfigError(() => load('DOMU_DIRECT_MAP[0]=yes\nDOMU_STATIC_MEM[0]="0x50000000 0x10000000"\n'), { code: 'CONFIG_BAD_VALUE', message: 'DOMU_DIRECT_MAP[0]: must be 0 or 1, got "yes"' });
  });

  it('XEN_STATIC_HEAP: banks', () => {
    expect(load('XEN_STATIC_HEAP="0x50000000 0x30000000"\n').config.staticHeap).to.deep.equal([{ start: 0x50000000, size: 0x30000000 }]);
    expectConfigError(() => load('XEN_STATIC_HEAP="0x50000000 0x30000000 1"\n'), { code: 'CONFIG_BAD_VALUE', message: 'XEN_STATIC_HEAP: has 3 numbers; it needs pairs of "base size"' });
  });

  it('DOMU_SHARED_MEM: ID, host address as written, guest address, size; or no host address', () => {
    expect(load('DOMU_SHARED_MEM[0]="my-shared-mem-0 0x50000000 0x4000000 0x10000000"\n').config.domUs[0]!.sharedMem)
      .to.deep.equal({ id: 'my-shared-mem-0', hostAddr: 0x50000000, hostAddrText: '0x50000000', guestAddr: 0x4000000, size: 0x10000000 });
    expect(load('DOMU_SHARED_MEM[0]="shm 0x4000000 0x10000000"\n').config.domUs[0]!.sharedMem).to.deep.equal({ id: 'shm', guestAddr: 0x4000000, size: 0x10000000 });
    expectConfigError(() => load('DOMU_SHARED_MEM[0]="my-shared-mem-0123 0x50000000 0x4000000 0x10000000"\n'), { code: 'CONFIG_BAD_VALUE', message: /the ID "my-shared-mem-0123" has 18 characters; Xen takes at most 15/ });
    expectConfigError(() => load('DOMU_SHARED_MEM[0]="x 0x50000000 0x4000800 0x10000000"\n'), { code: 'CONFIG_BAD_VALUE', message: /the guest address 0x4000800 is not 4 KiB aligned/ });
    expectConfigError(() => load('DOMU_SHARED_MEM[0]="x 0x50000000"\n'), { code: 'CONFIG_BAD_VALUE', message: 'DOMU_SHARED_MEM[0]: has 2 words; it needs 3 or 4' });
  });

  describe('DOMU_STATIC_EVTCHNS', () => {
    const two = 'NUM_DOMUS=2\nDOMU_KERNEL[1]=Image\n';
    it('gives phandles in order of appearance from 0xfffffffe, as ImageBuilder\'s example', () => {
      const { config } = load(`${two}DOMU_STATIC_EVTCHNS[0]="10 1 11; 12 1 13"\nDOMU_STATIC_EVTCHNS[1]="11 0 10; 13 0 12"\n`);
      expect(config.domUs[0]!.evtchns).to.deep.equal([
        { port: 10, remoteDomU: 1, remotePort: 11, phandle: 0xfffffffe, remotePhandle: 0xfffffffd },
        { port: 12, remoteDomU: 1, remotePort: 13, phandle: 0xfffffffc, remotePhandle: 0xfffffffb },
      ]);
      expect(config.domUs[1]!.evtchns).to.deep.equal([
        { port: 11, remoteDomU: 0, remotePort: 10, phandle: 0xfffffffd, remotePhandle: 0xfffffffe },
        { port: 13, remoteDomU: 0, remotePort: 12, phandle: 0xfffffffb, remotePhandle: 0xfffffffc },
      ]);
      expect(config.nextPhandle).to.equal(0xfffffffa);
    });

    it('refuses malformed, self-joined, one-sided and out-of-range channels', () => {
      expectConfigError(() => load(`${two}DOMU_STATIC_EVTCHNS[0]="10 1"\n`), { code: 'CONFIG_BAD_VALUE', line: 10, col: 24, message: 'DOMU_STATIC_EVTCHNS[0]: Malformed evtchn definition: \'10 1\' in DOMU_STATIC_EVTCHNS[0]' });
      expectConfigError(() => load(`${two}DOMU_STATIC_EVTCHNS[0]="10 0 11"\n`), { code: 'CONFIG_BAD_VALUE', message: /Invalid evtchn definition: '10 0 11'/ });
      expectConfigError(() => load(`${two}DOMU_STATIC_EVTCHNS[0]="10 1 11"\n`), { code: 'CONFIG_CONFLICT', message: /Could not find phandle for endpoint 1,11/ });
      expectConfigError(() => load(`${two}DOMU_STATIC_EVTCHNS[0]="1024 1 11"\nDOMU_STATIC_EVTCHNS[1]="11 0 1024"\n`), { code: 'CONFIG_OUT_OF_RANGE', message: /port 1024 in '1024 1 11': a dom0less domU has ports 1 to 1023/ });
    });
  });
});
