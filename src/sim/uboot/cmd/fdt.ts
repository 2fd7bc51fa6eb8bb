// Models U-Boot cmd/fdt.c do_fdt() (2023.01): sub-commands chosen by the prefix chain below, the
// working FDT read from and written back to simulated RAM (so later loads can clobber it), values
// parsed as fdt_parse_prop() does and printed as fdt_print()/print_data() do.
// Facts from the real 2023.01 run that the reference did not state:
//  - `fdt resize EXTRA` parses EXTRA as HEX (hextoul): `fdt resize 1024` adds 0x1024 bytes;
//  - `fdt rm` errors print two spaces ("fdt_delprop():  FDT_ERR_NOTFOUND") and return the libfdt error,
//    so FDT_ERR_NOTFOUND (-1 = CMD_RET_USAGE) also prints the usage text;
//  - `fdt get value` of one cell stores "0x%08X"; of 2..5 cells the cell bytes as read little-endian.
import { CMD_RET, defineCommand } from '../command.js';
import type { Machine } from '../machine.js';
import { hexToUl, strtoulBase0 } from '../env.js';
import { hexBare, hexPad } from '../../../util/hex.js';
import { fdtStrerror, E } from '../../../fdt/errors.js';
import {
  checkHeader, fdtVersion, lastCompVersion, nextTag, offDtStrings, offDtStruct, offMemRsvmap, totalsize, setTotalsize,
  bootCpuidPhys, sizeDtStrings, sizeDtStruct, ld32_,
} from '../../../fdt/header.js';
import { FDT_BEGIN_NODE, FDT_END, FDT_END_NODE, FDT_FIRST_SUPPORTED_VERSION, FDT_LAST_SUPPORTED_VERSION, FDT_NOP, FDT_PROP, FDT_V17_SIZE } from '../../../fdt/constants.js';
import { getName, getprop, getString, numMemRsv, pathOffset, getMemRsv } from '../../../fdt/ro.js';
import { addSubnode, delNode, delprop, openInto, setprop, addMemRsv, delMemRsv } from '../../../fdt/rw.js';
import { fdtChosen, fdtInitrd, fdtFixupMemoryBanks } from '../boot/fdt-support.js';
import { applyOverlay } from '../../../fdt/overlay.js';
import { atLeast } from '../version.js';

/** fdt_parse_prop() writes into a 1024-byte scratchpad (SCRATCHPAD). */
const SCRATCHPAD = 1024;
/** CMD_FDT_MAX_DUMP: longer values print as "* 0x%p [0x%08x]". */
const CMD_FDT_MAX_DUMP = 64;
const MAX_LEVEL = 32;

/** set_working_fdt_addr(): message + env fdtaddr. */
export function setWorkingFdtAddr(m: Machine, addr: number): void {
  m.workingFdt = addr;
  m.console.line(`Working FDT set to ${hexBare(addr)}`);
  m.env.setHex('fdtaddr', addr);
}

const pathErr = (m: Machine, err: number): number => {
  m.console.line(`libfdt fdt_path_offset() returned ${fdtStrerror(err)}`);
  return CMD_RET.FAILURE;
};

/** is_printable_string() of cmd/fdt.c. */
export function isPrintableString(d: Uint8Array): boolean {
  let len = d.length;
  if (len === 0) return false;
  if (d[len - 1] !== 0 && d[len - 1] !== 0x0a) return false;
  let i = 0;
  const ok = (c: number): boolean => c === 0 || (c >= 0x20 && c < 0x7f) || (c >= 0x09 && c <= 0x0d);
  while (len > 0 && ok(d[i]!)) {
    if (d[i] === 0) {
      if (len === 1) return true;
      if (d[i + 1] === 0) return false;
    }
    i++; len--;
  }
  return d[i] === undefined ? len === 0 : d[i] === 0 && len === 0;
}

