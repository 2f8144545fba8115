/**
 * Scenario 3 of TS 33.203 Annex X.4 through the eP-CSCF to the lab IMS core: a client with a
 * pool token (signed by a test WAF, validated against its JWKS) REGISTERs over its WebSocket; the
 * eP-CSCF leases an identity of the tenant's pool, registers it at the core as the UA (answering
 * the digest or AKA challenge with the pool credential) and tells the client who it is in
 * P-Associated-URI. Leases are exclusive, refused precisely when none is free, and come back on
 * deregistration, flow close, token revocation or expiry, and an unrefreshed lease's end.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseDigestCredentials } from '../../sip/auth/index.ts';
import type { SipRequest } from '../../sip/index.ts';
import { K, OPC } from '../lab-core/fixture.ts';
import { CallUa } from './call-ua.ts';
import { eventually } from './eventually.ts';
import { labSubscribers } from './lab-core-peer.ts';
import { TENANT } from './pool-bed.ts';
import { loopbackLabCore, usePoolSuite } from './pool-suite.ts';
import { leasedIdentity } from './pool-ua.ts';

const IMS = 'ims.lab';
const AKA_TENANT = 'aka.example';
const BROKEN_TENANT = 'broken.example';
const EMPTY_TENANT = 'empty.example';
const POOL_A = `sip:pool-a@${IMS}`;
const POOL_B = `sip:pool-b@${IMS}`;

const SUBSCRIBERS = [
  { impi: `pool-a@${IMS}`, impus: [POOL_A], auth: ['digest-md5'], password: 'pool-a-pw' },
  { impi: `pool-b@${IMS}`, impus: [POOL_B], auth: ['digest-sha256'], password: 'pool-b-pw' },
  {
    impi: `pool-aka@${IMS}`,
    impus: [`sip:pool-aka@${IMS}`],
    auth: ['akav1-md5'],
    k: K,
    opc: OPC,
    sqn: 32,
    amf: '8000',
  },
  { impi: `pool-bad@${IMS}`, impus: [`sip:pool-bad@${IMS}`], auth: ['digest-md5'], password: 'right-pw' },
  { impi: `bob@${IMS}`, impus: [`sip:bob@${IMS}`], auth: ['digest-md5'], password: 'bob-pw' },
];

describe('pool registration (TS 33.203 X.4): WebSocket clients with pool tokens through the eP-CSCF to the lab core', () => {
  const bed = usePoolSuite({
    domain: IMS,
    startCore: loopbackLabCore({ domain: IMS, subscribers: labSubscribers(SUBSCRIBERS), minExpires: 1 }),
    pool: [
      { user: 'pool-a', secret: { kind: 'digest', password: 'pool-a-pw' } },
      { user: 'pool-b', secret: { kind: 'digest', password: 'pool-b-pw' } },
      { user: 'pool-aka', secret: { kind: 'aka', k: K, opc: OPC }, tenant: AKA_TENANT },
      { user: 'pool-bad', secret: { kind: 'digest', password: 'wrong-pw' }, tenant: BROKEN_TENANT },
    ],
    tenants: [AKA_TENANT, BROKEN_TENANT, EMPTY_TENANT],
    marginMs: 300,
  });
  afterEach(async () => {
    // Each test starts with every identity free: clients gone, their registrations ended.
    await bed.closeClients();
    await eventually(
      () => bed.ep.registrar.size,
      (n) => n === 0,
      5_000,
    );
  });

  const leases = async (tenant = TENANT): Promise<string[]> =>
    (await bed.directory.activeLeases(tenant, Date.now())).map((l) => l.credential.impu).sort();
  const atCore = (impu: string): SipRequest[] =>
    bed.tap.requests.filter((r) => r.method === 'REGISTER' && r.to.uriText === impu);
  const coreContacts = (impu: string): string[] =>
    (bed.core.registrations.get(impu)?.contacts ?? []).map((c) => c.uri);
  const metric = async (name: string, labels: string): Promise<number> => {
    const text = await bed.ep.registry.metrics();
    const m = new RegExp(`^${name}\\{${labels}\\} (\\d+)`, 'm').exec(text);
    return Number(m?.[1] ?? 0);
  };

  it('[TS33203-X.4-pool-register-as-ua] [TS33203-X.4-pool-identity-in-pau] [TS24229-5.1.1.2.1-pool-initial-authorization] [TS24229-5.2.2.1-pool-path] MUST lease a pool identity, register it at the core as the UA (initial Authorization, digest answer with the pool credential, own Call-ID) with the client Contact and our flow Path, and name it first in the 200 P-Associated-URI', async () => {
    const ua = await bed.client();
    const res = await ua.register(await bed.token());
    expect(res.status).toBe(200);
    const impu = leasedIdentity(res) ?? '';
    expect([POOL_A, POOL_B]).toContain(impu);
    expect(res.headers.values('contact')[0]).toMatch(/;expires=\d+/);
    expect(res.headers.values('flow-timer')).toEqual(['120']);
    expect(await leases()).toEqual([impu]);

    // At the core: the leased IMPU, bound to the client's Contact through our flow Path.
    const bound = bed.core.registrations.get(impu)?.contacts ?? [];
    expect(bound.map((c) => c.uri)).toEqual([ua.contactUri]);
    const path = bound[0]?.path[0] ?? '';
    expect(path).toMatch(new RegExp(`^<sip:[^@]+@${bed.ep.host}:${bed.ep.mwPort};lr;ob>$`));
    const flow = bed.ep.running.context.tokens.decode(/^<sip:([^@]+)@/.exec(path)?.[1] ?? '');
    const stored = await bed.ep.running.context.store.forAor(impu);
    expect(stored.map((b) => [b.contact, b.connectionId])).toEqual([[ua.contactUri, flow]]);
    expect(stored[0]?.associatedUris[0]).toBe(`<${impu}>`);
    expect(stored[0]?.impi).toBe(impu.replace(/^sip:/, ''));

    // What the eP-CSCF sent: initial Authorization, then the digest answer; its own dialog.
    const sent = atCore(impu);
    expect(sent.length).toBe(2);
    const [first, second] = sent;
    const initial = parseDigestCredentials(first?.headers.get('authorization') ?? '');
    expect(initial.ok && [initial.value.username, initial.value.response, initial.value.nonce]).toEqual([
      impu.replace(/^sip:/, ''),
      '',
      '',
    ]);
    const answer = parseDigestCredentials(second?.headers.get('authorization') ?? '');
    expect(answer.ok && answer.value.response).toMatch(/^[0-9a-f]{32,64}$/);
    expect(first?.callId).not.toBe(ua.sent[0]?.callId);
    expect(second?.callId).toBe(first?.callId);
    expect([first?.cseq.seq, second?.cseq.seq]).toEqual([1, 2]);
    for (const r of sent) {
      expect(r.headers.values('authorization').join()).not.toMatch(/bearer/i);
      expect(r.headers.get('p-visited-network-id')).toBe(IMS);
      expect(r.headers.get('p-charging-vector')).toMatch(/^icid-value=[0-9a-f]{32};/);
      expect(r.headers.values('require')).toContain('path');
    }
  });

  it('[TS33203-X.4-pool-refresh-keeps-identity] MUST keep the identity when the same client refreshes over the same flow, even with a new token of the same subject', async () => {
    const ua = await bed.client();
    const from = bed.tap.requests.length;
    const first = await ua.register(await bed.token({ sub: 'guest-refresh' }));
    const impu = leasedIdentity(first);
    const again = await ua.register(await bed.token({ sub: 'guest-refresh' }));
    expect(again.status).toBe(200);
    expect(leasedIdentity(again)).toBe(impu);
    expect(await leases()).toEqual([impu]);
    const sent = atCore(impu ?? '').filter((r) => bed.tap.requests.indexOf(r) >= from);
    expect(new Set(sent.map((r) => r.callId)).size).toBe(1);
    expect(sent.at(-1)?.cseq.seq).toBeGreaterThan(sent[0]?.cseq.seq ?? 0);
    // The refresh carries an answer (the nonce re-used, RFC 7616 §3.4), not the initial form.
    const refresh = parseDigestCredentials(sent.at(-1)?.headers.get('authorization') ?? '');
    expect(refresh.ok && refresh.value.response).toMatch(/^[0-9a-f]{32}$/);
    expect(coreContacts(impu ?? '')).toEqual([ua.contactUri]);
  });

  it('[TS33203-X.4-pool-exclusive-lease] [RFC3261-21.5.4-pool-exhausted-503] MUST give two clients two different identities, and refuse a third (pool of two) with 503, a Retry-After and the reason, registering nothing for it', async () => {
    const one = await bed.client();
    const two = await bed.client();
    const a = await one.register(await bed.token());
    const b = await two.register(await bed.token());
    expect([a.status, b.status]).toEqual([200, 200]);
    expect([leasedIdentity(a), leasedIdentity(b)].sort()).toEqual([POOL_A, POOL_B]);
    expect(coreContacts(POOL_A).length + coreContacts(POOL_B).length).toBe(2);
    // Each answered with its own credential, in the algorithm the core offers it (MD5, SHA-256).
    const algorithm = (impu: string): string | undefined => {
      const c = parseDigestCredentials(atCore(impu).at(-1)?.headers.get('authorization') ?? '');
      return c.ok ? c.value.algorithm : undefined;
    };
    expect([algorithm(POOL_A), algorithm(POOL_B)]).toEqual(['MD5', 'SHA-256']);

    const before = await metric('epcscf_pool_lease_failures_total', `domain="${TENANT}",reason="exhausted"`);
    const three = await bed.client();
    const refused = await three.register(await bed.token());
    expect(refused.status).toBe(503);
    expect(refused.reason).toBe(`Service Unavailable (no identity free in the pool of ${TENANT})`);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.values('p-associated-uri')).toEqual([]);
    expect(await leases()).toEqual([POOL_A, POOL_B]);
    for (const impu of [POOL_A, POOL_B]) expect(coreContacts(impu)).not.toContain(three.contactUri);
    expect(await metric('epcscf_pool_lease_failures_total', `domain="${TENANT}",reason="exhausted"`)).toBe(
      before + 1,
    );
    expect(await metric('epcscf_pool_leases_active', `domain="${TENANT}"`)).toBe(2);
  });

  it('[TS33203-X.4-pool-release-on-deregister] MUST deregister the identity at the core when the client unregisters, release it, and lend it to the next client', async () => {
    const one = await bed.client();
    const two = await bed.client();
    const token = await bed.token();
    const a = await one.register(token);
    await two.register(await bed.token());
    const freed = leasedIdentity(a) ?? '';
    const bye = await one.unregister(token);
    expect(bye.status).toBe(200);
    expect(bye.headers.values('contact')).toEqual([]);
    expect(coreContacts(freed)).toEqual([]);
    expect(await bed.ep.running.context.store.forAor(freed)).toEqual([]);
    expect(await leases()).not.toContain(freed);
    const last = atCore(freed).at(-1);
    expect(last?.headers.get('expires')).toBe('0');

    const three = await bed.client();
    const c = await three.register(await bed.token());
    expect(c.status).toBe(200);
    expect(leasedIdentity(c)).toBe(freed);
    expect(coreContacts(freed)).toEqual([three.contactUri]);
  });

  it('[TS33203-X.4-pool-release-on-flow-close] MUST deregister and release the identity when the client WebSocket closes, and lend it to the next client', async () => {
    const one = await bed.client();
    const two = await bed.client();
    const a = await one.register(await bed.token());
    await two.register(await bed.token());
    const freed = leasedIdentity(a) ?? '';
    await one.close();
    await eventually(
      async () => (await leases()).includes(freed),
      (held) => !held,
      5_000,
    );
    expect(coreContacts(freed)).toEqual([]);
    const three = await bed.client();
    const c = await three.register(await bed.token());
    expect(leasedIdentity(c)).toBe(freed);
  });

  it('[TS33203-X.4-pool-release-on-token-end] MUST deregister and release the identity when its token is revoked (RFC 7662 check)', async () => {
    const ua = await bed.client();
    const token = await bed.token();
    const res = await ua.register(token);
    const impu = leasedIdentity(res) ?? '';
    expect(coreContacts(impu)).toEqual([ua.contactUri]);
    bed.issuer.revoke(token);
    await bed.ep.running.context.bearer?.bindings.checkNow();
    await eventually(
      () => leases(),
      (l) => !l.includes(impu),
      5_000,
    );
    expect(coreContacts(impu)).toEqual([]);
    expect(await bed.ep.running.context.store.forAor(impu)).toEqual([]);
  });

  it('[TS33203-X.4-pool-release-on-token-end] [TS33203-X.4-lease-bounded-by-token] MUST register no longer than the token lasts, and deregister and release the identity when it expires', async () => {
    const ua = await bed.client();
    const res = await ua.register(await bed.token({ expiresIn: 3 }), 600);
    expect(res.status).toBe(200);
    const impu = leasedIdentity(res) ?? '';
    expect(Number(/;expires=(\d+)/.exec(res.headers.values('contact')[0] ?? '')?.[1])).toBeLessThanOrEqual(3);
    // Lease expiry frees the identity in the directory at once; the deregistration at the core
    // follows from the registrar's timer for the same instant.
    const after = await eventually(
      async () => ({ leased: (await leases()).includes(impu), atCore: coreContacts(impu) }),
      (s) => !s.leased && s.atCore.length === 0,
      8_000,
    );
    expect(after).toEqual({ leased: false, atCore: [] });
  });

  it('[TS33203-X.4-pool-lease-expiry] MUST release the identity of a registration the client lets run out', async () => {
    const ua = await bed.client();
    const res = await ua.register(await bed.token(), 1);
    expect(res.status).toBe(200);
    const impu = leasedIdentity(res) ?? '';
    expect(await leases()).toContain(impu);
    await eventually(
      () => leases(),
      (l) => !l.includes(impu),
      6_000,
    );
    // The directory counts a lease as free from its expiry on; the registrar's timer for that
    // same instant ends the registration (core deregistration, then the bindings) a moment later,
    // later still on a loaded machine.
    const after = await eventually(
      async () => ({
        held: bed.ep.registrar.size,
        bindings: await bed.ep.running.context.store.forAor(impu),
      }),
      (s) => s.held === 0 && s.bindings.length === 0,
      3_000,
    );
    expect(after).toEqual({ held: 0, bindings: [] });
  });

  it('[TS33203-X.4-pool-empty-403] MUST refuse a token of a domain without a pool with 403 and the reason', async () => {
    const ua = await bed.client();
    const res = await ua.register(await bed.token({ domain: EMPTY_TENANT }));
    expect(res.status).toBe(403);
    expect(res.reason).toBe(`Forbidden (the domain ${EMPTY_TENANT} has no identity pool)`);
  });

  it('[TS33203-X.4-pool-aka-credential] MUST answer an AKA challenge with a pool identity K/OPc', async () => {
    const ua = await bed.client(AKA_TENANT);
    const res = await ua.register(await bed.token({ domain: AKA_TENANT }));
    expect(res.status).toBe(200);
    expect(leasedIdentity(res)).toBe(`sip:pool-aka@${IMS}`);
    const answer = parseDigestCredentials(
      atCore(`sip:pool-aka@${IMS}`).at(-1)?.headers.get('authorization') ?? '',
    );
    expect(answer.ok && answer.value.algorithm).toBe('AKAv1-MD5');
    expect(coreContacts(`sip:pool-aka@${IMS}`)).toEqual([ua.contactUri]);
  });

  it('[TS33203-X.4-pool-core-failure] MUST answer 500 naming the core status when the core refuses the pool credential, and release the identity', async () => {
    const ua = await bed.client(BROKEN_TENANT);
    const res = await ua.register(await bed.token({ domain: BROKEN_TENANT }));
    expect(res.status).toBe(500);
    expect(res.reason).toMatch(/IMS core answered 403/);
    expect(res.headers.values('www-authenticate')).toEqual([]);
    expect(await leases(BROKEN_TENANT)).toEqual([]);
  });

  it('[TS24229-5.2.6.3-pool-asserted-identity] MUST assert the leased identity on a call from the pool client: the core and the callee see it as P-Asserted-Identity', async () => {
    const bob = bed.keep(
      await CallUa.registered({
        wsUrl: bed.ep.wsUrl,
        domain: IMS,
        user: 'bob',
        secret: { password: 'bob-pw' },
      }),
    );
    const ua = await bed.client();
    const impu = leasedIdentity(await ua.register(await bed.token())) ?? '';
    const invite = ua.call.invite(bob.impu, { body: 'v=0\r\n' });
    const atBob = await bob.incoming('INVITE', invite.callId);
    expect(atBob.request.headers.values('p-asserted-identity')).toEqual([`<${impu}>`]);
    const sent = bed.tap.requests.find((r) => r.method === 'INVITE' && r.callId === invite.callId);
    expect(sent?.headers.values('p-asserted-identity')).toEqual([`<${impu}>`]);
    atBob.reply(486);
    expect((await invite.final()).status).toBe(486);
  });
});
