// The plan summary's wording of a domU's per-domain properties.
import { expect } from 'chai';
import { domainPropsText } from '../../../src/cli/report.js';

describe('cli → report', () => {
  it('a domU\'s per-domain properties read as their device tree names, in ImageBuilder\'s order', () => {
    expect(domainPropsText({ p2mMemMB: 16, domid: 7, nrSpis: 64, grantVersion: 1, grantFrames: 16, maptrackFrames: 0, trapUnmap: 0, passthrough: 'enabled' }))
      .to.equal('nr_spis 64, max_grant_version 1, max_grant_frames 16, max_maptrack_frames 0, trap-unmapped-accesses 0, domid 7, passthrough "enabled", P2M pool 16 MiB');
    expect(domainPropsText({ domid: 3 })).to.equal('domid 3');
  });
});