/** print_data(): the value part of a property line. */
export function formatData(d: Uint8Array, dataAddr: number): string {
  if (d.length === 0) return '';
  if (isPrintableString(d)) {
    const strs: string[] = [];
    let j = 0;
    while (j < d.length) {
      let e = d.indexOf(0, j);
      if (e < 0) e = d.length;
      strs.push(Buffer.from(d.subarray(j, e)).toString('latin1'));
      j = e + 1;
    }
    return `"${strs.join('", "')}"`;
  }
  if (d.length > CMD_FDT_MAX_DUMP) return `* 0x${hexPad(dataAddr, 16)} [0x${hexPad(d.length, 8)}]`;
  if (d.length % 4 === 0) {
    const cells: string[] = [];
    for (let i = 0; i < d.length; i += 4) cells.push(`0x${hexPad(ld32_(d, i), 8)}`);
    return `<${cells.join(' ')}>`;
  }
  return `[${[...d].map((b) => hexPad(b, 2)).join(' ')}]`;
}

/** fdt_print(): a node subtree (depth-limited) or one property. */
function fdtPrint(m: Machine, blob: Uint8Array, path: string, prop: string | undefined, depth: number): number {
  const node = pathOffset(blob, path);
  if (node < 0) return pathErr(m, node);
  const addr = m.workingFdt!;
  if (prop !== undefined) {
    const v = getprop(blob, node, prop);
    if (typeof v === 'number') { m.console.line(`libfdt fdt_getprop(): ${fdtStrerror(v)}`); return CMD_RET.FAILURE; }
    if (v.length === 0) { m.console.line(`${path} ${prop}`); return CMD_RET.SUCCESS; }
    m.console.line(`${prop} = ${formatData(v, addr + v.byteOffset - blob.byteOffset)}`);
    return CMD_RET.SUCCESS;
  }
  const tabs = (level: number): string => '\t'.repeat(level);
  let offset = node;
  let level = 0;
  while (level >= 0) {
    const t = nextTag(blob, offset);
    switch (t.tag) {
      case FDT_BEGIN_NODE: {
        let name = getName(blob, offset);
        if (typeof name !== 'string') name = '/* NULL pointer error */';
        if (name === '') name = '/';
        if (level <= depth) m.console.line(`${tabs(level)}${name} {`);
        level++;
        if (level >= MAX_LEVEL) { m.console.line('Nested too deep, aborting.'); return CMD_RET.FAILURE; }
        break;
      }
      case FDT_END_NODE:
        level--;
        if (level <= depth) m.console.line(`${tabs(level)}};`);
        if (level === 0) level = -1;
        break;
      case FDT_PROP: {
        const abs = offDtStruct(blob) + offset;
        const len = ld32_(blob, abs + 4);
        const name = getString(blob, ld32_(blob, abs + 8));
        const pname = typeof name === 'string' ? name : '';
        const data = blob.subarray(abs + 12, abs + 12 + len);
        if (level <= depth) {
          if (len === 0) m.console.line(`${tabs(level)}${pname};`);
          else m.console.line(`${tabs(level)}${pname} = ${formatData(data, addr + abs + 12)};`);
        }
        break;
      }
      case FDT_NOP:
        m.console.line(`${tabs(level)}/* NOP */`);
        break;
      case FDT_END:
        return CMD_RET.FAILURE;
      default:
        if (level <= depth) m.console.line(`Unknown tag 0x${hexPad(t.tag, 8).toUpperCase()}`);
        return CMD_RET.FAILURE;
    }
    if (t.next < 0) return CMD_RET.FAILURE;
    offset = t.next;
  }
  return CMD_RET.SUCCESS;
}

