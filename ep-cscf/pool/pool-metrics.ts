import { Counter, Gauge, type Registry } from 'prom-client';

/** The pool registrar's Prometheus metrics (on the registry the role hands it). */
export interface PoolMetrics {
  /** leases in force per domain, as the directory counts them (all eP-CSCF instances) */
  readonly leasesActive: Gauge<'domain'>;
  /** REGISTERs that got no identity: `exhausted` (503), `empty` (403), `lost` (a refresh whose lease had gone) */
  readonly leaseFailures: Counter<'domain' | 'reason'>;
  /** outcomes of the eP-CSCF's own registrations of pool identities at the core */
  readonly coreRegistrations: Counter<'outcome'>;
}

export function createPoolMetrics(registry: Registry): PoolMetrics {
  const registers = [registry];
  return {
    leasesActive: new Gauge({
      name: 'epcscf_pool_leases_active',
      help: 'Pool identities leased and in force, by domain (TS 33.203 Annex X.4)',
      labelNames: ['domain'],
      registers,
    }),
    leaseFailures: new Counter({
      name: 'epcscf_pool_lease_failures_total',
      help: 'Pool REGISTERs that got no identity, by domain and reason (exhausted, empty, lost)',
      labelNames: ['domain', 'reason'],
      registers,
    }),
    coreRegistrations: new Counter({
      name: 'epcscf_pool_core_registrations_total',
      help: 'REGISTER exchanges of pool identities with the IMS core, by outcome (registered, refused, deregistered, deregistration-failed)',
      labelNames: ['outcome'],
      registers,
    }),
  };
}
