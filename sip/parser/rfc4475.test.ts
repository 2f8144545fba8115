import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SipRequest, SipResponse } from '../message/message.ts';
import type { NameAddr } from '../message/name-addr.ts';
import { isSipUri, parseUri, type SipUri, type Uri, unescapeUri } from '../uri/uri.ts';
import { KNOWN_METHODS, parseMessage } from './parse-message.ts';

/**
 * RFC 4475 §3.1.1: the well-formed torture messages. Each must parse, and the values the RFC
 * draws attention to must come out as it describes. The files are read as bytes from the shared
 * corpus (never copied: several depend on exact octets, see INDEX.md there).
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

function response(name: string): SipResponse {
  const m = parsed(name);
  if (m.kind !== 'response') throw new Error(`${name} is not a response`);
  return m;
}

function sip(u: Uri | string): SipUri {
  const uri = typeof u === 'string' ? parseUri(u) : { ok: true as const, uri: u };
  if (!uri.ok || !isSipUri(uri.uri)) throw new Error(`not a SIP URI: ${JSON.stringify(u)}`);
  return uri.uri;
}

function contacts(m: SipRequest | SipResponse): NameAddr[] {
  const c = m.contacts();
  if (typeof c === 'string') throw new Error(c);
  return c;
}

/** Header values are latin1 strings holding the received octets; this reads them as UTF-8 text. */
const utf8 = (latin1: string): string => Buffer.from(latin1, 'latin1').toString('utf8');

