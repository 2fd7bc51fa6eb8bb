import { expect } from 'chai';
import { execFile } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { TftpServer, type TransferRecord } from '../../../src/serve/server.js';
import { encodeAck, encodeRequest, parsePacket } from '../../../src/serve/packet.js';
import { hasTool } from '../../helpers/tools.js';
import { tempDir } from '../../helpers/temp.js';
import { startLossyProxy } from './lossy-proxy.js';

const run = promisify(execFile);

/** Deterministic pseudo-random bytes, so a corrupted transfer cannot pass by chance. */
function patternBytes(n: number, seed: string): Buffer {
  const out = Buffer.alloc(n);
  let block = crypto.createHash('sha256').update(seed).digest();
  for (let i = 0; i < n; i += 32) {
    block.copy(out, i, 0, Math.min(32, n - i));
    block = crypto.createHash('sha256').update(block).digest();
  }
  return out;
}

async function withServer(root: string, body: (port: number, log: TransferRecord[]) => Promise<void>, opts: { timeoutMs?: number } = {}): Promise<void> {
  const server = new TftpServer({ root, port: 0, ...opts });
  const log: TransferRecord[] = [];
  server.on('transfer', (r) => log.push(r));
  const { port } = await server.listen();
  try {
    await body(port, log);
  } finally {
    await server.close();
  }
}

/** Wait until the server has logged `n` transfers (the client may exit before the last ACK is read). */
async function settled(log: TransferRecord[], n: number, ms = 2000): Promise<void> {
  for (let i = 0; i < ms / 10 && log.length < n; i++) await new Promise((r) => setTimeout(r, 10));
  expect(log.length, 'transfers logged').to.equal(n);
}

/** A minimal client over raw sockets, to see the exact packets the server sends. */
async function rawRead(port: number, file: string, options: Map<string, string>, window = 1): Promise<{ oack?: Map<string, string>; data: Buffer; blocksSeen: number[] }> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const chunks: Buffer[] = [];
  const blocksSeen: number[] = [];
  let oack: Map<string, string> | undefined;
  let blksize = Number(options.get('blksize') ?? 512);
  let expected = 1;
  let inWindow = 0;
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('raw client timed out')), 15000);
      sock.on('message', (msg, rinfo) => {
        const p = parsePacket(msg);
        if (p.op === 'oack') {
          oack = p.options;
          blksize = Number(p.options.get('blksize') ?? 512);
          sock.send(encodeAck(0), rinfo.port, '127.0.0.1');
        } else if (p.op === 'data') {
          if (p.block !== (expected & 0xffff)) return;
          blocksSeen.push(p.block);
          chunks.push(Buffer.from(p.data));
          const last = p.data.length < blksize;
          inWindow++;
          if (last || inWindow === window) { sock.send(encodeAck(p.block), rinfo.port, '127.0.0.1'); inWindow = 0; }
          expected++;
          if (last) { clearTimeout(timer); resolve({ ...(oack ? { oack } : {}), data: Buffer.concat(chunks), blocksSeen }); }
        } else if (p.op === 'error') {
          clearTimeout(timer);
          reject(new Error(`error ${p.code}: ${p.message}`));
        }
      });
      sock.send(encodeRequest('rrq', file, 'octet', options), port, '127.0.0.1');
    });
  } finally {
    sock.close();
  }
}

