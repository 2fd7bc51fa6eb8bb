import { expect } from 'chai';
import { DEFAULT_STACKS, OWN_CASES_ONLY, STACK_NAMES, ubootVersionOf, xenVersionOf } from '../../../scripts/lab/stacks.js';
import { DEBUG_IMPLIED, DEBUG_OPTIONS, FULL_FEATURED_OPTIONS, UPSTREAM_XEN_TAGS } from '../../../scripts/lab/xen-build.js';

describe('scripts/lab/stacks', () => {
  it('reads the release the simulator models from Debian package versions', () => {
    expect(ubootVersionOf('2025.01-3+deb13u1')).to.equal('2025.01');
    expect(ubootVersionOf('2023.01+dfsg-2+deb12u3')).to.equal('2023.01');
    expect(xenVersionOf('4.20.4+63-g7abfd2bce2-0+deb13u1')).to.equal('4.20.4');
    expect(xenVersionOf('4.17.7+13-g2445b30a44-0+deb12u1')).to.equal('4.17.7');
    expect(() => ubootVersionOf('unknown')).to.throw('Cannot read a U-Boot release from the package version "unknown".');
  });

  it('boots five stacks by default (debug and arm32 among them, each with cases of its own), the upstream 4.21/4.22 builds by name, and the source build asks for every feature Debian leaves out', () => {
    expect(STACK_NAMES).to.deep.equal(['bookworm', 'trixie', 'full', 'debug', 'xen-4.21', 'xen-4.22', 'arm32']);
    expect(DEFAULT_STACKS).to.deep.equal(['bookworm', 'trixie', 'full', 'debug', 'arm32']);
    expect(OWN_CASES_ONLY).to.deep.equal(['debug', 'arm32']);
    expect(UPSTREAM_XEN_TAGS).to.deep.equal({ 'xen-4.21': 'RELEASE-4.21.2', 'xen-4.22': 'RELEASE-4.22.0' });
    expect(FULL_FEATURED_OPTIONS).to.deep.equal({
      CONFIG_EXPERT: 'y', CONFIG_UNSUPPORTED: 'y', CONFIG_STATIC_MEMORY: 'y', CONFIG_STATIC_SHM: 'y', CONFIG_BOOT_TIME_CPUPOOLS: 'y', CONFIG_SCHED_NULL: 'y',
    });
    // The debug build sets DEBUG alone; the schedulers defaulting to DEBUG come with it, static memory does not.
    expect(DEBUG_OPTIONS).to.deep.equal({ CONFIG_DEBUG: 'y' });
    expect(DEBUG_IMPLIED).to.deep.equal({ CONFIG_SCHED_NULL: 'y', CONFIG_SCHED_RTDS: 'y', CONFIG_SCHED_ARINC653: 'y', CONFIG_STATIC_MEMORY: 'n' });
  });
});
