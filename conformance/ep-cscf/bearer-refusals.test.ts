/**
 * Bearer tokens the eP-CSCF must refuse at REGISTER (RFC 8898 §2.2, RFC 6750 §3.1, RFC 9068 §4),
 * each with its precise response and nothing registered anywhere: no REGISTER reaches the core,
 * Kamailio's location table and the eP-CSCF's store stay empty. JWKS validation; the tokens are
 * signed by the test's authorization server, or forged by the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BearerChallenge, parseBearerChallenge } from '../../sip/auth/index.ts';
import type { SipResponse } from '../../sip/index.ts';
import { PortAllocator } from '../harness/ports.ts';
import { printPeerOutputOnFailure } from '../harness/vitest-hooks.ts';
import { type BearerBed, DOMAIN, registersAtCore, startBearerBed } from './bearer-bed.ts';
import { BearerUa, bearer } from './bearer-clients.ts';

const ALICE = { impu: `sip:alice@${DOMAIN}`, impi: `alice@${DOMAIN}`, sub: 'subscriber-alice' };

describe('eP-CSCF bearer-token refusals at REGISTER: precise answers, nothing registered', () => {
  const peers: Array<{ report(): string } | undefined> = [];
  const uas: BearerUa[] = [];
  let ports: PortAllocator;
  let bed: BearerBed;
  printPeerOutputOnFailure(() => peers);

  beforeAll(async () => {
    ports = await PortAllocator.open();
    bed = await startBearerBed({ ports, onPeer: (p) => peers.push(p) });
  });
  afterAll(async () => {
    for (const u of uas) await u.close().catch(() => undefined);
    await bed?.stop();
    await ports?.close();
  });

  /** A fresh alice connection REGISTERs with these Authorization values. */
  const attempt = async (authorization: readonly string[], aor?: string): Promise<SipResponse> => {
    const ua = await BearerUa.open({ wsUrl: bed.ep.wsUrl, domain: DOMAIN, user: 'alice' });
    uas.push(ua);
    return ua.register(authorization, aor === undefined ? {} : { aor });
  };
  const challenge = (res: SipResponse): BearerChallenge | undefined => {
    const values = res.headers.values('www-authenticate');
    expect(values).toHaveLength(1);
    const c = parseBearerChallenge(values[0] ?? '');
    return c.ok ? c.value : undefined;
  };
  const expectNothingRegistered = async (): Promise<void> => {
    expect(registersAtCore(bed)).toEqual([]);
    expect(await bed.registeredAtCore()).toEqual([]);
    expect(await bed.ep.store.size()).toBe(0);
    expect(bed.ep.running.context.bearer?.bindings.size).toBe(0);
  };
  const expectInvalidToken = async (res: SipResponse, description: string): Promise<void> => {
    expect(res.status).toBe(401);
    expect(challenge(res)).toEqual({
      realm: DOMAIN,
      authzServer: bed.waf.issuer,
      error: 'invalid_token',
      errorDescription: description,
      scope: undefined,
      extensions: [],
    });
    await expectNothingRegistered();
  };

  it('[RFC9068-4-signature-register] MUST answer a REGISTER whose token has a tampered signature with 401 and WWW-Authenticate: Bearer realm, authz_server, error="invalid_token", and register nothing', async () => {
    const [h, p] = (await bed.waf.token(ALICE)).split('.');
    const forged = `${h}.${p}.${Buffer.from('not the signature of this token at all').toString('base64url')}`;
    await expectInvalidToken(await attempt([bearer(forged)]), 'signature does not verify');
  });

  it('[RFC9068-4-audience-register] MUST answer a REGISTER whose token was issued for another audience with 401 invalid_token and register nothing', async () => {
    await expectInvalidToken(
      await attempt([bearer(await bed.waf.token({ ...ALICE, aud: 'urn:example:sapi' }))]),
      'audience does not match',
    );
  });

  it('[RFC9068-4-exp-register] MUST answer a REGISTER with an expired token with 401 invalid_token and register nothing', async () => {
    await expectInvalidToken(
      await attempt([bearer(await bed.waf.token({ ...ALICE, expiresIn: -120 }), 'access_token')]),
      'token expired',
    );
  });

  it('[RFC9068-4-issuer-register] MUST answer a REGISTER with a token signed by a key the WAF never published with 401 invalid_token and register nothing', async () => {
    const stranger = await bed.waf.unpublishedKey();
    await expectInvalidToken(
      await attempt([bearer(await bed.waf.tokenWith(stranger, ALICE))]),
      'no key of the issuer matches the token',
    );
  });

  it('[TS33203-X.3-impu-of-token] MUST refuse with 403 a REGISTER for an AOR that is not the IMPU of the token (a token of another domain), and register nothing', async () => {
    const other = await bed.waf.token({
      impu: 'sip:mallory@other.example',
      impi: 'mallory@other.example',
      domain: 'other.example',
      sub: 'subscriber-mallory',
    });
    const res = await attempt([bearer(other)], ALICE.impu);
    expect(res.status).toBe(403);
    expect(res.reason).toBe('Forbidden (To is not the public identity of the token)');
    await expectNothingRegistered();
  });

  it('[RFC6750-3.1-invalid-request-400] MUST answer Bearer credentials without a token, or two Bearer credentials, with 400 and error="invalid_request", and register nothing', async () => {
    const empty = await attempt(['Bearer access_token=""']);
    expect(empty.status).toBe(400);
    expect(challenge(empty)?.error).toBe('invalid_request');
    const token = await bed.waf.token(ALICE);
    const twice = await attempt([bearer(token), bearer(token)]);
    expect(twice.status).toBe(400);
    expect(challenge(twice)?.errorDescription).toBe('more than one Bearer credential');
    await expectNothingRegistered();
  });

  it('[RFC6750-3.1-insufficient-scope-register] MUST answer a REGISTER whose token lacks the ims scope with 403 and error="insufficient_scope", and register nothing', async () => {
    const res = await attempt([bearer(await bed.waf.token({ ...ALICE, scope: 'openid profile' }))]);
    expect(res.status).toBe(403);
    expect(challenge(res)).toMatchObject({
      error: 'insufficient_scope',
      errorDescription: 'scope ims missing',
    });
    await expectNothingRegistered();
  });

  it('[TS24229-5.4.1.1-impi-of-impu] the core MUST refuse a Trusted Node REGISTER whose IMPI is not the IMPU owner (403 relayed to the client), and nothing stays registered', async () => {
    const res = await attempt([bearer(await bed.waf.token({ ...ALICE, impi: `bob@${DOMAIN}` }))]);
    expect(res.status).toBe(403);
    expect(res.reason).toBe('Private Identity Does Not Match');
    expect(registersAtCore(bed)).toHaveLength(1);
    expect(await bed.registeredAtCore()).toEqual([]);
    expect(await bed.ep.store.size()).toBe(0);
    expect(bed.ep.running.context.bearer?.bindings.size).toBe(0);
  });
});
