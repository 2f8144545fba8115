/**
 * Bearer tokens validated by RFC 7662 introspection at the WAF (TOKEN_VALIDATION=introspection),
 * with BEARER_REQUIRED=true: every client request must carry a token. The test's authorization
 * server answers the introspection (HTTP Basic client authentication) and revokes on request;
 * Kamailio is the IMS core with Trusted Node Authentication.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBearerChallenge } from '../../sip/auth/index.ts';
import type { SipResponse } from '../../sip/index.ts';
import { PortAllocator } from '../harness/ports.ts';
import { printPeerOutputOnFailure } from '../harness/vitest-hooks.ts';
import { type BearerBed, DOMAIN, registersAtCore, startBearerBed } from './bearer-bed.ts';
import { BearerUa, bearer } from './bearer-clients.ts';
import { eventually } from './eventually.ts';

const identity = (user: string) => ({
  impu: `sip:${user}@${DOMAIN}`,
  impi: `${user}@${DOMAIN}`,
  sub: `subscriber-${user}`,
});

describe('eP-CSCF bearer tokens by introspection, BEARER_REQUIRED: revocation and missing tokens', () => {
  const peers: Array<{ report(): string } | undefined> = [];
  const uas: BearerUa[] = [];
  let ports: PortAllocator;
  let bed: BearerBed;
  printPeerOutputOnFailure(() => peers);

  beforeAll(async () => {
    ports = await PortAllocator.open();
    bed = await startBearerBed({
      ports,
      env: { TOKEN_VALIDATION: 'introspection', BEARER_REQUIRED: 'true', TOKEN_CHECK_INTERVAL: '1' },
      onPeer: (p) => peers.push(p),
    });
  });
  afterAll(async () => {
    for (const u of uas) await u.close().catch(() => undefined);
    await bed?.stop();
    await ports?.close();
  });

  const open = async (user: string): Promise<BearerUa> => {
    const ua = await BearerUa.open({ wsUrl: bed.ep.wsUrl, domain: DOMAIN, user });
    uas.push(ua);
    return ua;
  };
  const onlyBearerChallenge = (res: SipResponse) => {
    const values = res.headers.values('www-authenticate');
    expect(values).toHaveLength(1);
    const c = parseBearerChallenge(values[0] ?? '');
    expect(c.ok).toBe(true);
    return c.ok ? c.value : undefined;
  };

  it('[RFC7662-2.2-revoked-register] MUST answer a REGISTER carrying a token the WAF reports inactive (revoked) with 401 invalid_token, and register nothing', async () => {
    const token = await bed.waf.token(identity('alice'));
    bed.waf.revoke(token);
    const asked = bed.waf.fetches.introspection;
    const res = await (await open('alice')).register([bearer(token)]);
    expect(res.status).toBe(401);
    expect(onlyBearerChallenge(res)).toMatchObject({
      realm: DOMAIN,
      authzServer: bed.waf.issuer,
      error: 'invalid_token',
      errorDescription: 'token is not active',
    });
    expect(bed.waf.fetches.introspection).toBeGreaterThan(asked);
    expect(registersAtCore(bed)).toEqual([]);
    expect(await bed.registeredAtCore()).toEqual([]);
  });

  it('[RFC8898-2.2-bearer-required-401] MUST answer a REGISTER without a token, or with digest credentials only, with 401 and a Bearer challenge only (no digest), forwarding nothing', async () => {
    const ua = await open('bob');
    const none = await ua.register([]);
    expect(none.status).toBe(401);
    const c = onlyBearerChallenge(none);
    expect(c).toMatchObject({ realm: DOMAIN, authzServer: bed.waf.issuer });
    expect(c?.error).toBeUndefined();
    const digest = await ua.register([
      `Digest username="bob@${DOMAIN}", realm="${DOMAIN}", nonce="", uri="sip:${DOMAIN}", response=""`,
    ]);
    expect(digest.status).toBe(401);
    expect(onlyBearerChallenge(digest)?.error).toBeUndefined();
    expect(registersAtCore(bed)).toEqual([]);
  });

  it('[RFC8898-2.2-bearer-required-requests] MUST answer a request without a token from a token-registered flow with 401 and a Bearer challenge when BEARER_REQUIRED is true', async () => {
    const carol = await open('carol');
    const token = await bed.waf.token(identity('carol'));
    expect((await carol.register([bearer(token)])).status).toBe(200);
    const res = await carol.call.request('MESSAGE', `sip:bob@${DOMAIN}`, {
      contentType: 'text/plain',
      body: 'no token on this one',
    });
    expect(res.status).toBe(401);
    expect(onlyBearerChallenge(res)?.error).toBeUndefined();
    expect(bed.toCore.filter((m) => m.kind === 'request' && m.method === 'MESSAGE')).toEqual([]);
  });

  it('[RFC7662-2.2-revocation-deregisters] MUST end a registration whose token is revoked after registering (found by the periodic check), close its flow, and refuse the replay of the token', async () => {
    const dave = await open('dave');
    const token = await bed.waf.token(identity('dave'));
    expect((await dave.register([bearer(token)])).status).toBe(200);
    expect(await bed.registeredAtCore()).toContain('dave');
    bed.waf.revoke(token);
    const aors = await eventually(
      () => bed.registeredAtCore(),
      (a) => !a.includes('dave'),
      8_000,
    );
    expect(aors).not.toContain('dave');
    expect(await bed.ep.store.forAor(`sip:dave@${DOMAIN}`)).toEqual([]);
    expect(
      await eventually(
        () => dave.call.ua.ws.isOpen,
        (o) => !o,
      ),
    ).toBe(false);
    const metric = await bed.ep.running.context.bearer?.metrics.deregistrations.get();
    expect(metric?.values.find((v) => v.labels.reason === 'revoked')?.value).toBe(1);

    const replay = await (await open('dave')).register([bearer(token)]);
    expect(replay.status).toBe(401);
    expect(onlyBearerChallenge(replay)?.error).toBe('invalid_token');
    expect(await bed.registeredAtCore()).not.toContain('dave');
  });
});
