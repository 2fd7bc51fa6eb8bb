// ImageBuilder's memory keys: DOMU_STATIC_MEM[n] and DOMU_DIRECT_MAP[n] (add_device_tree_mem(),
// add_device_tree_static_mem()), XEN_STATIC_HEAP (add_device_tree_static_heap(), ML2),
// DOMU_SHARED_MEM[n] (add_device_tree_static_shared_mem(), ML3/ML14) and DOMU_STATIC_EVTCHNS[n]
// (xen_dt_build_evtchns_map()/xen_dt_domu_add_evtchns(), ML31), read into typed values with the
// limits Xen applies when it parses what ImageBuilder writes (xen/arch/arm static memory,
// static shared memory and static event channel code, 4.17–4.20).
import { ConfigError, type DiagnosticCode } from '../errors.js';
import { ArithError, evaluateArithmetic } from './arith.js';
import type { RawValue } from './parse.js';
import type { SourcePos } from './types.js';

/** A physical range [start, start+size). */
export interface MemBank { start: number; size: number }

export interface DomUStaticMem {
  /** DOMU_STATIC_MEM[n] banks, in the order written. */
  banks: MemBank[];
  /** DOMU_DIRECT_MAP[n] (default 1): `direct-map`, guest addresses equal to the host's. */
  directMap: boolean;
  /** The node's `memory` in KiB: ImageBuilder writes the banks' sum (>> 10), whatever DOMU_MEM says. */
  memKiB: number;
}

export interface DomUSharedMem {
  /** xen,shm-id (at most 15 characters: Xen's MAX_SHM_ID_LENGTH is 16 with the NUL). */
  id: string;
  /** Host physical address; undefined when omitted (Xen 4.19+ then picks it). */
  hostAddr?: number;
  /** The host address as written: ImageBuilder names the node `shared-mem@<as written>`. */
  hostAddrText?: string;
  guestAddr: number;
  size: number;
}

export interface StaticEvtchn {
  /** Local port (the node is `evtchn@<port>`). */
  port: number;
  /** Index of the peer domU and its port. */
  remoteDomU: number;
  remotePort: number;
  /** This endpoint's phandle and the peer's (ImageBuilder counts down from 0xfffffffe). */
  phandle: number;
  remotePhandle: number;
}

/** Page size Xen maps static memory and shared memory with. */
export const XEN_PAGE_SIZE = 0x1000;
/** MAX_SHM_ID_LENGTH of Xen (NUL included). */
export const MAX_SHM_ID_LENGTH = 16;
/** max_evtchn_port of a dom0less domU (create_domUs(): 1023). */
export const DOMU_MAX_EVTCHN_PORT = 1023;
/** ImageBuilder's first phandle; each new one is one less. */
export const FIRST_PHANDLE = 0xfffffffe;
/** The end of the 52-bit arm64 physical address space. */
const MAX_PHYS = 2 ** 52;

export type Lookup = (name: string, sub?: string) => RawValue | undefined;
export type Warn = (code: DiagnosticCode, message: string, where: SourcePos, key: string, hint?: string) => void;

