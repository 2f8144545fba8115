/**
 * The SubscriberDirectory on PostgreSQL (node-postgres), for several machines sharing one
 * directory: selected by DATABASE_URL. Same model, rules and errors as the SQLite backend (the
 * shared contract tests hold both to them); the schema is created or migrated on open.
 *
 * Every write is one READ COMMITTED transaction on one pooled connection; a refused write rolls
 * back entirely. Where SQLite serialises writers with its file lock, here each write locks what
 * its checks depend on:
 * - a pool lease locks the candidate identity's row (`FOR UPDATE OF c SKIP LOCKED`, so racing
 *   leasers each take a different one instead of queueing), then re-reads that identity's lease
 *   row `FOR UPDATE` (the newest committed state, not the statement's snapshot) before taking it;
 *   renew and release lock the lease row, so a renewal and a re-lease never both win;
 * - a credential write locks its row before replacing it (and dropping its lease);
 * - domain writes take a self-exclusive table lock, so two writes cannot make a parent loop;
 * - unique keys and references are constraints: a race the checks could not see still ends in
 *   the typed error (postgres-errors.ts). A deadlock or serialization failure is retried.
 */

import pg from 'pg';
import type { Domain, ImsCredential, PoolLease, Subscriber, SubscriberDirectory } from './directory.ts';
import { checkCredential, checkDomain, checkSubscriber, checkTime } from './directory-checks.ts';
import { DirectoryConflict, DirectoryInvalid, DirectoryMissing } from './directory-errors.ts';
import { constraintError, isRetryable } from './postgres-errors.ts';
import {
  credentialFromRow,
  credentialParams,
  domainFromRow,
  domainParams,
  leaseFromRow,
  subscriberFromRow,
  subscriberParams,
} from './postgres-rows.ts';
import { migratePostgres } from './postgres-schema.ts';
import {
  C,
  CREDENTIAL_COLUMNS,
  FREE_IDENTITY,
  UPSERT_CREDENTIAL,
  UPSERT_DOMAIN,
  UPSERT_SUBSCRIBER,
  WRITE_LEASE,
} from './postgres-statements.ts';

export interface PostgresDirectoryOptions {
  /** `postgres://user:password@host:port/database` (libpq URL; `?sslmode=` etc. as node-postgres reads them) */
  readonly url: string;
  /** the clock stamping leases and migrations (ms since the epoch); default Date.now */
  readonly now?: () => number;
  /** connections in the pool; default 10 */
  readonly maxConnections?: number;
  /** faults of idle pooled connections (the pool replaces them); default: ignored */
  readonly onError?: (error: Error) => void;
}

type Db = pg.ClientBase;

const MAX_ATTEMPTS = 3;

function changed(result: pg.QueryResult): boolean {
  return (result.rowCount ?? 0) > 0;
}

export class PostgresDirectory implements SubscriberDirectory {
  private readonly pool: pg.Pool;
  private readonly now: () => number;

  constructor(pool: pg.Pool, now: () => number) {
    this.pool = pool;
    this.now = now;
  }

  private async rows(sql: string, params: unknown[]): Promise<unknown[]> {
    return (await this.pool.query(sql, params)).rows;
  }

