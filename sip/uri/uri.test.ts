import { describe, expect, it } from 'vitest';
import {
  checkUri,
  formatUri,
  isSipUri,
  isTelUri,
  parseUri,
  type SipUri,
  type TelUri,
  type Uri,
  unescapeUri,
} from './uri.ts';

function ok(text: string): Uri {
  const r = parseUri(text);
  if (!r.ok) throw new Error(`${text}: ${r.reason}`);
  return r.uri;
}

function sip(text: string): SipUri {
  const u = ok(text);
  if (!isSipUri(u)) throw new Error(`${text} is not a SIP URI`);
  return u;
}

function tel(text: string): TelUri {
  const u = ok(text);
  if (!isTelUri(u)) throw new Error(`${text} is not a tel URI`);
  return u;
}

function reason(text: string): string {
  const r = parseUri(text);
  if (r.ok) throw new Error(`${text} must be rejected`);
  return r.reason;
}

describe('SIP and SIPS URIs (RFC 3261 §19.1.1)', () => {
  it('[RFC3261-19.1.1-sip-uri] parses user, password, host, port, parameters and headers as written', () => {
    const u = sip('sips:alice:secret@[::1]:5061;transport=tls;lr?subject=project%20x&priority=urgent');
    expect(u.scheme).toBe('sips');
    expect(u.user).toBe('alice');
    expect(u.password).toBe('secret');
    expect(u.host).toBe('[::1]');
    expect(u.hostKind).toBe('ipv6');
    expect(u.port).toBe(5061);
    expect(u.params.entries()).toEqual([
      ['transport', 'tls'],
      ['lr', null],
    ]);
    expect(u.headers).toBe('subject=project%20x&priority=urgent');
  });

  it('[RFC3261-19.1.1-sip-uri] parses the example URIs of RFC 3261 §19.1.3', () => {
    const parts = (text: string) => {
      const u = sip(text);
      return [u.user, u.password, u.host, u.port, u.params.toString(), u.headers];
    };
    expect(parts('sip:alice@atlanta.com')).toEqual([
      'alice',
      undefined,
      'atlanta.com',
      undefined,
      '',
      undefined,
    ]);
    expect(parts('sip:alice:secretword@atlanta.com;transport=tcp')).toEqual([
      'alice',
      'secretword',
      'atlanta.com',
      undefined,
      ';transport=tcp',
      undefined,
    ]);
    expect(parts('sips:alice@atlanta.com?subject=project%20x&priority=urgent')[5]).toBe(
      'subject=project%20x&priority=urgent',
    );
    expect(parts('sip:+1-212-555-1212:1234@gateway.com;user=phone')).toEqual([
      '+1-212-555-1212',
      '1234',
      'gateway.com',
      undefined,
      ';user=phone',
      undefined,
    ]);
    expect(parts('sips:1212@gateway.com')[0]).toBe('1212');
    expect(parts('sip:alice@192.0.2.4')[2]).toBe('192.0.2.4');
    expect(parts('sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com')).toEqual([
      undefined,
      undefined,
      'atlanta.com',
      undefined,
      ';method=REGISTER',
      'to=alice%40atlanta.com',
    ]);
    expect(parts('sip:alice;day=tuesday@atlanta.com')).toEqual([
      'alice;day=tuesday',
      undefined,
      'atlanta.com',
      undefined,
      '',
      undefined,
    ]);
  });

  it('[RFC3261-19.1.1-sip-uri] accepts a URI without user part, port or parameters', () => {
    const u = sip('sip:atlanta.com');
    expect([u.user, u.password, u.host, u.hostKind, u.port, u.params.size, u.headers]).toEqual([
      undefined,
      undefined,
      'atlanta.com',
      'domain',
      undefined,
      0,
      undefined,
    ]);
    expect(sip('sip:192.0.2.4').hostKind).toBe('ipv4');
    expect(sip('sip:host.example.com.').host).toBe('host.example.com.');
  });

  it('[RFC3261-19.1.1-sip-uri] reads the scheme case-insensitively and keeps user and host as written', () => {
    const u = sip('SIP:Alice@AtLanTa.COM:5060');
    expect(u.scheme).toBe('sip');
    expect(u.user).toBe('Alice');
    expect(u.host).toBe('AtLanTa.COM');
  });

  it('[RFC3261-19.1.1-sip-uri] accepts an empty password and parameters with and without values', () => {
    const u = sip('sip:bob:@h;maddr=239.255.255.1;ttl=15;lr;method=REGISTER');
    expect(u.password).toBe('');
    expect(u.params.get('maddr')).toBe('239.255.255.1');
    expect(u.params.get('ttl')).toBe('15');
    expect(u.params.get('LR')).toBeNull();
    expect(u.params.has('method')).toBe(true);
    expect(u.params.get('absent')).toBeUndefined();
  });

  it('[RFC3261-25.1-uri-grammar] rejects URIs that break the grammar, saying why', () => {
    expect(reason('sip:@host')).toContain('user part');
    expect(reason('sip:a%2@host')).toContain('user part');
    expect(reason('sip:u:p:q@host')).toContain('password');
    expect(reason('sip:')).toContain('no host');
    expect(reason('sip:-host')).toContain('not a valid host');
    expect(reason('sip:user@host@other')).toContain('not a valid host');
    expect(reason('sip:host:')).toContain('port');
    expect(reason('sip:host:65536')).toContain('port');
    expect(reason('sip:host:5o60')).toContain('port');
    expect(reason('sip:host;;lr')).toContain('parameter');
    expect(reason('sip:host;lr=')).toContain('parameter');
    expect(reason('sip:host;x=a%zz')).toContain('parameter');
    expect(reason('sip:host?')).toContain('header');
    expect(reason('sip:host?novalue')).toContain('header');
    expect(reason('sip:host ;lr')).toContain('host');
    expect(reason('no-scheme')).toContain('scheme');
    expect(reason('1sip:x')).toContain('scheme');
    expect(reason(':x')).toContain('scheme');
  });

  it('[RFC3261-19.1.1-uri-format] formats a parsed URI back to the same text', () => {
    for (const text of [
      'sip:alice@atlanta.com',
      'sips:alice:secret@[2001:db8::1]:5061;transport=tls;lr?subject=x&priority=urgent',
      'sip:+12125551212@gw.example.com;user=phone',
      'sip:%61lice@atlanta.com;n%61me=v%61lue',
      'sip:bob:@h:0;ttl=1',
      'tel:+1-201-555-0123;phone-context=example.com',
      'urn:service:sos',
    ])
      expect(formatUri(ok(text))).toBe(text);
  });

  it('[RFC3261-19.1.1-uri-format] formats a URI built or changed in code', () => {
    const u = sip('sip:alice@atlanta.com;transport=tcp');
    u.params.delete('transport');
    u.params.set('lr', null);
    u.port = 5070;
    expect(formatUri(u)).toBe('sip:alice@atlanta.com:5070;lr');
  });
});

