// The per-domain property keys: typed values, ImageBuilder's "unset → no property", and errors
// positioned at the value; the Xilinx-fork keys refused at their line.
import { expect } from 'chai';
import { parseConfigText } from '../../../src/config/index.js';
import { BASE, expectConfigError } from './helpers.js';

const load = (text: string) => parseConfigText(text, 'c.cfg');
/** BASE is 7 lines: the first added line is line 8. */
const withLines = (...lines: string[]): string => BASE + lines.join('\n') + '\n';

describe('config → per-domain properties', () => {
  it('reads every key of domU 0 as a number (or "enabled"), and none is set when the keys are unset', () => {
    const { config } = load(withLines('DOMU_NR_SPIS[0]=64', 'DOMU_GRANT_VER[0]=1', 'DOMU_GRANT_FRAMES[0]=16', 'DOMU_MAPTRACK_FRAMES[0]=0',
      'DOMU_TRAP_UNMAP[0]=0', 'DOMU_DOMID[0]=7', 'DOMU_PASSTHROUGH_PROP[0]=enabled', 'DOMU_P2M_MEM_MB[0]=16'));
    expect(config.domUs[0]!.props).to.deep.equal({
      nrSpis: 64, grantVersion: 1, grantFrames: 16, maptrackFrames: 0, trapUnmap: 0, domid: 7, passthrough: 'enabled', p2mMemMB: 16,
    });
    expect(load(BASE).config.domUs[0]!.props).to.deep.equal({});
    expect(load(BASE).config.dbgFdtPrintChosen).to.equal(false);
  });

  it('an empty value is unset, as ImageBuilder tests the keys with test "$X"', () => {
    expect(load(withLines('DOMU_DOMID[0]=', 'DOMU_NR_SPIS[0]=""')).config.domUs[0]!.props).to.deep.equal({});
  });

  it('DBG_FDT_PRINT_CHOSEN: any non-empty value switches it on', () => {
    expect(load(withLines('DBG_FDT_PRINT_CHOSEN=y')).config.dbgFdtPrintChosen).to.equal(true);
    expect(load(withLines('DBG_FDT_PRINT_CHOSEN=0')).config.dbgFdtPrintChosen).to.equal(true);
    expect(load(withLines('DBG_FDT_PRINT_CHOSEN=')).config.dbgFdtPrintChosen).to.equal(false);
  });

  it('range errors name the key, the range and the value\'s position', () => {
    expectConfigError(() => load(withLines('DOMU_GRANT_VER[0]=3')), {
      code: 'CONFIG_OUT_OF_RANGE', message: 'DOMU_GRANT_VER[0] = 3 is out of range: it must be a grant table version from 1 to 2', line: 8, col: 19,
    });
    expectConfigError(() => load(withLines('DOMU_NR_SPIS[0]=961')), {
      code: 'CONFIG_OUT_OF_RANGE', message: 'DOMU_NR_SPIS[0] = 961 is out of range: it must be a number of SPIs from 0 to 960', line: 8, col: 17,
    });
    expectConfigError(() => load(withLines('DOMU_DOMID[0]=0')), {
      code: 'CONFIG_OUT_OF_RANGE', message: 'DOMU_DOMID[0] = 0 is out of range: it must be a domain id from 1 to 32751', line: 8, col: 15,
    });
    expectConfigError(() => load(withLines('DOMU_DOMID[0]=32752')), { code: 'CONFIG_OUT_OF_RANGE', line: 8 });
    expectConfigError(() => load(withLines('DOMU_GRANT_FRAMES[0]=2147483648')), {
      code: 'CONFIG_OUT_OF_RANGE', message: 'DOMU_GRANT_FRAMES[0] = 2147483648 is out of range: it must be a number of grant frames from 1 to 2147483647',
    });
    expectConfigError(() => load(withLines('DOMU_P2M_MEM_MB[0]=0')), { code: 'CONFIG_OUT_OF_RANGE', line: 8, col: 20 });
  });

  it('nr_spis 0 is refused while the domain has its virtual PL011, accepted without it', () => {
    expectConfigError(() => load(withLines('DOMU_NR_SPIS[0]=0')), {
      code: 'CONFIG_OUT_OF_RANGE', message: 'DOMU_NR_SPIS[0] = 0 leaves no SPI for the virtual PL011 of domU 0 (it uses SPI 32)', line: 8, col: 17,
    });
    expect(load(withLines('DOMU_NR_SPIS[0]=0', 'DOMU_VPL011[0]=0')).config.domUs[0]!.props.nrSpis).to.equal(0);
  });

  it('format errors: not a number, trap-unmap not 0/1, passthrough not "enabled"', () => {
    expectConfigError(() => load(withLines('DOMU_GRANT_FRAMES[0]=0x10')), {
      code: 'CONFIG_BAD_VALUE', message: 'DOMU_GRANT_FRAMES[0] must be a number of grant frames, got "0x10"', line: 8, col: 22,
    });
    expectConfigError(() => load(withLines('DOMU_TRAP_UNMAP[0]=2')), {
      code: 'CONFIG_BAD_VALUE', message: 'DOMU_TRAP_UNMAP[0] must be 0 or 1, got "2"', line: 8, col: 20,
    });
    expectConfigError(() => load(withLines('DOMU_PASSTHROUGH_PROP[0]=yes')), {
      code: 'CONFIG_BAD_VALUE', message: 'DOMU_PASSTHROUGH_PROP[0] must be "enabled", got "yes"', line: 8, col: 26,
    });
  });

  it('the Xilinx-fork keys are refused at their line, never dropped', () => {
    expectConfigError(() => load(withLines('DOM0_VIOMMU=1')), {
      code: 'CONFIG_UNSUPPORTED', message: 'DOM0_VIOMMU is a key of the Xilinx ImageBuilder fork only: it adds dom0_viommu=1 to the default XEN_CMD, an option only Xilinx\'s Xen reads', line: 8, col: 1,
    });
    expectConfigError(() => load(withLines('DOMU_VIOMMU[0]=1')), { code: 'CONFIG_UNSUPPORTED', line: 8, col: 1 });
    expectConfigError(() => load(withLines('', 'DOMU_VUART_PL011=1')), { code: 'CONFIG_UNSUPPORTED', line: 9, col: 1 });
    // Empty: ImageBuilder's fork reads nothing either.
    expect(load(withLines('DOM0_VIOMMU=')).config.xenCmd).to.equal(load(BASE).config.xenCmd);
  });
});
