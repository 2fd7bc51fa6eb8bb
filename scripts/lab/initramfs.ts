// The lab's guest userspace: a tiny initramfs whose /init proves a domain reached
// userspace by printing one marker line carrying a per-domain token taken from
// the kernel command line. Written as a "newc" cpio archive by hand (format of
// Linux Documentation/driver-api/early-userspace/buffer-format.rst) so that it is
// byte-for-byte deterministic and needs no root privileges for the /dev/console node.
import * as zlib from 'node:zlib';
import { LAB_MARKER_PREFIX, LAB_TOKEN_PARAM } from '../../src/lab/marker.js';

export { LAB_MARKER_PREFIX, LAB_TOKEN_PARAM };

export type CpioEntry =
  | { kind: 'dir'; path: string; mode?: number }
  | { kind: 'file'; path: string; data: Uint8Array; mode?: number }
  | { kind: 'symlink'; path: string; target: string }
  | { kind: 'chardev'; path: string; major: number; minor: number; mode?: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

const pad4 = (n: number): number => (4 - (n % 4)) % 4;
const field = (n: number): string => n.toString(16).padStart(8, '0').toUpperCase();

function newcRecord(ino: number, mode: number, nlink: number, name: string, data: Uint8Array, rdev: [number, number]): Buffer {
  const nameBytes = Buffer.from(`${name}\0`, 'utf8');
  const header =
    '070701' + field(ino) + field(mode) + field(0) + field(0) + field(nlink) + field(0) + field(data.length) +
    field(0) + field(0) + field(rdev[0]) + field(rdev[1]) + field(nameBytes.length) + field(0);
  const headLen = header.length + nameBytes.length; // 110 + name
  return Buffer.concat([
    Buffer.from(header, 'ascii'), nameBytes, Buffer.alloc(pad4(headLen)),
    Buffer.from(data), Buffer.alloc(pad4(data.length)),
  ]);
}

/** A newc ("070701") cpio archive of `entries` in the given order; uid/gid/mtime are 0. */
export function buildNewcArchive(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  let ino = 1;
  for (const e of entries) {
    const name = e.path.replace(/^\/+/, '');
    switch (e.kind) {
      case 'dir': parts.push(newcRecord(ino++, S_IFDIR | (e.mode ?? 0o755), 2, name, new Uint8Array(0), [0, 0])); break;
      case 'file': parts.push(newcRecord(ino++, S_IFREG | (e.mode ?? 0o644), 1, name, e.data, [0, 0])); break;
      case 'symlink': parts.push(newcRecord(ino++, S_IFLNK | 0o777, 1, name, Buffer.from(e.target, 'utf8'), [0, 0])); break;
      case 'chardev': parts.push(newcRecord(ino++, S_IFCHR | (e.mode ?? 0o600), 1, name, new Uint8Array(0), [e.major, e.minor])); break;
    }
  }
  parts.push(newcRecord(0, 0, 1, 'TRAILER!!!', new Uint8Array(0), [0, 0]));
  const body = Buffer.concat(parts);
  // The kernel reads the archive in 512-byte blocks like cpio(1) writes it; pad likewise.
  return Buffer.concat([body, Buffer.alloc((512 - (body.length % 512)) % 512)]);
}

/**
 * /init for every lab domain. Busybox is called by its full path (no applet links
 * needed). The marker line reports the token plus what the guest actually got
 * (online CPUs, MemTotal), which the differential tests compare with the plan.
 * It then sleeps forever: an exiting init would panic the guest kernel.
 */
export const LAB_INIT_SCRIPT = `#!/bin/busybox sh
B=/bin/busybox
$B mount -t proc proc /proc
t=none
for w in $($B cat /proc/cmdline); do
  case "$w" in ${LAB_TOKEN_PARAM}=*) t="\${w#${LAB_TOKEN_PARAM}=}" ;; esac
done
n=$($B grep -c ^processor /proc/cpuinfo)
m=$($B awk '/^MemTotal:/ {print $2}' /proc/meminfo)
echo "${LAB_MARKER_PREFIX} token=$t cpus=$n memkb=$m"
while true; do $B sleep 3600; done
`;

/** The lab initramfs (gzip-compressed newc) around a static arm64 busybox. */
export function buildLabInitramfs(busybox: Uint8Array): Buffer {
  const cpio = buildNewcArchive([
    { kind: 'dir', path: 'bin' },
    { kind: 'file', path: 'bin/busybox', data: busybox, mode: 0o755 },
    { kind: 'symlink', path: 'bin/sh', target: 'busybox' },
    { kind: 'dir', path: 'dev' },
    // Without /dev/console the kernel starts init with no stdout and the marker is lost.
    { kind: 'chardev', path: 'dev/console', major: 5, minor: 1, mode: 0o600 },
    { kind: 'dir', path: 'proc' },
    { kind: 'file', path: 'init', data: Buffer.from(LAB_INIT_SCRIPT, 'utf8'), mode: 0o755 },
  ]);
  // zlib's gzip header has mtime 0 and a fixed OS byte, so the output is deterministic.
  return zlib.gzipSync(cpio, { level: 9 });
}
