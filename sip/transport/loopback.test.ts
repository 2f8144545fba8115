import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.ts';
import type { SipRequest } from '../message/message.ts';
import { parseMessage } from '../parser/parse-message.ts';
import { loopbackPair } from './loopback.ts';
import { type ReceivedMessage, TransportError } from './types.ts';

function request(method: string, via = 'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKlb1;rport'): SipRequest {
  const text = [
    `${method} sip:bob@example.com SIP/2.0`,
    `Via: ${via}`,
    'Max-Forwards: 70',
    'From: <sip:alice@example.com>;tag=a1',
    'To: <sip:bob@example.com>',
    'Call-ID: lb1@192.0.2.1',
    `CSeq: 1 ${method}`,
    'Content-Type: text/plain',
    '',
    'hello',
  ].join('\r\n');
  const r = parseMessage(Buffer.from(text, 'latin1'));
  if (!r.ok || r.message.kind !== 'request') throw new Error('bad fixture');
  return r.message;
}

function setup() {
  const clock = new FakeClock();
  const pair = loopbackPair({ clock });
  const got: ReceivedMessage[] = [];
  pair.b.delegate = { receiveMessage: (rm) => got.push(rm) };
  return { clock, ...pair, got };
}

const toB = { protocol: 'udp' as const, address: '192.0.2.2', port: 5060 };

describe('loopback transport', () => {
  it('[HARNESS-loopback-delivery] MUST deliver asynchronously a re-parsed copy, with the transport facts apart', async () => {
    const { clock, a, got } = setup();
    const req = request('MESSAGE');
    await a.send(req, toB);
    expect(got).toHaveLength(0); // not delivered inside send()
    clock.advance(0);
    expect(got).toHaveLength(1);
    const rm = got[0]!;
    expect(rm.message).not.toBe(req);
    expect(rm.message.kind === 'request' && rm.message.method).toBe('MESSAGE');
    expect(rm.message.body.toString()).toBe('hello');
    expect(rm.source).toMatchObject({
      protocol: 'udp',
      remoteAddress: '192.0.2.1',
      remotePort: 5060,
      localAddress: '192.0.2.2',
      localPort: 5060,
      connectionId: undefined,
    });
    expect(a.sent[0]?.fate).toBe('delivered');
    expect(a.sent[0]?.bytes.toString('latin1')).toContain('Content-Length: 5\r\n');
  });

  it('[HARNESS-loopback-delivery] MUST add rport and received to the top Via of a request as a real transport does', () => {
    const { clock, a, got } = setup();
    void a.send(request('OPTIONS', 'SIP/2.0/UDP client.example.com:5070;branch=z9hG4bKlb2;rport'), toB);
    clock.advance(0);
    const via = got[0]!.message.topVia;
    expect(via.params.get('received')).toBe('192.0.2.1');
    expect(via.params.get('rport')).toBe('5060');
  });

  it('[HARNESS-loopback-faults] MUST drop, fail, duplicate and delay outgoing messages as told', async () => {
    const { clock, a, got } = setup();
    a.dropNext(1);
    await a.send(request('OPTIONS'), toB);
    a.failNext(1, 'too-large');
    await expect(a.send(request('OPTIONS'), toB)).rejects.toBeInstanceOf(TransportError);
    a.duplicateNext(1);
    await a.send(request('OPTIONS'), toB);
    clock.advance(0);
    expect(got).toHaveLength(2);
    a.delayNext(300);
    await a.send(request('OPTIONS'), toB);
    clock.advance(299);
    expect(got).toHaveLength(2);
    clock.advance(1);
    expect(got).toHaveLength(3);
    expect(a.sent.map((s) => s.fate)).toEqual(['dropped', 'failed', 'delivered', 'delivered']);
  });

  it('[HARNESS-loopback-faults] MUST apply a rule only to the messages its predicate selects', async () => {
    const { clock, a, got } = setup();
    a.inject({ action: 'drop', match: (m) => m.kind === 'request' && m.method === 'BYE' });
    await a.send(request('BYE'), toB);
    await a.send(request('OPTIONS'), toB);
    await a.send(request('BYE'), toB);
    clock.advance(0);
    expect(got.map((rm) => (rm.message.kind === 'request' ? rm.message.method : ''))).toEqual(['OPTIONS']);
  });

  it('[HARNESS-loopback-connections] MUST reuse one connection per pair on reliable protocols and fail a closed one', async () => {
    const { clock, network, a, b, got } = setup();
    const fromB: ReceivedMessage[] = [];
    a.delegate = { receiveMessage: (rm) => fromB.push(rm) };
    const toBTcp = { protocol: 'tcp' as const, address: '192.0.2.2', port: 5060 };
    await a.send(request('OPTIONS', 'SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bKlb3'), toBTcp);
    await a.send(request('OPTIONS', 'SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bKlb4'), toBTcp);
    clock.advance(0);
    expect(network.openConnections()).toHaveLength(1);
    const src = got[0]!.source;
    expect(src.connectionId).toBeDefined();
    expect(got[1]!.source.connectionId).toBe(src.connectionId);
    expect(src.remotePort).not.toBe(5060); // the opener's ephemeral port
    const back = { protocol: 'tcp' as const, address: src.remoteAddress, port: src.remotePort };
    await b.send(request('OPTIONS', 'SIP/2.0/TCP 192.0.2.2:5060;branch=z9hG4bKlb5'), {
      ...back,
      connectionId: src.connectionId,
    });
    clock.advance(0);
    expect(fromB).toHaveLength(1);
    network.closeConnection(src.connectionId!);
    await expect(
      b.send(request('OPTIONS'), { ...back, connectionId: src.connectionId }),
    ).rejects.toMatchObject({ kind: 'connection-closed' });
    await expect(b.send(request('OPTIONS'), back)).rejects.toMatchObject({ kind: 'unreachable' });
  });

  it('[HARNESS-loopback-delivery] MUST lose UDP sent to an address nobody listens on without failing the send', async () => {
    const { clock, a } = setup();
    await a.send(request('OPTIONS'), { protocol: 'udp', address: '192.0.2.99', port: 5060 });
    clock.advance(0);
    expect(a.sent[0]?.fate).toBe('lost');
    expect(clock.pending).toBe(0);
  });
});
