/**
 * Rows of the PostgreSQL directory ↔ the typed objects of directory.ts. node-postgres hands back
 * text[] as arrays, jsonb parsed, boolean as booleans and bigint as decimal strings; each value is
 * checked, and a row that does not fit the model raises `CorruptRow` naming the table and column
 * (a hand-edited database), never a half-typed object.
 */

import type { Domain, ImsCredential, ImsSecret, PoolLease, Subscriber, SubscriberRole } from './directory.ts';

export class CorruptRow extends Error {
  constructor(table: string, column: string) {
    super(`directory row of ${table} has an unreadable ${column}`);
    this.name = 'CorruptRow';
  }
}

type Row = Record<string, unknown>;

function record(row: unknown, table: string): Row {
  if (typeof row !== 'object' || row === null) throw new CorruptRow(table, 'row');
  return row as Row;
}

function text(row: Row, table: string, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw new CorruptRow(table, column);
  return value;
}

function optionalText(row: Row, table: string, column: string): string | undefined {
  const value = row[column];
  if (value === null) return undefined;
  if (typeof value !== 'string') throw new CorruptRow(table, column);
  return value;
}

/** An integer column: bigint arrives as a decimal string, integer as a number. */
function integer(row: Row, table: string, column: string): number {
  const value = row[column];
  const n = typeof value === 'string' && /^-?\d{1,16}$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new CorruptRow(table, column);
  return n;
}

function flag(row: Row, table: string, column: string): boolean {
  const value = row[column];
  if (typeof value !== 'boolean') throw new CorruptRow(table, column);
  return value;
}

function stringList(row: Row, table: string, column: string): string[] {
  const value = row[column];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string'))
    throw new CorruptRow(table, column);
  return value;
}

function secret(row: Row): ImsSecret {
  const s = record(row['secret'], 'ims_credential');
  if (s['kind'] === 'digest' && typeof s['password'] === 'string')
    return { kind: 'digest', password: s['password'] };
  if (s['kind'] === 'aka' && typeof s['k'] === 'string' && typeof s['opc'] === 'string') {
    const amf = s['amf'];
    if (amf !== undefined && typeof amf !== 'string') throw new CorruptRow('ims_credential', 'secret');
    return amf === undefined
      ? { kind: 'aka', k: s['k'], opc: s['opc'] }
      : { kind: 'aka', k: s['k'], opc: s['opc'], amf };
  }
  throw new CorruptRow('ims_credential', 'secret');
}

function role(row: Row): SubscriberRole {
  const value = row['role'];
  if (value === 'admin' || value === 'user' || value === 'anonymous') return value;
  throw new CorruptRow('subscriber', 'role');
}

export function domainFromRow(raw: unknown): Domain {
  const row = record(raw, 'domain');
  return {
    name: text(row, 'domain', 'name'),
    parent: optionalText(row, 'domain', 'parent'),
    allowedOrigins: stringList(row, 'domain', 'allowed_origins'),
    anonymous: {
      enabled: flag(row, 'domain', 'anonymous_enabled'),
      tokenTtl: integer(row, 'domain', 'anonymous_token_ttl'),
      capabilities: stringList(row, 'domain', 'anonymous_capabilities'),
    },
    services: stringList(row, 'domain', 'services'),
  };
}

/** Parameters $1..$7 of the domain upsert. */
export function domainParams(d: Domain): unknown[] {
  return [
    d.name,
    d.parent ?? null,
    [...d.allowedOrigins],
    d.anonymous.enabled,
    d.anonymous.tokenTtl,
    [...d.anonymous.capabilities],
    [...d.services],
  ];
}

export function subscriberFromRow(raw: unknown): Subscriber {
  const row = record(raw, 'subscriber');
  return {
    id: text(row, 'subscriber', 'id'),
    username: text(row, 'subscriber', 'username'),
    domain: text(row, 'subscriber', 'domain'),
    role: role(row),
    capabilities: stringList(row, 'subscriber', 'capabilities'),
    passwordHash: optionalText(row, 'subscriber', 'password_hash'),
    disabled: flag(row, 'subscriber', 'disabled'),
  };
}

/** Parameters $1..$7 of the subscriber upsert. */
export function subscriberParams(s: Subscriber): unknown[] {
  return [s.id, s.username, s.domain, s.role, [...s.capabilities], s.passwordHash ?? null, s.disabled];
}

export function credentialFromRow(raw: unknown): ImsCredential {
  const row = record(raw, 'ims_credential');
  return {
    id: text(row, 'ims_credential', 'id'),
    domain: text(row, 'ims_credential', 'domain'),
    subscriberId: optionalText(row, 'ims_credential', 'subscriber_id'),
    impu: text(row, 'ims_credential', 'impu'),
    impi: text(row, 'ims_credential', 'impi'),
    secret: secret(row),
    wssServer: optionalText(row, 'ims_credential', 'wss_server'),
  };
}

/** Parameters $1..$7 of the credential upsert (the secret as JSON text for the jsonb column). */
export function credentialParams(c: ImsCredential): unknown[] {
  const secretJson =
    c.secret.kind === 'digest'
      ? { kind: 'digest', password: c.secret.password }
      : {
          kind: 'aka',
          k: c.secret.k,
          opc: c.secret.opc,
          ...(c.secret.amf === undefined ? {} : { amf: c.secret.amf }),
        };
  return [
    c.id,
    c.domain,
    c.subscriberId ?? null,
    c.impu,
    c.impi,
    JSON.stringify(secretJson),
    c.wssServer ?? null,
  ];
}

/** A row of `ims_credential` joined with its `pool_lease` (columns `holder`, `expires_at`). */
export function leaseFromRow(raw: unknown): PoolLease {
  const row = record(raw, 'pool_lease');
  return {
    credential: credentialFromRow(row),
    holder: text(row, 'pool_lease', 'holder'),
    expiresAt: integer(row, 'pool_lease', 'expires_at'),
  };
}