describe('serve → server (TFTP, RFC 1350/2347/2348/2349/7440)', function () {
  this.timeout(60000);
  let root: string;
  const big = patternBytes(3_000_123, 'big');
  before(() => {
    root = tempDir('tftp-');
    fs.writeFileSync(path.join(root, 'big.bin'), big);
    fs.writeFileSync(path.join(root, 'exact.bin'), patternBytes(1024, 'exact'));
    fs.writeFileSync(path.join(root, 'text.txt'), 'one\ntwo\r\n');
    fs.mkdirSync(path.join(root, 'sub'));
    fs.writeFileSync(path.join(root, 'sub', 'in.bin'), 'inside');
    fs.symlinkSync('sub/in.bin', path.join(root, 'link-in'));
    const outside = tempDir('outside-');
    fs.writeFileSync(path.join(outside, 'secret'), 'secret');
    fs.symlinkSync(path.join(outside, 'secret'), path.join(root, 'link-out'));
  });

  it('answers options with an OACK holding the accepted values, tsize the file size', async () => {
    await withServer(root, async (port, log) => {
      const r = await rawRead(port, 'big.bin', new Map([['blksize', '1468'], ['tsize', '0'], ['timeout', '3'], ['windowsize', '8'], ['frob', '1']]), 8);
      expect([...r.oack!]).to.deep.equal([['blksize', '1468'], ['tsize', '3000123'], ['timeout', '3'], ['windowsize', '8']]);
      expect(r.data.equals(big)).to.equal(true);
      expect(r.blocksSeen.length).to.equal(Math.floor(3_000_123 / 1468) + 1);
      await settled(log, 1);
      expect(log[0]).to.include({ status: 'ok', file: 'big.bin', bytes: 3_000_123, blocks: 2044, retransmits: 0 });
    });
  });

  it('lowers a blksize above 65464 and sends DATA at once when no option is accepted', async () => {
    await withServer(root, async (port) => {
      const high = await rawRead(port, 'exact.bin', new Map([['blksize', '70000']]));
      expect(high.oack!.get('blksize')).to.equal('65464');
      const none = await rawRead(port, 'exact.bin', new Map([['blksize', '4'], ['timeout', '0']]));
      expect(none.oack).to.equal(undefined);
      // 1024 bytes in 512-byte blocks: two full blocks, then the empty one that ends the transfer.
      expect(none.blocksSeen).to.deep.equal([1, 2, 3]);
    });
  });

  it('rolls block numbers over from 65535 to 0', async () => {
    await withServer(root, async (port) => {
      const r = await rawRead(port, 'big.bin', new Map([['blksize', '32'], ['windowsize', '64']]), 64);
      expect(r.data.equals(big)).to.equal(true);
      expect(r.blocksSeen[65534]).to.equal(65535);
      expect(r.blocksSeen[65535]).to.equal(0);
      expect(r.blocksSeen[65536]).to.equal(1);
    });
  });

  const tftpHpa = hasTool('tftp', '-V');
  const atftp = hasTool('atftp', '--version');

  (tftpHpa ? it : it.skip)('serves tftp-hpa in octet and netascii, and refuses what it must', async () => {
    const out = tempDir('client-');
    await withServer(root, async (port, log) => {
      await run('tftp', ['127.0.0.1', String(port), '-m', 'binary', '-c', 'get', 'big.bin', path.join(out, 'big')]);
      expect(fs.readFileSync(path.join(out, 'big')).equals(big)).to.equal(true);
      await run('tftp', ['127.0.0.1', String(port), '-m', 'ascii', '-c', 'get', 'text.txt', path.join(out, 'text')]);
      // The client turns netascii back into local text: the file arrives unchanged.
      expect(fs.readFileSync(path.join(out, 'text'), 'utf8')).to.equal('one\ntwo\r\n');
      await run('tftp', ['127.0.0.1', String(port), '-m', 'binary', '-c', 'get', 'link-in', path.join(out, 'in')]);
      expect(fs.readFileSync(path.join(out, 'in'), 'utf8')).to.equal('inside');
      const refused: Array<[string, string]> = [
        ['../etc/passwd', 'Error code 2: ".." is not allowed'],
        ['missing.bin', 'Error code 1: File not found'],
        ['link-out', 'Error code 2: outside the served folder'],
        ['sub', 'Error code 2: not a regular file'],
      ];
      for (const [name, message] of refused) {
        const r = await run('tftp', ['127.0.0.1', String(port), '-m', 'binary', '-c', 'get', name, path.join(out, 'x')]).catch((e: { stdout: string; stderr: string }) => e);
        expect(`${r.stdout}${r.stderr}`).to.contain(message);
      }
      fs.writeFileSync(path.join(out, 'up'), 'upload');
      const put = await run('tftp', ['127.0.0.1', String(port), '-m', 'binary', '-c', 'put', path.join(out, 'up'), 'up']).catch((e: { stdout: string; stderr: string }) => e);
      expect(`${put.stdout}${put.stderr}`).to.contain('Error code 2: read-only server');
      expect(fs.existsSync(path.join(root, 'up'))).to.equal(false);
      await settled(log, 8);
      expect(log.map((l) => l.status)).to.deep.equal(['ok', 'ok', 'ok', 'access', 'not-found', 'access', 'access', 'access']);
    });
  });

  (atftp ? it : it.skip)('negotiates blksize, tsize and windowsize with atftp', async () => {
    const out = tempDir('client-');
    await withServer(root, async (port, log) => {
      for (const [blk, win] of [['1468', '1'], ['1468', '16'], ['65464', '4']] as const) {
        const file = path.join(out, `big-${blk}-${win}`);
        await run('atftp', ['--option', `blksize ${blk}`, '--option', 'tsize 0', '--option', `windowsize ${win}`, '-g', '-r', 'big.bin', '-l', file, '127.0.0.1', String(port)]);
        expect(fs.readFileSync(file).equals(big), `blksize ${blk} windowsize ${win}`).to.equal(true);
      }
      await settled(log, 3);
      expect(log.map((l) => [l.options['blksize'], l.options['windowsize'], l.status, l.bytes])).to.deep.equal([
        ['1468', '1', 'ok', 3_000_123], ['1468', '16', 'ok', 3_000_123], ['65464', '4', 'ok', 3_000_123]]);
    });
  });

  (atftp ? it : it.skip)('delivers the exact bytes through a proxy that loses 10% of the datagrams', async () => {
    const out = tempDir('client-');
    const lossy = fs.readFileSync(path.join(root, 'big.bin')).subarray(0, 60_000);
    fs.writeFileSync(path.join(root, 'lossy.bin'), lossy);
    await withServer(root, async (port, log) => {
      const proxy = await startLossyProxy(port, 0.1, 7);
      try {
        const file = path.join(out, 'lossy');
        await run('atftp', ['--option', 'blksize 1468', '--option', 'windowsize 8', '-g', '-r', 'lossy.bin', '-l', file, '127.0.0.1', String(proxy.port)], { timeout: 50000 });
        expect(fs.readFileSync(file).equals(lossy)).to.equal(true);
        expect(proxy.dropped).to.be.greaterThan(0);
        // The server learns the transfer is over only from the last ACK; when the proxy drops
        // that one, it retransmits the last window until its retries run out (RFC 1350 has no
        // way around this), so 'timeout' after a complete delivery is the right record too.
        await settled(log, 1, 3000);
        expect(log[0]!.status).to.be.oneOf(['ok', 'timeout']);
        expect(log[0]!.retransmits).to.be.greaterThan(0);
      } finally {
        await proxy.close();
      }
    }, { timeoutMs: 200 });
  });
});
