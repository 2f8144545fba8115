import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SipMessage, SipRequest, SipResponse } from '../message/message.ts';
import { serialize } from '../message/serialize.ts';
import { validateHeaders } from '../message/validate.ts';
import { isSipUri, isTelUri, parseUri, type SipUri, type Uri } from '../uri/uri.ts';
import { parseMessage } from './parse-message.ts';

/**
 * Real messages: SIP.js over WebSocket (RFC 7118), Kamailio's wsctl OPTIONS template, and a
 * VoLTE INVITE / 183 pair from an IMS network. A WebSocket message is framed like a datagram
 * (one SIP message per WebSocket message, RFC 7118 §5). Each must parse, expose the values a
 * P-CSCF routes on, and serialise back to its bytes.
 */

const VECTORS = new URL('../../../shared/vectors/', import.meta.url);
const read = (path: string): Buffer => readFileSync(new URL(path, VECTORS));
const SIPJS = readdirSync(new URL('ws/sipjs/', VECTORS))
  .filter((f) => f.endsWith('.sip'))
  .sort();

function parsed(buf: Buffer): SipMessage {
  const r = parseMessage(buf);
  if (!r.ok) throw new Error(`${r.fault.code}: ${r.fault.reason}`);
  expect(validateHeaders(r.message)).toEqual([]);
  return r.message;
}

function request(path: string): SipRequest {
  const m = parsed(read(path));
  if (m.kind !== 'request') throw new Error(`${path} is not a request`);
  return m;
}

function response(path: string): SipResponse {
  const m = parsed(read(path));
  if (m.kind !== 'response') throw new Error(`${path} is not a response`);
  return m;
}

function sip(u: Uri | string): SipUri {
  const r = typeof u === 'string' ? parseUri(u) : { ok: true as const, uri: u };
  if (!r.ok || !isSipUri(r.uri)) throw new Error(`not a SIP URI: ${JSON.stringify(u)}`);
  return r.uri;
}

function contactUri(m: SipMessage): SipUri {
  const c = m.contacts();
  if (typeof c === 'string' || c[0] === undefined) throw new Error(`contacts: ${String(c)}`);
  return sip(c[0].uri);
}

/** Serialising an untouched message gives back its bytes, up to the end of the framed body. */
function expectRoundTrip(buf: Buffer): void {
  const m = parsed(buf);
  const end = buf.indexOf('\r\n\r\n') + 4 + m.body.length;
  expect(serialize(m).equals(buf.subarray(0, end))).toBe(true);
  const again = parseMessage(serialize(m), { framing: 'stream' });
  if (!again.ok) throw new Error(again.fault.reason);
  expect(again.message.headers.fields).toEqual(m.headers.fields);
  expect(again.message.body.equals(m.body)).toBe(true);
}

describe('SIP over WebSocket messages (RFC 7118)', () => {
  it.each(SIPJS)('[RFC7118-5-ws-messages] parses and round-trips the SIP.js message %s', (file) => {
    const m = parsed(read(`ws/sipjs/${file}`));
    expect(m.topVia.transport).toBe('WSS');
    expect(m.topVia.host.endsWith('.invalid')).toBe(true);
    expect(m.topVia.params.get('branch')?.startsWith('z9hG4bK')).toBe(true);
    expect(m.callId).toBe('2e0tofg49n9qvhjlrr63');
    expectRoundTrip(read(`ws/sipjs/${file}`));
  });

  it('[RFC7118-5-ws-messages] exposes the ;ob Contact, transport=ws and option tags of a SIP.js INVITE', () => {
    const m = request('ws/sipjs/invite_100rel_required.sip');
    expect(sip(m.uri).params.get('transport')).toBe('ws');
    const contact = contactUri(m);
    expect([contact.user, contact.host, contact.params.get('transport'), contact.params.get('ob')]).toEqual([
      'h9po1ojc',
      'u3legsua5tov.invalid',
      'ws',
      null,
    ]);
    expect(m.headers.values('require')).toEqual(['100rel']);
    expect(m.headers.values('supported')).toEqual(['outbound']);
    expect(m.headers.values('allow')).toEqual(['ACK', 'CANCEL', 'BYE', 'OPTIONS', 'INVITE', 'MESSAGE']);
    expect(m.body.length).toBe(1440);
    expect(m.body.toString('latin1').startsWith('v=0\r\n')).toBe(true);
  });

  it('[RFC7118-5-ws-messages] reads the dialog identifiers of in-dialog requests and Replaces', () => {
    const ack = request('ws/sipjs/ack_totag_abc123.sip');
    expect([ack.method, ack.cseq.seq, ack.to.params.get('tag'), ack.from.params.get('tag')]).toEqual([
      'ACK',
      7773,
      'abc123',
      'lug30cg783',
    ]);
    const bye = request('ws/sipjs/bye_totag_abc123.sip');
    expect(bye.cseq).toEqual({ seq: 7774, method: 'BYE' });
    const cancel = request('ws/sipjs/cancel.sip');
    expect(cancel.cseq).toEqual({ seq: 7773, method: 'CANCEL' });
    expect(cancel.maxForwards).toBeUndefined();
    const replaces = request('ws/sipjs/invite_replaces.sip');
    expect(replaces.headers.get('replaces')).toBe(
      'or1ek18v4gti27r1vt91;to-tag=dt0sj4e5ek;from-tag=qviijql90r',
    );
  });

  it('[RFC7118-5-ws-messages] frames a WebSocket message body by Content-Length, ignoring extra octets', () => {
    const buf = read('ws/sipjs/invite_rps_rock.sip');
    const m = request('ws/sipjs/invite_rps_rock.sip');
    expect(m.body.toString('latin1')).toBe('rock');
    expect(buf.length - (buf.indexOf('\r\n\r\n') + 4)).toBe(8);
  });

  it('[RFC7118-5-ws-messages] parses the Kamailio wsctl OPTIONS with token display names in quotes', () => {
    const file = 'ws/kamailio_wsctl_options_template_rendered.sip';
    const m = request(file);
    expect([m.method, m.uri, m.topVia.transport, m.topVia.host]).toEqual([
      'OPTIONS',
      'sip:bob@127.0.0.1',
      'WSS',
      'df7jal23ls0d.invalid',
    ]);
    expect(m.from.displayName).toBe("'alice'");
    expect(m.from.quotedName).toBe(false);
    expect(m.to.displayName).toBe("'bob'");
    expect(m.from.params.get('tag')).toBe('3696-0024845');
    expect(m.callId).toBe('24845-3696@127.0.0.1');
    expectRoundTrip(read(file));
  });
});

