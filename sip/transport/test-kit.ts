/**
 * Helpers for the transport tests (not part of the public surface): a recording delegate,
 * raw peers, a self-signed certificate made with the openssl CLI, and sample messages.
 */
import { execFileSync } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ReceivedMessage, TransportDelegate } from './types.ts';

/** Polls until the condition holds (real sockets need a few event-loop turns). */
export async function waitFor(cond: () => boolean, what = 'condition', ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export class Inbox implements TransportDelegate {
  readonly received: ReceivedMessage[] = [];
  receiveMessage(rm: ReceivedMessage): void {
    this.received.push(rm);
  }
  async next(count = 1): Promise<ReceivedMessage> {
    await waitFor(() => this.received.length >= count, `${count} message(s)`);
    return this.received[count - 1]!;
  }
}

export const vector = (name: string): Buffer =>
  readFileSync(new URL(`../../../shared/vectors/rfc4475/${name}`, import.meta.url));

/** An OPTIONS request as a client would send it. */
export function options(
  viaTransport: string,
  sentBy: string,
  opts: { rport?: boolean; body?: string; contentLength?: boolean; callId?: string } = {},
): Buffer {
  const body = opts.body ?? '';
  return Buffer.from(
    `OPTIONS sip:service@example.com SIP/2.0\r\n` +
      `Via: SIP/2.0/${viaTransport} ${sentBy};branch=z9hG4bK-${Math.random().toString(36).slice(2)}${opts.rport ? ';rport' : ''}\r\n` +
      'Max-Forwards: 70\r\nTo: <sip:service@example.com>\r\nFrom: <sip:alice@example.com>;tag=ab12\r\n' +
      `Call-ID: ${opts.callId ?? 'c-1'}\r\nCSeq: 1 OPTIONS\r\n` +
      (body.length > 0 ? 'Content-Type: text/plain\r\n' : '') +
      (opts.contentLength === false ? '' : `Content-Length: ${Buffer.byteLength(body)}\r\n`) +
      `\r\n${body}`,
    'utf8',
  );
}

/** A self-signed certificate for localhost, 127.0.0.1 and ::1. */
export function selfSignedCert(): { key: string; cert: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'sip-transport-cert-'));
  try {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A raw UDP peer that records what it receives. */
export async function udpPeer(family: 4 | 6): Promise<{
  socket: UdpSocket;
  port: number;
  got: Buffer[];
  send(data: Buffer, port: number, host: string): void;
  close(): Promise<void>;
}> {
  const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
  const got: Buffer[] = [];
  socket.on('message', (m) => got.push(m));
  await new Promise<void>((r) => socket.bind(0, family === 6 ? '::1' : '127.0.0.1', r));
  return {
    socket,
    port: socket.address().port,
    got,
    send: (data, port, host) => socket.send(data, port, host),
    close: () => new Promise<void>((r) => socket.close(() => r())),
  };
}

/** A raw TCP peer that records what it receives and whether the server closed. */
export async function tcpPeer(
  port: number,
  host: string,
): Promise<{ socket: Socket; text(): string; closed(): boolean; ended: Promise<void> }> {
  const socket = connect({ port, host });
  const chunks: Buffer[] = [];
  let isClosed = false;
  socket.on('data', (c) => chunks.push(c));
  socket.on('error', () => {});
  const ended = new Promise<void>((r) =>
    socket.on('close', () => {
      isClosed = true;
      r();
    }),
  );
  await new Promise<void>((r, j) => {
    socket.once('connect', r);
    socket.once('error', j);
  });
  return { socket, text: () => Buffer.concat(chunks).toString('latin1'), closed: () => isClosed, ended };
}
