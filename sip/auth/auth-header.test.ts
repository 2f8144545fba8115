import { describe, expect, it } from 'vitest';
import {
  findParam,
  formatAuthHeader,
  formatAuthParams,
  parseAuthHeader,
  parseAuthParams,
  parseChallenges,
  quote,
  schemeIs,
} from './auth-header.ts';
import { readVectorFile } from './test-vectors.ts';

function ok<T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!r.ok) throw new Error(`expected success, got ${JSON.stringify(r.error)}`);
  return r.value;
}

describe('auth-param grammar (RFC 3261 §25.1, RFC 7235 §2.1)', () => {
  it('[RFC7235-2.1-auth-param] reads a Digest challenge with quoted and token values', () => {
    const h = ok(
      parseAuthHeader(
        'Digest realm="atlanta.com", domain="sip:boxesbybob.com", qop="auth", nonce="f84f1cec41e6cbe5aea9c8e88d359", opaque="", stale=FALSE, algorithm=MD5',
      ),
    );
    expect(h.scheme).toBe('Digest');
    expect(h.params.map((p) => [p.name, p.value, p.quoted])).toEqual([
      ['realm', 'atlanta.com', true],
      ['domain', 'sip:boxesbybob.com', true],
      ['qop', 'auth', true],
      ['nonce', 'f84f1cec41e6cbe5aea9c8e88d359', true],
      ['opaque', '', true],
      ['stale', 'FALSE', false],
      ['algorithm', 'MD5', false],
    ]);
  });

  it('[RFC7235-2.1-auth-param] unescapes quoted-pairs and keeps commas inside quotes', () => {
    const h = ok(parseAuthHeader('Digest realm="a\\"b\\\\c, d", nonce="n"'));
    expect(findParam(h.params, 'realm')?.value).toBe('a"b\\c, d');
  });

  it('[RFC7235-2.1-auth-param] accepts linear whitespace, folded lines and empty list elements', () => {
    const h = ok(parseAuthHeader('Digest   realm = "r" ,\r\n  nonce="n",, opaque="o"'));
    expect(h.params.map((p) => p.name)).toEqual(['realm', 'nonce', 'opaque']);
  });

  it('[RFC7235-2.1-auth-param] keeps UTF-8 text in quoted strings', () => {
    const h = ok(parseAuthHeader('Digest username="Jäsøn Doe", realm="r"'));
    expect(findParam(h.params, 'username')?.value).toBe('Jäsøn Doe');
  });

  it('[RFC7235-2.1-case-insensitive] compares schemes and parameter names case-insensitively', () => {
    const h = ok(parseAuthHeader('dIgEsT REALM="r", Nonce="n"'));
    expect(schemeIs(h, 'Digest')).toBe(true);
    expect(findParam(h.params, 'realm')?.value).toBe('r');
    expect(findParam(h.params, 'NONCE')?.value).toBe('n');
  });

  it('[RFC7235-2.2-no-duplicate-params] rejects a parameter given twice', () => {
    const r = parseAuthHeader('Digest realm="a", nonce="n", Realm="b"');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.fault).toBe('duplicate-param');
  });

  it('[RFC7235-2.1-token68] reads a token68 after the scheme (Bearer)', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl-_';
    expect(ok(parseAuthHeader(`Bearer ${jwt}`))).toEqual({ scheme: 'Bearer', token68: jwt, params: [] });
    expect(ok(parseAuthHeader('Bearer mF_9.B5f-4.1JqM/+=='))).toMatchObject({
      token68: 'mF_9.B5f-4.1JqM/+==',
    });
  });

  it('[RFC7235-2.1-token68] a single name=value is a parameter, not a token68', () => {
    const h = ok(parseAuthHeader('Bearer access_token="abc"'));
    expect(h.token68).toBeUndefined();
    expect(h.params).toEqual([{ name: 'access_token', value: 'abc', quoted: true }]);
    expect(ok(parseAuthHeader('Foo a=b')).params).toEqual([{ name: 'a', value: 'b', quoted: false }]);
  });

  it('[RFC7235-2.1-token68] a bare word after the scheme is a token68, for the scheme parser to refuse', () => {
    expect(ok(parseAuthHeader('Digest realm'))).toMatchObject({ token68: 'realm', params: [] });
    expect(ok(parseAuthHeader('Digest realm='))).toMatchObject({ token68: 'realm=', params: [] });
  });

  it('[RFC7235-2.1-token68] a scheme alone is valid', () => {
    expect(ok(parseAuthHeader('Negotiate'))).toEqual({ scheme: 'Negotiate', params: [] });
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['"Digest" realm="r"', 'bad-scheme'],
    ['Digest realm="unterminated', 'unterminated-quote'],
    ['Digest realm="bad\\', 'bad-escape'],
    ['Digest realm="r", nonce', 'bad-param'],
    ['Digest realm="r", nonce=', 'bad-param'],
    ['Digest realm="r" nonce="n"', 'bad-param'],
    ['Digest =x', 'bad-param'],
    ['Digest realm=@', 'bad-param'],
    ['Digest, realm="r"', 'bad-param'],
    ['Digest realm="a", nonce="1", Basic realm="b"', 'bad-param'],
  ])('[DESIGN-robustness-auth-header] reports %j as %s without throwing', (input, fault) => {
    const r = parseAuthHeader(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.fault).toBe(fault);
  });

  it('[DESIGN-robustness-auth-header] refuses an absurd number of parameters', () => {
    const many = Array.from({ length: 100 }, (_, i) => `p${i}=x`).join(', ');
    const r = parseAuthHeader(`Digest ${many}`);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.fault).toBe('too-many-params');
  });

  it('[DESIGN-robustness-auth-header] survives random bytes', () => {
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const alphabet = 'Digest realm=",\\ \t\r\n=abc\u00ff';
    for (let n = 0; n < 2000; n++) {
      let s = '';
      const len = rnd() % 40;
      for (let i = 0; i < len; i++) s += alphabet[rnd() % alphabet.length];
      expect(() => parseAuthHeader(s)).not.toThrow();
    }
  });

  it('[RFC7235-2.1-auth-param] writes what it reads: parse → format → parse is stable', () => {
    const input = 'Digest realm="a\\"b", nonce="n", algorithm=SHA-256, qop="auth,auth-int", x-ext=tok';
    const once = ok(parseAuthHeader(input));
    const text = formatAuthHeader(once);
    expect(text).toBe(input);
    expect(ok(parseAuthHeader(text))).toEqual(once);
  });

  it('[RFC7235-2.1-auth-param] quotes a value marked unquoted that is not a token', () => {
    expect(formatAuthParams([{ name: 'a', value: 'x y', quoted: false }])).toBe('a="x y"');
    expect(quote('plain')).toBe('"plain"');
  });

  it('[RFC7235-2.1-auth-param] reads a scheme-less list (Authentication-Info)', () => {
    expect(ok(parseAuthParams('nextnonce="47364c23432d2e131a5fb210812c", qop=auth')).length).toBe(2);
  });

  it('[RFC7235-4.1-challenge-list] splits several challenges in one header value', () => {
    const list = ok(
      parseChallenges(
        'Digest realm="a", nonce="1", algorithm=SHA-256, Digest realm="a", nonce="1", algorithm=MD5, Bearer realm="w", scope="sip", Negotiate, Foo abc==, Basic realm="b"',
      ),
    );
    expect(
      list.map((c) => [c.scheme, c.token68 ?? c.params.map((p) => `${p.name}=${p.value}`).join(';')]),
    ).toEqual([
      ['Digest', 'realm=a;nonce=1;algorithm=SHA-256'],
      ['Digest', 'realm=a;nonce=1;algorithm=MD5'],
      ['Bearer', 'realm=w;scope=sip'],
      ['Negotiate', ''],
      ['Foo', 'abc=='],
      ['Basic', 'realm=b'],
    ]);
  });

  it('[RFC7235-4.1-challenge-list] takes one challenge as a list of one, and refuses a broken element', () => {
    expect(ok(parseChallenges('Digest realm="a", nonce="1"'))).toHaveLength(1);
    expect(ok(parseChallenges('Digest realm = "a" , nonce="1"'))).toHaveLength(1);
    expect(parseChallenges('Digest realm="a", Basic realm="b" x').ok).toBe(false);
    expect(parseChallenges('').ok).toBe(false);
  });

  it('[RFC4475-3.3.7-unknown-scheme] keeps an unknown scheme (regaut01) so a proxy can forward it unchanged', () => {
    const message = readVectorFile('rfc4475/regaut01.dat');
    const line = message.split(/\r?\n/).find((l) => l.startsWith('Authorization:'));
    expect(line).toBeDefined();
    const value = line!.slice('Authorization:'.length).trim();
    const h = ok(parseAuthHeader(value));
    expect(h).toEqual({
      scheme: 'NoOneKnowsThisScheme',
      params: [{ name: 'opaque-data', value: 'here', quoted: false }],
    });
    expect(formatAuthHeader(h)).toBe(value);
  });
});
