import { describe, expect, it } from 'vitest';
import { formatUri, isSipUri, type SipUri } from '../uri/uri.ts';
import { formatNameAddr, type NameAddr, parseNameAddr, parseNameAddrList } from './name-addr.ts';

function one(value: string): NameAddr {
  const r = parseNameAddr(value);
  if (typeof r === 'string') throw new Error(`${value}: ${r}`);
  return r;
}

function list(value: string): NameAddr[] {
  const r = parseNameAddrList(value);
  if (typeof r === 'string') throw new Error(`${value}: ${r}`);
  return r;
}

function fault(value: string, single = true): string {
  const r = single ? parseNameAddr(value) : parseNameAddrList(value);
  if (typeof r !== 'string') throw new Error(`${value} must be rejected`);
  return r;
}

function sip(a: NameAddr): SipUri {
  if (!isSipUri(a.uri)) throw new Error('not a SIP URI');
  return a.uri;
}

describe('display names (RFC 3261 §25.1 name-addr)', () => {
  it('[RFC3261-25.1-display-name] unescapes quoted-pairs in a quoted display name', () => {
    const a = one('"A \\"quoted\\" \\\\ name" <sip:a@example.com>;tag=1');
    expect(a.displayName).toBe('A "quoted" \\ name');
    expect(a.quotedName).toBe(true);
    expect(a.bracketed).toBe(true);
    expect(a.params.get('tag')).toBe('1');
  });

  it('[RFC3261-25.1-display-name] keeps commas, semicolons and "<" inside a quoted display name', () => {
    const a = one('"Bell, Alexander; <Graham>" <sip:a.g.bell@example.com>');
    expect(a.displayName).toBe('Bell, Alexander; <Graham>');
    expect(sip(a).user).toBe('a.g.bell');
  });

  it('[RFC3261-25.1-display-name] accepts a display name of tokens separated by LWS', () => {
    const a = one("T. Watson-2 ~x' <sip:t@example.org>");
    expect(a.displayName).toBe("T. Watson-2 ~x'");
    expect(a.quotedName).toBe(false);
  });

  it('[RFC3261-25.1-display-name] accepts no LWS between the display name and "<" (RFC 4475 §3.1.1.6)', () => {
    expect(one('caller<sip:caller@example.com>').displayName).toBe('caller');
    expect(one('"caller"<sip:caller@example.com>').displayName).toBe('caller');
  });

  it('[RFC3261-25.1-display-name] accepts an empty quoted display name and no display name', () => {
    expect(one('"" <sip:a@b>').displayName).toBe('');
    expect(one('<sip:a@b>').displayName).toBeUndefined();
    expect(one('sip:a@b').displayName).toBeUndefined();
  });

  it('[RFC3261-25.1-display-name] rejects an unquoted display name with non-token characters', () => {
    expect(fault('Bell, Alexander <sip:a@b>')).toContain('quoted string');
    expect(fault('A@B <sip:x@y>')).toContain('quoted string');
  });

  it('[RFC3261-25.1-display-name] rejects an unterminated quote or a quoted name not followed by <URI>', () => {
    expect(fault('"Mr. J. User <sip:j.user@example.com>')).toContain('unterminated');
    expect(fault('"x" sip:a@b')).toContain('<URI>');
  });

  it('[RFC3261-25.1-display-name] rejects whitespace inside <> and a missing ">"', () => {
    expect(fault('"Watson, Thomas" < sip:t.watson@example.org >')).toContain('whitespace');
    expect(fault('<sip:a@b')).toContain('>');
    expect(fault('<>')).toContain('empty');
  });
});

