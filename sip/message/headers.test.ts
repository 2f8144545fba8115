import { describe, expect, it } from 'vitest';
import { parseMessage } from '../parser/parse-message.ts';
import { canonicalName, headerKey, knownWireName, learnWireName } from './header-names.ts';
import { type HeaderField, makeField, SipHeaders } from './headers.ts';
import type { SipMessage } from './message.ts';

function received(lines: string[]): SipHeaders {
  return new SipHeaders(
    lines.map((line): HeaderField => {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim();
      return { name, key: headerKey(name), value: line.slice(colon + 1).trim(), raw: `${line}\r\n` };
    }),
  );
}

function message(head: string[]): SipMessage {
  const r = parseMessage(Buffer.from(`${head.join('\r\n')}\r\n\r\n`));
  if (!r.ok) throw new Error(r.fault.reason);
  return r.message;
}

const BASE = ['To: <sip:a@b>', 'From: <sip:c@d>;tag=1', 'Call-ID: x@y', 'Via: SIP/2.0/UDP h;branch=z9hG4bK1'];

describe('header names (RFC 3261 §7.3.1, §7.3.3)', () => {
  it('[RFC3261-7.3.3-compact-forms] maps compact forms to long names, case-insensitively', () => {
    const pairs: Array<[string, string]> = [
      ['v', 'via'],
      ['f', 'from'],
      ['T', 'to'],
      ['i', 'call-id'],
      ['m', 'contact'],
      ['l', 'content-length'],
      ['c', 'content-type'],
      ['e', 'content-encoding'],
      ['s', 'subject'],
      ['k', 'supported'],
      ['o', 'event'],
      ['r', 'refer-to'],
      ['u', 'allow-events'],
      ['x', 'session-expires'],
      ['MaX-fOrWaRdS', 'max-forwards'],
    ];
    for (const [name, key] of pairs) expect(headerKey(name)).toBe(key);
    expect(headerKey('z')).toBe('z');
  });

  it('[RFC3261-7.3.3-compact-forms] finds a header under any spelling of its name', () => {
    const h = received(['v: SIP/2.0/UDP h', 'l: 0', 'i: abc@def', 'CONTACT: <sip:x@y>']);
    expect(h.get('Via')).toBe('SIP/2.0/UDP h');
    expect(h.get('VIA')).toBe('SIP/2.0/UDP h');
    expect(h.get('content-length')).toBe('0');
    expect(h.get('L')).toBe('0');
    expect(h.get('Call-ID')).toBe('abc@def');
    expect(h.has('m')).toBe(true);
    expect(h.count('contact')).toBe(1);
    expect(h.get('absent')).toBeUndefined();
    expect(h.first('via')?.name).toBe('v');
  });

  it('[RFC3261-7.3.3-compact-forms] spells new header names canonically', () => {
    expect(canonicalName('call-id')).toBe('Call-ID');
    expect(canonicalName('cseq')).toBe('CSeq');
    expect(canonicalName('www-authenticate')).toBe('WWW-Authenticate');
    expect(canonicalName('p-asserted-identity')).toBe('P-Asserted-Identity');
    expect(canonicalName('x-custom-header')).toBe('X-Custom-Header');
    expect(makeField('call-id', 'x').name).toBe('Call-ID');
    expect(makeField('Record-Route', 'x').name).toBe('Record-Route');
    expect(makeField('v', 'x')).toEqual({ name: 'v', key: 'via', value: 'x', raw: undefined });
  });
  it('[RFC3261-7.3.3-compact-forms] recognises a field name seen before without mistaking a look-alike for it', () => {
    const wire = 'Via:x\r\nContent-Length:x\r\nContxnt-Length:x\r\nl:x\r\nX-Seen-Once:x\r\n';
    const at = (name: string) => wire.indexOf(`${name}:`);
    const known = (name: string) => knownWireName(wire, at(name), at(name) + name.length);
    expect(known('Via')).toEqual({ name: 'Via', key: 'via' });
    expect(known('Content-Length')).toEqual({ name: 'Content-Length', key: 'content-length' });
    expect(known('l')).toEqual({ name: 'l', key: 'content-length' });
    // Same length, first, second and last characters as Content-Length: not the same name.
    expect(known('Contxnt-Length')).toBeUndefined();
    expect(known('X-Seen-Once')).toBeUndefined();
    const learnt = learnWireName(wire, at('X-Seen-Once'), at('X-Seen-Once') + 11);
    expect(learnt).toEqual({ name: 'X-Seen-Once', key: 'x-seen-once' });
    expect(known('X-Seen-Once')).toBe(learnt);
    expect(knownWireName('Vi\u0100:', 0, 3)).toBeUndefined();
  });

  it('[RFC3261-7.3.3-compact-forms] keys a parsed field by its name whatever the spelling, seen before or not', () => {
    const m = message([
      'INVITE sip:r SIP/2.0',
      ...BASE,
      'CSeq: 1 INVITE',
      'Contxct: <sip:x@y>',
      'cOnTaCt: <sip:z@y>',
      'Contact: <sip:w@y>',
    ]);
    expect(m.headers.fields.slice(-3).map((f) => [f.name, f.key])).toEqual([
      ['Contxct', 'contxct'],
      ['cOnTaCt', 'contact'],
      ['Contact', 'contact'],
    ]);
    expect(m.headers.values('contact')).toEqual(['<sip:z@y>', '<sip:w@y>']);
  });
});

