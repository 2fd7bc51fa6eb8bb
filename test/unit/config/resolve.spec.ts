import { expect } from 'chai';
import { parseConfigText } from '../../../src/config/index.js';
import { BASE, expectConfigError } from './helpers.js';

const load = (text: string, opts: Parameters<typeof parseConfigText>[2] = {}) => parseConfigText(text, 'c.cfg', opts);

describe('config/resolve', () => {
  describe('defaults', () => {
    it('builds ImageBuilder\'s default XEN_CMD with DOM0_MEM/DOM0_VCPUS and its two trailing spaces', () => {
      const { config } = load(`${BASE}DOM0_KERNEL=Image\n`);
      expect(config.xenCmd).to.equal('console=dtuart dtuart=serial0 dom0_mem=1024M dom0_max_vcpus=1 bootscrub=0 vwfi=native sched=null  ');
      expect(config.xenCmdDefaulted).to.equal(true);
      const custom = load(`${BASE}DOM0_KERNEL=Image\nDOM0_MEM=2048\nDOM0_VCPUS=4\n`).config;
      expect(custom.xenCmd).to.equal('console=dtuart dtuart=serial0 dom0_mem=2048M dom0_max_vcpus=4 bootscrub=0 vwfi=native sched=null  ');
    });

    it('removes dom0* words from XEN_CMD without a dom0, leaving the spaces (${params[@]/dom0*/})', () => {
      const { config, diagnostics } = load(BASE);
      expect(config.xenCmd).to.equal('console=dtuart dtuart=serial0   bootscrub=0 vwfi=native sched=null');
      expect(config.dom0).to.equal(undefined);
      expect(diagnostics).to.deep.equal([{ level: 'info', code: 'CONFIG_TRUE_DOM0LESS', message: 'Dom0 kernel is not specified, continue with true dom0less setup.' }]);
      const given = load(`${BASE}XEN_CMD="console=dtuart  dom0_mem=512M loglvl=all xdom0x=1"\n`).config;
      expect(given.xenCmd).to.equal('console=dtuart  loglvl=all x');
      expect(given.xenCmdDefaulted).to.equal(false);
    });

    it('defaults DOM0_CMD and appends root=/dev/ram0 unless root= is present', () => {
      expect(load(`${BASE}DOM0_KERNEL=Image\n`).config.dom0?.cmd).to.equal('console=hvc0 earlycon=xenboot earlyprintk clk_ignore_unused root=/dev/ram0');
      expect(load(`${BASE}DOM0_KERNEL=Image\nDOM0_CMD="console=hvc0"\n`).config.dom0?.cmd).to.equal('console=hvc0 root=/dev/ram0');
      expect(load(`${BASE}DOM0_KERNEL=Image\nDOM0_CMD="console=hvc0 nfsroot=1.2.3.4:/x"\n`).config.dom0?.cmd).to.equal('console=hvc0 nfsroot=1.2.3.4:/x');
    });

    it('derives root= from the dom0 load command when DOM0_ROOTFS is set (find_root_dev)', () => {
      const mmc = load(`${BASE}DOM0_KERNEL=Image\nDOM0_ROOTFS=rootfs.ext4\nDOM0_LOAD="load mmc 1:2"\n`).config.dom0;
      expect(mmc?.cmd).to.equal('console=hvc0 earlycon=xenboot earlyprintk clk_ignore_unused root=/dev/mmcblk1p3');
      expect(mmc?.rootfs?.value).to.equal('rootfs.ext4');
      const scsi = load(`${BASE}DOM0_KERNEL=Image\nDOM0_ROOTFS=rootfs.ext4\n`, { loadCmdOverride: 'scsi' }).config.dom0;
      expect(scsi?.cmd).to.equal('console=hvc0 earlycon=xenboot earlyprintk clk_ignore_unused root=/dev/sda2');
      expectConfigError(() => load(`${BASE}DOM0_KERNEL=Image\nDOM0_ROOTFS=rootfs.ext4\n`), {
        code: 'CONFIG_BAD_VALUE', line: 9, col: 1,
        message: 'Could not parse device and partition. (DOM0_ROOTFS is set, so root= is derived from the dom0 load command "tftpb", which must look like "load mmc 0:1")',
      });
      expectConfigError(() => load(`${BASE}DOM0_KERNEL=Image\nDOM0_ROOTFS=rootfs.ext4\n`, { loadCmdOverride: 'usb' }), {
        code: 'CONFIG_BAD_VALUE', line: 9, col: 1,
        message: 'Only mmc and scsi are supported for guessing the root device from the load command; "fatload usb 0:1" is neither',
      });
    });

    it('fills domU defaults: 512 MiB (also for 0), 1 vCPU, vpl011 on, console=ttyAMA0, enhanced with dom0', () => {
      const { config } = load(`${BASE}DOM0_KERNEL=Image\nDOMU_MEM[0]=0\n`);
      const d = config.domUs[0];
      expect(d).to.deep.include({ index: 0, memMB: 512, vcpus: 1, vpl011: true, cmd: 'console=ttyAMA0', cmdDefaulted: true, enhanced: 'enabled', noboot: false, boot: true, load: 'tftpb', passthroughPaths: [] });
      const off = load(`${BASE}DOMU_VPL011[0]=0\n`).config.domUs[0];
      expect(off?.cmd).to.equal('');
      expect(off?.vpl011).to.equal(false);
      expect(off?.enhanced).to.equal(undefined);
    });

    it('derives UBOOT_SCRIPT from UBOOT_SOURCE and honours -o', () => {
      expect(load(BASE).config.ubootScript).to.deep.equal({ value: 'boot.scr', key: 'UBOOT_SCRIPT', where: { file: 'c.cfg', line: 7, col: 14 } });
      expect(load(BASE.replace('boot.source', 'out/boot.txt')).config.ubootScript.value).to.equal('out/boot.txt.scr');
      const o = load(BASE, { outputNameOverride: 'xen_boot' }).config;
      expect([o.ubootSource.value, o.ubootScript.value, o.ubootSource.where.file]).to.deep.equal(['xen_boot.source', 'xen_boot.scr', '<command line>']);
    });

    it('applies the -t aliases and keeps other -t values verbatim; env LOAD_CMD is a fallback', () => {
      const t = (o: string): string | undefined => load(BASE, { loadCmdOverride: o }).config.loadCmd;
      expect(['tftp', 'sd', 'scsi', 'usb', 'virtio', 'ext4load mmc 0:2'].map(t))
        .to.deep.equal(['tftpb', 'load mmc 0:1', 'load scsi 0:1', 'fatload usb 0:1', 'load virtio 0:1', 'ext4load mmc 0:2']);
      const noLoad = BASE.replace('LOAD_CMD=tftpb\n', '');
      const r = load(noLoad, { env: { LOAD_CMD: 'load virtio 0:1' } });
      expect(r.config.xenLoad).to.equal('load virtio 0:1');
      expect(r.diagnostics.map((d) => d.code)).to.include('CONFIG_LOAD_CMD_FROM_ENV');
    });

    it('uses XEN_LOAD / DOM0_LOAD / DOMU_LOAD[n] before LOAD_CMD', () => {
      const { config } = load(`${BASE}DOM0_KERNEL=Image\nXEN_LOAD="load mmc 0:1"\nDOM0_LOAD="load usb 0:1"\nDOMU_LOAD[0]="tftpb 0x0"\n`);
      expect([config.xenLoad, config.dom0?.load, config.domUs[0]?.load, config.loadCmd]).to.deep.equal(['load mmc 0:1', 'load usb 0:1', 'tftpb 0x0', 'tftpb']);
      const noLoadCmd = BASE.replace('LOAD_CMD=tftpb\n', '') + 'XEN_LOAD=tftpb\nDOMU_LOAD[0]=tftpb\n';
      expect(load(noLoadCmd).config.loadCmd).to.equal(undefined);
    });

    it('reads MEMORY_START/END with bash arithmetic: hex, decimal, expressions; unset start is 0', () => {
      const c = load(BASE.replace('MEMORY_START=0x40000000\n', '').replace('MEMORY_END=0x80000000', 'MEMORY_END="$((0x40000000 + 1024 * 1024 * 1024))"')).config;
      expect([c.memoryStart, c.memoryEnd]).to.deep.equal([0, 0x80000000]);
      const big = load(BASE.replace('MEMORY_END=0x80000000', 'MEMORY_END=0x880000000')).config;
      expect(big.memoryEnd).to.equal(0x880000000);
      const dec = load(BASE.replace('MEMORY_START=0x40000000', 'MEMORY_START=1073741824')).config;
      expect(dec.memoryStart).to.equal(0x40000000);
      const oct = load(BASE.replace('MEMORY_START=0x40000000', 'MEMORY_START=0100'));
      expect(oct.config.memoryStart).to.equal(64);
      expect(oct.diagnostics.find((d) => d.code === 'CONFIG_OCTAL')?.message).to.equal('MEMORY_START="0100" has a leading 0, so bash reads it as octal (= 64); write 0x… for hex');
    });

    it('accepts BOOT_CMD values exactly', () => {
      for (const b of ['booti', 'bootm', 'bootz', 'bootefi', 'none']) expect(load(`${BASE}BOOT_CMD=${b}\n`).config.bootCmd).to.equal(b);
      expect(load(BASE).config.bootCmd).to.equal('booti');
    });

    it('DOMU_ENHANCED: 1/0/2 and the "2 with dom0 gives enabled" quirk (with a warning)', () => {
      expect(load(`${BASE}DOMU_ENHANCED[0]=2\n`).config.domUs[0]?.enhanced).to.equal('no-xenstore');
      expect(load(`${BASE}DOMU_ENHANCED[0]=1\n`).config.domUs[0]?.enhanced).to.equal('enabled');
      expect(load(`${BASE}DOM0_KERNEL=Image\nDOMU_ENHANCED[0]=0\n`).config.domUs[0]?.enhanced).to.equal(undefined);
      const q = load(`${BASE}DOM0_KERNEL=Image\nDOMU_ENHANCED[0]=2\n`);
      expect(q.config.domUs[0]?.enhanced).to.equal('enabled');
      expect(q.diagnostics).to.deep.include({
        level: 'warning', code: 'CONFIG_DOMU_ENHANCED_QUIRK', where: { file: 'c.cfg', line: 9, col: 1 },
        message: 'DOMU_ENHANCED[0]=2 asks for xen,enhanced "no-xenstore", but with a dom0 present ImageBuilder writes "enabled" (its first test matches any non-zero value); uboot-gen does the same',
      });
    });

    it('skips DOMU_ROOTFS domUs with ImageBuilder\'s warning, and NOBOOT ones silently (info)', () => {
      const r = load(`${BASE.replace('NUM_DOMUS=1', 'NUM_DOMUS=3')}DOMU_KERNEL[1]=k1\nDOMU_ROOTFS[1]=rootfs1.ext4\nDOMU_KERNEL[2]=k2\nDOMU_NOBOOT[2]=0\nDOMU_PASSTHROUGH_PATHS[2]="/a /b"\nDOMU_DRIVER_DOMAIN[2]=1\n`);
      expect(r.config.domUs.map((d) => [d.index, d.boot, d.noboot, d.rootfs?.value, d.passthroughPaths])).to.deep.equal([
        [0, true, false, undefined, []], [1, false, false, 'rootfs1.ext4', []], [2, false, true, undefined, ['/a', '/b']],
      ]);
      expect(r.diagnostics).to.deep.include({ level: 'warning', code: 'CONFIG_DOMU_SKIPPED_ROOTFS', message: 'Skipping DomU[1]: cannot handle non-ramdisk rootfs for dom0less VMs.', where: { file: 'c.cfg', line: 9, col: 1 } });
      expect(r.diagnostics).to.deep.include({ level: 'warning', code: 'CONFIG_DOMU_NOBOOT_VALUE', message: 'DOMU_NOBOOT[2]="0" still skips domU 2: ImageBuilder only checks that DOMU_NOBOOT is not empty', where: { file: 'c.cfg', line: 11, col: 1 } });
      expect(r.diagnostics).to.deep.include({ level: 'info', code: 'CONFIG_DISK_IMAGE_ONLY', message: "DOMU_DRIVER_DOMAIN[2] is read only by ImageBuilder's disk_image tool; it does not change the boot script", where: { file: 'c.cfg', line: 13, col: 1 } });
    });
  });

  describe('errors (code, ImageBuilder text, position)', () => {
    it('UBOOT_SOURCE missing', () => {
      expectConfigError(() => load(BASE.replace('UBOOT_SOURCE=boot.source\n', '')), {
        code: 'CONFIG_MISSING', message: 'UBOOT_SOURCE not set, either specify it in the config or set it with the -o option', file: 'c.cfg',
      });
    });

    it('MEMORY_END missing, bad or below MEMORY_START', () => {
      expectConfigError(() => load(BASE.replace('MEMORY_END=0x80000000\n', '')), {
        code: 'CONFIG_MISSING', message: 'MEMORY_END is not set; ImageBuilder would stop with "Error, not enough memory to load all binaries"',
      });
      expectConfigError(() => load(BASE.replace('MEMORY_END=0x80000000', 'MEMORY_END=2G')), {
        code: 'CONFIG_BAD_VALUE', line: 2, col: 1, message: 'MEMORY_END must be an address (0x hex or decimal), got "2G": "2G" is not a valid number (decimal, 0x hex or 0 octal)',
      });
      expectConfigError(() => load(BASE.replace('MEMORY_END=0x80000000', 'MEMORY_END=0x40000000')), {
        code: 'CONFIG_BAD_VALUE', line: 2, col: 1, message: 'MEMORY_END (0x40000000) must be above MEMORY_START (0x40000000)',
      });
    });

    it('XEN missing; LINUX without XEN next to domains is a conflict (ImageBuilder would drop the domains)', () => {
      expectConfigError(() => load(BASE.replace('XEN=xen\n', '')), { code: 'CONFIG_MISSING', message: 'Neither a Xen or Linux kernel is specified, exiting' });
      expectConfigError(() => load(BASE.replace('XEN=xen\n', 'LINUX=Image\n')), {
        code: 'CONFIG_CONFLICT', line: 4, col: 11,
        message: 'LINUX is set (line 3) and XEN is not, so the script boots Linux alone and ImageBuilder ignores NUM_DOMUS (line 4): Xen domains need XEN',
      });
    });

    it('neither dom0 nor domUs', () => {
      expectConfigError(() => load(BASE.replace('NUM_DOMUS=1', 'NUM_DOMUS=0')), { code: 'CONFIG_MISSING', message: 'Neither dom0 or domUs are specified, exiting.', line: 4, col: 1 });
    });

    it('dom0 parameters without a dom0', () => {
      const err = expectConfigError(() => load(`${BASE}DOM0_RAMDISK=initrd\nDOM0_CMD=x\n`), {
        code: 'CONFIG_CONFLICT', line: 8, col: 1,
        message: 'For dom0less configuration without dom0, no dom0 specific parameters should be specified, exiting.',
      });
      expect(err.hint).to.equal('DOM0_KERNEL is not set, but DOM0_RAMDISK, DOM0_CMD are; remove them or set DOM0_KERNEL');
    });

    it('XEN_CMD together with DOM0_MEM is an error (ImageBuilder exits 0 there)', () => {
      expectConfigError(() => load(`${BASE}DOM0_KERNEL=Image\nXEN_CMD="console=dtuart"\nDOM0_MEM=512\n`), {
        code: 'CONFIG_CONFLICT', line: 10, col: 1,
        message: 'One can specify either XEN_CMD or (DOM0_MEM and/or DOM0_VCPUS). (ImageBuilder prints this and stops without writing a script but exits with status 0, a known bug; uboot-gen treats it as an error.)',
      });
    });

    it('NUM_DOMUS larger than the kernels given', () => {
      const err = expectConfigError(() => load(BASE.replace('NUM_DOMUS=1', 'NUM_DOMUS=2')), { code: 'CONFIG_MISSING', message: 'DOMU_KERNEL[1] is not defined', line: 4, col: 1 });
      expect(err.where?.key).to.equal('DOMU_KERNEL[1]');
    });

    it('a required key missing because it is misspelt: the error at the misspelling, the rename as the fix', () => {
      const err = expectConfigError(() => load(`${BASE.replace('NUM_DOMUS=1', 'NUM_DOMUS=2')}DOMU_KERNLE[1]=Image\n`), {
        code: 'CONFIG_MISSING', line: 8, col: 1,
        message: 'DOMU_KERNEL[1] is not set, but DOMU_KERNLE[1] is: DOMU_KERNLE[1] is not an ImageBuilder option, so it is ignored',
      });
      expect([err.where?.key, err.hint, err.data['edit']]).to.deep.equal(['DOMU_KERNLE[1]', 'rename DOMU_KERNLE[1] to DOMU_KERNEL[1]',
        { key: 'DOMU_KERNLE[1]', renameTo: 'DOMU_KERNEL[1]', where: { file: 'c.cfg', line: 8, col: 1 } }]);
      // Another index is not the same key: the plain error stays.
      expectConfigError(() => load(`${BASE.replace('NUM_DOMUS=1', 'NUM_DOMUS=2')}DOMU_KERNLE[0]=Image\n`), { code: 'CONFIG_MISSING', message: 'DOMU_KERNEL[1] is not defined', line: 4, col: 1 });
      const xen = expectConfigError(() => load(`${BASE.replace(/^XEN=.*$/m, 'XENN=xen')}`), { code: 'CONFIG_MISSING', message: 'XEN is not set, but XENN is: XENN is not an ImageBuilder option, so it is ignored' });
      expect(xen.hint).to.equal('rename XENN to XEN');
    });

    it('an index >= NUM_DOMUS is a warning naming the line', () => {
      const r = load(`${BASE}DOMU_KERNEL[2]=x\n`);
      expect(r.diagnostics).to.deep.include({ level: 'warning', code: 'CONFIG_IGNORED_INDEX', message: 'DOMU_KERNEL[2] is set but NUM_DOMUS=1, so it is ignored', where: { file: 'c.cfg', line: 8, col: 1 } });
      expect(r.config.domUs).to.have.length(1);
    });

    it('non-numeric sizes and counts', () => {
      const cases: Array<[string, string]> = [
        ['DOMU_MEM[0]="256M"', 'DOMU_MEM[0] must be a whole number of MiB, got "256M"'],
        ['DOMU_VCPUS[0]=two', 'DOMU_VCPUS[0] must be a whole number of vCPUs, got "two"'],
        ['DOMU_VCPUS[0]=0', 'DOMU_VCPUS[0] must be a whole number of vCPUs of at least 1, got "0"'],
        ['DOMU_VPL011[0]=yes', 'DOMU_VPL011[0] must be 0 or 1, got "yes"'],
        ['DOMU_ENHANCED[0]=3', 'DOMU_ENHANCED[0] must be 0, 1 or 2, got "3"'],
      ];
      for (const [line, message] of cases) {
        expectConfigError(() => load(`${BASE}${line}\n`), { code: 'CONFIG_BAD_VALUE', message, line: 8, col: 1 });
      }
      expectConfigError(() => load(BASE.replace('NUM_DOMUS=1', 'NUM_DOMUS=one')), { code: 'CONFIG_BAD_VALUE', message: 'NUM_DOMUS must be a whole number of domUs, got "one"', line: 4, col: 1 });
      expectConfigError(() => load(`${BASE}DOM0_KERNEL=Image\nDOM0_MEM=1G\n`), { code: 'CONFIG_BAD_VALUE', message: 'DOM0_MEM must be a whole number of MiB, got "1G"', line: 9, col: 1 });
    });

    it('BOOT_CMD validation, including the prefix values ImageBuilder wrongly accepts', () => {
      expectConfigError(() => load(`${BASE}BOOT_CMD=bo\n`), {
        code: 'CONFIG_BAD_VALUE', line: 8, col: 1,
        message: '"BOOT_CMD=bo" is not valid; expected one of booti, bootm, bootz, bootefi, none (ImageBuilder\'s prefix check would accept "bo" and write a "bo" boot line that U-Boot cannot run)',
      });
      expectConfigError(() => load(`${BASE}BOOT_CMD=go\n`), { code: 'CONFIG_BAD_VALUE', line: 8, col: 1, message: '"BOOT_CMD=go" is not valid; expected one of booti, bootm, bootz, bootefi, none' });
    });

    it('missing load commands', () => {
      const noLoad = BASE.replace('LOAD_CMD=tftpb\n', '');
      expectConfigError(() => load(noLoad), { code: 'CONFIG_MISSING', message: 'Neither DOMU_LOAD[0] nor LOAD_CMD is specified' });
      expectConfigError(() => load(`${noLoad}DOMU_LOAD[0]=tftpb\n`), { code: 'CONFIG_MISSING', message: 'Neither XEN_LOAD nor LOAD_CMD is specified' });
      expectConfigError(() => load(`${noLoad}DOM0_KERNEL=Image\n`), { code: 'CONFIG_MISSING', message: 'Neither DOM0_LOAD nor LOAD_CMD is specified' });
    });

    it('refused keys (the Xilinx fork\'s, without --dialect xilinx) are errors at their line, never ignored', () => {
      expectConfigError(() => load(`${BASE}\nDOMU_VUART_PL011=1\n`), {
        code: 'CONFIG_UNSUPPORTED', line: 9, col: 1, message: /^DOMU_VUART_PL011 is a key of the Xilinx ImageBuilder fork only: /,
      });
      // An empty value or a zero count switches nothing on in ImageBuilder either.
      expect(() => load(`${BASE}NUM_DT_OVERLAY=0\nDOMU_VUART_PL011=\n`)).not.to.throw();
    });

    it('names every refused key of the config in one run, at the first one\'s line', () => {
      const e = expectConfigError(() => load(`${BASE}DOM0_VIOMMU=1\nDOMU_VIOMMU[0]=1\nDOMU_VUART_PL011=1\n`), {
        code: 'CONFIG_UNSUPPORTED', line: 8, col: 1,
        message: "3 keys of this config are not supported by uboot-gen: DOM0_VIOMMU (c.cfg:8:1), DOMU_VIOMMU[0] (c.cfg:9:1), DOMU_VUART_PL011 (c.cfg:10:1); remove them or generate this configuration with ImageBuilder's uboot-script-gen",
      });
      expect(e.hint).to.match(/; DOMU_VIOMMU\[0\]: remove DOMU_VIOMMU/);
    });

    it('index shape errors: indexed key without index, scalar key with index', () => {
      expectConfigError(() => load(`${BASE}DOMU_MEM=256\n`), { code: 'CONFIG_BAD_INDEX', line: 8, col: 1, message: 'DOMU_MEM is an array (one entry per domU): write DOMU_MEM[0]=... for the first domU' });
      expectConfigError(() => load(`${BASE}XEN[0]=xen\n`), { code: 'CONFIG_BAD_INDEX', line: 8, col: 1, message: 'XEN takes no index: write XEN=..., not XEN[0]=...' });
      expect(load(`${BASE}DOMU_MEM=(128)\n`).config.domUs[0]?.memMB).to.equal(128);
    });
  });

  describe('unknown keys', () => {
    it('warns with a did-you-mean', () => {
      const r = load(`${BASE}DOMU_KERNAL[0]=x\nDEVICETREE=virt.dtb\n`);
      expect(r.diagnostics.filter((d) => d.code === 'CONFIG_UNKNOWN_KEY')).to.deep.equal([
        { level: 'warning', code: 'CONFIG_UNKNOWN_KEY', message: 'DOMU_KERNAL[0] is not an ImageBuilder option, so it is ignored; did you mean DOMU_KERNEL?', where: { file: 'c.cfg', line: 8, col: 1 } },
        { level: 'warning', code: 'CONFIG_UNKNOWN_KEY', message: 'DEVICETREE is not an ImageBuilder option, so it is ignored; did you mean DEVICE_TREE?', where: { file: 'c.cfg', line: 9, col: 1 } },
      ]);
    });

    it('gives the specific hint for removed / non-upstream keys', () => {
      const r = load(`${BASE}EFI=y\nXEN_PASSTHROUGH_PATHS=/a\n`);
      expect(r.diagnostics.filter((d) => d.code === 'CONFIG_UNKNOWN_KEY').map((d) => d.message)).to.deep.equal([
        'EFI is not an ImageBuilder option, so it is ignored: EFI=y was removed from ImageBuilder in 2022; use BOOT_CMD=bootefi',
        'XEN_PASSTHROUGH_PATHS is not an ImageBuilder option, so it is ignored: XEN_PASSTHROUGH_PATHS was replaced by DOMU_PASSTHROUGH_PATHS[n] (one entry per domU)',
      ]);
    });

    it('stays quiet about helper variables used by expansions and about lower-case names', () => {
      const r = load(`IMAGES=out\nbase=x\n${BASE}DEVICE_TREE=$IMAGES/virt.dtb\n`);
      expect(r.diagnostics.filter((d) => d.code === 'CONFIG_UNKNOWN_KEY')).to.deep.equal([]);
      expect(r.config.deviceTree?.value).to.equal('out/virt.dtb');
      expect(load(`${BASE}FOO=1\n`).diagnostics.map((d) => d.message)).to.include('FOO is not an ImageBuilder option, so it is ignored');
    });
  });

  describe('PASSTHROUGH_DTS_REPO, LOPPER_PATH, LOPPER_CMD (compile_merge_partial_dts, Xilinx xlnx_rel_v2023.2)', () => {
    const REPO = 'PASSTHROUGH_DTS_REPO="trees device-trees-2021.2/zcu102"\n';
    const PATHS = 'DOMU_PASSTHROUGH_PATHS[0]="/axi/ethernet@ff0e0000 /axi/serial@ff000000"\n';

    it('gives every domU a passthrough DTB named after it, made from the folder and sub-folder', () => {
      const { config, diagnostics } = load(`${BASE}${REPO}${PATHS}`);
      expect(config.partialDts).to.deep.equal({
        source: { kind: 'repo', folder: 'trees/device-trees-2021.2/zcu102', key: 'PASSTHROUGH_DTS_REPO', where: { file: 'c.cfg', line: 8, col: 22 } },
        domUs: [{
          index: 0, paths: ['/axi/ethernet@ff0e0000', '/axi/serial@ff000000'], pathsWhere: { file: 'c.cfg', line: 9, col: 27 },
          dtb: { value: 'partial-dts-domU0.dtb', key: 'DOMU_PASSTHROUGH_DTB[0]', where: { file: 'c.cfg', line: 8, col: 22 } },
        }],
      });
      expect(config.domUs[0]?.passthroughDtb).to.equal(config.partialDts?.domUs[0]?.dtb);
      expect(diagnostics.filter((d) => d.level === 'warning')).to.deep.equal([]);
      // Without a sub-folder ImageBuilder uses ".".
      expect(load(`${BASE}PASSTHROUGH_DTS_REPO=/srv/trees\n${PATHS}`).config.partialDts?.source).to.deep.include({ folder: '/srv/trees/.' });
    });

    it('runs lopper only without PASSTHROUGH_DTS_REPO: LOPPER_PATH and LOPPER_CMD split into words, LOPPER_CMD defaulted', () => {
      const dt = 'DEVICE_TREE=system.dtb\n';
      expect(load(`${BASE}${dt}LOPPER_PATH="python3 /opt/lopper/lopper.py"\n${PATHS}`).config.partialDts?.source).to.deep.equal({
        kind: 'lopper', command: ['python3', '/opt/lopper/lopper.py'], key: 'LOPPER_PATH', where: { file: 'c.cfg', line: 9, col: 13 },
        extractArgs: ['-i', 'zynqmp-firmware', '-x', 'interrupt-controller', '-x', 'pinctrl', '-x', 'power-domains', '-x', 'resets', '-x', 'current-speed'],
      });
      expect(load(`${BASE}${dt}LOPPER_PATH=lopper\nLOPPER_CMD="-i  zynqmp-firmware"\n${PATHS}`).config.partialDts?.source).to.deep.include({ extractArgs: ['-i', 'zynqmp-firmware'] });
      const both = load(`${BASE}${dt}${REPO}LOPPER_PATH=lopper\nLOPPER_CMD="-i x"\n${PATHS}`);
      expect(both.config.partialDts?.source.kind).to.equal('repo');
      expect(both.diagnostics.filter((d) => d.code === 'CONFIG_PARTIAL_DTS_IGNORED').map((d) => [d.key, d.where?.line, d.message])).to.deep.equal([
        ['LOPPER_PATH', 10, 'LOPPER_PATH is ignored: PASSTHROUGH_DTS_REPO is set, and ImageBuilder takes the partial device trees from the repository before running lopper'],
        ['LOPPER_CMD', 11, 'LOPPER_CMD is ignored: PASSTHROUGH_DTS_REPO is set, and ImageBuilder takes the partial device trees from the repository before running lopper'],
      ]);
      const alone = load(`${BASE}LOPPER_CMD="-i x"\n`);
      expect(alone.config.partialDts).to.equal(undefined);
      expect(alone.diagnostics.filter((d) => d.code === 'CONFIG_PARTIAL_DTS_IGNORED').map((d) => d.message)).to.deep.equal(['LOPPER_CMD is set but LOPPER_PATH is not, so it is ignored']);
    });

    it('warns about words past the sub-folder, which ImageBuilder\'s awk never reads', () => {
      const { diagnostics } = load(`${BASE}PASSTHROUGH_DTS_REPO="trees sub extra more"\n${PATHS}`);
      expect(diagnostics.filter((d) => d.code === 'CONFIG_PARTIAL_DTS_IGNORED').map((d) => d.message))
        .to.deep.equal(['PASSTHROUGH_DTS_REPO is "FOLDER [SUBFOLDER]": ImageBuilder reads its first two words only, so "extra" "more" are ignored']);
    });

    it('refuses a git URL, which ImageBuilder would clone at every run, with the clone as the fix', () => {
      const e = expectConfigError(() => load(`${BASE}PASSTHROUGH_DTS_REPO="git@github.com:Xilinx/xen-passthrough-device-trees.git device-trees-2021.2/zcu102"\n${PATHS}`), {
        code: 'CONFIG_UNSUPPORTED', line: 8, col: 22,
        message: 'PASSTHROUGH_DTS_REPO names the git repository "git@github.com:Xilinx/xen-passthrough-device-trees.git", which ImageBuilder clones at every run; uboot-gen reads partial device trees from a local folder only and never fetches anything',
      });
      expect(e.hint).to.equal('clone it once (git clone git@github.com:Xilinx/xen-passthrough-device-trees.git DIR) and set PASSTHROUGH_DTS_REPO="DIR device-trees-2021.2/zcu102"');
    });

    it('needs DOMU_PASSTHROUGH_PATHS for every domU, NOBOOT ones included ("DOMU_PASSTHROUGH_PATHS[i] is not defined")', () => {
      const two = `${BASE}NUM_DOMUS=2\nDOMU_KERNEL[1]=Image\nDOMU_NOBOOT[1]=1\n${REPO}${PATHS}`;
      expectConfigError(() => load(two), {
        code: 'CONFIG_MISSING', line: 11, col: 22,
        message: 'DOMU_PASSTHROUGH_PATHS[1] is not defined (PASSTHROUGH_DTS_REPO is set, so every domU\'s passthrough DTB is made from the partial device trees of its DOMU_PASSTHROUGH_PATHS)',
      });
      expect(load(`${two}DOMU_PASSTHROUGH_PATHS[1]="/axi/i2c@ff020000"\n`).config.partialDts?.domUs.map((d) => d.dtb.value)).to.deep.equal(['partial-dts-domU0.dtb', 'partial-dts-domU1.dtb']);
    });

    it('refuses DOMU_PASSTHROUGH_DTB beside them ("Can\'t set both PASSTHROUGH_DTS_REPO and DOMU_PASSTHROUGH_DTB")', () => {
      const e = expectConfigError(() => load(`${BASE}${REPO}${PATHS}DOMU_PASSTHROUGH_DTB[0]=eth0.dtb\n`), {
        code: 'CONFIG_CONFLICT', line: 10, col: 25,
        message: 'Can\'t set both PASSTHROUGH_DTS_REPO and DOMU_PASSTHROUGH_DTB (DOMU_PASSTHROUGH_DTB[0] is set; its DTB would be the one compiled from the partial device trees of DOMU_PASSTHROUGH_PATHS[0])',
      });
      expect(e.hint).to.equal('remove DOMU_PASSTHROUGH_DTB[0], or remove PASSTHROUGH_DTS_REPO to load eth0.dtb as it is');
    });

    it('needs DEVICE_TREE for lopper, which extracts the devices from it', () => {
      expectConfigError(() => load(`${BASE}LOPPER_PATH=lopper\n${PATHS}`), {
        code: 'CONFIG_MISSING', line: 8, col: 13,
        message: 'LOPPER_PATH is set but DEVICE_TREE is not: lopper extracts the partial device trees from the board\'s DEVICE_TREE',
      });
    });
  });

  describe('--dialect xilinx (DOM0_VIOMMU, DOMU_VIOMMU, DOMU_VUART_PL011 of Xilinx\'s xlnx_rel_v2023.2)', () => {
    const xilinx = (text: string) => load(text, { dialect: 'xilinx' });

    it('adds Xilinx\'s third slot to the default XEN_CMD, dom0_viommu=1 only for DOM0_VIOMMU=1', () => {
      expect(xilinx(`${BASE}DOM0_KERNEL=Image\nDOM0_VIOMMU=1\n`).config.xenCmd)
        .to.equal('console=dtuart dtuart=serial0 dom0_mem=1024M dom0_max_vcpus=1 bootscrub=0 vwfi=native sched=null   dom0_viommu=1');
      expect(xilinx(`${BASE}DOM0_KERNEL=Image\nDOM0_VIOMMU=yes\n`).config.xenCmd)
        .to.equal('console=dtuart dtuart=serial0 dom0_mem=1024M dom0_max_vcpus=1 bootscrub=0 vwfi=native sched=null   ');
      const given = xilinx(`${BASE}DOM0_KERNEL=Image\nXEN_CMD="console=dtuart"\nDOM0_VIOMMU=1\n`);
      expect(given.config.xenCmd).to.equal('console=dtuart');
      expect(given.diagnostics.filter((d) => d.code === 'CONFIG_XILINX_DIALECT').map((d) => d.message))
        .to.deep.equal(['DOM0_VIOMMU is ignored: XEN_CMD is set, and Xilinx\'s ImageBuilder adds dom0_viommu=1 only to its default XEN_CMD']);
    });

    it('refuses DOM0_VIOMMU without a dom0, as Xilinx\'s ImageBuilder does', () => {
      expectConfigError(() => xilinx(`${BASE}DOM0_VIOMMU=1\n`), {
        code: 'CONFIG_CONFLICT', line: 8, col: 1, message: 'For dom0less configuration without dom0, no dom0 specific parameters should be specified, exiting.',
      });
    });

    it('sets viommu for DOMU_VIOMMU[n]=1 only, and the vpl011 string for every domU that has one', () => {
      const { config } = xilinx(`${BASE}NUM_DOMUS=2\nDOMU_KERNEL[1]=Image\nDOMU_VIOMMU[0]=1\nDOMU_VIOMMU[1]=true\nDOMU_VUART_PL011=1\n`);
      expect(config.domUs.map((d) => [d.viommu, d.vpl011Value])).to.deep.equal([[true, 'pl011'], [undefined, 'pl011']]);
    });
  });
});
