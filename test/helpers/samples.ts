// Builders of the bundled sample binaries used by config.example, the tests and the benchmark:
//   samples/virt.dtb          a QEMU "virt" arm64 board (2 GiB at 0x40000000, 4 CPUs, PL011), written with our FdtWriter
//   samples/xen               an arm64 Image with Xen 4.17's header values (image_size 0x1360c8, flags 0xa)
//   samples/Image             an arm64 Linux Image header (image_size 0x2010000) on a 256 KiB file
//   samples/initrd.cpio.gz    a real newc initramfs (/init prints a marker), gzip with mtime 0
// Every byte is deterministic: scripts/dev/samples.ts writes them, test/unit/samples.spec.ts
// rebuilds them and compares with samples/.
import * as zlib from 'node:zlib';
import { FdtWriter } from '../../src/fdt/sw.js';
import { splitU64 } from '../../src/util/align.js';

export function arm64Image(opts: { fileSize: number; imageSize: number; textOffset: number; flags: number; code0: number; fill: number }): Uint8Array {
  const b = new Uint8Array(opts.fileSize);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, opts.code0, true);
  dv.setUint32(4, 0x14000000, true); // b . (code1)
  dv.setBigUint64(8, BigInt(opts.textOffset), true);
  dv.setBigUint64(16, BigInt(opts.imageSize), true);
  dv.setBigUint64(24, BigInt(opts.flags), true);
  dv.setUint32(56, 0x644d5241, true); // "ARM\x64"
  // A recognisable, non-zero body so overlapping copies are visible in RAM dumps.
  for (let i = 64; i < b.length; i += 4) dv.setUint32(i, (opts.fill + i) >>> 0, true);
  return b;
}

function cpioNewc(entries: { name: string; mode: number; data?: Uint8Array }[]): Uint8Array {
  const parts: Buffer[] = [];
  let ino = 1;
  const pad4 = (n: number) => (4 - (n % 4)) % 4;
  const add = (name: string, mode: number, data: Uint8Array) => {
    const hex = (v: number) => v.toString(16).padStart(8, '0');
    const nameBytes = Buffer.from(`${name}\0`, 'latin1');
    const header = `070701${hex(ino++)}${hex(mode)}${hex(0)}${hex(0)}${hex(1)}${hex(0)}${hex(data.length)}${hex(0)}${hex(0)}${hex(0)}${hex(0)}${hex(nameBytes.length)}${hex(0)}`;
    parts.push(Buffer.from(header, 'latin1'), nameBytes, Buffer.alloc(pad4(110 + nameBytes.length)), Buffer.from(data), Buffer.alloc(pad4(data.length)));
  };
  for (const e of entries) add(e.name, e.mode, e.data ?? new Uint8Array(0));
  ino = 0;
  add('TRAILER!!!', 0, new Uint8Array(0));
  return Buffer.concat(parts);
}

export function initramfs(): Uint8Array {
  const init = Buffer.from([
    '#!/bin/sh',
    '# uboot-gen sample initramfs: prints a marker with the token given on the kernel command line.',
    'mount -t proc proc /proc',
    'for w in $(cat /proc/cmdline); do case "$w" in marker=*) echo "UBOOTGEN-UP ${w#marker=}";; esac; done',
    'exec sh',
    '',
  ].join('\n'));
  const cpio = cpioNewc([
    { name: 'dev', mode: 0o40755 }, { name: 'proc', mode: 0o40755 }, { name: 'sys', mode: 0o40755 },
    { name: 'init', mode: 0o100755, data: init },
  ]);
  // mtime 0 and no name in the gzip header (gzip -n) keep the bytes reproducible.
  return zlib.gzipSync(cpio, { level: 9 });
}