describe('IPv6 references (RFC 3261 §25.1, RFC 5118)', () => {
  it('[RFC3261-25.1-ipv6-reference] accepts bracketed IPv6 hosts, with and without port', () => {
    expect(sip('sip:[2001:db8::10]').host).toBe('[2001:db8::10]');
    const p = sip('sip:user@[2001:db8::10]:5070;transport=udp');
    expect([p.host, p.hostKind, p.port, p.params.get('transport')]).toEqual([
      '[2001:db8::10]',
      'ipv6',
      5070,
      'udp',
    ]);
    expect(sip('sip:[::ffff:192.0.2.10]:19823').hostKind).toBe('ipv6');
    expect(sip('sip:[2001:db8::10:5070]').port).toBeUndefined();
  });

  it('[RFC3261-25.1-ipv6-reference] rejects IPv6 without brackets or with a bad address', () => {
    expect(parseUri('sip:2001:db8::10').ok).toBe(false);
    expect(reason('sip:[2001:db8::10')).toContain('closing bracket');
    expect(reason('sip:[zz::1]')).toContain('IPv6');
    expect(reason('sip:[2001:db8::1::2]')).toContain('IPv6');
  });

  it('[RFC3261-25.1-ipv6-reference] tolerates the extra colon of the RFC 3261 ABNF bug (RFC 5118 §4.10)', () => {
    expect(sip('sip:[2001:db8:::192.0.2.1]').host).toBe('[2001:db8:::192.0.2.1]');
  });
});

