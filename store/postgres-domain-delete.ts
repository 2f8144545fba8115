/**
 * Deleting a domain in the PostgreSQL directory (postgres-directory.ts runs it in one
 * transaction): refused while it has child domains, or contents unless cascading; with cascade
 * its subscribers (with their credentials and mappings), its pool and the pool's leases go too.
 */

import type pg from 'pg';
import type { DomainContents } from './directory.ts';
import { DomainInUse, isEmpty } from './directory-errors.ts';
import { C } from './postgres-statements.ts';

type Db = pg.ClientBase;

async function contentsOf(db: Db, domain: string, now: number): Promise<DomainContents> {
  const { rows } = await db.query(
    `SELECT (SELECT count(*) FROM subscriber WHERE domain = $1) AS subscribers,
       (SELECT count(*) FROM ims_credential WHERE domain = $1) AS credentials,
       (SELECT count(*) FROM sip_mapping WHERE domain = $1) AS mappings,
       (SELECT count(*) FROM pool_lease l JOIN ims_credential c ON c.id = l.credential_id
         WHERE c.domain = $1 AND l.expires_at > $2) AS leases`,
    [domain, now],
  );
  const row = (rows[0] ?? {}) as Record<string, unknown>;
  return {
    subscribers: Number(row.subscribers),
    imsCredentials: Number(row.credentials),
    sipMappings: Number(row.mappings),
    activeLeases: Number(row.leases),
  };
}

/**
 * Deletes a domain (and with `cascade` its subscribers, their credentials and mappings, its pool
 * and the pool's leases). The self-exclusive table lock keeps children from being added meanwhile
 * (domain writes take it too). Locking the domain's row waits out the writes that reference it
 * (their foreign-key checks hold a key-share lock on it) and holds off new ones, which then find
 * the domain gone: the counts it refuses with are exact.
 */
export async function deleteDomain(db: Db, name: string, cascade: boolean, now: number): Promise<boolean> {
  await db.query('LOCK TABLE domain IN SHARE ROW EXCLUSIVE MODE');
  const found = await db.query('SELECT 1 FROM domain WHERE name = $1 FOR UPDATE', [name]);
  if (found.rows.length === 0) return false;
  const children = await db.query(`SELECT name FROM domain WHERE parent = $1 ORDER BY name ${C}`, [name]);
  const childNames = children.rows.map((r: { name: unknown }) => String(r.name));
  const contents = await contentsOf(db, name, now);
  if (childNames.length > 0 || (!isEmpty(contents) && !cascade))
    throw new DomainInUse(name, childNames, contents);
  if (cascade) {
    // Their credentials and mappings go with the subscribers (ON DELETE CASCADE), leases with those.
    await db.query('DELETE FROM subscriber WHERE domain = $1', [name]);
    await db.query('DELETE FROM ims_credential WHERE domain = $1 AND subscriber_id IS NULL', [name]);
  }
  // Without cascade the foreign keys (ON DELETE RESTRICT) refuse the delete of a domain in use.
  const deleted = await db.query('DELETE FROM domain WHERE name = $1', [name]);
  return (deleted.rowCount ?? 0) > 0;
}
