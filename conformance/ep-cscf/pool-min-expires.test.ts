/**
 * A pool registration whose token lives less than the core's shortest registration (RFC 3261
 * §10.2.8): the core answers 423 with Min-Expires, the eP-CSCF asks once more with that expiry,
 * and the client is registered; the registration still ends when the token does.
 */
import { describe, expect, it } from 'vitest';
import { eventually } from './eventually.ts';
import { labSubscribers } from './lab-core-peer.ts';
import { TENANT } from './pool-bed.ts';
import { loopbackLabCore, usePoolSuite } from './pool-suite.ts';
import { leasedIdentity } from './pool-ua.ts';

const IMS = 'ims.lab';

describe('pool registration and the core Min-Expires', () => {
  const bed = usePoolSuite({
    domain: IMS,
    startCore: loopbackLabCore({
      domain: IMS,
      subscribers: labSubscribers([
        { impi: `pool-m@${IMS}`, impus: [`sip:pool-m@${IMS}`], auth: ['digest-md5'], password: 'pool-m-pw' },
      ]),
      minExpires: 60,
    }),
    pool: [{ user: 'pool-m', secret: { kind: 'digest', password: 'pool-m-pw' } }],
    tenants: [],
    marginMs: 300,
  });

  it('[RFC3261-10.2.8-pool-min-expires] MUST ask the core again with its Min-Expires after a 423 for a short-lived token, register the client, and still end the registration when the token expires', async () => {
    const ua = await bed.client();
    const res = await ua.register(await bed.token({ expiresIn: 4 }), 600);
    expect(res.status).toBe(200);
    const impu = leasedIdentity(res) ?? '';
    expect(impu).toBe(`sip:pool-m@${IMS}`);
    const registers = bed.tap.requests.filter((r) => r.method === 'REGISTER' && r.to.uriText === impu);
    expect(
      registers.some(
        (r) => r.headers.get('expires') === '60' || /expires=60/.test(r.headers.get('contact') ?? ''),
      ),
    ).toBe(true);
    expect((bed.core.registrations.get(impu)?.contacts ?? []).length).toBe(1);
    // Token end: deregistered at the core, identity released.
    const atCore = await eventually(
      () => bed.core.registrations.get(impu)?.contacts.length ?? 0,
      (n) => n === 0,
      10_000,
    );
    expect(atCore).toBe(0);
    const leases = await eventually(
      async () => (await bed.directory.activeLeases(TENANT, Date.now())).length,
      (n) => n === 0,
      5_000,
    );
    expect(leases).toBe(0);
  });
});
