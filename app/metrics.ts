/**
 * The process metrics registry: prom-client default metrics plus the role gauge; and
 * `PendingCounts`, how a role counts per message without prom-client's cost per `inc`.
 */

import { type Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { RoleName } from './role-name.ts';

export interface AppMetrics {
  readonly registry: Registry;
}

/**
 * A fresh registry per app instance (no prom-client global), so tests can run several.
 * webrtc_ims_role_up{role} is read from `isUp` at every scrape, so it cannot drift.
 */
export function createMetrics(roles: readonly RoleName[], isUp: (role: RoleName) => boolean): AppMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'webrtc_ims_role_up',
    help: '1 while the role runs in this process; 0 when disabled, not built yet, failed or stopped',
    labelNames: ['role'],
    registers: [registry],
    collect() {
      for (const role of roles) this.set({ role }, isUp(role) ? 1 : 0);
    },
  });
  return { registry };
}

/**
 * Label values of a counter kept as plain numbers per bounded key and added to the prom-client
 * counter when it is collected (a scrape), so that a message costs one Map lookup and an
 * addition. prom-client 15's `labels(...)` children still validate and hash the labels on each
 * `inc` (BENCHMARKS.md, "Problems found in the eP-CSCF", item 6). Each key must stand for one
 * set of label values, from a bounded set.
 */
export class PendingCounts<L extends string> {
  private readonly pending = new Map<string, { labels: Record<L, string>; n: number }>();

  add(key: string, labels: () => Record<L, string>): void {
    const p = this.pending.get(key);
    if (p !== undefined) p.n++;
    else this.pending.set(key, { labels: labels(), n: 1 });
  }

  flushInto(counter: Counter<L>): void {
    for (const p of this.pending.values()) {
      if (p.n === 0) continue;
      counter.inc(p.labels, p.n);
      p.n = 0;
    }
  }
}
