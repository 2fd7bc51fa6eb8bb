// Xen's own command line (xen,xen-bootargs): only the options this model acts on.
// Models xen/common/kernel.c cmdline_parse() (space-separated name[=value], "no-" prefix for
// booleans), xen/common/lib.c parse_size_and_unit(), and the option handlers of
// xen/arch/arm/domain_build.c (dom0_mem, dom0_max_vcpus), xen/common/sched/core.c (sched),
// xen/drivers/char/console.c (console, loglvl, guest_loglvl), xen/drivers/char/arm-uart.c (dtuart),
// xen/arch/arm/shutdown.c (noreboot), xen/arch/arm/smpboot.c (hmp-unsafe) and xen/common/page_alloc.c (bootscrub), as of 4.17.

export type BootScrub = 'on' | 'off' | 'idle';

export interface XenCmdline {
  readonly raw: string;
  /** dom0_mem in bytes; undefined = not given (or not understood on Arm). */
  readonly dom0Mem?: number;
  readonly dom0MaxVcpus?: number;
  readonly sched?: string;
  /** console= entries (default "dtuart" on Arm). */
  readonly console: readonly string[];
  readonly dtuart: string;
  readonly loglvl?: string;
  readonly guestLoglvl?: string;
  readonly noreboot: boolean;
  /** hmp-unsafe (xen/arch/arm/smpboot.c): keep CPUs of another kind than the boot CPU on. */
  readonly hmpUnsafe: boolean;
  readonly bootscrub: BootScrub;
  /** Options Xen would reject ("parameter ... has invalid value"), printed only into the console ring. */
  readonly problems: readonly string[];
}

/**
 * parse_size_and_unit(): a number (base prefixes as strtoull(s, 0)) then an optional unit;
 * NO unit means KiB. Returns undefined when no digits were found or characters follow.
 */
export function parseSizeAndUnit(s: string): number | undefined {
  const m = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)([TtGgMmKkBb]?)$/.exec(s);
  if (!m) return undefined;
  const n = m[1]!.startsWith('0x') || m[1]!.startsWith('0X') ? parseInt(m[1]!.slice(2), 16)
    : m[1]!.length > 1 && m[1]!.startsWith('0') ? parseInt(m[1]!, 8) : parseInt(m[1]!, 10);
  const mul: Record<string, number> = { t: 2 ** 40, g: 2 ** 30, m: 2 ** 20, k: 2 ** 10, b: 1, '': 2 ** 10 };
  return n * mul[m[2]!.toLowerCase()]!;
}

const FALSE_WORDS = new Set(['0', 'no', 'false', 'off', 'disable']);
const TRUE_WORDS = new Set(['1', 'yes', 'true', 'on', 'enable']);

/** Split like cmdline_parse(): words separated by spaces; later occurrences override earlier ones. */
export function parseXenCmdline(raw: string | undefined): XenCmdline {
  const text = raw ?? '';
  const problems: string[] = [];
  let dom0Mem: number | undefined;
  let dom0MaxVcpus: number | undefined;
  let sched: string | undefined;
  let consoleOpt = 'dtuart';
  let dtuart = '';
  let loglvl: string | undefined;
  let guestLoglvl: string | undefined;
  let noreboot = false;
  let hmpUnsafe = false;
  let bootscrub: BootScrub = 'idle';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const eq = word.indexOf('=');
    const name = eq < 0 ? word : word.slice(0, eq);
    const value = eq < 0 ? undefined : word.slice(eq + 1);
    switch (name) {
      case 'dom0_mem': {
        // Arm's parse_dom0_mem() takes a plain size only; x86's "min:"/"max:" forms fail there.
        const v = value === undefined ? undefined : parseSizeAndUnit(value);
        if (v === undefined) problems.push(`parameter "dom0_mem" has invalid value "${value ?? ''}" (Xen on Arm takes a plain size such as 1G; the min:/max: forms are x86-only)`);
        dom0Mem = v;
        break;
      }
      case 'dom0_max_vcpus': {
        const v = value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
        if (v === undefined) problems.push(`parameter "dom0_max_vcpus" has invalid value "${value ?? ''}"`);
        else dom0MaxVcpus = v;
        break;
      }
      case 'sched': sched = value; break;
      case 'console': consoleOpt = value ?? ''; break;
      case 'dtuart': dtuart = value ?? ''; break;
      case 'loglvl': loglvl = value; break;
      case 'guest_loglvl': guestLoglvl = value; break;
      case 'noreboot': noreboot = value === undefined || !FALSE_WORDS.has(value); break;
      case 'no-noreboot': noreboot = false; break;
      case 'hmp-unsafe': hmpUnsafe = value === undefined || TRUE_WORDS.has(value); break;
      case 'no-hmp-unsafe': hmpUnsafe = false; break;
      case 'bootscrub':
        if (value === undefined || TRUE_WORDS.has(value)) bootscrub = 'on';
        else if (FALSE_WORDS.has(value)) bootscrub = 'off';
        else if (value === 'idle') bootscrub = 'idle';
        else problems.push(`parameter "bootscrub" has invalid value "${value}"`);
        break;
      case 'no-bootscrub': bootscrub = 'off'; break;
      default: break;
    }
  }
  return {
    raw: text,
    ...(dom0Mem !== undefined ? { dom0Mem } : {}),
    ...(dom0MaxVcpus !== undefined ? { dom0MaxVcpus } : {}),
    ...(sched !== undefined ? { sched } : {}),
    console: consoleOpt.split(',').filter(Boolean),
    dtuart,
    ...(loglvl !== undefined ? { loglvl } : {}),
    ...(guestLoglvl !== undefined ? { guestLoglvl } : {}),
    noreboot,
    hmpUnsafe,
    bootscrub,
    problems,
  };
}
