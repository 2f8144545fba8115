import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Clock } from '../clock/clock.ts';
import { parseMessage } from '../parser/parse-message.ts';
import { TcpTransport } from './tcp.ts';
import { Inbox, options, selfSignedCert, tcpPeer, udpPeer, waitFor } from './test-kit.ts';
import { TlsTransport } from './tls.ts';
import { TransportManager } from './transport-manager.ts';
import { TransportError } from './types.ts';
import { UdpTransport } from './udp.ts';
import { WsTransport } from './ws.ts';

const NETWORK_HANDLES = new Set(['TCPServerWrap', 'TCPSocketWrap', 'UDPWrap', 'TLSWrap', 'Timeout']);

function openHandles(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) if (NETWORK_HANDLES.has(r)) out[r] = (out[r] ?? 0) + 1;
  return out;
}

/** Like systemClock but its timers keep the process alive, so a leaked one shows as a handle. */
const refClock: Clock = {
  now: () => performance.now(),
  setTimer: (ms, fn) => setTimeout(fn, ms),
  clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
};

function sample(callId: string) {
  const r = parseMessage(options('UDP', '127.0.0.1', { callId }));
  if (!r.ok) throw new Error('bad sample');
  return r.message;
}

let manager: TransportManager | undefined;
afterEach(async () => {
  await manager?.stop();
  manager = undefined;
});

describe('TransportManager', () => {
  it('MUST leave no socket, server or timer open after stop()', async () => {
    await new Promise((r) => setTimeout(r, 20));
    const before = openHandles();
    const cert = selfSignedCert();
    const inbox = new Inbox();
    const m = new TransportManager({ delegate: inbox });
    const clock = refClock;
    m.add(new UdpTransport({ host: '127.0.0.1', port: 0, clock }));
    m.add(new UdpTransport({ host: '::1', port: 0, name: 'udp6', clock }));
    const tcp = m.add(new TcpTransport({ host: '127.0.0.1', port: 0, clock }));
    m.add(new TlsTransport({ host: '127.0.0.1', port: 0, key: cert.key, cert: cert.cert, clock }));
    const ws = m.add(new WsTransport({ host: '127.0.0.1', port: 0, clock }));
    m.add(new WsTransport({ host: '127.0.0.1', port: 0, key: cert.key, cert: cert.cert, clock }));
    await m.start();
    const tcpClient = await tcpPeer(tcp.address()!.port, '127.0.0.1');
    tcpClient.socket.write(options('TCP', 'c.invalid', { callId: 'tcp' }));
    const wsClient = new WebSocket(`ws://127.0.0.1:${ws.address()!.port}/`, 'sip');
    const wsClosed = new Promise((r) => wsClient.once('close', r));
    await new Promise((r) => wsClient.once('open', r));
    wsClient.send(options('WS', 'c.invalid', { callId: 'ws' }));
    await inbox.next(2);
    // a connection we dial out, too
    await m.send(sample('out'), { protocol: 'tcp', address: '127.0.0.1', port: tcp.address()!.port });
    await inbox.next(3);
    expect(m.connections.size).toBe(4);
    const during = openHandles();
    expect(during.TCPServerWrap).toBeGreaterThanOrEqual((before.TCPServerWrap ?? 0) + 4);
    expect(during.UDPWrap).toBeGreaterThanOrEqual((before.UDPWrap ?? 0) + 2);
    expect(during.Timeout).toBeGreaterThan(before.Timeout ?? 0); // sweeps and pings
    await m.stop();
    await Promise.all([tcpClient.ended, wsClosed]);
    await new Promise((r) => setTimeout(r, 20));
    expect(m.connections.size).toBe(0);
    const after = openHandles();
    for (const [kind, n] of Object.entries(after)) expect(n, kind).toBeLessThanOrEqual(before[kind] ?? 0);
  });

  it('[RFC3261-18.1.1-transport-choice] sends by destination protocol and address family, and fails without a transport', async () => {
    const inbox = new Inbox();
    manager = new TransportManager({ delegate: inbox });
    manager.add(new UdpTransport({ host: '127.0.0.1', port: 0 }));
    manager.add(new UdpTransport({ host: '::1', port: 0, name: 'udp6' }));
    await manager.start();
    const v4 = await udpPeer(4);
    const v6 = await udpPeer(6);
    try {
      await manager.send(sample('to-v4'), { protocol: 'udp', address: '127.0.0.1', port: v4.port });
      await manager.send(sample('to-v6'), { protocol: 'udp', address: '::1', port: v6.port });
      await waitFor(() => v4.got.length === 1 && v6.got.length === 1, 'both datagrams');
      const counters = manager.counters();
      expect(counters.udp?.messagesOut).toBe(1);
      expect(counters.udp6?.messagesOut).toBe(1);
      const err = await manager
        .send(sample('x'), { protocol: 'tcp', address: '127.0.0.1', port: 5060 })
        .catch((e: unknown) => e);
      expect((err as TransportError).kind).toBe('no-transport');
    } finally {
      await v4.close();
      await v6.close();
    }
  });

  it('[RFC5626-5.3-flow-closed] fails a send to an unknown connection id with connection-closed', async () => {
    manager = new TransportManager({ delegate: new Inbox() });
    const err = await manager
      .send(sample('x'), { protocol: 'ws', address: 'a.invalid', port: 0, connectionId: 'ws-404' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).kind).toBe('connection-closed');
    expect(manager.isAlive('ws-404')).toBe(false);
  });

  it('exposes counters as a plain snapshot object per transport, and refuses duplicate names', async () => {
    manager = new TransportManager({ delegate: new Inbox(), connectionIdPrefix: 'w1.' });
    const tcp = manager.add(new TcpTransport({ host: '127.0.0.1', port: 0 }));
    expect(() => manager!.add(new TcpTransport({ host: '127.0.0.1', port: 0 }))).toThrow(TypeError);
    await manager.start();
    const p = await tcpPeer(tcp.address()!.port, '127.0.0.1');
    p.socket.write(options('TCP', 'c.invalid'));
    await waitFor(() => tcp.counters.messagesIn === 1, 'the message');
    const snap = manager.counters();
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
    expect(snap.tcp).toMatchObject({ messagesIn: 1, connectionsOpen: 1, connectionsAccepted: 1 });
    expect(manager.connections.ids()).toEqual(['w1.tcp-1']);
    p.socket.destroy();
    await waitFor(() => tcp.counters.connectionsOpen === 0, 'the close');
    expect(snap.tcp?.connectionsOpen).toBe(1);
  });
});
