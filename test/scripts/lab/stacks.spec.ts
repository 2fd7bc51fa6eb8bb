import { expect } from 'chai';
import { STACK_NAMES, ubootVersionOf, xenVersionOf } from '../../../scripts/lab/stacks.js';
import { FULL_FEATURED_OPTIONS } from '../../../scripts/lab/xen-build.js';

describe('scripts/lab/stacks', () => {
  it('reads the release the simulator models from Debian package versions', () => {
    expect(ubootVersionOf('2025.01-3+deb13u1')).to.equal('2025.01');
    expect(ubootVersionOf('2023.01+dfsg-2+deb12u3')).to.equal('2023.01');
    expect(xenVersionOf('4.20.4+63-g7abfd2bce2-0+deb13u1')).to.equal('4.20.4');
    expect(xenVersionOf('4.17.7+13-g2445b30a44-0+deb12u1')).to.equal('4.17.7');
    expect(() => ubootVersionOf('unknown')).to.throw('Cannot read a U-Boot release from the package version "unknown".');
  });

  it('boots three stacks, and the source build asks for every feature Debian leaves out', () => {
    expect(STACK_NAMES).to.deep.equal(['bookworm', 'trixie', 'full']);
    expect(FULL_FEATURED_OPTIONS).to.deep.equal({
      CONFIG_EXPERT: 'y', CONFIG_UNSUPPORTED: 'y', CONFIG_STATIC_MEMORY: 'y', CONFIG_STATIC_SHM: 'y', CONFIG_BOOT_TIME_CPUPOOLS: 'y', CONFIG_SCHED_NULL: 'y',
    });
  });
});
