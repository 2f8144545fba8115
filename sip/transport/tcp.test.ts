import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.ts';
import { parseMessage } from '../parser/parse-message.ts';
import { TcpTransport, type TcpTransportOptions } from './tcp.ts';
import { Inbox, options, tcpPeer, vector, waitFor } from './test-kit.ts';
import { TransportManager } from './transport-manager.ts';
import { TransportError } from './types.ts';

const managers: TransportManager[] = [];
const sockets: Array<{ destroy(): void }> = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const m of managers.splice(0)) await m.stop();
});

async function server(host = '127.0.0.1', opts: TcpTransportOptions = {}) {
  const inbox = new Inbox();
  const manager = new TransportManager({ delegate: inbox });
  managers.push(manager);
  const tcp = manager.add(new TcpTransport({ host, port: 0, ...opts }));
  await manager.start();
  return { inbox, manager, tcp, port: tcp.address()?.port ?? 0 };
}

async function peer(port: number, host = '127.0.0.1') {
  const p = await tcpPeer(port, host);
  sockets.push(p.socket);
  return p;
}

function responses(text: string) {
  const out = [];
  for (const part of text.split(/(?=SIP\/2\.0 \d{3} )/)) {
    const r = parseMessage(Buffer.from(part, 'latin1'));
    if (r.ok && r.message.kind === 'response') out.push(r.message);
  }
  return out;
}

