import { describe, expect, it } from 'vitest';
import { formatAuthenticationInfo, parseAuthenticationInfo } from './authentication-info.ts';
import { formatDigestChallenge, parseDigestChallenge } from './digest-challenge.ts';
import { formatDigestCredentials, parseDigestCredentials } from './digest-credentials.ts';

function ok<T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!r.ok) throw new Error(`expected success, got ${JSON.stringify(r.error)}`);
  return r.value;
}

// RFC 3665 §2.1 (REGISTER) and a Kamailio S-CSCF capture, shortened.
const RFC3665_CHALLENGE =
  'Digest realm="atlanta.example.com", qop="auth", nonce="ea9c8e88df84f1cec4341ae6cbe5a359", opaque="", stale=FALSE, algorithm=MD5';
const RFC3665_CREDENTIALS =
  'Digest username="bob", realm="atlanta.example.com", nonce="ea9c8e88df84f1cec4341ae6cbe5a359", opaque="", uri="sips:ss2.biloxi.example.com", response="dfe56131d1958046689d83306477ecc"';

describe('Digest challenge (RFC 3261 §20.44, §22.4; RFC 7616 §3.3)', () => {
  it('[RFC3261-25.1-digest-challenge] reads the RFC 3665 REGISTER challenge', () => {
    const c = ok(parseDigestChallenge(RFC3665_CHALLENGE));
    expect(c).toMatchObject({
      realm: 'atlanta.example.com',
      nonce: 'ea9c8e88df84f1cec4341ae6cbe5a359',
      opaque: '',
      stale: false,
      algorithm: 'MD5',
      qop: ['auth'],
    });
  });

  it('[RFC3261-25.1-digest-challenge] splits qop-options and reads stale case-insensitively', () => {
    const c = ok(parseDigestChallenge('Digest realm="r", nonce="n", qop="auth, auth-int", stale=true'));
    expect(c.qop).toEqual(['auth', 'auth-int']);
    expect(c.stale).toBe(true);
  });

  it('[RFC3261-25.1-digest-challenge] refuses a challenge without realm or nonce, or of another scheme', () => {
    expect(parseDigestChallenge('Digest nonce="n"').ok).toBe(false);
    expect(parseDigestChallenge('Digest realm="r"').ok).toBe(false);
    expect(parseDigestChallenge('Bearer realm="r"').ok).toBe(false);
    expect(parseDigestChallenge('Digest realm').ok).toBe(false);
  });

  it('[RFC3261-25.1-digest-challenge] keeps unknown parameters and IMS ck/ik, and writes them back', () => {
    const c = ok(
      parseDigestChallenge(
        'Digest realm="ims", nonce="n", algorithm=AKAv1-MD5, ck="00ff", ik="ff00", foo=bar',
      ),
    );
    expect(c.ck).toBe('00ff');
    expect(c.ik).toBe('ff00');
    expect(c.extensions).toEqual([{ name: 'foo', value: 'bar', quoted: false }]);
    expect(ok(parseDigestChallenge(formatDigestChallenge(c)))).toEqual(c);
  });

  it('[RFC3261-25.1-digest-challenge] writes realm, nonce, opaque and qop quoted, algorithm and stale bare', () => {
    const text = formatDigestChallenge({
      realm: 'example.com',
      nonce: 'abc',
      opaque: 'o',
      stale: true,
      algorithm: 'SHA-256',
      qop: ['auth', 'auth-int'],
      userhash: false,
      extensions: [],
    });
    expect(text).toBe(
      'Digest realm="example.com", nonce="abc", opaque="o", stale=TRUE, algorithm=SHA-256, qop="auth,auth-int"',
    );
  });
});

describe('Digest credentials (RFC 3261 §20.7, §22.4; RFC 7616 §3.4)', () => {
  it('[RFC3261-25.1-digest-credentials] reads the RFC 3665 REGISTER credentials', () => {
    const c = ok(parseDigestCredentials(RFC3665_CREDENTIALS));
    expect(c).toMatchObject({
      username: 'bob',
      realm: 'atlanta.example.com',
      uri: 'sips:ss2.biloxi.example.com',
      response: 'dfe56131d1958046689d83306477ecc',
      opaque: '',
    });
  });

  it('[RFC3261-25.1-digest-credentials] requires username, realm, nonce, uri and response', () => {
    for (const drop of ['username', 'realm', 'nonce', 'uri', 'response']) {
      const parts = ['username="u"', 'realm="r"', 'nonce="n"', 'uri="sip:r"', 'response="00"'].filter(
        (p) => !p.startsWith(drop),
      );
      const r = parseDigestCredentials(`Digest ${parts.join(', ')}`);
      expect(r.ok, drop).toBe(false);
    }
  });

  it('[RFC3261-25.1-digest-credentials] accepts the empty nonce and response of an initial IMS REGISTER', () => {
    const c = ok(
      parseDigestCredentials(
        'Digest username="user1@ims.example", realm="ims.example", nonce="", uri="sip:ims.example", response="", integrity-protected=no',
      ),
    );
    expect(c.nonce).toBe('');
    expect(c.response).toBe('');
    expect(c.integrityProtected).toBe('no');
  });

  it('[RFC3261-25.1-digest-credentials] accepts a quoted qop and algorithm from lenient clients', () => {
    const c = ok(
      parseDigestCredentials(
        'Digest username="u", realm="r", nonce="n", uri="sip:r", response="00", qop="auth", algorithm="MD5", nc=00000001, cnonce="c"',
      ),
    );
    expect(c.qop).toBe('auth');
    expect(c.algorithm).toBe('MD5');
  });

  it('[RFC3261-25.1-digest-credentials] round-trips with qop, nc and algorithm written as tokens', () => {
    const text =
      'Digest username="u", realm="r", nonce="n", uri="sip:r", response="00", algorithm=AKAv1-MD5, cnonce="c", opaque="o", qop=auth, nc=00000001, auts="QUJD", integrity-protected="tls-yes", x=y';
    const c = ok(parseDigestCredentials(text));
    expect(c.auts).toBe('QUJD');
    expect(formatDigestCredentials(c)).toBe(text);
  });
});

describe('Authentication-Info (RFC 3261 §20.6, RFC 2617 §3.2.3)', () => {
  it('[RFC3261-20.6-authentication-info] reads and writes nextnonce, qop, rspauth, cnonce and nc', () => {
    const text = 'nextnonce="47364c23432d2e131a5fb210812c", qop=auth, rspauth="abc", cnonce="c", nc=00000002';
    const info = ok(parseAuthenticationInfo(text));
    expect(info).toEqual({
      nextnonce: '47364c23432d2e131a5fb210812c',
      qop: 'auth',
      rspauth: 'abc',
      cnonce: 'c',
      nc: '00000002',
    });
    expect(formatAuthenticationInfo(info)).toBe(text);
    expect(parseAuthenticationInfo('').ok).toBe(false);
  });
});