/** fdt_parse_prop(): VAL words → property bytes; `old` is the current value (for `?` cells). */
export function parsePropValue(m: Machine, words: readonly string[], old: Uint8Array | undefined): Uint8Array | undefined {
  const data = new Uint8Array(SCRATCHPAD + 64);
  if (old) data.set(old.subarray(0, Math.min(old.length, data.length)));
  let len = 0;
  let idx = 0;
  let w: string | undefined = words[0] ?? '';
  let p: number;
  if (w[0] === '<') {
    p = 1;
    while (idx < words.length && w !== undefined && w[p] !== '>') {
      if (p >= w.length) { idx++; w = words[idx]; p = 0; continue; }
      const cp = w.slice(p);
      if (cp[0] === '?') {
        p += 1;
      } else {
        const r = strtoulBase0(cp);
        if (r.digits === 0) { m.console.line(`Sorry, I could not convert "${cp}"`); return undefined; }
        const v = r.value % 0x1_0000_0000;
        data[len] = Math.floor(v / 0x1000000); data[len + 1] = Math.floor(v / 0x10000) % 256;
        data[len + 2] = Math.floor(v / 0x100) % 256; data[len + 3] = v % 256;
        p = w.length - r.rest.length;
      }
      len += 4;
      if (len > SCRATCHPAD) { m.console.line(`prop (${len}) doesn't fit in scratchpad!`); return undefined; }
      while (w[p] === ' ') p++;
    }
    if (w === undefined || w[p] !== '>') {
      // Past the last word U-Boot reads argv[argc] (NULL) → the byte at address 0; on QEMU virt that
      // is flash and prints a newline (observed: "Unexpected character '\n'").
      m.console.line(`Unexpected character '${w === undefined ? '\n' : w[p] ?? ''}'`);
      return undefined;
    }
    return data.slice(0, len);
  }
  if (w[0] === '[') {
    p = 1;
    while (idx < words.length && w !== undefined && w[p] !== ']') {
      while (w[p] === ' ') p++;
      if (p >= w.length) { idx++; w = words[idx]; p = 0; continue; }
      if (!/[0-9a-fA-F]/.test(w[p]!)) break;
      const m2 = /^[0-9a-fA-F]+/.exec(w.slice(p))!;
      data[len++] = parseInt(m2[0].slice(-2), 16);
      p += m2[0].length;
    }
    if (w === undefined || w[p] !== ']') {
      m.console.line(`Unexpected character '${w === undefined ? '\n' : w[p] ?? ''}'`);
      return undefined;
    }
    return data.slice(0, len);
  }
  const parts: number[] = [];
  for (const s of words) {
    for (let i = 0; i < s.length; i++) parts.push(s.charCodeAt(i) & 0xff);
    parts.push(0);
  }
  if (parts.length > SCRATCHPAD) { m.console.line(`prop (${parts.length}) doesn't fit in scratchpad!`); return undefined; }
  return new Uint8Array(parts);
}

/**
 * fdt_value_env_set(). `index` is the optional last argument (undefined when absent). Changes, from
 * cmd/fdt.c at the tags: v2023.04 reads a given index of a cell array as one "0x%08X" cell (an index past
 * the end fails silently); v2026.04 prints the cells big-endian (before: in the CPU's order, little-endian
 * on arm64) and any length (before: at most 20 bytes, else "error: unprintable value").
 */
function valueEnvSet(m: Machine, v: Uint8Array, varName: string, index: number | undefined): number {
  if (isPrintableString(v)) {
    let j = 0;
    for (let i = 0; j < v.length; i++) {
      let e = v.indexOf(0, j);
      if (e < 0) e = v.length;
      if (i === (index ?? 0)) { m.env.set(varName, Buffer.from(v.subarray(j, e)).toString('latin1')); return 0; }
      j = e + 1;
    }
    return CMD_RET.FAILURE;
  }
  if (v.length === 4) { m.env.set(varName, `0x${hexPad(ld32_(v, 0), 8).toUpperCase()}`); return 0; }
  if (v.length % 4 === 0 && index !== undefined && atLeast(m.version, '2023.04')) {
    if (index * 4 >= v.length) return CMD_RET.FAILURE;
    m.env.set(varName, `0x${hexPad(ld32_(v, index * 4), 8).toUpperCase()}`);
    return 0;
  }
  if (atLeast(m.version, '2026.04')) {
    // Whole cells, big-endian, cut to 2 × len digits (a last partial cell reads past the property: zeros here).
    const padded = new Uint8Array(Math.ceil(v.length / 4) * 4);
    padded.set(v);
    let s = '';
    for (let i = 0; i < padded.length; i += 4) s += hexPad(ld32_(padded, i), 8);
    m.env.set(varName, s.slice(0, 2 * v.length));
    return 0;
  }
  if (v.length % 4 === 0 && v.length <= 20) {
    let s = '';
    for (let i = 0; i < v.length; i += 4) s += hexPad(v[i]! + v[i + 1]! * 0x100 + v[i + 2]! * 0x10000 + v[i + 3]! * 0x1000000, 8);
    m.env.set(varName, s);
    return 0;
  }
  m.console.line('error: unprintable value');
  return CMD_RET.FAILURE;
}

