import { Counter, Gauge, type Registry } from 'prom-client';

/** Outcomes of a bearer validation at the eP-CSCF: the validator's errors, and `valid`. */
export type ValidationOutcome = 'valid' | 'invalid_token' | 'insufficient_scope' | 'unavailable' | 'missing';

/** The bearer module's own counters (registered on the app's registry). */
export interface BearerMetrics {
  readonly validations: Counter<'outcome'>;
  readonly deregistrations: Counter<'reason'>;
  readonly bindings: Gauge;
}

export function createBearerMetrics(registry: Registry): BearerMetrics {
  const registers = [registry];
  return {
    validations: new Counter({
      name: 'epcscf_bearer_validations_total',
      help: 'Bearer credentials checked on client requests (RFC 8898), by outcome; missing = no token where one is required',
      labelNames: ['outcome'],
      registers,
    }),
    deregistrations: new Counter({
      name: 'epcscf_bearer_deregistrations_total',
      help: 'Registrations the eP-CSCF ended toward the core because their access token ended, by reason (expired, revoked)',
      labelNames: ['reason'],
      registers,
    }),
    bindings: new Gauge({
      name: 'epcscf_bearer_bindings',
      help: 'Registered contacts whose registration rests on an access token',
      registers,
    }),
  };
}
