// The real tools tests compare against (mkimage, dumpimage, dtc, fdtget, gzip, cpio), when installed.
import { spawnSync } from 'node:child_process';

/** True when `name` can be started (tools print their version with --version, dtc tools with -V). */
export function hasTool(name: string, arg = '--version'): boolean {
  return !spawnSync(name, [arg], { stdio: 'ignore' }).error;
}

/** Run a real tool in the C locale and UTC; stdout as text. Throws with stderr on a non-zero exit. */
export function runTool(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string>; input?: Uint8Array } = {}): string {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, env: { ...process.env, TZ: 'UTC', LC_ALL: 'C', ...opts.env }, input: opts.input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}