describe('RFC 4475 §3.1.1 valid messages', () => {
  it('[RFC4475-3.1.1.1-wsinv] MUST accept folding, LWS around separators, compact forms and leading zeros', () => {
    const m = request('wsinv');
    expect(m.method).toBe('INVITE');
    expect(m.uri).toBe('sip:vivekg@chair-dnrc.example.com;unknownparam');
    expect(m.maxForwards).toBe(68);
    expect(m.cseq).toEqual({ seq: 9, method: 'INVITE' });
    expect(m.callId).toBe('wsinv.ndaksdj@192.0.2.1');
    // unknown header with an odd value is kept opaque; folded values are unfolded
    expect(m.headers.get('UnknownHeaderWithUnusualValue')).toBe(';;,,;;,;');
    expect(m.headers.get('newfangledheader')).toBe('newfangled value continued newfangled value');
    expect(m.headers.has('subject')).toBe(true);
    expect(m.headers.get('Subject')).toBe('');
    expect(m.headers.first('subject')?.name).toBe('s');
    // To: addr-spec with LWS around ';' and '='
    expect(sip(m.to.uri).user).toBe('vivekg');
    expect(m.to.params.get('tag')).toBe('1918181833n');
    // From: quoted display name with an escaped backslash and an escaped quote, folded params
    expect(m.from.displayName).toBe('J Rosenberg \\"');
    expect(m.from.quotedName).toBe(true);
    expect(m.from.params.get('tag')).toBe('98asjd8');
    // Via: one long-form field folded over three lines plus a compact 'v' field with two values
    expect(m.vias.map((v) => [v.transport, v.host, v.params.get('branch')])).toEqual([
      ['UDP', '192.0.2.2', '390skdjuw'],
      ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
      ['UDP', '192.168.255.111', 'z9hG4bK30239'],
    ]);
    const [contact] = contacts(m);
    expect(contact?.displayName).toBe('Quoted string ""');
    expect(contact?.params.entries()).toEqual([
      ['newparam', 'newvalue'],
      ['secondparam', null],
      ['q', '0.33'],
    ]);
    const route = m.addresses('Route');
    if (typeof route === 'string') throw new Error(route);
    expect(sip(route[0]!.uri).params.entries()).toEqual([
      ['lr', null],
      ['unknownwith', 'value'],
      ['unknown-no-value', null],
    ]);
    expect(m.headers.get('content-length')).toBe('150');
    expect(m.body.length).toBe(150);
  });

  it('[RFC4475-3.1.1.2-intmeth] MUST accept the full range of token, URI and quoted-string characters', () => {
    const m = request('intmeth');
    expect(m.method).toBe("!interesting-Method0123456789_*+`.%indeed'~");
    expect(KNOWN_METHODS.has(m.method)).toBe(false);
    expect(m.cseq).toEqual({ seq: 139122385, method: m.method });
    const ruri = sip(m.uri);
    expect(ruri.user).toBe("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    expect(ruri.password).toBe("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    expect(ruri.host).toBe('example.com');
    // quoted-pairs keep BEL, NUL and DEL in the display name
    expect(m.to.displayName).toBe('BEL:\x07 NUL:\x00 DEL:\x7f');
    expect(sip(m.to.uri).user).toBe("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    expect(m.from.displayName).toBe("token1~` token2'+_ token3*%!.-");
    expect(m.from.quotedName).toBe(false);
    expect(m.from.params.get('tag')).toBe("_token~1'+`*%!-.");
    expect(utf8(m.from.params.value("fromParam''~+*_!.-%") ?? '')).toBe('работающий');
    expect(m.topVia.params.get('branch')).toBe("z9hG4bK-.!%66*_+`'~");
    expect(m.callId).toBe('intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{');
    expect(utf8(m.headers.get("extensionHeader-!.%*+_`'~") ?? '')).toBe('\uFEFF大停電');
  });

  it('[RFC4475-3.1.1.3-esc01] MUST treat %HEX in user parts and params as the encoded character, once', () => {
    const m = request('esc01');
    const ruri = sip(m.uri);
    expect(unescapeUri(ruri.user ?? '')).toBe('sips:user@example.com');
    expect(ruri.host).toBe('example.net');
    expect(unescapeUri(sip(m.to.uri).user ?? '')).toBe('user');
    expect(unescapeUri(sip(m.from.uri).user ?? '')).toBe('I have spaces');
    const [contact] = contacts(m);
    const curi = sip(contact!.uri);
    expect(unescapeUri(curi.user ?? '')).toBe('caller');
    const params = curi.params
      .entries()
      .map(([n, v]) => [unescapeUri(n), v === null ? null : unescapeUri(v)]);
    // %25%34%31 decodes to "%41", which is NOT decoded again into "A"
    expect(params).toEqual([
      ['lr', null],
      ['name', 'value%41'],
    ]);
    expect(m.headers.get('content-type')).toBe('application/sdp');
    expect(m.callId).toBe('esc01.239409asdfakjkn23onasd0-3234');
  });

  it('[RFC4475-3.1.1.4-escnull] MUST keep %00 in URIs without truncating the AOR', () => {
    const m = request('escnull');
    expect(unescapeUri(sip(m.to.uri).user ?? '')).toBe('null-\x00-null');
    expect(unescapeUri(sip(m.from.uri).user ?? '')).toBe('null-\x00-null');
    const users = contacts(m).map((c) => unescapeUri(sip(c.uri).user ?? ''));
    expect(users).toEqual(['\x00', '\x00\x00']);
    expect(m.headers.get('content-length')).toBe('0');
  });

  it('[RFC4475-3.1.1.5-esc02] MUST NOT unescape % in a method or a header name', () => {
    const m = request('esc02');
    expect(m.method).toBe('RE%47IST%45R');
    expect(m.method).not.toBe('REGISTER');
    expect(KNOWN_METHODS.has(m.method)).toBe(false);
    expect(m.to.displayName).toBe('%Z%45');
    expect(m.topVia.params.get('branch')).toBe('z9hG4bK209%fzsnel234');
    // C%6Fntact is an unknown header: two Contacts, not three
    expect(contacts(m).map((c) => sip(c.uri).host)).toEqual(['host1.example.com', 'host3.example.com']);
    expect(m.headers.get('C%6Fntact')).toBe('<sip:alias2@host2.example.com>');
  });

  it('[RFC4475-3.1.1.6-lwsdisp] MUST accept a token display name with no LWS before "<"', () => {
    const m = request('lwsdisp');
    expect(m.from.displayName).toBe('caller');
    expect(m.from.quotedName).toBe(false);
    expect(sip(m.from.uri).user).toBe('caller');
    expect(m.from.params.get('tag')).toBe('323');
  });

  it('[RFC4475-3.1.1.7-longreq] MUST accept very long values, names and Via lists', () => {
    const m = request('longreq');
    expect(m.to.displayName).toBe(`I have a user name of ${'extreme'.repeat(10)} proportion`);
    const to = sip(m.to.uri);
    expect(to.port).toBe(6000);
    expect(to.params.get('unknownparam1')).toBe(`very${'long'.repeat(20)}value`);
    expect(to.params.get(`longparam${'name'.repeat(25)}`)).toBe('shortvalue');
    expect(to.params.get(`very${'long'.repeat(25)}ParameterNameWithNoValue`)).toBeNull();
    expect(sip(m.from.uri).user).toBe('amazinglylongcallername'.repeat(5));
    expect(m.from.params.get('tag')).toBe(`1${'298'.repeat(50)}2424`);
    expect(m.from.params.get(`unknownheaderparam${'name'.repeat(20)}`)).toBe(
      `unknowheaderparam${'value'.repeat(15)}`,
    );
    expect(m.from.params.get(`unknownValueless${'paramname'.repeat(10)}`)).toBeNull();
    expect(m.callId).toBe(`longreq.one${'really'.repeat(20)}longcallid`);
    const unknown = m.headers.get(`Unknown-${'Long'.repeat(20)}-Name`);
    expect(unknown?.startsWith(`unknown-${'long'.repeat(20)}-value;`)).toBe(true);
    expect(m.vias).toHaveLength(34);
    expect(m.vias[0]?.host).toBe('sip33.example.com');
    expect(m.vias[32]?.host).toBe('sip1.example.com');
    expect(m.vias[33]?.params.get('received')).toBe('192.0.2.5');
    expect(m.vias[33]?.params.get('branch')).toBe(`very${'long'.repeat(50)}branchvalue`);
    expect(m.body.length).toBe(150);
  });

  it('[RFC4475-3.1.1.8-dblreq] MUST process the REGISTER and ignore octets after Content-Length in a datagram', () => {
    const m = request('dblreq');
    expect(m.method).toBe('REGISTER');
    expect(m.callId).toBe('dblreq.0ha0isndaksdj99sdfafnl3lk233412');
    expect(m.body.length).toBe(0);
    expect(m.headers.count('via')).toBe(1);
    expect(m.headers.has('content-type')).toBe(false);
  });

  it('[RFC4475-3.1.1.9-semiuri] MUST read ";" in a user part as part of the user', () => {
    const m = request('semiuri');
    const ruri = sip(m.uri);
    expect(ruri.user).toBe('user;par=u%40example.net');
    expect(unescapeUri(ruri.user ?? '')).toBe('user;par=u@example.net');
    expect(ruri.host).toBe('example.com');
    expect(ruri.params.size).toBe(0);
    expect(m.headers.values('accept')).toHaveLength(6);
  });

  it('[RFC4475-3.1.1.10-transports] MUST accept known and unknown Via transports', () => {
    const m = request('transports');
    expect(m.vias.map((v) => [v.transport, v.host])).toEqual([
      ['UDP', 't1.example.com'],
      ['SCTP', 't2.example.com'],
      ['TLS', 't3.example.com'],
      ['UNKNOWN', 't4.example.com'],
      ['TCP', 't5.example.com'],
    ]);
  });

  it('[RFC4475-3.1.1.11-mpart01] MUST frame a binary multipart body by Content-Length, NUL octets included', () => {
    const m = request('mpart01');
    expect(m.method).toBe('MESSAGE');
    expect(m.body.length).toBe(553);
    expect(m.body.length).toBe(Number(m.headers.get('content-length')));
    expect(m.body.includes(0x00)).toBe(true);
    expect(m.body.subarray(0, 20).toString('latin1')).toBe('--7a9cbec02ceef655\r\n');
    expect(m.body.subarray(-24).toString('latin1')).toBe('\r\n--7a9cbec02ceef655--\r\n');
    expect(m.headers.get('content-type')).toBe('multipart/mixed;boundary=7a9cbec02ceef655');
    expect(m.topVia.params.has('rport')).toBe(true);
    expect(m.topVia.params.get('rport')).toBeNull();
  });

  it('[RFC4475-3.1.1.12-unreason] MUST accept a reason phrase with non-ASCII UTF-8', () => {
    const m = response('unreason');
    expect(m.status).toBe(200);
    expect(utf8(m.reason)).toBe('= 2**3 * 5**2 но сто девяносто девять - простое');
    expect(m.body.length).toBe(154);
  });

  it('[RFC4475-3.1.1.13-noreason] MUST accept an empty reason phrase', () => {
    const m = response('noreason');
    expect(m.status).toBe(100);
    expect(m.reason).toBe('');
    expect(m.cseq).toEqual({ seq: 35, method: 'INVITE' });
  });
});
