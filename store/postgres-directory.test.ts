import { describe, expect, it } from 'vitest';
import { credential, directoryContract, domain, subscriber } from './directory-contract.ts';
import { DirectoryConflict } from './directory-errors.ts';
import { openPostgresDirectory } from './postgres-directory.ts';
import { POSTGRES_SCHEMA_VERSION } from './postgres-schema.ts';
import { usePostgresCluster } from './postgres-test-cluster.ts';

const cluster = usePostgresCluster();

directoryContract('PostgresDirectory', async () =>
  openPostgresDirectory({ url: await cluster.freshDatabase() }),
);

describe('PostgresDirectory schema and storage', () => {
  it('[STORE-postgres-schema] creates its schema on open, keeps data across reopening, and records the version once', async () => {
    const url = await cluster.freshDatabase();
    // Two directories opening an empty database at once migrate it once.
    const [first, second] = await Promise.all([
      openPostgresDirectory({ url, now: () => 42 }),
      openPostgresDirectory({ url, now: () => 43 }),
    ]);
    await first.putDomain(domain('ims.lab'));
    await first.putSubscriber(subscriber('s1', 'alice'));
    expect((await second.findSubscriber('ALICE', 'ims.lab'))?.id).toBe('s1');
    await first.close();
    await second.close();
    const again = await openPostgresDirectory({ url });
    expect((await again.getSubscriber('s1'))?.username).toBe('alice');
    await again.close();
    const versions = await cluster.sql(
      url,
      'SELECT version, applied_at::int AS applied_at FROM schema_version',
    );
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({ version: POSTGRES_SCHEMA_VERSION });
    expect([42, 43]).toContain((versions[0] as { applied_at: number }).applied_at);
  });

  it('[STORE-postgres-schema] refuses a database written by a newer schema version', async () => {
    const url = await cluster.freshDatabase();
    await (await openPostgresDirectory({ url })).close();
    await cluster.sql(url, 'INSERT INTO schema_version VALUES ($1, 0)', [POSTGRES_SCHEMA_VERSION + 1]);
    await expect(openPostgresDirectory({ url })).rejects.toThrow(/newer/);
  });

  it('[STORE-postgres-schema] rejects opening when the server cannot be reached', async () => {
    const url = `postgres://postgres@127.0.0.1:${cluster.server().port}/no_such_database`;
    await expect(openPostgresDirectory({ url })).rejects.toThrow(/no_such_database/);
  });

  it('[STORE-postgres-storage] stores password hashes only, and IMS secrets as given', async () => {
    const url = await cluster.freshDatabase();
    const dir = await openPostgresDirectory({ url });
    await dir.putDomain(domain('ims.lab'));
    await dir.putSubscriber(subscriber('s1', 'alice'));
    await dir.putImsCredential(credential('c1', 'alice', { subscriberId: 's1' }));
    await dir.close();
    const columns = await cluster.sql(
      url,
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'subscriber'",
    );
    const names = columns.map((c) => (c as { column_name: string }).column_name);
    expect(names).toContain('password_hash');
    expect(names).not.toContain('password');
    const [row] = await cluster.sql(url, "SELECT secret FROM ims_credential WHERE id = 'c1'");
    expect((row as { secret: unknown }).secret).toEqual({ kind: 'digest', password: 'alice-lab-password' });
  });
});

describe('PostgresDirectory shared by several instances', () => {
  /** A database holding ims.lab with `pool` pool identities, and two directories (two pools) on it. */
  async function twoInstances(pool: number) {
    const url = await cluster.freshDatabase();
    const seed = await openPostgresDirectory({ url });
    await seed.putDomain(domain('ims.lab'));
    for (let n = 1; n <= pool; n++) await seed.putImsCredential(credential(`g${n}`, `guest${n}`));
    await seed.close();
    const a = await openPostgresDirectory({ url, maxConnections: 5 });
    const b = await openPostgresDirectory({ url, maxConnections: 5 });
    return { a, b, close: () => Promise.all([a.close(), b.close()]) };
  }

  it('[STORE-postgres-lease-race] two instances racing for one pool never lease the same identity', async () => {
    const { a, b, close } = await twoInstances(30);
    const tries = Array.from({ length: 40 }, (_, n) =>
      (n % 2 === 0 ? a : b).leasePoolIdentity('ims.lab', `flow-${n}`, 60_000, 1_000),
    );
    const granted = (await Promise.all(tries)).flatMap((l) => (l === undefined ? [] : [l]));
    expect(granted).toHaveLength(30);
    expect(new Set(granted.map((l) => l.credential.id)).size).toBe(30);
    const active = await b.activeLeases('ims.lab', 2_000);
    expect(new Map(active.map((l) => [l.credential.id, l.holder]))).toEqual(
      new Map(granted.map((l) => [l.credential.id, l.holder])),
    );
    await close();
  });

  it('[STORE-postgres-renew-race] a renewal racing a re-lease of the expired identity: exactly one of them wins', async () => {
    const { a, b, close } = await twoInstances(20);
    for (let n = 0; n < 20; n++) await a.leasePoolIdentity('ims.lab', `old-${n}`, 5_000, 1_000);
    const held = new Map((await a.activeLeases('ims.lab', 1_000)).map((l) => [l.holder, l.credential.id]));
    // At 5 000 every lease has run out: each holder renews while newcomers lease, on both instances.
    const renewals = [...held.keys()].map((holder, n) =>
      (n % 2 === 0 ? a : b).renewLease(held.get(holder) ?? '', holder, 60_000),
    );
    const leases = Array.from({ length: 20 }, (_, n) =>
      (n % 2 === 0 ? b : a).leasePoolIdentity('ims.lab', `new-${n}`, 60_000, 5_000),
    );
    const renewed = await Promise.all(renewals);
    const granted = (await Promise.all(leases)).flatMap((l) => (l === undefined ? [] : [l]));
    const final = new Map((await a.activeLeases('ims.lab', 5_000)).map((l) => [l.credential.id, l.holder]));
    expect(renewed.filter(Boolean).length + granted.length).toBe(20);
    [...held.entries()].forEach(([holder, id], n) => {
      expect(final.get(id) === holder).toBe(renewed[n]);
    });
    for (const lease of granted) expect(final.get(lease.credential.id)).toBe(lease.holder);
    await close();
  });

  it('[STORE-postgres-unique-race] two instances creating the same username at once: one wins, the other gets DirectoryConflict', async () => {
    const { a, b, close } = await twoInstances(0);
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, n) => (n % 2 === 0 ? a : b).putSubscriber(subscriber(`s${n}`, 'alice'))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) {
      expect(r.reason).toBeInstanceOf(DirectoryConflict);
      expect((r.reason as DirectoryConflict).field).toBe('username');
    }
    expect((await b.listSubscribers('ims.lab')).map((s) => s.username)).toEqual(['alice']);
    await close();
  });
});
