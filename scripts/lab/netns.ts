// A network namespace of the lab's own with one tap device: the wire between a QEMU board and
// a server this run starts (uboot-gen serve). Traffic never leaves the namespace. Needs root
// and /dev/net/tun, as CI has.
import { spawnSync } from 'node:child_process';
import type { LabTap } from '../../src/lab/index.js';

export interface LabWire extends LabTap {
  /** The host's address on the tap device (the board's serverip). */
  hostIp: string;
  /** The address the board takes (its ipaddr). */
  boardIp: string;
  netmask: string;
  remove(): void;
}

function ip(args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`ip ${args.join(' ')} failed: ${r.error?.message ?? r.stderr.trim()}`);
}

export function createLabWire(netns = `uboot-gen-lab-${process.pid}`): LabWire {
  const device = 'tap0';
  const wire: LabWire = {
    netns, device, hostIp: '10.0.3.1', boardIp: '10.0.3.15', netmask: '255.255.255.0',
    remove: () => { spawnSync('ip', ['netns', 'del', netns]); },
  };
  ip(['netns', 'add', netns]);
  try {
    ip(['-n', netns, 'link', 'set', 'lo', 'up']);
    ip(['-n', netns, 'tuntap', 'add', 'dev', device, 'mode', 'tap']);
    ip(['-n', netns, 'addr', 'add', `${wire.hostIp}/24`, 'dev', device]);
    ip(['-n', netns, 'link', 'set', device, 'up']);
  } catch (e) {
    wire.remove();
    throw e;
  }
  return wire;
}
