import { createPublicKey } from 'node:crypto';
import { SignJWT } from 'jose';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMS_AUDIENCE } from './claims.ts';
import { startTestIssuer, type TestIssuer } from './test-issuer.ts';
import { createTokenValidator, type TokenValidatorOptions } from './validator.ts';

const logger = pino({ level: 'silent' });

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A clock the test moves: wall-clock ms, starting now. */
function testClock(): { now(): number; advance(ms: number): void } {
  let t = Date.now();
  return {
    now: () => t,
    advance(ms) {
      t += ms;
    },
  };
}

describe('token validator, JWKS mode: RFC 9068 access tokens verified against the WAF JWKS', () => {
  let waf: TestIssuer;
  const validator = (o: Partial<TokenValidatorOptions> = {}) =>
    createTokenValidator({ issuer: () => waf.issuer, audience: IMS_AUDIENCE, mode: 'jwks', logger, ...o });

  beforeAll(async () => {
    waf = await startTestIssuer();
  });
  afterAll(async () => {
    await waf?.close();
  });

  it('[RFC9068-4-accept] MUST accept a token signed by a published key with the right issuer, audience, type and lifetime, and yield its IMS identity, subject and capabilities', async () => {
    const r = await validator().validate(await waf.token({ impu: 'sip:bob@ims.test', impi: 'bob@ims.test' }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.token.identity).toEqual({
      kind: 'subscriber',
      domain: 'ims.test',
      impu: 'sip:bob@ims.test',
      impi: 'bob@ims.test',
    });
    expect(r.token.subject).toBe('subscriber-alice');
    expect(r.token.capabilities).toEqual(['call', 'message']);
    expect(waf.fetches.metadata).toBeGreaterThan(0);
  });

  it('[RFC9068-4-signature] MUST refuse a token whose signature does not verify (tampered payload) as invalid_token', async () => {
    const token = await waf.token();
    const [h, p, s] = token.split('.');
    const claims = JSON.parse(Buffer.from(p ?? '', 'base64url').toString()) as Record<string, unknown>;
    claims.ims = { domain: 'ims.test', impu: 'sip:bob@ims.test', impi: 'bob@ims.test' };
    const r = await validator().validate(`${h}.${b64(claims)}.${s}`);
    expect(r).toEqual({ ok: false, error: 'invalid_token', reason: 'signature does not verify' });
  });

  it('[RFC9068-4-audience] MUST refuse a token issued for another audience as invalid_token', async () => {
    const r = await validator().validate(await waf.token({ aud: 'urn:example:other-api' }));
    expect(r).toEqual({ ok: false, error: 'invalid_token', reason: 'audience does not match' });
  });

  it('[RFC9068-4-issuer] MUST refuse a token whose iss is not the configured WAF issuer as invalid_token', async () => {
    const r = await validator().validate(await waf.token({ iss: 'https://evil.example/oauth' }));
    expect(r).toEqual({ ok: false, error: 'invalid_token', reason: 'issuer does not match' });
  });

  it('[RFC9068-4-exp] MUST refuse an expired token (beyond the clock tolerance) as invalid_token, and accept one within it', async () => {
    const expired = await validator().validate(await waf.token({ expiresIn: -60 }));
    expect(expired).toEqual({ ok: false, error: 'invalid_token', reason: 'token expired' });
    const skewed = await validator({ clockToleranceSec: 5 }).validate(await waf.token({ expiresIn: -2 }));
    expect(skewed.ok).toBe(true);
  });

  it('[RFC7519-4.1.5-nbf] MUST refuse a token that is not valid yet (nbf in the future) as invalid_token', async () => {
    const r = await validator().validate(await waf.token({ notBefore: 120 }));
    expect(r).toEqual({ ok: false, error: 'invalid_token', reason: 'token not yet valid' });
  });

  it('[RFC9068-4-typ] MUST refuse a JWT whose typ is not at+jwt (e.g. an ID token) as invalid_token', async () => {
    const r = await validator().validate(await waf.token({ typ: 'JWT' }));
    expect(r).toEqual({ ok: false, error: 'invalid_token', reason: 'token type is not at+jwt' });
  });

  it('[RFC8725-3.1-alg-none] MUST refuse an unsecured token (alg none) as invalid_token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64({
      iss: waf.issuer,
      aud: IMS_AUDIENCE,
      sub: 'x',
      client_id: 'wic',
      jti: 'j1',
      iat: now,
      exp: now + 300,
      scope: 'ims',
      ims: { domain: 'ims.test', impu: 'sip:alice@ims.test', impi: 'alice@ims.test' },
    })}.`;
    const r = await validator().validate(token);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toBe('invalid_token');
  });

  it('[RFC8725-3.1-alg-confusion] MUST refuse a token MACed with HS256 using the public key as the secret', async () => {
    const pem = createPublicKey({
      key: waf.currentKey.publicJwk as import('node:crypto').JsonWebKey,
      format: 'jwk',
    })
      .export({ type: 'spki', format: 'pem' })
      .toString();
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({
      client_id: 'wic',
      scope: 'openid ims',
      ims: { domain: 'ims.test', impu: 'sip:alice@ims.test', impi: 'alice@ims.test' },
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: waf.currentKey.kid })
      .setIssuer(waf.issuer)
      .setAudience(IMS_AUDIENCE)
      .setSubject('x')
      .setJti('j2')
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .sign(new TextEncoder().encode(pem));
    const r = await validator().validate(token);
    expect(r).toEqual({ ok: false, error: 'invalid_token', reason: 'signing algorithm not accepted' });
    expect(() => validator({ algorithms: ['HS256'] })).toThrow(/must not be accepted/);
  });

  it('[RFC9068-4-ims-claims] MUST refuse a token without the ims claim as invalid_token', async () => {
    const r = await validator().validate(await waf.token({ ims: null }));
    expect(r).toEqual({ ok: false, error: 'invalid_token', reason: 'ims claim missing' });
  });

  it('[RFC6750-3.1-insufficient-scope] MUST answer insufficient_scope for a valid token without the ims scope', async () => {
    const r = await validator().validate(await waf.token({ scope: 'openid profile' }));
    expect(r).toEqual({ ok: false, error: 'insufficient_scope', reason: 'scope ims missing' });
  });

  it('[OIDC-10.1.1-kid-rotation] MUST fetch the JWKS again when a token names an unknown kid, so a rotated key is picked up, but not more often than the cooldown', async () => {
    const v = validator({ jwksCooldownMs: 0 });
    expect((await v.validate(await waf.token())).ok).toBe(true);
    const before = waf.fetches.jwks;
    const unknown = await waf.unpublishedKey();
    const refused = await v.validate(await waf.tokenWith(unknown));
    expect(refused).toEqual({
      ok: false,
      error: 'invalid_token',
      reason: 'no key of the issuer matches the token',
    });
    await waf.rotate();
    const rotated = await v.validate(await waf.token({ sub: 'after-rotation' }));
    expect(rotated.ok).toBe(true);
    expect(waf.fetches.jwks).toBeGreaterThan(before + 1);

    // With a cooldown, a burst of unknown kids costs no extra JWKS fetch.
    const slow = validator({ jwksCooldownMs: 60_000 });
    expect((await slow.validate(await waf.token())).ok).toBe(true);
    const fetched = waf.fetches.jwks;
    for (let i = 0; i < 3; i++) expect((await slow.validate(await waf.tokenWith(unknown))).ok).toBe(false);
    expect(waf.fetches.jwks).toBe(fetched);
  });

  it('[RFC9068-4-cache] MUST keep a positive result for at most 30 s and never past the token expiry', async () => {
    const clock = testClock();
    const v = validator({ clock, clockToleranceSec: 0 });
    const token = await waf.token({ expiresIn: 20 });
    expect((await v.validate(token)).ok).toBe(true);
    clock.advance(19_000);
    expect((await v.validate(token)).ok).toBe(true);
    clock.advance(2_000);
    expect(await v.validate(token)).toEqual({ ok: false, error: 'invalid_token', reason: 'token expired' });
  });

  it('[DESIGN-errors-waf-unavailable] MUST report unavailable, not invalid_token, when the WAF cannot be reached', async () => {
    const v = createTokenValidator({
      issuer: () => 'http://127.0.0.1:9/oauth',
      audience: IMS_AUDIENCE,
      mode: 'jwks',
      logger,
    });
    const r = await v.validate(await waf.token());
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toBe('unavailable');
  });
});

describe('token validator, introspection mode (RFC 7662)', () => {
  let waf: TestIssuer;
  const validator = (o: Partial<TokenValidatorOptions> = {}) =>
    createTokenValidator({
      issuer: () => waf.issuer,
      audience: IMS_AUDIENCE,
      mode: 'introspection',
      introspection: { clientId: waf.client.id, clientSecret: waf.client.secret },
      logger,
      ...o,
    });

  beforeAll(async () => {
    waf = await startTestIssuer();
  });
  afterAll(async () => {
    await waf?.close();
  });

  it('[RFC7662-2.1-introspect] MUST ask the introspection endpoint (found in the issuer metadata) with HTTP Basic client authentication, and accept an active token with the IMS claims', async () => {
    const before = waf.fetches.introspection;
    const r = await validator().validate(await waf.token());
    expect(r.ok).toBe(true);
    expect(waf.fetches.introspection).toBe(before + 1);
    const wrongSecret = await validator({
      introspection: { clientId: waf.client.id, clientSecret: 'wrong' },
    }).validate(await waf.token());
    expect(wrongSecret).toEqual({
      ok: false,
      error: 'unavailable',
      reason: 'introspection answered HTTP 401',
    });
  });

  it('[RFC7662-2.2-inactive] MUST refuse a token the WAF reports inactive (revoked) as invalid_token', async () => {
    const token = await waf.token();
    waf.revoke(token);
    expect(await validator().validate(token)).toEqual({
      ok: false,
      error: 'invalid_token',
      reason: 'token is not active',
    });
  });

  it('[RFC7662-2.2-audience] MUST refuse an active token of another audience', async () => {
    expect(await validator().validate(await waf.token({ aud: 'urn:example:other-api' }))).toEqual({
      ok: false,
      error: 'invalid_token',
      reason: 'audience does not match',
    });
  });

  it('[RFC7662-4-cache] MUST cache an active answer for at most 30 s: a revocation is seen after that, and checkActive sees it at once', async () => {
    const clock = testClock();
    const v = validator({ clock });
    const token = await waf.token();
    expect((await v.validate(token)).ok).toBe(true);
    const asked = waf.fetches.introspection;
    waf.revoke(token);
    clock.advance(10_000);
    expect((await v.validate(token)).ok).toBe(true);
    expect(waf.fetches.introspection).toBe(asked);
    expect(await v.checkActive?.(token)).toBe('inactive');
    clock.advance(21_000);
    expect((await v.validate(token)).ok).toBe(false);
  });

  it('[RFC7662-2.1-check-active] MUST offer checkActive only with introspection credentials, answering active for a live token', async () => {
    const v = validator();
    expect(await v.checkActive?.(await waf.token())).toBe('active');
    const jwksOnly = createTokenValidator({
      issuer: () => waf.issuer,
      audience: IMS_AUDIENCE,
      mode: 'jwks',
      logger,
    });
    expect(jwksOnly.checkActive).toBeUndefined();
  });
});
