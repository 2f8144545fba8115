/**
 * How the PostgreSQL directory stores the column types that differ between backends:
 * node-postgres hands back text[] as arrays, jsonb parsed, boolean as booleans and bigint as
 * decimal strings. The row ↔ object mapping itself is directory-rows.ts, shared with SQLite;
 * here the rows to write become the positional parameters ($1..$7) of the upserts of
 * postgres-statements.ts, in the tables' column order.
 */

import type { Domain, ImsCredential, SipMapping, Subscriber } from './directory.ts';
import { CorruptRow, directoryRows, type RowCodec } from './directory-rows.ts';

export { CorruptRow } from './directory-rows.ts';

const postgres: RowCodec<unknown> = {
  /** An integer column: bigint arrives as a decimal string, integer as a number. */
  integer(row, table, column) {
    const value = row[column];
    const n = typeof value === 'string' && /^-?\d{1,16}$/.test(value) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new CorruptRow(table, column);
    return n;
  },
  flag(row, table, column) {
    const value = row[column];
    if (typeof value !== 'boolean') throw new CorruptRow(table, column);
    return value;
  },
  stringList(row, table, column) {
    const value = row[column];
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string'))
      throw new CorruptRow(table, column);
    return value;
  },
  json: (row, _table, column) => row[column],
  writeFlag: (value) => value,
  writeList: (values) => [...values],
  // Sent as JSON text for the jsonb column (`$6::jsonb`).
  writeJson: (value) => JSON.stringify(value),
};

const rows = directoryRows(postgres);

export const { domainFromRow, subscriberFromRow, credentialFromRow, leaseFromRow, sipMappingFromRow } = rows;

/** Parameters $1..$7 of the domain upsert. */
export function domainParams(d: Domain): unknown[] {
  return Object.values(rows.domainToRow(d));
}

/** Parameters $1..$7 of the subscriber upsert. */
export function subscriberParams(s: Subscriber): unknown[] {
  return Object.values(rows.subscriberToRow(s));
}

/** Parameters $1..$7 of the credential upsert (the secret as JSON text for the jsonb column). */
export function credentialParams(c: ImsCredential): unknown[] {
  return Object.values(rows.credentialToRow(c));
}

/** Parameters $1..$5 of the SIP mapping upsert. */
export function sipMappingParams(m: SipMapping): unknown[] {
  return Object.values(rows.sipMappingToRow(m));
}
