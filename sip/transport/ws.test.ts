import { createServer, type Server } from 'node:http';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { FakeClock } from '../clock/clock.ts';
import { parseMessage } from '../parser/parse-message.ts';
import { Inbox, options, selfSignedCert, vector, waitFor } from './test-kit.ts';
import { TransportManager } from './transport-manager.ts';
import { TransportError } from './types.ts';
import { WsTransport, type WsTransportOptions } from './ws.ts';

const managers: TransportManager[] = [];
const clients: WebSocket[] = [];
let cert: { key: string; cert: string };

beforeAll(() => {
  cert = selfSignedCert();
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.terminate();
  for (const m of managers.splice(0)) await m.stop();
});

async function server(opts: WsTransportOptions = {}) {
  const inbox = new Inbox();
  const manager = new TransportManager({ delegate: inbox });
  managers.push(manager);
  const ws = manager.add(new WsTransport({ host: '127.0.0.1', port: 0, ...opts }));
  await manager.start();
  return { inbox, manager, ws, port: ws.address()?.port ?? 0 };
}

interface Client {
  ws: WebSocket;
  frames: Array<{ data: Buffer; binary: boolean }>;
  closed: Promise<number>;
}

/** A raw `ws` client; resolves once open, rejects with the HTTP status when refused. */
function client(
  url: string,
  protocols: string[] = ['sip'],
  extra: Record<string, unknown> = {},
): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, extra);
    clients.push(ws);
    const frames: Client['frames'] = [];
    ws.on('message', (data, binary) => frames.push({ data: data as Buffer, binary }));
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    ws.on('unexpected-response', (_req, res) => {
      reject(new Error(`HTTP ${res.statusCode}`));
      ws.terminate();
    });
    ws.on('error', reject);
    ws.on('open', () => resolve({ ws, frames, closed }));
  });
}

function firstResponse(c: Client) {
  const r = parseMessage(c.frames[0]!.data);
  if (!r.ok || r.message.kind !== 'response') throw new Error('not a response');
  return r.message;
}

