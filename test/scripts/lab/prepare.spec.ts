import { expect } from 'chai';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { fixturePath } from '../../helpers/paths.js';
import { checkLabHostTools, HOST_APT_PACKAGES, withRetries } from '../../../scripts/lab/prepare.js';

describe('scripts/lab/prepare', () => {
  it('retries with backoff, then fails loudly with LAB_SETUP naming the package', () => {
    let calls = 0;
    const lines: string[] = [];
    try {
      withRetries('download', 'xen-hypervisor-4.17-arm64', 3, 1, (l) => lines.push(l), () => { calls++; return { ok: false, why: 'E: 404  Not Found' }; });
      expect.fail('no error');
    } catch (e) {
      const err = e as { code: string; message: string; data: Record<string, unknown> };
      expect(err.code).to.equal('LAB_SETUP');
      expect(err.message).to.equal('Could not download for package xen-hypervisor-4.17-arm64 after 3 tries: E: 404  Not Found');
      expect(err.data).to.deep.equal({ package: 'xen-hypervisor-4.17-arm64', tries: 3 });
    }
    expect(calls).to.equal(3);
    expect(lines).to.deep.equal([1, 2, 3].map((i) => `lab: download failed (try ${i}/3): E: 404  Not Found`));
  });

  it('returns the first success', () => {
    let calls = 0;
    const v = withRetries('x', 'p', 3, 1, () => {}, () => (++calls < 2 ? { ok: false, why: 'no' } : { ok: true, value: 42 }));
    expect([v, calls]).to.deep.equal([42, 2]);
  });

  it('host tool check passes here or names the apt-get line', () => {
    try {
      checkLabHostTools();
    } catch (e) {
      expect((e as { hint: string }).hint).to.equal(`apt-get install -y ${HOST_APT_PACKAGES.join(' ')}`);
    }
    expect(HOST_APT_PACKAGES).to.deep.equal(['qemu-system-arm', 'u-boot-qemu', 'u-boot-tools', 'device-tree-compiler', 'cpio']);
  });

  it('the committed real fixtures agree with MANIFEST.json', () => {
    const m = JSON.parse(fs.readFileSync(fixturePath('real', 'MANIFEST.json'), 'utf8')) as Record<'xen' | 'kernel' | 'board', { headerSlice: { file: string; sha256: string }; arm64Header: { imageSize: number }; size: number; dtb: { sha256: string } }>;
    for (const role of ['xen', 'kernel'] as const) {
      const slice = fs.readFileSync(fixturePath('real', m[role].headerSlice.file));
      expect(createHash('sha256').update(slice).digest('hex'), role).to.equal(m[role].headerSlice.sha256);
      expect(slice.readUInt32LE(56), role).to.equal(0x644d5241);
      expect(Number(slice.readBigUInt64LE(16)), role).to.equal(m[role].arm64Header.imageSize);
    }
    expect(m['xen'].arm64Header).to.deep.equal({ textOffset: 0, imageSize: 0x1360c8, flags: 0xa });
    expect(m['xen'].size).to.equal(983048);
    const dtb = fs.readFileSync(fixturePath('real', 'qemu-virt-gicv3-2g.dtb'));
    expect(dtb.readUInt32BE(0)).to.equal(0xd00dfeed);
    expect(dtb.readUInt32BE(4)).to.equal(dtb.length);
    expect(createHash('sha256').update(dtb).digest('hex')).to.equal(m['board'].dtb.sha256);
  });
});
