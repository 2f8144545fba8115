/** store/: state shared by the roles, behind one interface per kind of state. */

export type {
  AnonymousPolicy,
  Domain,
  DomainContents,
  ImsCredential,
  ImsSecret,
  PoolLease,
  SipMapping,
  Subscriber,
  SubscriberDirectory,
  SubscriberRole,
} from './directory.ts';
export {
  DirectoryConflict,
  DirectoryError,
  DirectoryInvalid,
  DirectoryMissing,
  DomainInUse,
} from './directory-errors.ts';
export { MemoryRegistrationStore } from './memory-registration-store.ts';
export {
  DEFAULT_SCRYPT_COST,
  hashPassword,
  needsRehash,
  type ScryptCost,
  verifyPassword,
} from './password.ts';
export {
  openPostgresDirectory,
  PostgresDirectory,
  type PostgresDirectoryOptions,
} from './postgres-directory.ts';
export {
  type OpenedRedisRegistrationStore,
  openRedisRegistrationStore,
  RedisRegistrationStore,
  type RedisRegistrationStoreOptions,
} from './redis-registration-store.ts';
export type { ContactBinding, RegistrationStore } from './registration-store.ts';
export {
  applySeed,
  LAB_SEED_FILE,
  parseSeed,
  type Seed,
  SeedError,
  type SeedReport,
  seedDirectory,
} from './seed.ts';
export { openSqliteDirectory, SqliteDirectory, type SqliteDirectoryOptions } from './sqlite-directory.ts';