describe('addr-spec and header parameters (RFC 3261 §20)', () => {
  it('[RFC3261-20-addr-spec-params] reads parameters after a bare addr-spec as header parameters', () => {
    const a = one('sip:+12125551212@gw.example.com;user=phone;tag=887s');
    expect(a.bracketed).toBe(false);
    expect(sip(a).params.size).toBe(0);
    expect(a.params.entries()).toEqual([
      ['user', 'phone'],
      ['tag', '887s'],
    ]);
  });

  it('[RFC3261-20-addr-spec-params] reads parameters inside <> as URI parameters', () => {
    const a = one('<sip:+12125551212@gw.example.com;user=phone>;tag=887s');
    expect(sip(a).params.get('user')).toBe('phone');
    expect(a.params.entries()).toEqual([['tag', '887s']]);
  });

  it('[RFC3261-20-addr-spec-params] MUST have a URI with headers enclosed in <>', () => {
    expect(fault('sip:user@example.com?Route=%3Csip:sip.example.com%3E')).toContain('<>');
    expect(sip(one('<sip:user@example.com?Route=%3Csip:x%3E>')).headers).toBe('Route=%3Csip:x%3E');
  });

  it('[RFC3261-20-addr-spec-params] accepts LWS around ";" and "=" and quoted parameter values', () => {
    const a = one('sip:vivekg@example.com ;   tag    = 1918181833n ; x="a;b,c"');
    expect(a.params.get('tag')).toBe('1918181833n');
    expect(a.params.get('x')).toBe('"a;b,c"');
    expect(a.params.value('x')).toBe('a;b,c');
  });

  it('[RFC3261-20-addr-spec-params] parses non-SIP URIs in an address (RFC 4475 §3.3.4)', () => {
    expect(one('isbn:2983792873').uri).toEqual({ scheme: 'isbn', opaque: '2983792873' });
    expect(one('<http://www.example.com>;tag=3').uri).toEqual({
      scheme: 'http',
      opaque: '//www.example.com',
    });
    expect(one('<tel:+1-201-555-0123>').uri).toMatchObject({ scheme: 'tel', number: '+1-201-555-0123' });
  });

  it('[RFC3261-20-addr-spec-params] formats an address in name-addr form', () => {
    expect(formatNameAddr(one('sip:a@b;tag=1'))).toBe('<sip:a@b>;tag=1');
    expect(formatNameAddr(one('"A \\"B\\"" <sip:a@b;lr>;x'))).toBe('"A \\"B\\"" <sip:a@b;lr>;x');
    expect(formatNameAddr(one('Alice  <sip:a@b>'))).toBe('Alice <sip:a@b>');
    const a = one('<sip:a@b>');
    a.params.set('tag', 'xyz');
    expect(formatNameAddr(a)).toBe('<sip:a@b>;tag=xyz');
    expect(formatUri(a.uri)).toBe('sip:a@b');
  });

  it('[RFC3261-20-addr-spec-params] holds exactly one address where one is allowed (From, To)', () => {
    expect(fault('<sip:a@b>, <sip:c@d>')).toContain('more than one');
    expect(fault('A <sip:a@b> B')).toContain("'B'");
  });
});

describe('address lists (RFC 3261 §7.3.1, §20.10)', () => {
  it('[RFC3261-7.3.1-list-values] splits a list on commas outside quoted strings and <>', () => {
    const l = list('"Bell, Alexander" <sip:a@b>;q=0.7, <sip:user,name@c;lr>, sip:e@f;expires=60');
    expect(l.map((a) => a.displayName)).toEqual(['Bell, Alexander', undefined, undefined]);
    expect(l.map((a) => formatUri(a.uri))).toEqual(['sip:a@b', 'sip:user,name@c;lr', 'sip:e@f']);
    expect(l[0]?.params.get('q')).toBe('0.7');
    expect(l[2]?.params.get('expires')).toBe('60');
  });

  it('[RFC3261-7.3.1-list-values] keeps commas inside quoted parameter values', () => {
    const l = list('<sip:a@b>;x="1,2", <sip:c@d>');
    expect(l).toHaveLength(2);
    expect(l[0]?.params.value('x')).toBe('1,2');
  });

  it('[RFC3261-7.3.1-list-values] rejects empty list elements and junk between elements', () => {
    expect(fault('<sip:a@b>,', false)).toContain('missing URI');
    expect(fault('<sip:a@b> <sip:c@d>', false)).toContain('unexpected');
    expect(fault('<sip:a@b>;;x', false)).toContain('empty parameter');
  });

  it('[RFC3261-20.10-contact-star] does not read "*" as an address', () => {
    expect(fault('*', false)).toContain('scheme');
  });
});