describe('header fields and values (RFC 3261 §7.3.1)', () => {
  it('[RFC3261-7.3.1-list-values] splits list headers into values across fields, in order', () => {
    const h = received([
      'Route: <sip:p1.example.com;lr>, "Proxy, two" <sip:p2.example.com;lr>',
      'Subject: hello, world',
      'Route: <sip:p3.example.com;lr>',
      'Supported: 100rel,timer , path',
    ]);
    expect(h.values('route')).toEqual([
      '<sip:p1.example.com;lr>',
      '"Proxy, two" <sip:p2.example.com;lr>',
      '<sip:p3.example.com;lr>',
    ]);
    expect(h.values('k')).toEqual(['100rel', 'timer', 'path']);
    // a header that is not a list keeps its commas
    expect(h.values('subject')).toEqual(['hello, world']);
    expect(h.all('route')).toHaveLength(2);
  });

  it('[RFC3261-7.3.1-header-order] append adds last, prepend before the first field of that name', () => {
    const h = received(['Via: SIP/2.0/UDP b', 'To: <sip:t@x>', 'Via: SIP/2.0/UDP c']);
    h.prepend('Via', 'SIP/2.0/UDP a');
    h.append('Record-Route', '<sip:rr@x;lr>');
    h.prepend('Max-Forwards', '70');
    expect(h.fields.map((f) => `${f.name}: ${f.value}`)).toEqual([
      'Max-Forwards: 70',
      'Via: SIP/2.0/UDP a',
      'Via: SIP/2.0/UDP b',
      'To: <sip:t@x>',
      'Via: SIP/2.0/UDP c',
      'Record-Route: <sip:rr@x;lr>',
    ]);
    expect(h.values('via')).toEqual(['SIP/2.0/UDP a', 'SIP/2.0/UDP b', 'SIP/2.0/UDP c']);
  });

  it('[RFC3261-7.3.1-header-order] set replaces every field of a name in place of the first; remove deletes all', () => {
    const h = received(['Contact: <sip:a@x>', 'To: <sip:t@x>', 'm: <sip:b@x>', 'Expires: 60']);
    const before = h.version;
    h.set('contact', '<sip:c@x>');
    expect(h.fields.map((f) => f.key)).toEqual(['contact', 'to', 'expires']);
    expect(h.get('contact')).toBe('<sip:c@x>');
    expect(h.first('contact')?.raw).toBeUndefined();
    expect(h.first('to')?.raw).toBe('To: <sip:t@x>\r\n');
    h.set('Subject', 'new');
    expect(h.fields.at(-1)?.name).toBe('Subject');
    expect(h.remove('CONTACT')).toBe(1);
    expect(h.remove('contact')).toBe(0);
    expect(h.has('contact')).toBe(false);
    expect(h.version).toBeGreaterThan(before);
  });

  it('[RFC3261-16.7-remove-top-via] removes only the first value of a list header', () => {
    const h = received([
      'Via: SIP/2.0/UDP p1;branch=z9hG4bK1, SIP/2.0/UDP p2;branch=z9hG4bK2',
      'Via: SIP/2.0/UDP ua',
    ]);
    expect(h.removeFirstValue('v')).toBe('SIP/2.0/UDP p1;branch=z9hG4bK1');
    expect(h.fields).toHaveLength(2);
    expect(h.fields[0]).toEqual({
      name: 'Via',
      key: 'via',
      value: 'SIP/2.0/UDP p2;branch=z9hG4bK2',
      raw: undefined,
    });
    expect(h.removeFirstValue('via')).toBe('SIP/2.0/UDP p2;branch=z9hG4bK2');
    expect(h.values('via')).toEqual(['SIP/2.0/UDP ua']);
    expect(h.fields[0]?.raw).toBe('Via: SIP/2.0/UDP ua\r\n');
    expect(h.removeFirstValue('via')).toBe('SIP/2.0/UDP ua');
    expect(h.removeFirstValue('via')).toBeUndefined();
    expect(h.fields).toHaveLength(0);
  });

  it('[RFC3261-16.7-remove-top-via] keeps a quoted comma inside the first value', () => {
    const h = received(['Route: "a, b" <sip:p1;lr>, <sip:p2;lr>']);
    expect(h.removeFirstValue('route')).toBe('"a, b" <sip:p1;lr>');
    expect(h.get('route')).toBe('<sip:p2;lr>');
  });

  it('[RFC3261-7.3.1-header-order] clone is independent of the original', () => {
    const h = received(['To: <sip:t@x>']);
    const c = h.clone();
    c.set('to', '<sip:other@x>');
    expect(h.get('to')).toBe('<sip:t@x>');
    expect(c.get('to')).toBe('<sip:other@x>');
  });

  it('[RFC3261-7.3.1-header-order] no change to a clone (prepend, append, set, remove, first list value) reaches the original', () => {
    const h = received([
      'Via: SIP/2.0/WS a.invalid;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2',
      'Route: <sip:p1;lr>, <sip:p2;lr>',
      'Max-Forwards: 70',
      'P-Preferred-Identity: <sip:alice@x>',
      'To: <sip:t@x>',
    ]);
    const before = h.fields.map((f) => ({ ...f }));
    const c = h.clone();
    c.prepend('Via', 'SIP/2.0/UDP proxy;branch=z9hG4bK3');
    c.removeFirstValue('route');
    c.set('Max-Forwards', '69');
    c.remove('p-preferred-identity');
    c.append('P-Asserted-Identity', '<sip:alice@x>');
    expect(h.fields.map((f) => ({ ...f }))).toEqual(before);
    expect(h.values('via')).toHaveLength(2);
    expect(c.values('via')).toHaveLength(3);
    expect(c.values('route')).toEqual(['<sip:p2;lr>']);
  });
});

