import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PortAllocator } from '../conformance/harness/ports.ts';
import { printPeerOutputOnFailure } from '../conformance/harness/vitest-hooks.ts';
import { type Redis, startRedis } from '../conformance/redis/redis.ts';
import { type OpenedRedisRegistrationStore, openRedisRegistrationStore } from './redis-registration-store.ts';
import { registrationStoreContract } from './registration-store.test.ts';
import type { ContactBinding } from './registration-store.ts';

let ports: PortAllocator;
let redis: Redis | undefined;
const opened: OpenedRedisRegistrationStore[] = [];
let stores = 0;
printPeerOutputOnFailure(() => [redis]);

beforeAll(async () => {
  ports = await PortAllocator.open();
  redis = await startRedis({ ports });
});
afterAll(async () => {
  await Promise.all(opened.splice(0).map((o) => o.close()));
  await redis?.stop();
  await ports.close();
});

/** A store on its own key prefix, so each test starts empty on the one server. */
async function open(prefix = `t${++stores}:{reg}:`, batch?: number) {
  if (redis === undefined) throw new Error('redis not started');
  const o = await openRedisRegistrationStore(redis.url, {
    prefix,
    ...(batch === undefined ? {} : { expireBatch: batch }),
  });
  opened.push(o);
  return o.store;
}

// The contract's `make` is synchronous: connect lazily behind a thin forwarding store.
registrationStoreContract('RedisRegistrationStore', () => {
  const ready = open();
  return {
    put: async (b) => (await ready).put(b),
    remove: async (a, c) => (await ready).remove(a, c),
    forAor: async (a) => (await ready).forAor(a),
    forConnection: async (c) => (await ready).forConnection(c),
    expire: async (n) => (await ready).expire(n),
    size: async () => (await ready).size(),
  };
});

function binding(n: number, over: Partial<ContactBinding> = {}): ContactBinding {
  return {
    aor: `sip:user${n % 7}@ims.lab`,
    contact: `sip:c${n}@x.invalid;transport=ws`,
    instanceId: undefined,
    regId: undefined,
    connectionId: `ws-${n % 5}`,
    expiresAt: 1_000 + n,
    serviceRoute: [],
    associatedUris: [`<sip:user${n % 7}@ims.lab>`, '<tel:+15550100>'],
    impi: undefined,
    callId: `call-${n}`,
    ...over,
  };
}

describe('RedisRegistrationStore', () => {
  it('[STORE-redis-registrations] MUST give each expired binding to exactly one of several instances expiring at once', async () => {
    const prefix = `race${++stores}:{reg}:`;
    const instances = await Promise.all([open(prefix, 7), open(prefix, 7), open(prefix, 7)]);
    const first = instances[0];
    if (first === undefined) throw new Error('no store');
    for (let n = 0; n < 120; n++) await first.put(binding(n));
    const rounds = await Promise.all(instances.flatMap((s) => [s.expire(1_100), s.expire(1_100)]));
    const contacts = rounds.flat().map((b) => b.contact);
    expect(contacts).toHaveLength(101);
    expect(new Set(contacts).size).toBe(101);
    expect(await first.size()).toBe(19);
    // Nothing expired is left in any index.
    for (let c = 0; c < 5; c++)
      for (const b of await instances[1]!.forConnection(`ws-${c}`))
        expect(b.expiresAt).toBeGreaterThan(1_100);
  });

  it('[STORE-redis-registrations] MUST share bindings between instances and keep every field of a binding', async () => {
    const prefix = `share${++stores}:{reg}:`;
    const [a, b] = await Promise.all([open(prefix), open(prefix)]);
    const full = binding(1, {
      instanceId: '<urn:uuid:00000000-0000-1000-8000-aabbccddeeff>',
      regId: 2,
      serviceRoute: ['<sip:orig@scscf.ims.lab;lr>'],
      impi: 'user1@ims.lab',
      aor: 'sip:ünï@ims.lab',
      expiresAt: 1_750_000_000_123,
    });
    await a?.put(full);
    expect(await b?.forAor('sip:ünï@ims.lab')).toEqual([full]);
    expect(await b?.forConnection(full.connectionId)).toEqual([full]);
    expect(await b?.remove(full.aor, full.contact)).toBe(true);
    expect(await a?.forAor(full.aor)).toEqual([]);
    expect(await a?.size()).toBe(0);
  });
});
