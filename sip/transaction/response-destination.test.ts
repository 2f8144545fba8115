import { describe, expect, it } from 'vitest';
import { parseVia, type Via } from '../message/via.ts';
import type { Source } from '../transport/types.ts';
import { responseDestination, responseFallback } from './response-destination.ts';

function via(text: string): Via {
  const r = parseVia(text);
  if (typeof r === 'string') throw new Error(r);
  return r[0]!;
}

function source(protocol: Source['protocol'], connectionId?: string): Source {
  return {
    protocol,
    remoteAddress: '198.51.100.7',
    remotePort: 40123,
    localAddress: '192.0.2.10',
    localPort: 5060,
    connectionId,
  };
}

describe('response destination (RFC 3261 §18.2.2)', () => {
  it('[RFC3261-18.2.2-reliable-connection] MUST send responses over a reliable transport back on the connection of the request', () => {
    for (const protocol of ['tcp', 'tls', 'ws', 'wss'] as const) {
      const d = responseDestination(
        via(`SIP/2.0/${protocol.toUpperCase()} client.invalid;branch=z9hG4bK1`),
        source(protocol, 'c7'),
      );
      expect(d).toEqual({ protocol, address: '198.51.100.7', port: 40123, connectionId: 'c7' });
    }
  });

  it('[RFC3261-18.2.2-connection-fallback] MUST name received and the sent-by port as the backup for TCP/TLS, none for WebSocket or UDP', () => {
    const v = via('SIP/2.0/TCP 10.0.0.5:5070;branch=z9hG4bK1;received=198.51.100.7');
    expect(responseFallback(v, source('tcp', 'c1'))).toEqual({
      protocol: 'tcp',
      address: '198.51.100.7',
      port: 5070,
    });
    expect(responseFallback(via('SIP/2.0/TLS a.example.com;branch=z9hG4bK1'), source('tls', 'c1'))).toEqual({
      protocol: 'tls',
      address: 'a.example.com',
      port: 5061,
    });
    expect(
      responseFallback(via('SIP/2.0/WSS h.invalid;branch=z9hG4bK1'), source('wss', 'c1')),
    ).toBeUndefined();
    expect(responseFallback(via('SIP/2.0/UDP 10.0.0.5;branch=z9hG4bK1'), source('udp'))).toBeUndefined();
  });

  it('[RFC3261-18.2.2-maddr] MUST send to maddr at the sent-by port (5060 when absent) over unreliable transports', () => {
    expect(
      responseDestination(via('SIP/2.0/UDP 10.0.0.5:5080;branch=z9hG4bK1;maddr=239.1.1.1'), source('udp')),
    ).toEqual({
      protocol: 'udp',
      address: '239.1.1.1',
      port: 5080,
    });
    expect(
      responseDestination(
        via('SIP/2.0/UDP 10.0.0.5;branch=z9hG4bK1;maddr=239.1.1.1;received=198.51.100.7'),
        source('udp'),
      ),
    ).toMatchObject({ address: '239.1.1.1', port: 5060 });
  });

  it('[RFC3261-18.2.2-received] MUST send to received at the sent-by port (5060 when absent) over unreliable transports', () => {
    expect(
      responseDestination(
        via('SIP/2.0/UDP 10.0.0.5:5090;branch=z9hG4bK1;received=198.51.100.7'),
        source('udp'),
      ),
    ).toEqual({
      protocol: 'udp',
      address: '198.51.100.7',
      port: 5090,
    });
    expect(
      responseDestination(
        via('SIP/2.0/UDP pc.example.com;branch=z9hG4bK1;received=198.51.100.7'),
        source('udp'),
      ),
    ).toMatchObject({ port: 5060 });
  });

  it('[RFC3261-18.2.2-sent-by] MUST send to the sent-by host and port when the request carries neither received nor maddr', () => {
    expect(responseDestination(via('SIP/2.0/UDP 198.51.100.7:5062;branch=z9hG4bK1'), source('udp'))).toEqual({
      protocol: 'udp',
      address: '198.51.100.7',
      port: 5062,
    });
    expect(responseDestination(via('SIP/2.0/UDP [2001:db8::9];branch=z9hG4bK1'), source('udp'))).toEqual({
      protocol: 'udp',
      address: '2001:db8::9',
      port: 5060,
    });
  });

  it('[RFC3581-4-rport-destination] MUST send to received and the rport port when rport carries a value, the source port when it is empty', () => {
    expect(
      responseDestination(
        via('SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK1;received=198.51.100.7;rport=40123'),
        source('udp'),
      ),
    ).toEqual({
      protocol: 'udp',
      address: '198.51.100.7',
      port: 40123,
    });
    expect(
      responseDestination(via('SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK1;rport'), source('udp')),
    ).toEqual({
      protocol: 'udp',
      address: '198.51.100.7',
      port: 40123,
    });
  });
});
