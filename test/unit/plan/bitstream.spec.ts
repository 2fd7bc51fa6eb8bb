// BITSTREAM: loaded after the DTB and programmed with `fpga load 0 ADDR SIZE` (size in hex), and
// simulated on a board whose DTB has an FPGA manager (dtc-compiled: QEMU virt plus ZynqMP's PCAP).
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generate } from '../../../src/api/generate.js';
import { verifyGenerated } from '../../../src/api/verify.js';
import { sampleCopy } from '../../helpers/images.js';
import { hasTool } from '../../helpers/tools.js';
import { verifySummary } from '../../../src/cli/verify-report.js';

/** The sample with a 0x3456-byte bitstream, and its board DTB with (or without) an FPGA manager. */
function withBitstream(fpga: boolean, runtimeSizing = false) {
  const { dir, config } = sampleCopy(['BITSTREAM=design.bit']);
  fs.writeFileSync(path.join(dir, 'design.bit'), Buffer.alloc(0x3456, 0xa5));
  if (fpga) {
    const dts = execFileSync('dtc', ['-q', '-I', 'dtb', '-O', 'dts', path.join(dir, 'samples/virt.dtb')], { encoding: 'utf8' });
    const withPcap = dts.replace(/\n};\s*$/, '\n\tfirmware {\n\t\tzynqmp-firmware {\n\t\t\tpcap {\n\t\t\t\tcompatible = "xlnx,zynqmp-pcap-fpga";\n\t\t\t};\n\t\t};\n\t};\n};\n');
    execFileSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-o', path.join(dir, 'samples/virt.dtb')], { input: withPcap });
  }
  return generate(config, { env: {}, write: false, runtimeSizing });
}

describe('plan → BITSTREAM', function () {
  before(function () { if (!hasTool('dtc')) this.skip(); });

  it('loads the bitstream after the DTB and programs it with the size in hex', () => {
    const gen = withBitstream(true);
    const lines = gen.outputs.source.split('\n');
    const at = lines.indexOf('tftpb 0x42A00000 samples/virt.dtb');
    expect(lines.slice(at, at + 4)).to.deep.equal([
      'tftpb 0x42A00000 samples/virt.dtb', 'tftpb 0x42C00000 design.bit', 'fpga load 0 0x42C00000 0x3456', 'fdt addr 0x42A00000',
    ]);
    expect(gen.plan.loads.at(-1)).to.deep.include({ id: 'fpga_bitstream', role: 'bitstream', addr: 0x42c00000, transferSize: 0x3456, keys: ['BITSTREAM'] });
  });

  it('is programmed in the simulation on a board with an FPGA manager, and the domains still boot', () => {
    const r = verifyGenerated(withBitstream(true));
    expect(r.ok, verifySummary(r)).to.equal(true);
    expect(r.uboot.fpgaLoads).to.deep.equal([{ device: 0, addr: 0x42c00000, size: 0x3456 }]);
  });

  it('fails on QEMU virt, whose U-Boot has no fpga command, as the real one does', () => {
    const r = verifyGenerated(withBitstream(false));
    expect(r.ok).to.equal(false);
    expect(r.uboot.console).to.include("Unknown command 'fpga' - try 'help'");
    expect(r.uboot.failures.map((f) => f.command)).to.deep.equal(['fpga load 0 0x42C00000 0x3456']);
  });

  it('with -s, programs it from the runtime variables', () => {
    const gen = withBitstream(true, true);
    const lines = gen.outputs.source.split('\n');
    const at = lines.indexOf('tftpb ${memaddr} design.bit');
    expect(lines.slice(at + 6, at + 7)).to.deep.equal(['fpga load 0 ${fpga_bitstream_addr} ${fpga_bitstream_size}']);
    const r = verifyGenerated(gen);
    expect(r.ok, verifySummary(r)).to.equal(true);
    expect(r.uboot.fpgaLoads).to.deep.equal([{ device: 0, addr: 0x41400000, size: 0x3456 }]);
  });
});
