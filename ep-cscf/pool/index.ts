/**
 * ep-cscf/pool: scenario 3 of TS 33.203 Annex X.4 — IMS identities lent from a domain's pool to
 * clients with web credentials. The entry points (registerFromPool, attachPoolRegistrar) are in
 * ../registration/pool-register.ts. See README.md.
 */
export {
  CoreRegistration,
  type CoreRegistrationEnv,
  type CoreRegistrationOptions,
} from './core-registration.ts';
export {
  coreExpires,
  LEASE_MARGIN_MS,
  leaseExpiresAt,
  leaseHolder,
  retryAfterSeconds,
} from './lease-terms.ts';
export { type PoolIntent, readPoolRegister } from './pool-intent.ts';
export { createPoolMetrics, type PoolMetrics } from './pool-metrics.ts';
export { type PoolEnd, PoolRegistrar, type PoolRegistrarOptions } from './pool-registrar.ts';
export type { PoolAnswer } from './pool-reply.ts';
export { buildPoolRegister, type PoolRegisterInput } from './pool-request.ts';
