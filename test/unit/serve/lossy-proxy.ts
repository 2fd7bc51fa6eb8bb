// A UDP proxy between a TFTP client and server on loopback that drops a seeded share of the
// transfer's datagrams in both directions. It keeps TFTP's transfer IDs intact: every server port the
// proxy hears from gets its own proxy port facing the client, so the client still sees one
// fixed peer port per transfer, as it would without the proxy.
import * as dgram from 'node:dgram';
import { seededRandom } from '../../helpers/random.js';

export interface LossyProxy {
  port: number;
  dropped: number;
  forwarded: number;
  close(): Promise<void>;
}

export async function startLossyProxy(serverPort: number, lossRate: number, seed: number): Promise<LossyProxy> {
  const random = seededRandom(seed);
  const sockets: dgram.Socket[] = [];
  const bind = (s: dgram.Socket) => new Promise<number>((r) => s.bind(0, '127.0.0.1', () => r(s.address().port)));
  const front = dgram.createSocket('udp4');
  const back = dgram.createSocket('udp4');
  sockets.push(front, back);
  const state = { dropped: 0, forwarded: 0 };
  let clientAddr: { port: number } | undefined;
  /** server transfer port → the proxy socket the client talks to for it */
  const faces = new Map<number, dgram.Socket>();
  const pass = (): boolean => {
    if (random() < lossRate) { state.dropped++; return false; }
    state.forwarded++;
    return true;
  };
  front.on('message', (msg, rinfo) => {
    // Requests always pass: a lost request only makes the client wait out its own (slow) retry
    // timer, which tests nothing of the server. Every packet of the transfer itself may be lost.
    clientAddr = { port: rinfo.port };
    back.send(msg, serverPort, '127.0.0.1');
  });
  back.on('message', (msg, rinfo) => {
    let face = faces.get(rinfo.port);
    if (!face) {
      const f = dgram.createSocket('udp4');
      sockets.push(f);
      faces.set(rinfo.port, f);
      f.bind(0, '127.0.0.1');
      f.on('message', (m) => { if (pass()) back.send(m, rinfo.port, '127.0.0.1'); });
      face = f;
    }
    if (clientAddr && pass()) face.send(msg, clientAddr.port, '127.0.0.1');
  });
  const port = await bind(front);
  await bind(back);
  return {
    port,
    get dropped() { return state.dropped; },
    get forwarded() { return state.forwarded; },
    close: async () => { await Promise.all(sockets.map((s) => new Promise<void>((r) => { try { s.close(() => r()); } catch { r(); } }))); },
  };
}