describe('WsTransport server', () => {
  it('[RFC7118-4.1-subprotocol] MUST refuse a handshake that does not offer the sip subprotocol', async () => {
    const { port, ws } = await server();
    await expect(client(`ws://127.0.0.1:${port}/`, [])).rejects.toThrow('HTTP 400');
    await expect(client(`ws://127.0.0.1:${port}/`, ['chat', 'SIP2'])).rejects.toThrow('HTTP 400');
    expect(ws.counters.drops['handshake-no-sip-subprotocol']).toBe(2);
    expect(ws.counters.connectionsAccepted).toBe(0);
  });

  it('[RFC7118-4.1-subprotocol] MUST select sip when the client offers it among others', async () => {
    const { port } = await server();
    const c = await client(`ws://127.0.0.1:${port}/`, ['chat', 'sip']);
    expect(c.ws.protocol).toBe('sip');
  });

  it('[RFC7118-4.2-text-or-binary] MUST accept SIP messages in both text and binary frames', async () => {
    const { inbox, port } = await server();
    const c = await client(`ws://127.0.0.1:${port}/`);
    c.ws.send(options('WS', 'df7jal23ls0d.invalid', { callId: 'text' }).toString(), { binary: false });
    c.ws.send(options('WS', 'df7jal23ls0d.invalid', { callId: 'binary' }), { binary: true });
    await inbox.next(2);
    expect(inbox.received.map((r) => r.message.callId)).toEqual(['text', 'binary']);
    const rm = inbox.received[0]!;
    expect(rm.source).toMatchObject({ protocol: 'ws', remoteAddress: '127.0.0.1', localPort: port });
    expect(rm.message.topVia.params.get('received')).toBe('127.0.0.1');
  });

  it('[RFC7118-4.2-text-or-binary] MUST send as text frames, and as binary when the message is not UTF-8', async () => {
    const { inbox, manager, port } = await server();
    const c = await client(`ws://127.0.0.1:${port}/`);
    c.ws.send(options('WS', 'x.invalid', { body: 'héllo' }));
    const rm = await inbox.next();
    const dest = {
      protocol: 'ws' as const,
      address: '127.0.0.1',
      port: 0,
      connectionId: rm.source.connectionId,
    };
    await manager.send(rm.message, dest);
    rm.message.body = Buffer.from([0xff, 0x00, 0xfe]);
    await manager.send(rm.message, dest);
    await waitFor(() => c.frames.length === 2, 'two frames');
    expect(c.frames.map((f) => f.binary)).toEqual([false, true]);
    expect(c.frames[0]!.data.toString('utf8')).toContain('héllo');
  });

  it('[RFC7118-5.1-one-message-per-frame] MUST take one WebSocket message as one SIP message: no Content-Length needed, extra octets ignored', async () => {
    const { inbox, port } = await server();
    const c = await client(`ws://127.0.0.1:${port}/`);
    c.ws.send(
      options('WS', 'x.invalid', { callId: 'nocl', body: 'body runs to the end', contentLength: false }),
    );
    c.ws.send(
      Buffer.concat([
        options('WS', 'x.invalid', { callId: 'first' }),
        options('WS', 'x.invalid', { callId: 'second' }),
      ]),
    );
    await inbox.next(2);
    await new Promise((r) => setTimeout(r, 30));
    expect(inbox.received.map((r) => r.message.callId)).toEqual(['nocl', 'first']);
    expect(inbox.received[0]!.message.body.toString()).toBe('body runs to the end');
  });

  it('[RFC6455-7.4.1-message-too-big] MUST close the connection (1009) on a frame larger than the maximum', async () => {
    const { inbox, port, ws } = await server({ maxMessageSize: 1000 });
    const c = await client(`ws://127.0.0.1:${port}/`);
    c.ws.send(options('WS', 'x.invalid', { body: 'x'.repeat(2000) }));
    expect(await c.closed).toBe(1009);
    await waitFor(() => ws.counters.connectionsOpen === 0, 'the close');
    expect(ws.counters.connectionsClosed['message-too-large']).toBe(1);
    expect(inbox.received).toHaveLength(0);
  });

  it('[RFC3261-8.2.6-stateless-error] MUST answer a malformed request over WebSocket with the precise 400/505', async () => {
    const { port } = await server();
    const c = await client(`ws://127.0.0.1:${port}/`);
    c.ws.send(vector('badvers.dat'));
    await waitFor(() => c.frames.length === 1, 'the 505');
    expect(firstResponse(c).status).toBe(505);
    c.ws.send(vector('insuf.dat'));
    await waitFor(() => c.frames.length === 2, 'the 400');
    const r = parseMessage(c.frames[1]!.data);
    expect(r.ok).toBe(false); // the answer lacks From/To/Call-ID like the request did; check the status line
    expect(c.frames[1]!.data.toString()).toMatch(/^SIP\/2\.0 400 Bad Request \(Call-ID is missing\)\r\n/);
  });

  it('[RFC6455-10.2-origin] MUST refuse a handshake whose Origin the check rejects with 403, sync or async', async () => {
    const { port } = await server({ originCheck: (o) => o === 'https://good.example' });
    await expect(
      client(`ws://127.0.0.1:${port}/`, ['sip'], { origin: 'https://evil.example' }),
    ).rejects.toThrow('HTTP 403');
    await expect(client(`ws://127.0.0.1:${port}/`, ['sip'])).rejects.toThrow('HTTP 403');
    const ok = await client(`ws://127.0.0.1:${port}/`, ['sip'], { origin: 'https://good.example' });
    expect(ok.ws.protocol).toBe('sip');
    const async = await server({ originCheck: async (o) => o === 'https://good.example' });
    await expect(client(`ws://127.0.0.1:${async.port}/`, ['sip'], { origin: 'https://x' })).rejects.toThrow(
      'HTTP 403',
    );
    await client(`ws://127.0.0.1:${async.port}/`, ['sip'], { origin: 'https://good.example' });
  });

  it('[RFC6455-4.2.1-resource-name] accepts upgrades only on the configured path', async () => {
    const { port } = await server({ path: '/sip' });
    await expect(client(`ws://127.0.0.1:${port}/other`)).rejects.toThrow('HTTP 404');
    const c = await client(`ws://127.0.0.1:${port}/sip?x=1`);
    expect(c.ws.protocol).toBe('sip');
  });

  it('attaches to an existing HTTP server and leaves its other traffic alone', async () => {
    const http: Server = createServer((_req, res) => res.end('page'));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const port = (http.address() as { port: number }).port;
    try {
      const { inbox, manager } = await server({ server: http, path: '/sip' });
      const c = await client(`ws://127.0.0.1:${port}/sip`);
      c.ws.send(options('WS', 'x.invalid'));
      expect((await inbox.next()).source.localPort).toBe(port);
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('page');
      await manager.stop();
      managers.splice(managers.indexOf(manager), 1);
      expect(await c.closed).toBe(1006);
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('page');
    } finally {
      http.closeAllConnections();
      await new Promise((r) => http.close(r));
    }
  });

  it('[RFC5626-3.5.1-crlf-keepalive] answers a double-CRLF message with a CRLF over WebSocket', async () => {
    const { port, ws } = await server();
    const c = await client(`ws://127.0.0.1:${port}/`);
    c.ws.send('\r\n\r\n');
    await waitFor(() => c.frames.length === 1, 'the pong');
    expect(c.frames[0]!.data.toString()).toBe('\r\n');
    expect(ws.counters.keepAlivePings).toBe(1);
  });

  it('[RFC7118-6-ping] pings every interval and closes a connection that stopped answering', async () => {
    const clock = new FakeClock();
    const { port, ws } = await server({ clock, pingIntervalMs: 1000 });
    const live = await client(`ws://127.0.0.1:${port}/`);
    const dead = await client(`ws://127.0.0.1:${port}/`, ['sip'], { autoPong: false });
    let pings = 0;
    dead.ws.on('ping', () => pings++);
    await waitFor(() => ws.counters.connectionsOpen === 2, 'two connections');
    clock.advance(1000);
    await waitFor(() => pings === 1, 'the first ping');
    await new Promise((r) => setTimeout(r, 30));
    clock.advance(1000);
    await dead.closed;
    await waitFor(() => ws.counters.connectionsOpen === 1, 'the close');
    expect(ws.counters.connectionsClosed['ping-timeout']).toBe(1);
    expect(live.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('[DESIGN-speed-ws_keepalive_spread] spreads the pings over the interval: each connection once, one slot per tick', async () => {
    const clock = new FakeClock();
    const { port, ws } = await server({ clock, pingIntervalMs: 1000 }); // 10 slots, a tick every 100 ms
    const pingedAt: number[][] = [];
    for (let i = 0; i < 10; i++) {
      const c = await client(`ws://127.0.0.1:${port}/`);
      const times: number[] = [];
      c.ws.on('ping', () => times.push(clock.now()));
      pingedAt.push(times);
      await waitFor(() => ws.counters.connectionsOpen === i + 1, 'the connection');
    }
    const total = () => pingedAt.reduce((n, t) => n + t.length, 0);
    for (let tick = 1; tick <= 10; tick++) {
      clock.advance(100);
      await waitFor(() => total() === tick, `the ping of tick ${tick}`);
    }
    // Every connection pinged once, each at a different tick: not all at once.
    expect(pingedAt.map((t) => t.length)).toEqual(pingedAt.map(() => 1));
    expect(pingedAt.map((t) => t[0]).sort((a, b) => a! - b!)).toEqual([
      100, 200, 300, 400, 500, 600, 700, 800, 900, 1000,
    ]);
    expect(ws.counters.connectionsOpen).toBe(10);
  });

  it('[RFC7118-5-connection-only] MUST fail a send to a WebSocket connection that is gone with TransportError connection-closed', async () => {
    const { inbox, manager, port } = await server();
    const c = await client(`ws://127.0.0.1:${port}/`);
    c.ws.send(options('WS', 'x.invalid'));
    const rm = await inbox.next();
    c.ws.close();
    await waitFor(() => !manager.isAlive(rm.source.connectionId!), 'the close');
    const err = await manager
      .send(rm.message, {
        protocol: 'ws',
        address: 'x.invalid',
        port: 0,
        connectionId: rm.source.connectionId,
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).kind).toBe('connection-closed');
    const noId = await manager
      .send(rm.message, { protocol: 'ws', address: 'x.invalid', port: 5060 })
      .catch((e: unknown) => e);
    expect((noId as TransportError).kind).toBe('unreachable');
  });
});

describe('WsTransport WSS and client side', () => {
  it('[RFC7118-5-wss] MUST serve WSS with a certificate and accept a verified client', async () => {
    const { inbox, port, ws } = await server({ key: cert.key, cert: cert.cert });
    expect(ws.protocol).toBe('wss');
    const c = await client(`wss://127.0.0.1:${port}/`, ['sip'], { ca: cert.cert });
    c.ws.send(options('WSS', 'x.invalid'));
    expect((await inbox.next()).source.protocol).toBe('wss');
  });

  for (const scheme of ['ws', 'wss'] as const) {
    it(`[RFC7118-5-client-dial] MUST dial ${scheme}:// servers, send on the connection and receive answers on it`, async () => {
      const far = await server(
        scheme === 'wss' ? { key: cert.key, cert: cert.cert, path: '/sip' } : { path: '/sip' },
      );
      const nearInbox = new Inbox();
      const near = new TransportManager({ delegate: nearInbox });
      managers.push(near);
      near.add(new WsTransport({ listen: false, ca: cert.cert, path: '/sip' }));
      await near.start();
      const msg = parseMessage(options(scheme.toUpperCase(), 'near.invalid', { callId: `dial-${scheme}` }));
      if (!msg.ok) throw new Error('bad sample');
      await near.send(msg.message, { protocol: scheme, address: '127.0.0.1', port: far.port });
      const rm = await far.inbox.next();
      expect(rm.source.protocol).toBe(scheme);
      await far.manager.send(rm.message, {
        protocol: scheme,
        address: 'near.invalid',
        port: 0,
        connectionId: rm.source.connectionId,
      });
      const back = await nearInbox.next();
      expect(back.message.callId).toBe(`dial-${scheme}`);
      expect(back.source.protocol).toBe(scheme);
      expect(back.source.remotePort).toBe(far.port);
    });
  }

  it('[RFC7118-4.1-subprotocol] rejects a dial to a server that does not speak the sip subprotocol', async () => {
    const http = createServer();
    const { WebSocketServer } = await import('ws');
    const plain = new WebSocketServer({ server: http, handleProtocols: () => false });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const port = (http.address() as { port: number }).port;
    try {
      const near = new TransportManager({ delegate: new Inbox() });
      managers.push(near);
      const t = near.add(new WsTransport({ listen: false }));
      await near.start();
      const err = await t.connect(`ws://127.0.0.1:${port}/`).catch((e: unknown) => e);
      expect((err as TransportError).kind).toBe('unreachable');
    } finally {
      plain.close();
      http.closeAllConnections();
      await new Promise((r) => http.close(r));
    }
  });
});
