/**
 * The SubscriberDirectory on SQLite (better-sqlite3): the default backend, one file shared by
 * every process of one machine. better-sqlite3 is synchronous, so each method runs to the end
 * before the event loop moves on; every write is one `BEGIN IMMEDIATE` transaction, which takes
 * the file's write lock first, so checks and writes are atomic across processes too (a second
 * process waits up to `busyTimeoutMs` for the lock).
 */

import Database from 'better-sqlite3';
import type {
  Domain,
  DomainContents,
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
import {
  DirectoryConflict,
  DirectoryInvalid,
  DirectoryMissing,
  DomainInUse,
  isEmpty,
} from './directory-errors.ts';
import { identityConflict, type WrittenIdentity } from './directory-identities.ts';
import {
  credentialFromRow,
  credentialToRow,
  domainFromRow,
  domainToRow,
  leaseFromRow,
  sipMappingFromRow,
  sipMappingToRow,
  subscriberFromRow,
  subscriberToRow,
} from './sqlite-rows.ts';
import { configureConnection, migrate } from './sqlite-schema.ts';
import { constraintError, prepareStatements, type SqliteStatements } from './sqlite-statements.ts';

export interface SqliteDirectoryOptions {
  /** the database file, created when missing; `:memory:` for a private in-memory directory */
  readonly file: string;
  /** the clock stamping leases and migrations (ms since the epoch); default Date.now */
  readonly now?: () => number;
  /** how long a write waits for another process's lock before failing; default 5000 ms */
  readonly busyTimeoutMs?: number;
}

export class SqliteDirectory implements SubscriberDirectory {
  private readonly db: Database.Database;
  private readonly now: () => number;
  private readonly sql: SqliteStatements;

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
    this.sql = prepareStatements(this.db);
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

  async deleteDomain(name: string, options: { readonly cascade?: boolean } = {}): Promise<boolean> {
    const key = name.toLowerCase();
    return this.write(() => {
      if (this.sql.domain.get(key) === undefined) return false;
      const children = this.sql.childrenOf.all(key).map(String);
      const contents = this.contentsOf(key);
      if (children.length > 0 || (!isEmpty(contents) && options.cascade !== true))
        throw new DomainInUse(key, children, contents);
      if (options.cascade === true) {
        this.sql.deleteSubscribersIn.run(key);
        this.sql.deletePoolOf.run(key);
      }
      return this.sql.deleteDomain.run(key).changes > 0;
    });
  }

  private contentsOf(domain: string): DomainContents {
    const n = (value: unknown): number => Number(value);
    return {
      subscribers: n(this.sql.countSubscribers.get(domain)),
      imsCredentials: n(this.sql.countCredentials.get(domain)),
      sipMappings: n(this.sql.countMappings.get(domain)),
      activeLeases: n(this.sql.countLeases.get(domain, this.now())),
    };
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
      // A subscriber moved to another domain takes its credentials and mappings along (ON UPDATE CASCADE).
      this.sql.upsertSubscriber.run(subscriberToRow(subscriber));
    });
  }

  async deleteSubscriber(id: string): Promise<boolean> {
    // Its IMS credentials and SIP mappings go with it (ON DELETE CASCADE), leases with the former.
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
      if (credential.subscriberId !== undefined)
        this.requireOwner(credential.subscriberId, credential.domain);
      this.claimIdentity({ kind: 'credential', ...credential });
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

  async getSipMapping(id: string): Promise<SipMapping | undefined> {
    const row: unknown = this.sql.mapping.get(id);
    return row === undefined ? undefined : sipMappingFromRow(row);
  }

  async sipMappingsOf(subscriberId: string): Promise<SipMapping[]> {
    return this.sql.mappingsOf.all(subscriberId).map(sipMappingFromRow);
  }

  async sipMappingsIn(domain: string): Promise<SipMapping[]> {
    return this.sql.mappingsIn.all(domain.toLowerCase()).map(sipMappingFromRow);
  }

  async findSipMapping(impu: string): Promise<SipMapping | undefined> {
    const row: unknown = this.sql.mappingByImpu.get(impu);
    return row === undefined ? undefined : sipMappingFromRow(row);
  }

  async putSipMapping(mapping: SipMapping): Promise<void> {
    checkSipMapping(mapping);
    this.write(() => {
      if (this.sql.domain.get(mapping.domain) === undefined)
        throw new DirectoryMissing('domain', mapping.domain);
      this.requireOwner(mapping.subscriberId, mapping.domain);
      this.claimIdentity({ kind: 'mapping', ...mapping });
      this.sql.upsertMapping.run(sipMappingToRow(mapping));
    });
  }

  async deleteSipMapping(id: string): Promise<boolean> {
    return this.write(() => this.sql.deleteMapping.run(id).changes > 0);
  }

  /** The subscriber must exist and be of `domain`. */
  private requireOwner(subscriberId: string, domain: string): void {
    const row: unknown = this.sql.subscriber.get(subscriberId);
    if (row === undefined) throw new DirectoryMissing('subscriberId', subscriberId);
    const owner = subscriberFromRow(row);
    if (owner.domain !== domain)
      throw new DirectoryInvalid('domain', domain, `must be the subscriber's domain ${owner.domain}`);
  }

  /** Refuses an IMPU or IMPI held elsewhere (directory-identities.ts). */
  private claimIdentity(written: WrittenIdentity): void {
    const conflict = identityConflict(
      {
        impuCredentials: this.sql.credentialIdsByImpu.all(written.impu).map(String),
        impuMappings: this.sql.mappingIdsByImpu.all(written.impu).map(String),
        impiCredentials: this.sql.credentialIdsByImpi.all(written.impi).map(String),
        impiMappings: this.sql.mappingsByImpi.all(written.impi).map((raw) => {
          const m = raw as { id: unknown; subscriber_id: unknown };
          return { id: String(m.id), subscriberId: String(m.subscriber_id) };
        }),
      },
      written,
    );
    if (conflict !== undefined) throw conflict;
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
