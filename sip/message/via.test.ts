import { describe, expect, it } from 'vitest';
import { parseMessage } from '../parser/parse-message.ts';
import { formatVia, MAGIC_COOKIE, parseVia, type Via } from './via.ts';

function vias(value: string): Via[] {
  const r = parseVia(value);
  if (typeof r === 'string') throw new Error(`${value}: ${r}`);
  return r;
}

function via(value: string): Via {
  const [v, ...rest] = vias(value);
  expect(rest).toHaveLength(0);
  return v!;
}

function fault(value: string): string {
  const r = parseVia(value);
  if (typeof r !== 'string') throw new Error(`${value} must be rejected`);
  return r;
}

describe('Via (RFC 3261 §20.42)', () => {
  it('[RFC3261-20.42-via] parses sent-protocol, sent-by and parameters', () => {
    const v = via('SIP/2.0/UDP pc33.atlanta.com:5066;branch=z9hG4bK776asdhds;ttl=16;maddr=224.2.0.1');
    expect([v.protocol, v.version, v.transport, v.host, v.hostKind, v.port]).toEqual([
      'SIP',
      '2.0',
      'UDP',
      'pc33.atlanta.com',
      'domain',
      5066,
    ]);
    expect(v.params.entries()).toEqual([
      ['branch', 'z9hG4bK776asdhds'],
      ['ttl', '16'],
      ['maddr', '224.2.0.1'],
    ]);
    expect(v.params.get('branch')?.startsWith(MAGIC_COOKIE)).toBe(true);
  });

  it('[RFC3261-20.42-via] accepts LWS around "/", ":", ";" and "="', () => {
    const v = via('SIP  /   2.0 /UDP    192.0.2.2 : 5060 ;  branch  =   z9hG4bK9ikj8 ; lr');
    expect([v.transport, v.host, v.hostKind, v.port]).toEqual(['UDP', '192.0.2.2', 'ipv4', 5060]);
    expect(v.params.get('branch')).toBe('z9hG4bK9ikj8');
    expect(v.params.get('lr')).toBeNull();
  });

  it('[RFC3261-20.42-via] upper-cases the transport and accepts unknown and WebSocket transports', () => {
    expect(via('sip/2.0/udp h').transport).toBe('UDP');
    expect(via('SIP/2.0/UNKNOWN t4.example.com').transport).toBe('UNKNOWN');
    expect(via('SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK1').transport).toBe('WSS');
  });

  it('[RFC3261-20.42-via] parses several comma-separated values in one field', () => {
    const l = vias(
      'SIP/2.0/TCP spindle.example.com ;branch=z9hG4bK9ikj8 ,\tSIP/2.0/UDP 192.168.255.111;branch=z9hG4bK30239',
    );
    expect(l.map((v) => [v.transport, v.host, v.params.get('branch')])).toEqual([
      ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
      ['UDP', '192.168.255.111', 'z9hG4bK30239'],
    ]);
  });

  it('[RFC3261-20.42-via] rejects malformed values, saying why', () => {
    expect(fault('')).toContain('empty');
    expect(fault('SIP/2.0 h')).toContain('transport');
    expect(fault('SIP/2.0/UDPh')).toContain('whitespace');
    expect(fault('SIP/2.0/UDP')).toContain('whitespace');
    expect(fault('SIP/2.0/UDP h:99999')).toContain('port');
    expect(fault('SIP/2.0/UDP h:')).toContain('port');
    expect(fault('SIP/2.0/UDP 192.0.2.15;;,;,,')).toContain('empty parameter');
    expect(fault('SIP/2.0/UDP h,')).toContain('empty');
    expect(fault('SIP/2.0/UDP h x')).toContain("'x'");
    expect(fault('SIP/2.0/UDP 2001:db8::1')).toContain('port');
  });

  it('[RFC3261-20.42-via] formats a Via value canonically', () => {
    expect(formatVia(via('SIP / 2.0 / udp  h : 5060 ; branch = z9hG4bK1 ; rport'))).toBe(
      'SIP/2.0/UDP h:5060;branch=z9hG4bK1;rport',
    );
  });

  it('[RFC3261-7.3.3-compact-forms] reads every Via of a message, long and compact "v" fields in order', () => {
    const msg = [
      'OPTIONS sip:a@b SIP/2.0',
      'Via: SIP/2.0/UDP one.example.com;branch=z9hG4bK1',
      'v: SIP/2.0/TCP two.example.com;branch=z9hG4bK2, SIP/2.0/TLS three.example.com;branch=z9hG4bK3',
      'VIA: SIP/2.0/WS four.invalid;branch=z9hG4bK4',
      'To: <sip:a@b>',
      'From: <sip:c@d>;tag=1',
      'Call-ID: x',
      'CSeq: 1 OPTIONS',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    const r = parseMessage(Buffer.from(msg));
    if (!r.ok) throw new Error(r.fault.reason);
    expect(r.message.vias.map((v) => v.host)).toEqual([
      'one.example.com',
      'two.example.com',
      'three.example.com',
      'four.invalid',
    ]);
    expect(r.message.topVia.params.get('branch')).toBe('z9hG4bK1');
  });
});

describe('rport (RFC 3581 §4) and received with IPv6 (RFC 5118 §4.5)', () => {
  it('[RFC3581-4-rport] reads rport as a flag without value and as a number', () => {
    const flag = via('SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-d87543;rport');
    expect(flag.params.has('rport')).toBe(true);
    expect(flag.params.get('rport')).toBeNull();
    const filled = via('SIP/2.0/UDP 10.0.0.1:5060;received=192.0.2.1;rport=34512;branch=z9hG4bK1');
    expect(filled.params.get('rport')).toBe('34512');
    expect(filled.params.get('received')).toBe('192.0.2.1');
  });

  it('[RFC5118-4.5-via-received] accepts an IPv6 sent-by and received with or without brackets', () => {
    const v = via('SIP/2.0/UDP [2001:db8::9:1]:5060;received=2001:db8::9:255;branch=z9hG4bKas3');
    expect([v.host, v.hostKind, v.port]).toEqual(['[2001:db8::9:1]', 'ipv6', 5060]);
    expect(v.params.get('received')).toBe('2001:db8::9:255');
    expect(via('SIP/2.0/UDP [2001:db8::9:1];received=[2001:db8::9:255]').params.get('received')).toBe(
      '[2001:db8::9:255]',
    );
    expect(via('SIP/2.0/UDP [::ffff:192.0.2.10]:19823').hostKind).toBe('ipv6');
    expect(fault('SIP/2.0/UDP [2001:db8::9:1;branch=x')).toContain(']');
    expect(fault('SIP/2.0/UDP [not-v6]')).toContain('IPv6');
  });
});
