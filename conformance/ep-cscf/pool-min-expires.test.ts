/**
 * A pool registration whose token lives less than the core's shortest registration (RFC 3261
 * §10.2.8): the core answers 423 with Min-Expires, the eP-CSCF asks once more with that expiry,
 * and the client is registered; the registration still ends when the token does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PortAllocator } from '../harness/ports.ts';
import { printPeerOutputOnFailure } from '../harness/vitest-hooks.ts';
import { type LabCore, parseSubscribers, startLabCore } from '../lab-core/index.ts';
import { eventually } from './eventually.ts';
import { type PoolBed, startPoolBed, TENANT } from './pool-bed.ts';
import { leasedIdentity, PoolUa } from './pool-ua.ts';

const IMS = 'ims.lab';

describe('pool registration and the core Min-Expires', () => {
  const peers: Array<{ report(): string }> = [];
  let ports: PortAllocator;
  let core: LabCore;
  let bed: PoolBed;
  let ua: PoolUa | undefined;
  printPeerOutputOnFailure(() => peers);

  beforeAll(async () => {
    ports = await PortAllocator.open();
    const subscribers = parseSubscribers({
      subscribers: [
        { impi: `pool-m@${IMS}`, impus: [`sip:pool-m@${IMS}`], auth: ['digest-md5'], password: 'pool-m-pw' },
      ],
    });
    if (!subscribers.ok) throw new Error(subscribers.errors.join('\n'));
    core = await startLabCore({
      host: ports.host,
      port: await ports.port('both'),
      domain: IMS,
      subscribers: subscribers.subscribers,
      trusted: [ports.host],
      minExpires: 60,
    });
    bed = await startPoolBed({
      ports,
      core: { host: core.host, port: core.port, domain: IMS },
      pool: [{ user: 'pool-m', secret: { kind: 'digest', password: 'pool-m-pw' } }],
      tenants: [],
      marginMs: 300,
      onPeer: (p) => peers.push(p),
    });
  });
  afterAll(async () => {
    await ua?.close();
    await bed?.stop();
    await core?.stop();
    await ports?.close();
  });

  it('[RFC3261-10.2.8-pool-min-expires] MUST ask the core again with its Min-Expires after a 423 for a short-lived token, register the client, and still end the registration when the token expires', async () => {
    ua = await PoolUa.open(bed.ep.wsUrl, TENANT);
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
    expect((core.registrations.get(impu)?.contacts ?? []).length).toBe(1);
    // Token end: deregistered at the core, identity released.
    await eventually(
      () => core.registrations.get(impu)?.contacts.length ?? 0,
      (n) => n === 0,
      10_000,
    );
    await eventually(
      async () => (await bed.directory.activeLeases(TENANT, Date.now())).length,
      (n) => n === 0,
      5_000,
    );
  });
});