const ordinal = (i: number): string => {
  const n = i + 1;
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${s}`;
};
const hx = (n: number): string => `0x${n.toString(16)}`;

function fail(code: ConstructorParameters<typeof ConfigError>[0], v: RawValue, message: string, hint: string): never {
  throw new ConfigError(code, `${v.key}: ${message}`, { key: v.key, value: v.value }, { ...v.valueWhere, key: v.key }, hint);
}

/** One number of a list as ImageBuilder's $(( )) reads it (hex, decimal, octal), within the 52-bit space. */
function listNumber(v: RawValue, word: string, index: number, hint: string): number {
  let n: bigint;
  try {
    n = evaluateArithmetic(word, () => undefined);
  } catch (e) {
    if (!(e instanceof ArithError)) throw e;
    fail('CONFIG_BAD_VALUE', v, `the ${ordinal(index)} word "${word}" is not a number (${e.message})`, hint);
  }
  if (n < 0n || n > BigInt(MAX_PHYS)) fail('CONFIG_OUT_OF_RANGE', v, `the ${ordinal(index)} word "${word}" is outside the 52-bit arm64 physical address space`, hint);
  return Number(n);
}

/**
 * "base size base size ...": page-aligned, non-empty, non-overlapping banks. `what` names the
 * list in messages ("static memory bank", "static heap bank").
 */
export function parseBankList(v: RawValue, what: string, example: string): MemBank[] {
  const hint = `write pairs of "base size" in bytes, 4 KiB aligned, e.g. ${v.key}="${example}"`;
  const words = v.value.split(/[ \t\n]+/).filter((w) => w !== '');
  if (words.length === 0) fail('CONFIG_BAD_VALUE', v, 'has no bank', hint);
  if (words.length % 2 !== 0) fail('CONFIG_BAD_VALUE', v, `has ${words.length} numbers; it needs pairs of "base size"`, hint);
  const banks: MemBank[] = [];
  for (let i = 0; i < words.length; i += 2) {
    const start = listNumber(v, words[i]!, i, hint);
    const size = listNumber(v, words[i + 1]!, i + 1, hint);
    const b = banks.length;
    if (size === 0) fail('CONFIG_BAD_VALUE', v, `${what} ${b} (${words[i]}) has size 0`, hint);
    if (start % XEN_PAGE_SIZE !== 0 || size % XEN_PAGE_SIZE !== 0) {
      fail('CONFIG_BAD_VALUE', v, `${what} ${b} ${hx(start)}+${hx(size)} is not 4 KiB aligned: Xen maps it in whole pages`, hint);
    }
    if (start + size > MAX_PHYS) fail('CONFIG_OUT_OF_RANGE', v, `${what} ${b} ${hx(start)}+${hx(size)} ends past the 52-bit arm64 physical address space`, hint);
    const clash = banks.findIndex((o) => start < o.start + o.size && o.start < start + size);
    if (clash >= 0) {
      fail('CONFIG_CONFLICT', v, `${what} ${b} ${hx(start)}..${hx(start + size)} overlaps ${what} ${clash} ${hx(banks[clash]!.start)}..${hx(banks[clash]!.start + banks[clash]!.size)}`,
        'give each bank its own range');
    }
    banks.push({ start, size });
  }
  return banks;
}

/**
 * DOMU_STATIC_MEM[n] + DOMU_DIRECT_MAP[n] + the `memory` ImageBuilder derives. `memV` is DOMU_MEM[n]
 * as set (undefined when unset), `memMB` its value (0 = unset).
 */
export function readDomUStaticMem(get: Lookup, n: number, memV: RawValue | undefined, memMB: number, warn: Warn): DomUStaticMem | undefined {
  const sub = String(n);
  const sv = get('DOMU_STATIC_MEM', sub);
  const dv = get('DOMU_DIRECT_MAP', sub);
  let directMap = true;
  if (dv) {
    const t = dv.value.trim();
    if (t !== '0' && t !== '1') fail('CONFIG_BAD_VALUE', dv, `must be 0 or 1, got "${dv.value}"`, 'use 1 (direct-map: guest addresses equal host addresses, the default) or 0');
    directMap = t === '1';
  }
  if (!sv) {
    if (dv) {
      warn('CONFIG_STATIC_IGNORED', `${dv.key} is set but DOMU_STATIC_MEM[${n}] is not: ImageBuilder writes direct-map only for a domain with static memory, so it is ignored`,
        dv.where, dv.key, `set DOMU_STATIC_MEM[${n}] too, or remove ${dv.key}`);
    }
    return undefined;
  }
  const banks = parseBankList(sv, 'static memory bank', '0x50000000 0x10000000');
  const total = banks.reduce((s, b) => s + b.size, 0);
  const memKiB = Math.floor(total / 1024);
  if (memV && memMB !== 0 && memMB * 1024 !== memKiB) {
    // add_device_tree_mem(): "<path>: specified DOMU_MEM does not match DOMU_STATIC_MEM amount. Ignoring DOMU_MEM."
    warn('CONFIG_STATIC_IGNORED',
      `/chosen/domU${n}: specified DOMU_MEM does not match DOMU_STATIC_MEM amount. Ignoring DOMU_MEM. (${memV.key}=${memMB} MiB, the static banks hold ${total / 2 ** 20} MiB; memory is set to the banks' sum, as Xen requires)`,
      memV.where, memV.key, `set ${memV.key}=${total % 2 ** 20 === 0 ? total / 2 ** 20 : '…'} or remove it`);
  }
  return { banks, directMap, memKiB };
}

