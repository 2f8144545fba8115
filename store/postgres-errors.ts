/**
 * PostgreSQL errors of a directory write ↔ the directory's typed errors. The checks each write
 * makes first give the precise error; this maps what a concurrent writer slipped in between a
 * check and the write (SQLSTATE 23505 unique, 23503 foreign key), by the constraint names of
 * postgres-schema.ts, and tells which failures are worth running the transaction again.
 */

import { DirectoryConflict, DirectoryMissing } from './directory-errors.ts';

/** constraint name → the field of the written object it guards */
const UNIQUE: Readonly<Record<string, string>> = {
  subscriber_username_unique: 'username',
  ims_credential_impu_unique: 'impu',
  ims_credential_impi_unique: 'impi',
  sip_mapping_impu_unique: 'impu',
};

const FOREIGN: Readonly<Record<string, string>> = {
  domain_parent_fk: 'parent',
  subscriber_domain_fk: 'domain',
  ims_credential_domain_fk: 'domain',
  ims_credential_subscriber_fk: 'subscriberId',
  pool_lease_credential_fk: 'credentialId',
  sip_mapping_domain_fk: 'domain',
  sip_mapping_subscriber_fk: 'subscriberId',
};

function sqlState(error: unknown): { code: string; constraint: string | undefined } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  if (typeof code !== 'string') return undefined;
  return { code, constraint: typeof constraint === 'string' ? constraint : undefined };
}

/**
 * The typed error for a constraint violation; other errors unchanged. `values` gives the written
 * value of each field (names and identities only), for the error's `value`.
 */
export function constraintError(error: unknown, values: Readonly<Record<string, string>> = {}): unknown {
  const state = sqlState(error);
  if (state?.constraint === undefined) return error;
  if (state.code === '23505') {
    const field = UNIQUE[state.constraint];
    if (field !== undefined) return new DirectoryConflict(field, values[field] ?? '');
  }
  if (state.code === '23503') {
    const field = FOREIGN[state.constraint];
    if (field !== undefined) return new DirectoryMissing(field, values[field] ?? '');
  }
  return error;
}

/** Deadlock detected or serialization failure: the transaction did nothing and may run again. */
export function isRetryable(error: unknown): boolean {
  const code = sqlState(error)?.code;
  return code === '40P01' || code === '40001';
}
