import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { PendingCounts } from '../app/metrics.ts';
import { KNOWN_METHODS } from '../sip/index.ts';

export type Side = 'client' | 'core';

/** The eP-CSCF's Prometheus metrics (registered on the app's registry). */
export interface EpCscfMetrics {
  readonly flows: Gauge;
  readonly requests: Counter<'method' | 'side'>;
  readonly responses: Counter<'method' | 'status'>;
  readonly transactionSeconds: Histogram<'method'>;
  readonly flowFailures: Counter;
  /** Counts a request received (epcscf_requests_total): no label object, no hashing per message. */
  countRequest(method: string, side: Side): void;
  /** Counts a final response (epcscf_responses_total). */
  countResponse(method: string, status: number): void;
  /** Observes a transaction's duration (epcscf_transaction_seconds). */
  observeTransaction(method: string, seconds: number): void;
  /** Counts a client request refused with 503 while overloaded (epcscf_shed_requests_total). */
  countShed(method: string): void;
}

/** Methods outside the known set share one label value, so that a peer cannot grow the series. */
export function methodLabel(method: string): string {
  return KNOWN_METHODS.has(method) ? method : 'other';
}

/**
 * `registeredContacts` counts the store's bindings for `epcscf_registrations`, read when the
 * registry is scraped rather than after every registration (with Redis, a round trip each).
 */
export function createEpCscfMetrics(
  registry: Registry,
  registeredContacts: () => Promise<number>,
): EpCscfMetrics {
  const registers = [registry];
  const pendingRequests = new PendingCounts<'method' | 'side'>();
  const pendingResponses = new PendingCounts<'method' | 'status'>();
  const requests = new Counter({
    name: 'epcscf_requests_total',
    help: 'Requests received, by method and side (client = W2, core = Mw)',
    labelNames: ['method', 'side'],
    registers,
    collect() {
      pendingRequests.flushInto(this);
    },
  });
  const responses = new Counter({
    name: 'epcscf_responses_total',
    help: 'Final responses relayed or sent to clients, by request method and status',
    labelNames: ['method', 'status'],
    registers,
    collect() {
      pendingResponses.flushInto(this);
    },
  });
  const pendingShed = new PendingCounts<'method'>();
  new Counter({
    name: 'epcscf_shed_requests_total',
    help: 'Client requests refused with 503 because the event loop was saturated (OVERLOAD_BUSY_PERCENT), by method',
    labelNames: ['method'],
    registers,
    collect() {
      pendingShed.flushInto(this);
    },
  });
  const transactionSeconds = new Histogram({
    name: 'epcscf_transaction_seconds',
    help: 'Time from a client request to its final response, by method',
    labelNames: ['method'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 32],
    registers,
  });
  new Gauge({
    name: 'epcscf_registrations',
    help: 'Registered contacts known to this eP-CSCF',
    registers,
    async collect() {
      // A store that cannot be read now (Redis away) leaves the last figure, not a failed scrape.
      try {
        this.set(await registeredContacts());
      } catch {}
    },
  });
  /** one child per method label (bounded by methodLabel) */
  const observers = new Map<string, (seconds: number) => void>();
  return {
    flows: new Gauge({ name: 'epcscf_flows_active', help: 'Open WebSocket flows (RFC 5626)', registers }),
    requests,
    responses,
    transactionSeconds,
    flowFailures: new Counter({
      name: 'epcscf_flow_failures_total',
      help: 'Requests from the core for a flow that is gone (answered 430)',
      registers,
    }),
    countRequest(method, side) {
      const m = methodLabel(method);
      pendingRequests.add(`${m} ${side}`, () => ({ method: m, side }));
    },
    countResponse(method, status) {
      const m = methodLabel(method);
      // A status is an integer 100-699 (the parser and buildResponse check it): a finite set.
      pendingResponses.add(`${m} ${status}`, () => ({ method: m, status: String(status) }));
    },
    countShed(method) {
      const m = methodLabel(method);
      pendingShed.add(m, () => ({ method: m }));
    },
    observeTransaction(method, seconds) {
      const m = methodLabel(method);
      let observe = observers.get(m);
      if (observe === undefined) {
        observe = transactionSeconds.labels(m).observe;
        observers.set(m, observe);
      }
      observe(seconds);
    },
  };
}
