/**
 * Rows of the SQLite directory ↔ the typed objects of directory.ts. What comes back from the
 * file is parsed, not trusted: a row that does not fit the model raises an error naming the
 * table and column (a damaged or hand-edited file), never a half-typed object.
 */

import type { Domain, ImsCredential, ImsSecret, PoolLease, Subscriber, SubscriberRole } from './directory.ts';

export type SqlValue = string | number | bigint | null;

class CorruptRow extends Error {
  constructor(table: string, column: string) {
    super(`directory row of ${table} has an unreadable ${column}`);
    this.name = 'CorruptRow';
  }
}

function record(row: unknown, table: string): Record<string, unknown> {
  if (typeof row !== 'object' || row === null) throw new CorruptRow(table, 'row');
  return row as Record<string, unknown>;
}

function text(row: Record<string, unknown>, table: string, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw new CorruptRow(table, column);
  return value;
}

function optionalText(row: Record<string, unknown>, table: string, column: string): string | undefined {
  const value = row[column];
  if (value === null) return undefined;
  if (typeof value !== 'string') throw new CorruptRow(table, column);
  return value;
}

function integer(row: Record<string, unknown>, table: string, column: string): number {
  const value = row[column];
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new CorruptRow(table, column);
  return value;
}

function flag(row: Record<string, unknown>, table: string, column: string): boolean {
  const value = integer(row, table, column);
  if (value !== 0 && value !== 1) throw new CorruptRow(table, column);
  return value === 1;
}

function stringList(row: Record<string, unknown>, table: string, column: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text(row, table, column));
  } catch {
    throw new CorruptRow(table, column);
  }
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string'))
    throw new CorruptRow(table, column);
  return parsed;
}

const ROLES: readonly SubscriberRole[] = ['admin', 'user', 'anonymous'];

export function isSubscriberRole(value: unknown): value is SubscriberRole {
  return ROLES.some((role) => role === value);
}

function secret(row: Record<string, unknown>): ImsSecret {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text(row, 'ims_credential', 'secret'));
  } catch {
    throw new CorruptRow('ims_credential', 'secret');
  }
  const s = record(parsed, 'ims_credential');
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

export function domainToRow(d: Domain): Record<string, SqlValue> {
  return {
    name: d.name,
    parent: d.parent ?? null,
    allowed_origins: JSON.stringify(d.allowedOrigins),
    anonymous_enabled: d.anonymous.enabled ? 1 : 0,
    anonymous_token_ttl: d.anonymous.tokenTtl,
    anonymous_capabilities: JSON.stringify(d.anonymous.capabilities),
    services: JSON.stringify(d.services),
  };
}

export function subscriberFromRow(raw: unknown): Subscriber {
  const row = record(raw, 'subscriber');
  const role = row['role'];
  if (!isSubscriberRole(role)) throw new CorruptRow('subscriber', 'role');
  return {
    id: text(row, 'subscriber', 'id'),
    username: text(row, 'subscriber', 'username'),
    domain: text(row, 'subscriber', 'domain'),
    role,
    capabilities: stringList(row, 'subscriber', 'capabilities'),
    passwordHash: optionalText(row, 'subscriber', 'password_hash'),
    disabled: flag(row, 'subscriber', 'disabled'),
  };
}

export function subscriberToRow(s: Subscriber): Record<string, SqlValue> {
  return {
    id: s.id,
    username: s.username,
    domain: s.domain,
    role: s.role,
    capabilities: JSON.stringify(s.capabilities),
    password_hash: s.passwordHash ?? null,
    disabled: s.disabled ? 1 : 0,
  };
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

export function credentialToRow(c: ImsCredential): Record<string, SqlValue> {
  const secretJson =
    c.secret.kind === 'digest'
      ? { kind: 'digest', password: c.secret.password }
      : {
          kind: 'aka',
          k: c.secret.k,
          opc: c.secret.opc,
          ...(c.secret.amf === undefined ? {} : { amf: c.secret.amf }),
        };
  return {
    id: c.id,
    domain: c.domain,
    subscriber_id: c.subscriberId ?? null,
    impu: c.impu,
    impi: c.impi,
    secret: JSON.stringify(secretJson),
    wss_server: c.wssServer ?? null,
  };
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
