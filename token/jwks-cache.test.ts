import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type JWK, SignJWT } from 'jose';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMS_AUDIENCE } from './claims.ts';
import { JwksCache, verificationKey, verificationKeys } from './jwks-cache.ts';
import { createTokenValidator } from './validator.ts';

const logger = pino({ level: 'silent' });
const ALGS = ['RS256', 'ES256', 'EdDSA'];

/** A JWKS endpoint on 127.0.0.1 whose answer the test sets: a key set, an HTTP error, or none yet. */
interface JwksServer {
  readonly url: string;
  fetches: number;
  keys: JWK[];
  mode: 'serve' | 'fail' | 'hold' | 'garbage';
  /** requests held unanswered (mode hold) */
  readonly holding: number;
  release(): void;
  close(): Promise<void>;
}

async function startJwksServer(): Promise<JwksServer> {
  let held: ServerResponse[] = [];
  const answer = (res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: s.keys }));
  };
  const server: Server = createServer((_req, res) => {
    s.fetches++;
    if (s.mode === 'fail') res.writeHead(503).end();
    else if (s.mode === 'garbage') res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":');
    else if (s.mode === 'hold') held.push(res);
    else answer(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const s: JwksServer = {
    url: `http://127.0.0.1:${port}/jwks`,
    fetches: 0,
    keys: [],
    mode: 'serve',
    get holding() {
      return held.length;
    },
    release() {
      for (const res of held) answer(res);
      held = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return s;
}

interface TestKey {
  readonly kid: string;
  readonly privateKey: import('node:crypto').KeyObject;
  readonly jwk: JWK;
}

function makeKey(kid: string): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    kid,
    privateKey,
    jwk: { ...(publicKey.export({ format: 'jwk' }) as JWK), kid, alg: 'ES256', use: 'sig' },
  };
}

/** Resolves once `condition` holds (polled; the test's own timeout bounds it). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
}

function testClock(): { now(): number; advance(ms: number): void } {
  let t = Date.now();
  return {
    now: () => t,
    advance(ms) {
      t += ms;
    },
  };
}

describe('JwksCache: the issuer keys held as KeyObjects, fetched again on an unknown kid or when old', () => {
  let server: JwksServer;
  const k1 = makeKey('k1');
  const k2 = makeKey('k2');
  const cache = (
    clock = testClock(),
    o: { cooldownMs?: number; maxAgeMs?: number; timeoutMs?: number } = {},
  ) => new JwksCache({ url: server.url, algorithms: ALGS, now: clock.now, logger, ...o });

  beforeAll(async () => {
    server = await startJwksServer();
  });
  afterAll(async () => {
    await server?.close();
  });
  const reset = (keys: JWK[] = [k1.jwk]) => {
    server.keys = keys;
    server.mode = 'serve';
    server.fetches = 0;
  };

  it('[OIDC-10.1.1-jwks-refetch] MUST fetch once for concurrent first lookups and once for a burst of unknown kids, then not again within the cooldown', async () => {
    reset();
    const clock = testClock();
    const c = cache(clock, { cooldownMs: 10_000 });
    server.mode = 'hold';
    const first = Promise.all(Array.from({ length: 20 }, () => c.keys()));
    await until(() => server.holding === 1);
    server.release();
    const results = await first;
    expect(results.every((r) => r.ok && r.keys.byKid.has('k1'))).toBe(true);
    expect(server.fetches).toBe(1);
    // Within the cooldown of that fetch, an unknown kid causes no fetch at all.
    expect(await c.refresh()).toBe('cooling');
    clock.advance(10_000);
    server.mode = 'serve';
    const burst = await Promise.all(Array.from({ length: 50 }, () => c.refresh()));
    expect(server.fetches).toBe(2);
    expect(burst.every((r) => r !== 'cooling' && r.ok)).toBe(true);
    for (let i = 0; i < 50; i++) expect(await c.refresh()).toBe('cooling');
    expect(server.fetches).toBe(2);
  });

  it('[OIDC-10.1.1-jwks-rotation] MUST pick up a key the issuer rotated in with the first token naming it once the cooldown has passed, through the validator', async () => {
    reset();
    const clock = testClock();
    const v = createTokenValidator({
      issuer: () => 'https://waf.test/oauth',
      audience: IMS_AUDIENCE,
      mode: 'jwks',
      jwksUri: server.url,
      jwksCooldownMs: 10_000,
      clock,
      logger,
    });
    const token = (k: TestKey, jti: string) => {
      const now = Math.floor(clock.now() / 1000);
      return new SignJWT({
        client_id: 'wic',
        scope: 'ims',
        ims: { domain: 'ims.test', impu: 'sip:alice@ims.test', impi: 'alice@ims.test' },
      })
        .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: k.kid })
        .setIssuer('https://waf.test/oauth')
        .setAudience(IMS_AUDIENCE)
        .setSubject('alice')
        .setJti(jti)
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .sign(k.privateKey);
    };
    expect((await v.validate(await token(k1, 'a'))).ok).toBe(true);
    expect(server.fetches).toBe(1);
    server.keys = [k1.jwk, k2.jwk]; // the WAF rotates
    const early = await v.validate(await token(k2, 'b'));
    expect(early).toEqual({
      ok: false,
      error: 'invalid_token',
      reason: 'no key of the issuer matches the token',
    });
    expect(server.fetches).toBe(1);
    clock.advance(10_001);
    expect((await v.validate(await token(k2, 'c'))).ok).toBe(true);
    expect((await v.validate(await token(k1, 'd'))).ok).toBe(true);
    expect(server.fetches).toBe(2);
  });

  it('[DESIGN-errors-jwks-unavailable] MUST report a failed, malformed or timed-out fetch as unavailable, keep the keys held through a failed refresh, and not retry before the cooldown', async () => {
    reset();
    const clock = testClock();
    server.mode = 'fail';
    const c = cache(clock, { cooldownMs: 1000 });
    expect(await c.keys()).toEqual({ ok: false, reason: 'JWKS answered HTTP 503' });
    expect(await c.keys()).toEqual({ ok: false, reason: 'JWKS answered HTTP 503 (not tried again yet)' });
    expect(server.fetches).toBe(1);
    clock.advance(1000);
    server.mode = 'garbage';
    expect(await c.keys()).toEqual({ ok: false, reason: 'JWKS is malformed' });
    clock.advance(1000);
    server.mode = 'serve';
    expect((await c.keys()).ok).toBe(true);
    clock.advance(1000);
    server.mode = 'fail';
    expect(await c.refresh()).toEqual({ ok: false, reason: 'JWKS answered HTTP 503' });
    expect(c.current()?.byKid.has('k1')).toBe(true);

    server.mode = 'hold';
    const slow = await cache(testClock(), { timeoutMs: 100 }).keys();
    expect(slow).toEqual({ ok: false, reason: 'JWKS fetch timed out' });
    server.mode = 'serve';
    server.release();

    const v = createTokenValidator({
      issuer: () => 'https://waf.test/oauth',
      audience: IMS_AUDIENCE,
      mode: 'jwks',
      jwksUri: server.url,
      logger,
    });
    server.mode = 'fail';
    const r = await v.validate('eyJhbGciOiJFUzI1NiJ9.e30.AAAA');
    expect(r).toEqual({ ok: false, error: 'unavailable', reason: 'JWKS answered HTTP 503' });
  });

  it('[DESIGN-speed-jwks-stale] MUST go on using a key set older than the maximum age while one background fetch replaces it', async () => {
    reset();
    const clock = testClock();
    const c = cache(clock, { maxAgeMs: 60_000, cooldownMs: 10_000 });
    expect((await c.keys()).ok).toBe(true);
    server.keys = [k2.jwk];
    server.mode = 'hold';
    clock.advance(60_000);
    for (let i = 0; i < 10; i++) expect(c.current()?.byKid.has('k1')).toBe(true);
    await until(() => server.holding === 1);
    expect(server.fetches).toBe(2);
    server.release();
    await until(() => c.current()?.byKid.has('k2') === true);
    expect(c.current()?.byKid.has('k1')).toBe(false);
  });
});

describe('verificationKeys: which JWKS members are kept', () => {
  const rsa = (bits: number, extra: JWK = {}): JWK => ({
    ...(generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ format: 'jwk' }) as JWK),
    ...extra,
  });
  const ec = (namedCurve: string, extra: JWK = {}): JWK => ({
    ...(generateKeyPairSync('ec', { namedCurve }).publicKey.export({ format: 'jwk' }) as JWK),
    ...extra,
  });

  it('[RFC7517-5-jwks-import] MUST keep only public signature keys usable with the allowed algorithms', () => {
    const good = [
      rsa(2048, { kid: 'rsa', alg: 'RS256', use: 'sig' }),
      ec('P-256', { kid: 'ec', key_ops: ['verify'] }),
      {
        ...(generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }) as JWK),
        kid: 'ed',
      },
    ];
    const privateEc = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
    const bad: unknown[] = [
      ec('P-256', { kid: 'enc', use: 'enc' }),
      ec('P-256', { kid: 'ops', key_ops: ['encrypt'] }),
      ec('P-256', { kid: 'hs', alg: 'HS256' }),
      ec('P-256', { kid: 'alg-mismatch', alg: 'RS256' }),
      rsa(2048, { kid: 'rs512', alg: 'RS512' }),
      rsa(1024, { kid: 'small' }),
      ec('P-384', { kid: 'p384' }),
      ec('secp256k1', { kid: 'k1' }),
      { ...privateEc, kid: 'private' },
      { kty: 'oct', k: 'c2VjcmV0', kid: 'oct' },
      { ...ec('P-256'), kid: 7 },
      { kty: 'RSA', n: 'AQAB', e: 'AQAB', kid: 'broken' },
      'not a key',
      null,
    ];
    const set = verificationKeys({ keys: [...good, ...bad] }, ALGS);
    expect(set?.all.map((k) => k.kid)).toEqual(['rsa', 'ec', 'ed']);
    expect([...(set?.byKid.keys() ?? [])]).toEqual(['rsa', 'ec', 'ed']);
    expect(verificationKey(good[0], ['ES256'])).toBeUndefined();
    expect(verificationKeys({ keys: 'none' }, ALGS)).toBeUndefined();
    expect(verificationKeys([good[0]], ALGS)).toBeUndefined();
  });
});
