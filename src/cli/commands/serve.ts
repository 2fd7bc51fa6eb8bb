// `uboot-gen serve DIR`: a read-only TFTP server for the board, logging every fetch and, given
// the config, saying what the board fetched against what the plan expects.
import * as os from 'node:os';
import { EXIT_CODE, UbootGenError } from '../../errors.js';
import { humanSize } from '../../util/hex.js';
import { FetchAudit, type Finding } from '../../serve/audit.js';
import { expectationFromConfig } from '../../serve/from-plan.js';
import { TftpServer, type TransferRecord } from '../../serve/server.js';
import { envelope, JSON_SCHEMA_VERSION, summaryLine, writeJson } from '../json.js';
import { makeStyle, type Style } from '../report.js';
import { parseNumberOption } from '../util.js';

export interface ServeCliOptions {
  port: string; host: string; config?: string; json?: boolean;
  untilFetched?: boolean; timeout?: string; blksize: string; windowsize: string;
}

/** The addresses a board can reach this host at, for the `serverip` hint. */
function hostAddresses(host: string): string[] {
  if (host !== '0.0.0.0' && host !== '::') return [host];
  return Object.values(os.networkInterfaces()).flat()
    .filter((i): i is os.NetworkInterfaceInfo => Boolean(i) && i!.family === 'IPv4' && !i!.internal)
    .map((i) => i.address);
}

function transferLine(t: TransferRecord, style: Style): string {
  const rate = t.ms > 0 ? ` ${humanSize(Math.round((t.bytes * 1000) / t.ms))}/s` : '';
  const opts = Object.entries(t.options).map(([k, v]) => `${k}=${v}`).join(' ');
  const status = t.status === 'ok' ? style.green('ok') : style.red(t.status);
  return `${t.client}  ${t.requested}  ${humanSize(t.bytes)} in ${t.ms} ms${rate}  ${status}${t.status === 'ok' ? '' : `: ${t.message}`}${opts ? style.dim(`  [${opts}]`) : ''}`;
}

/** A transfer in a `transfer` line of --json. */
function transferJson(t: TransferRecord) {
  return {
    client: t.client, requested: t.requested, ...(t.file !== undefined ? { file: t.file } : {}), mode: t.mode, options: { ...t.options },
    status: t.status, message: t.message, bytes: t.bytes, blocks: t.blocks, retransmits: t.retransmits, startedAt: t.startedAt, ms: t.ms,
  };
}

const findingJson = (f: Finding) => ({ kind: f.kind, file: f.file, message: f.message });

export async function runServe(dir: string, o: ServeCliOptions): Promise<void> {
  const out = process.stdout;
  const style = makeStyle(out);
  const port = parseNumberOption(o.port, '--port');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UbootGenError('USAGE', `--port takes 0..65535, got ${o.port}`);
  const timeoutS = o.timeout !== undefined ? parseNumberOption(o.timeout, '--timeout') : undefined;
  if (o.untilFetched && !o.config) throw new UbootGenError('USAGE', '--until-fetched needs --config: without the plan there is nothing to wait for');

  const server = new TftpServer({
    root: dir, port, host: o.host,
    maxBlksize: parseNumberOption(o.blksize, '--blksize'),
    maxWindowsize: parseNumberOption(o.windowsize, '--windowsize'),
  });
  const audit = o.config ? new FetchAudit(expectationFromConfig(o.config, server.root), dir) : undefined;
  const findings: Finding[] = [];
  let transfers = 0;
  // --json: one JSON line per event, each with schemaVersion, command and event; the last (summary) is a whole envelope.
  const emit = (event: 'listening' | 'transfer', fields: Record<string, unknown>): void => {
    writeJson({ schemaVersion: JSON_SCHEMA_VERSION, command: 'serve', event, ...fields }, { line: true });
  };

  const addr = await server.listen();
  if (o.json) {
    emit('listening', { host: addr.address, port: addr.port, root: server.root });
  } else {
    out.write(`${style.bold('Serving')} ${server.root} over TFTP on ${addr.address}:${addr.port} (read-only)\n`);
    const ips = hostAddresses(addr.address);
    out.write(`U-Boot: setenv serverip ${ips[0] ?? '<this host>'}${addr.port !== 69 ? `; setenv tftpdstp ${addr.port}` : ''}\n`);
    if (addr.port !== 69) out.write(style.dim('        (tftpdstp needs CONFIG_TFTP_PORT in U-Boot; without it, serve on port 69. QEMU user networking reaches this host as 10.0.2.2.)\n'));
    if (audit) out.write(`Checking fetches against the plan of ${o.config}: ${audit.expectation.files.length + 1} files expected\n`);
  }

  await new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const stop = (): void => {
      clearTimeout(timer);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    server.on('transfer', (t) => {
      transfers++;
      const found = audit ? audit.record(t) : [];
      findings.push(...found);
      if (o.json) emit('transfer', { ...transferJson(t), findings: found.map(findingJson) });
      else {
        out.write(`${transferLine(t, style)}\n`);
        for (const f of found) out.write(`  ${style.yellow('!')} ${f.message}\n`);
      }
      if (o.untilFetched && audit?.complete) stop();
    });
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (timeoutS !== undefined) timer = setTimeout(stop, timeoutS * 1000);
  });
  await server.close();

  const missed = audit ? audit.notFetched() : [];
  findings.push(...missed);
  const exitCode = audit && findings.length > 0 ? EXIT_CODE.verify : EXIT_CODE.ok;
  if (o.json) {
    writeJson(summaryLine(envelope('serve', exitCode, [], { findings: findings.map(findingJson), transfers })), { line: true });
  } else if (audit) {
    for (const f of missed) out.write(`  ${style.yellow('!')} ${f.message}\n`);
    out.write(findings.length === 0 ? `${style.green('✓')} the board fetched every planned file, unchanged\n` : `${style.red('✗')} ${findings.length} problem${findings.length === 1 ? '' : 's'} with what the board fetched\n`);
  }
  if (exitCode !== EXIT_CODE.ok) process.exitCode = exitCode;
}
