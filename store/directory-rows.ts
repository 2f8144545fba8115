/**
 * Rows of the SQL directories ↔ the typed objects of directory.ts, written once for every SQL
 * backend. The tables and columns are the same in each (sqlite-schema.ts, postgres-schema.ts);
 * what differs is how a driver hands back and takes a few column types, and a backend says that
 * in a small `RowCodec` (sqlite-rows.ts, postgres-rows.ts).
 *
 * What comes back from the database is parsed, not trusted: a row that does not fit the model
 * raises `CorruptRow` naming the table and column (a damaged or hand-edited database), never a
 * half-typed object.
 */

import type {
  Domain,
  ImsCredential,
  ImsSecret,
  PoolLease,
  SipMapping,
  Subscriber,
  SubscriberRole,
} from './directory.ts';

export class CorruptRow extends Error {
  constructor(table: string, column: string) {
    super(`directory row of ${table} has an unreadable ${column}`);
    this.name = 'CorruptRow';
  }
}

export type Row = Record<string, unknown>;

/** A column reader: the value of `column` in `row` of `table`, or `CorruptRow`. */
export type ColumnReader<T> = (row: Row, table: string, column: string) => T;

/**
 * The column types a backend stores its own way. `V` is what its driver takes as a parameter
 * for those columns (besides text, numbers and null).
 */
export interface RowCodec<V> {
  readonly integer: ColumnReader<number>;
  readonly flag: ColumnReader<boolean>;
  readonly stringList: ColumnReader<string[]>;
  /** a JSON document column, decoded (not yet checked) */
  readonly json: ColumnReader<unknown>;
  readonly writeFlag: (value: boolean) => V;
  readonly writeList: (values: readonly string[]) => V;
  readonly writeJson: (value: object) => V;
}

/** A row to write: column name → parameter, in the tables' column order. */
export type RowValues<V> = Record<string, V | string | number | null>;

export interface DirectoryRows<V> {
  domainFromRow(raw: unknown): Domain;
  domainToRow(d: Domain): RowValues<V>;
  subscriberFromRow(raw: unknown): Subscriber;
  subscriberToRow(s: Subscriber): RowValues<V>;
  credentialFromRow(raw: unknown): ImsCredential;
  credentialToRow(c: ImsCredential): RowValues<V>;
  sipMappingFromRow(raw: unknown): SipMapping;
  sipMappingToRow(m: SipMapping): RowValues<V>;
  /** A row of `ims_credential` joined with its `pool_lease` (columns `holder`, `expires_at`). */
  leaseFromRow(raw: unknown): PoolLease;
}

export function record(row: unknown, table: string): Row {
  if (typeof row !== 'object' || row === null) throw new CorruptRow(table, 'row');
  return row as Row;
}

export const text: ColumnReader<string> = (row, table, column) => {
  const value = row[column];
  if (typeof value !== 'string') throw new CorruptRow(table, column);
  return value;
};

const optionalText: ColumnReader<string | undefined> = (row, table, column) =>
  row[column] === null ? undefined : text(row, table, column);

const ROLES: readonly SubscriberRole[] = ['admin', 'user', 'anonymous'];

function role(row: Row): SubscriberRole {
  const value = row['role'];
  const known = ROLES.find((r) => r === value);
  if (known === undefined) throw new CorruptRow('subscriber', 'role');
  return known;
}

function secretFromJson(parsed: unknown): ImsSecret {
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

function secretToJson(secret: ImsSecret): object {
  if (secret.kind === 'digest') return { kind: 'digest', password: secret.password };
  return {
    kind: 'aka',
    k: secret.k,
    opc: secret.opc,
    ...(secret.amf === undefined ? {} : { amf: secret.amf }),
  };
}

/** The row mappings of one backend, from its codec. */
export function directoryRows<V>(codec: RowCodec<V>): DirectoryRows<V> {
  const { integer, flag, stringList, json } = codec;

  function credentialFromRow(raw: unknown): ImsCredential {
    const row = record(raw, 'ims_credential');
    return {
      id: text(row, 'ims_credential', 'id'),
      domain: text(row, 'ims_credential', 'domain'),
      subscriberId: optionalText(row, 'ims_credential', 'subscriber_id'),
      impu: text(row, 'ims_credential', 'impu'),
      impi: text(row, 'ims_credential', 'impi'),
      secret: secretFromJson(json(row, 'ims_credential', 'secret')),
      wssServer: optionalText(row, 'ims_credential', 'wss_server'),
    };
  }

  return {
    domainFromRow(raw) {
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
    },
    domainToRow: (d) => ({
      name: d.name,
      parent: d.parent ?? null,
      allowed_origins: codec.writeList(d.allowedOrigins),
      anonymous_enabled: codec.writeFlag(d.anonymous.enabled),
      anonymous_token_ttl: d.anonymous.tokenTtl,
      anonymous_capabilities: codec.writeList(d.anonymous.capabilities),
      services: codec.writeList(d.services),
    }),
    subscriberFromRow(raw) {
      const row = record(raw, 'subscriber');
      const checkedRole = role(row);
      return {
        id: text(row, 'subscriber', 'id'),
        username: text(row, 'subscriber', 'username'),
        domain: text(row, 'subscriber', 'domain'),
        role: checkedRole,
        capabilities: stringList(row, 'subscriber', 'capabilities'),
        passwordHash: optionalText(row, 'subscriber', 'password_hash'),
        disabled: flag(row, 'subscriber', 'disabled'),
      };
    },
    subscriberToRow: (s) => ({
      id: s.id,
      username: s.username,
      domain: s.domain,
      role: s.role,
      capabilities: codec.writeList(s.capabilities),
      password_hash: s.passwordHash ?? null,
      disabled: codec.writeFlag(s.disabled),
    }),
    credentialFromRow,
    credentialToRow: (c) => ({
      id: c.id,
      domain: c.domain,
      subscriber_id: c.subscriberId ?? null,
      impu: c.impu,
      impi: c.impi,
      secret: codec.writeJson(secretToJson(c.secret)),
      wss_server: c.wssServer ?? null,
    }),
    sipMappingFromRow(raw) {
      const row = record(raw, 'sip_mapping');
      return {
        id: text(row, 'sip_mapping', 'id'),
        domain: text(row, 'sip_mapping', 'domain'),
        subscriberId: text(row, 'sip_mapping', 'subscriber_id'),
        impu: text(row, 'sip_mapping', 'impu'),
        impi: text(row, 'sip_mapping', 'impi'),
      };
    },
    sipMappingToRow: (m) => ({
      id: m.id,
      domain: m.domain,
      subscriber_id: m.subscriberId,
      impu: m.impu,
      impi: m.impi,
    }),
    leaseFromRow(raw) {
      const row = record(raw, 'pool_lease');
      return {
        credential: credentialFromRow(row),
        holder: text(row, 'pool_lease', 'holder'),
        expiresAt: integer(row, 'pool_lease', 'expires_at'),
      };
    },
  };
}