describe('VoLTE messages from an IMS network', () => {
  it('[TS24229-5.2-volte-messages] parses the UE INVITE: tel R-URI, compact forms, IPv6 Via and Contact', () => {
    const file = 'sdp/ims/volte_invite_full.sip';
    const m = request(file);
    const ruri = parseUri(m.uri);
    if (!ruri.ok || !isTelUri(ruri.uri)) throw new Error('tel R-URI expected');
    expect(ruri.uri.number).toBe('15301378925');
    expect(ruri.uri.params.get('phone-context')).toBe('ims.mnc000.mcc460.3gppnetwork.org');
    expect(m.headers.first('from')?.name).toBe('f');
    expect(sip(m.from.uri).user).toBe('+8613761248767');
    expect(m.to.uri.scheme).toBe('tel');
    expect(m.callId).toBe('3439550946_1333397176@2409:8100:2d90:125b:60f7:edff:fef7:b9ac');
    expect([m.topVia.transport, m.topVia.host, m.topVia.hostKind, m.topVia.port]).toEqual([
      'TCP',
      '[2409:8100:2d90:125b:60f7:edff:fef7:b9ac]',
      'ipv6',
      41937,
    ]);
    const contact = m.contacts();
    if (typeof contact === 'string') throw new Error(String(contact));
    expect(contact[0]?.params.has('+g.3gpp.ps2cs-srvcc-orig-pre-alerting')).toBe(true);
    expect(sip(contact[0]!.uri).port).toBe(41937);
    const route = m.addresses('route');
    if (typeof route === 'string') throw new Error(route);
    expect(route.map((r) => [sip(r.uri).host, sip(r.uri).port])).toEqual([
      ['[2409:8000:5002:1203:2::]', 9900],
      ['shscscf4bhw.sh.chinamobile.com', undefined],
    ]);
    expect(m.headers.values('proxy-require')).toEqual(['sec-agree']);
    expect(m.headers.get('security-verify')).toContain('spi-c=2198232621');
    expect(m.headers.get('content-type')).toBe('application/sdp');
    expect(m.body.length).toBe(804);
    expectRoundTrip(read(file));
  });

  it('[TS24229-5.2-volte-messages] parses the SBC 183: upper-case IPv6 Via, Record-Route, RSeq, Require', () => {
    const file = 'sdp/ims/volte_183_full.sip';
    const m = response(file);
    expect([m.status, m.reason]).toEqual([183, 'Session Progress']);
    expect(m.topVia.host).toBe('[2409:8100:2D90:125B:60F7:EDFF:FEF7:B9AC]');
    expect(m.topVia.hostKind).toBe('ipv6');
    const rr = m.addresses('record-route');
    if (typeof rr === 'string') throw new Error(rr);
    const rrUri = sip(rr[0]!.uri);
    expect([rrUri.host, rrUri.port, rrUri.params.get('transport'), rrUri.params.has('lr')]).toEqual([
      '[2409:8000:5002:1203:0002:0000:0000:0000]',
      9900,
      'tcp',
      true,
    ]);
    expect(m.to.params.get('tag')).toBe('xjtw9wtw');
    expect(m.headers.values('require')).toEqual(['100rel', 'precondition']);
    expect(m.headers.get('rseq')).toBe('1');
    expect(m.body.length).toBe(519);
    expectRoundTrip(read(file));
  });
});
