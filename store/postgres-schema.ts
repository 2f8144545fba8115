/**
 * The PostgreSQL schema of the subscriber directory and its migrations: the same tables, keys and
 * cascades as the SQLite schema (sqlite-schema.ts), in PostgreSQL's types (text[] lists, jsonb
 * secret, boolean flags, bigint ms times). Constraints carry fixed names so that a violation can
 * be mapped back to the field it is about (postgres-errors.ts). `migratePostgres` brings a
 * database to the newest version under a transaction-scoped advisory lock, so directories opening
 * at once on one database migrate it once; a database of a newer version is refused.
 */

import type pg from 'pg';

/** Each entry moves the schema from version (index) to (index + 1). Never edit a shipped step. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE domain (
    name text PRIMARY KEY CHECK (name <> '' AND name = lower(name)),
    parent text CONSTRAINT domain_parent_fk REFERENCES domain (name) ON UPDATE RESTRICT ON DELETE RESTRICT,
    allowed_origins text[] NOT NULL,
    anonymous_enabled boolean NOT NULL,
    anonymous_token_ttl bigint NOT NULL CHECK (anonymous_token_ttl > 0),
    anonymous_capabilities text[] NOT NULL,
    services text[] NOT NULL,
    CHECK (parent IS NULL OR parent <> name)
  );

  CREATE TABLE subscriber (
    id text PRIMARY KEY CHECK (id <> ''),
    username text NOT NULL CHECK (username <> '' AND username = lower(username)),
    domain text NOT NULL CONSTRAINT subscriber_domain_fk REFERENCES domain (name)
      ON UPDATE RESTRICT ON DELETE RESTRICT,
    role text NOT NULL CHECK (role IN ('admin', 'user', 'anonymous')),
    capabilities text[] NOT NULL,
    password_hash text,                     -- PHC string; never a password
    disabled boolean NOT NULL,
    CONSTRAINT subscriber_username_unique UNIQUE (username, domain),
    CONSTRAINT subscriber_id_domain_unique UNIQUE (id, domain)
  );

  CREATE TABLE ims_credential (
    id text PRIMARY KEY CHECK (id <> ''),
    domain text NOT NULL CONSTRAINT ims_credential_domain_fk REFERENCES domain (name)
      ON UPDATE RESTRICT ON DELETE RESTRICT,
    subscriber_id text,                     -- NULL: the domain's anonymous pool
    impu text NOT NULL CHECK (impu <> ''),
    impi text NOT NULL CHECK (impi <> ''),
    secret jsonb NOT NULL,                  -- ImsSecret: needed to answer the core's challenges
    wss_server text,
    CONSTRAINT ims_credential_impu_unique UNIQUE (impu),
    CONSTRAINT ims_credential_impi_unique UNIQUE (impi),
    CONSTRAINT ims_credential_subscriber_fk FOREIGN KEY (subscriber_id, domain)
      REFERENCES subscriber (id, domain) ON UPDATE CASCADE ON DELETE CASCADE
  );
  CREATE INDEX ims_credential_subscriber ON ims_credential (subscriber_id);
  CREATE INDEX ims_credential_pool ON ims_credential (domain) WHERE subscriber_id IS NULL;

  CREATE TABLE pool_lease (
    credential_id text PRIMARY KEY CONSTRAINT pool_lease_credential_fk REFERENCES ims_credential (id)
      ON DELETE CASCADE,
    holder text NOT NULL CHECK (holder <> ''),
    expires_at bigint NOT NULL,             -- ms since the epoch
    leased_at bigint NOT NULL               -- ms since the epoch, from the directory's clock
  );
  `,
  // 2: SIP mappings (a subscriber's SIP identity without a secret, TS 33.203 X.3 with TNA).
  `
  CREATE TABLE sip_mapping (
    id text PRIMARY KEY CHECK (id <> ''),
    domain text NOT NULL CONSTRAINT sip_mapping_domain_fk REFERENCES domain (name)
      ON UPDATE RESTRICT ON DELETE RESTRICT,
    subscriber_id text NOT NULL,
    impu text NOT NULL CHECK (impu <> ''),
    impi text NOT NULL CHECK (impi <> ''),  -- shared only by mappings of one subscriber
    CONSTRAINT sip_mapping_impu_unique UNIQUE (impu),
    CONSTRAINT sip_mapping_subscriber_fk FOREIGN KEY (subscriber_id, domain)
      REFERENCES subscriber (id, domain) ON UPDATE CASCADE ON DELETE CASCADE
  );
  CREATE INDEX sip_mapping_subscriber ON sip_mapping (subscriber_id);
  CREATE INDEX sip_mapping_domain ON sip_mapping (domain);
  CREATE INDEX sip_mapping_impi ON sip_mapping (impi);
  `,
];

/** The migration steps, for tests that build a database of an older version. */
export const POSTGRES_MIGRATIONS = MIGRATIONS;

export const POSTGRES_SCHEMA_VERSION = MIGRATIONS.length;

/** Key of the advisory lock held while migrating (any fixed 64-bit number unique to this use). */
const MIGRATION_LOCK = 0x7765_6272_7463; // "webrtc"

async function currentVersion(client: pg.ClientBase): Promise<number> {
  await client.query(
    'CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL, applied_at bigint NOT NULL)',
  );
  const result = await client.query('SELECT max(version) AS version FROM schema_version');
  const version: unknown = result.rows[0]?.version;
  return typeof version === 'number' ? version : 0;
}

/** Applies the missing migrations in one transaction; `now` stamps each step. Returns the version. */
export async function migratePostgres(client: pg.ClientBase, now: () => number): Promise<number> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    const found = await currentVersion(client);
    if (found > POSTGRES_SCHEMA_VERSION)
      throw new Error(
        `directory schema version ${found} is newer than this release knows (${POSTGRES_SCHEMA_VERSION})`,
      );
    for (let version = found + 1; version <= POSTGRES_SCHEMA_VERSION; version++) {
      await client.query(MIGRATIONS[version - 1] ?? '');
      await client.query('INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)', [
        version,
        now(),
      ]);
    }
    await client.query('COMMIT');
    return POSTGRES_SCHEMA_VERSION;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
