import { readFileSync } from 'node:fs';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket as ServerSocket, WebSocketServer } from 'ws';
import { createSelfSignedCert } from '../sut/tls-cert.ts';
import { LeanWebSocket, type LeanWsHandlers } from './lean-ws.ts';

/**
 * The load generator's lean WebSocket client against the `ws` library's server, which enforces
 * RFC 6455 on what it receives (a client frame without a mask is a protocol error there).
 */

interface Peer {
  readonly url: string;
  readonly headers: Record<string, string | string[] | undefined>[];
  readonly received: string[];
  readonly sockets: ServerSocket[];
  readonly errors: Error[];
}

const cleanup: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function startPeer(o: { protocol?: string | false; tls?: boolean } = {}): Promise<Peer> {
  const tls = o.tls === true ? createSelfSignedCert('127.0.0.1') : undefined;
  const https =
    tls === undefined
      ? undefined
      : createHttps({ key: readFileSync(tls.keyFile), cert: readFileSync(tls.certFile) });
  const wss =
    https === undefined
      ? new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => o.protocol ?? 'sip' })
      : new WebSocketServer({ server: https, handleProtocols: () => o.protocol ?? 'sip' });
  if (https !== undefined) await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
  else await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  cleanup.push(async () => {
    for (const ws of wss.clients) ws.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    if (https !== undefined) await new Promise<void>((resolve) => https.close(() => resolve()));
    tls?.remove();
  });
  const port = ((https ?? wss).address() as AddressInfo).port;
  const peer: Peer = {
    url: `${tls === undefined ? 'ws' : 'wss'}://127.0.0.1:${port}/sip`,
    headers: [],
    received: [],
    sockets: [],
    errors: [],
  };
  wss.on('connection', (ws, req) => {
    peer.headers.push(req.headers);
    peer.sockets.push(ws);
    ws.on('message', (data: Buffer, binary: boolean) => peer.received.push(`${binary ? 'b' : 't'}:${data}`));
    ws.on('error', (err) => peer.errors.push(err));
  });
  return peer;
}

function collector(): LeanWsHandlers & { messages: string[]; closed: number } {
  const c = {
    messages: [] as string[],
    closed: 0,
    onMessage: (text: string) => c.messages.push(text),
    onClose: () => {
      c.closed++;
    },
  };
  return c;
}

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function open(peer: Peer, handlers = collector()) {
  const ws = await LeanWebSocket.connect(
    {
      url: peer.url,
      protocol: 'sip',
      origin: 'https://wic.test',
      localAddress: '127.0.0.2',
      handshakeTimeoutMs: 3000,
    },
    handlers,
  );
  cleanup.push(() => ws.terminate());
  return { ws, handlers };
}

describe('lean WebSocket client (RFC 6455) for the load generator', () => {
  it('[DESIGN-speed-load_wsclient] opens with the sip subprotocol and the Origin, and exchanges text messages of every length encoding both ways, masked', async () => {
    const peer = await startPeer();
    const { ws, handlers } = await open(peer);
    expect(peer.headers[0]).toMatchObject({ 'sec-websocket-protocol': 'sip', origin: 'https://wic.test' });
    const sizes = [5, 200, 70_000];
    for (const n of sizes) ws.send('x'.repeat(n));
    await until(() => peer.received.length === sizes.length);
    expect(peer.received.map((m) => m.length - 2)).toEqual(sizes);
    expect(peer.received.every((m) => m.startsWith('t:'))).toBe(true);
    const server = peer.sockets[0]!;
    for (const n of sizes) server.send('y'.repeat(n));
    await until(() => handlers.messages.length === sizes.length);
    expect(handlers.messages.map((m) => m.length)).toEqual(sizes);
    expect(peer.errors).toEqual([]);
  });

  it('[DESIGN-speed-load_wsclient] joins a fragmented message and answers a ping with a pong', async () => {
    const peer = await startPeer();
    const { handlers } = await open(peer);
    const server = peer.sockets[0]!;
    server.send('SIP/2.0 200 OK\r\n', { fin: false });
    server.send('Content-Length: 0\r\n\r\n', { fin: true });
    await until(() => handlers.messages.length === 1);
    expect(handlers.messages).toEqual(['SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n']);
    const pong = new Promise<string>((resolve) =>
      server.once('pong', (data: Buffer) => resolve(String(data))),
    );
    server.ping('keepalive');
    expect(await pong).toBe('keepalive');
  });

  it('[DESIGN-speed-load_wsclient] reports a close by the server once', async () => {
    const peer = await startPeer();
    const { handlers } = await open(peer);
    const closed = new Promise<number>((resolve) => peer.sockets[0]!.once('close', (code) => resolve(code)));
    peer.sockets[0]!.close(1000, 'bye');
    expect(await closed).toBe(1000);
    await until(() => handlers.closed === 1);
  });

  it('[DESIGN-speed-load_wsclient] refuses a server that does not select the sip subprotocol', async () => {
    const peer = await startPeer({ protocol: false });
    await expect(open(peer)).rejects.toThrow('Server sent no subprotocol');
  });

  it('[DESIGN-speed-load_wsclient] speaks over TLS (wss:) to a self-signed server', async () => {
    const peer = await startPeer({ tls: true });
    const { ws, handlers } = await open(peer);
    ws.send('REGISTER sip:ims.test SIP/2.0\r\n\r\n');
    await until(() => peer.received.length === 1);
    peer.sockets[0]!.send('SIP/2.0 200 OK\r\n\r\n');
    await until(() => handlers.messages.length === 1);
    expect(peer.received).toEqual(['t:REGISTER sip:ims.test SIP/2.0\r\n\r\n']);
  });
});
