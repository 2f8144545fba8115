/**
 * The SQLite schema of the subscriber directory and its migrations. `migrate(db)` brings any
 * file to the newest version in one transaction per step, recording each in `schema_version`;
 * a file written by a newer release (a version this code does not know) is refused.
 */

import type Database from 'better-sqlite3';

/** Each entry moves the schema from version (index) to (index + 1). Never edit a shipped step. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE domain (
    name TEXT PRIMARY KEY NOT NULL CHECK (name <> '' AND name = lower(name)),
    parent TEXT REFERENCES domain (name) ON UPDATE RESTRICT ON DELETE RESTRICT,
    allowed_origins TEXT NOT NULL,          -- JSON array of strings
    anonymous_enabled INTEGER NOT NULL CHECK (anonymous_enabled IN (0, 1)),
    anonymous_token_ttl INTEGER NOT NULL CHECK (anonymous_token_ttl > 0),
    anonymous_capabilities TEXT NOT NULL,   -- JSON array of strings
    services TEXT NOT NULL,                 -- JSON array of strings
    CHECK (parent IS NULL OR parent <> name)
  ) STRICT;

  CREATE TABLE subscriber (
    id TEXT PRIMARY KEY NOT NULL CHECK (id <> ''),
    username TEXT NOT NULL CHECK (username <> '' AND username = lower(username)),
    domain TEXT NOT NULL REFERENCES domain (name) ON UPDATE RESTRICT ON DELETE RESTRICT,
    role TEXT NOT NULL CHECK (role IN ('admin', 'user', 'anonymous')),
    capabilities TEXT NOT NULL,             -- JSON array of strings
    password_hash TEXT,                     -- PHC string; never a password
    disabled INTEGER NOT NULL CHECK (disabled IN (0, 1)),
    UNIQUE (username, domain),
    UNIQUE (id, domain)                     -- target of ims_credential's (subscriber, domain) key
  ) STRICT;

  CREATE TABLE ims_credential (
    id TEXT PRIMARY KEY NOT NULL CHECK (id <> ''),
    domain TEXT NOT NULL REFERENCES domain (name) ON UPDATE RESTRICT ON DELETE RESTRICT,
    subscriber_id TEXT,                     -- NULL: the domain's anonymous pool
    impu TEXT NOT NULL UNIQUE CHECK (impu <> ''),
    impi TEXT NOT NULL UNIQUE CHECK (impi <> ''),
    secret TEXT NOT NULL,                   -- JSON ImsSecret: needed to answer challenges
    wss_server TEXT,
    FOREIGN KEY (subscriber_id, domain) REFERENCES subscriber (id, domain)
      ON UPDATE CASCADE ON DELETE CASCADE
  ) STRICT;
  CREATE INDEX ims_credential_subscriber ON ims_credential (subscriber_id);
  CREATE INDEX ims_credential_pool ON ims_credential (domain) WHERE subscriber_id IS NULL;

  CREATE TABLE pool_lease (
    credential_id TEXT PRIMARY KEY NOT NULL REFERENCES ims_credential (id) ON DELETE CASCADE,
    holder TEXT NOT NULL CHECK (holder <> ''),
    expires_at INTEGER NOT NULL,            -- ms since the epoch
    leased_at INTEGER NOT NULL              -- ms since the epoch, from the directory's clock
  ) STRICT;
  `,
  // 2: SIP mappings (a subscriber's SIP identity without a secret, TS 33.203 X.3 with TNA).
  `
  CREATE TABLE sip_mapping (
    id TEXT PRIMARY KEY NOT NULL CHECK (id <> ''),
    domain TEXT NOT NULL REFERENCES domain (name) ON UPDATE RESTRICT ON DELETE RESTRICT,
    subscriber_id TEXT NOT NULL,
    impu TEXT NOT NULL UNIQUE CHECK (impu <> ''),
    impi TEXT NOT NULL CHECK (impi <> ''),   -- shared only by mappings of one subscriber
    FOREIGN KEY (subscriber_id, domain) REFERENCES subscriber (id, domain)
      ON UPDATE CASCADE ON DELETE CASCADE
  ) STRICT;
  CREATE INDEX sip_mapping_subscriber ON sip_mapping (subscriber_id);
  CREATE INDEX sip_mapping_domain ON sip_mapping (domain);
  CREATE INDEX sip_mapping_impi ON sip_mapping (impi);
  `,
];

/** The migration steps, for tests that build a file of an older version. */
export const SQLITE_MIGRATIONS = MIGRATIONS;

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Per-connection settings: foreign keys are off by default in SQLite and must be asked for. */
export function configureConnection(db: Database.Database, file: string): void {
  db.pragma('foreign_keys = ON');
  if (file !== ':memory:' && file !== '') db.pragma('journal_mode = WAL');
  // WAL makes NORMAL durable across a process crash (only an OS crash may lose the last commits).
  db.pragma('synchronous = NORMAL');
}

function currentVersion(db: Database.Database): number {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at INTEGER NOT NULL)',
  );
  const row: unknown = db.prepare('SELECT max(version) AS version FROM schema_version').get();
  const version = (row as { version: unknown } | undefined)?.version;
  return typeof version === 'number' ? version : 0;
}

/** Applies the missing migrations; `now` stamps each step. Returns the version reached. */
export function migrate(db: Database.Database, now: () => number): number {
  const step = db.transaction((version: number, sql: string) => {
    // Re-read inside the write lock: another process may have migrated the same file meanwhile.
    if (currentVersion(db) >= version) return;
    db.exec(sql);
    db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)').run(version, now());
  });
  const found = currentVersion(db);
  if (found > SCHEMA_VERSION)
    throw new Error(`directory schema version ${found} is newer than this release knows (${SCHEMA_VERSION})`);
  for (let version = found + 1; version <= SCHEMA_VERSION; version++) {
    step.immediate(version, MIGRATIONS[version - 1] ?? '');
  }
  return SCHEMA_VERSION;
}
