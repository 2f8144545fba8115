/**
 * Scenario 3 with the real WAF (TS 33.203 X.4): guests of a click-to-call page get tokens from
 * the WAF's guest grant (`urn:webrtc-ims:grant-type:guest`, the page's Origin allowed for the
 * domain), and unmodified JsSIP registers with them through the eP-CSCF, which leases an IMS
 * identity from the domain's pool in the same subscriber directory the WAF uses and registers it
 * at Kamailio (TNA config: the pool identities are digest subscribers there, so the eP-CSCF
 * answers the core's challenge with the pool credential). The steps run in order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SipResponse } from '../../sip/index.ts';
import { type BearerJsSip, createBearerJsSip } from '../ep-cscf/bearer-clients.ts';
import { eventually } from '../ep-cscf/eventually.ts';
import { readLocation } from '../ep-cscf/location.ts';
import { leasedIdentity } from '../ep-cscf/pool-ua.ts';
import { installWebSocketTap } from '../ep-cscf/wire-tap.ts';
import { PortAllocator } from '../harness/ports.ts';
import { printPeerOutputOnFailure } from '../harness/vitest-hooks.ts';
import { type E2eBed, startE2eBed } from './e2e-bed.ts';
import { IMS_DOMAIN, POOL, SHOP_DOMAIN, SHOP_ORIGIN } from './e2e-directory.ts';
import { claimsOf, guestToken } from './waf-client.ts';

const POOL_IMPUS = POOL.map((p) => `sip:${p.user}@${IMS_DOMAIN}`);
const userOf = (impu: string | undefined): string => (impu ?? '').replace(/^sip:/, '').replace(/@.*$/, '');

describe('guests with the WAF guest grant register pool identities through the eP-CSCF to Kamailio', () => {
  const wire = installWebSocketTap();
  const guests: BearerJsSip[] = [];
  const leased: string[] = [];
  let ports: PortAllocator;
  let bed: E2eBed | undefined;
  printPeerOutputOnFailure(() => bed?.peers() ?? []);

  beforeAll(async () => {
    ports = await PortAllocator.open();
    bed = await startE2eBed({ ports, epEnv: { TOKEN_CHECK_INTERVAL: '0' } });
  });
  afterAll(async () => {
    for (const g of guests) await g.stop().catch(() => undefined);
    await bed?.stop();
    await ports?.close();
  });

  /** A guest page: a token from the guest grant, JsSIP with it as `sip:anonymous@shop.example`. */
  const guest = async (): Promise<BearerJsSip> => {
    const b = bed!;
    const token = await guestToken(b.waf, SHOP_DOMAIN, SHOP_ORIGIN);
    const client = createBearerJsSip({
      wsUrl: b.ep.wsUrl,
      user: 'anonymous',
      domain: SHOP_DOMAIN,
      token,
      wire,
    });
    guests.push(client);
    return client;
  };
  const leases = async (): Promise<string[]> =>
    (await bed!.directory.activeLeases(SHOP_DOMAIN, Date.now())).map((l) => l.credential.impu).sort();
  /** JsSIP's REGISTER with Expires 0; resolves with its final response. */
  const unregister = async (client: BearerJsSip): Promise<SipResponse> => {
    const from = wire.frames.length;
    client.ua.unregister();
    const sent = await wire.waitFor(
      (f) => f.direction === 'sent' && f.message.kind === 'request' && f.message.method === 'REGISTER',
      from,
    );
    const final = await wire.waitFor(
      (f) =>
        f.direction === 'received' &&
        f.message.kind === 'response' &&
        f.message.status >= 200 &&
        f.message.callId === sent.message.callId &&
        f.message.cseq.seq === sent.message.cseq.seq,
      from,
      10_000,
    );
    return final.message as SipResponse;
  };

  it('[TS33203-X.4-e2e-guest-register] MUST register a JsSIP guest holding a WAF guest-grant token as an identity leased from the domain pool: 200 with that IMPU first in P-Associated-URI, bound at Kamailio to the guest flow after the eP-CSCF answered the digest challenge', async () => {
    const b = bed!;
    const g = await guest();
    const token = String(g.ua.get('authorization_jwt')).replace(/^Bearer /, '');
    expect(claimsOf(token)).toMatchObject({ role: 'anonymous', ims: { domain: SHOP_DOMAIN, pool: true } });
    const res = await g.start();
    expect(res.status).toBe(200);
    const impu = leasedIdentity(res);
    expect(POOL_IMPUS).toContain(impu);
    leased.push(impu ?? '');

    const bound = (await readLocation(b.core)).filter((c) => c.aor === userOf(impu));
    expect(bound).toHaveLength(1);
    const flowToken = /^<sip:([^@]+)@/.exec(bound[0]?.path ?? '')?.[1] ?? '';
    const stored = await b.ep.running.context.store.forAor(impu ?? '');
    expect(stored.map((s) => s.connectionId)).toEqual([b.ep.running.context.tokens.decode(flowToken)]);
    const atCore = b.registersAtCore().filter((m) => m.to.uriText === impu);
    expect(atCore.some((m) => /response="[0-9a-f]{32}"/.test(m.headers.get('authorization') ?? ''))).toBe(
      true,
    );
    expect(b.bearerLeaked()).toBe(false);
    // The lease is in the directory the WAF uses.
    expect(await leases()).toEqual([impu]);
  });

  it('[TS33203-X.4-e2e-guest-second-identity] MUST give a second guest the other pool identity, both registered at Kamailio at once', async () => {
    const b = bed!;
    const res = await (await guest()).start();
    expect(res.status).toBe(200);
    const impu = leasedIdentity(res);
    expect(impu).not.toBe(leased[0]);
    expect(POOL_IMPUS).toContain(impu);
    leased.push(impu ?? '');
    expect(await b.registeredAtCore()).toEqual(expect.arrayContaining(POOL.map((p) => p.user)));
    expect(await leases()).toEqual([...POOL_IMPUS].sort());
  });

  it('[TS33203-X.4-e2e-guest-pool-exhausted] MUST refuse a third guest with 503 and Retry-After while the pool is exhausted, registering nothing more', async () => {
    const b = bed!;
    const before = b.registersAtCore().length;
    const res = await (await guest()).start();
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toMatch(/^\d+/);
    expect(b.registersAtCore().length).toBe(before);
    expect((await readLocation(b.core)).filter((c) => c.aor.startsWith('guest'))).toHaveLength(2);
  });

  it('[TS33203-X.4-e2e-guest-release-on-unregister] MUST deregister the identity at Kamailio and release its lease when the guest unregisters, and lend it to the waiting guest', async () => {
    const b = bed!;
    const [first, , waiting] = guests;
    if (first === undefined || waiting === undefined) throw new Error('the earlier steps run first');
    expect((await unregister(first)).status).toBe(200);
    const freed = leased[0];
    const location = await eventually(
      () => b.registeredAtCore(),
      (aors) => !aors.includes(userOf(freed)),
      5_000,
    );
    expect(location).not.toContain(userOf(freed));
    expect(await leases()).toEqual([leased[1]]);

    const res = await waiting.register();
    expect(res.status).toBe(200);
    expect(leasedIdentity(res)).toBe(freed);
    expect(await b.registeredAtCore()).toEqual(expect.arrayContaining(POOL.map((p) => p.user)));
  });
});
