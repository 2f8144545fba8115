import { describe, expect, it } from 'vitest';
import { parseAuthenticationInfo } from './authentication-info.ts';
import { digestAlgorithm } from './digest-algorithm.ts';
import { answerChallenge } from './digest-answer.ts';
import { parseDigestChallenge } from './digest-challenge.ts';
import { formatDigestCredentials } from './digest-credentials.ts';
import { computeDigestResponse, computeHa1, computeRspauth, computeUserhash } from './digest-response.ts';
import { DigestServer, type DigestServerOptions, type StoredSecret } from './digest-server.ts';

const REALM = 'ims.example.org';
const URI = 'sip:ims.example.org';

function setup(over: Partial<DigestServerOptions> = {}, users: Record<string, StoredSecret> = {}) {
  let t = 1_700_000_000_000;
  const clock = { now: () => t, advance: (ms: number) => (t += ms) };
  const server = new DigestServer({
    realm: REALM,
    secret: Buffer.alloc(32, 7),
    now: clock.now,
    nonceTtlMs: 60_000,
    lookup: ({ username }) => users[username] ?? (username === 'alice' ? { password: 'secret' } : undefined),
    ...over,
  });
  return { server, clock };
}

function answer(
  challenge: string,
  o: {
    username?: string;
    password?: string;
    method?: string;
    uri?: string;
    nc?: string;
    cnonce?: string;
    qop?: 'auth' | 'auth-int' | null;
    body?: string;
    realm?: string;
  } = {},
): string {
  const c = parseDigestChallenge(challenge);
  if (!c.ok) throw new Error('bad challenge');
  const algorithm = digestAlgorithm(c.value.algorithm)!;
  const qop = o.qop === null ? undefined : (o.qop ?? 'auth');
  const input = {
    algorithm,
    username: o.username ?? 'alice',
    realm: o.realm ?? c.value.realm,
    nonce: c.value.nonce,
    method: o.method ?? 'REGISTER',
    uri: o.uri ?? URI,
    qop,
    nc: qop ? (o.nc ?? '00000001') : undefined,
    cnonce: qop ? (o.cnonce ?? 'c0ffee') : undefined,
    body: o.body,
  };
  return formatDigestCredentials({
    username: input.username,
    realm: input.realm,
    nonce: input.nonce,
    uri: input.uri,
    response: computeDigestResponse(input, { password: o.password ?? 'secret' }),
    algorithm: c.value.algorithm,
    qop,
    nc: input.nc,
    cnonce: input.cnonce,
    userhash: false,
    extensions: [],
  });
}

const req = (
  credentials: string[],
  extra: { method?: string; uri?: string; body?: string; binding?: string } = {},
) => ({
  method: extra.method ?? 'REGISTER',
  uri: extra.uri ?? URI,
  credentials,
  body: extra.body,
  binding: extra.binding,
});

describe('Digest server: challenges (RFC 3261 §22.1–§22.3, RFC 8760 §2.3)', () => {
  it('[RFC3261-22.1-challenge-status] a registrar challenges with 401 / WWW-Authenticate, a proxy with 407 / Proxy-Authenticate', async () => {
    const { server } = setup();
    expect([server.status, server.challengeHeader, server.credentialsHeader]).toEqual([
      401,
      'WWW-Authenticate',
      'Authorization',
    ]);
    const v = await server.verify(req([]));
    expect(v).toMatchObject({ ok: false, reason: 'no-credentials', status: 401 });
    const proxy = setup({ proxy: true }).server;
    expect([proxy.status, proxy.challengeHeader, proxy.credentialsHeader]).toEqual([
      407,
      'Proxy-Authenticate',
      'Proxy-Authorization',
    ]);
    expect(await proxy.verify(req([]))).toMatchObject({ ok: false, status: 407 });
  });

  it('[RFC8760-2.3-offer-algorithms] offers SHA-256 then MD5 with one nonce, realm and qop="auth"', () => {
    const { server } = setup();
    const values = server.challenge();
    const parsed = values.map((v) => {
      const c = parseDigestChallenge(v);
      if (!c.ok) throw new Error(v);
      return c.value;
    });
    expect(parsed.map((c) => c.algorithm)).toEqual(['SHA-256', 'MD5']);
    expect(new Set(parsed.map((c) => c.nonce)).size).toBe(1);
    for (const c of parsed) expect(c).toMatchObject({ realm: REALM, qop: ['auth'], stale: false });
  });

  it('refuses to offer an unknown or AKA algorithm', () => {
    expect(() => setup({ algorithms: ['SHA-1'] })).toThrow(TypeError);
    expect(() => setup({ algorithms: ['AKAv1-MD5'] })).toThrow(TypeError);
    expect(() => setup({ algorithms: [] })).toThrow(TypeError);
  });
});