export function virtDtb(): Uint8Array {
  const w = new FdtWriter().finishReservemap();
  const GIC = 0x8001;
  w.beginNode('')
    .propertyU32('interrupt-parent', GIC).propertyU32('#size-cells', 2).propertyU32('#address-cells', 2)
    .propertyString('compatible', 'linux,dummy-virt').propertyString('model', 'uboot-gen sample (QEMU virt, arm64)');
  w.beginNode('psci').propertyU32('migrate', 0xc4000005).propertyU32('cpu_on', 0xc4000003).propertyU32('cpu_off', 0x84000002)
    .propertyU32('cpu_suspend', 0xc4000001).propertyString('method', 'hvc').propertyStrings('compatible', ['arm,psci-1.0', 'arm,psci-0.2', 'arm,psci']).endNode();
  w.beginNode('memory@40000000').propertyCells('reg', [0, 0x40000000, 0, 0x80000000]).propertyString('device_type', 'memory').endNode();
  w.beginNode('pl011@9000000').propertyStrings('clock-names', ['uartclk', 'apb_pclk']).propertyCells('clocks', [0x8000, 0x8000])
    .propertyCells('interrupts', [0, 1, 4]).propertyCells('reg', [0, 0x09000000, 0, 0x1000]).propertyStrings('compatible', ['arm,pl011', 'arm,primecell']).endNode();
  w.beginNode('pl061@9030000').propertyU32('phandle', 0x8003).propertyCells('clocks', [0x8000]).propertyString('clock-names', 'apb_pclk')
    .propertyCells('interrupts', [0, 7, 4]).property('gpio-controller', new Uint8Array(0))
    .propertyU32('#gpio-cells', 2).propertyStrings('compatible', ['arm,pl061', 'arm,primecell']).propertyCells('reg', [0, 0x09030000, 0, 0x1000]).endNode();
  w.beginNode('intc@8000000').propertyU32('phandle', GIC).propertyCells('reg', [0, 0x08000000, 0, 0x10000, 0, 0x080a0000, 0, 0xf60000])
    .propertyU32('#redistributor-regions', 1).propertyString('compatible', 'arm,gic-v3').property('ranges', new Uint8Array(0))
    .propertyU32('#size-cells', 2).propertyU32('#address-cells', 2).property('interrupt-controller', new Uint8Array(0))
    .propertyU32('#interrupt-cells', 3).endNode();
  w.beginNode('cpus').propertyU32('#size-cells', 0).propertyU32('#address-cells', 1);
  for (let i = 0; i < 4; i++) {
    w.beginNode(`cpu@${i}`).propertyU32('phandle', 0x8010 + i).propertyU32('reg', i).propertyString('enable-method', 'psci')
      .propertyString('compatible', 'arm,cortex-a57').propertyString('device_type', 'cpu').endNode();
  }
  w.endNode();
  w.beginNode('timer').propertyCells('interrupts', [1, 13, 0xf04, 1, 14, 0xf04, 1, 11, 0xf04, 1, 10, 0xf04])
    .property('always-on', new Uint8Array(0)).propertyString('compatible', 'arm,armv8-timer').endNode();
  w.beginNode('apb-pclk').propertyU32('phandle', 0x8000).propertyString('clock-output-names', 'clk24mhz')
    .propertyU32('clock-frequency', 24000000).propertyU32('#clock-cells', 0).propertyString('compatible', 'fixed-clock').endNode();
  w.beginNode('chosen').propertyString('stdout-path', '/pl011@9000000').endNode();
  w.endNode();
  return w.finish();
}

/**
 * A small virt-like board DTB for tests and benchmarks: /memory (64-bit size), optional
 * /reserved-memory regions, a PL011, optional /cpus, and /chosen. `totalsize` pads it as dtc -S does.
 */
export function boardDtb(opts: { totalsize?: number; memStart?: number; memSize?: number; cpus?: number;
  reserved?: { start: number; size: number }[]; chosen?: boolean } = {}): Uint8Array {
  const memStart = opts.memStart ?? 0x40000000;
  const w = new FdtWriter().finishReservemap();
  w.beginNode('').propertyU32('#size-cells', 2).propertyU32('#address-cells', 2).propertyString('compatible', 'linux,dummy-virt');
  w.beginNode(`memory@${memStart.toString(16)}`).propertyCells('reg', [...splitU64(memStart), ...splitU64(opts.memSize ?? 0x80000000)])
    .propertyString('device_type', 'memory').endNode();
  if (opts.reserved?.length) {
    w.beginNode('reserved-memory').propertyU32('#address-cells', 2).propertyU32('#size-cells', 2).property('ranges', new Uint8Array(0));
    for (const r of opts.reserved) w.beginNode(`region@${r.start.toString(16)}`).propertyCells('reg', [0, r.start, 0, r.size]).property('no-map', new Uint8Array(0)).endNode();
    w.endNode();
  }
  w.beginNode('pl011@9000000').propertyCells('reg', [0, 0x09000000, 0, 0x1000]).propertyStrings('compatible', ['arm,pl011', 'arm,primecell']).endNode();
  if (opts.cpus) {
    w.beginNode('cpus').propertyU32('#size-cells', 0).propertyU32('#address-cells', 1);
    for (let i = 0; i < opts.cpus; i++) w.beginNode(`cpu@${i}`).propertyU32('reg', i).propertyString('device_type', 'cpu').endNode();
    w.endNode();
  }
  if (opts.chosen !== false) w.beginNode('chosen').propertyString('stdout-path', '/pl011@9000000').endNode();
  w.endNode();
  return w.finish(opts.totalsize !== undefined ? { totalsize: opts.totalsize } : {});
}

export function buildSamples(): Record<string, Uint8Array> {
  return {
    'virt.dtb': virtDtb(),
    // Xen 4.17's arm64 header: PE "MZ" code0, text_offset 0, image_size 0x1360c8, flags 0xa (4K pages, place anywhere).
    xen: arm64Image({ fileSize: 0x20000, imageSize: 0x1360c8, textOffset: 0, flags: 0xa, code0: 0x91005a4d, fill: 0x58454e00 }),
    // A Linux 6.1-like header: image_size covers BSS beyond the file.
    Image: arm64Image({ fileSize: 0x40000, imageSize: 0x2010000, textOffset: 0, flags: 0xa, code0: 0xfa405a4d, fill: 0x4c4e5800 }),
    'initrd.cpio.gz': initramfs(),
  };
}
