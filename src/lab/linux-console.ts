// Judging a real serial log of a Linux-only boot (U-Boot starts Linux itself, no Xen): the
// kernel prints straight to the UART after "Starting kernel ...", and the lab initramfs prints
// its marker once /init runs (scripts/lab/initramfs.ts).
import { findMarkers, findUbootErrors, splitAtKernelStart, type DomainVerdict, type ExpectedDomain } from './xen-console.js';

/**
 * The verdict of the one kernel of a Linux-only boot, first match wins:
 * - 'not started': U-Boot never printed "Starting kernel ..." (message: U-Boot's last error line);
 * - 'up': the lab marker with the expected token (or any marker when no token is expected);
 * - 'guest fails': Linux panicked (message: its `Kernel panic - not syncing: ...` line), or printed but no marker;
 * - 'silent hang': nothing at all after the hand-over.
 */
export function parseLinuxConsole(log: string, expected: ExpectedDomain): DomainVerdict {
  const v = (verdict: DomainVerdict['verdict'], message?: string): DomainVerdict => ({ name: expected.name, verdict, ...(message !== undefined ? { message } : {}) });
  const { after } = splitAtKernelStart(log);
  if (after === undefined) return v('not started', findUbootErrors(log).at(-1));
  if (findMarkers(log).some((m) => expected.token === undefined || m.token === expected.token)) return v('up');
  const panic = /Kernel panic - not syncing: ?([^\r\n]*)/.exec(after);
  if (panic) return v('guest fails', `Kernel panic - not syncing: ${panic[1]!.trim()}`);
  const last = after.trimEnd().split('\n').pop()?.trim() ?? '';
  return last === '' ? v('silent hang', 'no output after "Starting kernel ..."') : v('guest fails', `no userspace marker; last output: ${last}`);
}
