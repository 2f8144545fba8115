import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SipRequest, SipResponse } from '../message/message.ts';
import { parseTokenList } from '../message/scalars.ts';
import { validateHeaders } from '../message/validate.ts';
import { MAGIC_COOKIE } from '../message/via.ts';
import { isSipUri, parseUri, type SipUri, type Uri } from '../uri/uri.ts';
import type { ParseFault } from './parse-fault.ts';
import { parseMessage } from './parse-message.ts';

/**
 * RFC 4475 §3.2-§3.4: messages that are well formed (or whose fault is a missing or repeated
 * essential header) and that a transaction or application layer must act on. The parser's part
 * is to parse them and to expose exactly the facts that layer decides on; the 400/416/420/483/415
 * decisions themselves are tested where they are made.
 */

const DIR = new URL('../../../shared/vectors/rfc4475/', import.meta.url);
const bytes = (name: string): Buffer => readFileSync(new URL(`${name}.dat`, DIR));

function parsed(name: string): SipRequest | SipResponse {
  const r = parseMessage(bytes(name));
  if (!r.ok) throw new Error(`${name}: ${r.fault.code} ${r.fault.reason}`);
  return r.message;
}

function request(name: string): SipRequest {
  const m = parsed(name);
  if (m.kind !== 'request') throw new Error(`${name} is not a request`);
  return m;
}

function fault(name: string): ParseFault {
  const r = parseMessage(bytes(name));
  if (r.ok) throw new Error(`${name} parsed but must be rejected`);
  return r.fault;
}

function uriOf(text: string): Uri {
  const r = parseUri(text);
  if (!r.ok) throw new Error(r.reason);
  return r.uri;
}

function sip(u: Uri): SipUri {
  if (!isSipUri(u)) throw new Error(`not a SIP URI: ${u.scheme}`);
  return u;
}

function contactUris(m: SipRequest | SipResponse): Uri[] {
  const c = m.contacts();
  if (typeof c === 'string') throw new Error(`contacts: ${c}`);
  return c.map((a) => a.uri);
}

describe('RFC 4475 §3.2 transaction-layer cases', () => {
  it('[RFC4475-3.2.1-badbranch] parses a branch that is only the magic cookie and exposes it', () => {
    const m = request('badbranch');
    expect(m.topVia.params.get('branch')).toBe('z9hG4bK');
    expect(m.topVia.params.get('branch')).toBe(MAGIC_COOKIE);
  });
});

