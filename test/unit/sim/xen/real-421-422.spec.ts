// The model against real boots of upstream Xen 4.21.2 and 4.22.0 (built from RELEASE-4.21.2 and
// RELEASE-4.22.0 with `make defconfig`, booted by Debian trixie's U-Boot 2025.01 on QEMU virt,
// gic-version=3, 4 x cortex-a57, 2 GiB): test/fixtures/transcripts/xen-4.2{1,2}/<case>.{config,source,log},
// recorded by the lab differential (stacks xen-4.21, xen-4.22). The hand-offs here are what those
// scripts give Xen: the generated layout (kernel 0x40400000, initramfs 0x42600000, Xen 0x42800000,
// DTB 0x42a00000) and each script's /chosen, written as device-tree source.
import { expect } from 'chai';
import * as fs from 'node:fs';
import { bootXen, type XenResult } from '../../../../src/sim/xen/index.js';
import { parseXenKconfig, resolveXenBuild, type XenBuild } from '../../../../src/xen-build/index.js';
import { fixturePath } from '../../../helpers/paths.js';
import { arm64Image, dtc, handoff, hasTool, sparseFile, virtDts } from './helpers.js';

/** The real builds' .config files (xen/.config after `make defconfig`). */
const buildOf = (release: '4.21.2' | '4.22.0'): XenBuild => {
  const name = `xen-${release}-defconfig.config`;
  return resolveXenBuild({ configFile: { kconfig: parseXenKconfig(fs.readFileSync(fixturePath('xen-build', name), 'latin1'), name), name } });
};
/** "Freed NkB init memory." of these builds (the figure is the build's own). */
const INIT_KIB = { '4.21.2': 384, '4.22.0': 388 } as const;
/** Xen's image_size in its arm64 header (MODULE[0] in the real logs: 0x42800000 - 0x4294bfff). */
const XEN_IMAGE = { '4.21.2': 0x14c000, '4.22.0': 0x14c000 } as const;

const KADDR = 0x40400000;
const KREG = 0x2010000;
const RADDR = 0x42600000;
const RSIZE = 0xf791d;
const XEN_ADDR = 0x42800000;
const FDT_ADDR = 0x42a00000;
const CONSOLE = 'xen,xen-bootargs = "console=dtuart dtuart=/pl011@9000000";';

const XS = 'xenstore requested, but xenstore domain not present';
const MEM = 'Failed to allocate requested domain memory. 2097152KB unallocated. Fix the VMs configurations.';

interface RealCase {
  release: '4.21.2' | '4.22.0';
  name: string;
  /** Where the script loads things, when not the dom0less layout above. */
  layout?: { kernels: number[]; ramdisks: number[]; xen: number; fdt: number };
  /** The exact comparison starts here (dom0's block has lines the model only estimates: its 1:1 banks, its DTB). */
  exactFrom?: string;
  /** /chosen as the script leaves it (fdt mknod puts the later node first). */
  chosen: string;
  verdicts: [string, number | undefined, string, string][];
}

/** A domU as uboot-gen's script makes it: `fdt mknod` of the kernel module, then the ramdisk's, which lands first. */
const labDomU = (name: string, cpus: number, extra = '', memKiB = 0x40000): string => `${name} { compatible = "xen,domain"; #address-cells = <0x2>; #size-cells = <0x2>;
  memory = <0x0 ${memKiB}>; cpus = <${cpus}>; vpl011; ${extra}
  module@42600000 { compatible = "multiboot,ramdisk", "multiboot,module"; reg = <0x0 ${RADDR} 0x0 ${RSIZE}>; };
  module@40400000 { compatible = "multiboot,kernel", "multiboot,module"; reg = <0x0 ${KADDR} 0x0 ${KREG}>; bootargs = "console=ttyAMA0 labtoken=${name === 'domU0' ? 'u0' : 'u1'}"; }; };`;