/** The gap after "libfdt fdt_delprop():" and the like: two spaces until v2023.04 made it one (cmd/fdt.c). */
const libfdtGap = (m: Machine): string => (atLeast(m.version, '2023.04') ? ' ' : '  ');

/** simple_strtoul(s, NULL, 10): the leading decimal digits, 0 when there are none. */
function decimalIndex(s: string): number {
  const d = /^\s*\+?(\d*)/.exec(s)![1]!;
  return d ? Number(d) : 0;
}

function fdtHeader(m: Machine, blob: Uint8Array): number {
  const n = numMemRsv(blob);
  const l = (k: string, v: string): void => m.console.line(`${k}${v}`);
  l('magic:\t\t\t', `0x${hexBare(ld32_(blob, 0))}`);
  l('totalsize:\t\t', `0x${hexBare(totalsize(blob))} (${totalsize(blob)})`);
  l('off_dt_struct:\t\t', `0x${hexBare(offDtStruct(blob))}`);
  l('off_dt_strings:\t\t', `0x${hexBare(offDtStrings(blob))}`);
  l('off_mem_rsvmap:\t\t', `0x${hexBare(offMemRsvmap(blob))}`);
  l('version:\t\t', `${fdtVersion(blob)}`);
  l('last_comp_version:\t', `${lastCompVersion(blob)}`);
  l('boot_cpuid_phys:\t', `0x${hexBare(bootCpuidPhys(blob))}`);
  l('size_dt_strings:\t', `0x${hexBare(sizeDtStrings(blob))}`);
  l('size_dt_struct:\t\t', `0x${hexBare(sizeDtStruct(blob))}`);
  l('number mem_rsv:\t\t', `0x${hexBare(Math.max(0, n))}`);
  m.console.line('');
  return CMD_RET.SUCCESS;
}

type Sub = (m: Machine, argv: readonly string[], blob: Uint8Array) => { rc: number; dirty?: boolean };

/** cmd/fdt.c fdt_valid(): the header error, more informative on a bad version. */
function checkHeaderMessage(blob: Uint8Array, err: number): string {
  let msg = `libfdt fdt_check_header(): ${fdtStrerror(err)}`;
  if (err === E.BADVERSION) {
    if (fdtVersion(blob) < FDT_FIRST_SUPPORTED_VERSION) msg += ` - too old, fdt ${fdtVersion(blob)} < ${FDT_FIRST_SUPPORTED_VERSION}`;
    if (lastCompVersion(blob) > FDT_LAST_SUPPORTED_VERSION) msg += ` - too new, fdt ${fdtVersion(blob)} > ${FDT_LAST_SUPPORTED_VERSION}`;
  }
  return msg;
}