/** DOMU_SHARED_MEM[n] = "ID [HPA] GPA SIZE". */
export function readDomUSharedMem(get: Lookup, n: number): DomUSharedMem | undefined {
  const v = get('DOMU_SHARED_MEM', String(n));
  if (!v) return undefined;
  const hint = `write "ID HOST_ADDR GUEST_ADDR SIZE" (or "ID GUEST_ADDR SIZE" to let Xen 4.19+ pick the host range), e.g. ${v.key}="my-shared-mem-0 0x50000000 0x4000000 0x10000000"`;
  const words = v.value.split(/[ \t\n]+/).filter((w) => w !== '');
  if (words.length !== 3 && words.length !== 4) fail('CONFIG_BAD_VALUE', v, `has ${words.length} words; it needs 3 or 4`, hint);
  const id = words[0]!;
  if (id.length >= MAX_SHM_ID_LENGTH) {
    fail('CONFIG_BAD_VALUE', v, `the ID "${id}" has ${id.length} characters; Xen takes at most ${MAX_SHM_ID_LENGTH - 1} ("fdt: invalid xen,shm-id ..., it must be limited to ${MAX_SHM_ID_LENGTH} characters")`, hint);
  }
  if (!/^[A-Za-z0-9_.,:+@-]+$/.test(id)) {
    fail('CONFIG_BAD_VALUE', v, `the ID "${id}" has a character that cannot stay inside a U-Boot string; use letters, digits and _ . , : + @ -`, hint);
  }
  const nums = words.slice(1).map((w, i) => listNumber(v, w, i + 1, hint));
  const hasHost = nums.length === 3;
  const [hostAddr, guestAddr, size] = hasHost ? [nums[0], nums[1]!, nums[2]!] : [undefined, nums[0]!, nums[1]!];
  if (size === 0) fail('CONFIG_BAD_VALUE', v, 'the size is 0 ("fdt: the size for static shared memory region can not be zero")', hint);
  for (const [what, x] of [['host address', hostAddr], ['guest address', guestAddr], ['size', size]] as const) {
    if (x !== undefined && x % XEN_PAGE_SIZE !== 0) fail('CONFIG_BAD_VALUE', v, `the ${what} ${hx(x)} is not 4 KiB aligned: Xen refuses it ("is not suitably aligned")`, hint);
  }
  if (hasHost && !/^(0[xX][0-9a-fA-F]+|[0-9]+)$/.test(words[1]!)) {
    fail('CONFIG_BAD_VALUE', v, `the host address "${words[1]}" names the node (shared-mem@${words[1]}): write it as a plain hex or decimal number`, hint);
  }
  return { id, ...(hostAddr !== undefined ? { hostAddr, hostAddrText: words[1]! } : {}), guestAddr, size };
}

interface EvtchnDef { domU: number; port: number; remoteDomU: number; remotePort: number; v: RawValue }

/**
 * DOMU_STATIC_EVTCHNS[n] = "lport remote_idx rport; ...", for every domU at once: each endpoint
 * ("domU,port") gets a phandle in order of appearance, counting down from 0xfffffffe (local
 * endpoint, then its peer), and every channel must be defined on both sides. `booted(i)` tells
 * whether domU i gets a node. Returns the channels per domU and the next free phandle.
 */
