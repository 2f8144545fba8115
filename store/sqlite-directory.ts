/**
 * The SubscriberDirectory on SQLite (better-sqlite3): the default backend, one file shared by
 * every process of one machine. better-sqlite3 is synchronous, so each method runs to the end
 * before the event loop moves on; every write is one `BEGIN IMMEDIATE` transaction, which takes
 * the file's write lock first, so checks and writes are atomic across processes too (a second
 * process waits up to `busyTimeoutMs` for the lock).
 */

import Database from 'better-sqlite3';
import type { Domain, ImsCredential, PoolLease, Subscriber, SubscriberDirectory } from './directory.ts';
import { checkCredential, checkDomain, checkSubscriber, checkTime } from './directory-checks.ts';
import { DirectoryConflict, DirectoryInvalid, DirectoryMissing } from './directory-errors.ts';
import {
  credentialFromRow,
  credentialToRow,
  domainFromRow,
  domainToRow,
  leaseFromRow,
  subscriberFromRow,
  subscriberToRow,
} from './sqlite-rows.ts';
import { configureConnection, migrate } from './sqlite-schema.ts';

export interface SqliteDirectoryOptions {
  /** the database file, created when missing; `:memory:` for a private in-memory directory */
  readonly file: string;
  /** the clock stamping leases and migrations (ms since the epoch); default Date.now */
  readonly now?: () => number;
  /** how long a write waits for another process's lock before failing; default 5000 ms */
  readonly busyTimeoutMs?: number;
}

const CREDENTIAL_COLUMNS = 'c.id, c.domain, c.subscriber_id, c.impu, c.impi, c.secret, c.wss_server';

