// TFTP packets (RFC 1350) and option extension packets (RFC 2347 OACK). Packets come from the
// network, so parsing never throws: a malformed packet is a value the server answers with an
// ERROR packet, not an exception.

export const OP_RRQ = 1;
export const OP_WRQ = 2;
export const OP_DATA = 3;
export const OP_ACK = 4;
export const OP_ERROR = 5;
export const OP_OACK = 6;

/** Error codes of RFC 1350 section 5, plus 8 from RFC 2347. */
export const TFTP_ERR = {
  notDefined: 0,
  fileNotFound: 1,
  accessViolation: 2,
  diskFull: 3,
  illegalOperation: 4,
  unknownTransferId: 5,
  fileExists: 6,
  noSuchUser: 7,
  optionRefused: 8,
} as const;

export type TransferMode = 'octet' | 'netascii';

export interface RequestPacket {
  op: 'rrq' | 'wrq';
  filename: string;
  mode: string;
  /** Option names lower-cased (RFC 2347: case-insensitive), values as sent; first occurrence wins. */
  options: Map<string, string>;
}
export interface DataPacket { op: 'data'; block: number; data: Uint8Array }
export interface AckPacket { op: 'ack'; block: number }
export interface ErrorPacket { op: 'error'; code: number; message: string }
export interface OackPacket { op: 'oack'; options: Map<string, string> }
export interface MalformedPacket { op: 'malformed'; reason: string }

export type Packet = RequestPacket | DataPacket | AckPacket | ErrorPacket | OackPacket | MalformedPacket;

/** RFC 1350 leaves the maximum request size open; 512 bytes is what every client fits in. */
export const MAX_REQUEST_BYTES = 512;

function u16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}

/** NUL-terminated strings from `at` to the end of the packet; undefined when the last one is unterminated. */
function nulStrings(b: Uint8Array, at: number): string[] | undefined {
  const out: string[] = [];
  let start = at;
  for (let i = at; i < b.length; i++) {
    if (b[i] === 0) {
      out.push(Buffer.from(b.subarray(start, i)).toString('latin1'));
      start = i + 1;
    }
  }
  return start === b.length ? out : undefined;
}

function optionMap(pairs: string[]): Map<string, string> {
  const options = new Map<string, string>();
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const name = pairs[i]!.toLowerCase();
    if (!options.has(name)) options.set(name, pairs[i + 1]!);
  }
  return options;
}

export function parsePacket(b: Uint8Array): Packet {
  if (b.length < 2) return { op: 'malformed', reason: `${b.length}-byte packet has no opcode` };
  const op = u16(b, 0);
  switch (op) {
    case OP_RRQ:
    case OP_WRQ: {
      if (b.length > MAX_REQUEST_BYTES) return { op: 'malformed', reason: `request of ${b.length} bytes (at most ${MAX_REQUEST_BYTES})` };
      const fields = nulStrings(b, 2);
      if (!fields || fields.length < 2) return { op: 'malformed', reason: 'request without a NUL-terminated file name and mode' };
      if (fields.length % 2 !== 0) return { op: 'malformed', reason: 'request option without a value' };
      return { op: op === OP_RRQ ? 'rrq' : 'wrq', filename: fields[0]!, mode: fields[1]!.toLowerCase(), options: optionMap(fields.slice(2)) };
    }
    case OP_DATA:
      if (b.length < 4) return { op: 'malformed', reason: 'DATA packet without a block number' };
      return { op: 'data', block: u16(b, 2), data: b.subarray(4) };
    case OP_ACK:
      if (b.length !== 4) return { op: 'malformed', reason: `ACK packet of ${b.length} bytes (4 expected)` };
      return { op: 'ack', block: u16(b, 2) };
    case OP_ERROR: {
      if (b.length < 4) return { op: 'malformed', reason: 'ERROR packet without an error code' };
      const end = b.indexOf(0, 4);
      return { op: 'error', code: u16(b, 2), message: Buffer.from(b.subarray(4, end < 0 ? b.length : end)).toString('latin1') };
    }
    case OP_OACK: {
      const fields = nulStrings(b, 2);
      if (!fields || fields.length % 2 !== 0) return { op: 'malformed', reason: 'OACK with an unterminated or unpaired option' };
      return { op: 'oack', options: optionMap(fields) };
    }
    default:
      return { op: 'malformed', reason: `unknown opcode ${op}` };
  }
}

function withOpcode(op: number, body: Uint8Array[]): Uint8Array {
  const len = 2 + body.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(len);
  out[0] = op >> 8;
  out[1] = op & 0xff;
  let at = 2;
  for (const p of body) { out.set(p, at); at += p.length; }
  return out;
}

const blockBytes = (block: number): Uint8Array => Uint8Array.of((block >> 8) & 0xff, block & 0xff);
const cString = (s: string): Uint8Array => Buffer.from(`${s}\0`, 'latin1');

export function encodeData(block: number, data: Uint8Array): Uint8Array {
  return withOpcode(OP_DATA, [blockBytes(block), data]);
}

export function encodeAck(block: number): Uint8Array {
  return withOpcode(OP_ACK, [blockBytes(block)]);
}

export function encodeError(code: number, message: string): Uint8Array {
  return withOpcode(OP_ERROR, [blockBytes(code), cString(message)]);
}

export function encodeOack(options: ReadonlyMap<string, string>): Uint8Array {
  return withOpcode(OP_OACK, [...options].flatMap(([k, v]) => [cString(k), cString(v)]));
}

export function encodeRequest(op: 'rrq' | 'wrq', filename: string, mode: string, options: ReadonlyMap<string, string> = new Map()): Uint8Array {
  return withOpcode(op === 'rrq' ? OP_RRQ : OP_WRQ, [cString(filename), cString(mode), ...[...options].flatMap(([k, v]) => [cString(k), cString(v)])]);
}
