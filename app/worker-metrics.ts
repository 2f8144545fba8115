/**
 * /metrics with workers: the primary's own registry and every worker's, merged into one
 * Prometheus exposition by prom-client's AggregatorRegistry. Families of the same name are
 * combined by their aggregator: `sum` by default (counters, histograms, the eP-CSCF's flows and
 * registrations: the whole product's figure), or what a family declares (prom-client's process
 * metrics do; a worker marks a gauge that every process reports alike, such as an rtpengine's
 * health, `max`). When the processes disagree, the non-`sum` declaration wins, so a worker's
 * `max` is not lost to the primary's default.
 */

import { AggregatorRegistry, type Registry } from 'prom-client';
import { type MetricFamilyJson, parseMetricFamilies } from './worker-protocol.ts';

export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

/** Sets each family's aggregator to the first non-`sum` one any process declared for it. */
export function reconcileAggregators(lists: readonly (readonly MetricFamilyJson[])[]): MetricFamilyJson[][] {
  const declared = new Map<string, MetricFamilyJson['aggregator']>();
  for (const list of lists)
    for (const family of list)
      if (family.aggregator !== 'sum' && !declared.has(family.name))
        declared.set(family.name, family.aggregator);
  return lists.map((list) =>
    list.map((family) => {
      const aggregator = declared.get(family.name);
      return aggregator === undefined ? family : { ...family, aggregator };
    }),
  );
}

/** The primary's registry plus whatever `workers()` collects, as one Prometheus text. */
export function aggregatedMetrics(
  own: Registry,
  workers: () => Promise<readonly (readonly MetricFamilyJson[])[]>,
): MetricsSource {
  return {
    contentType: own.contentType,
    async metrics() {
      // Without workers, exactly the registry's own exposition.
      const theirs = await workers();
      if (theirs.length === 0) return own.metrics();
      const mine = parseMetricFamilies(await own.getMetricsAsJSON());
      const lists = reconcileAggregators([mine, ...theirs]);
      return AggregatorRegistry.aggregate(lists).metrics();
    },
  };
}