describe('typed header views of a message', () => {
  it('[RFC3261-20.10-contact-star] reports "Contact: *" as star and an address list otherwise', () => {
    expect(
      message(['REGISTER sip:r SIP/2.0', ...BASE, 'CSeq: 1 REGISTER', 'Contact: *', 'Expires: 0']).contacts(),
    ).toBe('star');
    const m = message([
      'REGISTER sip:r SIP/2.0',
      ...BASE,
      'CSeq: 1 REGISTER',
      'm: <sip:a@x>, <sip:b@x>',
      'Contact: sip:c@x',
    ]);
    const c = m.contacts();
    if (typeof c === 'string') throw new Error(c);
    expect(c.map((a) => a.uriText)).toEqual(['sip:a@x', 'sip:b@x', 'sip:c@x']);
  });

  it('[DESIGN-speed-header_views] parses a header again only when that header changed, not when another did', () => {
    const m = message(['OPTIONS sip:r SIP/2.0', ...BASE, 'CSeq: 1 OPTIONS', 'Contact: <sip:c@x>']);
    const [from, to, cseq, top, contacts] = [m.from, m.to, m.cseq, m.topVia, m.contacts()];
    m.headers.prepend('Via', 'SIP/2.0/UDP proxy.example.com;branch=z9hG4bK2');
    m.headers.set('Max-Forwards', '69');
    m.headers.append('Record-Route', '<sip:proxy.example.com;lr>');
    expect(m.from).toBe(from);
    expect(m.to).toBe(to);
    expect(m.cseq).toBe(cseq);
    expect(m.contacts()).toBe(contacts);
    expect(m.topVia).not.toBe(top);
    expect(m.topVia.host).toBe('proxy.example.com');
    m.headers.set('From', '<sip:other@x>;tag=2');
    expect(m.from).not.toBe(from);
    expect(m.from.params.get('tag')).toBe('2');
    expect(m.to).toBe(to);
    m.headers.remove('contact');
    expect(m.contacts()).toEqual([]);
  });

  it('[RFC3261-7.3.1-header-order] re-reads a typed header after the header changes', () => {
    const m = message(['OPTIONS sip:r SIP/2.0', ...BASE, 'CSeq: 1 OPTIONS']);
    expect(m.topVia.host).toBe('h');
    m.headers.prepend('Via', 'SIP/2.0/TCP proxy.example.com;branch=z9hG4bK2');
    expect(m.topVia.host).toBe('proxy.example.com');
    expect(m.vias).toHaveLength(2);
    m.headers.removeFirstValue('via');
    expect(m.topVia.host).toBe('h');
    m.headers.set('To', '<sip:z@x>;tag=9');
    expect(m.to.params.get('tag')).toBe('9');
  });
});
