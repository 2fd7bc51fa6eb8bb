// Test helpers for the U-Boot simulator: console assertions in the style of U-Boot's
// ut_assert_nextline()/ut_assert_console_end(), and a served folder with real-header files.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { arm64Header, sparseFile, tempDir } from '../../../helpers/images.js';
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

/** The served folder of the acceptance scenario: Image (30 MiB sparse), xen, virt.dtb, initrd.cpio.gz. */
export function makeServedFolder(): string {
  const dir = tempDir('uboot-sim-');
  sparseFile(path.join(dir, 'Image'), arm64Header({ imageSize: 0x2000000 }), 30 * 1024 * 1024);
  sparseFile(path.join(dir, 'xen'), arm64Header({ imageSize: 0x1c0000 }), 0x120000);
  fs.copyFileSync(fixturePath('scripts', 'virt.dtb'), path.join(dir, 'virt.dtb'));
  fs.copyFileSync(fixturePath('scripts', 'initrd.cpio.gz'), path.join(dir, 'initrd.cpio.gz'));
  return dir;
}

export function machineFor(root: string, env?: Record<string, string>): Machine {
  return createMachine({ root, env });
}

export const scriptFixture = (name: string): Buffer => fs.readFileSync(fixturePath('scripts', name));