const subAddr = (m: Machine, argv: readonly string[]): number => {
  let args = argv.slice(2);
  let quiet = false;
  let control = false;
  while (args[0]?.startsWith('-')) {
    if (args[0].includes('q')) quiet = true;
    if (args[0].includes('c')) control = true;
    args = args.slice(1);
  }
  if (args.length === 0) {
    if (control) {
      // "Control fdt: %08lx" with gd->fdt_blob's address: fdtcontroladdr until `fdt addr -c ADDR` moved it.
      const at = m.controlFdtAddr ?? (m.env.get('fdtcontroladdr') !== undefined ? hexToUl(m.env.get('fdtcontroladdr')!).value : undefined);
      if (at === undefined || m.controlFdt === undefined || checkHeader(m.controlFdt) < 0) return CMD_RET.FAILURE;
      m.console.line(`Control fdt: ${hexPad(at, 8)}`);
      return CMD_RET.SUCCESS;
    }
    if (m.workingFdt !== undefined) m.console.line(`Working fdt: ${hexPad(m.workingFdt, 8)}`);
    return CMD_RET.SUCCESS;
  }
  const addr = hexToUl(args[0]!).value;
  const blob = m.readFdt(addr) ?? m.ram.read(addr, 40);
  const err = checkHeader(blob);
  if (err < 0) {
    if (!quiet) m.console.line(checkHeaderMessage(blob, err));
    return CMD_RET.FAILURE;
  }
  // gd->fdt_blob = blob: U-Boot's own DT (signature keys included) is now the blob at ADDR.
  if (control) m.controlFdtAddr = addr;
  else setWorkingFdtAddr(m, addr);
  if (args[1] !== undefined) {
    // `int len = hextoul(...)`: the low 32 bits, signed; `len < fdt_totalsize()` compares as unsigned.
    const len = Number(BigInt.asIntN(32, hexToUl(args[1]).big));
    const total = totalsize(blob);
    if (len >>> 0 < total) {
      if (!quiet) m.console.line(`New length ${len} < existing length ${total}, ignoring`);
    } else {
      // fdt_open_into(blob, blob, len) in place; a negative int length is -FDT_ERR_NOSPACE (fdt_move()).
      let err: number = E.NOSPACE;
      if (len >= 0) {
        const buf = m.ram.read(addr, len);
        err = openInto(buf, buf, len);
        if (err === 0) m.commitFdt(addr, buf);
      }
      // The error is printed, but `fdt addr` still returns success (cmd/fdt.c).
      if (!quiet && err !== 0) m.console.line(`libfdt fdt_open_into(): ${fdtStrerror(err)}`);
    }
  }
  return CMD_RET.SUCCESS;
};

const subResize: Sub = (m, argv, blob) => {
  // `uint extrasize = hextoul(...)`, and fdt_shrink_to_minimum() adds and aligns in uint: the sizes
  // wrap at 4 GiB, so `fdt resize 0xffffffff` grows the blob by nothing (real U-Boot does the same).
  const extra = argv[2] !== undefined ? Number(hexToUl(argv[2]).big & 0xffffffffn) : 0;
  const addr = m.workingFdt!;
  const rsv = ownReservation(blob, addr);
  if (rsv >= 0) delMemRsv(blob, rsv);
  const pageOff = addr % 0x1000;
  let actual = (offDtStrings(blob) + sizeDtStrings(blob) + 5 * 16 + extra) >>> 0;
  actual = ((actual + pageOff + 0xfff) - ((actual + pageOff + 0xfff) % 0x1000)) >>> 0;
  actual = (actual - pageOff) >>> 0;
  if (rsv < 0) {
    // Only the header changes; the bytes up to the new end are whatever RAM holds.
    setTotalsize(blob, actual);
    return { rc: CMD_RET.SUCCESS, dirty: true };
  }
  // The reservation is added back, which needs the new room: materialise up to the new end.
  const buf = actual > blob.length ? m.ram.read(addr, actual) : blob;
  if (buf !== blob) buf.set(blob);
  setTotalsize(buf, actual);
  addMemRsv(buf, addr, actual);
  if (buf !== blob) { m.commitFdt(addr, buf); return { rc: CMD_RET.SUCCESS }; }
  return { rc: CMD_RET.SUCCESS, dirty: true };
};

/** Index of the /memreserve/ entry for the blob's own address (fdt_shrink_to_minimum() moves it), or -1. */
function ownReservation(blob: Uint8Array, addr: number): number {
  const n = numMemRsv(blob);
  for (let i = 0; i < n; i++) {
    const r = getMemRsv(blob, i);
    if (typeof r !== 'number' && r.address === addr) return i;
  }
  return -1;
}

const subPrint: Sub = (m, argv, blob) => {
  const depth = argv[1]![0] === 'l' ? 1 : MAX_LEVEL;
  return { rc: fdtPrint(m, blob, argv[2] ?? '/', argv[3], depth) };
};

