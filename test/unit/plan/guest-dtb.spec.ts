// The planner's guest device-tree check per Xen release (src/plan/guest-dtb.ts): the same layout as
// the simulator's, and the error code Xen prints where the buffer runs out.
import { expect } from 'chai';
import { domUDtbOverflow, type HostDtFacts } from '../../../src/plan/guest-dtb.js';
import type { DomUConfig } from '../../../src/config/types.js';
import { resolveXenBuild } from '../../../src/xen-build/index.js';

// QEMU virt's cortex-a57: "arm,cortex-a57\0" (15 bytes), no clock-frequency, GICv3.
const HOST: HostDtFacts = { cpuCompatibleLen: 15, cpuClock: false, timerClock: false, gicV3: true };
const domU = (vcpus: number): DomUConfig => ({ index: 0, vcpus, memMB: 256, vpl011: true, cmd: 'console=ttyAMA0 labtoken=u0' }) as unknown as DomUConfig;
const at = (version: string, vcpus: number) => domUDtbOverflow(domU(vcpus), HOST, resolveXenBuild({ versionOverride: version }), 0);

describe('plan → guest-dtb', () => {
  it('30 vCPUs fit 4 KiB on 4.20 and 4.21, 31 do not (4116 and 4109 bytes: 4.20 adds #redistributor-regions, 4.21 saves "method"); 4.22 takes 128', () => {
    expect(at('4.20', 30)).to.equal(undefined);
    expect(at('4.21', 30)).to.equal(undefined);
    expect([at('4.20', 31)!.size, at('4.21', 31)!.size]).to.deep.equal([4116, 4109]);
    expect(at('4.17', 31)).to.equal(undefined);
    expect(at('4.22', 128)).to.equal(undefined);
  });

  it('4.20 runs out with -3; 4.21 in the psci node it writes last, which make_arch_nodes() reports as -22 (real 4.21.2 with 33 vCPUs)', () => {
    expect(at('4.20', 33)!.message).to.match(/Xen 4\.20 writes for it needs \d+ bytes \(33 vCPUs\), more than its 4096-byte buffer \(DOMU_DTB_SIZE\); Xen would print "Device tree generation failed \(-3\)\." and panic$/);
    const o = at('4.21', 33)!;
    expect([o.limit, o.fitsVcpus]).to.deep.equal([4096, 30]);
    expect(o.message).to.equal(`domU0: the device tree Xen 4.21 writes for it needs ${o.size} bytes (33 vCPUs), more than its 4096-byte buffer (DOMU_DTB_SIZE); Xen would print "Device tree generation failed (-22)." and panic`);
  });
});