describe('Digest server: verification (RFC 3261 §22.4, RFC 7616 §3.4–§3.5)', () => {
  it.each(['SHA-256', 'MD5'])(
    '[RFC3261-22.4-verify-secret] accepts the right password with %s',
    async (alg) => {
      const { server } = setup();
      const challenge = server.challenge().find((c) => c.includes(`algorithm=${alg}`))!;
      const v = await server.verify(req([answer(challenge)]));
      expect(v).toMatchObject({ ok: true, username: 'alice', realm: REALM });
      if (v.ok) expect(v.algorithm.name).toBe(alg);
    },
  );

  it('[RFC3261-22.4-verify-secret] works from stored HA1 values, per hash', async () => {
    const users = { bob: { ha1: { md5: computeHa1('md5', 'bob', REALM, 'pw') } } };
    const { server } = setup({}, users);
    const [sha, md5] = server.challenge();
    expect(await server.verify(req([answer(md5!, { username: 'bob', password: 'pw' })]))).toMatchObject({
      ok: true,
    });
    // No SHA-256 HA1 stored: that algorithm cannot succeed for bob.
    expect(await server.verify(req([answer(sha!, { username: 'bob', password: 'pw' })]))).toMatchObject({
      ok: false,
      reason: 'unknown-user',
    });
  });

  it('[RFC3261-22.4-verify-secret] answers a wrong password and an unknown user alike, with a fresh challenge', async () => {
    const { server } = setup();
    const [c] = server.challenge();
    const wrong = await server.verify(req([answer(c!, { password: 'nope' })]));
    const nobody = await server.verify(req([answer(c!, { username: 'mallory' })]));
    expect(wrong).toMatchObject({ ok: false, reason: 'bad-response', status: 401, username: 'alice' });
    expect(nobody).toMatchObject({ ok: false, reason: 'unknown-user', status: 401 });
    if (!wrong.ok && !nobody.ok) {
      expect(wrong.challenges.length).toBe(2);
      expect(nobody.challenges.length).toBe(2);
    }
  });

  it('[RFC3261-22.3-own-realm] looks only at credentials for its own realm', async () => {
    const { server } = setup();
    const [c] = server.challenge();
    const other = answer(c!.replace(REALM, 'other.example'), { realm: 'other.example' });
    expect(await server.verify(req([other]))).toMatchObject({ ok: false, reason: 'no-credentials' });
    expect(await server.verify(req([other, answer(c!)]))).toMatchObject({ ok: true });
    expect(await server.verify(req(['Bearer abc.def', answer(c!, { nc: '00000002' })]))).toMatchObject({
      ok: true,
    });
  });

  it('[RFC7616-3.3-stale-nonce] an expired nonce with the right password gets stale=true; with a wrong one, not', async () => {
    const { server, clock } = setup();
    const [c] = server.challenge();
    clock.advance(61_000);
    const stale = await server.verify(req([answer(c!)]));
    expect(stale).toMatchObject({ ok: false, reason: 'stale', status: 401 });
    if (!stale.ok)
      expect(parseDigestChallenge(stale.challenges[0]!)).toMatchObject({ ok: true, value: { stale: true } });
    const wrong = await server.verify(req([answer(c!, { password: 'x' })]));
    expect(wrong).toMatchObject({ ok: false, reason: 'bad-response' });
    if (!wrong.ok)
      expect(parseDigestChallenge(wrong.challenges[0]!)).toMatchObject({ ok: true, value: { stale: false } });
  });

  it('[RFC7616-5.4-nonce-integrity] refuses a nonce it did not issue, or issued to another flow', async () => {
    const { server } = setup();
    const forged =
      'Digest realm="ims.example.org", nonce="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", algorithm=MD5, qop="auth"';
    expect(await server.verify(req([answer(forged)]))).toMatchObject({ ok: false, reason: 'invalid-nonce' });
    const [bound] = server.challenge({ binding: 'flow-A' });
    expect(await server.verify(req([answer(bound!)], { binding: 'flow-B' }))).toMatchObject({
      reason: 'invalid-nonce',
    });
    expect(await server.verify(req([answer(bound!)], { binding: 'flow-A' }))).toMatchObject({ ok: true });
  });

  it('[RFC7616-3.4-nc-replay] refuses a replayed nonce count and accepts the next one', async () => {
    const { server } = setup();
    const [c] = server.challenge();
    expect(await server.verify(req([answer(c!, { nc: '00000001' })]))).toMatchObject({ ok: true });
    expect(await server.verify(req([answer(c!, { nc: '00000001' })]))).toMatchObject({
      ok: false,
      reason: 'replayed-nonce-count',
    });
    expect(await server.verify(req([answer(c!, { nc: '00000002' })]))).toMatchObject({ ok: true });
  });

  it('[RFC7616-3.4.6-uri-check] answers 400 when uri is not the Request-URI, unless the check is relaxed', async () => {
    const { server } = setup();
    const [c] = server.challenge();
    const creds = answer(c!, { uri: 'sip:elsewhere.example' });
    expect(await server.verify(req([creds]))).toMatchObject({
      ok: false,
      reason: 'bad-uri',
      status: 400,
      challenges: [],
    });
    const lenient = setup({ uriCheck: 'off' }).server;
    const [c2] = lenient.challenge();
    expect(await lenient.verify(req([answer(c2!, { uri: 'sip:elsewhere.example' })]))).toMatchObject({
      ok: true,
    });
    const custom = setup({ uriCheck: (a, b) => a.replace(';transport=ws', '') === b }).server;
    const [c3] = custom.challenge();
    expect(await custom.verify(req([answer(c3!, { uri: `${URI};transport=ws` })]))).toMatchObject({
      ok: true,
    });
  });

  it('[RFC3261-22.4-bad-credentials] answers 400 to malformed credentials and to a missing or unoffered qop', async () => {
    const { server } = setup();
    const [c] = server.challenge();
    expect(await server.verify(req(['Digest username="alice", realm="ims.example.org"']))).toMatchObject({
      status: 400,
      reason: 'malformed',
    });
    expect(await server.verify(req(['Digest realm="unterminated']))).toMatchObject({ status: 400 });
    expect(await server.verify(req([answer(c!, { qop: null })]))).toMatchObject({
      status: 400,
      reason: 'bad-qop',
    });
    expect(await server.verify(req([answer(c!, { qop: 'auth-int' })]))).toMatchObject({
      status: 400,
      reason: 'bad-qop',
    });
    const badNc = answer(c!).replace('nc=00000001', 'nc=1');
    expect(await server.verify(req([badNc]))).toMatchObject({ status: 400, reason: 'malformed' });
  });

  it('[RFC3261-22.4-bad-credentials] refuses credentials naming an algorithm it did not offer', async () => {
    const { server } = setup({ algorithms: ['SHA-256'] });
    const [c] = server.challenge();
    const md5 = answer(c!.replace('SHA-256', 'MD5'));
    expect(await server.verify(req([md5]))).toMatchObject({
      ok: false,
      reason: 'unsupported-algorithm',
      status: 401,
    });
  });

  it('[RFC3261-22.4-verify-secret] without qop offered, accepts RFC 2069-style credentials', async () => {
    const { server } = setup({ qop: [], algorithms: ['MD5'] });
    const [c] = server.challenge();
    expect(c).not.toContain('qop');
    expect(await server.verify(req([answer(c!, { qop: null })]))).toMatchObject({
      ok: true,
      authenticationInfo: undefined,
    });
  });

  it('[RFC3261-22.4-verify-secret] checks auth-int over the body', async () => {
    const { server } = setup({ qop: ['auth-int'], algorithms: ['MD5'] });
    const [c] = server.challenge();
    const creds = answer(c!, { qop: 'auth-int', body: 'v=0\r\n', method: 'MESSAGE' });
    expect(await server.verify(req([creds], { method: 'MESSAGE', body: 'v=0\r\n' }))).toMatchObject({
      ok: true,
    });
    const [c2] = server.challenge();
    const creds2 = answer(c2!, { qop: 'auth-int', body: 'v=0\r\n', method: 'MESSAGE' });
    expect(await server.verify(req([creds2], { method: 'MESSAGE', body: 'v=1\r\n' }))).toMatchObject({
      reason: 'bad-response',
    });
  });

  it('[RFC2617-3.2.3-authentication-info] returns Authentication-Info with rspauth, and nextnonce near expiry', async () => {
    const { server, clock } = setup({ nextNonceBeforeMs: 10_000 });
    const [c] = server.challenge();
    const v = await server.verify(req([answer(c!)]));
    if (!v.ok) throw new Error(v.reason);
    const info = parseAuthenticationInfo(v.authenticationInfo!);
    if (!info.ok) throw new Error('bad info');
    const parsed = parseDigestChallenge(c!);
    if (!parsed.ok) throw new Error('bad challenge');
    const expected = computeRspauth(
      {
        algorithm: v.algorithm,
        username: 'alice',
        realm: REALM,
        nonce: parsed.value.nonce,
        method: 'REGISTER',
        uri: URI,
        qop: 'auth',
        nc: '00000001',
        cnonce: 'c0ffee',
      },
      { password: 'secret' },
    );
    expect(info.value).toEqual({
      qop: 'auth',
      rspauth: expected,
      cnonce: 'c0ffee',
      nc: '00000001',
      nextnonce: undefined,
    });
    clock.advance(55_000);
    const v2 = await server.verify(req([answer(c!, { nc: '00000002' })]));
    if (!v2.ok) throw new Error(v2.reason);
    expect(v2.authenticationInfo).toContain('nextnonce=');
  });

  it('[RFC7616-3.4.4-userhash] offers userhash and accepts credentials whose username is H(username:realm)', async () => {
    const hashed = computeUserhash('sha256', 'carol', REALM);
    const { server } = setup({ userhash: true, algorithms: ['SHA-256'] }, {});
    const lookup = new DigestServer({
      realm: REALM,
      secret: Buffer.alloc(32, 7),
      userhash: true,
      algorithms: ['SHA-256'],
      lookup: (q) =>
        q.userhash && q.username === hashed ? { username: 'carol', password: 'pw' } : undefined,
    });
    const [c] = lookup.challenge();
    expect(parseDigestChallenge(c!)).toMatchObject({ ok: true, value: { userhash: true } });
    const a = answerChallenge(c!, {
      username: 'carol',
      secret: { password: 'pw' },
      method: 'REGISTER',
      uri: URI,
    });
    if (!a.ok) throw new Error(a.error.message);
    expect(a.value.credentials).toMatchObject({ username: hashed, userhash: true });
    expect(await lookup.verify(req([a.value.value]))).toMatchObject({ ok: true, username: 'carol' });
    // A store that cannot resolve the hash makes the user unknown.
    const [c2] = server.challenge();
    const b = answerChallenge(c2!, {
      username: 'carol',
      secret: { password: 'pw' },
      method: 'REGISTER',
      uri: URI,
    });
    if (!b.ok) throw new Error(b.error.message);
    expect(await server.verify(req([b.value.value]))).toMatchObject({ ok: false, reason: 'unknown-user' });
  });
});
