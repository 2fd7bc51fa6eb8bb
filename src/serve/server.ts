// A read-only TFTP server (RFC 1350) with option negotiation (RFC 2347/2348/2349) and windowed
// transfers (RFC 7440), confined to one folder. Each transfer gets its own UDP socket, whose
// port is the transfer ID the client locks onto (RFC 1350 section 4).
import * as dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { ServeError } from '../errors.js';
import { DEFAULT_MAX_WINDOW_BYTES, negotiate, type Negotiated } from './options.js';
import { OP_DATA, TFTP_ERR, encodeError, encodeOack, parsePacket, type RequestPacket } from './packet.js';
import { lookupInRoot } from './root.js';

export interface TftpServerOptions {
  /** The served folder. */
  root: string;
  port?: number;
  host?: string;
  maxBlksize?: number;
  maxWindowsize?: number;
  /** Largest window in bytes; see ServerLimits.maxWindowBytes. */
  maxWindowBytes?: number;
  /** Retransmission timeout when the client does not negotiate one. */
  timeoutMs?: number;
  /** Retransmissions of one window before the transfer is given up. */
  retries?: number;
  /** Largest file served in netascii mode, which is converted in memory. */
  maxNetasciiBytes?: number;
}

export type TransferStatus = 'ok' | 'not-found' | 'access' | 'refused' | 'timeout' | 'aborted' | 'error';

/** One finished (or refused) transfer, as logged. */
export interface TransferRecord {
  client: string;
  /** The name the client asked for. */
  requested: string;
  /** The file's path relative to the served folder, when it was found. */
  file?: string;
  mode: string;
  options: Record<string, string>;
  status: TransferStatus;
  message: string;
  bytes: number;
  blocks: number;
  retransmits: number;
  startedAt: number;
  ms: number;
}

/** tftpd-hpa's default retransmission timeout is 1 s; U-Boot asks its own with `timeout`. */
const DEFAULT_TIMEOUT_MS = 1000;
const DEFAULT_RETRIES = 5;
/** Past this, netascii (which has to be converted whole) is refused; boot files are sent in octet. */
const DEFAULT_MAX_NETASCII = 64 * 1024 * 1024;
/** Block numbers are 16 bits; after 65535 they roll over to 0, as U-Boot and tftp-hpa expect. */
const BLOCK_MODULO = 0x10000;

interface Content {
  size: number;
  read(offset: number, length: number): Uint8Array;
  close(): void;
}

/**
 * File bytes read ahead in large chunks: a transfer asks for consecutive blocks, so one read
 * serves hundreds of them, and a block is a view into the chunk (sent without a copy). The
 * previous chunk is kept, because a window that is sent again may reach back into it.
 */
const READ_AHEAD_BYTES = 1 << 20;

function fileContent(file: string, size: number): Content {
  const fd = fs.openSync(file, 'r');
  let cur: { start: number; bytes: Buffer } = { start: 0, bytes: Buffer.alloc(0) };
  let prev = cur;
  const load = (start: number): Buffer => {
    const n = Math.max(0, Math.min(READ_AHEAD_BYTES, size - start));
    const buf = Buffer.allocUnsafe(n);
    let got = 0;
    while (got < n) {
      const r = fs.readSync(fd, buf, got, n - got, start + got);
      if (r === 0) break;
      got += r;
    }
    return buf.subarray(0, got);
  };
  return {
    size,
    read(offset, length) {
      const end = Math.min(size, offset + length);
      for (const c of [cur, prev]) {
        if (offset >= c.start && end <= c.start + c.bytes.length) return c.bytes.subarray(offset - c.start, end - c.start);
      }
      if (length > READ_AHEAD_BYTES) return load(offset).subarray(0, end - offset);
      prev = cur;
      cur = { start: offset, bytes: load(offset) };
      return cur.bytes.subarray(0, end - offset);
    },
    close() { fs.closeSync(fd); },
  };
}

/** netascii (RFC 764): LF becomes CR LF and a lone CR becomes CR NUL. */
export function toNetascii(bytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (const b of bytes) {
    if (b === 0x0a) out.push(0x0d, 0x0a);
    else if (b === 0x0d) out.push(0x0d, 0x00);
    else out.push(b);
  }
  return Uint8Array.from(out);
}

