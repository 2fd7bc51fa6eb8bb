// Reading a script image given on the command line (`uboot-gen simulate FILE`). The path is
// checked before a byte is read: a FIFO would block forever and /dev/zero would never end, and
// a script image has a bounded size anyway, since U-Boot copies the script into its heap twice
// (run_command_list() and parse_string_outer()) before running it.
import * as fs from 'node:fs';
import { UbootGenError } from '../../errors.js';
import { formatBytes } from '../budget.js';
import { readRangeFd } from '../../util/file.js';

/**
 * Largest script image accepted: 64 MiB, four times the 16 MiB heap of qemu_arm64 U-Boot
 * (CONFIG_SYS_MALLOC_LEN) and far above real scripts (the 128-domU bench script is 96 KiB).
 */
export const MAX_SCRIPT_IMAGE_BYTES = 64 * 1024 * 1024;

function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

const bad = (file: string, message: string, hint: string): UbootGenError =>
  new UbootGenError('SIM_BAD_INPUT', message, { file }, { file }, hint);

/** The bytes of the script image at `file`, after checking it is a regular file of a plausible size. */
export function readScriptImage(file: string): Uint8Array {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer must not wait; fstat below then refuses it.
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    if (code === 'EISDIR') throw bad(file, 'this is a directory, not a script image', 'give the boot.scr file (made with mkimage -T script)');
    throw new UbootGenError('IMAGE_NOT_FOUND', `cannot read the script image (${code})`, { file }, { file }, 'check the path of the script image');
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw bad(file, `this is ${kindOf(st)}, not a script image`, 'give the boot.scr file (made with mkimage -T script)');
    if (st.size > MAX_SCRIPT_IMAGE_BYTES) {
      throw bad(file, `this file is ${formatBytes(st.size)}, more than the ${formatBytes(MAX_SCRIPT_IMAGE_BYTES)} a script image can be`,
        'U-Boot copies a script into its heap (16 MiB on QEMU virt) before running it; give the boot.scr, not a kernel or disk image');
    }
    return new Uint8Array(readRangeFd(fd, 0, st.size));
  } finally {
    fs.closeSync(fd);
  }
}
