/**
 * How the SQLite directory stores the column types that differ between backends: lists and the
 * IMS secret as JSON text, flags as 0/1 integers. The row ↔ object mapping itself is
 * directory-rows.ts, shared with PostgreSQL.
 */

import { type ColumnReader, CorruptRow, directoryRows, type RowCodec, text } from './directory-rows.ts';

export type SqlValue = string | number | bigint | null;

const integer: ColumnReader<number> = (row, table, column) => {
  const value = row[column];
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new CorruptRow(table, column);
  return value;
};

const json: ColumnReader<unknown> = (row, table, column) => {
  const source = text(row, table, column);
  try {
    return JSON.parse(source);
  } catch {
    throw new CorruptRow(table, column);
  }
};

const sqlite: RowCodec<string | number> = {
  integer,
  flag(row, table, column) {
    const value = integer(row, table, column);
    if (value !== 0 && value !== 1) throw new CorruptRow(table, column);
    return value === 1;
  },
  stringList(row, table, column) {
    const parsed = json(row, table, column);
    if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string'))
      throw new CorruptRow(table, column);
    return parsed;
  },
  json,
  writeFlag: (value) => (value ? 1 : 0),
  writeList: (values) => JSON.stringify(values),
  writeJson: (value) => JSON.stringify(value),
};

export const {
  domainFromRow,
  domainToRow,
  subscriberFromRow,
  subscriberToRow,
  credentialFromRow,
  credentialToRow,
  leaseFromRow,
  sipMappingFromRow,
  sipMappingToRow,
} = directoryRows(sqlite);