function memoryContent(bytes: Uint8Array): Content {
  return { size: bytes.length, read: (o, l) => bytes.subarray(o, Math.min(bytes.length, o + l)), close() {} };
}

export class TftpServer extends EventEmitter<{ transfer: [TransferRecord]; listening: [AddressInfo] }> {
  readonly #opts: Required<Omit<TftpServerOptions, 'host' | 'port'>> & { host: string; port: number };
  readonly #rootReal: string;
  #socket: dgram.Socket | undefined;
  readonly #active = new Set<Transfer>();

  constructor(opts: TftpServerOptions) {
    super();
    let rootReal: string;
    try {
      rootReal = fs.realpathSync(opts.root);
    } catch {
      throw new ServeError('SERVE_ROOT', `the folder to serve, ${opts.root}, does not exist`, { root: opts.root }, undefined, 'create it, or name the TFTP root that holds boot.scr');
    }
    if (!fs.statSync(rootReal).isDirectory()) {
      throw new ServeError('SERVE_ROOT', `${opts.root} is not a folder`, { root: opts.root }, undefined, 'name the folder that holds boot.scr and the files it loads');
    }
    this.#rootReal = rootReal;
    this.#opts = {
      root: opts.root,
      host: opts.host ?? '127.0.0.1',
      port: opts.port ?? 6969,
      maxBlksize: opts.maxBlksize ?? 65464,
      maxWindowsize: opts.maxWindowsize ?? 64,
      maxWindowBytes: opts.maxWindowBytes ?? DEFAULT_MAX_WINDOW_BYTES,
      timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      retries: opts.retries ?? DEFAULT_RETRIES,
      maxNetasciiBytes: opts.maxNetasciiBytes ?? DEFAULT_MAX_NETASCII,
    };
  }

  get root(): string { return this.#rootReal; }

  /** Bind the well-known port; resolves with the bound address. */
  listen(): Promise<AddressInfo> {
    const type = this.#opts.host.includes(':') ? 'udp6' : 'udp4';
    const socket = dgram.createSocket({ type, reuseAddr: false });
    this.#socket = socket;
    return new Promise((resolve, reject) => {
      socket.once('error', (e: NodeJS.ErrnoException) => {
        const fix = e.code === 'EACCES'
          ? 'ports below 1024 need root (or CAP_NET_BIND_SERVICE): use --port 6969 and set U-Boot\'s tftpdstp, or run as root'
          : e.code === 'EADDRINUSE' ? 'another TFTP server is listening there: stop it or choose another --port' : 'check --host and --port';
        reject(new ServeError('SERVE_LISTEN', `cannot listen on ${this.#opts.host}:${this.#opts.port}: ${e.code ?? e.message}`, { code: e.code }, undefined, fix));
      });
      socket.bind(this.#opts.port, this.#opts.host, () => {
        socket.removeAllListeners('error');
        socket.on('error', () => { /* a datagram error on the listening socket ends nothing */ });
        socket.on('message', (msg, rinfo) => this.#onRequest(msg, rinfo));
        const addr = socket.address();
        this.emit('listening', addr);
        resolve(addr);
      });
    });
  }

  /** Stop listening and abort transfers in flight. */
  async close(): Promise<void> {
    for (const t of [...this.#active]) t.abort('server stopped');
    const s = this.#socket;
    this.#socket = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  #onRequest(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const packet = parsePacket(msg);
    const client = `${rinfo.address}:${rinfo.port}`;
    const reply = (code: number, text: string, record: Omit<TransferRecord, 'client' | 'bytes' | 'blocks' | 'retransmits' | 'startedAt' | 'ms'>): void => {
      // Errors go out from a fresh port, as any reply to a request does (RFC 1350 section 4).
      const s = dgram.createSocket(rinfo.family === 'IPv6' ? 'udp6' : 'udp4');
      s.on('error', () => s.close());
      s.send(encodeError(code, text), rinfo.port, rinfo.address, () => s.close());
      this.emit('transfer', { client, bytes: 0, blocks: 0, retransmits: 0, startedAt: Date.now(), ms: 0, ...record });
    };
    if (packet.op === 'wrq') {
      reply(TFTP_ERR.accessViolation, 'read-only server', { requested: packet.filename, mode: packet.mode, options: {}, status: 'access', message: 'write request refused: the server is read-only' });
      return;
    }
    if (packet.op !== 'rrq') {
      // Anything but a request on the well-known port is a stray packet; answer malformed requests only.
      if (packet.op === 'malformed') reply(TFTP_ERR.illegalOperation, packet.reason, { requested: '', mode: '', options: {}, status: 'error', message: packet.reason });
      return;
    }
    this.#startRead(packet, rinfo, client, reply);
  }

  #startRead(req: RequestPacket, rinfo: dgram.RemoteInfo, client: string,
    reply: (code: number, text: string, record: Omit<TransferRecord, 'client' | 'bytes' | 'blocks' | 'retransmits' | 'startedAt' | 'ms'>) => void): void {
    const options = Object.fromEntries(req.options);
    if (req.mode !== 'octet' && req.mode !== 'netascii') {
      reply(TFTP_ERR.illegalOperation, `unsupported mode ${req.mode}`, { requested: req.filename, mode: req.mode, options, status: 'error', message: `mode "${req.mode}" is not octet or netascii` });
      return;
    }
    const found = lookupInRoot(this.#rootReal, req.filename);
    if (!found.ok) {
      reply(found.reason === 'not-found' ? TFTP_ERR.fileNotFound : TFTP_ERR.accessViolation, found.message,
        { requested: req.filename, mode: req.mode, options, status: found.reason, message: found.message });
      return;
    }
    let content: Content;
    try {
      if (req.mode === 'netascii') {
        if (found.size > this.#opts.maxNetasciiBytes) {
          reply(TFTP_ERR.accessViolation, 'file too large for netascii', { requested: req.filename, file: found.relative, mode: req.mode, options, status: 'access', message: `${found.size} bytes is too large for netascii mode; use octet` });
          return;
        }
        content = memoryContent(toNetascii(fs.readFileSync(found.file)));
      } else {
        content = fileContent(found.file, found.size);
      }
    } catch (e) {
      reply(TFTP_ERR.accessViolation, 'cannot read file', { requested: req.filename, file: found.relative, mode: req.mode, options, status: 'access', message: (e as Error).message });
      return;
    }
    const negotiated = negotiate(req.options, content.size, this.#opts, this.#opts.timeoutMs);
    const transfer = new Transfer(rinfo, content, negotiated, this.#opts.retries, (record) => {
      this.#active.delete(transfer);
      this.emit('transfer', { client, requested: req.filename, file: found.relative, mode: req.mode, options, ...record });
    });
    this.#active.add(transfer);
    transfer.start();
  }
}

type TransferOutcome = Pick<TransferRecord, 'status' | 'message' | 'bytes' | 'blocks' | 'retransmits' | 'startedAt' | 'ms'>;

/** One read transfer: OACK (when options were accepted), then windows of DATA until the last block is acknowledged. */
class Transfer {
  readonly #socket: dgram.Socket;
  readonly #totalBlocks: number;
  /** First block not yet acknowledged (1-based, not wrapped). */
  #windowStart = 1;
  #waitingForOackAck: boolean;
  #timer: NodeJS.Timeout | undefined;
  #tries = 0;
  #retransmits = 0;
  /** Whether this window was already sent again for a repeated ACK (at most once, see #onMessage). */
  #resentForRepeat = false;
  #done = false;
  readonly #startedAt = Date.now();

  constructor(
    readonly client: dgram.RemoteInfo,
    readonly content: Content,
    readonly opts: Negotiated,
    readonly retries: number,
    readonly onEnd: (outcome: TransferOutcome) => void,
  ) {
    // A file of exactly N blocks ends with an empty block, so the reader knows it is over.
    this.#totalBlocks = Math.floor(content.size / opts.blksize) + 1;
    this.#waitingForOackAck = opts.oack.size > 0;
    this.#socket = dgram.createSocket(client.family === 'IPv6' ? 'udp6' : 'udp4');
    this.#socket.on('error', (e) => this.#finish('error', e.message));
    this.#socket.on('message', (msg) => this.#onMessage(msg));
  }

  start(): void {
    // A connected socket: the kernel keeps other senders out (so a stray packet from another
    // transfer ID never reaches the transfer), and sends need no address resolution per block.
    this.#socket.bind(0, () => this.#socket.connect(this.client.port, this.client.address, () => this.#sendCurrent()));
  }

  abort(why: string): void {
    if (this.#done) return;
    this.#send(encodeError(TFTP_ERR.notDefined, why));
    this.#finish('aborted', why);
  }

  #send(packet: Uint8Array): void {
    if (this.#done) return;
    this.#socket.send(packet);
  }

  #sendParts(parts: Uint8Array[]): void {
    if (this.#done) return;
    this.#socket.send(parts);
  }

  #sendCurrent(): void {
    if (this.#waitingForOackAck) {
      this.#send(encodeOack(this.opts.oack));
    } else {
      const last = Math.min(this.#totalBlocks, this.#windowStart + this.opts.windowsize - 1);
      for (let block = this.#windowStart; block <= last; block++) {
        const data = this.content.read((block - 1) * this.opts.blksize, this.opts.blksize);
        // Header and payload go out as one datagram from two buffers (no copy of the block).
        const wire = block % BLOCK_MODULO;
        this.#sendParts([Buffer.from([0, OP_DATA, wire >> 8, wire & 0xff]), data]);
      }
    }
    this.#arm();
  }

  #arm(): void {
    // One timer per transfer, pushed back on every send (refresh() is far cheaper than a new timer per block).
    if (this.#timer) { this.#timer.refresh(); return; }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#tries >= this.retries) {
        this.#finish('timeout', `no acknowledgement after ${this.retries + 1} tries of ${this.opts.timeoutMs} ms`);
        return;
      }
      this.#tries++;
      this.#retransmits++;
      this.#sendCurrent();
    }, this.opts.timeoutMs);
  }

  #onMessage(msg: Buffer): void {
    const p = parsePacket(msg);
    if (p.op === 'error') {
      this.#finish(p.code === TFTP_ERR.optionRefused ? 'refused' : 'aborted', `client sent error ${p.code}: ${p.message}`);
      return;
    }
    if (p.op !== 'ack') return; // anything else from the client is ignored, as tftpd-hpa does
    if (this.#waitingForOackAck) {
      if (p.block !== 0) return;
      this.#waitingForOackAck = false;
      this.#tries = 0;
      this.#sendCurrent();
      return;
    }
    // Map the 16-bit block back to the full count: the ACK must lie in [windowStart-1, windowEnd].
    const windowEnd = Math.min(this.#totalBlocks, this.#windowStart + this.opts.windowsize - 1);
    let acked = -1;
    for (let b = this.#windowStart; b <= windowEnd; b++) {
      if (b % BLOCK_MODULO === p.block) { acked = b; break; }
    }
    if (acked < 0) {
      // A repeat of the ACK just before the window means the client lost the window's first
      // block (RFC 7440 clients send it on a gap or their own timeout): send the window again,
      // once. Any other old or duplicate ACK is ignored, never answered: answering each would
      // double every packet from then on (the Sorcerer's Apprentice bug, RFC 1123 4.2.3.1).
      if (this.opts.windowsize > 1 && (this.#windowStart - 1) % BLOCK_MODULO === p.block && !this.#resentForRepeat) {
        this.#resentForRepeat = true;
        this.#retransmits++;
        this.#sendCurrent();
      }
      return;
    }
    this.#tries = 0;
    this.#resentForRepeat = false;
    if (acked === this.#totalBlocks) {
      this.#finish('ok', 'sent');
      return;
    }
    this.#windowStart = acked + 1;
    this.#sendCurrent();
  }

  #finish(status: TransferStatus, message: string): void {
    if (this.#done) return;
    this.#done = true;
    clearTimeout(this.#timer);
    this.content.close();
    this.#socket.close();
    const acked = status === 'ok' ? this.#totalBlocks : this.#windowStart - 1;
    this.onEnd({
      status, message, blocks: acked, bytes: Math.min(this.content.size, acked * this.opts.blksize),
      retransmits: this.#retransmits, startedAt: this.#startedAt, ms: Date.now() - this.#startedAt,
    });
  }
}
