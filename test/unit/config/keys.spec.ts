import { expect } from 'chai';
import { KEYS, KEY_BY_NAME, editDistance, suggestKey } from '../../../src/config/keys.js';

describe('config/keys', () => {
  it('has one row per key, with the supported set of the brief', () => {
    expect(new Set(KEYS.map((k) => k.key)).size).to.equal(KEYS.length);
    const supported = KEYS.filter((k) => k.supported).map((k) => k.key).sort();
    expect(supported).to.deep.equal([
      'APPEND_EXTRA_CMDS', 'BITSTREAM', 'BOOT_AUX_FILE', 'BOOT_CMD', 'CPUPOOL', 'DBG_FDT_PRINT_CHOSEN', 'DEVICE_TREE', 'DOM0_CMD', 'DOM0_COLORS',
      'DOM0_KERNEL', 'DOM0_LOAD', 'DOM0_MEM', 'DOM0_RAMDISK', 'DOM0_ROOTFS', 'DOM0_VCPUS', 'DOMU_CAPS', 'DOMU_CMD', 'DOMU_COLORS', 'DOMU_CPUPOOL',
      'DOMU_DIRECT_MAP', 'DOMU_DOMID', 'DOMU_DRIVER_DOMAIN', 'DOMU_ENHANCED', 'DOMU_GRANT_FRAMES', 'DOMU_GRANT_VER', 'DOMU_KERNEL', 'DOMU_LOAD',
      'DOMU_MAPTRACK_FRAMES', 'DOMU_MEM', 'DOMU_NOBOOT', 'DOMU_NR_SPIS', 'DOMU_P2M_MEM_MB', 'DOMU_PASSTHROUGH_DTB', 'DOMU_PASSTHROUGH_PATHS',
      'DOMU_PASSTHROUGH_PROP', 'DOMU_RAMDISK', 'DOMU_ROOTFS', 'DOMU_SHARED_MEM', 'DOMU_STATIC_EVTCHNS', 'DOMU_STATIC_MEM', 'DOMU_TRAP_UNMAP',
      'DOMU_VCPUS', 'DOMU_VCPU_HARD_AFFINITY', 'DOMU_VPL011', 'DT_OVERLAY', 'FDTEDIT', 'FIT', 'FIT_ENC_KEY_DIR', 'FIT_ENC_UB_DTB', 'GPT', 'LINUX', 'LINUX_CMD',
      'LINUX_RAMDISK', 'LINUX_ROOTFS', 'LOAD_CMD',
      'LOPPER_CMD', 'LOPPER_PATH', 'MEMORY_END', 'MEMORY_START', 'NUM_BOOT_AUX_FILE', 'NUM_CPUPOOLS', 'NUM_DOMUS', 'NUM_DT_OVERLAY', 'PASSTHROUGH_DTS_REPO', 'UBOOT_SCRIPT', 'UBOOT_SOURCE', 'XEN',
      'XEN_CMD', 'XEN_COLORS', 'XEN_LOAD', 'XEN_POLICY', 'XEN_STATIC_HEAP',
    ]);
    expect(KEY_BY_NAME.get('DOMU_VCPU_HARD_AFFINITY')?.indexed).to.equal('n,m');
    expect(KEY_BY_NAME.get('DOMU_KERNEL')?.indexed).to.equal('n');
    expect(KEY_BY_NAME.get('XEN')?.indexed).to.equal(false);
    expect(KEYS.every((k) => k.supported)).to.equal(true);
    for (const k of ['LINUX', 'LINUX_RAMDISK', 'LINUX_CMD', 'LINUX_ROOTFS']) expect(KEY_BY_NAME.get(k)?.supported, k).to.equal(true);
    expect(KEY_BY_NAME.get('LINUX_CMD')?.default).to.equal('earlycon console=ttyPS0,115200');
  });

  it('computes edit distances and suggests only plausible typos', () => {
    expect(editDistance('DOMU_KERNAL', 'DOMU_KERNEL')).to.equal(1);
    expect(editDistance('', 'ABC')).to.equal(3);
    expect(suggestKey('DOMU_KERNAL')).to.equal('DOMU_KERNEL');
    expect(suggestKey('DOMU_RAMDISC')).to.equal('DOMU_RAMDISK');
    expect(suggestKey('xen_cmd')).to.equal('XEN_CMD');
    expect(suggestKey('NUMDOMUS')).to.equal('NUM_DOMUS');
    expect(suggestKey('FOO')).to.equal(undefined);
    expect(suggestKey('TOTALLY_UNRELATED')).to.equal(undefined);
  });
});
