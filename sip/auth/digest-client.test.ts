import { describe, expect, it } from 'vitest';
import { akaPassword, generateAuthVector, parseAkaNonce, resynchronise } from './aka.ts';
import { formatAuthenticationInfo } from './authentication-info.ts';
import { digestAlgorithm } from './digest-algorithm.ts';
import { formatDigestChallenge } from './digest-challenge.ts';
import { challengeHeaderFor, credentialsHeaderFor, DigestClient } from './digest-client.ts';
import { parseDigestCredentials } from './digest-credentials.ts';
import { computeDigestResponse, computeRspauth } from './digest-response.ts';
import { DigestServer } from './digest-server.ts';
import { hex, milenageVectors } from './test-vectors.ts';
import { Usim } from './usim.ts';

const REGISTER = { method: 'REGISTER', uri: 'sip:example.com' };

function creds(value: string) {
  const c = parseDigestCredentials(value);
  if (!c.ok) throw new Error(value);
  return c.value;
}

function challenge(realm: string, over: Partial<Parameters<typeof formatDigestChallenge>[0]> = {}): string {
  return formatDigestChallenge({
    realm,
    nonce: 'n1',
    stale: false,
    qop: ['auth'],
    userhash: false,
    extensions: [],
    ...over,
  });
}

describe('Digest client (RFC 3261 §22.2–§22.4, RFC 7616 §3.4, RFC 8760 §2.4)', () => {
  it('[RFC3261-22.2-uac-credentials] answers a challenge with credentials that a server accepts', async () => {
    const server = new DigestServer({
      realm: 'example.com',
      secret: Buffer.alloc(32, 1),
      lookup: () => ({ password: 'pw' }),
    });
    const client = new DigestClient({ username: 'alice', secret: { password: 'pw' } });
    const a = client.respond(server.challenge(), REGISTER);
    if (!a.ok) throw new Error(a.reason);
    expect(a.values).toHaveLength(1);
    const v = await server.verify({ ...REGISTER, credentials: a.values });
    expect(v).toMatchObject({ ok: true, username: 'alice' });
    if (v.ok) expect(client.receiveAuthenticationInfo('example.com', v.authenticationInfo!)).toBe(true);
    expect(credentialsHeaderFor(401)).toBe('Authorization');
    expect(credentialsHeaderFor(407)).toBe('Proxy-Authorization');
    expect(challengeHeaderFor(407)).toBe('Proxy-Authenticate');
  });

  it('[RFC8760-2.4-algorithm-choice] [RFC3261-22.3-realm-credentials] answers each realm once, with its strongest usable challenge', () => {
    const client = new DigestClient({ username: 'alice', secret: { password: 'pw' } });
    const a = client.respond(
      [
        challenge('a.example', { algorithm: 'MD5' }),
        challenge('a.example', { algorithm: 'SHA-512-256' }),
        challenge('a.example', { algorithm: 'SHA-256' }),
        challenge('b.example', { algorithm: 'UNKNOWN-ALG' }),
        challenge('b.example', { qop: ['auth'] }),
        challenge('b.example', { qop: ['auth', 'auth-int'], nonce: 'n2' }),
        'Bearer realm="c.example"',
        'Digest garbage',
      ],
      REGISTER,
    );
    if (!a.ok) throw new Error(a.reason);
    expect(a.credentials.map((c) => [c.realm, c.algorithm, c.qop, c.nonce])).toEqual([
      ['a.example', 'SHA-512-256', 'auth', 'n1'],
      ['b.example', undefined, 'auth-int', 'n2'],
    ]);
  });

  it('[RFC7235-4.1-challenge-list] answers challenges packed into one header value', () => {
    const client = new DigestClient({ username: 'alice', secret: { password: 'pw' } });
    const a = client.respond(
      [
        `${challenge('a.example', { algorithm: 'MD5' })}, ${challenge('a.example', { algorithm: 'SHA-256' })}, Basic realm="x"`,
      ],
      REGISTER,
    );
    expect(a.ok && a.credentials.map((c) => c.algorithm)).toEqual(['SHA-256']);
  });

  it('[RFC8760-2.4-algorithm-choice] answers only its own realm when told one, and says when nothing is usable', () => {
    const client = new DigestClient({ username: 'alice', secret: { password: 'pw' }, realm: 'mine.example' });
    expect(client.respond([challenge('other.example')], REGISTER)).toEqual({
      ok: false,
      reason: 'no-usable-challenge',
    });
    expect(client.respond([challenge('mine.example', { qop: ['auth-conf'] })], REGISTER)).toMatchObject({
      ok: false,
    });
    expect(client.respond([challenge('mine.example')], REGISTER)).toMatchObject({ ok: true });
  });

  it('[RFC7616-3.4-echo-opaque] echoes opaque and algorithm, sends qop, nc and cnonce', () => {
    const client = new DigestClient({ username: 'alice', secret: { password: 'pw' }, cnonce: () => 'cn' });
    const a = client.respond([challenge('r', { opaque: 'op"aque', algorithm: 'md5' })], REGISTER);
    if (!a.ok) throw new Error(a.reason);
    expect(a.credentials[0]).toMatchObject({
      opaque: 'op"aque',
      algorithm: 'md5',
      qop: 'auth',
      nc: '00000001',
      cnonce: 'cn',
      uri: 'sip:example.com',
    });
    expect(creds(a.values[0]!).opaque).toBe('op"aque');
  });

  it('[RFC7616-3.4-echo-opaque] answers an RFC 2069 challenge (no qop) without nc or cnonce', () => {
    const client = new DigestClient({ username: 'testuser', secret: { password: 'testpassword' } });
    const a = client.respond(
      [challenge('testrealm@host.com', { nonce: '5a071f75353f667787615249c62dcc7b15a4828f', qop: [] })],
      { method: 'REGISTER', uri: 'sip:testrealm@host.com' },
    );
    if (!a.ok) throw new Error(a.reason);
    // JsSIP vector "jssip-sip-register-noqop" (shared/vectors/digest.json).
    expect(a.credentials[0]).toMatchObject({
      response: 'f99e05f591f147facbc94ff23b4b1dee',
      nc: undefined,
      cnonce: undefined,
    });
    expect(client.authorize('testrealm@host.com', REGISTER)).toBeUndefined();
  });

  it('[RFC7616-3.4-echo-opaque] picks auth-int when it is the only qop, and hashes the body', () => {
    const client = new DigestClient({
      username: 'testuser',
      secret: { password: 'testpassword' },
      cnonce: () => '0a4f113b',
    });
    const a = client.respond(
      [
        challenge('testrealm@host.com', {
          nonce: '5a071f75353f667787615249c62dcc7b15a4828f',
          qop: ['auth-int'],
        }),
      ],
      { method: 'REGISTER', uri: 'sip:testrealm@host.com', body: 'TEST BODY' },
    );
    if (!a.ok) throw new Error(a.reason);
    // JsSIP vector "jssip-sip-register-auth-int-body".
    expect(a.credentials[0]?.response).toBe('7bf0e9de3fbb5da121974509d617f532');
  });

  it('[RFC7616-3.4-nonce-reuse] re-uses the nonce for later requests with a growing nc', async () => {
    const server = new DigestServer({
      realm: 'example.com',
      secret: Buffer.alloc(32, 1),
      lookup: () => ({ password: 'pw' }),
    });
    const client = new DigestClient({ username: 'alice', secret: { password: 'pw' } });
    client.respond(server.challenge(), REGISTER);
    for (const expectedNc of ['00000002', '00000003']) {
      const value = client.authorize('example.com', { method: 'MESSAGE', uri: 'sip:bob@example.com' })!;
      expect(creds(value).nc).toBe(expectedNc);
      expect(
        await server.verify({ method: 'MESSAGE', uri: 'sip:bob@example.com', credentials: [value] }),
      ).toMatchObject({ ok: true });
    }
    expect(client.authorize('unknown.example', REGISTER)).toBeUndefined();
    client.forget('example.com');
    expect(client.authorize('example.com', REGISTER)).toBeUndefined();
  });

  it('[RFC7616-3.3-stale-retry] retries on stale=true but reports rejection of a plain re-challenge', () => {
    const client = new DigestClient({ username: 'alice', secret: { password: 'pw' } });
    expect(client.respond([challenge('r')], REGISTER).ok).toBe(true);
    const stale = client.respond([challenge('r', { nonce: 'n2', stale: true })], REGISTER);
    expect(stale.ok).toBe(true);
    if (stale.ok) expect(stale.credentials[0]).toMatchObject({ nonce: 'n2', nc: '00000001' });
    expect(client.respond([challenge('r', { nonce: 'n3' })], REGISTER)).toEqual({
      ok: false,
      reason: 'rejected',
      realm: 'r',
    });
  });

  it('[RFC2617-3.2.3-rspauth-check] checks rspauth and takes nextnonce', () => {
    const client = new DigestClient({ username: 'alice', secret: { password: 'pw' }, cnonce: () => 'cn' });
    const a = client.respond([challenge('r', { nonce: 'n1' })], REGISTER);
    if (!a.ok) throw new Error(a.reason);
    const input = {
      algorithm: digestAlgorithm('MD5')!,
      username: 'alice',
      realm: 'r',
      nonce: 'n1',
      method: 'REGISTER',
      uri: REGISTER.uri,
      qop: 'auth' as const,
      nc: '00000001',
      cnonce: 'cn',
    };
    const good = computeRspauth(input, { password: 'pw' });
    expect(
      client.receiveAuthenticationInfo(
        'r',
        formatAuthenticationInfo({ rspauth: 'ff'.repeat(16), qop: 'auth' }),
      ),
    ).toBe(false);
    expect(
      client.receiveAuthenticationInfo(
        'r',
        formatAuthenticationInfo({ rspauth: good, qop: 'auth', nextnonce: 'n9' }),
      ),
    ).toBe(true);
    expect(creds(client.authorize('r', REGISTER)!)).toMatchObject({ nonce: 'n9', nc: '00000001' });
    expect(client.receiveAuthenticationInfo('r', 'garbage ,,, "')).toBe(false);
  });

  it('[RFC3261-22.2-uac-credentials] works from a stored HA1, only with that hash', () => {
    const ha1 = 'e5b1f2e2b3d3a8c9c3b0b3b2e1f1a1a1';
    const client = new DigestClient({ username: 'u', secret: { ha1, hash: 'md5' } });
    const a = client.respond(
      [challenge('r', { algorithm: 'SHA-256' }), challenge('r', { algorithm: 'MD5' })],
      REGISTER,
    );
    if (!a.ok) throw new Error(a.reason);
    expect(a.credentials[0]?.algorithm).toBe('MD5');
  });
});

