/**
 * The longer SQL of the PostgreSQL directory (postgres-directory.ts runs it), on the schema of
 * postgres-schema.ts.
 */

export const CREDENTIAL_COLUMNS = 'c.id, c.domain, c.subscriber_id, c.impu, c.impi, c.secret, c.wss_server';
/** Order like SQLite's binary collation, whatever the database's locale. */
export const C = 'COLLATE "C"';
export const UPSERT_DOMAIN = `INSERT INTO domain VALUES ($1, $2, $3, $4, $5, $6, $7)
  ON CONFLICT (name) DO UPDATE SET parent = excluded.parent, allowed_origins = excluded.allowed_origins,
    anonymous_enabled = excluded.anonymous_enabled, anonymous_token_ttl = excluded.anonymous_token_ttl,
    anonymous_capabilities = excluded.anonymous_capabilities, services = excluded.services`;
export const UPSERT_SUBSCRIBER = `INSERT INTO subscriber VALUES ($1, $2, $3, $4, $5, $6, $7)
  ON CONFLICT (id) DO UPDATE SET username = excluded.username, domain = excluded.domain,
    role = excluded.role, capabilities = excluded.capabilities,
    password_hash = excluded.password_hash, disabled = excluded.disabled`;
export const UPSERT_CREDENTIAL = `INSERT INTO ims_credential VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)
  ON CONFLICT (id) DO UPDATE SET domain = excluded.domain, subscriber_id = excluded.subscriber_id,
    impu = excluded.impu, impi = excluded.impi, secret = excluded.secret, wss_server = excluded.wss_server`;
// A free pool identity: never leased, or its lease ran out; never-leased ones first.
export const FREE_IDENTITY = `SELECT ${CREDENTIAL_COLUMNS} FROM ims_credential c
  LEFT JOIN pool_lease l ON l.credential_id = c.id
  WHERE c.domain = $1 AND c.subscriber_id IS NULL AND (l.credential_id IS NULL OR l.expires_at <= $2)
    AND NOT (c.id = ANY ($3::text[]))
  ORDER BY l.expires_at IS NOT NULL, l.expires_at, c.id ${C} LIMIT 1
  FOR UPDATE OF c SKIP LOCKED`;
export const WRITE_LEASE = `INSERT INTO pool_lease VALUES ($1, $2, $3, $4)
  ON CONFLICT (credential_id) DO UPDATE SET holder = excluded.holder,
    expires_at = excluded.expires_at, leased_at = excluded.leased_at`;
export const UPSERT_MAPPING = `INSERT INTO sip_mapping VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (id) DO UPDATE SET domain = excluded.domain, subscriber_id = excluded.subscriber_id,
    impu = excluded.impu, impi = excluded.impi`;