  /** Runs `body` as one transaction on one connection; retried on deadlock/serialization failure. */
  private async write<T>(values: Record<string, string>, body: (db: Db) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const db = await this.pool.connect();
      try {
        await db.query('BEGIN');
        const result = await body(db);
        await db.query('COMMIT');
        return result;
      } catch (error) {
        await db.query('ROLLBACK').catch(() => undefined);
        if (attempt < MAX_ATTEMPTS && isRetryable(error)) continue;
        throw constraintError(error, values);
      } finally {
        db.release();
      }
    }
  }

  async getDomain(name: string): Promise<Domain | undefined> {
    const [row] = await this.rows('SELECT * FROM domain WHERE name = $1', [name.toLowerCase()]);
    return row === undefined ? undefined : domainFromRow(row);
  }

  async listDomains(): Promise<Domain[]> {
    return (await this.rows(`SELECT * FROM domain ORDER BY name ${C}`, [])).map(domainFromRow);
  }

  async putDomain(domain: Domain): Promise<void> {
    checkDomain(domain);
    await this.write({ parent: domain.parent ?? '' }, async (db) => {
      await db.query('LOCK TABLE domain IN SHARE ROW EXCLUSIVE MODE');
      // Walk up from the parent: it must exist, and the domain must not be among its ancestors.
      let ancestor: string | undefined = domain.parent;
      const seen = new Set<string>();
      while (ancestor !== undefined && !seen.has(ancestor)) {
        if (ancestor === domain.name)
          throw new DirectoryConflict(
            'parent',
            domain.parent ?? '',
            `parent ${domain.parent} would make a cycle`,
          );
        seen.add(ancestor);
        const { rows } = await db.query('SELECT parent FROM domain WHERE name = $1', [ancestor]);
        const next: unknown = rows[0]?.parent;
        if (rows.length === 0 && ancestor === domain.parent) throw new DirectoryMissing('parent', ancestor);
        ancestor = typeof next === 'string' ? next : undefined;
      }
      await db.query(UPSERT_DOMAIN, domainParams(domain));
    });
  }

  async getSubscriber(id: string): Promise<Subscriber | undefined> {
    const [row] = await this.rows('SELECT * FROM subscriber WHERE id = $1', [id]);
    return row === undefined ? undefined : subscriberFromRow(row);
  }

  async findSubscriber(username: string, domain: string): Promise<Subscriber | undefined> {
    const [row] = await this.rows('SELECT * FROM subscriber WHERE username = $1 AND domain = $2', [
      username.toLowerCase(),
      domain.toLowerCase(),
    ]);
    return row === undefined ? undefined : subscriberFromRow(row);
  }

  async listSubscribers(domain: string): Promise<Subscriber[]> {
    const rows = await this.rows(`SELECT * FROM subscriber WHERE domain = $1 ORDER BY username ${C}`, [
      domain.toLowerCase(),
    ]);
    return rows.map(subscriberFromRow);
  }

  async putSubscriber(subscriber: Subscriber): Promise<void> {
    checkSubscriber(subscriber);
    const values = { username: subscriber.username, domain: subscriber.domain };
    await this.write(values, async (db) => {
      const domain = await db.query('SELECT 1 FROM domain WHERE name = $1', [subscriber.domain]);
      if (domain.rows.length === 0) throw new DirectoryMissing('domain', subscriber.domain);
      const holder = await db.query('SELECT id FROM subscriber WHERE username = $1 AND domain = $2', [
        subscriber.username,
        subscriber.domain,
      ]);
      const holderId: unknown = holder.rows[0]?.id;
      if (holderId !== undefined && holderId !== subscriber.id)
        throw new DirectoryConflict('username', subscriber.username);
      // A subscriber moved to another domain takes its IMS credentials along (ON UPDATE CASCADE).
      await db.query(UPSERT_SUBSCRIBER, subscriberParams(subscriber));
    });
  }

  async deleteSubscriber(id: string): Promise<boolean> {
    // Its IMS credentials go with it (ON DELETE CASCADE), and their leases with them.
    return changed(await this.pool.query('DELETE FROM subscriber WHERE id = $1', [id]));
  }

  async getImsCredential(id: string): Promise<ImsCredential | undefined> {
    const [row] = await this.rows(`SELECT ${CREDENTIAL_COLUMNS} FROM ims_credential c WHERE c.id = $1`, [id]);
    return row === undefined ? undefined : credentialFromRow(row);
  }

  async imsCredentialsOf(subscriberId: string): Promise<ImsCredential[]> {
    const rows = await this.rows(
      `SELECT ${CREDENTIAL_COLUMNS} FROM ims_credential c WHERE c.subscriber_id = $1 ORDER BY c.id ${C}`,
      [subscriberId],
    );
    return rows.map(credentialFromRow);
  }

  async poolOf(domain: string): Promise<ImsCredential[]> {
    const rows = await this.rows(
      `SELECT ${CREDENTIAL_COLUMNS} FROM ims_credential c
       WHERE c.domain = $1 AND c.subscriber_id IS NULL ORDER BY c.id ${C}`,
      [domain.toLowerCase()],
    );
    return rows.map(credentialFromRow);
  }

  async putImsCredential(credential: ImsCredential): Promise<void> {
    checkCredential(credential);
    const values = {
      domain: credential.domain,
      subscriberId: credential.subscriberId ?? '',
      impu: credential.impu,
      impi: credential.impi,
    };
    await this.write(values, async (db) => {
      const domain = await db.query('SELECT 1 FROM domain WHERE name = $1', [credential.domain]);
      if (domain.rows.length === 0) throw new DirectoryMissing('domain', credential.domain);
      if (credential.subscriberId !== undefined) {
        const owner = await db.query('SELECT domain FROM subscriber WHERE id = $1', [
          credential.subscriberId,
        ]);
        const ownerDomain: unknown = owner.rows[0]?.domain;
        if (ownerDomain === undefined) throw new DirectoryMissing('subscriberId', credential.subscriberId);
        if (ownerDomain !== credential.domain)
          throw new DirectoryInvalid(
            'domain',
            credential.domain,
            `must be the subscriber's domain ${String(ownerDomain)}`,
          );
      }
      for (const field of ['impu', 'impi'] as const) {
        const taken = await db.query(`SELECT id FROM ims_credential WHERE ${field} = $1`, [
          credential[field],
        ]);
        const takenBy: unknown = taken.rows[0]?.id;
        if (takenBy !== undefined && takenBy !== credential.id)
          throw new DirectoryConflict(field, credential[field]);
      }
      // Lock the row being replaced: a leaser holding it finishes first, or skips it.
      const before = await db.query(
        'SELECT domain, subscriber_id FROM ims_credential WHERE id = $1 FOR UPDATE',
        [credential.id],
      );
      const previous: unknown = before.rows[0];
      await db.query(UPSERT_CREDENTIAL, credentialParams(credential));
      // A lease is on a pool identity of one domain: it ends when the identity leaves that pool.
      const previousDomain: unknown = (previous as { domain?: unknown } | undefined)?.domain;
      if (
        previous !== undefined &&
        (credential.subscriberId !== undefined || previousDomain !== credential.domain)
      )
        await db.query('DELETE FROM pool_lease WHERE credential_id = $1', [credential.id]);
    });
  }

  async deleteImsCredential(id: string): Promise<boolean> {
    return changed(await this.pool.query('DELETE FROM ims_credential WHERE id = $1', [id]));
  }

  async leasePoolIdentity(
    domain: string,
    holder: string,
    expiresAt: number,
    now: number,
  ): Promise<PoolLease | undefined> {
    if (holder === '') throw new DirectoryInvalid('holder', holder, 'must not be empty');
    checkTime('expiresAt', expiresAt);
    checkTime('now', now);
    return this.write({}, async (db) => {
      // Candidates whose lease another writer changed since our snapshot are skipped, one by one.
      const passed: string[] = [];
      for (;;) {
        const found = await db.query(FREE_IDENTITY, [domain.toLowerCase(), now, passed]);
        const row: unknown = found.rows[0];
        if (row === undefined) return undefined;
        const credential = credentialFromRow(row);
        const lease = await db.query(
          'SELECT expires_at FROM pool_lease WHERE credential_id = $1 FOR UPDATE',
          [credential.id],
        );
        const held: unknown = lease.rows[0]?.expires_at;
        if (held !== undefined && Number(held) > now) {
          passed.push(credential.id);
          continue;
        }
        await db.query(WRITE_LEASE, [credential.id, holder, expiresAt, this.now()]);
        return { credential, holder, expiresAt };
      }
    });
  }

  async renewLease(credentialId: string, holder: string, expiresAt: number): Promise<boolean> {
    checkTime('expiresAt', expiresAt);
    const result = await this.pool.query(
      'UPDATE pool_lease SET expires_at = $1 WHERE credential_id = $2 AND holder = $3',
      [expiresAt, credentialId, holder],
    );
    return changed(result);
  }

  async releaseLease(credentialId: string, holder: string): Promise<boolean> {
    const result = await this.pool.query('DELETE FROM pool_lease WHERE credential_id = $1 AND holder = $2', [
      credentialId,
      holder,
    ]);
    return changed(result);
  }

  async activeLeases(domain: string, now: number): Promise<PoolLease[]> {
    const rows = await this.rows(
      `SELECT ${CREDENTIAL_COLUMNS}, l.holder, l.expires_at FROM pool_lease l
       JOIN ims_credential c ON c.id = l.credential_id
       WHERE c.domain = $1 AND l.expires_at > $2 ORDER BY l.expires_at, c.id ${C}`,
      [domain.toLowerCase(), now],
    );
    return rows.map(leaseFromRow);
  }

  private closing: Promise<void> | undefined;

  async close(): Promise<void> {
    this.closing ??= this.pool.end();
    await this.closing;
  }
}

/** Connects, creates or migrates the schema, and returns the directory; rejects if either fails. */
export async function openPostgresDirectory(options: PostgresDirectoryOptions): Promise<PostgresDirectory> {
  const now = options.now ?? Date.now;
  const pool = new pg.Pool({ connectionString: options.url, max: options.maxConnections ?? 10 });
  pool.on('error', (error) => options.onError?.(error));
  try {
    const client = await pool.connect();
    try {
      await migratePostgres(client, now);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return new PostgresDirectory(pool, now);
}