/** Maps a UNIQUE failure SQLite raised (a race the checks could not see) onto the typed error. */
function constraintError(error: unknown): unknown {
  if (!(error instanceof Database.SqliteError) || !error.code.startsWith('SQLITE_CONSTRAINT')) return error;
  const unique = /UNIQUE constraint failed: \w+\.(\w+)/.exec(error.message);
  const column = unique?.[1];
  if (column === 'impu' || column === 'impi' || column === 'username')
    return new DirectoryConflict(column, '');
  if (error.code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return new DirectoryMissing('reference', '');
  return error;
}

export class SqliteDirectory implements SubscriberDirectory {
  private readonly db: Database.Database;
  private readonly now: () => number;
  private readonly sql;

  constructor(options: SqliteDirectoryOptions) {
    this.now = options.now ?? Date.now;
    this.db = new Database(options.file, { timeout: options.busyTimeoutMs ?? 5000 });
    try {
      configureConnection(this.db, options.file);
      migrate(this.db, this.now);
    } catch (error) {
      this.db.close();
      throw error;
    }
    const p = (source: string) => this.db.prepare(source);
    this.sql = {
      domain: p('SELECT * FROM domain WHERE name = ?'),
      domains: p('SELECT * FROM domain ORDER BY name'),
      parentOf: p('SELECT parent FROM domain WHERE name = ?').pluck(),
      upsertDomain: p(`INSERT INTO domain VALUES (@name, @parent, @allowed_origins, @anonymous_enabled,
          @anonymous_token_ttl, @anonymous_capabilities, @services)
        ON CONFLICT (name) DO UPDATE SET parent = excluded.parent, allowed_origins = excluded.allowed_origins,
          anonymous_enabled = excluded.anonymous_enabled, anonymous_token_ttl = excluded.anonymous_token_ttl,
          anonymous_capabilities = excluded.anonymous_capabilities, services = excluded.services`),
      subscriber: p('SELECT * FROM subscriber WHERE id = ?'),
      subscriberByName: p('SELECT * FROM subscriber WHERE username = ? AND domain = ?'),
      subscribers: p('SELECT * FROM subscriber WHERE domain = ? ORDER BY username'),
      upsertSubscriber: p(`INSERT INTO subscriber VALUES (@id, @username, @domain, @role, @capabilities,
          @password_hash, @disabled)
        ON CONFLICT (id) DO UPDATE SET username = excluded.username, domain = excluded.domain,
          role = excluded.role, capabilities = excluded.capabilities,
          password_hash = excluded.password_hash, disabled = excluded.disabled`),
      deleteSubscriber: p('DELETE FROM subscriber WHERE id = ?'),
      credential: p(`SELECT ${CREDENTIAL_COLUMNS} FROM ims_credential c WHERE c.id = ?`),
      credentialIdByImpu: p('SELECT id FROM ims_credential WHERE impu = ?').pluck(),
      credentialIdByImpi: p('SELECT id FROM ims_credential WHERE impi = ?').pluck(),
      credentialsOf: p(
        `SELECT ${CREDENTIAL_COLUMNS} FROM ims_credential c WHERE c.subscriber_id = ? ORDER BY c.id`,
      ),
      pool: p(
        `SELECT ${CREDENTIAL_COLUMNS} FROM ims_credential c
         WHERE c.domain = ? AND c.subscriber_id IS NULL ORDER BY c.id`,
      ),
      upsertCredential: p(`INSERT INTO ims_credential VALUES (@id, @domain, @subscriber_id, @impu, @impi,
          @secret, @wss_server)
        ON CONFLICT (id) DO UPDATE SET domain = excluded.domain, subscriber_id = excluded.subscriber_id,
          impu = excluded.impu, impi = excluded.impi, secret = excluded.secret, wss_server = excluded.wss_server`),
      deleteCredential: p('DELETE FROM ims_credential WHERE id = ?'),
      // A free pool identity: never leased, or its lease ran out; never-leased ones first.
      freeIdentity: p(
        `SELECT ${CREDENTIAL_COLUMNS} FROM ims_credential c LEFT JOIN pool_lease l ON l.credential_id = c.id
         WHERE c.domain = ? AND c.subscriber_id IS NULL AND (l.credential_id IS NULL OR l.expires_at <= ?)
         ORDER BY l.expires_at IS NOT NULL, l.expires_at, c.id LIMIT 1`,
      ),
      writeLease: p(`INSERT INTO pool_lease VALUES (?, ?, ?, ?)
        ON CONFLICT (credential_id) DO UPDATE SET holder = excluded.holder,
          expires_at = excluded.expires_at, leased_at = excluded.leased_at`),
      renewLease: p('UPDATE pool_lease SET expires_at = ? WHERE credential_id = ? AND holder = ?'),
      releaseLease: p('DELETE FROM pool_lease WHERE credential_id = ? AND holder = ?'),
      dropLease: p('DELETE FROM pool_lease WHERE credential_id = ?'),
      activeLeases: p(
        `SELECT ${CREDENTIAL_COLUMNS}, l.holder, l.expires_at FROM pool_lease l
         JOIN ims_credential c ON c.id = l.credential_id
         WHERE c.domain = ? AND l.expires_at > ? ORDER BY l.expires_at, c.id`,
      ),
    };
  }

  /** Runs `body` as one BEGIN IMMEDIATE transaction; a refusal rolls everything back. */
  private write<T>(body: () => T): T {
    try {
      return this.db.transaction(body).immediate();
    } catch (error) {
      throw constraintError(error);
    }
  }

  async getDomain(name: string): Promise<Domain | undefined> {
    const row: unknown = this.sql.domain.get(name.toLowerCase());
    return row === undefined ? undefined : domainFromRow(row);
  }

  async listDomains(): Promise<Domain[]> {
    return this.sql.domains.all().map(domainFromRow);
  }

  async putDomain(domain: Domain): Promise<void> {
    checkDomain(domain);
    this.write(() => {
      if (domain.parent === undefined) return this.sql.upsertDomain.run(domainToRow(domain));
      // Walk up from the parent: it must exist, and the domain must not be among its ancestors.
      let ancestor: string | undefined = domain.parent;
      const seen = new Set<string>();
      while (ancestor !== undefined && !seen.has(ancestor)) {
        if (ancestor === domain.name)
          throw new DirectoryConflict('parent', domain.parent, `parent ${domain.parent} would make a cycle`);
        seen.add(ancestor);
        const next: unknown = this.sql.parentOf.get(ancestor);
        if (next === undefined && ancestor === domain.parent) throw new DirectoryMissing('parent', ancestor);
        ancestor = typeof next === 'string' ? next : undefined;
      }
      return this.sql.upsertDomain.run(domainToRow(domain));
    });
  }

  async getSubscriber(id: string): Promise<Subscriber | undefined> {
    const row: unknown = this.sql.subscriber.get(id);
    return row === undefined ? undefined : subscriberFromRow(row);
  }

  async findSubscriber(username: string, domain: string): Promise<Subscriber | undefined> {
    const row: unknown = this.sql.subscriberByName.get(username.toLowerCase(), domain.toLowerCase());
    return row === undefined ? undefined : subscriberFromRow(row);
  }

  async listSubscribers(domain: string): Promise<Subscriber[]> {
    return this.sql.subscribers.all(domain.toLowerCase()).map(subscriberFromRow);
  }

  async putSubscriber(subscriber: Subscriber): Promise<void> {
    checkSubscriber(subscriber);
    this.write(() => {
      if (this.sql.domain.get(subscriber.domain) === undefined)
        throw new DirectoryMissing('domain', subscriber.domain);
      const holder: unknown = this.sql.subscriberByName.get(subscriber.username, subscriber.domain);
      if (holder !== undefined && subscriberFromRow(holder).id !== subscriber.id)
        throw new DirectoryConflict('username', subscriber.username);
      // A subscriber moved to another domain takes its IMS credentials along (ON UPDATE CASCADE).
      this.sql.upsertSubscriber.run(subscriberToRow(subscriber));
    });
  }

  async deleteSubscriber(id: string): Promise<boolean> {
    // Its IMS credentials go with it (ON DELETE CASCADE), and their leases with them.
    return this.write(() => this.sql.deleteSubscriber.run(id).changes > 0);
  }

  async getImsCredential(id: string): Promise<ImsCredential | undefined> {
    const row: unknown = this.sql.credential.get(id);
    return row === undefined ? undefined : credentialFromRow(row);
  }

  async imsCredentialsOf(subscriberId: string): Promise<ImsCredential[]> {
    return this.sql.credentialsOf.all(subscriberId).map(credentialFromRow);
  }

  async poolOf(domain: string): Promise<ImsCredential[]> {
    return this.sql.pool.all(domain.toLowerCase()).map(credentialFromRow);
  }

  async putImsCredential(credential: ImsCredential): Promise<void> {
    checkCredential(credential);
    this.write(() => {
      if (this.sql.domain.get(credential.domain) === undefined)
        throw new DirectoryMissing('domain', credential.domain);
      if (credential.subscriberId !== undefined) {
        const row: unknown = this.sql.subscriber.get(credential.subscriberId);
        if (row === undefined) throw new DirectoryMissing('subscriberId', credential.subscriberId);
        const owner = subscriberFromRow(row);
        if (owner.domain !== credential.domain)
          throw new DirectoryInvalid(
            'domain',
            credential.domain,
            `must be the subscriber's domain ${owner.domain}`,
          );
      }
      for (const field of ['impu', 'impi'] as const) {
        const query = field === 'impu' ? this.sql.credentialIdByImpu : this.sql.credentialIdByImpi;
        const taken: unknown = query.get(credential[field]);
        if (taken !== undefined && taken !== credential.id)
          throw new DirectoryConflict(field, credential[field]);
      }
      const before: unknown = this.sql.credential.get(credential.id);
      const previous = before === undefined ? undefined : credentialFromRow(before);
      this.sql.upsertCredential.run(credentialToRow(credential));
      // A lease is on a pool identity of one domain: it ends when the identity leaves that pool.
      if (
        previous !== undefined &&
        (credential.subscriberId !== undefined || previous.domain !== credential.domain)
      )
        this.sql.dropLease.run(credential.id);
    });
  }

  async deleteImsCredential(id: string): Promise<boolean> {
    return this.write(() => this.sql.deleteCredential.run(id).changes > 0);
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
    return this.write(() => {
      const row: unknown = this.sql.freeIdentity.get(domain.toLowerCase(), now);
      if (row === undefined) return undefined;
      const credential = credentialFromRow(row);
      this.sql.writeLease.run(credential.id, holder, expiresAt, this.now());
      return { credential, holder, expiresAt };
    });
  }

  async renewLease(credentialId: string, holder: string, expiresAt: number): Promise<boolean> {
    checkTime('expiresAt', expiresAt);
    return this.write(() => this.sql.renewLease.run(expiresAt, credentialId, holder).changes > 0);
  }

  async releaseLease(credentialId: string, holder: string): Promise<boolean> {
    return this.write(() => this.sql.releaseLease.run(credentialId, holder).changes > 0);
  }

  async activeLeases(domain: string, now: number): Promise<PoolLease[]> {
    return this.sql.activeLeases.all(domain.toLowerCase(), now).map(leaseFromRow);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

/** Opens (creating or migrating) a SQLite directory. */
export async function openSqliteDirectory(options: SqliteDirectoryOptions): Promise<SqliteDirectory> {
  return new SqliteDirectory(options);
}