describe('RFC 4475 §3.3 application-layer cases', () => {
  it('[RFC4475-3.3.1-insuf] MUST NOT break on missing Call-ID, From and To; answers 400', () => {
    const f = fault('insuf');
    expect({ status: f.status, code: f.code, header: f.header }).toEqual({
      status: 400,
      code: 'missing-header',
      header: 'Call-ID',
    });
    // the Via and CSeq that a 400 needs are available
    expect(f.partial?.headers.get('cseq')).toBe('193942 INVITE');
    expect(f.partial?.headers.count('via')).toBe(1);
  });

  it('[RFC4475-3.3.2-unkscm] parses a Request-URI of an unknown scheme as an opaque URI', () => {
    const m = request('unkscm');
    expect(uriOf(m.uri)).toEqual({ scheme: 'nobodyknowsthisscheme', opaque: 'totallyopaquecontent' });
    expect(sip(m.to.uri).user).toBe('user');
  });

  it('[RFC4475-3.3.3-novelsc] parses a Request-URI of a known but atypical scheme', () => {
    const m = request('novelsc');
    expect(uriOf(m.uri)).toEqual({ scheme: 'soap.beep', opaque: '//192.0.2.103:3002' });
  });

  it('[RFC4475-3.3.4-unksm2] parses non-SIP URIs in To, From and Contact', () => {
    const m = request('unksm2');
    expect(m.to.uri).toEqual({ scheme: 'isbn', opaque: '2983792873' });
    expect(m.to.bracketed).toBe(false);
    expect(m.from.uri).toEqual({ scheme: 'http', opaque: '//www.example.com' });
    expect(m.from.params.get('tag')).toBe('3234233');
    expect(contactUris(m)).toEqual([{ scheme: 'name', opaque: 'John_Smith' }]);
  });

  it('[RFC4475-3.3.5-bext01] exposes the option tags of Require and Proxy-Require', () => {
    const m = request('bext01');
    expect(parseTokenList(m.headers.values('require'))).toEqual([
      'nothingSupportsThis',
      'nothingSupportsThisEither',
    ]);
    expect(parseTokenList(m.headers.values('proxy-require'))).toEqual([
      'noProxiesSupportThis',
      'norDoAnyProxiesSupportThis',
    ]);
  });

  it('[RFC4475-3.3.6-invut] parses an unknown Content-Type and keeps the body', () => {
    const m = request('invut');
    expect(m.headers.get('content-type')).toBe('application/unknownformat');
    expect(m.body.toString('latin1')).toBe('<audio>\r\n <pcmu port="443"/>\r\n</audio>\r\n');
    expect(validateHeaders(m)).toEqual([]);
  });

  it('[RFC4475-3.3.7-regaut01] keeps an Authorization of an unknown scheme verbatim', () => {
    const m = request('regaut01');
    expect(m.headers.get('authorization')).toBe('NoOneKnowsThisScheme opaque-data=here');
    expect(m.headers.first('authorization')?.raw).toBe(
      'Authorization: NoOneKnowsThisScheme opaque-data=here\r\n',
    );
    expect(m.headers.get('content-length')).toBe('0');
  });

  it('[RFC4475-3.3.8-multi01] MUST answer 400 to several values in single-value headers', () => {
    const f = fault('multi01');
    expect({ status: f.status, code: f.code }).toEqual({ status: 400, code: 'multiple-values' });
    expect(f.header).toBe('Call-ID');
    expect(f.partial?.headers.count('call-id')).toBe(2);
  });

  it('[RFC4475-3.3.9-mcl01] MUST treat conflicting Content-Length values as a framing error', () => {
    const f = fault('mcl01');
    expect({ status: f.status, code: f.code, header: f.header }).toEqual({
      status: 400,
      code: 'content-length',
      header: 'Content-Length',
    });
    const s = parseMessage(bytes('mcl01'), { framing: 'stream' });
    expect(s.ok ? undefined : s.fault.code).toBe('content-length');
  });

  it('[RFC4475-3.3.10-bcast] parses a 200 whose second Via sent-by is 255.255.255.255', () => {
    const m = parsed('bcast');
    expect(m.kind).toBe('response');
    expect(m.vias.map((v) => [v.host, v.hostKind])).toEqual([
      ['192.0.2.198', 'ipv4'],
      ['255.255.255.255', 'ipv4'],
    ]);
  });

  it('[RFC4475-3.3.11-zeromf] parses Max-Forwards 0 as the number 0', () => {
    const m = request('zeromf');
    expect(m.maxForwards).toBe(0);
    expect(m.headers.get('max-forwards')).toBe('0');
  });

  it('[RFC4475-3.3.12-cparam01] reads a parameter after a Contact addr-spec as a header parameter', () => {
    const m = request('cparam01');
    const c = m.contacts();
    if (typeof c === 'string') throw new Error(String(c));
    expect(c[0]?.bracketed).toBe(false);
    expect(c[0]?.params.has('unknownparam')).toBe(true);
    expect(sip(c[0]!.uri).params.has('unknownparam')).toBe(false);
    expect(sip(c[0]!.uri).user).toBe('+19725552222');
  });

  it('[RFC4475-3.3.13-cparam02] reads a parameter inside Contact <> as a URI parameter', () => {
    const m = request('cparam02');
    const c = m.contacts();
    if (typeof c === 'string') throw new Error(String(c));
    expect(c[0]?.bracketed).toBe(true);
    expect(c[0]?.params.has('unknownparam')).toBe(false);
    expect(sip(c[0]!.uri).params.has('unknownparam')).toBe(true);
  });

  it('[RFC4475-3.3.14-regescrt] keeps the escaped Route header of a Contact URI escaped', () => {
    const m = request('regescrt');
    const [uri] = contactUris(m);
    expect(sip(uri!).headers).toBe('Route=%3Csip:sip.example.com%3E');
    expect(m.headers.has('route')).toBe(false);
    expect(m.headers.first('contact')?.name).toBe('M');
  });

  it('[RFC4475-3.3.15-sdp01] exposes an Accept that lists only an unknown media type', () => {
    const m = request('sdp01');
    expect(m.headers.values('accept')).toEqual(['text/nobodyKnowsThis']);
    expect(m.headers.get('content-type')).toBe('application/sdp');
  });
});

describe('RFC 4475 §3.4 backward compatibility', () => {
  it('[RFC4475-3.4.1-inv2543] accepts RFC 2543 syntax; the body runs to the end of the datagram', () => {
    const buf = bytes('inv2543');
    const m = request('inv2543');
    expect(m.headers.has('content-length')).toBe(false);
    expect(m.body.length).toBe(buf.length - (buf.indexOf('\r\n\r\n') + 4));
    expect(m.body.toString('latin1').endsWith('m=audio 49217 RTP/AVP 0\r\n')).toBe(true);
    expect(m.topVia.params.has('branch')).toBe(false);
    expect(m.from.params.has('tag')).toBe(false);
    expect(m.maxForwards).toBeUndefined();
    // a stream transport needs Content-Length (RFC 3261 §18.3)
    const s = parseMessage(buf, { framing: 'stream' });
    expect(s.ok ? undefined : s.fault.code).toBe('content-length');
  });
});