const subSet: Sub = (m, argv, blob) => {
  if (argv.length < 4) return { rc: CMD_RET.USAGE };
  const node = pathOffset(blob, argv[2]!);
  if (node < 0) return { rc: pathErr(m, node) };
  let value: Uint8Array;
  if (argv.length === 4) value = new Uint8Array(0);
  else {
    const old = getprop(blob, node, argv[3]!);
    if (typeof old !== 'number' && old.length > SCRATCHPAD) { m.console.line(`prop (${old.length}) doesn't fit in scratchpad!`); return { rc: CMD_RET.FAILURE }; }
    const v = parsePropValue(m, argv.slice(4), typeof old === 'number' ? undefined : old);
    if (!v) return { rc: CMD_RET.FAILURE };
    value = v;
  }
  const err = setprop(blob, node, argv[3]!, value);
  if (err < 0) { m.console.line(`libfdt fdt_setprop(): ${fdtStrerror(err)}`); return { rc: CMD_RET.FAILURE }; }
  return { rc: CMD_RET.SUCCESS, dirty: true };
};

const subGet: Sub = (m, argv, blob) => {
  const kind = argv[2];
  if (argv.length < 5 || kind === undefined) return { rc: CMD_RET.USAGE };
  const varName = argv[3]!;
  const node = pathOffset(blob, argv[4]!);
  if (node < 0) return { rc: pathErr(m, node) };
  if (kind[0] === 'v') {
    if (argv.length < 6) return { rc: CMD_RET.USAGE };
    const v = getprop(blob, node, argv[5]!);
    if (typeof v === 'number') { m.console.line(`libfdt fdt_getprop(): ${fdtStrerror(v)}`); return { rc: CMD_RET.FAILURE }; }
    // The index is decimal from v2023.04 (simple_strtoul(…, 10)); 2023.01 only indexes string lists.
    const index = argv[6] === undefined ? undefined : atLeast(m.version, '2023.04') ? decimalIndex(argv[6]) : hexToUl(argv[6]).value;
    return { rc: valueEnvSet(m, v, varName, index) };
  }
  if (kind[0] === 's') {
    if (argv[5] !== undefined) {
      const v = getprop(blob, node, argv[5]);
      if (typeof v === 'number') { m.console.line(`libfdt fdt_getprop(): ${fdtStrerror(v)}`); return { rc: CMD_RET.FAILURE }; }
      m.env.setHex(varName, v.length);
    } else {
      let count = 0;
      for (let d = { depth: 0 }, o = node; ;) {
        const t = nextTag(blob, o);
        if (t.next < 0) break;
        if (t.tag === FDT_BEGIN_NODE) { d.depth++; if (d.depth === 2) count++; }
        if (t.tag === FDT_END_NODE) { d.depth--; if (d.depth === 0) break; }
        o = t.next;
      }
      m.env.setHex(varName, count);
    }
    return { rc: CMD_RET.SUCCESS };
  }
  return { rc: CMD_RET.USAGE };
};

const subMknode: Sub = (m, argv, blob) => {
  if (argv.length < 4) return { rc: CMD_RET.USAGE };
  const node = pathOffset(blob, argv[2]!);
  if (node < 0) return { rc: pathErr(m, node) };
  const err = addSubnode(blob, node, argv[3]!);
  if (err < 0) { m.console.line(`libfdt fdt_add_subnode(): ${fdtStrerror(err)}`); return { rc: CMD_RET.FAILURE }; }
  return { rc: CMD_RET.SUCCESS, dirty: true };
};

const subRm: Sub = (m, argv, blob) => {
  if (argv.length < 3) return { rc: CMD_RET.USAGE };
  const node = pathOffset(blob, argv[2]!);
  if (node < 0) return { rc: pathErr(m, node) };
  if (argv.length > 3) {
    const err = delprop(blob, node, argv[3]!);
    if (err < 0) { m.console.line(`libfdt fdt_delprop():${libfdtGap(m)}${fdtStrerror(err)}`); return { rc: err }; }
  } else {
    const err = delNode(blob, node);
    if (err < 0) { m.console.line(`libfdt fdt_del_node():${libfdtGap(m)}${fdtStrerror(err)}`); return { rc: err }; }
  }
  return { rc: CMD_RET.SUCCESS, dirty: true };
};

