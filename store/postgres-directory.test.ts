import { describe, expect, it } from 'vitest';
import { credential, directoryContract, domain, subscriber } from './directory-contract.ts';
import { DirectoryConflict, DirectoryMissing, DomainInUse } from './directory-errors.ts';
import { openPostgresDirectory } from './postgres-directory.ts';
import { POSTGRES_MIGRATIONS, POSTGRES_SCHEMA_VERSION } from './postgres-schema.ts';
import { usePostgresCluster } from './postgres-test-cluster.ts';

const cluster = usePostgresCluster();

directoryContract(
  'PostgresDirectory',
  async () => openPostgresDirectory({ url: await cluster.freshDatabase() }),
  {
    // A trigger makes the removal of a domain row fail.
    async openFailing() {
      const url = await cluster.freshDatabase();
      const dir = await openPostgresDirectory({ url });
      await cluster.sql(
        url,
        `CREATE FUNCTION fail_domain_delete() RETURNS trigger LANGUAGE plpgsql
         AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$;
       CREATE TRIGGER fail_domain_delete BEFORE DELETE ON domain
         FOR EACH ROW EXECUTE FUNCTION fail_domain_delete();`,
      );
      return dir;
    },
  },
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
    const versions = (await cluster.sql(
      url,
      'SELECT version, applied_at::int AS applied_at FROM schema_version ORDER BY version',
    )) as { version: number; applied_at: number }[];
    // Each step recorded once, all by the one directory that migrated.
    expect(versions.map((v) => v.version)).toEqual(
      Array.from({ length: POSTGRES_SCHEMA_VERSION }, (_, n) => n + 1),
    );
    expect(new Set(versions.map((v) => v.applied_at)).size).toBe(1);
    expect([42, 43]).toContain(versions[0]?.applied_at);
  });

  it('[STORE-postgres-migration] migrates a database of schema version 1 (before SIP mappings), keeping its data', async () => {
    const url = await cluster.freshDatabase();
    await cluster.sql(
      url,
      `${POSTGRES_MIGRATIONS[0]};
       CREATE TABLE schema_version (version integer NOT NULL, applied_at bigint NOT NULL);
       INSERT INTO schema_version VALUES (1, 7);
       INSERT INTO domain VALUES ('ims.lab', NULL, '{}', true, 600, '{call}', '{call}');
       INSERT INTO subscriber VALUES ('s1', 'alice', 'ims.lab', 'user', '{}', NULL, false);
       INSERT INTO ims_credential VALUES ('c1', 'ims.lab', 's1', 'sip:alice@ims.lab', 'alice@ims.lab',
         '{"kind":"digest","password":"pw"}', NULL);`,
    );
    const dir = await openPostgresDirectory({ url, now: () => 8 });
    expect((await dir.getImsCredential('c1'))?.impu).toBe('sip:alice@ims.lab');
    await dir.putSipMapping({
      id: 'm1',
      domain: 'ims.lab',
      subscriberId: 's1',
      impu: 'tel:+1555',
      impi: 'a@ims.lab',
    });
    expect((await dir.findSipMapping('tel:+1555'))?.subscriberId).toBe('s1');
    await dir.close();
    const versions = await cluster.sql(
      url,
      'SELECT version, applied_at::int AS applied_at FROM schema_version ORDER BY version',
    );
    expect(versions).toEqual([
      { version: 1, applied_at: 7 },
      { version: 2, applied_at: 8 },
    ]);
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

  it('[STORE-postgres-identity-race] an IMS credential and SIP mappings written at once with one IMPU on two instances: exactly one is stored', async () => {
    const { a, b, close } = await twoInstances(0);
    for (const n of [1, 2, 3]) await a.putSubscriber(subscriber(`s${n}`, `user${n}`));
    for (let round = 0; round < 5; round++) {
      const impu = `sip:contested${round}@ims.lab`;
      const results = await Promise.allSettled([
        a.putImsCredential(
          credential(`c${round}`, 'x', { subscriberId: 's1', impu, impi: `c${round}@ims.lab` }),
        ),
        b.putSipMapping({
          id: `m${round}`,
          domain: 'ims.lab',
          subscriberId: 's2',
          impu,
          impi: `m${round}@ims.lab`,
        }),
        a.putSipMapping({
          id: `n${round}`,
          domain: 'ims.lab',
          subscriberId: 's3',
          impu,
          impi: `n${round}@ims.lab`,
        }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results.filter((r) => r.status === 'rejected')) {
        expect(r.reason).toBeInstanceOf(DirectoryConflict);
        expect((r.reason as DirectoryConflict).field).toBe('impu');
      }
      const holders = [
        await b.getImsCredential(`c${round}`),
        await b.getSipMapping(`m${round}`),
        await b.getSipMapping(`n${round}`),
      ];
      expect(holders.filter((h) => h !== undefined)).toHaveLength(1);
    }
    await close();
  });

  it('[STORE-postgres-delete-race] a domain delete racing a subscriber write into it: exactly one wins, and no subscriber is left without its domain', async () => {
    const { a, b, close } = await twoInstances(0);
    for (let round = 0; round < 10; round++) {
      const name = `race${round}.lab`;
      await a.putDomain(domain(name));
      const [put, del] = await Promise.allSettled([
        a.putSubscriber(subscriber(`s${round}`, 'alice', { domain: name })),
        b.deleteDomain(name),
      ]);
      const exists = (await a.getDomain(name)) !== undefined;
      const stored = (await a.getSubscriber(`s${round}`)) !== undefined;
      expect(put?.status === 'fulfilled').toBe(exists);
      expect(stored).toBe(exists);
      if (del?.status === 'rejected') expect(del.reason).toBeInstanceOf(DomainInUse);
      if (put?.status === 'rejected') {
        expect(put.reason).toBeInstanceOf(DirectoryMissing);
        expect((put.reason as DirectoryMissing).field).toBe('domain');
      }
      expect([put?.status, del?.status].filter((s) => s === 'fulfilled')).toHaveLength(1);
    }
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