describe('escaping (RFC 3261 §19.1.2, §19.1.4)', () => {
  it('[RFC3261-19.1.2-escaping] accepts escaped user, password and parameters and keeps them escaped', () => {
    const u = sip('sip:%61lice:p%40ss@host;n%61me=v%61lue');
    expect(u.user).toBe('%61lice');
    expect(u.password).toBe('p%40ss');
    expect(u.params.names).toEqual(['n%61me']);
    expect(unescapeUri(u.user ?? '')).toBe('alice');
    expect(unescapeUri(u.password ?? '')).toBe('p@ss');
  });

  it('[RFC3261-19.1.2-escaping] unescapes once, never recursively', () => {
    expect(unescapeUri('value%25%34%31')).toBe('value%41');
    expect(unescapeUri('%2541')).toBe('%41');
  });

  it('[RFC3261-19.1.2-escaping] decodes %00 to NUL without truncating', () => {
    expect(unescapeUri('null-%00-null')).toBe('null-\x00-null');
    expect(unescapeUri('%00%00')).toHaveLength(2);
  });

  it('[RFC3261-19.1.2-escaping] decodes escaped octets as UTF-8 and keeps malformed escapes literal', () => {
    expect(unescapeUri('caf%C3%A9')).toBe('café');
    expect(unescapeUri('%e2%82%ac')).toBe('€');
    expect(unescapeUri('%zz%4')).toBe('%zz%4');
    expect(unescapeUri('plain')).toBe('plain');
  });

  it('[RFC3261-19.1.2-escaping] keeps the headers component escaped (RFC 4475 §3.3.14)', () => {
    const u = sip('sip:user@example.com?Route=%3Csip:sip.example.com%3E');
    expect(u.headers).toBe('Route=%3Csip:sip.example.com%3E');
    expect(unescapeUri(u.headers ?? '')).toBe('Route=<sip:sip.example.com>');
  });
});

describe('tel and other URI schemes', () => {
  it('[RFC3966-3-tel-uri] parses a tel URI into number and parameters', () => {
    const g = tel('tel:+1-201-555-0123');
    expect(g.number).toBe('+1-201-555-0123');
    expect(g.params.size).toBe(0);
    const l = tel('TEL:7042;phone-context=example.com;ext=22');
    expect(l.number).toBe('7042');
    expect(l.params.get('phone-context')).toBe('example.com');
    expect(l.params.get('ext')).toBe('22');
  });

  it('[RFC3966-3-tel-uri] rejects a tel URI that is not a telephone number', () => {
    expect(reason('tel:alice')).toContain('telephone number');
    expect(reason('tel:')).toContain('telephone number');
  });

  it('[RFC3261-25.1-absolute-uri] keeps a URI of any other scheme opaque, lower-casing the scheme', () => {
    expect(ok('urn:service:sos')).toEqual({ scheme: 'urn', opaque: 'service:sos' });
    expect(ok('Mailto:a@b')).toEqual({ scheme: 'mailto', opaque: 'a@b' });
    expect(ok('soap.beep://192.0.2.103:3002')).toEqual({ scheme: 'soap.beep', opaque: '//192.0.2.103:3002' });
    expect(isSipUri(ok('urn:x'))).toBe(false);
    expect(isTelUri(ok('urn:x'))).toBe(false);
  });

  it('[RFC3261-25.1-absolute-uri] rejects whitespace and control characters in an opaque URI', () => {
    expect(reason('http://a b')).toContain('whitespace');
    expect(reason('x:a\x00b')).toContain('control');
  });
});

describe('checking a Request-URI without building it', () => {
  it('[RFC3261-25.1-uri-grammar] checkUri accepts and rejects exactly what parseUri does, and says when there are headers', () => {
    const texts = [
      'sip:alice@atlanta.com',
      'sips:alice:secret@[2001:db8::1]:5061;transport=tls;lr?subject=x&priority=urgent',
      'sip:a?b@host',
      'SIP:host;x=%41',
      'tel:+1-201-555-0123',
      'urn:service:sos',
      'sip:@host',
      'sip:host:65536',
      'sip:host;;lr',
      'sip:host?',
      'sip:-host',
      'sip:[2001:db8::1',
      'sip:user@host@other',
      'no-scheme',
    ];
    for (const text of texts) {
      const r = parseUri(text);
      const expected = r.ok ? isSipUri(r.uri) && r.uri.headers !== undefined : r.reason;
      expect(checkUri(text), text).toBe(expected);
    }
    expect(checkUri('sip:alice@atlanta.com?subject=x')).toBe(true);
    expect(checkUri('sip:a?b@host')).toBe(false);
  });
});
