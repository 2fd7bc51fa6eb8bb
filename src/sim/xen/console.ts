// Xen's console as seen on the serial line: every line carries the "(XEN) " prefix,
// messages below the log threshold are dropped, and panic() prints its box.
// Models xen/drivers/char/console.c (printk(), panic(), console_endboot()) and
// xen/common/warning.c (warning_print()), as of Xen 4.17 with later differences noted.

/** printk() levels; an un-prefixed printk() is XENLOG_WARNING (XENLOG_DEFAULT). */
export type XenLogLevel = 'err' | 'warn' | 'info' | 'debug';
const RANK: Record<XenLogLevel, number> = { err: 0, warn: 1, info: 2, debug: 3 };

export const XEN_PREFIX = '(XEN) ';
const PANIC_RULE = '****************************************';
/** warning_print() rule: 51 stars. */
const WARNING_RULE = '***************************************************';

/** Control flow for panic(): thrown by XenConsole.panic(), caught by startXen(). Not an error of ours. */
export class XenPanicSignal extends Error {
  constructor(readonly text: string, readonly beforeConsole: boolean) {
    super(text);
    this.name = 'XenPanicSignal';
  }
}

export class XenConsole {
  /** Lines printed while the serial console was up, with the prefix. */
  readonly lines: string[] = [];
  /** Lines printed before console_init_preirq(): only in the console ring (`xl dmesg`) up to 4.20. */
  readonly early: string[] = [];
  #up = false;
  #threshold: number;
  readonly warnings: string[] = [];
  /** Console values this model could only estimate (see XenResult.estimates). */
  readonly estimates: string[] = [];

  constructor(threshold: XenLogLevel, public noreboot = false) {
    this.#threshold = RANK[threshold];
  }

  get up(): boolean { return this.#up; }

  setThreshold(level: XenLogLevel): void { this.#threshold = RANK[level]; }

  /**
   * console_init_preirq(): from now on output reaches the UART (when there is one). From 4.21 it
   * first sends the console ring, i.e. every line printed so far, to the UART (conring_flush(),
   * RELEASE-4.21.2 xen/drivers/char/console.c:1101); before, those lines stay in the ring.
   */
  bringUp(flushRing = false): void {
    if (flushRing) this.lines.push(...this.early);
    this.#up = true;
  }

  /** printk(): one or more lines (split on "\n"; a trailing newline adds no empty line). */
  printk(text: string, level: XenLogLevel = 'warn'): void {
    if (RANK[level] > this.#threshold) return;
    const parts = text.split('\n');
    if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
    for (const p of parts) (this.#up ? this.lines : this.early).push(`${XEN_PREFIX}${p}`);
  }

  /** warning_add(): shown in a box by console_endboot(). */
  warningAdd(text: string): void { this.warnings.push(text); }

  /** warning_print() as called from console_endboot(). */
  warningPrint(): void {
    if (this.warnings.length === 0) return;
    this.printk(WARNING_RULE);
    for (const w of this.warnings) { this.printk(w); this.printk(WARNING_RULE); }
    this.printk('3... 2... 1... ');
  }

  /**
   * panic(): the box of console.c panic(), then the reboot line. Never returns. A message without
   * its final newline (a few 4.17 panics) runs into the closing rule on one line, as on the real console.
   */
  panic(text: string): never {
    const msg = text.replace(/\n$/, '');
    this.printk('');
    this.printk(PANIC_RULE, 'err');
    this.printk('Panic on CPU 0:', 'err');
    if (text.endsWith('\n')) {
      this.printk(msg, 'err');
      this.printk(PANIC_RULE, 'err');
    } else {
      this.printk(`${msg}${PANIC_RULE}`, 'err');
    }
    this.printk('', 'err');
    this.printk(this.noreboot ? "Manual reset required ('noreboot' specified)" : 'Reboot in five seconds...', 'err');
    throw new XenPanicSignal(msg, !this.#up);
  }
}

/** %016lx (PRIpaddr on arm64). */
export const paddr = (n: number): string => n.toString(16).padStart(16, '0');
/** %#016lx: "0x" counts towards the width of 16. */
export const paddrAlt = (n: number): string => `0x${n.toString(16).padStart(14, '0')}`;
