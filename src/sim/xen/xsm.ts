// xsm_dt_init() (xen/xsm/xsm_core.c, xsm_policy.c, 4.17–4.22) for a build with CONFIG_XSM: the
// framework line; with FLASK built in, the policy module (compatible "xen,xsm-policy", or the XSM
// magic guessed by bootfdt) is checked for the magic and copied into Xen ("xsm: Policy len = ...");
// then the active module. Only SILO and the dummy module are modelled: FLASK loading the policy
// (its parse, enforcing/permissive modes) is an estimate.
import type { XenBuild } from '../../xen-build/build.js';
import { isEnabled } from '../../xen-build/build.js';
import type { BootInfo } from './bootinfo.js';
import { paddr, type XenConsole } from './console.js';
import type { XenCmdline } from './cmdline.js';
import { hasXsmMagic } from './bootfdt.js';
import type { SparseRam } from '../ram.js';

/** The XSM module xsm_dt_init() runs: xsm= on the command line, else the build's default. */
export function activeXsmModule(build: XenBuild, cmdline: XenCmdline): 'flask' | 'silo' | 'dummy' {
  const m = /(?:^|\s)xsm=(\S+)/.exec(cmdline.raw)?.[1];
  if ((m === 'flask' && isEnabled(build, 'XSM_FLASK')) || (m === 'silo' && isEnabled(build, 'XSM_SILO')) || m === 'dummy') return m;
  if (isEnabled(build, 'XSM_FLASK_DEFAULT')) return 'flask';
  if (isEnabled(build, 'XSM_SILO_DEFAULT')) return 'silo';
  return 'dummy';
}

export function xsmInit(console: XenConsole, bi: BootInfo, ram: SparseRam, build: XenBuild,
  cmdline: XenCmdline, estimates: string[]): void {
  if (!isEnabled(build, 'XSM')) return;
  console.printk('XSM Framework v1.0.1 initialized');
  if (isEnabled(build, 'XSM_FLASK')) {
    const mod = bi.modules.find((m) => m.kind === 'xsm');
    if (mod && mod.size > 0) {
      if (!hasXsmMagic(ram, mod.start)) {
        console.printk('xsm: Invalid magic for XSM blob', 'err');
        console.printk('Error -22 initializing XSM policy', 'err');
        return;
      }
      console.printk(`xsm: Policy len = 0x${paddr(mod.size)} start at 0x${paddr(mod.start)}`);
    }
  }
  const active = activeXsmModule(build, cmdline);
  if (active === 'silo') console.printk('Initialising XSM SILO mode');
  else if (active === 'flask') estimates.push('XSM FLASK: loading and enforcing the policy is not modelled');
}
