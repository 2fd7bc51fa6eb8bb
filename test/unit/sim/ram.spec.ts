// The sparse RAM model: file-backed loads, in-place views, streamed CRCs and its byte budgets.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { SparseRam, crc32Zeros } from '../../../src/sim/ram.js';
import { SimBudgetExceeded } from '../../../src/sim/budget.js';
import { tempDir } from '../../helpers/images.js';

const BANK = [{ start: 0x40000000, size: 0x80000000 }];

describe('sim → ram', () => {
  let dir: string;
  let file: { path: string; name: string; size: number };
  before(() => {
    dir = tempDir('ram-');
    const bytes = Buffer.alloc(3 * 1024 * 1024 + 5);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + 3) & 0xff;
    const p = path.join(dir, 'blob');
    fs.writeFileSync(p, bytes);
    file = { path: p, name: 'blob', size: bytes.length };
  });
  after(() => { fs.rmSync(dir, { recursive: true, force: true }); });

  it('crc32Zeros() equals zlib over real zero bytes', () => {
    for (const [crc, n] of [[0, 0], [0, 1], [0x12345678, 3], [0xffffffff, 4096], [0xdeadbeef, 1_000_003]] as const) {
      expect(crc32Zeros(crc, n), `${crc}/${n}`).to.equal(zlib.crc32(new Uint8Array(n), crc) >>> 0);
    }
  });

  it('crc32() over files, literal bytes and gaps equals the CRC of the bytes read', () => {
    const ram = new SparseRam(BANK);
    ram.writeFile(0x40001000, file);
    ram.write(0x40001000 + file.size + 100, Uint8Array.of(1, 2, 3), 'x');
    const len = file.size + 200;
    expect(ram.crc32(0x40000800, len)).to.equal(zlib.crc32(ram.read(0x40000800, len)) >>> 0);
  });

  it('crc32() over 4 GiB of unwritten memory needs no 4 GiB buffer', () => {
    const ram = new SparseRam(BANK);
    expect(ram.crc32(0x40000000, 2 ** 32)).to.equal(crc32Zeros(0, 2 ** 32));
  });

  it('adopt() makes an array the RAM itself; view() returns it only while one segment is exactly that range', () => {
    const ram = new SparseRam(BANK);
    const blob = new Uint8Array(64).fill(9);
    ram.adopt(0x44000000, blob, 'fdt');
    expect(ram.view(0x44000000, 64)).to.equal(blob);
    expect(ram.view(0x44000000, 32)).to.equal(undefined);
    blob[0] = 1;
    expect(ram.read(0x44000000, 1)[0]).to.equal(1);
    ram.copy(0x45000000, 0x44000000, 64);
    blob[1] = 2; // the copy does not share the array
    expect(ram.read(0x45000000, 2)).to.deep.equal(Uint8Array.of(1, 9));
    ram.write(0x44000010, Uint8Array.of(5), 'poke');
    expect(ram.view(0x44000000, 64)).to.equal(undefined);
    expect(ram.heldBytes).to.equal(128);
  });

  it('refuses one read over its limit and too many held bytes, with the size in the message', () => {
    const ram = new SparseRam(BANK, { readBytes: 1024, heldBytes: 2048 });
    expect(() => ram.read(0x40000000, 4096)).to.throw(SimBudgetExceeded, "reading 4 KiB of RAM at 0x40000000 exceeds the simulator's 1 KiB limit for one read");
    ram.write(0x40000000, new Uint8Array(2000), 'a');
    expect(() => ram.write(0x41000000, new Uint8Array(100), 'b')).to.throw(SimBudgetExceeded, "holding 2.1 KiB of written RAM exceeds the simulator's 2 KiB limit");
    // Overwriting what is held does not count twice.
    ram.write(0x40000000, new Uint8Array(2000), 'c');
    expect(ram.heldBytes).to.equal(2000);
  });
});
