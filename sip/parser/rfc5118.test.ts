import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SipRequest } from '../message/message.ts';
import { isSipUri, parseUri, type SipUri, type Uri } from '../uri/uri.ts';
import { parseMessage } from './parse-message.ts';

/**
 * RFC 5118: IPv6 torture tests. The wire/ copies (CRLF line endings) are used for header
 * parsing; in three of them the archive's Content-Length is wrong, so the test asserts the
 * framing fault and then parses a copy whose Content-Length it corrects.
 */

const DIR = new URL('../../../shared/vectors/rfc5118/wire/', import.meta.url);
const bytes = (name: string): Buffer => readFileSync(new URL(`${name}.dat`, DIR));

function request(buf: Buffer, framing: 'datagram' | 'stream' = 'datagram'): SipRequest {
  const r = parseMessage(buf, { framing });
  if (!r.ok) throw new Error(`${r.fault.code}: ${r.fault.reason}`);
  if (r.message.kind !== 'request') throw new Error('not a request');
  return r.message;
}

function sip(u: Uri | string): SipUri {
  const r = typeof u === 'string' ? parseUri(u) : { ok: true as const, uri: u };
  if (!r.ok || !isSipUri(r.uri)) throw new Error(`not a SIP URI: ${JSON.stringify(u)}`);
  return r.uri;
}

function contactUri(m: SipRequest): SipUri {
  const c = m.contacts();
  if (typeof c === 'string' || c[0] === undefined) throw new Error(`contacts: ${String(c)}`);
  return sip(c[0].uri);
}

/** A copy of buf whose Content-Length states the real body length. */
function withFixedLength(buf: Buffer): Buffer {
  const headEnd = buf.indexOf('\r\n\r\n') + 4;
  const head = buf.subarray(0, headEnd).toString('latin1');
  const fixed = head.replace(
    /\r\nContent-Length: \d+\r\n/,
    `\r\nContent-Length: ${buf.length - headEnd}\r\n`,
  );
  expect(fixed).not.toBe(head);
  return Buffer.concat([Buffer.from(fixed, 'latin1'), buf.subarray(headEnd)]);
}

function framingFault(buf: Buffer, framing: 'datagram' | 'stream'): string | undefined {
  const r = parseMessage(buf, { framing });
  return r.ok ? undefined : `${r.fault.status} ${r.fault.code} ${r.fault.header}`;
}

