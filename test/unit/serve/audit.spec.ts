import { expect } from 'chai';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { generate } from '../../../src/api/generate.js';
import { FetchAudit } from '../../../src/serve/audit.js';
import { expectationFromConfig } from '../../../src/serve/from-plan.js';
import { TftpServer, type TransferRecord } from '../../../src/serve/server.js';
import { sampleCopy } from '../../helpers/images.js';
import { hasTool } from '../../helpers/tools.js';

const run = promisify(execFile);

/**
 * Serve `dir`, fetch `names` with atftp the way U-Boot would (octet, blksize 1468), return the
 * audit. `afterPlan` runs once the expectation is taken, to change files behind the plan's back.
 */
async function fetchAll(dir: string, config: string, names: string[], afterPlan?: () => void): Promise<{ audit: FetchAudit; log: TransferRecord[] }> {
  const server = new TftpServer({ root: dir, port: 0 });
  const audit = new FetchAudit(expectationFromConfig(config, server.root), dir);
  const log: TransferRecord[] = [];
  server.on('transfer', (t) => { log.push(t); audit.record(t); });
  const { port } = await server.listen();
  try {
    afterPlan?.();
    for (const n of names) {
      await run('atftp', ['--option', 'blksize 1468', '-g', '-r', n, '-l', '/dev/null', '127.0.0.1', String(port)]).catch(() => undefined);
    }
    for (let i = 0; i < 200 && log.length < names.length; i++) await new Promise((r) => setTimeout(r, 10));
  } finally {
    await server.close();
  }
  return { audit, log };
}

const PLANNED = ['boot.scr', 'samples/Image', 'samples/initrd.cpio.gz', 'samples/xen', 'samples/virt.dtb'];

(hasTool('atftp', '--version') ? describe : describe.skip)('serve → audit (what the board fetched against the plan)', function () {
  this.timeout(30000);

  it('expects the script and each distinct file the plan loads, with their planned sizes', () => {
    const { dir, config } = sampleCopy();
    generate(config, { dir });
    const exp = expectationFromConfig(config, dir);
    expect(exp.script.name).to.equal('boot.scr');
    expect(exp.script.size).to.equal(fs.statSync(path.join(dir, 'boot.scr')).size);
    expect(exp.files.map((f) => [f.name, f.size, f.keys.join(',')])).to.deep.equal([
      ['samples/Image', fs.statSync(path.join(dir, 'samples/Image')).size, 'DOM0_KERNEL,DOMU_KERNEL[0],DOMU_KERNEL[1]'],
      ['samples/initrd.cpio.gz', 295, 'DOM0_RAMDISK,DOMU_RAMDISK[0],DOMU_RAMDISK[1]'],
      ['samples/xen', fs.statSync(path.join(dir, 'samples/xen')).size, 'XEN'],
      ['samples/virt.dtb', fs.statSync(path.join(dir, 'samples/virt.dtb')).size, 'DEVICE_TREE'],
    ]);
  });

  it('finds nothing to say when every planned file is fetched unchanged', async () => {
    const { dir, config } = sampleCopy();
    generate(config, { dir });
    const { audit, log } = await fetchAll(dir, config, PLANNED);
    expect(log.map((l) => l.status)).to.deep.equal(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(audit.findings).to.deep.equal([]);
    expect(audit.complete).to.equal(true);
    expect(audit.notFetched()).to.deep.equal([]);
  });

  it('flags a stale boot.scr, a missing file, an unplanned fetch and files never fetched', async () => {
    const { dir, config } = sampleCopy();
    generate(config, { dir });
    // The config changes after boot.scr was generated: the served script no longer matches it.
    fs.appendFileSync(config, 'DOMU_MEM[1]=128\n');
    fs.copyFileSync(path.join(dir, 'samples/Image'), path.join(dir, 'Image.old'));
    const { audit } = await fetchAll(dir, config, ['boot.scr', 'Image.old']);
    fs.rmSync(path.join(dir, 'samples/initrd.cpio.gz'));
    expect(audit.findings.map((f) => [f.kind, f.file])).to.deep.equal([['stale-script', 'boot.scr'], ['unplanned', 'Image.old']]);
    expect(audit.findings[0]!.message).to.equal(`boot.scr is stale: it is not what ${config} generates now, so its addresses and sizes may not match the files served; regenerate with \`uboot-gen ${config}\``);
    expect(audit.notFetched().map((f) => f.file)).to.deep.equal(['samples/Image', 'samples/initrd.cpio.gz', 'samples/xen', 'samples/virt.dtb']);
  });

  it('flags a file removed or changed after the plan was made', async () => {
    const { dir, config } = sampleCopy();
    generate(config, { dir });
    const { audit } = await fetchAll(dir, config, ['samples/initrd.cpio.gz', 'samples/Image'], () => {
      fs.rmSync(path.join(dir, 'samples/initrd.cpio.gz'));
      fs.appendFileSync(path.join(dir, 'samples/Image'), Buffer.alloc(4096));
    });
    expect(audit.findings.map((f) => [f.kind, f.file])).to.deep.equal([['missing', 'samples/initrd.cpio.gz'], ['changed', 'samples/Image']]);
    expect(audit.findings[0]!.message).to.equal(`the script loads samples/initrd.cpio.gz (DOM0_RAMDISK, DOMU_RAMDISK[0], DOMU_RAMDISK[1]) but it is missing from ${dir}`);
    expect(audit.findings[1]!.message).to.match(/^samples\/Image \(DOM0_KERNEL, DOMU_KERNEL\[0\], DOMU_KERNEL\[1\]\) changed since the plan \(\d+ bytes sent, \d+ planned\)/);
  });
});