const subHeader: Sub = (m, _argv, blob) => ({ rc: fdtHeader(m, blob) });

const subMemory: Sub = (m, argv, blob) => {
  if (argv.length < 4) return { rc: CMD_RET.USAGE };
  // simple_strtoull(…, 16): 64-bit values, packed as the root's #address-cells/#size-cells say.
  const start = hexToUl(argv[2]!).big;
  const size = hexToUl(argv[3]!).big;
  const err = fdtFixupMemoryBanks(m, blob, [{ start, size }]);
  return { rc: err < 0 ? CMD_RET.FAILURE : CMD_RET.SUCCESS, dirty: true };
};

const subRsvmem: Sub = (m, argv, blob) => {
  const op = argv[2] ?? '';
  if (op.startsWith('pr')) {
    const n = numMemRsv(blob);
    m.console.line('index\t\t   start\t\t    size');
    m.console.line('-------------------------------------------------');
    for (let i = 0; i < n; i++) {
      const r = getMemRsv(blob, i);
      if (typeof r === 'number') break;
      m.console.line(`    ${hexBare(i)}\t${hexPad(r.address, 16)}\t${hexPad(r.size, 16)}`);
    }
    return { rc: CMD_RET.SUCCESS };
  }
  if (op.startsWith('a') && argv.length >= 5) {
    const err = addMemRsv(blob, hexToUl(argv[3]!).value, hexToUl(argv[4]!).value);
    if (err < 0) { m.console.line(`libfdt fdt_add_mem_rsv():${libfdtGap(m)}${fdtStrerror(err)}`); return { rc: err }; }
    return { rc: CMD_RET.SUCCESS, dirty: true };
  }
  if (op.startsWith('de') && argv.length >= 4) {
    const err = delMemRsv(blob, hexToUl(argv[3]!).value);
    if (err < 0) { m.console.line(`libfdt fdt_del_mem_rsv():${libfdtGap(m)}${fdtStrerror(err)}`); return { rc: err }; }
    return { rc: CMD_RET.SUCCESS, dirty: true };
  }
  return { rc: CMD_RET.USAGE };
};

const subChosen: Sub = (m, argv, blob) => {
  let start = 0;
  let end = 0;
  if (argv.length === 4) {
    start = hexToUl(argv[2]!).value;
    end = start + hexToUl(argv[3]!).value - 1; // cmd/fdt.c: initrd_end = start + size - 1
  }
  if (fdtChosen(m, blob) < 0) return { rc: CMD_RET.FAILURE, dirty: true };
  fdtInitrd(m, blob, start, end);
  return { rc: CMD_RET.SUCCESS, dirty: true };
};

const subApply: Sub = (m, argv, blob) => {
  // Without CONFIG_OF_LIBFDT_OVERLAY cmd/fdt.c has no `apply` branch: the usage text, as seen on
  // Debian's qemu_arm64 2023.01 and 2025.01.
  if (!(m.board.fdtOverlay ?? atLeast(m.version, '2026.07'))) return { rc: CMD_RET.USAGE };
  if (argv.length !== 3) return { rc: CMD_RET.USAGE };
  const addr = hexToUl(argv[2]!).value;
  // The overlay is edited where it lies: libfdt raises its phandles and erases its magic.
  const overlay = m.readFdt(addr, { inPlace: true }) ?? m.ram.read(addr, 40);
  const err = checkHeader(overlay);
  if (err < 0) {
    m.console.line(checkHeaderMessage(overlay, err));
    return { rc: CMD_RET.FAILURE };
  }
  // boot/fdt_support.c fdt_overlay_apply_verbose(): the hint about -@ is given whenever the base had no symbols.
  const hadSymbols = pathOffset(blob, '/__symbols__') >= 0;
  // U-Boot 2023.01 carries libfdt from dtc 1.6.1, from before overlays kept the base's phandles.
  const r = applyOverlay(blob, overlay, { keepBasePhandles: atLeast(m.version, '2024.01') });
  m.commitFdt(addr, overlay);
  if (r < 0) {
    m.console.line(`failed on fdt_overlay_apply(): ${fdtStrerror(r)}`);
    if (!hadSymbols) {
      m.console.line('base fdt does did not have a /__symbols__ node');
      m.console.line("make sure you've compiled with -@");
    }
    return { rc: CMD_RET.FAILURE, dirty: true };
  }
  return { rc: CMD_RET.SUCCESS, dirty: true };
};