describe('Digest AKA client against a network stand-in (RFC 3310, TS 24.229 §5.1.1.5)', () => {
  const v = milenageVectors[0]!;
  const KEY = { k: hex(v.k), opc: hex(v.opc) };
  const realm = 'ims.mnc001.mcc001.3gppnetwork.org';
  const impi = `001010000000001@${realm}`;
  const uri = `sip:${realm}`;

  function akaChallenge(sqn: bigint, algorithm = 'AKAv1-MD5') {
    const av = generateAuthVector({ ...KEY, sqn, amf: hex('8000') });
    const value = formatDigestChallenge({
      realm,
      nonce: av.nonce,
      stale: false,
      algorithm,
      qop: ['auth'],
      userhash: false,
      extensions: [],
    });
    return { av, value };
  }

  function expectedResponse(c: ReturnType<typeof creds>, password: string | Uint8Array) {
    return computeDigestResponse(
      {
        algorithm: digestAlgorithm(c.algorithm)!,
        username: c.username,
        realm: c.realm,
        nonce: c.nonce,
        method: 'REGISTER',
        uri: c.uri,
        qop: 'auth',
        nc: c.nc,
        cnonce: c.cnonce,
      },
      { password },
    );
  }

  it.each(['AKAv1-MD5', 'AKAv2-MD5'])(
    '[RFC3310-3.3-akav1-password] answers %s with RES-derived credentials the S-CSCF can check',
    (alg) => {
      const usim = new Usim({ ...KEY, sqnMs: 0n });
      const client = new DigestClient({ username: impi, secret: { aka: usim } });
      const { av, value } = akaChallenge(32n, alg);
      const a = client.respond([value], { method: 'REGISTER', uri });
      if (!a.ok) throw new Error(a.reason);
      expect(a.aka).toBe('ok');
      const c = creds(a.values[0]!);
      expect(c.auts).toBeUndefined();
      expect(c.response).toBe(
        expectedResponse(c, akaPassword(digestAlgorithm(alg)!, { res: av.xres, ck: av.ck, ik: av.ik })),
      );
      // Re-registration re-uses the nonce with nc=2 (TS 24.229 §5.1.1.4).
      expect(creds(client.authorize(realm, { method: 'REGISTER', uri })!).nc).toBe('00000002');
    },
  );

  it('[TS24229-5.1.1.5.3-mac-failure] after a MAC failure, sends an empty response and no auts', () => {
    const usim = new Usim({ k: Buffer.alloc(16, 1), opc: KEY.opc });
    const client = new DigestClient({ username: impi, secret: { aka: usim } });
    const a = client.respond([akaChallenge(32n).value], { method: 'REGISTER', uri });
    if (!a.ok) throw new Error(a.reason);
    expect(a.aka).toBe('mac-failure');
    expect(creds(a.values[0]!)).toMatchObject({ response: '', auts: undefined });
    expect(client.authorize(realm, { method: 'REGISTER', uri })).toBeUndefined();
  });

  it('[RFC3310-3.4-auts] after a sync failure, sends auts and a response over an empty password; the HSS resyncs', () => {
    const usim = new Usim({ ...KEY, sqnMs: 1000n });
    const client = new DigestClient({ username: impi, secret: { aka: usim } });
    const first = akaChallenge(5n);
    const a = client.respond([first.value], { method: 'REGISTER', uri });
    if (!a.ok) throw new Error(a.reason);
    expect(a.aka).toBe('sync-failure');
    const c = creds(a.values[0]!);
    expect(c.response).toBe(expectedResponse(c, ''));
    const auts = Buffer.from(c.auts!, 'base64');
    const n = parseAkaNonce(c.nonce)!;
    expect(resynchronise({ ...KEY, rand: n.rand, auts })).toEqual({ sqnMs: 1000n });
    // The S-CSCF challenges again with a vector after SQN_MS; this is not a rejection.
    const second = akaChallenge(1001n);
    const b = client.respond([second.value], { method: 'REGISTER', uri });
    expect(b).toMatchObject({ ok: true, aka: 'ok' });
  });

  it('[RFC3310-3.2-nonce] reports a nonce that is not RAND ‖ AUTN', () => {
    const client = new DigestClient({ username: impi, secret: { aka: new Usim(KEY) } });
    const bad = formatDigestChallenge({
      realm,
      nonce: 'short',
      stale: false,
      algorithm: 'AKAv1-MD5',
      qop: ['auth'],
      userhash: false,
      extensions: [],
    });
    expect(client.respond([bad], { method: 'REGISTER', uri })).toEqual({
      ok: false,
      reason: 'bad-aka-nonce',
      realm,
    });
    // An AKA identity ignores password challenges, and a password identity ignores AKA ones.
    expect(client.respond([challenge(realm)], { method: 'REGISTER', uri })).toMatchObject({
      ok: false,
      reason: 'no-usable-challenge',
    });
    const pw = new DigestClient({ username: 'u', secret: { password: 'p' } });
    expect(pw.respond([akaChallenge(1n).value], REGISTER)).toMatchObject({
      ok: false,
      reason: 'no-usable-challenge',
    });
  });
});