describe('TcpTransport', () => {
  for (const host of ['127.0.0.1', '::1']) {
    it(`[RFC3261-18.2.1-received] delivers requests with their connection and stamps received (${host})`, async () => {
      const { inbox, port, manager } = await server(host);
      const p = await peer(port, host);
      p.socket.write(options('TCP', 'client.invalid', { rport: true }));
      const rm = await inbox.next();
      expect(rm.source).toMatchObject({ protocol: 'tcp', remoteAddress: host, localPort: port });
      expect(rm.source.connectionId).toMatch(/^tcp-\d+$/);
      expect(rm.message.topVia.params.get('received')).toBe(host);
      expect(rm.message.topVia.params.get('rport')).toBe(String(p.socket.localPort));
      expect(manager.isAlive(rm.source.connectionId!)).toBe(true);
    });
  }

  it('[RFC3261-18.2.2-same-connection] MUST send a response on the connection the request came on', async () => {
    const { inbox, manager, port } = await server();
    const p = await peer(port);
    p.socket.write(options('TCP', 'client.invalid', { body: 'hi' }));
    const rm = await inbox.next();
    await manager.send(rm.message, {
      protocol: 'tcp',
      address: rm.source.remoteAddress,
      port: rm.source.remotePort,
      connectionId: rm.source.connectionId,
    });
    await waitFor(() => p.text().includes('hi'), 'the echo');
    expect(p.text()).toMatch(/^OPTIONS sip:service@example\.com SIP\/2\.0\r\n/);
  });

  it('[RFC3261-18.3-stream-framing] MUST frame several messages written in one segment and one split across writes', async () => {
    const { inbox, port } = await server();
    const p = await peer(port);
    const a = options('TCP', 'c.invalid', { callId: 'a', body: 'AAA' });
    const b = options('TCP', 'c.invalid', { callId: 'b', body: 'B\0B' });
    const c = options('TCP', 'c.invalid', { callId: 'c' });
    p.socket.write(Buffer.concat([a, b, c.subarray(0, 30)]));
    await inbox.next(2);
    p.socket.write(c.subarray(30));
    await inbox.next(3);
    expect(inbox.received.map((r) => r.message.callId)).toEqual(['a', 'b', 'c']);
    expect(inbox.received[1]!.message.body).toEqual(Buffer.from('B\0B'));
  });

  it('[RFC5626-3.5.1-crlf-keepalive] MUST answer a double-CRLF ping with a single CRLF pong', async () => {
    const { tcp, port } = await server();
    const p = await peer(port);
    p.socket.write('\r\n\r\n');
    await waitFor(() => p.text() === '\r\n', 'the pong');
    p.socket.write('\r\n');
    await new Promise((r) => setTimeout(r, 30));
    expect(p.text()).toBe('\r\n');
    expect(tcp.counters.keepAlivePings).toBe(1);
  });

  it('[RFC3261-8.2.6-stateless-error] answers a framed but malformed request with 400 and keeps the connection', async () => {
    const { inbox, port } = await server();
    const p = await peer(port);
    const bad = vector('mismatch01.dat');
    p.socket.write(bad);
    await waitFor(() => p.text().length > 0, 'the 400');
    const [r] = responses(p.text());
    expect(r?.status).toBe(400);
    expect(r?.reason).toContain('CSeq method INVITE does not match');
    p.socket.write(options('TCP', 'c.invalid', { callId: 'still-open' }));
    expect((await inbox.next()).message.callId).toBe('still-open');
    expect(p.closed()).toBe(false);
  });

  async function expectAnswerThenClose(file: string, code: string): Promise<void> {
    const { tcp, port, manager } = await server();
    const p = await peer(port);
    p.socket.write(vector(file));
    await p.ended;
    const [r] = responses(p.text());
    expect(r?.status).toBe(400);
    await waitFor(() => tcp.counters.connectionsOpen === 0, 'the close');
    expect(tcp.counters.connectionsClosed[code]).toBe(1);
    expect(manager.connections.size).toBe(0);
  }

  it('[RFC4475-3.1.2.3-ncl-stream] MUST answer a negative Content-Length with 400 and close the connection', async () => {
    await expectAnswerThenClose('ncl.dat', 'framing-bad-content-length');
  });

  it('[RFC4475-3.3.9-mcl01-stream] MUST answer conflicting Content-Lengths with 400 and close the connection', async () => {
    await expectAnswerThenClose('mcl01.dat', 'framing-conflicting-content-length');
  });

  it('closes a connection whose peer keeps its side open after a framing fault', async () => {
    const clock = new FakeClock();
    const { tcp, port } = await server('127.0.0.1', { clock, incompleteMessageTimeoutMs: 1000 });
    const { connect } = await import('node:net');
    const s = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    sockets.push(s);
    let text = '';
    s.on('data', (d) => {
      text += d.toString('latin1');
    });
    s.on('error', () => {});
    await new Promise((r) => s.once('connect', r));
    s.write(vector('ncl.dat'));
    await waitFor(() => text.startsWith('SIP/2.0 400'), 'the 400');
    s.write('garbage that must not keep the connection alive');
    await waitFor(() => tcp.counters.bytesIn > vector('ncl.dat').length, 'the garbage');
    expect(tcp.counters.connectionsOpen).toBe(1);
    clock.advance(1500);
    // The server already sent its FIN; the half-open client only learns of the close when it
    // writes again, so look at the server side.
    await waitFor(() => tcp.counters.connectionsOpen === 0, 'the close');
    expect(tcp.counters.connectionsClosed['framing-bad-content-length']).toBe(1);
  });

  it('[RFC3261-18.3-content-length-required] MUST close a connection carrying a message without Content-Length', async () => {
    const { port, tcp } = await server();
    const p = await peer(port);
    p.socket.write(options('TCP', 'c.invalid', { contentLength: false }));
    await p.ended;
    expect(responses(p.text())[0]?.status).toBe(400);
    expect(tcp.counters.drops['framing-no-content-length']).toBe(1);
  });

  it('[RFC4475-3.1.2.2-clerr-stream] MUST wait for the rest of the body, then close when it does not come', async () => {
    const clock = new FakeClock();
    const { port, tcp, inbox } = await server('127.0.0.1', { clock, incompleteMessageTimeoutMs: 2000 });
    const p = await peer(port);
    p.socket.write(vector('clerr.dat'));
    await waitFor(() => tcp.counters.bytesIn > 0, 'the bytes');
    clock.advance(1000);
    await new Promise((r) => setTimeout(r, 30));
    expect(p.closed()).toBe(false);
    expect(p.text()).toBe('');
    clock.advance(1500);
    await p.ended;
    await waitFor(() => tcp.counters.connectionsOpen === 0, 'the close');
    expect(inbox.received).toHaveLength(0);
    expect(tcp.counters.connectionsClosed['incomplete-message']).toBe(1);
  });

  it('[RFC3261-18-idle-close] closes connections idle for longer than the limit, not busy ones', async () => {
    const clock = new FakeClock();
    const { port, tcp } = await server('127.0.0.1', { clock, idleTimeoutMs: 10_000 });
    const idle = await peer(port);
    const busy = await peer(port);
    await waitFor(() => tcp.counters.connectionsOpen === 2, 'two connections');
    for (let t = 0; t < 4; t++) {
      clock.advance(3000);
      busy.socket.write('\r\n');
      await waitFor(() => tcp.counters.bytesIn === (t + 1) * 2, 'keep-alive');
    }
    await idle.ended;
    await waitFor(() => tcp.counters.connectionsOpen === 1, 'the close');
    expect(busy.closed()).toBe(false);
    expect(tcp.counters.connectionsClosed['idle-timeout']).toBe(1);
  });

  it('[RFC3261-18.1.1-reuse] MUST reuse an open connection to the same address and port instead of dialling again', async () => {
    const far = await server();
    const near = await server('127.0.0.1', { listen: false });
    const msg = parseMessage(options('TCP', 'near.invalid', { callId: 'one' }));
    if (!msg.ok) throw new Error('bad sample');
    const dest = { protocol: 'tcp' as const, address: '127.0.0.1', port: far.port };
    await Promise.all([near.manager.send(msg.message, dest), near.manager.send(msg.message, dest)]);
    await near.manager.send(msg.message, dest);
    await far.inbox.next(3);
    expect(far.tcp.counters.connectionsAccepted).toBe(1);
    expect(near.tcp.counters.connectionsDialled).toBe(1);
    const ids = new Set(far.inbox.received.map((r) => r.source.connectionId));
    expect(ids.size).toBe(1);
  });

  it('[RFC3261-18.1.1-reuse] reuses a connection dialled by host name for later sends to that name', async () => {
    const far = await server();
    const near = await server('127.0.0.1', { listen: false });
    const msg = parseMessage(options('TCP', 'near.invalid'));
    if (!msg.ok) throw new Error('bad sample');
    const dest = { protocol: 'tcp' as const, address: 'localhost', port: far.port };
    await near.manager.send(msg.message, dest);
    await near.manager.send(msg.message, dest);
    await far.inbox.next(2);
    expect(near.tcp.counters.connectionsDialled).toBe(1);
  });

  it('keeps serving when the layer above throws', async () => {
    const { inbox, port } = await server();
    let calls = 0;
    const original = inbox.receiveMessage.bind(inbox);
    inbox.receiveMessage = (rm) => {
      if (++calls === 1) throw new Error('bug above');
      original(rm);
    };
    const p = await peer(port);
    p.socket.write(
      Buffer.concat([
        options('TCP', 'c.invalid', { callId: 'x' }),
        options('TCP', 'c.invalid', { callId: 'y' }),
      ]),
    );
    expect((await inbox.next()).message.callId).toBe('y');
    expect(p.closed()).toBe(false);
  });

  it('[RFC3261-18.1.1-dial-failure] rejects with TransportError unreachable when the connection cannot be made', async () => {
    const closed = await server();
    const port = closed.port;
    await closed.manager.stop();
    const near = await server('127.0.0.1', { listen: false });
    const msg = parseMessage(options('TCP', 'near.invalid'));
    if (!msg.ok) throw new Error('bad sample');
    const err = await near.manager
      .send(msg.message, { protocol: 'tcp', address: '127.0.0.1', port })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).kind).toBe('unreachable');
  });

  it('[RFC5626-5.3-flow-closed] MUST fail a send on a connection that has closed with connection-closed', async () => {
    const { inbox, manager, port } = await server();
    const p = await peer(port);
    p.socket.write(options('TCP', 'c.invalid'));
    const rm = await inbox.next();
    p.socket.destroy();
    await waitFor(() => !manager.isAlive(rm.source.connectionId!), 'the close');
    const err = await manager
      .send(rm.message, {
        protocol: 'tcp',
        address: '127.0.0.1',
        port: 1,
        connectionId: rm.source.connectionId,
      })
      .catch((e: unknown) => e);
    expect((err as TransportError).kind).toBe('connection-closed');
  });
});
