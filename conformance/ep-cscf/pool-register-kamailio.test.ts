/**
 * Scenario 3 of TS 33.203 Annex X.4 with Kamailio as the IMS core: the pool identities are
 * subscribers of Kamailio's digest table (their IMPI `user@ims.test` as digest username, the HA1
 * of kamailio.ts); clients with pool tokens register through the eP-CSCF, which answers
 * Kamailio's MD5 challenge with the pool credential. Kamailio's location table then holds each
 * leased identity with our flow Path, and a call from one pool client to another's leased
 * identity goes through Kamailio with the caller's leased identity as P-Asserted-Identity.
 */
import { describe, expect, it } from 'vitest';
import { startKamailio } from '../kamailio/kamailio.ts';
import { webrtcSdp } from './call-sdp.ts';
import { eventually } from './eventually.ts';
import { readLocation } from './location.ts';
import { TENANT } from './pool-bed.ts';
import { usePoolSuite } from './pool-suite.ts';
import { leasedIdentity, PoolUa } from './pool-ua.ts';

const IMS = 'ims.test';
const BROKEN = 'broken.example';
const POOL = [
  { user: 'pool-k1', password: 'pool-k1-pw' },
  { user: 'pool-k2', password: 'pool-k2-pw' },
] as const;

describe('pool registration (TS 33.203 X.4): pool clients through the eP-CSCF to Kamailio as the IMS core', () => {
  /** the identity each client of the first test was lent */
  const leased = new Map<PoolUa, string>();
  const bed = usePoolSuite({
    domain: IMS,
    startCore: async (ports) => {
      const core = await startKamailio({
        ports,
        domain: IMS,
        subscribers: [
          ...POOL.map((p) => ({ username: p.user, password: p.password })),
          { username: 'pool-k9', password: 'what-kamailio-has' },
        ],
      });
      return { core, port: core.sipPort };
    },
    pool: [
      ...POOL.map((p) => ({ user: p.user, secret: { kind: 'digest' as const, password: p.password } })),
      // Misprovisioned: the directory's password is not Kamailio's.
      { user: 'pool-k9', secret: { kind: 'digest', password: 'stale-pw' }, tenant: BROKEN },
    ],
    tenants: [BROKEN],
  });

  it('[TS33203-X.4-pool-register-as-ua] [TS33203-X.4-pool-exclusive-lease] MUST register two clients as two different pool identities at Kamailio (MD5 digest with the pool credential), each bound to its own flow Path, and refuse a third with 503', async () => {
    const one = await bed.client();
    const two = await bed.client();
    const a = await one.register(await bed.token());
    const b = await two.register(await bed.token());
    expect([a.status, b.status]).toEqual([200, 200]);
    const ids = [leasedIdentity(a), leasedIdentity(b)];
    expect([...ids].sort()).toEqual(POOL.map((p) => `sip:${p.user}@${IMS}`));

    const location = await readLocation(bed.core);
    for (const [i, ua] of [one, two].entries()) {
      const user = (ids[i] ?? '').replace(/^sip:/, '').replace(/@.*$/, '');
      const bound = location.filter((c) => c.aor === user);
      expect(bound).toHaveLength(1);
      expect(bound[0]?.address).toBe(ua.contactUri);
      const token = /^<sip:([^@]+)@/.exec(bound[0]?.path ?? '')?.[1] ?? '';
      const flow = bed.ep.running.context.tokens.decode(token);
      const stored = await bed.ep.running.context.store.forAor(ids[i] ?? '');
      expect(stored.map((s) => s.connectionId)).toEqual([flow]);
    }
    // The eP-CSCF answered Kamailio's challenge: 401 then 200 for each identity at the core.
    const registers = bed.tap.requests.filter((r) => r.method === 'REGISTER');
    expect(
      registers.filter((r) => /response="[0-9a-f]{32}"/.test(r.headers.get('authorization') ?? '')).length,
    ).toBe(2);

    leased.set(one, ids[0] ?? '');
    leased.set(two, ids[1] ?? '');

    const three = await PoolUa.open(bed.ep.wsUrl, TENANT);
    const refused = await three.register(await bed.token());
    expect(refused.status).toBe(503);
    expect((await readLocation(bed.core)).map((c) => c.address)).not.toContain(three.contactUri);
    await three.close();
  });

  it('[TS33203-X.4-pool-core-failure] MUST answer a pool credential Kamailio keeps challenging once, then give the client 500 naming the 401 and release the identity', async () => {
    const ua = await PoolUa.open(bed.ep.wsUrl, BROKEN);
    try {
      const res = await ua.register(await bed.token({ domain: BROKEN }));
      expect(res.status).toBe(500);
      expect(res.reason).toMatch(/IMS core answered 401/);
      expect(res.headers.values('www-authenticate')).toEqual([]);
      const sent = bed.tap.requests.filter(
        (r) => r.method === 'REGISTER' && r.to.uriText === `sip:pool-k9@${IMS}`,
      );
      expect(sent).toHaveLength(2);
      expect(await bed.directory.activeLeases(BROKEN, Date.now())).toEqual([]);
      expect((await readLocation(bed.core)).map((c) => c.aor)).not.toContain('pool-k9');
    } finally {
      await ua.close();
    }
  });

  it('[TS24229-5.2.6.3-pool-asserted-identity] MUST carry a call from one pool client to the leased identity of another through Kamailio: the core receives the caller leased identity as P-Asserted-Identity, and the callee gets the INVITE on its flow with it', async () => {
    const [one, two] = bed.clients;
    if (one === undefined || two === undefined) throw new Error('the registration test runs first');
    const caller = leased.get(one) ?? '';
    const callee = leased.get(two) ?? '';
    const invite = one.call.invite(callee, { body: webrtcSdp({ user: 'caller' }) });
    const atCallee = await two.call.incoming('INVITE', invite.callId);
    expect(atCallee.request.headers.values('p-asserted-identity')).toEqual([`<${caller}>`]);
    expect(atCallee.request.uri).toBe(two.contactUri);
    const sent = bed.tap.requests.find((r) => r.method === 'INVITE' && r.callId === invite.callId);
    expect(sent?.headers.values('p-asserted-identity')).toEqual([`<${caller}>`]);
    expect(sent?.uri).toBe(callee);
    atCallee.reply(486);
    expect((await invite.final()).status).toBe(486);
  });

  it('[TS33203-X.4-pool-release-on-flow-close] MUST deregister the identity at Kamailio when a pool client WebSocket closes, and lend it to a waiting client', async () => {
    const [one] = bed.clients;
    if (one === undefined) throw new Error('the registration test runs first');
    const freed = leased.get(one);
    const three = await bed.client();
    expect((await three.register(await bed.token())).status).toBe(503);
    await one.close();
    await eventually(
      async () => (await readLocation(bed.core)).some((c) => c.address === one.contactUri),
      (still) => !still,
      5_000,
    );
    const res = await three.register(await bed.token());
    expect(res.status).toBe(200);
    expect(leasedIdentity(res)).toBe(freed);
    const location = await readLocation(bed.core);
    expect(location.filter((c) => c.address === three.contactUri).map((c) => c.aor)).toEqual([
      (freed ?? '').replace(/^sip:/, '').replace(/@.*$/, ''),
    ]);
  });
});
