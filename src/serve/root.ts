// Which file a TFTP request may read: only regular files inside the served folder, with the
// folder's real path as the fence, so neither `..` nor a symlink pointing out can escape it.
import * as fs from 'node:fs';
import * as path from 'node:path';

export type RootLookup =
  | { ok: true; file: string; size: number; relative: string }
  | { ok: false; reason: 'not-found' | 'access'; message: string };

/**
 * Map a requested name to a file under `rootReal` (already a real path). Leading slashes mean
 * the served folder, as with tftpd-hpa's --secure; `.` segments are dropped; `..` is refused
 * outright rather than normalised, because a client sending it is probing.
 */
export function lookupInRoot(rootReal: string, requested: string): RootLookup {
  if (requested.length === 0) return { ok: false, reason: 'access', message: 'empty file name' };
  if (requested.includes('\0') || requested.includes('\\')) return { ok: false, reason: 'access', message: 'illegal character in file name' };
  const segments = requested.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.some((s) => s === '..')) return { ok: false, reason: 'access', message: '".." is not allowed' };
  if (segments.length === 0) return { ok: false, reason: 'access', message: 'not a file' };
  const joined = path.join(rootReal, ...segments);
  let real: string;
  try {
    real = fs.realpathSync(joined);
  } catch {
    return { ok: false, reason: 'not-found', message: 'File not found' };
  }
  if (real !== rootReal && !real.startsWith(rootReal + path.sep)) {
    return { ok: false, reason: 'access', message: 'outside the served folder' };
  }
  let st: fs.Stats;
  try {
    st = fs.statSync(real);
  } catch {
    return { ok: false, reason: 'not-found', message: 'File not found' };
  }
  if (!st.isFile()) return { ok: false, reason: 'access', message: 'not a regular file' };
  return { ok: true, file: real, size: st.size, relative: segments.join('/') };
}