export function readStaticEvtchns(get: Lookup, numDomUs: number, booted: (i: number) => boolean): { byDomU: Map<number, StaticEvtchn[]>; nextPhandle: number } {
  const defs: EvtchnDef[] = [];
  for (let n = 0; n < numDomUs; n++) {
    const v = get('DOMU_STATIC_EVTCHNS', String(n));
    if (!v) continue;
    const hint = `write "LOCAL_PORT REMOTE_DOMU REMOTE_PORT" per channel, separated by ";", e.g. ${v.key}="10 1 11; 12 1 13"`;
    for (const part of v.value.split(';')) {
      const def = part.trim();
      if (def === '') continue;
      const words = def.split(/[ \t\n]+/);
      if (words.length !== 3 || !words.every((w) => /^[0-9]+$/.test(w))) {
        fail('CONFIG_BAD_VALUE', v, `Malformed evtchn definition: '${def}' in DOMU_STATIC_EVTCHNS[${n}]`, hint);
      }
      const [port, remoteDomU, remotePort] = words.map(Number) as [number, number, number];
      if (remoteDomU === n) fail('CONFIG_BAD_VALUE', v, `Invalid evtchn definition: '${def}' in DOMU_STATIC_EVTCHNS[${n}]: a channel joins two different domains`, hint);
      for (const p of [port, remotePort]) {
        if (p < 1 || p > DOMU_MAX_EVTCHN_PORT) {
          fail('CONFIG_OUT_OF_RANGE', v, `port ${p} in '${def}': a dom0less domU has ports 1 to ${DOMU_MAX_EVTCHN_PORT} (Xen creates it with max_evtchn_port ${DOMU_MAX_EVTCHN_PORT}; port 0 is reserved)`, hint);
        }
      }
      if (remoteDomU >= numDomUs) fail('CONFIG_BAD_VALUE', v, `'${def}' names domU ${remoteDomU}, but NUM_DOMUS=${numDomUs}`, hint);
      if (!booted(remoteDomU) || !booted(n)) fail('CONFIG_CONFLICT', v, `'${def}' joins domU ${n} and domU ${remoteDomU}, but domU ${booted(n) ? remoteDomU : n} is not booted (DOMU_NOBOOT or DOMU_ROOTFS), so it has no node for the channel`, hint);
      if (defs.some((d) => d.domU === n && d.port === port)) fail('CONFIG_CONFLICT', v, `port ${port} of domU ${n} is defined twice`, hint);
      defs.push({ domU: n, port, remoteDomU, remotePort, v });
    }
  }
  const phandles = new Map<string, number>();
  let next = FIRST_PHANDLE;
  const ph = (d: number, p: number): number => {
    const k = `${d},${p}`;
    let h = phandles.get(k);
    if (h === undefined) { h = next--; phandles.set(k, h); }
    return h;
  };
  const byDomU = new Map<number, StaticEvtchn[]>();
  for (const d of defs) {
    const phandle = ph(d.domU, d.port);
    const remotePhandle = ph(d.remoteDomU, d.remotePort);
    const peer = defs.find((o) => o.domU === d.remoteDomU && o.port === d.remotePort);
    if (!peer || peer.remoteDomU !== d.domU || peer.remotePort !== d.port) {
      fail('CONFIG_CONFLICT', d.v,
        peer
          ? `port ${d.port} of domU ${d.domU} points at port ${d.remotePort} of domU ${d.remoteDomU}, which points at port ${peer.remotePort} of domU ${peer.remoteDomU}: Xen needs both ends to name each other ("xen,evtchn property is not setup correctly.")`
          : `Could not find phandle for endpoint ${d.remoteDomU},${d.remotePort}: DOMU_STATIC_EVTCHNS[${d.remoteDomU}] does not define port ${d.remotePort} back to domU ${d.domU}, so Xen finds no remote node ("evtchn: could not find remote evtchn phandle")`,
        `add "${d.remotePort} ${d.domU} ${d.port}" to DOMU_STATIC_EVTCHNS[${d.remoteDomU}]`);
    }
    const list = byDomU.get(d.domU) ?? [];
    list.push({ port: d.port, remoteDomU: d.remoteDomU, remotePort: d.remotePort, phandle, remotePhandle });
    byDomU.set(d.domU, list);
  }
  return { byDomU, nextPhandle: next };
}

/** XEN_STATIC_HEAP = "base size ...". */
export function readStaticHeap(get: Lookup): MemBank[] | undefined {
  const v = get('XEN_STATIC_HEAP');
  return v ? parseBankList(v, 'static heap bank', '0x50000000 0x30000000') : undefined;
}
