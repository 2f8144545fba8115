import { describe, expect, it } from 'vitest';
import { SipHeaders } from '../message/headers.ts';
import { serialize } from '../message/serialize.ts';
import { parseMessage } from '../parser/parse-message.ts';
import { stampReceived } from './via-received.ts';

function request(via: string): ReturnType<typeof parse> {
  return parse(
    `OPTIONS sip:a@example.com SIP/2.0\r\nVia: ${via}\r\nVia: SIP/2.0/UDP second.example.com;branch=z9hG4bK2\r\n` +
      'Max-Forwards: 70\r\nTo: <sip:a@example.com>\r\nFrom: <sip:b@example.com>;tag=1\r\nCall-ID: c1\r\n' +
      'CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n',
  );
}

function parse(text: string) {
  const r = parseMessage(Buffer.from(text, 'latin1'));
  if (!r.ok) throw new Error(r.fault.reason);
  return r.message;
}

describe('stampReceived', () => {
  it('[RFC3261-18.2.1-received] MUST add received when the sent-by address differs from the source', () => {
    const m = request('SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1');
    expect(stampReceived(m.headers, '198.51.100.7', 40000)).toBe(true);
    expect(m.topVia.params.get('received')).toBe('198.51.100.7');
    expect(m.topVia.params.has('rport')).toBe(false);
    expect(m.vias[1]!.host).toBe('second.example.com');
    expect(serialize(m).toString()).toContain(
      'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1;received=198.51.100.7\r\n',
    );
  });

  it('[RFC3261-18.2.1-received] MUST add received when sent-by is a domain name (e.g. a WebSocket .invalid host)', () => {
    const m = request('SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK1');
    expect(stampReceived(m.headers, '192.0.2.9', 52000)).toBe(true);
    expect(m.topVia.params.get('received')).toBe('192.0.2.9');
  });

  it('[DESIGN-speed-header_views] stamps the parsed top Via in place instead of parsing it again', () => {
    const m = request('SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK1');
    const top = m.topVia;
    expect(stampReceived(m.headers, '192.0.2.9', 52000, top)).toBe(true);
    expect(top.params.get('received')).toBe('192.0.2.9');
    m.seed('via-top', top, 'via');
    expect(m.topVia).toBe(top);
    expect(m.vias[0]!.params.get('received')).toBe('192.0.2.9');
    expect(serialize(m).toString()).toContain(
      'Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK1;received=192.0.2.9\r\n',
    );
  });

  it('[RFC3261-18.2.1-received] MUST NOT add received when sent-by equals the source address', () => {
    const m = request('SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1');
    const before = serialize(m);
    expect(stampReceived(m.headers, '192.0.2.1', 5060)).toBe(false);
    expect(serialize(m)).toEqual(before);
  });

  it('[RFC3261-18.2.1-received] compares IPv6 sent-by and IPv4-mapped sources in canonical form', () => {
    const v6 = request('SIP/2.0/TCP [2001:DB8:0:0::1];branch=z9hG4bK1');
    expect(stampReceived(v6.headers, '2001:db8::1', 5060)).toBe(false);
    const v4 = request('SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK1');
    expect(stampReceived(v4.headers, '::ffff:192.0.2.1', 5060)).toBe(false);
    const other = request('SIP/2.0/TCP [2001:db8::1];branch=z9hG4bK1');
    expect(stampReceived(other.headers, '2001:db8::2', 5060)).toBe(true);
    expect(other.topVia.params.get('received')).toBe('2001:db8::2');
  });

  it('[RFC3581-4-rport-fill] MUST fill an empty rport with the source port and add received even when addresses match', () => {
    const m = request('SIP/2.0/UDP 192.0.2.1:5060;rport;branch=z9hG4bK1');
    expect(stampReceived(m.headers, '192.0.2.1', 61000)).toBe(true);
    expect(m.topVia.params.get('rport')).toBe('61000');
    expect(m.topVia.params.get('received')).toBe('192.0.2.1');
    expect(serialize(m).toString()).toContain(
      'Via: SIP/2.0/UDP 192.0.2.1:5060;rport=61000;branch=z9hG4bK1;received=192.0.2.1\r\n',
    );
  });

  it('[RFC3581-4-rport-fill] rewrites only the first value of a Via field holding several', () => {
    const m = request(
      'SIP/2.0/UDP h.example.com;rport;branch=z9hG4bK1 , SIP/2.0/UDP x.example.com;branch=z9hG4bK0',
    );
    stampReceived(m.headers, '192.0.2.5', 1234);
    expect(m.vias.map((v) => [v.host, v.params.get('rport'), v.params.get('received')])).toEqual([
      ['h.example.com', '1234', '192.0.2.5'],
      ['x.example.com', undefined, undefined],
      ['second.example.com', undefined, undefined],
    ]);
  });

  it('leaves headers without a parseable Via alone', () => {
    const h = new SipHeaders();
    h.append('Via', 'SIP/2.0/UDP 192.0.2.15;;,;,,');
    expect(stampReceived(h, '192.0.2.1', 5060)).toBe(false);
    expect(stampReceived(new SipHeaders(), '192.0.2.1', 5060)).toBe(false);
  });
});
