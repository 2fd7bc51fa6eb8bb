// Builders for Xen-model tests: DTBs compiled by the real dtc, sparse files with real-looking
// headers, and a BootHandoff assembled the way U-Boot's booti leaves memory.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { BootHandoff } from '../../../../src/sim/handoff.js';
import { SparseRam } from '../../../../src/sim/ram.js';
import { arm64Header, tempDir } from '../../../helpers/images.js';
import { hasTool } from '../../../helpers/tools.js';

export { hasTool };

export const RAM_START = 0x40000000;
export const RAM_SIZE = 0x80000000;

export function dtc(dts: string, extraArgs: string[] = []): Uint8Array {
  return new Uint8Array(execFileSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', ...extraArgs, '-o', '-'], { input: dts, maxBuffer: 16 * 1024 * 1024 }));
}

let tmp: string | undefined;
export function tmpDir(): string {
  tmp ??= tempDir('xen-model-');
  return tmp;
}

export interface TestFile { path: string; name: string; size: number }

/** A sparse file of `size` bytes with `head` at offset 0 (and `tail` at the end). */
export function sparseFile(name: string, size: number, head: Uint8Array, tail?: Uint8Array): TestFile {
  const p = path.join(tmpDir(), name);
  const fd = fs.openSync(p, 'w');
  fs.writeSync(fd, head, 0, head.length, 0);
  fs.ftruncateSync(fd, size);
  if (tail) fs.writeSync(fd, tail, 0, tail.length, size - tail.length);
  fs.closeSync(fd);
  return { path: p, name, size };
}

export function plainFile(name: string, data: Uint8Array): TestFile {
  const p = path.join(tmpDir(), name);
  fs.writeFileSync(p, data);
  return { path: p, name, size: data.length };
}

export function arm64Image(name: string, fileSize: number, imageSize = fileSize): TestFile {
  return sparseFile(name, fileSize, arm64Header({ imageSize }));
}

/** A real gzip of an arm64 Image of `rawSize` bytes (header + zeros): correct ISIZE. */
export function gzipImage(name: string, rawSize: number): TestFile {
  const raw = new Uint8Array(rawSize);
  raw.set(arm64Header({ imageSize: rawSize }));
  for (let i = 64; i < rawSize; i += 4096) raw[i] = i % 251; // not all zeros
  return plainFile(name, zlib.gzipSync(raw, { level: 9 }));
}

/** A gzip-compressed newc cpio made by the real cpio tool. */
export function cpioGz(name: string): TestFile {
  const dir = fs.mkdtempSync(path.join(tmpDir(), 'root-'));
  fs.writeFileSync(path.join(dir, 'init'), '#!/bin/sh\necho hello\n', { mode: 0o755 });
  const cpio = execFileSync('sh', ['-c', 'find . | cpio -o -H newc --quiet'], { cwd: dir });
  return plainFile(name, zlib.gzipSync(cpio));
}

export const XEN_IMAGE_SIZE = 0x130000;

export interface Load { addr: number; file: TestFile }

/** QEMU virt-like host DTB text (gic-version=3, cortex-a57 x4, no /aliases), plus `chosen` contents. */
export function virtDts(chosen: string, opts: { memory?: string; extraRoot?: string; memreserve?: string; cpus?: string } = {}): string {
  const cpus = opts.cpus ?? [0, 1, 2, 3].map((i) => `cpu@${i} { device_type = "cpu"; compatible = "arm,cortex-a57"; reg = <${i}>; enable-method = "psci"; };`).join('\n    ');
  return `/dts-v1/;
${opts.memreserve ?? ''}
/ {
  interrupt-parent = <0x8002>;
  #size-cells = <0x02>;
  #address-cells = <0x02>;
  compatible = "linux,dummy-virt";
  memory@40000000 { reg = ${opts.memory ?? '<0x00 0x40000000 0x00 0x80000000>'}; device_type = "memory"; };
  cpus { #size-cells = <0x00>; #address-cells = <0x01>;
    ${cpus}
  };
  timer { interrupts = <1 13 4>, <1 14 4>, <1 11 4>, <1 10 4>; always-on; compatible = "arm,armv8-timer", "arm,armv7-timer"; };
  intc@8000000 { phandle = <0x8002>; reg = <0x00 0x8000000 0x00 0x10000>, <0x00 0x80a0000 0x00 0xf60000>;
    #redistributor-regions = <0x01>; compatible = "arm,gic-v3"; ranges; #size-cells = <0x02>; #address-cells = <0x02>;
    interrupt-controller; #interrupt-cells = <0x03>; };
  pl011@9000000 { clock-names = "uartclk", "apb_pclk"; interrupts = <0 1 4>; reg = <0x00 0x9000000 0x00 0x1000>; compatible = "arm,pl011", "arm,primecell"; };
  ${opts.extraRoot ?? ''}
  chosen {
    stdout-path = "/pl011@9000000";
    ${chosen}
  };
};
`;
}

/** One dom0less domU node as ImageBuilder writes it. */
export function domUNode(name: string, o: { memKiB: number | string; cpus?: number; kernel?: [number, number]; ramdisk?: [number, number]; bootargs?: string; extra?: string; kernelCompat?: string; cells?: boolean }): string {
  const mem = typeof o.memKiB === 'number' ? `<0x0 ${o.memKiB}>` : o.memKiB;
  const cells = o.cells === false ? '' : '#address-cells = <0x2>; #size-cells = <0x2>;';
  const k = o.kernel ? `module@${o.kernel[0].toString(16).toUpperCase()} { compatible = ${o.kernelCompat ?? '"multiboot,kernel", "multiboot,module"'}; reg = <0x0 ${o.kernel[0]} 0x0 ${o.kernel[1]}>; ${o.bootargs !== undefined ? `bootargs = "${o.bootargs}";` : ''} };` : '';
  const r = o.ramdisk ? `module@${o.ramdisk[0].toString(16).toUpperCase()} { compatible = "multiboot,ramdisk", "multiboot,module"; reg = <0x0 ${o.ramdisk[0]} 0x0 ${o.ramdisk[1]}>; };` : '';
  return `${name} { compatible = "xen,domain"; ${cells} memory = ${mem}; ${o.cpus !== undefined ? `cpus = <${o.cpus}>;` : ''} vpl011; ${o.extra ?? ''} ${k} ${r} };`;
}

/** Load files, place the DTB, move Xen as booti does (it is loaded 2 MiB aligned here). */
export function handoff(loads: Load[], dtb: Uint8Array, fdtAddr: number, xenAddr: number, opts: { xenImageSize?: number } = {}): BootHandoff {
  const ram = new SparseRam([{ start: RAM_START, size: RAM_SIZE }]);
  for (const l of loads) ram.writeFile(l.addr, l.file);
  ram.write(fdtAddr, dtb, 'virt.dtb');
  return {
    command: 'booti', loadAddr: xenAddr, entry: xenAddr,
    kernel: { format: 'arm64-image', imageSize: opts.xenImageSize ?? XEN_IMAGE_SIZE, textOffset: 0, flags: 0xa },
    fdtAddr, fdt: dtb, ram,
    board: { dram: [{ start: RAM_START, size: RAM_SIZE }], ubootReserved: { start: 0xbe000000, size: 0x2000000 }, pcpus: 4, fdtPad: 0x3000, name: 'qemu-virt' },
  };
}

/** Where the specs' hand-offs load things: ImageBuilder's layout of the samples from MEMORY_START 0x40000000. */
export const KADDR = 0x40400000;
export const KREG = 0x2010000;
export const RADDR = 0x42600000;
export const XEN_ADDR = 0x42800000;
export const FDT_ADDR = 0x42a00000;

export interface SuiteBinaries { image: TestFile; ramdisk: TestFile; xen: TestFile }

/**
 * The binaries most specs boot (a Linux Image with a 32 MiB footprint, a gzip'd initramfs, Xen),
 * for a suite's `before` hook: skips the suite where dtc or cpio is missing.
 */
export function suiteBinaries(ctx: Mocha.Context): SuiteBinaries {
  if (!hasTool('dtc') || !hasTool('cpio')) ctx.skip();
  return { image: arm64Image('Image', 32956352, KREG), ramdisk: cpioGz('initrd.cpio.gz'), xen: arm64Image('xen', 983048, XEN_IMAGE_SIZE) };
}
