// Pieces of the Xen model checked on their own.
import { expect } from 'chai';
import { parseSizeAndUnit, parseXenCmdline } from '../../../../src/sim/xen/cmdline.js';
import { domUDtbItems, fdtSwTotalsize } from '../../../../src/sim/xen/guest-dtb.js';
import { allocationOrder, orderFromBytes, XenHeap } from '../../../../src/sim/xen/heap.js';
import { defaultP2mPoolBytes } from '../../../../src/sim/xen/domain-build.js';
import { parseXenVersion } from '../../../../src/sim/xen/version.js';

describe('sim → xen → cmdline', function () {
  it('parse_size_and_unit(): units, and KiB when there is none', function () {
    expect(parseSizeAndUnit('512M')).to.equal(512 * 2 ** 20);
    expect(parseSizeAndUnit('1G')).to.equal(2 ** 30);
    expect(parseSizeAndUnit('1024')).to.equal(2 ** 20);
    expect(parseSizeAndUnit('0x100000k')).to.equal(2 ** 30);
    expect(parseSizeAndUnit('min:512M')).to.equal(undefined);
  });

  it('Xen on Arm rejects the x86 min:/max: dom0_mem forms (dom0 then gets the 512M default)', function () {
    const c = parseXenCmdline('console=dtuart dom0_mem=min:512M,max:1G sched=null');
    expect(c.dom0Mem).to.equal(undefined);
    expect(c.problems).to.deep.equal(['parameter "dom0_mem" has invalid value "min:512M,max:1G" (Xen on Arm takes a plain size such as 1G; the min:/max: forms are x86-only)']);
    expect(c.sched).to.equal('null');
  });

  it('defaults: console=dtuart, no dtuart path, bootscrub=idle, reboot on panic', function () {
    expect(parseXenCmdline(undefined)).to.deep.equal({ raw: '', console: ['dtuart'], dtuart: '', noreboot: false, hmpUnsafe: false, bootscrub: 'idle', problems: [] });
    expect(parseXenCmdline('dom0_max_vcpus=2 noreboot bootscrub=0 dtuart=serial0:115200n8')).to.deep.include({ dom0MaxVcpus: 2, noreboot: true, bootscrub: 'off', dtuart: 'serial0:115200n8' });
  });
});

describe('sim → xen → guest-dtb', function () {
  const base = { minor: 17, hasKernel: true, cpuCompatibleLen: 15, cpuClock: false, timerClock: false, gicV3: true, rdistRegions: 1, memoryBanks: 1, vpl011: true, enhanced: false, hypervisorCompatLen: 21, extRegions: 2, passthrough: [] };
  it('matches real Xen 4.17.7 domU device trees (0x4ad with 1 vCPU, 0x50d with 2)', function () {
    expect(fdtSwTotalsize(domUDtbItems({ ...base, vcpus: 1, bootargs: 'console=ttyAMA0 labtoken=u0' }))).to.equal(0x4ad);
    expect(fdtSwTotalsize(domUDtbItems({ ...base, vcpus: 2, bootargs: 'console=ttyAMA0 labtoken=u1' }))).to.equal(0x50d);
  });
  it('matches real 4.20 (trixie: 0x534, 0x4d4), 4.21.2 (0x52d, 0x4cd) and 4.22.0 (the same) for the same two domains', function () {
    const sizes = (minor: number): number[] => [2, 1].map((vcpus) => fdtSwTotalsize(domUDtbItems({ ...base, minor, vcpus, bootargs: `console=ttyAMA0 labtoken=u${vcpus - 1}` })));
    expect(sizes(20)).to.deep.equal([0x534, 0x4d4]);
    expect(sizes(21)).to.deep.equal([0x52d, 0x4cd]);
    expect(sizes(22)).to.deep.equal([0x52d, 0x4cd]);
  });
});

describe('sim → xen → heap', function () {
  it('orders: get_order_from_bytes() and get_allocation_size()', function () {
    expect(orderFromBytes(4096)).to.equal(0);
    expect(orderFromBytes(4097)).to.equal(1);
    expect(allocationOrder(0x40000000)).to.equal(18);
    expect(allocationOrder(0x3fffffff)).to.equal(17);
  });

  it('blocks are naturally aligned and taken from the top; reserved ranges are avoided', function () {
    const h = new XenHeap([{ start: 0x40000000, size: 0x10000000 }]);
    h.reserve(0x4f000000, 0x100000);
    expect(h.allocBlock(allocationOrder(0x1000000), 'high')).to.equal(0x4e000000);
    expect(h.allocBlock(allocationOrder(0x1000000), 'low')).to.equal(0x40000000);
    expect(h.freeBytes).to.equal(0x10000000 - 0x100000 - 0x2000000);
    const before = h.freeBytes;
    expect(h.allocPages(0x20000000)).to.equal(0x20000000 - before);
    expect(h.freeBytes).to.equal(0);
  });

  it('default P2M pool: 1 MiB per vCPU + 4 KiB per MiB + 512 KiB, rounded up to MiB', function () {
    expect(defaultP2mPoolBytes(0x40000, 1)).to.equal(3 * 2 ** 20);
    expect(defaultP2mPoolBytes(4 * 1024 * 1024, 1)).to.equal(18 * 2 ** 20);
  });
});

describe('sim → xen → version', function () {
  it('accepts 4.17–4.20 with optional patch level, rejects others', function () {
    expect(parseXenVersion('4.19.1')).to.deep.equal({ text: '4.19.1', minor: 19, patch: 1 });
    expect(() => parseXenVersion('4.16')).to.throw().with.property('code', 'SIM_BAD_INPUT');
  });
});
