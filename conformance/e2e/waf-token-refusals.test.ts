/**
 * Tokens of the real WAF the eP-CSCF must refuse (RFC 8898 §2.2 with RFC 6750 §3.1; RFC 7009;
 * RFC 7662; TS 33.203 X.3), and the end of a registration when the WAF withdraws its token. The
 * eP-CSCF validates by introspection at the WAF (TOKEN_VALIDATION=introspection) with the WAF's
 * resource-server client, and re-checks the tokens registrations rest on every second
 * (TOKEN_CHECK_INTERVAL=1). Kamailio (TNA) is the core; JsSIP the client. Each refusal leaves
 * nothing registered at the core.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMS_AUDIENCE } from '../../token/claims.ts';
import { WIC_CLIENT_ID } from '../../waf/index.ts';
import { type BearerJsSip, createBearerJsSip } from '../ep-cscf/bearer-clients.ts';
import { eventually } from '../ep-cscf/eventually.ts';
import { installWebSocketTap } from '../ep-cscf/wire-tap.ts';
import { PortAllocator } from '../harness/ports.ts';
import { printPeerOutputOnFailure } from '../harness/vitest-hooks.ts';
import { type E2eBed, startE2eBed } from './e2e-bed.ts';
import { ALICE, IMS_DOMAIN, MALLORY } from './e2e-directory.ts';
import { bearerChallengeOf, expectInvalidToken, registerOnce } from './refusal-checks.ts';
import {
  activeAtWaf,
  authorizationError,
  claimsOf,
  loginWithPkce,
  logout,
  revokeAsWic,
} from './waf-client.ts';

describe('WAF tokens the eP-CSCF refuses (introspection at the WAF), and registrations ended by the WAF', () => {
  const wire = installWebSocketTap();
  const clients: BearerJsSip[] = [];
  let ports: PortAllocator;
  let bed: E2eBed | undefined;
  printPeerOutputOnFailure(() => bed?.peers() ?? []);

  beforeAll(async () => {
    ports = await PortAllocator.open();
    bed = await startE2eBed({
      ports,
      epEnv: { TOKEN_VALIDATION: 'introspection', TOKEN_CHECK_INTERVAL: '1' },
    });
  });
  afterAll(async () => {
    for (const c of clients) await c.stop().catch(() => undefined);
    await bed?.stop();
    await ports?.close();
  });

  /** alice's JsSIP registered with `token`; the client stays open (the test watches its flow). */
  const registeredAlice = async (token: string): Promise<BearerJsSip> => {
    const b = bed!;
    const client = createBearerJsSip({ wsUrl: b.ep.wsUrl, user: 'alice', domain: IMS_DOMAIN, token, wire });
    clients.push(client);
    expect((await client.start()).status).toBe(200);
    expect(await b.registeredAtCore()).toContain('alice');
    return client;
  };
  const deregistrations = async (reason: string): Promise<number> => {
    const metric = await bed!.ep.running.context.bearer?.metrics.deregistrations.get();
    return metric?.values.find((v) => v.labels.reason === reason)?.value ?? 0;
  };

  it('[RFC7009-2.1-e2e-revoked] MUST refuse with 401 invalid_token a WAF token the page revoked at the WAF revocation endpoint before using it, forwarding nothing', async () => {
    const b = bed!;
    const { accessToken } = await loginWithPkce(b.waf, ALICE.login);
    expect(await revokeAsWic(b.waf, accessToken, 'access_token')).toBe(200);
    expect(await activeAtWaf(b.waf, accessToken)).toBe(false);
    const attempt = await registerOnce(b, wire, 'alice', accessToken);
    await expectInvalidToken(b, attempt, 'alice');
    expect(bearerChallengeOf(attempt.response)?.errorDescription).toBe('token is not active');
  });

  it('[TS33203-X.3-e2e-other-domain-403] MUST refuse with 403 a valid WAF token of another domain subscriber used to register alice IMPU, forwarding nothing', async () => {
    const b = bed!;
    const { accessToken } = await loginWithPkce(b.waf, MALLORY.login);
    expect(claimsOf(accessToken)).toMatchObject({ ims: { domain: 'other.example', impu: MALLORY.impu } });
    const attempt = await registerOnce(b, wire, 'alice', accessToken);
    expect(attempt.response.status).toBe(403);
    expect(attempt.response.reason).toMatch(/not the public identity of the token/);
    expect(attempt.forwarded).toBe(0);
    expect(await b.registeredAtCore()).not.toContain('alice');
    expect(await b.registeredAtCore()).not.toContain('mallory');
  });

  it('[RFC8707-2-e2e-wrong-audience] MUST NOT let the WAF issue an access token for another resource (invalid_target), and MUST refuse with 401 invalid_token the one WAF-signed token of another audience, the ID token, forwarding nothing', async () => {
    const b = bed!;
    const asked = await authorizationError(b.waf, ALICE.login, { resource: 'https://elsewhere.example/api' });
    expect(asked.error).toBe('invalid_target');
    expect(asked.code).toBeUndefined();

    const { idToken } = await loginWithPkce(b.waf, ALICE.login);
    expect(idToken).toBeTypeOf('string');
    const claims = claimsOf(idToken ?? '');
    expect(claims).toMatchObject({ iss: b.waf.issuer(), aud: WIC_CLIENT_ID, sub: ALICE.subscriberId });
    expect(claims.aud).not.toBe(IMS_AUDIENCE);
    const attempt = await registerOnce(b, wire, 'alice', idToken ?? '');
    await expectInvalidToken(b, attempt, 'alice');
  });

  it('[RFC7662-2.2-e2e-logout-replay] MUST end alice registration at the core once she signs out at the WAF (her grant and its tokens revoked), and refuse a replay of her token with 401 invalid_token', async () => {
    const b = bed!;
    const login = await loginWithPkce(b.waf, ALICE.login);
    const client = await registeredAlice(login.accessToken);
    const before = await deregistrations('revoked');

    expect(await logout(b.waf, login.browser)).toBe(200);
    expect(await activeAtWaf(b.waf, login.accessToken)).toBe(false);
    const location = await eventually(
      () => b.registeredAtCore(),
      (aors) => !aors.includes('alice'),
      8_000,
    );
    expect(location).not.toContain('alice');
    expect(await deregistrations('revoked')).toBe(before + 1);
    expect(
      await eventually(
        () => client.connected(),
        (c) => !c,
      ),
    ).toBe(false);

    const replay = await registerOnce(b, wire, 'alice', login.accessToken);
    await expectInvalidToken(b, replay, 'alice');
  });

  it('[RFC7009-2.1-e2e-revoked-deregisters] MUST deregister alice at the core (REGISTER Expires 0 with auth-done) and close her flow when her token is revoked at the WAF while she is registered, leaving Kamailio location empty of her', async () => {
    const b = bed!;
    const { accessToken } = await loginWithPkce(b.waf, ALICE.login);
    const client = await registeredAlice(accessToken);
    const before = await deregistrations('revoked');

    expect(await revokeAsWic(b.waf, accessToken)).toBe(200);
    const location = await eventually(
      () => b.registeredAtCore(),
      (aors) => !aors.includes('alice'),
      8_000,
    );
    expect(location).not.toContain('alice');
    const dereg = b
      .registersAtCore()
      .filter((m) => m.to.uriText === ALICE.impu)
      .at(-1);
    expect(dereg?.headers.get('expires')).toBe('0');
    expect(dereg?.headers.get('authorization')).toMatch(/integrity-protected="auth-done"/);
    expect(await b.ep.running.context.store.forAor(ALICE.impu)).toEqual([]);
    expect(await deregistrations('revoked')).toBe(before + 1);
    expect(
      await eventually(
        () => client.connected(),
        (c) => !c,
      ),
    ).toBe(false);
    expect(b.bearerLeaked()).toBe(false);
  });
});