describe('RFC 5118 IPv6 messages', () => {
  it('[RFC5118-4.1-ipv6-good] MUST accept IPv6 references in the Request-URI, Via and Contact', () => {
    const m = request(bytes('ipv6-good'));
    const ruri = sip(m.uri);
    expect([ruri.host, ruri.hostKind, ruri.port]).toEqual(['[2001:db8::10]', 'ipv6', undefined]);
    expect([m.topVia.host, m.topVia.hostKind, m.topVia.port]).toEqual(['[2001:db8::9:1]', 'ipv6', undefined]);
    const contact = contactUri(m);
    expect([contact.user, contact.host, contact.hostKind]).toEqual(['caller', '[2001:db8::1]', 'ipv6']);
  });

  it('[RFC5118-4.2-ipv6-bad] MUST answer 400 to an IPv6 Request-URI host without brackets', () => {
    const r = parseMessage(bytes('ipv6-bad'));
    if (r.ok) throw new Error('must be rejected');
    expect({ status: r.fault.status, code: r.fault.code }).toEqual({ status: 400, code: 'request-uri' });
    expect(r.fault.partial?.headers.get('call-id')).toBe('SSG9559905523997077@hlau_4100');
  });

  it('[RFC5118-4.3-port-ambiguous] reads ":5070" inside the brackets as part of the address, not a port', () => {
    const ruri = sip(request(bytes('port-ambiguous')).uri);
    expect(ruri.host).toBe('[2001:db8::10:5070]');
    expect(ruri.hostKind).toBe('ipv6');
    expect(ruri.port).toBeUndefined();
  });

  it('[RFC5118-4.4-port-unambiguous] reads the port after "]"', () => {
    const ruri = sip(request(bytes('port-unambiguous')).uri);
    expect([ruri.host, ruri.port]).toEqual(['[2001:db8::10]', 5070]);
  });

  it('[RFC5118-4.5-via-received-param-with-delim] parses received=[IPv6] with brackets robustly', () => {
    const via = request(bytes('via-received-param-with-delim')).topVia;
    expect(via.params.get('received')).toBe('[2001:db8::9:255]');
    expect(via.params.get('branch')).toBe('z9hG4bKas3-111');
  });

  it('[RFC5118-4.5-via-received-param-no-delim] MUST accept received=IPv6 without brackets', () => {
    const via = request(bytes('via-received-param-no-delim')).topVia;
    expect(via.host).toBe('[2001:db8::9:1]');
    expect(via.params.get('received')).toBe('2001:db8::9:255');
    expect(via.params.get('branch')).toBe('z9hG4bKas3');
  });

  it('[RFC5118-4.6-ipv6-in-sdp] accepts IPv6 in SDP; the archive Content-Length 268 is a framing fault', () => {
    const buf = bytes('ipv6-in-sdp');
    expect(framingFault(buf, 'datagram')).toBe('400 content-length Content-Length');
    expect(framingFault(buf, 'stream')).toBe('400 content-length Content-Length');
    const m = request(withFixedLength(buf), 'stream');
    expect(m.body.length).toBe(251);
    expect(m.body.toString('latin1')).toContain('c=IN IP6 2001:db8::20\r\n');
    expect(sip(m.uri).host).toBe('[2001:db8::10]');
    expect(m.topVia.host).toBe('[2001:db8::20]');
    expect(contactUri(m).host).toBe('[2001:db8::20]');
  });

  it('[RFC5118-4.7-mult-ip-in-header] MUST accept a Via list mixing IPv4 and IPv6', () => {
    const m = request(bytes('mult-ip-in-header'));
    expect(m.vias.map((v) => [v.transport, v.host, v.hostKind, v.port, v.params.get('received')])).toEqual([
      ['UDP', '[2001:db8::9:1]', 'ipv6', 6050, undefined],
      ['UDP', '192.0.2.1', 'ipv4', undefined, undefined],
      ['TCP', '[2001:db8::9:255]', 'ipv6', undefined, '192.0.2.200'],
    ]);
  });

  it('[RFC5118-4.8-mult-ip-in-sdp] accepts per-media IP4 and IP6 lines; the archive Content-Length is wrong', () => {
    const buf = bytes('mult-ip-in-sdp');
    expect(framingFault(buf, 'stream')).toBe('400 content-length Content-Length');
    // in a datagram a short Content-Length cuts the body (RFC 3261 §18.3)
    expect(request(buf).body.length).toBe(181);
    const m = request(withFixedLength(buf), 'stream');
    expect(m.body.length).toBe(189);
    expect(m.body.toString('latin1')).toContain('c=IN IP4 192.0.2.1\r\nm=video');
    expect(m.body.toString('latin1')).toContain('c=IN IP6 2001:db8::1\r\n');
    expect(contactUri(m).host).toBe('[2001:db8::9:1]');
  });

  it('[RFC5118-4.9-ipv4-mapped-ipv6] MUST accept IPv4-mapped IPv6 addresses; the archive Content-Length is wrong', () => {
    const buf = bytes('ipv4-mapped-ipv6');
    expect(framingFault(buf, 'stream')).toBe('400 content-length Content-Length');
    const m = request(withFixedLength(buf), 'stream');
    expect(m.body.length).toBe(245);
    expect(m.vias.map((v) => [v.host, v.hostKind, v.port])).toEqual([
      ['[::ffff:192.0.2.10]', 'ipv6', 19823],
      ['[::ffff:192.0.2.2]', 'ipv6', undefined],
    ]);
    const contact = contactUri(m);
    expect([contact.user, contact.host, contact.hostKind]).toEqual(['ted', '[::ffff:192.0.2.2]', 'ipv6']);
  });

  it('[RFC5118-4.10-ipv6-bug-abnf-3-colons] parses the three-colon form of the RFC 3261 ABNF bug robustly', () => {
    const m = request(bytes('ipv6-bug-abnf-3-colons'));
    expect(sip(m.uri).host).toBe('[2001:db8:::192.0.2.1]');
    expect(sip(m.uri).hostKind).toBe('ipv6');
    expect(sip(m.to.uri).host).toBe('[2001:db8:::192.0.2.1]');
  });

  it('[RFC5118-4.10-ipv6-correct-abnf-2-colons] MUST accept an IPv6 reference with an embedded IPv4 tail', () => {
    const m = request(bytes('ipv6-correct-abnf-2-colons'));
    expect(sip(m.uri).host).toBe('[2001:db8::192.0.2.1]');
    expect(sip(m.uri).hostKind).toBe('ipv6');
    expect(sip(m.uri).user).toBe('user');
  });
});
