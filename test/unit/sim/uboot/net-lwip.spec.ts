// print_size() of lib/display_options.c, which lwIP's tftpboot prints after its 50 marks (v2026.04).
import { expect } from 'chai';
import { printSize } from '../../../../src/sim/uboot/net-lwip.js';

describe('sim → uboot → net-lwip (print_size)', () => {
  it('prints bytes, then one decimal of the largest unit, rounded as U-Boot does', () => {
    expect(printSize(0)).to.equal('0 Bytes');
    expect(printSize(1023)).to.equal('1023 Bytes');
    expect(printSize(1024)).to.equal('1 KiB');
    expect(printSize(45208)).to.equal('44.1 KiB');
    expect(printSize(1251)).to.equal('1.2 KiB');
    expect(printSize(32956352)).to.equal('31.4 MiB');
    expect(printSize(0x80000000, '/s')).to.equal('2 GiB/s');
    // 1023.96 KiB rounds up to the next unit.
    expect(printSize(1048575)).to.equal('1 MiB');
  });
});