const CASES: RealCase[] = [
  {
    release: '4.21.2', name: 'gen-dom0less-2domus', chosen: `${CONSOLE} ${labDomU('domU1', 2)} ${labDomU('domU0', 1)}`,
    verdicts: [['domU1', 1, 'up', ''], ['domU0', 2, 'up', '']],
  },
  {
    release: '4.22.0', name: 'gen-dom0less-2domus', chosen: `${CONSOLE} ${labDomU('domU1', 2)} ${labDomU('domU0', 1)}`,
    verdicts: [['domU1', 1, 'up', ''], ['domU0', 2, 'up', '']],
  },
  {
    // Both domUs are built (domU0 with its hypervisor node and extended regions), then create_domUs() panics.
    release: '4.21.2', name: 'gen-broken-enhanced-no-dom0', chosen: `${CONSOLE} ${labDomU('domU1', 1)} ${labDomU('domU0', 1, 'xen,enhanced = "enabled";')}`,
    verdicts: [['domU1', 1, 'xen panic', XS], ['domU0', 2, 'xen panic', XS]],
  },
  {
    release: '4.22.0', name: 'gen-broken-enhanced-no-dom0', chosen: `${CONSOLE} ${labDomU('domU1', 1)} ${labDomU('domU0', 1, 'xen,enhanced = "enabled";')}`,
    verdicts: [['domU1', 1, 'xen panic', XS], ['domU0', 2, 'xen panic', XS]],
  },
  {
    // parse_dom0less_node() refuses it before the domain exists (QEMU virt has no IOMMU).
    release: '4.22.0', name: 'gen-caps-hardware-no-iommu', chosen: `${CONSOLE} ${labDomU('domU0', 1, 'capabilities = <2>;')}`,
    verdicts: [['domU0', undefined, 'xen panic', 'non-direct mapped hardware domain requires iommu']],
  },
  {
    // "legacy" (4.21+) wants xenstore too: both domUs built, domU0 with its hypervisor node, then the panic.
    release: '4.22.0', name: 'gen-enhanced-legacy-no-xenstore', chosen: `${CONSOLE} ${labDomU('domU1', 1)} ${labDomU('domU0', 1, 'xen,enhanced = "legacy";')}`,
    verdicts: [['domU1', 1, 'xen panic', XS], ['domU0', 2, 'xen panic', XS]],
  },
  {
    // The panic text has no newline: it runs into the closing rule of the box.
    release: '4.22.0', name: 'gen-broken-trap-unmapped-2', chosen: `${CONSOLE} ${labDomU('domU0', 1, 'trap-unmapped-accesses = <2>;')}`,
    verdicts: [['domU0', undefined, 'xen panic', 'trap-unmapped-accesses: supported values are 0 or 1']],
  },
  {
    release: '4.21.2', name: 'gen-broken-domu-2g', chosen: `${CONSOLE} ${labDomU('domU1', 1, '', 0x200000)} ${labDomU('domU0', 1)}`,
    // (domU0 is never started: the lab's reading of the real log calls every domain not up "xen panic".)
    verdicts: [['domU1', 1, 'xen panic', MEM], ['domU0', undefined, 'not started', '']],
  },
  {
    // domU0 (d2) has the xenstore capability, so domU1's xen,enhanced "enabled" is served: no panic, both up.
    release: '4.21.2', name: 'gen-caps-xenstore-enhanced',
    chosen: `${CONSOLE} ${labDomU('domU1', 1, 'xen,enhanced = "enabled";')} ${labDomU('domU0', 1, 'capabilities = <4>;')}`,
    verdicts: [['domU1', 1, 'up', ''], ['domU0', 2, 'up', '']],
  },
  {
    release: '4.21.2', name: 'gen-enhanced-legacy-no-xenstore', chosen: `${CONSOLE} ${labDomU('domU1', 1)} ${labDomU('domU0', 1, 'xen,enhanced = "legacy";')}`,
    verdicts: [['domU1', 1, 'xen panic', XS], ['domU0', 2, 'xen panic', XS]],
  },
  {
    release: '4.21.2', name: 'gen-broken-trap-unmapped-2', chosen: `${CONSOLE} ${labDomU('domU0', 1, 'trap-unmapped-accesses = <2>;')}`,
    verdicts: [['domU0', undefined, 'xen panic', 'trap-unmapped-accesses: supported values are 0 or 1']],
  },
  {
    // 33 vCPUs (a hand edit of the generated cpus <2>): the 4 KiB buffer overflows in the psci node, which 4.21
    // writes last, in make_arch_nodes(), which returns -EINVAL for any error.
    release: '4.21.2', name: 'edit-domu-33-vcpus', chosen: `${CONSOLE} ${labDomU('domU0', 33)}`,
    verdicts: [['domU0', 1, 'xen panic', 'Could not set up domain domU0 (rc = -22)']],
  },
  {
    release: '4.21.2', name: 'gen-caps-hardware-no-iommu', chosen: `${CONSOLE} ${labDomU('domU0', 1, 'capabilities = <2>;')}`,
    verdicts: [['domU0', undefined, 'xen panic', 'non-direct mapped hardware domain requires iommu']],
  },
  {
    // dom0 and domU0 get their own copies (Xen 4.18+ drops a module overlapping one already registered).
    release: '4.21.2', name: 'gen-dom0-domu', exactFrom: '(XEN) *** LOADING DOMU',
    layout: { kernels: [0x40400000, 0x42800000], ramdisks: [0x42600000, 0x44a00000], xen: 0x44c00000, fdt: 0x44e00000 },
    chosen: `xen,xen-bootargs = "console=dtuart dtuart=/pl011@9000000 dom0_mem=512M"; xen,dom0-bootargs = "console=hvc0 labtoken=d0 root=/dev/ram0";
      domU0 { compatible = "xen,domain"; #address-cells = <0x2>; #size-cells = <0x2>; memory = <0x0 0x40000>; cpus = <1>; vpl011; xen,enhanced = "enabled";
        module@44A00000 { compatible = "multiboot,ramdisk", "multiboot,module"; reg = <0x0 0x44a00000 0x0 ${RSIZE}>; };
        module@42800000 { compatible = "multiboot,kernel", "multiboot,module"; reg = <0x0 0x42800000 0x0 ${KREG}>; bootargs = "console=ttyAMA0 labtoken=u0"; }; };
      dom0-ramdisk@42600000 { compatible = "xen,linux-initrd", "xen,multiboot-module", "multiboot,module"; reg = <0x0 ${RADDR} 0x0 ${RSIZE}>; };
      dom0@40400000 { compatible = "xen,linux-zimage", "xen,multiboot-module", "multiboot,module"; reg = <0x0 ${KADDR} 0x0 ${KREG}>; };`,
    verdicts: [['dom0', 0, 'up', ''], ['domU0', 1, 'up', '']],
  },
];