const notModelled = (what: string): Sub => (m) => {
  m.console.line(`fdt ${what}: not modelled by the simulator`);
  return { rc: CMD_RET.FAILURE };
};

/** Prefix chain of do_fdt() (after `addr` and the "no working FDT" check), in upstream order. */
const FDT_SUBCMDS: ReadonlyArray<readonly [match: (s: string) => boolean, fn: Sub]> = [
  [(s) => s.startsWith('mo'), notModelled('move')],
  [(s) => s.startsWith('re'), subResize],
  [(s) => s[0] === 'p' || s[0] === 'l', subPrint],
  [(s) => s.startsWith('se'), subSet],
  [(s) => s[0] === 'g', subGet],
  [(s) => s.startsWith('mk'), subMknode],
  [(s) => s.startsWith('rm'), subRm],
  [(s) => s.startsWith('he'), subHeader],
  [(s) => s.startsWith('boo'), notModelled('bootcpu')],
  [(s) => s.startsWith('me'), subMemory],
  [(s) => s.startsWith('rs'), subRsvmem],
  [(s) => s.startsWith('cho'), subChosen],
  [(s) => s.startsWith('che'), notModelled('checksign')],
  [(s) => s.startsWith('ap'), subApply],
];

export default defineCommand({
  name: 'fdt', maxArgs: 255, repeatable: false, source: 'cmd/fdt.c',
  usage: 'flattened device tree utility commands',
  help: 'addr [-c] [-q] <addr> [<size>]  - select the working FDT\n'
    + 'fdt resize [<extrasize>]            - set totalsize so the blob ends on 4 KiB (+ extrasize, hex)\n'
    + 'fdt print  <path> [<prop>]          - print a subtree or a property\n'
    + 'fdt list   <path> [<prop>]          - print one level\n'
    + 'fdt get value|size <var> <path> [<prop>] - store a value or size in <var>\n'
    + 'fdt set    <path> <prop> [<val>]    - set a property\n'
    + 'fdt mknode <path> <node>            - add a child node\n'
    + 'fdt rm     <path> [<prop>]          - delete a node or property\n'
    + 'fdt header                          - show the header\n'
    + 'fdt memory <addr> <size>            - rewrite /memory\n'
    + 'fdt rsvmem print|add|delete         - memory reservations\n'
    + 'fdt chosen [<start> <size>]         - fill /chosen\n'
    + 'fdt apply <addr>                    - apply an overlay',
  run(m, argv) {
    const sub = argv[1];
    if (sub === undefined) return CMD_RET.USAGE;
    if (sub.startsWith('ad')) return subAddr(m, argv);
    if (m.workingFdt === undefined) {
      m.console.puts('No FDT memory address configured. Please configure\nthe FDT address via "fdt addr <address>" command.\nAborting!\n');
      return CMD_RET.FAILURE;
    }
    const hit = FDT_SUBCMDS.find(([match]) => match(sub));
    if (!hit) return CMD_RET.USAGE;
    const addr = m.workingFdt;
    // Edited in place when RAM already holds the blob as one piece (the usual case after the first
    // edit): a script of thousands of `fdt` edits then costs no copy of the blob per command.
    // A blob whose magic is gone (a failed `fdt apply` erases it) is still the working FDT: each
    // sub-command's libfdt call then fails on the header and prints its own message, as on a board.
    const blob = m.readFdt(addr, { inPlace: true }) ?? m.ram.read(addr, FDT_V17_SIZE);
    const r = hit[1](m, argv, blob);
    if (r.dirty) m.commitFdt(addr, blob);
    return r.rc;
  },
});
