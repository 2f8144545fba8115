/**
 * The write bodies of the PostgreSQL directory: each runs inside the caller's transaction
 * (postgres-directory.ts `write`) on its connection, checks what the write relies on (locking it
 * where a concurrent writer could change it) and writes.
 *
 * IMPU/IMPI uniqueness spans two tables (IMS credentials and SIP mappings), which no constraint
 * can express: each write of either first takes transaction-scoped advisory locks on its IMPI and
 * IMPU (always in that order), so two writers of one identity take turns and the second sees the
 * first's committed row.
 */

import type pg from 'pg';
import type { Domain, ImsCredential, SipMapping, Subscriber } from './directory.ts';
import { DirectoryConflict, DirectoryInvalid, DirectoryMissing } from './directory-errors.ts';
import { identityConflict, type WrittenIdentity } from './directory-identities.ts';
import { credentialParams, domainParams, sipMappingParams, subscriberParams } from './postgres-rows.ts';
import {
  UPSERT_CREDENTIAL,
  UPSERT_DOMAIN,
  UPSERT_MAPPING,
  UPSERT_SUBSCRIBER,
} from './postgres-statements.ts';

type Db = pg.ClientBase;

const ids = (result: pg.QueryResult): string[] => result.rows.map((r: { id: unknown }) => String(r.id));

export async function putDomain(db: Db, domain: Domain): Promise<void> {
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
}

export async function putSubscriber(db: Db, subscriber: Subscriber): Promise<void> {
  await requireDomain(db, subscriber.domain);
  const holder = await db.query('SELECT id FROM subscriber WHERE username = $1 AND domain = $2', [
    subscriber.username,
    subscriber.domain,
  ]);
  const holderId: unknown = holder.rows[0]?.id;
  if (holderId !== undefined && holderId !== subscriber.id)
    throw new DirectoryConflict('username', subscriber.username);
  // A subscriber moved to another domain takes its credentials and mappings along (ON UPDATE CASCADE).
  await db.query(UPSERT_SUBSCRIBER, subscriberParams(subscriber));
}

/** The subscriber must exist and be of `domain`. */
export async function requireOwner(db: Db, subscriberId: string, domain: string): Promise<void> {
  const owner = await db.query('SELECT domain FROM subscriber WHERE id = $1', [subscriberId]);
  const ownerDomain: unknown = owner.rows[0]?.domain;
  if (ownerDomain === undefined) throw new DirectoryMissing('subscriberId', subscriberId);
  if (ownerDomain !== domain)
    throw new DirectoryInvalid('domain', domain, `must be the subscriber's domain ${String(ownerDomain)}`);
}

export async function requireDomain(db: Db, domain: string): Promise<void> {
  const found = await db.query('SELECT 1 FROM domain WHERE name = $1', [domain]);
  if (found.rows.length === 0) throw new DirectoryMissing('domain', domain);
}

/** Locks the written IMPI and IMPU, then refuses them when held elsewhere. */
export async function claimIdentity(db: Db, written: WrittenIdentity): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`impi:${written.impi}`]);
  await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`impu:${written.impu}`]);
  const [impuCredentials, impuMappings, impiCredentials, impiMappings] = await Promise.all([
    db.query('SELECT id FROM ims_credential WHERE impu = $1', [written.impu]),
    db.query('SELECT id FROM sip_mapping WHERE impu = $1', [written.impu]),
    db.query('SELECT id FROM ims_credential WHERE impi = $1', [written.impi]),
    db.query('SELECT id, subscriber_id FROM sip_mapping WHERE impi = $1', [written.impi]),
  ]);
  const conflict = identityConflict(
    {
      impuCredentials: ids(impuCredentials),
      impuMappings: ids(impuMappings),
      impiCredentials: ids(impiCredentials),
      impiMappings: impiMappings.rows.map((r: { id: unknown; subscriber_id: unknown }) => ({
        id: String(r.id),
        subscriberId: String(r.subscriber_id),
      })),
    },
    written,
  );
  if (conflict !== undefined) throw conflict;
}

export async function putSipMapping(db: Db, mapping: SipMapping): Promise<void> {
  await requireDomain(db, mapping.domain);
  await requireOwner(db, mapping.subscriberId, mapping.domain);
  await claimIdentity(db, { kind: 'mapping', ...mapping });
  await db.query(UPSERT_MAPPING, sipMappingParams(mapping));
}

export async function putImsCredential(db: Db, credential: ImsCredential): Promise<void> {
  await requireDomain(db, credential.domain);
  if (credential.subscriberId !== undefined)
    await requireOwner(db, credential.subscriberId, credential.domain);
  await claimIdentity(db, { kind: 'credential', ...credential });
  // Lock the row being replaced: a leaser holding it finishes first, or skips it.
  const before = await db.query('SELECT domain, subscriber_id FROM ims_credential WHERE id = $1 FOR UPDATE', [
    credential.id,
  ]);
  const previous: unknown = before.rows[0];
  await db.query(UPSERT_CREDENTIAL, credentialParams(credential));
  // A lease is on a pool identity of one domain: it ends when the identity leaves that pool.
  const previousDomain: unknown = (previous as { domain?: unknown } | undefined)?.domain;
  if (
    previous !== undefined &&
    (credential.subscriberId !== undefined || previousDomain !== credential.domain)
  )
    await db.query('DELETE FROM pool_lease WHERE credential_id = $1', [credential.id]);
}