/** Xen's own lines of a real log after "Starting kernel ...": no guest output, no vGIC chatter of the guests. */
function realXenLines(log: string): string[] {
  const after = log.slice(log.indexOf('Starting kernel ...'));
  return after.split('\n').filter((l) => l.startsWith('(XEN) ') && !/^\(XEN\) (DOM\d|d\dv\d|\[ )/.test(l));
}

describe('sim → xen → real Xen 4.21.2 and 4.22.0 boots (upstream defconfig builds)', function () {
  before(function () { if (!hasTool('dtc')) this.skip(); });

  const bootCase = (c: RealCase): XenResult => {
    const image = arm64Image('Image', 32956352, KREG);
    const initrd = sparseFile('initramfs.cpio.gz', RSIZE, new Uint8Array([0x1f, 0x8b, 0x08, 0x00]));
    const xen = arm64Image('xen', 1048592, XEN_IMAGE[c.release]);
    const dtb = dtc(virtDts(`#address-cells = <0x2>; #size-cells = <0x2>; ${c.chosen}`));
    const l = c.layout ?? { kernels: [KADDR], ramdisks: [RADDR], xen: XEN_ADDR, fdt: FDT_ADDR };
    const loads = [...l.kernels.map((addr) => ({ addr, file: image })), ...l.ramdisks.map((addr) => ({ addr, file: initrd })), { addr: l.xen, file: xen }];
    return bootXen(handoff(loads, dtb, l.fdt, l.xen, { xenImageSize: XEN_IMAGE[c.release] }), { build: buildOf(c.release), initMemKiB: INIT_KIB[c.release] });
  };

  for (const c of CASES) {
    describe(`${c.release} ${c.name}`, () => {
      const logPath = fixturePath('transcripts', `xen-${c.release.slice(0, 4)}`, `${c.name}.log`);

      it(`prints exactly the real lines from "${c.exactFrom?.slice(6) ?? 'Xen dom0less mode detected'}" to the end`, () => {
        const r = bootCase(c);
        const real = realXenLines(fs.readFileSync(logPath, 'utf8'));
        const start = (lines: string[]): number => lines.findIndex((l) => (c.exactFrom ? l.startsWith(c.exactFrom) : l === '(XEN) Xen dom0less mode detected'));
        const endOf = (lines: string[]): number => {
          const freed = lines.findIndex((l) => l.startsWith('(XEN) Freed '));
          const reboot = lines.findIndex((l) => l === '(XEN) Reboot in five seconds...');
          return (freed >= 0 ? freed : reboot) + 1;
        };
        expect(r.console.slice(start(r.console), endOf(r.console))).to.deep.equal(real.slice(start(real), endOf(real)));
      });

      it('prints only lines the real log has, in the same order (the pre-console lines included)', () => {
        const r = bootCase(c);
        const real = realXenLines(fs.readFileSync(logPath, 'utf8'));
        let at = 0;
        for (const line of r.console) {
          // The DTB's own size (MODULE[1]) is the script's packed DTB in the real boot, dtc's here; dom0's
          // DTB end and 1:1 banks are estimates (XenResult.estimates says so).
          if (/^\(XEN\) (MODULE\[1\]:|BANK\[|Loading d0 (DTB|initrd)|Loading zImage from 0000000040400000 to 00000000[^4])/.test(line)) continue;
          const i = real.indexOf(line, at);
          expect(i, `"${line}" missing from the real log after line ${at}`).to.be.greaterThan(-1);
          at = i + 1;
        }
      });

      it('gives each domain the real verdict', () => {
        const r = bootCase(c);
        expect(r.domains.map((d) => [d.name, d.domid, d.verdict, d.message ?? ''])).to.deep.equal(c.verdicts);
      });
    });
  }
});
