// Test helpers for the U-Boot simulator: console assertions in the style of U-Boot's
// ut_assert_nextline()/ut_assert_console_end(), and a served folder with real-header files.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixturePath } from '../../../helpers/paths.js';
import { createMachine, type Machine } from '../../../../src/sim/uboot/index.js';

const cursors = new WeakMap<Machine, number>();

export interface ConsoleExpectation {
  nextLine(text: string): ConsoleExpectation;
  /** Skip lines until one equals `text` (for progress/hash lines). */
  skipTo(text: string): ConsoleExpectation;
  end(): void;
}

export function expectConsole(m: Machine): ConsoleExpectation {
  const lines = m.console.transcript();
  const self: ConsoleExpectation = {
    nextLine(text) {
      const i = cursors.get(m) ?? 0;
      expect(lines[i], `console line ${i}`).to.equal(text);
      cursors.set(m, i + 1);
      return self;
    },
    skipTo(text) {
      const i = cursors.get(m) ?? 0;
      const j = lines.indexOf(text, i);
      expect(j, `"${text}" after line ${i} in:\n${lines.slice(i).join('\n')}`).to.be.greaterThanOrEqual(0);
      cursors.set(m, j + 1);
      return self;
    },
    end() {
      const i = cursors.get(m) ?? 0;
      expect(lines.slice(i), 'no further console output').to.deep.equal([]);
    },
  };
  return self;
}

/** An arm64 Image header (64 bytes) with the given fields. */
export function arm64Header(textOffset: number, imageSize: number, flags: number): Buffer {
  const h = Buffer.alloc(64);
  h.writeUInt32LE(0x14000000, 0);
  h.writeBigUInt64LE(BigInt(textOffset), 8);
  h.writeBigUInt64LE(BigInt(imageSize), 16);
  h.writeBigUInt64LE(BigInt(flags), 24);
  h.writeUInt32LE(0x644d5241, 56);
  return h;
}

/** Write a header and extend the file sparsely to `size` bytes (truncate). */
export function writeSparse(file: string, head: Uint8Array, size: number): void {
  fs.writeFileSync(file, head);
  fs.truncateSync(file, size);
}

/** The served folder of the acceptance scenario: Image (30 MiB sparse), xen, virt.dtb, initrd.cpio.gz. */
export function makeServedFolder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uboot-sim-'));
  writeSparse(path.join(dir, 'Image'), arm64Header(0, 0x2000000, 0xa), 30 * 1024 * 1024);
  writeSparse(path.join(dir, 'xen'), arm64Header(0, 0x1c0000, 0xa), 0x120000);
  fs.copyFileSync(fixturePath('scripts', 'virt.dtb'), path.join(dir, 'virt.dtb'));
  fs.copyFileSync(fixturePath('scripts', 'initrd.cpio.gz'), path.join(dir, 'initrd.cpio.gz'));
  return dir;
}

export function machineFor(root: string, env?: Record<string, string>): Machine {
  return createMachine({ root, env });
}

export const scriptFixture = (name: string): Buffer => fs.readFileSync(fixturePath('scripts', name));
