/**
 * The prepared statements of the SQLite directory (sqlite-directory.ts runs them), on the schema
 * of sqlite-schema.ts, and the mapping of a constraint failure SQLite raised onto the typed error.
 */

import Database from 'better-sqlite3';
import { DirectoryConflict, DirectoryMissing } from './directory-errors.ts';

const CREDENTIAL_COLUMNS = 'c.id, c.domain, c.subscriber_id, c.impu, c.impi, c.secret, c.wss_server';

/** Maps a UNIQUE failure SQLite raised (a race the checks could not see) onto the typed error. */
export function constraintError(error: unknown): unknown {
  if (!(error instanceof Database.SqliteError) || !error.code.startsWith('SQLITE_CONSTRAINT')) return error;
  const unique = /UNIQUE constraint failed: \w+\.(\w+)/.exec(error.message);
  const column = unique?.[1];
  if (column === 'impu' || column === 'impi' || column === 'username')
    return new DirectoryConflict(column, '');
  if (error.code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return new DirectoryMissing('reference', '');
  return error;
}

export function prepareStatements(db: Database.Database) {
  const p = (source: string) => db.prepare(source);
  const count = (source: string) => db.prepare(source).pluck();
  return {
    domain: p('SELECT * FROM domain WHERE name = ?'),
    domains: p('SELECT * FROM domain ORDER BY name'),
    parentOf: p('SELECT parent FROM domain WHERE name = ?').pluck(),
    childrenOf: p('SELECT name FROM domain WHERE parent = ? ORDER BY name').pluck(),
    upsertDomain: p(`INSERT INTO domain VALUES (@name, @parent, @allowed_origins, @anonymous_enabled,
        @anonymous_token_ttl, @anonymous_capabilities, @services)
      ON CONFLICT (name) DO UPDATE SET parent = excluded.parent, allowed_origins = excluded.allowed_origins,
        anonymous_enabled = excluded.anonymous_enabled, anonymous_token_ttl = excluded.anonymous_token_ttl,
        anonymous_capabilities = excluded.anonymous_capabilities, services = excluded.services`),
    deleteDomain: p('DELETE FROM domain WHERE name = ?'),
    countSubscribers: count('SELECT count(*) FROM subscriber WHERE domain = ?'),
    countCredentials: count('SELECT count(*) FROM ims_credential WHERE domain = ?'),
    countMappings: count('SELECT count(*) FROM sip_mapping WHERE domain = ?'),
    countLeases: count(
      `SELECT count(*) FROM pool_lease l JOIN ims_credential c ON c.id = l.credential_id
       WHERE c.domain = ? AND l.expires_at > ?`,
    ),
    // Their credentials and mappings go with them (ON DELETE CASCADE), and the leases with those.
    deleteSubscribersIn: p('DELETE FROM subscriber WHERE domain = ?'),
    deletePoolOf: p('DELETE FROM ims_credential WHERE domain = ? AND subscriber_id IS NULL'),

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

    // Who holds an IMPU or IMPI already (directory-identities.ts).
    credentialIdsByImpu: p('SELECT id FROM ims_credential WHERE impu = ?').pluck(),
    credentialIdsByImpi: p('SELECT id FROM ims_credential WHERE impi = ?').pluck(),
    mappingIdsByImpu: p('SELECT id FROM sip_mapping WHERE impu = ?').pluck(),
    mappingsByImpi: p('SELECT id, subscriber_id FROM sip_mapping WHERE impi = ?'),

    mapping: p('SELECT * FROM sip_mapping WHERE id = ?'),
    mappingByImpu: p('SELECT * FROM sip_mapping WHERE impu = ?'),
    mappingsOf: p('SELECT * FROM sip_mapping WHERE subscriber_id = ? ORDER BY id'),
    mappingsIn: p('SELECT * FROM sip_mapping WHERE domain = ? ORDER BY id'),
    upsertMapping: p(`INSERT INTO sip_mapping VALUES (@id, @domain, @subscriber_id, @impu, @impi)
      ON CONFLICT (id) DO UPDATE SET domain = excluded.domain, subscriber_id = excluded.subscriber_id,
        impu = excluded.impu, impi = excluded.impi`),
    deleteMapping: p('DELETE FROM sip_mapping WHERE id = ?'),

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

export type SqliteStatements = ReturnType<typeof prepareStatements>;
