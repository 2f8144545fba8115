import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { PendingCounts } from '../app/metrics.ts';
import type { NgExchange } from './ng/ng-client.ts';
import type { InstanceStatus } from './pool.ts';

/** The eIMS-AGW's Prometheus metrics, registered on the registry it is given. */
export interface EimsAgwMetrics {
  readonly requests: Counter<'command' | 'result'>;
  readonly seconds: Histogram<'command'>;
  /** Feed for NgClient's `observe` option. */
  observe(exchange: NgExchange): void;
}

export interface MetricsSources {
  /** Read at each scrape. */
  instances(): readonly InstanceStatus[];
  activeCalls(): number;
}

export function createEimsAgwMetrics(registry: Registry, sources: MetricsSources): EimsAgwMetrics {
  const registers = [registry];
  // counted per exchange, added to the counter at each scrape (commands and results are bounded)
  const pendingRequests = new PendingCounts<'command' | 'result'>();
  const requests = new Counter({
    name: 'eimsagw_ng_requests_total',
    help: 'NG requests to rtpengine, by command and result (ok, error, timeout, unreachable, protocol)',
    labelNames: ['command', 'result'],
    registers,
    collect() {
      pendingRequests.flushInto(this);
    },
  });
  const seconds = new Histogram({
    name: 'eimsagw_ng_request_seconds',
    help: 'Time from an NG request to its reply or failure, retransmissions included, by command',
    labelNames: ['command'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  new Gauge({
    name: 'eimsagw_rtpengine_up',
    help: '1 while the rtpengine instance answers its health-check ping, 0 when down or not yet checked',
    labelNames: ['instance'],
    registers,
    collect() {
      this.reset();
      for (const i of sources.instances()) this.set({ instance: i.address }, i.state === 'up' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'eimsagw_active_calls',
    help: 'Calls whose media is anchored in rtpengine now (pinned to an instance)',
    registers,
    collect() {
      this.set(sources.activeCalls());
    },
  });
  return {
    requests,
    seconds,
    observe(exchange) {
      const { command, result } = exchange;
      pendingRequests.add(`${command} ${result}`, () => ({ command, result }));
      seconds.observe({ command: exchange.command }, exchange.seconds);
    },
  };
}
