import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The eP-CSCF's Prometheus metrics (registered on the app's registry). */
export interface EpCscfMetrics {
  readonly flows: Gauge;
  readonly registrations: Gauge;
  readonly requests: Counter<'method' | 'side'>;
  readonly responses: Counter<'method' | 'status'>;
  readonly transactionSeconds: Histogram<'method'>;
  readonly flowFailures: Counter;
}

export function createEpCscfMetrics(registry: Registry): EpCscfMetrics {
  const registers = [registry];
  return {
    flows: new Gauge({ name: 'epcscf_flows_active', help: 'Open WebSocket flows (RFC 5626)', registers }),
    registrations: new Gauge({
      name: 'epcscf_registrations',
      help: 'Registered contacts known to this eP-CSCF',
      registers,
    }),
    requests: new Counter({
      name: 'epcscf_requests_total',
      help: 'Requests received, by method and side (client = W2, core = Mw)',
      labelNames: ['method', 'side'],
      registers,
    }),
    responses: new Counter({
      name: 'epcscf_responses_total',
      help: 'Final responses relayed or sent to clients, by request method and status',
      labelNames: ['method', 'status'],
      registers,
    }),
    transactionSeconds: new Histogram({
      name: 'epcscf_transaction_seconds',
      help: 'Time from a client request to its final response, by method',
      labelNames: ['method'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 32],
      registers,
    }),
    flowFailures: new Counter({
      name: 'epcscf_flow_failures_total',
      help: 'Requests from the core for a flow that is gone (answered 430)',
      registers,
    }),
  };
}
