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
 * - IMS credential and SIP mapping writes take advisory locks on their IMPI and IMPU, whose
 *   uniqueness spans both tables (postgres-writes.ts);
 * - domain writes and deletes take a self-exclusive table lock, so two writes cannot make a
 *   parent loop and a delete sees exact children and contents (postgres-domain-delete.ts);
 * - unique keys and references are constraints: a race the checks could not see still ends in
 *   the typed error (postgres-errors.ts). A deadlock or serialization failure is retried.
 */

import pg from 'pg';
import type {
  Domain,
  ImsCredential,
  PoolLease,
  SipMapping,
  Subscriber,
  SubscriberDirectory,
} from './directory.ts';
import {
  checkCredential,
  checkDomain,
  checkSipMapping,
  checkSubscriber,
  checkTime,
} from './directory-checks.ts';
import { DirectoryInvalid } from './directory-errors.ts';
import { deleteDomain } from './postgres-domain-delete.ts';
import { constraintError, isRetryable } from './postgres-errors.ts';
import {
  credentialFromRow,
  domainFromRow,
  leaseFromRow,
  sipMappingFromRow,
  subscriberFromRow,
} from './postgres-rows.ts';
import { migratePostgres } from './postgres-schema.ts';
import { C, CREDENTIAL_COLUMNS, FREE_IDENTITY, WRITE_LEASE } from './postgres-statements.ts';
import { putDomain, putImsCredential, putSipMapping, putSubscriber } from './postgres-writes.ts';

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
    await this.write({ parent: domain.parent ?? '' }, (db) => putDomain(db, domain));
  }

  async deleteDomain(name: string, options: { readonly cascade?: boolean } = {}): Promise<boolean> {
    const key = name.toLowerCase();
    return this.write({ name: key }, (db) => deleteDomain(db, key, options.cascade === true, this.now()));
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
    await this.write(values, (db) => putSubscriber(db, subscriber));
  }

  async deleteSubscriber(id: string): Promise<boolean> {
    // Its IMS credentials and SIP mappings go with it (ON DELETE CASCADE), leases with the former.
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
    await this.write(values, (db) => putImsCredential(db, credential));
  }

  async deleteImsCredential(id: string): Promise<boolean> {
    return changed(await this.pool.query('DELETE FROM ims_credential WHERE id = $1', [id]));
  }

  async getSipMapping(id: string): Promise<SipMapping | undefined> {
    const [row] = await this.rows('SELECT * FROM sip_mapping WHERE id = $1', [id]);
    return row === undefined ? undefined : sipMappingFromRow(row);
  }

  async sipMappingsOf(subscriberId: string): Promise<SipMapping[]> {
    const rows = await this.rows(`SELECT * FROM sip_mapping WHERE subscriber_id = $1 ORDER BY id ${C}`, [
      subscriberId,
    ]);
    return rows.map(sipMappingFromRow);
  }

  async sipMappingsIn(domain: string): Promise<SipMapping[]> {
    const rows = await this.rows(`SELECT * FROM sip_mapping WHERE domain = $1 ORDER BY id ${C}`, [
      domain.toLowerCase(),
    ]);
    return rows.map(sipMappingFromRow);
  }

  async findSipMapping(impu: string): Promise<SipMapping | undefined> {
    const [row] = await this.rows('SELECT * FROM sip_mapping WHERE impu = $1', [impu]);
    return row === undefined ? undefined : sipMappingFromRow(row);
  }

  async putSipMapping(mapping: SipMapping): Promise<void> {
    checkSipMapping(mapping);
    const { domain, subscriberId, impu, impi } = mapping;
    await this.write({ domain, subscriberId, impu, impi }, (db) => putSipMapping(db, mapping));
  }

  async deleteSipMapping(id: string): Promise<boolean> {
    return changed(await this.pool.query('DELETE FROM sip_mapping WHERE id = $1', [id]));
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
