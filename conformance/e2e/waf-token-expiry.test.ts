/**
 * Expiry of the real WAF's tokens at the eP-CSCF, which validates them locally against the
 * WAF's JWKS (TOKEN_VALIDATION=jwks, the default; RFC 9068 §4, RFC 8898 §2.2). The WAF issues
 * access tokens for WAF_ACCESS_TOKEN_TTL=30 s (the least its schema accepts) and guest tokens of
 * brief.example for 2 s (the domain's anonymous tokenTtl). The eP-CSCF allows 5 s of clock skew
 * on `exp`. alice registers first; while her token runs out the quicker checks run; then the
 * core must lose her binding at her token's expiry, and a never-used token of the same age be
 * refused. About 40 s, most of it waiting for the 30 s tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMS_AUDIENCE } from '../../token/claims.ts';
import { type BearerJsSip, createBearerJsSip } from '../ep-cscf/bearer-clients.ts';
import { eventually } from '../ep-cscf/eventually.ts';
import { installWebSocketTap } from '../ep-cscf/wire-tap.ts';
import { PortAllocator } from '../harness/ports.ts';
import { printPeerOutputOnFailure } from '../harness/vitest-hooks.ts';
import { type E2eBed, startE2eBed } from './e2e-bed.ts';
import { ALICE, BOB, BRIEF_DOMAIN, BRIEF_GUEST_TTL, IMS_DOMAIN, SHOP_ORIGIN } from './e2e-directory.ts';
import { bearerChallengeOf, expectInvalidToken, registerOnce } from './refusal-checks.ts';
import { claimsOf, guestToken, loginWithPkce } from './waf-client.ts';

const TTL = 30;
/** the eP-CSCF's clock tolerance on exp (token/validator.ts), plus a second */
const PAST_TOLERANCE_MS = 6_000;

const expiryOf = (jwt: string): number => Number(claimsOf(jwt).exp);
const sleepUntil = async (ms: number): Promise<void> => {
  const left = ms - Date.now();
  if (left > 0) await new Promise((r) => setTimeout(r, left));
};

describe('WAF token expiry at the eP-CSCF (JWKS validation)', () => {
  const wire = installWebSocketTap();
  let ports: PortAllocator;
  let bed: E2eBed | undefined;
  let alice: BearerJsSip | undefined;
  let aliceToken = '';
  /** issued with alice's and never used: it only grows old */
  let bobToken = '';
  printPeerOutputOnFailure(() => bed?.peers() ?? []);

  beforeAll(async () => {
    ports = await PortAllocator.open();
    bed = await startE2eBed({
      ports,
      wafEnv: { WAF_ACCESS_TOKEN_TTL: String(TTL) },
      epEnv: { TOKEN_VALIDATION: 'jwks', TOKEN_CHECK_INTERVAL: '0' },
    });
  });
  afterAll(async () => {
    await alice?.stop();
    await bed?.stop();
    await ports?.close();
  });

  it('[RFC9068-2.2-e2e-waf-ttl] MUST issue access tokens that live WAF_ACCESS_TOKEN_TTL seconds, and register alice with hers', async () => {
    const b = bed!;
    aliceToken = (await loginWithPkce(b.waf, ALICE.login)).accessToken;
    bobToken = (await loginWithPkce(b.waf, BOB.login)).accessToken;
    const claims = claimsOf(aliceToken);
    expect(Number(claims.exp) - Number(claims.iat)).toBe(TTL);
    alice = createBearerJsSip({
      wsUrl: b.ep.wsUrl,
      user: 'alice',
      domain: IMS_DOMAIN,
      token: aliceToken,
      wire,
    });
    expect((await alice.start()).status).toBe(200);
    expect(await b.registeredAtCore()).toContain('alice');
  });

  it('[RFC9068-4-e2e-id-token-jwks] MUST refuse with 401 invalid_token the WAF ID token (audience the wic, not an at+jwt) even though its signature verifies against the WAF JWKS, forwarding nothing', async () => {
    const b = bed!;
    const { idToken } = await loginWithPkce(b.waf, BOB.login);
    expect(claimsOf(idToken ?? '').aud).not.toBe(IMS_AUDIENCE);
    const attempt = await registerOnce(b, wire, 'bob', idToken ?? '');
    await expectInvalidToken(b, attempt, 'bob');
    expect(bearerChallengeOf(attempt.response)?.errorDescription).toMatch(/at\+jwt|audience/);
  });

  it('[RFC9068-4-e2e-expired-guest] MUST refuse with 401 invalid_token "token expired" a WAF guest token past its expiry, leasing and forwarding nothing', async () => {
    const b = bed!;
    const token = await guestToken(b.waf, BRIEF_DOMAIN, SHOP_ORIGIN);
    const claims = claimsOf(token);
    expect(Number(claims.exp) - Number(claims.iat)).toBe(BRIEF_GUEST_TTL);
    await sleepUntil(expiryOf(token) * 1000 + PAST_TOLERANCE_MS);
    const attempt = await registerOnce(b, wire, 'anonymous', token);
    await expectInvalidToken(b, attempt, 'anonymous');
    expect(bearerChallengeOf(attempt.response)?.errorDescription).toBe('token expired');
    expect(await b.directory.activeLeases(BRIEF_DOMAIN, Date.now())).toEqual([]);
  });

  it('[RFC8898-2.2-e2e-expiry-deregisters] MUST deregister alice at the core (REGISTER Expires 0 with auth-done) and close her flow when her WAF token expires', async () => {
    const b = bed!;
    const a = alice!;
    const left = expiryOf(aliceToken) * 1000 - Date.now();
    const location = await eventually(
      () => b.registeredAtCore(),
      (aors) => !aors.includes('alice'),
      Math.max(left, 0) + 5_000,
    );
    expect(location).not.toContain('alice');
    // Not before the token's expiry (whole seconds: exp is in seconds).
    expect(Date.now()).toBeGreaterThanOrEqual(expiryOf(aliceToken) * 1000 - 1_000);
    const dereg = b
      .registersAtCore()
      .filter((m) => m.to.uriText === ALICE.impu)
      .at(-1);
    expect(dereg?.headers.get('expires')).toBe('0');
    expect(dereg?.headers.get('authorization')).toMatch(/integrity-protected="auth-done"/);
    const metric = await b.ep.running.context.bearer?.metrics.deregistrations.get();
    expect(metric?.values.find((v) => v.labels.reason === 'expired')?.value).toBe(1);
    expect(
      await eventually(
        () => a.connected(),
        (c) => !c,
      ),
    ).toBe(false);
  }, 45_000);

  it('[RFC9068-4-e2e-expired] MUST refuse with 401 invalid_token "token expired" a WAF access token past its expiry, registering nothing', async () => {
    const b = bed!;
    await sleepUntil(expiryOf(bobToken) * 1000 + PAST_TOLERANCE_MS);
    const attempt = await registerOnce(b, wire, 'bob', bobToken);
    await expectInvalidToken(b, attempt, 'bob');
    expect(bearerChallengeOf(attempt.response)?.errorDescription).toBe('token expired');
    expect(await b.registeredAtCore()).not.toContain('alice');
  }, 20_000);
});
